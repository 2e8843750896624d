#!/usr/bin/env python3
"""
tests/run-all.py --build DIR BIN... - what `make test` runs: the unit tests,
then the end-to-end boots. The last line is "N passed, N failed".
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
    ap.add_argument("bins", nargs="*")
    args = ap.parse_args()

    spec = importlib.util.spec_from_file_location(
        "run_unit", os.path.join(HERE, "run-unit.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    print("== unit tests (host, ASan + UBSan)")
    up, uf = mod.run_unit(args.bins)
    sys.stdout.flush()

    print("== end-to-end tests (QEMU TCG and Bochs)")
    sys.stdout.flush()
    r = subprocess.run([sys.executable, os.path.join(HERE, "e2e", "run.py"),
                        "--build", args.build], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    out = r.stdout.decode(errors="replace")
    print(out, end="")
    m = re.search(r"^e2e: (\d+) passed, (\d+) failed", out, re.M)
    ep, ef = (int(m.group(1)), int(m.group(2))) if m else (0, 1)

    print("unit: %d passed, %d failed; e2e: %d passed, %d failed" % (up, uf, ep, ef))
    print("%d passed, %d failed" % (up + ep, uf + ef))
    return 1 if uf + ef else 0


if __name__ == "__main__":
    sys.exit(main())
