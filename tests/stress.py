#!/usr/bin/env python3
"""
tests/stress.py --build DIR [--only NAME ...] [--repeat N] - `make test-stress`: the
end-to-end suite with twice as many emulators at a time as the machine has
cores, and beside it a CPU hog (one busy process per core), so that every
check that still depends on the host's speed shows itself. Nothing is
retried. Prints run.py's output, the time the run took, and last
"N passed, N failed".
"""
import argparse
import multiprocessing
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def hog():
    while True:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    jobs = 2 * cores
    print("== stress: the end-to-end suite, %d emulators at a time on %d cores, "
          "and %d busy processes beside them" % (jobs, cores, cores))
    sys.stdout.flush()
    hogs = [multiprocessing.Process(target=hog, daemon=True) for _ in range(cores)]
    for h in hogs:
        h.start()
    t0 = time.time()
    try:
        cmd = [sys.executable, os.path.join(HERE, "e2e", "run.py"), "--build", args.build,
               "--jobs", str(jobs), "--repeat", str(args.repeat)]
        for n in args.only:
            cmd += ["--only", n]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    finally:
        for h in hogs:
            h.terminate()
            h.join()
    out = r.stdout.decode(errors="replace")
    print(out, end="")
    m = re.search(r"^e2e: (\d+) passed, (\d+) failed", out, re.M)
    passed, failed = (int(m.group(1)), int(m.group(2))) if m else (0, 1)
    print("stress: %.1f minutes with %d jobs and %d hogs on %d cores"
          % ((time.time() - t0) / 60, jobs, cores, cores))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
