"""
tests/e2e/scenarios_intr.py - each interrupt yakvm injects arrives once, and
never while the guest's IF=0 (tests/guests/intr_once.c): under QEMU's TCG,
whose VMRUN may deliver an injected interrupt a second time (docs/status.md,
"Known emulator quirks"), with and without -icount, and under Bochs.
Imported by scenarios.py.
"""
from harness import Scenario, Check
from scenarios_hostile import guest_checks

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
NAMES = ["each self-IPI was handled once", "no interrupt came while IF=0",
         "no handler was entered from inside itself"]


TCG_LINE = (r"^yakvm: QEMU TCG: an exit right after each injected interrupt: TCG may "
            r"deliver it a second time until the next exit$")


def scenario(name, args, emulator="qemu", **kw):
    return Scenario(
        name=name, emulator=emulator,
        grub=[YAKVM, "module2 /guests/intr_once.elf name=intr mem=8M -- " + args],
        checks=[Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
                Check("the boot says why each injection costs an exit (TCG only)", TCG_LINE,
                      present=emulator == "qemu")] +
        guest_checks("intr", "intr-once", NAMES),
        **dict(dict(timeout=300), **kw))


SCENARIOS = [
    # -icount: the vCPU leaves its execution loop at every QEMU timer's
    # deadline, inside a handler nearly every time.
    scenario("qemu-intr-once-icount", "count=400 spin=100000",
             extra_args=["-icount", "shift=0,sleep=off"]),
    scenario("qemu-intr-once", "count=400 spin=100000"),
    scenario("bochs-intr-once", "count=100 spin=20000", emulator="bochs", timeout=400),
]
