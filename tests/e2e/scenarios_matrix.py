"""
tests/e2e/scenarios_matrix.py - the boot matrix: every way yakvm is started
on a PC, each cell booting the two-VM demo and checking the VMs' output.

  firmware {SeaBIOS, OVMF} x medium {CD-ROM, USB stick (qemu-xhci +
  usb-storage, the raw hybrid ISO as the stick)} x CPUs {1, 2, 4},
  plus other CPU models (EPYC; qemu64 without vGIF) and a 6 GiB machine
  whose memory map has the PCI hole below 4 GiB, with a VM whose RAM comes
  from above 4 GiB.
"""
from harness import Scenario, Check

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
DEMO = ["module2 /guests/hello.elf name=alpha mem=16M -- I am alpha",
        "module2 /guests/hello.elf name=beta mem=16M -- I am beta"]


def cell_checks(cpus):
    return [
        Check("yakvm starts", r"^yakvm 0\.\d+: a micro-hypervisor for AMD-V"),
        Check("SVM is enabled with nested paging", r"^yakvm: SVM enabled: .*nested paging"),
        Check("%d CPU(s) up" % cpus, r"^yakvm: %d CPUs? up" % cpus),
        Check("the demo VMs start", r"^yakvm: 2 of 2 VMs started"),
        Check("VM alpha says hello", r"^\[alpha\] Hello from a yakvm guest!"),
        Check("VM beta says hello", r"^\[beta\] Hello from a yakvm guest!"),
        Check("both VMs end with status 0", r"^yakvm: vm (alpha|beta) ended with status 0", count=2),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
    ]


SCENARIOS = []
for fw in ("bios", "uefi"):
    for medium in ("cdrom", "usb"):
        for cpus in (1, 2, 4):
            SCENARIOS.append(Scenario(
                name="matrix-%s-%s-%dcpu" % (fw, medium, cpus),
                firmware=fw, boot_device=medium, smp=cpus,
                timeout=180, grub=[YAKVM] + DEMO, checks=cell_checks(cpus)))

SCENARIOS += [
    Scenario(name="matrix-cpu-epyc", cpu="EPYC", smp=2, grub=[YAKVM] + DEMO,
             checks=cell_checks(2)),
    Scenario(name="matrix-cpu-qemu64-novgif", cpu="qemu64,+svm,+npt", grub=[YAKVM] + DEMO,
             checks=cell_checks(1) + [
                 Check("the CPU has no vGIF, and yakvm does not need it",
                       r"^yakvm: SVM enabled: (?!.*vGIF).*nested paging")]),
    Scenario(name="matrix-6g-ram", mem="6G", timeout=240,
             grub=[YAKVM] + DEMO + [
                 "module2 /guests/hello.elf name=big mem=3200M -- above 4G"],
             checks=[c for c in cell_checks(1) if "demo VMs start" not in c.desc] + [
                 Check("the host's memory map reaches past 4 GiB",
                       r"^yakvm: memory map: \d+ ranges, 61\d\d MiB usable"),
                 Check("a 3200 MiB VM starts", r"^yakvm: vm big: started: 3200 MiB"),
                 Check("part of its RAM is host memory above 4 GiB",
                       r"^yakvm: vm big: \d+ MiB of its RAM is host memory above 4 GiB"),
                 Check("the big VM sees its memory above 1 MiB",
                       r"^\[big\] my memory: 639 KiB low, \d+ KiB high"),
                 Check("the big VM ends with status 0", r"^yakvm: vm big ended with status 0")]),
]
