#!/usr/bin/env python3
"""
tests/run-all.py --build DIR [--fuzz FUZZBIN...] -- BIN... - what `make test`
runs: the unit tests, the fuzz harnesses' smoke runs (each one test), the
make-level checks (tests/make/), then the end-to-end boots. The ten slowest
scenarios come just before the last line, "N passed, N failed".
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import importlib.util  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--fuzz", nargs="*", default=[])
    ap.add_argument("bins", nargs="*")
    args = ap.parse_args()

    spec = importlib.util.spec_from_file_location(
        "run_unit", os.path.join(HERE, "run-unit.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    print("== unit tests (host, ASan + UBSan)")
    up, uf = mod.run_unit(args.bins)
    sys.stdout.flush()

    fp = ff = 0
    if args.fuzz:
        spec = importlib.util.spec_from_file_location(
            "run_fuzz", os.path.join(HERE, "fuzz", "run-fuzz.py"))
        fmod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(fmod)
        print("== fuzz smoke (host, libFuzzer, ASan + UBSan)")
        sys.stdout.flush()
        fp, ff, _, _ = fmod.run_fuzz(args.fuzz, args.build, fmod.SMOKE_SECONDS, True)
        sys.stdout.flush()

    print("== make-level checks (tests/make/check-*.py: make -n run, include rules, docs)")
    sys.stdout.flush()
    mp = mf = 0
    for name in sorted(os.listdir(os.path.join(HERE, "make"))):
        if not (name.startswith("check-") and name.endswith(".py")):
            continue
        r = subprocess.run([sys.executable, os.path.join(HERE, "make", name)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = r.stdout.decode(errors="replace")
        print(out, end="")
        m = re.search(r"^make-[\w-]+: (\d+) passed, (\d+) failed", out, re.M)
        p, f = (int(m.group(1)), int(m.group(2))) if m else (0, 1)
        if not m:
            print("  FAIL  %s printed no summary line (exit status %d)" % (name, r.returncode))
        mp += p
        mf += f

    print("== end-to-end tests (QEMU TCG and Bochs)")
    sys.stdout.flush()
    r = subprocess.run([sys.executable, os.path.join(HERE, "e2e", "run.py"),
                        "--build", args.build], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    out = r.stdout.decode(errors="replace")
    slowest = [l for l in out.splitlines() if l.startswith("slowest: ")]
    print("".join(l + "\n" for l in out.splitlines() if not l.startswith("slowest: ")), end="")
    m = re.search(r"^e2e: (\d+) passed, (\d+) failed", out, re.M)
    ep, ef = (int(m.group(1)), int(m.group(2))) if m else (0, 1)

    print("unit: %d passed, %d failed; fuzz: %d passed, %d failed; make: %d passed, %d failed; "
          "e2e: %d passed, %d failed" % (up, uf, fp, ff, mp, mf, ep, ef))
    print("the ten slowest scenarios:")
    for line in slowest:
        print("  " + line[len("slowest: "):].strip())
    print("%d passed, %d failed" % (up + fp + mp + ep, uf + ff + mf + ef))
    return 1 if uf + ff + mf + ef else 0


if __name__ == "__main__":
    sys.exit(main())
