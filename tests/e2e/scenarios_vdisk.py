"""
tests/e2e/scenarios_vdisk.py - two VMs, each with its own module disk
(issue 18): Debian's cloud kernel twice, one vCPU each, vda a raw 1 MiB
image with the VM's own marker (Makefile: marker-a.img, marker-b.img).
Each reads its whole disk, writes its own mark, and once both have
written (a line typed to each, tests/linux/init's yakvm.isolation) reads
the whole disk again: each sees only its own marker and its own write.
Imported by scenarios.py.
"""
import re

from harness import Scenario, Check, ToVM
from scenarios_linux import YAKVM, linux_vm, linux_checks


def both_wrote(log):
    return all(re.search(r"^\[%s\] yakvm-linux: isolation %s wrote, rc 0$" % (v, v), log, re.M)
               for v in "ab")


def isolation_checks(vm):
    p = r"^\[%s\] yakvm-linux: isolation %s " % (vm, vm)
    return [
        Check("yakvm made %s's disk from its own image" % vm,
              r"vm %s: disk vda: image %s, 2048 sectors" % (vm, vm)),
        Check("%s reads its whole disk: its own marker only" % vm,
              p + r"sees: yakvm-marker-%s $" % vm),
        Check("%s writes its mark" % vm, p + r"wrote, rc 0$"),
        Check("after both wrote, %s sees its marker and its own write only" % vm,
              p + r"sees after both wrote: yakvm-marker-%s yakvm-written-by-%s $" % (vm, vm)),
    ]


SCENARIOS = [
    Scenario(name="linux-two-disks", mem="1G", smp=2, timeout=400,
             grub=[YAKVM] +
             linux_vm("a", 1, extra="yakvm.isolation=a", opts="disk=module:a") +
             linux_vm("b", 1, extra="yakvm.isolation=b", opts="disk=module:b") +
             ["module2 /guests/marker-a.img image=a", "module2 /guests/marker-b.img image=b"],
             input=[(both_wrote, ToVM("a", b"go\n")),
                    (r"^\[a\] yakvm-linux: isolation a sees after", ToVM("b", b"go\n"))],
             checks=linux_checks("a", 1) + linux_checks("b", 1) +
             isolation_checks("a") + isolation_checks("b") + [
                 Check("no VM sees the other's marker or write",
                       r"^\[(a\] .*-(marker|written-by)-b|b\] .*-(marker|written-by)-a)",
                       present=False),
                 Check("no device needs reset", r"needs reset", present=False),
             ]),
]
