"""
tests/e2e/scenarios_fb.py - the framebuffer console (arch/x86/fbcon.c).
yakvm's Multiboot2 header asks for a framebuffer (spec 3.1.10); under OVMF
GRUB then keeps the GOP framebuffer and passes it on (3.6.12) instead of
warning that no console will be available, and yakvm draws its console on
it. A screenshot taken through QEMU's monitor is read back cell by cell
with yakvm's own font (screen.py), and the checks look for the console's
lines on the screen as well as in the serial log.
Imported by scenarios.py.
"""
from harness import Scenario, Check
from scenarios import YAKVM, DEMO_VMS, boot_checks, demo_checks

# on_idle=halt: when the demo's VMs have ended yakvm halts, and the screen
# stays as it is until the harness has read it back and quits QEMU through
# its monitor.


class ScreenIsConsoleTail(Check):
    """The screen's text rows are the serial console's lines from the
    framebuffer line on, wrapped at 128 columns, in order: all of them, or
    (once more than the 47 rows in use were printed) the last ones, ending with "all VMs have ended"."""
    def __init__(self, desc):
        Check.__init__(self, desc, "")

    def evaluate(self, log):
        lines = [l.rstrip("\r") for l in log.split("\n")]
        screen = [l[len("screen: "):].rstrip() for l in lines if l.startswith("screen: ")]
        screen = [l for l in screen if l]
        first = next((i for i, l in enumerate(lines)
                      if l.startswith("yakvm: framebuffer console: ")), None)
        last = next((i for i, l in enumerate(lines)
                     if l.startswith("yakvm: all VMs have ended")), None)
        if first is None or last is None or not screen:
            return False, "no framebuffer line, end line or screen text"
        # A line longer than the 128 columns takes more rows.
        console = [l[i:i + 128].rstrip() for l in lines[first:last + 1]
                   for i in range(0, max(len(l), 1), 128)]
        console = [l for l in console if l]
        if len(console) <= 47 and screen[0] != console[0]:
            return False, "the screen starts with %r, not yakvm's first line" % screen[0]
        if screen != console[-len(screen):]:
            return False, "the screen's %d rows are not the console's last %d lines" % (
                len(screen), len(screen))
        return True, ""
SCENARIOS = [
    Scenario(
        name="qemu-uefi-fbcon",
        firmware="uefi",
        timeout=180,
        # GRUB's EFI image has no video driver until one is loaded.
        grub=["insmod all_video", YAKVM.replace("on_idle=exit", "on_idle=halt")] + DEMO_VMS,
        qemu_monitor=[(r"^yakvm: all VMs have ended", "screendump {workdir}/screen.ppm",
                       r"^yakvm: all VMs have ended"),
                      (r"", "quit")],
        screen=True,
        checks=boot_checks() + demo_checks() + [
            Check("GRUB does not warn that the OS gets no console",
                  r"no console will be available to OS", present=False),
            Check("GRUB finds a video mode for the framebuffer request",
                  r"no suitable video mode found", present=False),
            Check("yakvm takes the GOP framebuffer as a 32 bpp text console",
                  r"^yakvm: framebuffer console: \d+x\d+x32 at 0x[0-9a-f]+, "
                  r"\d+x\d+ characters$"),
            Check("...the size asked for in the Multiboot2 header",
                  r"^yakvm: framebuffer console: 1024x768x32 at 0x[0-9a-f]+, "
                  r"128x48 characters$"),
            Check("...before any VM starts",
                  r"^yakvm: framebuffer console: ", before=r"^yakvm: \d+ of \d+ VMs started"),
            ScreenIsConsoleTail("the screen holds the console's lines from yakvm's first "
                                "once it has the screen (or, scrolled, its last ones), in order"),
            Check("the screen shows the VMs starting",
                  r"^screen: yakvm: 2 of 2 VMs started$"),
            Check("the screen shows the guests' lines",
                  r"^screen: \[alpha\] Hello from a yakvm guest! \(Multiboot1 magic 0x2badb002\)$"),
            Check("the screen is up to date: its last line is the serial log's last",
                  r"^screen: yakvm: all VMs have ended.*\nscreen: \n"),
            Check("no cell on the screen is garbled", r"^screen: .*\x7f", present=False),
        ]),
]
