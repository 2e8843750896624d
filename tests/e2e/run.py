#!/usr/bin/env python3
"""
tests/e2e/run.py - boot every scenario of tests/e2e/scenarios.py and check
its serial log. Two emulators run at a time (one per core).

  python3 tests/e2e/run.py --build build/release [--only NAME ...] [--list]
                           [--jobs N] [--repeat N]

Prints one line per check, the scenarios that were skipped and why, the ten
slowest runs ("slowest: ..."), and finally "N passed, N failed". --repeat N
boots each chosen scenario N times (each run its own work directory NAME.rK)
and counts every run's checks: a run that fails is reported, never retried.
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
    ap.add_argument("--repeat", type=int, default=1)
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

    chosen_runnable = list(runnable)
    if args.repeat > 1:
        runnable = [(s, (k + 1, args.repeat)) for s, _ in runnable
                    for k in range(args.repeat)]

    def one(item):
        sc, run = item
        tag = "r%d" % run[0] if run else None
        return item, run_scenario(sc, build, out_dir, tag)

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

    times = []
    failed_runs = {}
    for (sc, run), (results, info) in all_results():
        name = sc.name + (" (run %d of %d)" % run if run else "")
        rc = info.get("returncode") if info["status"] == "exited" else None
        print("== %s (%s%s, %.1fs, serial log %s)" %
              (name, info["status"], "" if rc is None else " %d" % rc, info["seconds"],
               os.path.relpath(info.get("log", "-"), ROOT)))
        times.append((info["seconds"], name))
        for ok, desc, detail in results:
            print("  %s  %s%s" % ("ok  " if ok else "FAIL", desc,
                                  (": " + detail) if detail and not ok else ""))
            passed += ok
            failed += not ok
        if not all(ok for ok, _, _ in results):
            failed_runs[sc.name] = failed_runs.get(sc.name, 0) + 1
        sys.stdout.flush()
    for sc, why in skipped:
        print("== %s: SKIPPED: %s" % (sc.name, why))
    if args.repeat > 1:
        for s, _ in chosen_runnable:
            print("repeat: %s: %d of %d runs failed" %
                  (s.name, failed_runs.get(s.name, 0), args.repeat))
    for seconds, name in sorted(times, reverse=True)[:10]:
        print("slowest: %6.1fs  %s" % (seconds, name))
    print("e2e: %d passed, %d failed, %d scenarios skipped" % (passed, failed, len(skipped)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
