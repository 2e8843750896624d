"""
tests/e2e/scenarios_linux.py - Debian's cloud kernel (linux-image-cloud-amd64)
with a busybox initramfs (tests/linux/init) as a yakvm guest.

The 1-vCPU cell runs under -icount shift=0: QEMU's clock then follows the
instruction count, so an exit costs the guest a fraction of a microsecond, as
on hardware, and Linux's PIT calibration of the TSC works. Under plain TCG an
exit costs ~25 us of guest time, Linux's calibration loops reject that and it
marks the TSC unstable (docs/linux.md); the SMP cells run that way and report
what the kernel says.
"""
import datetime
import glob
import hashlib
import os
import re

from harness import Scenario, Check

CTRL_A = b"\x01"

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
# no_timer_check: Linux's boot check that IRQ 0 works through the IOAPIC
# (timer_irq_works()) counts timer interrupts within ~47 ms of TSC time, a
# measure of speed. Linux skips it itself on KVM, Hyper-V and VMware; under
# QEMU's TCG with two VMs on one CPU it fails at times (docs/linux.md).
CMDLINE = "console=ttyS0 quiet loglevel=3 panic=-1 no_timer_check"
# Unpacked by scripts/fetch-kernel.sh (make env), never installed into /boot.
KERNELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "kernels")
KERNEL = os.path.realpath(os.path.join(KERNELS, "cloud-amd64", "vmlinuz"))
RELEASE = os.path.basename(KERNEL)[len("vmlinuz-"):]
STD_KERNEL = os.path.realpath(os.path.join(KERNELS, "amd64", "vmlinuz"))
STD_RELEASE = os.path.basename(STD_KERNEL)[len("vmlinuz-"):]
# QEMU's CPU for yakvm, with RDRAND (virtio-rng draws from it).
RDRAND_CPU = "qemu64,+svm,+npt,+vgif,+rdrand"


def console_text(vm, text):
    """A pattern for text a VM printed, wherever yakvm's console broke it
    into lines ("[vm] " starts each)."""
    brk = r"(?:\r?\n\[%s\] )?" % re.escape(vm)
    return brk.join(re.escape(c) for c in text)


class MemtestScreen(Check):
    """A check of what memtest86+ drew: its console lines joined again, each
    ANSI escape sequence (ESC shown as '.') made a line break."""
    def evaluate(self, log):
        text = "".join(line[len("[memtest] "):].rstrip("\r")
                       for line in log.split("\n") if line.startswith("[memtest] "))
        screen = re.sub(r"\.\[[0-9;?]*[A-Za-z]", "\n", text)
        screen = "\n".join(l.strip() for l in screen.split("\n") if l.strip())
        return Check.evaluate(self, screen)


def linux_vm(name, vcpus, mem="256M", extra="", cpus=None, kernel="vmlinuz", opts=""):
    return ["module2 /guests/%s name=%s mem=%s vcpus=%d%s%s -- %s %s" %
            (kernel, name, mem, vcpus, " cpus=" + cpus if cpus else "",
             " " + opts if opts else "", CMDLINE, extra),
            "module2 /guests/initrd.cpio attach=%s" % name]


def date_agrees(m):
    guest = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
    host = datetime.datetime.utcnow()
    diff = abs((host - guest).total_seconds())
    return diff < 180, "guest date %s, host %s UTC (%.0f s apart)" % (
        guest, host.replace(microsecond=0), diff)


def linux_checks(vm, vcpus, tsc_stable=False, release=RELEASE):
    p = r"^\[%s\] yakvm-linux: " % vm
    checks = [
        Check("%s: the kernel reaches userspace (the marker)" % vm, p + r"MARKER userspace reached"),
        Check("%s: uname -r is the Debian kernel's" % vm, p + r"uname " + re.escape(release) + "$"),
        Check("%s: /proc/cpuinfo counts %d CPUs (vcpus=%d)" % (vm, vcpus, vcpus),
              p + r"cpus %d$" % vcpus),
        Check("%s: its RTC date agrees with the host" % vm,
              p + r"date (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)$", verify=date_agrees),
        Check("%s: a CPU-bound job ran on every CPU" % vm, p + r"job on cpu \d+ done$", count=vcpus),
        Check("%s: no APIC errors in dmesg" % vm, p + r"dmesg apic errors 0$"),
        Check("%s: no Oops or BUG in dmesg" % vm, p + r"dmesg oops 0$"),
        Check("%s: it powers off through ACPI (S5)" % vm,
              r"^yakvm: vm %s ended with status 0 \(the guest powered off \(ACPI S5\)\)" % vm),
    ]
    if tsc_stable:
        checks += [Check("%s: the TSC is calibrated, not marked unstable" % vm,
                         p + r"dmesg tsc unstable 0$"),
                   Check("%s: Linux calibrated the TSC against the PIT" % vm,
                         p + r"dmesg: .*tsc: (Fast TSC calibration using PIT|Detected [\d.]+ MHz processor)")]
    else:
        checks += [Check("%s: the kernel says what it thinks of the TSC" % vm,
                         p + r"dmesg tsc unstable \d+$")]
    return checks


def std_checks(vm, vcpus):
    """Debian's standard kernel (MCE, AMD PMU, ... built in): the CPU model
    must answer every MSR its CPUID promises (issue 14)."""
    p = r"^\[%s\] yakvm-linux: " % vm
    return linux_checks(vm, vcpus, release=STD_RELEASE) + [
        Check("%s: no unchecked MSR access in dmesg" % vm, p + r"dmesg unchecked msr 0$"),
        Check("%s: no Firmware Bug in dmesg" % vm, p + r"dmesg firmware bug 0$"),
        Check("%s: no WARNING: CPU in dmesg" % vm, p + r"dmesg warning 0$"),
        Check("%s: the kernel runs the model's 4 machine-check banks" % vm,
              p + r"mce banks 4$"),
    ]


def pv_eoi_checks(vm):
    """KVM's leaves at 0x40000100 and its PV EOI (devices/vlapic.h): the
    kernel finds them, and its EOIs go through the flag (a boot takes
    hundreds of interrupts)."""
    return [
        Check("%s: the kernel finds KVM's leaves beside yakvm's" % vm,
              r"^\[%s\] yakvm-linux: dmesg hypervisor KVM$" % vm),
        Check("%s: its EOIs go through KVM's PV EOI flag, without an exit" % vm,
              r"^yakvm: vm %s stats: \d{3,} EOIs through KVM's PV EOI flag, without an exit$" % vm),
        Check("%s: the EOI register writes left are counted, the timer's apart" % vm,
              r"^yakvm: vm %s stats: EOI register writes: \d+ for the LAPIC timer, \d+ for "
              r"other interrupts$" % vm),
    ]


def no_kvm_pv_checks(vm, why="kvm_pv=off"):
    """No KVM leaves, so no PV EOI: kvm_pv=off, or the default under TCG."""
    return [
        Check("%s: %s: the kernel finds no hypervisor it knows" % (vm, why),
              r"^\[%s\] yakvm-linux: dmesg hypervisor\s*$" % vm),
        Check("%s: %s: no EOI through the flag" % (vm, why),
              r"^yakvm: vm %s stats: \d+ EOIs through" % vm, present=False),
        Check("%s: %s: its stats are printed" % (vm, why),
              r"^yakvm: vm %s stats: \d+ exits on" % vm),
    ]


def pci_root_checks(vm):
    """The PCI root bridge \\_SB.PCI0 of the DSDT (guest/acpi/dsdt.asl,
    devices/pci_layout.h) as the kernel reads it."""
    p = r"^\[%s\] yakvm-linux: " % vm
    res = p + r"dmesg pci: \[ *[\d.]+\] pci_bus 0000:00: root bus resource "
    win = lambda what: Check("%s: the kernel takes the _CRS window %s" % (vm, what),
                             res + re.escape("[%s window]" % what) + "$")
    return [
        Check("%s: the kernel finds the root bridge PCI0 for bus 0 in the DSDT" % vm,
              p + r"dmesg pci: \[ *[\d.]+\] ACPI: PCI Root Bridge \[PCI0\] "
              r"\(domain 0000 \[bus 00\]\)$"),
        Check("%s: root bus resource: bus 00 only" % vm, res + re.escape("[bus 00]") + "$"),
        win("io  0x0000-0x0cf7"), win("io  0x0d00-0xffff"), win("mem 0xc0000000-0xfebfffff"),
        Check("%s: no other root bus resource" % vm,
              res + r"\[(?!bus 00\]$|io  0x0000-0x0cf7 window\]$|io  0x0d00-0xffff window\]$|"
              r"mem 0xc0000000-0xfebfffff window\]$)", present=False),
        Check("%s: no ACPI Error, ACPI BIOS Error or AE_ status in dmesg" % vm,
              p + r"dmesg acpi errors 0$"),
    ]


def pci_checks(vm):
    """pci_root_checks, and the test device (testdev=1) at 00:01.0."""
    p = r"^\[%s\] yakvm-linux: " % vm
    return pci_root_checks(vm) + [
        Check("%s: the test device is in sysfs at 0000:00:01.0, its BAR 0 at 0xfeb00000 "
              "(inside the memory window, not moved)" % vm,
              p + r"pci 00:01.0 0x7961:0x6b76 bar0 0x00000000feb00000 0x00000000feb00fff "
                  r"0x[0-9a-f]+$"),
        Check("%s: enabled, its INTA# gets the _PRT's GSI 17 (16 + (slot 1 + INTA 0) %% 4)" % vm,
              p + r"pci 00:01.0 enabled 1 irq 17$"),
    ]


class HwrngReads(Check):
    """Both reads of /dev/hwrng (tests/linux/init): present, not all zero,
    different."""
    def evaluate(self, log):
        reads = dict(re.findall(self.pattern, log, re.M))
        if set(reads) != {"1", "2"}:
            return False, "reads seen: %r" % reads
        ok = "0" * 64 not in reads.values() and reads["1"] != reads["2"]
        return ok, "read 1 %s, read 2 %s" % (reads["1"], reads["2"])


def virtio_rng_checks(vm, msix=True):
    """virtio-rng (rng=on) at 00:02.0 through the virtio PCI transport
    (devices/virtio/): Debian's virtio_pci binds it, with MSI-X (msix) or
    with INTx through the IO-APIC (pci=nomsi), and /dev/hwrng reads the
    host's RDRAND."""
    p = r"^\[%s\] yakvm-linux: " % vm
    irq = (r"msi_irqs [1-9]\d* irq \d+" if msix else r"msi_irqs 0 irq 18")
    checks = [
        Check("%s: virtio_pci binds 1af4:1044 rev 1 at 0000:00:02.0, BAR 0 where yakvm put it" % vm,
              p + r"virtio 0000:00:02.0 0x1af4:0x1044 rev 0x01 driver virtio-pci " + irq +
              r" bar0 0x00000000c0200000$"),
        Check("%s: every module loads" % vm, p + r"insmod \S+ failed", present=False),
        Check("%s: the kernel's hwrng is virtio_rng" % vm,
              p + r"hwrng current virtio_rng\.0 of .*virtio_rng\.0"),
        Check("%s: no device needs reset" % vm, p + r"dmesg virtio: .*needs reset", present=False),
    ]
    checks.append(HwrngReads("%s: /dev/hwrng gives 32 bytes twice, not all zero, "
                             "the two reads differ" % vm, p + r"hwrng read (\d) ([0-9a-f]{64})$"))
    if msix:
        checks += [
            Check("%s: /proc/interrupts has the configuration vector's MSI-X line" % vm,
                  p + r"interrupts after: +\d+: \d+ PCI-MSI \d+-edge virtio0-config$"),
            Check("%s: the request queue's MSI-X line counts interrupts" % vm,
                  p + r"interrupts after: +\d+: 0*[1-9]\d* PCI-MSI \d+-edge virtio0-input$")]
    else:
        checks.append(Check("%s: /proc/interrupts shows virtio on IO-APIC line 18 (16 + (2 + 0) %% 4), "
                            "counting" % vm,
                            p + r"interrupts after: +18: (?:0*[1-9]\d* )+.*IO-APIC.*virtio0"))
    return checks


def virtio_blk_checks(vm):
    """virtio-blk (disk=, issue 18) with the cloud kernel and tests/linux/init's
    yakvm.disk: vda a read-write copy of the ext4 image (Makefile:
    disk-ext4.img), vdb a read-only one. A file written and synced before
    the VM's reboot is on vda after it; a write to vdb fails and changes
    nothing."""
    p = r"^\[%s\] yakvm-linux: " % vm
    zeros_1k = hashlib.md5(bytes(1024)).hexdigest()
    return [
        Check("yakvm made both disks from the image",
              r"vm %s: disk vda: image data, 16384 sectors, \d+ KiB of host memory" % vm),
        Check("the read-only one, zero-extended by size=16M",
              r"vm %s: disk vdb: image data, 32768 sectors, read-only" % vm),
        Check("%s: every module loads" % vm, p + r"insmod \S+ failed", present=False),
        Check("%s: vda: 16384 sectors (8 MiB), writable, serial from the image's name" % vm,
              p + r"disk vda 16384 sectors ro 0 serial data$"),
        Check("%s: vdb: 32768 sectors (size=16M), read-only (VIRTIO_BLK_F_RO), serial= (GET_ID)" % vm,
              p + r"disk vdb 32768 sectors ro 1 serial ro-copy$"),
        Check("%s: ext4 on vda mounts and has the image's file" % vm,
              p + r"disk vda mounted: hello from a yakvm module disk$"),
        Check("%s: the first boot writes a file and syncs" % vm,
              p + r"disk vda wrote the file: written by boot 1 at [\d.]+$"),
        Check("%s: the guest reboots" % vm, p + r"rebooting \(RTC year 2099\)$"),
        Check("%s: the second boot knows it rebooted" % vm, p + r"back after the reboot$"),
        Check("%s: after the reboot the file is on vda" % vm,
              p + r"disk vda has the file: written by boot 1 at [\d.]+$"),
        Check("%s: unmounted cleanly" % vm, p + r"disk vda unmounted$"),
        Check("%s: e2fsck -fn finds vda clean after the reboot (exit code 0)" % vm,
              p + r"e2fsck vda rc 0$", after=p + r"disk vda has the file"),
        Check("%s: ... having checked it: its summary line" % vm,
              p + r"e2fsck: yakvm-disk: \d+/\d+ files \([\d.]+% non-contiguous\), \d+/\d+ blocks$",
              after=p + r"disk vda has the file"),
        Check("%s: e2fsck found nothing to fix, in either boot" % vm,
              p + r"e2fsck: .*(Fix\? no|UNEXPECTED INCONSISTENCY|FILE SYSTEM WAS MODIFIED)",
              present=False),
        # Linux refuses it itself (the disk's read-only flag from
        # VIRTIO_BLK_F_RO outlives --setrw): the device's own refusal of a
        # write to a read-only disk is test_virtio_blk's test_read_only.
        Check("%s: a write to read-only vdb fails (blockdev --setrw, O_DIRECT)" % vm,
              p + r"disk vdb write rc [1-9]\d* .*(Operation not permitted|I/O error)"),
        Check("%s: ... and vdb's first 1024 bytes are still ext4's zeros" % vm,
              p + r"disk vdb first 1024 bytes md5 %s$" % zeros_1k),
        Check("%s: no device needs reset" % vm, p + r"dmesg virtio: .*needs reset", present=False),
        Check("%s: no oops" % vm, p + r"dmesg oops 0$"),
    ]


# nowatchdog: a loaded host's stall reports must not count as warnings.
STD_EXTRA = "nowatchdog"

SCENARIOS = []
if KERNEL:
    SCENARIOS += [
        Scenario(name="linux-1vcpu", mem="1G", timeout=300,
                 extra_args=["-icount", "shift=0,sleep=off"],
                 grub=[YAKVM] + linux_vm("linux", 1),
                 checks=linux_checks("linux", 1, tsc_stable=True)),
        # With the test device: the DSDT's PCI root bridge (pci_checks).
        Scenario(name="linux-2vcpus", mem="1G", smp=2, timeout=300,
                 grub=[YAKVM] + linux_vm("linux", 2, opts="testdev=1"),
                 checks=linux_checks("linux", 2) + pci_checks("linux")),
        Scenario(name="linux-4vcpus", mem="1G", smp=4, timeout=300,
                 grub=[YAKVM] + linux_vm("linux", 4),
                 checks=linux_checks("linux", 4)),
        # Two Linux VMs and a small demo VM at the same time (not pinned:
        # under QEMU's TCG a Linux VM on CPU 0 beside another CPU's FXRSTORs
        # risks TCG's hflags2 race, docs/status.md; they share CPU 1).
        Scenario(name="linux-two-vms", mem="1G", smp=2, timeout=300,
                 grub=[YAKVM] + linux_vm("lina", 1) + linux_vm("linb", 1) +
                 ["module2 /guests/hello.elf name=hello mem=16M -- beside Linux"],
                 checks=linux_checks("lina", 1) + linux_checks("linb", 1) + [
                     Check("the demo VM runs beside them", r"^\[hello\] goodbye$"),
                     Check("the two kernels' consoles stay apart (no line of one VM "
                           "carries the other's marker)",
                           r"^\[lina\].*\[linb\]|^\[linb\].*\[lina\]", present=False)]),
        # reboot inside the guest restarts the VM, which boots again.
        Scenario(name="linux-reboot", mem="1G", timeout=300,
                 grub=[YAKVM] + linux_vm("linux", 1, extra="yakvm.reboot"),
                 checks=[
                     Check("the guest reboots", r"^\[linux\] yakvm-linux: rebooting \(RTC year 2099\)$"),
                     Check("yakvm resets the VM", r"^yakvm: vm linux: reset \(1 so far\)"),
                     Check("it boots again to the marker", r"^\[linux\] yakvm-linux: MARKER",
                           after=r"vm linux: reset"),
                     Check("the second boot knows it rebooted",
                           r"^\[linux\] yakvm-linux: back after the reboot$"),
                     Check("then it powers off", r"^yakvm: vm linux ended with status 0 "
                           r"\(the guest powered off")]),
        # The same with 2 vCPUs on 2 CPUs: the reset must wait for the
        # other vCPU to leave its CPU before rebuilding it.
        Scenario(name="linux-reboot-2vcpus", mem="1G", smp=2, timeout=300,
                 grub=[YAKVM] + linux_vm("linux", 2, extra="yakvm.reboot"),
                 checks=[
                     Check("the guest reboots", r"^\[linux\] yakvm-linux: rebooting \(RTC year 2099\)$"),
                     Check("yakvm resets the VM", r"^yakvm: vm linux: reset \(1 so far\)"),
                     Check("both CPUs come back", r"^\[linux\] yakvm-linux: cpus 2$",
                           after=r"vm linux: reset"),
                     Check("the second boot knows it rebooted",
                           r"^\[linux\] yakvm-linux: back after the reboot$"),
                     Check("then it powers off", r"^yakvm: vm linux ended with status 0 "
                           r"\(the guest powered off"),
                     Check("no panic", r"PANIC|EXCEPTION", present=False)]),
        # The interactive shell of `make run GUEST=linux`, typed into.
        Scenario(name="linux-shell", mem="1G", timeout=300,
                 grub=[YAKVM] + linux_vm("linux", 1, extra="yakvm.shell"),
                 input=[(r"yakvm-linux: shell", b"echo shell-says-$((6*7))\r"),
                        (r"shell-says-42", b"poweroff -f\r")],
                 checks=[
                     Check("a shell prompt is offered", r"^\[linux\] yakvm-linux: shell"),
                     Check("a command typed on the console runs in the guest",
                           r"^\[linux\] shell-says-42\s*$"),
                     Check("poweroff -f from the shell ends the VM",
                           r"^yakvm: vm linux ended with status 0")]),
        # Bad input: each bad VM gets a clear message, the good one boots.
        # No initrd, as QEMU's -kernel without -initrd: the kernel boots
        # until it looks for its root file system, and says so itself.
        # panic=0 keeps the panicked kernel spinning (panic=-1 would reboot
        # it for ever); the monitor then destroys the VM, which ends the run
        # (Ctrl-A three times: to the VM, three more: to the monitor).
        Scenario(name="linux-no-initrd", mem="1G", timeout=300,
                 grub=[YAKVM, "module2 /guests/vmlinuz name=noinitrd mem=256M -- "
                       "console=ttyS0 panic=0 no_timer_check"],
                 input=[(r"Kernel panic - not syncing: VFS: Unable to mount root fs",
                         CTRL_A * 6),
                        (r"console input goes to yakvm's monitor", b"destroy noinitrd\r")],
                 checks=[
                     Check("a Linux VM without an initrd is loaded, not refused",
                           r"^yakvm: vm noinitrd: Linux kernel at 0x[0-9a-f]+ \(64-bit entry\)$"),
                     Check("no initrd refusal", r"needs an initrd", present=False),
                     Check("the kernel is Debian's, booting",
                           r"^\[noinitrd\] \[ *[\d.]+\] Linux version " + re.escape(RELEASE) + " "),
                     Check("it finds no initramfs and looks for a root device",
                           r"^\[noinitrd\] \[ *[\d.]+\] VFS: Cannot open root device"),
                     Check("its own VFS panic line: no root file system",
                           r"^\[noinitrd\] \[ *[\d.]+\] Kernel panic - not syncing: VFS: "
                           r"Unable to mount root fs on unknown-block\(0,0\)"),
                     Check("the monitor destroys the VM", r"^  vm noinitrd: destroyed"),
                     Check("the run ends", r"^yakvm: all VMs have ended"),
                     Check("no panic of yakvm", r"PANIC|EXCEPTION", present=False)]),
        # memtest86+ from Debian (x64.bin, a Linux-protocol image: its last
        # syssize paragraph is partial, it has no initrd) in a small VM, on
        # the serial console (console=ttyS0,115200). It draws a screen with
        # ANSI escapes; the checks read that screen back (MemtestScreen).
        # Its tests run in a fixed order: once #10 (bit fade, which sleeps
        # for minutes) starts, #0-#9 have run over all its memory, and the
        # monitor destroys the VM (memtest runs for ever). The screen is
        # redrawn every 2 s or so, so a short test may come and go unseen:
        # only the first and the last are checked by name. memtest writes
        # its screen to the VGA text buffer at 0xb8000 too, where a VM has
        # nothing: the writes are dropped, and a second copy with
        # unmapped=stop is stopped there.
        Scenario(name="memtest86", mem="512M", timeout=400,
                 grub=[YAKVM.replace("loglevel=info", "loglevel=debug"),
                       "module2 /guests/memtest86+x64.bin name=memtest mem=16M -- "
                       "console=ttyS0,115200",
                       "module2 /guests/memtest86+x64.bin name=mtstop mem=16M unmapped=stop -- "
                       "console=ttyS0,115200"],
                 input=[(console_text("memtest", "#10 [Bit fade test"), CTRL_A * 6),
                        (r"console input goes to yakvm's monitor", b"destroy memtest\r")],
                 checks=[
                     Check("memtest86+ is loaded as a Linux kernel (no initrd, last "
                           "paragraph partial)",
                           r"^yakvm: vm memtest: Linux kernel at 0x100000 \(64-bit entry\)$"),
                     MemtestScreen("its screen shows its banner", r"Memtest86\+ v\d+\.\d+"),
                     MemtestScreen("it finds the VM's 16 MiB (the e820 map)",
                                   r"^Memory  :   16MB"),
                     MemtestScreen("it runs on the VM's one CPU",
                                   r"^CPU: 1 Cores 1 Threads"),
                     MemtestScreen("test #0 runs: the address test, walking ones",
                                   r"^#0  \[Address test, walking ones, no cache\]"),
                     # No check of its "Testing: 4MB - 16MB" line: memtest86+
                     # redraws the screen over serial on a timer, and under a
                     # loaded host a whole window went by between two redraws
                     # (a fresh-clone .ci/run with two CPU hogs). The e820
                     # check above and the pass with no errors below cover
                     # the 16 MiB instead.
                     MemtestScreen("tests #0-#9 are done: #10, the bit fade test, starts",
                                   r"^#0  \[Address test(?:.*\n)*#10 \[Bit fade test, 2 patterns\]"),
                     MemtestScreen("the pass is under way (its percentage grows)",
                                   r"^(?:Pass   )?[1-9]\d?% #+"),
                     MemtestScreen("it counts no errors", r"\| Pass:  0        Errors: 0$"),
                     MemtestScreen("... never any", r"Errors: [1-9]", present=False),
                     Check("its writes to the VGA text buffer, where nothing is, are "
                           "dropped (logged once at loglevel=debug)",
                           r"^yakvm: vm memtest: write of guest-physical 0xb8000, where "
                           r"nothing is: dropped", count=1),
                     Check("... once: not for each of its ~70000 writes there",
                           r"^yakvm: vm memtest: \w+ of guest-physical 0xb8[0-9a-f]{3},",
                           present=False,
                           after=r"^yakvm: vm memtest: write of guest-physical 0xb8000"),
                     Check("... with unmapped=stop, the copy is stopped at its first",
                           r"^yakvm: error: vm mtstop/0 stopped at rip=0x[0-9a-f]+: write to "
                           r"guest-physical 0xb8000, which is outside the VM's memory"),
                     Check("the monitor destroys the VM", r"^  vm memtest: destroyed"),
                     Check("the run ends", r"^yakvm: all VMs have ended"),
                     Check("no panic of yakvm", r"PANIC|EXCEPTION", present=False)]),
        # The gdb stub on a 64-bit guest: gdb, with no symbols, learns the
        # architecture from the stub (i386:x86-64) and reads the kernel's
        # registers and its memory through its 4-level page tables.
        Scenario(name="linux-gdb", mem="1G", timeout=300,
                 grub=[YAKVM, linux_vm("lin64", 1, extra="yakvm.shell")[0].replace(
                     " -- ", " gdb=com2,nowait -- "),
                  "module2 /guests/initrd.cpio attach=lin64"],
                 guest_gdb_elf=None,
                 guest_gdb_ready=r"^\[lin64\] yakvm-linux: shell",
                 guest_gdb=["show architecture", "info registers rip cs eflags",
                            "x/2i $pc", "kill"],
                 checks=[
                     Check("gdb is told the guest is 64-bit",
                           r"^guest-gdb: The target architecture is set to \"auto\" "
                           r"\(currently \"i386:x86-64\"\)"),
                     Check("gdb reads a 64-bit kernel RIP",
                           r"^guest-gdb: rip\s+0xffffffff[0-9a-f]{8}\s"),
                     Check("...the kernel's code segment", r"^guest-gdb: cs\s+0x10\s+16"),
                     Check("gdb reads kernel code through the guest's 4-level page tables",
                           r"^guest-gdb: => 0xffffffff[0-9a-f]{8}.*:\s+\S+"),
                     Check("no memory read is refused", r"Cannot access memory", present=False),
                     Check("gdb kills the VM", r"^yakvm: error: vm lin64 stopped: killed by gdb"),
                 ]),
        # Debian's standard kernel (linux-image-amd64): MCE, the AMD PMU and
        # the AMD MSR quirks built in, unlike the cloud flavour.
        # The standard kernel reads the DSDT's PCI root bridge too.
        # And virtio-rng over the virtio PCI transport, with MSI-X
        # (QEMU's CPU with RDRAND, for the host's).
        Scenario(name="linux-std-1vcpu", mem="1G", timeout=300, cpu=RDRAND_CPU,
                 grub=[YAKVM] + linux_vm("std", 1, extra=STD_EXTRA, kernel="vmlinuz-std",
                                         opts="rng=on kvm_pv=on"),
                 checks=std_checks("std", 1) + pci_root_checks("std") + virtio_rng_checks("std") +
                 pv_eoi_checks("std")),
        # virtio-blk: two module disks from one ext4 image (disk=), a
        # write that survives the VM's reboot, a read-only disk.
        Scenario(name="linux-virtio-blk", mem="1G", timeout=400,
                 grub=[YAKVM] + linux_vm("linux", 1, extra="yakvm.disk yakvm.reboot",
                                         opts="disk=module:data "
                                              "disk=module:data,ro,size=16M,serial=ro-copy") +
                 ["module2 /guests/disk-ext4.img image=data"],
                 checks=virtio_blk_checks("linux")),
        # Root on /dev/vda: the initramfs loads virtio_blk, mounts the
        # disk and switch_roots to its /sbin/init.
        Scenario(name="linux-virtio-root", mem="1G", timeout=300,
                 grub=[YAKVM] + linux_vm("linux", 1, extra="yakvm.root",
                                         opts="disk=module:root disk=module:nosuch") +
                 ["module2 /guests/root-ext4.img image=root"],
                 checks=[
                     Check("a disk= naming no image: one error line, the VM boots without it",
                           r"^yakvm: error: vm linux: disk=module:nosuch: no module line with "
                           r"image=nosuch; no disk vdb$"),
                     Check("the initramfs switches root",
                           r"^\[linux\] yakvm-linux: switch_root to /dev/vda$"),
                     Check("/ is /dev/vda, ext4, and the disk's /sbin/init runs as PID 1",
                           r"^\[linux\] yakvm-linux: root is /dev/vda / ext4$"),
                     Check("... it is the disk's: its /etc file",
                           r"^\[linux\] yakvm-linux: root init 1 the yakvm root disk$"),
                     Check("/ is writable", r"^\[linux\] yakvm-linux: root written: written on the root disk$"),
                     Check("no device needs reset", r"needs reset", present=False),
                 ]),
        # The INTx fallback: the kernel uses no MSI (pci=nomsi), the
        # transport's ISR and INTA# through the IO-APIC.
        Scenario(name="linux-virtio-nomsi", mem="1G", timeout=300, cpu=RDRAND_CPU,
                 grub=[YAKVM] + linux_vm("std", 1, extra=STD_EXTRA + " pci=nomsi",
                                         kernel="vmlinuz-std", opts="rng=on"),
                 checks=linux_checks("std", 1, release=STD_RELEASE) +
                 virtio_rng_checks("std", msix=False)),
        Scenario(name="linux-std-2vcpus", mem="1G", smp=2, timeout=300,
                 grub=[YAKVM] + linux_vm("std", 2, extra=STD_EXTRA, kernel="vmlinuz-std",
                                         opts="kvm_pv=on"),
                 checks=std_checks("std", 2) + pv_eoi_checks("std")),
        Scenario(name="linux-std-4vcpus", mem="1G", smp=4, timeout=300,
                 grub=[YAKVM] + linux_vm("std", 4, extra=STD_EXTRA, kernel="vmlinuz-std"),
                 checks=std_checks("std", 4) + no_kvm_pv_checks("std", "TCG's default") + [
                     Check("the boot says why PV EOI is off under TCG",
                           r"^yakvm: QEMU TCG: KVM's PV EOI only for VMs with kvm_pv=on: TCG may "
                           r"deliver an injected interrupt twice when no exit follows it$")]),
        # Both flavours at once, one vCPU each, sharing CPU 1 (as linux-two-vms);
        # the cloud kernel without KVM's leaves (kvm_pv=off).
        Scenario(name="linux-std-and-cloud", mem="1G", smp=2, timeout=300,
                 grub=[YAKVM] + linux_vm("std", 1, extra=STD_EXTRA, kernel="vmlinuz-std") +
                 linux_vm("cloud", 1, opts="kvm_pv=off"),
                 checks=std_checks("std", 1) + linux_checks("cloud", 1) +
                 no_kvm_pv_checks("cloud") + [
                     Check("the two kernels' consoles stay apart",
                           r"^\[std\].*\[cloud\]|^\[cloud\].*\[std\]", present=False)]),
        Scenario(name="linux-bad-input", mem="1G", timeout=120,
                 grub=[YAKVM,
                       "module2 /guests/vmlinuz-truncated name=trunc mem=256M kind=linux -- console=ttyS0",
                       "module2 /guests/initrd.cpio attach=trunc",
                       "module2 /guests/vmlinuz name=small mem=32M -- console=ttyS0",
                       "module2 /guests/initrd.cpio attach=small",
                       "module2 /guests/hello.elf name=good mem=16M"],
                 checks=[
                     Check("a truncated bzImage is refused with a clear message",
                           r"^yakvm: error: vm trunc: cannot load its Linux kernel: .*truncated"),
                     Check("the truncated one names the field and its value",
                           r"^yakvm: error: vm trunc: cannot load its Linux kernel: bzImage "
                           r"truncated: 1048576 bytes, .* syssize \d+ paragraphs"),
                     Check("a VM too small for the kernel is refused, naming the sizes",
                           r"^yakvm: error: vm small: cannot load its Linux kernel: VM memory too small"),
                     Check("the good VM still boots and ends", r"^yakvm: vm good ended with status 0"),
                     Check("no panic", r"PANIC|EXCEPTION", present=False)]),
    ]
