#!/usr/bin/env python3
"""
scripts/fuzz_guest.py - `make fuzz-guest SEEDS="1 2 3" MODES="real prot long"`:
the random-instruction guest (tests/guests/hostile_random.c) with many
seeds. Each boot (the e2e harness, QEMU -smp 2) runs a batch of random VMs
beside a heartbeat; per seed and mode it prints the outcome, then a summary
with the stop reasons.

A seed passes when its VM finishes ("random: done"), is stopped with one
clean `yakvm: error: vm NAME/N stopped at rip=...` line, or reset itself;
a boot passes when yakvm stays up (no PANIC, "all VMs have ended") and the
heartbeat completes. Exit status 1 if anything failed.
"""
import argparse
import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import Scenario, run_scenario, ROOT  # noqa: E402
from scenarios_random import (YAKVM, MODES, random_vm, heartbeat, outcome,  # noqa: E402
                              yakvm_checks)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--seeds", default="1 2 3 4 5 6")
    ap.add_argument("--modes", default=" ".join(MODES))
    ap.add_argument("--count", type=int, default=300, help="blocks per mode")
    ap.add_argument("--batch", type=int, default=6, help="random VMs per boot")
    ap.add_argument("--beats", type=int, default=30)
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split()]
    modes = args.modes.split()
    for m in modes:
        if m not in MODES:
            ap.error("unknown mode %s (real, prot, long)" % m)
    runs = [(m, s) for s in seeds for m in modes]
    build = os.path.join(ROOT, args.build)
    out_dir = os.path.join(build, "fuzz-guest")
    failed, reasons, kinds = 0, Counter(), Counter()
    for b in range(0, len(runs), args.batch):
        batch = runs[b:b + args.batch]
        sc = Scenario(name="batch-%d" % (b // args.batch), smp=2, mem="512M",
                      timeout=120 + 2 * args.count,
                      grub=[YAKVM] + [random_vm(m, s, args.count) for m, s in batch] +
                      [heartbeat(args.beats)],
                      checks=yakvm_checks(args.beats))
        results, info = run_scenario(sc, build, out_dir)
        with open(info["log"], errors="replace") as f:
            log = f.read().replace("\r", "")
        print("== boot %s (%s, %.0f s, serial log %s)" % (
            sc.name, info["status"], info["seconds"], os.path.relpath(info["log"], ROOT)))
        for ok, desc, detail in results:
            if not ok:
                print("  FAIL  yakvm: %s%s" % (desc, ": " + detail if detail else ""))
                failed += 1
        for m, s in batch:
            ok, what = outcome(log, m, s)
            print("  %s  seed %d %s: %s" % ("ok  " if ok else "FAIL", s, m, what))
            failed += not ok
            kind = "done" if what == "done" else what.split(":")[0]
            kinds[kind] += 1
            if what.startswith("stopped: "):
                # the reason without addresses and bytes, to group them
                reasons[re.sub(r"0x[0-9a-f]+|( [0-9a-f]{2})+$", "N", what[9:])] += 1
        sys.stdout.flush()
    print("fuzz-guest: %d runs: %s" % (len(runs), ", ".join(
        "%d %s" % (n, k) for k, n in kinds.most_common())))
    for r, n in reasons.most_common():
        print("  %4d  stopped: %s" % (n, r))
    print("fuzz-guest: %s" % ("PASS" if not failed else "%d FAILED" % failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
