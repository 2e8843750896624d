#!/usr/bin/env python3
"""
tests/run-unit.py BIN... - run the host-side cmocka unit tests (built with
ASan and UBSan) and count their test cases. A binary that crashes or reports
a sanitizer error counts as one failure. Last line: "unit: N passed, N failed".
"""
import re
import subprocess
import sys


def run_unit(bins, verbose=False):
    passed = failed = 0
    for b in bins:
        try:
            r = subprocess.run([b], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=900)
            out, rc = r.stdout.decode(errors="replace"), r.returncode
        except subprocess.TimeoutExpired:
            out, rc = "timed out", -1
        ok = re.search(r"\[  PASSED  \] (\d+) test", out)
        bad = re.search(r"\[  FAILED  \] (\d+) test", out)
        p = int(ok.group(1)) if ok else 0
        f = int(bad.group(1)) if bad else 0
        if rc != 0 and f == 0:
            f = 1	# crashed, sanitizer report, or timeout
        passed += p
        failed += f
        name = b.rsplit("/", 1)[-1]
        print("  %s  unit %s: %d passed, %d failed" % ("ok  " if not f else "FAIL", name, p, f))
        if f or verbose:
            for line in out.splitlines():
                if "FAIL" in line or "ERROR" in line or "Sanitizer" in line or verbose:
                    print("        " + line)
        sys.stdout.flush()
    return passed, failed


if __name__ == "__main__":
    p, f = run_unit(sys.argv[1:])
    print("unit: %d passed, %d failed" % (p, f))
    sys.exit(1 if f else 0)
