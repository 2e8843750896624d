#!/usr/bin/env python3
"""
tests/e2e/run.py - boot every scenario of tests/e2e/scenarios.py and check
its serial log. Two emulators run at a time (one per core).

  python3 tests/e2e/run.py --build build/release [--only NAME ...] [--list]

Prints one line per check, the scenarios that were skipped and why, and
finally "N passed, N failed".
"""
import argparse
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import run_scenario, ROOT, OVMF_CODE  # noqa: E402
from scenarios import SCENARIOS  # noqa: E402


def skip_reason(sc):
    if any("/guests/vmlinuz" in line for line in sc.grub) and not os.path.exists(
            os.path.join(ROOT, "build", "release", "linux", "vmlinuz")):
        return "no Linux kernel was built (make env unpacks linux-image-cloud-amd64 into build/kernels)"
    if sc.emulator == "bochs" and not shutil.which("bochs"):
        return "bochs is not installed (make env)"
    if sc.emulator == "qemu" and not shutil.which("qemu-system-x86_64"):
        return "qemu-system-x86_64 is not installed (make env)"
    if sc.firmware == "uefi" and not os.path.exists(OVMF_CODE):
        return "OVMF is not installed (make env)"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only]
    if args.list:
        for s in chosen:
            print(s.name)
        return 0
    build = os.path.join(ROOT, args.build)
    out_dir = os.path.join(build, "e2e")
    os.makedirs(out_dir, exist_ok=True)

    runnable, skipped = [], []
    for s in chosen:
        why = skip_reason(s)
        (skipped if why else runnable).append((s, why))

    def one(item):
        return item[0], run_scenario(item[0], build, out_dir)

    passed = failed = 0
    # Exclusive scenarios (timing checks) run alone first; then slow ones
    # first, so two run side by side as long as possible.
    alone = [it for it in runnable if it[0].exclusive]
    shared = sorted((it for it in runnable if not it[0].exclusive),
                    key=lambda it: -it[0].timeout)

    def all_results():
        for it in alone:
            yield one(it)
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            yield from pool.map(one, shared)

    for sc, (results, info) in all_results():
        print("== %s (%s, %.1fs, serial log %s)" %
              (sc.name, info["status"], info["seconds"],
               os.path.relpath(info.get("log", "-"), ROOT)))
        for ok, desc, detail in results:
            print("  %s  %s%s" % ("ok  " if ok else "FAIL", desc,
                                  (": " + detail) if detail and not ok else ""))
            passed += ok
            failed += not ok
        sys.stdout.flush()
    for sc, why in skipped:
        print("== %s: SKIPPED: %s" % (sc.name, why))
    print("e2e: %d passed, %d failed, %d scenarios skipped" % (passed, failed, len(skipped)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
