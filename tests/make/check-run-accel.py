#!/usr/bin/env python3
"""
tests/make/check-run-accel.py - `make run` picks QEMU's accelerator: KVM when
/dev/kvm is usable and the CPU is AMD, TCG otherwise, ACCEL=kvm|tcg to
choose; `make test` stays on TCG unless ACCEL=kvm. No machine here has KVM,
so each case runs `make -n` with KVM_DEV and CPUINFO pointing at files made
for it, and checks the QEMU line and the line saying which was chosen.
Prints one line per check and "make-run: N passed, N failed".
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def make_n(target, **var):
    args = ["make", "-n", "--no-print-directory", "-C", ROOT, target]
    args += ["%s=%s" % kv for kv in var.items()]
    # Not the flags of a make this runs under (make test): a make of its own.
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "ACCEL",
                        "KVM_DEV", "CPUINFO", "QEMU_CPU", "YAKVM_ACCEL")}
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    return r.stdout.decode(errors="replace")


def main():
    tmp = tempfile.mkdtemp(prefix="yakvm-accel-")
    kvm = os.path.join(tmp, "kvm")
    open(kvm, "w").close()
    amd = os.path.join(tmp, "cpuinfo-amd")
    intel = os.path.join(tmp, "cpuinfo-intel")
    with open(amd, "w") as f:
        f.write("processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: svm npt\n")
    with open(intel, "w") as f:
        f.write("processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: vmx ept\n")
    missing = os.path.join(tmp, "no-kvm")
    cases = [
        ("usable /dev/kvm on an AMD CPU: KVM with -cpu host", "run",
         dict(KVM_DEV=kvm, CPUINFO=amd), "kvm", r"-cpu host,\+svm", r".*/kvm is usable and the CPU is AMD"),
        ("no /dev/kvm: TCG", "run", dict(KVM_DEV=missing, CPUINFO=amd), "tcg",
         r"-cpu qemu64,\+svm,\+npt,\+vgif", r"no usable .*no-kvm on an AMD CPU"),
        ("an Intel CPU: TCG (yakvm needs SVM)", "run", dict(KVM_DEV=kvm, CPUINFO=intel), "tcg",
         r"-cpu qemu64", r"no usable"),
        ("ACCEL=tcg on a KVM-capable AMD host: TCG", "run",
         dict(KVM_DEV=kvm, CPUINFO=amd, ACCEL="tcg"), "tcg", r"-cpu qemu64", r"ACCEL=tcg\)"),
        ("ACCEL=kvm without /dev/kvm: KVM as asked", "run",
         dict(KVM_DEV=missing, CPUINFO=amd, ACCEL="kvm"), "kvm", r"-cpu host", r"ACCEL=kvm\)"),
    ]
    passed = failed = 0
    for desc, target, var, accel, cpu, why in cases:
        out = make_n(target, **var)
        qemu = [l for l in out.splitlines() if l.startswith("qemu-system-x86_64 ")]
        ok = (len(qemu) == 1 and re.search(r"-accel %s " % accel, qemu[0]) and
              re.search(cpu, qemu[0]) and
              re.search(r"QEMU accelerator: %s \(" % accel + why, out))
        print("  %s  make run: %s" % ("ok  " if ok else "FAIL", desc))
        if not ok:
            print(out)
        passed += bool(ok)
        failed += not ok
    # make test: TCG even where KVM would be usable, unless ACCEL=kvm.
    for desc, var, accel, note in [
            ("make test stays on TCG on a KVM-capable AMD host", dict(KVM_DEV=kvm, CPUINFO=amd),
             "tcg", False),
            ("make test ACCEL=kvm runs under KVM and says it is untested here",
             dict(KVM_DEV=kvm, CPUINFO=amd, ACCEL="kvm"), "kvm", True)]:
        out = make_n("test-now", **var)
        ok = ("YAKVM_ACCEL=%s python3 tests/run-all.py" % accel in out and
              ("untested here" in out) == note)
        print("  %s  %s" % ("ok  " if ok else "FAIL", desc))
        passed += ok
        failed += not ok
    shutil.rmtree(tmp, ignore_errors=True)
    print("make-run: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
