"""
tests/e2e/scenarios_singlestep.py - the guest's own single-step trap after
every kind of instruction yakvm completes for it, in ring 0 and ring 3, and
exact interrupt windows (issue 14, items 4 and 5; tests/guests/singlestep.c).
Under QEMU and under Bochs (nRIP-save, XSAVE, V_IRQ as the APM says).
Imported by scenarios.py.
"""
import re
from harness import Scenario, Check
from scenarios_hostile import guest_checks

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"

COMMON = [
    "CPUID traps after it", "IN traps after it", "OUT traps after it",
    "INSB traps after it", "OUTSB traps after it",
    "REP INSB (3) traps after each iteration", "REP OUTSB (3) traps after each iteration",
    "an MMIO read (LAPIC) traps after it", "an MMIO write (LAPIC TPR) traps after it",
    "VMMCALL traps after it", "CPUID after MOV SS: one trap, after the CPUID",
    "CPUID in the STI's shadow traps after it",
]
RING0 = ["RDMSR traps after it", "WRMSR traps after it",
         "HLT with IF=0 ends at once with the trap after it",
         "RDMSR that gets #GP raises no trap", "... and the #GP came"]
WINDOW = [
    "window: both pending self-IPIs come in STI; NOP; CLI",
    "window: the first (0x41) after the NOP, at the CLI",
    "window: the second (0x40) after the first handler's IRET, at the CLI",
    "window: each self-IPI comes once",
]
NAMES = (["ring 0: " + n for n in COMMON + RING0] + ["ring 3: " + n for n in COMMON] +
         WINDOW)


def scenario(name, names, extra_checks=(), yakvm=YAKVM, guest=None, **kw):
    return Scenario(
        name=name,
        grub=[yakvm, "module2 /guests/singlestep.elf name=step mem=8M"],
        checks=[
            Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
            Check("ring 3 was entered and left", r"^\[step\] step: back in ring 0$"),
        ] + (guest or guest_checks("step", "step", names)) + list(extra_checks),
        **dict(dict(timeout=120), **kw))


# Under QEMU's TCG yakvm opens no V_IRQ window by default (QEMU's VMRUN sets
# its VIRQ request bit without the lock that guards the LAPIC's, and can
# lose a host interrupt: docs/status.md); the 100 us poll that replaces it
# cannot see a one-instruction window. These three checks are expected to
# fail there: each must report FAIL (if one passes, docs/status.md and this
# list are out of date).
XFAIL = WINDOW[:3]
XFAIL_WHY = ("expected failure under QEMU's TCG without tcg_virq=1 (no V_IRQ: "
             "TCG's VMRUN race; the 100 us poll misses a one-instruction window): ")


def checks_with_xfail(names, xfail, why):
    """The guest's checks where those in xfail must report FAIL, and no
    other may; the guest's own failure count is exactly len(xfail)."""
    return ([Check("step: " + n, r"^\[step\] step: ok %s$" % re.escape(n))
             for n in names if n not in xfail] +
            [Check(why + n, r"^\[step\] step: FAIL %s \(" % re.escape(n)) for n in xfail] +
            [Check("no other check fails",
                   r"^\[step\] step: FAIL (?!%s)" % "|".join(re.escape(n) for n in xfail),
                   present=False),
             Check("the guest counts exactly the %d expected failure(s)" % len(xfail),
                   r"^\[step\] step: %d failures?$" % len(xfail)),
             Check("VM step is never stopped by yakvm", r"^yakvm: error: vm step/",
                   present=False)])


QEMU_DEFAULT = checks_with_xfail(NAMES, XFAIL, XFAIL_WHY)

# Bochs 2.7 keeps the guest's pending single-step trap of an instruction
# that exits (docs/status.md, emulator quirks): for an RDMSR that yakvm
# answers with #GP it raises that trap later, and with #DB always
# intercepted (issue 17: CVE-2015-8104) it comes as a #DB exit, which
# yakvm gives back to the guest. Natively it reached the host's #DB entry,
# which drops it. Expected to fail under Bochs only; CPUs raise no trap
# for a faulting instruction (QEMU passes it).
BOCHS_XFAIL = ["ring 0: RDMSR that gets #GP raises no trap"]
BOCHS_CHECKS = checks_with_xfail(
    NAMES + ["ring 0: XSETBV traps after it"], BOCHS_XFAIL,
    "expected failure under Bochs 2.7 (its stale pending single-step trap, "
    "reflected as the guest's #DB): ")

SCENARIOS = [
    scenario("qemu-singlestep", NAMES, guest=QEMU_DEFAULT),
    # tcg_virq=1: V_IRQ windows under TCG too, with the race's recovery
    # (core/run/intr.c): the window is exact.
    scenario("qemu-singlestep-tcg-virq", NAMES,
             [Check("yakvm took tcg_virq=1 without complaint",
                    r"^yakvm: .*(unknown option|must be 0 or 1)", present=False)],
             yakvm=YAKVM + " tcg_virq=1"),
    # Bochs, like the CPUs, does not hold back the trap after an STI (QEMU's
    # TCG does): the CPUID in its shadow is then the second step.
    scenario("bochs-singlestep", NAMES + ["ring 0: XSETBV traps after it"],
             [Check("%s: the CPU's own trap after the STI came too" % r,
                    r"^\[step\] step: %s: a trap after the STI itself: yes$" % r)
              for r in ("ring 0", "ring 3")],
             guest=BOCHS_CHECKS, emulator="bochs", timeout=600),
]

# Debian's kernel on 2 vCPUs with tcg_virq=1: V_IRQ windows under TCG do not
# break a real guest (a short run; it is no soak of the race).
import dataclasses  # noqa: E402
from scenarios_linux import SCENARIOS as _LINUX  # noqa: E402
_l2 = [s for s in _LINUX if s.name == "linux-2vcpus"][0]
SCENARIOS.append(dataclasses.replace(
    _l2, name="linux-2vcpus-tcg-virq",
    grub=[g + " tcg_virq=1" if g.startswith("multiboot2 ") else g for g in _l2.grub]))
