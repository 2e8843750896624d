#!/usr/bin/env python3
"""
tests/fuzz/run-fuzz.py [--smoke | --seconds N] --build DIR BIN... - run the
libFuzzer harnesses (tests/fuzz/fuzz_NAME.c) one after the other.

Each harness starts from its committed corpus, tests/fuzz/corpus/NAME/,
which is only read: new inputs go to a directory under DIR/fuzz-runs/.
  --smoke      replay the corpus and fuzz SMOKE_SECONDS each (make test)
  --seconds N  fuzz N seconds each, then merge the corpus and the new
               inputs into DIR/fuzz-runs/STAMP/NAME/merged (make fuzz)
Crash inputs are kept as DIR/fuzz-runs/STAMP/NAME/crash-*. One line per
harness, then a summary table; the last line is "fuzz: N passed, N failed".
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SMOKE_SECONDS = 4


def run_one(binary, corpus, workdir, seconds, merge):
    """Fuzzes; returns (ok, execs, corpus_size, crashes, log)."""
    name = os.path.basename(binary)
    new = os.path.join(workdir, "new")
    os.makedirs(new, exist_ok=True)
    log_path = os.path.join(workdir, "fuzz.log")
    cmd = [binary, "-max_total_time=%d" % seconds, "-print_final_stats=1",
           "-timeout=10", "-rss_limit_mb=2048", "-max_len=4096",
           "-artifact_prefix=" + workdir + "/", new]
    if os.path.isdir(corpus):
        cmd.append(corpus)
    dict_path = os.path.join(HERE, name + ".dict")
    if os.path.exists(dict_path):
        cmd.append("-dict=" + dict_path)
    with open(log_path, "wb") as log:
        try:
            rc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT,
                                timeout=seconds + 300).returncode
        except subprocess.TimeoutExpired:
            rc = -1
    out = open(log_path, errors="replace").read()
    m = re.search(r"stat::number_of_executed_units: (\d+)", out)
    execs = int(m.group(1)) if m else 0
    crashes = len([f for f in os.listdir(workdir)
                   if re.match(r"(crash|leak|timeout|oom|slow-unit)-", f)])
    if rc != 0 and crashes == 0:
        crashes = 1
    size = len(os.listdir(new)) + (len(os.listdir(corpus)) if os.path.isdir(corpus) else 0)
    if merge and rc == 0:
        merged = os.path.join(workdir, "merged")
        os.makedirs(merged, exist_ok=True)
        subprocess.run([binary, "-merge=1", merged, new] +
                       ([corpus] if os.path.isdir(corpus) else []),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        size = len(os.listdir(merged))
    return rc == 0, execs, size, crashes, out


def run_fuzz(bins, build, seconds, smoke):
    stamp = time.strftime("%Y%m%d-%H%M%S")
    root = os.path.join(build, "fuzz-runs", ("smoke-" if smoke else "") + stamp)
    passed = failed = 0
    rows = []
    for b in bins:
        name = os.path.basename(b)[len("fuzz_"):]
        workdir = os.path.join(root, name)
        os.makedirs(workdir, exist_ok=True)
        ok, execs, size, crashes, out = run_one(
            b, os.path.join(HERE, "corpus", name), workdir, seconds, not smoke)
        rows.append((name, execs, size, crashes))
        if ok:
            passed += 1
        else:
            failed += 1
        print("  %s  fuzz %s: %d executions, corpus %d, %d crashes" %
              ("ok  " if ok else "FAIL", name, execs, size, crashes))
        if not ok:
            lines = out.splitlines()
            first = re.compile(r"invariant broken|runtime error|Sanitizer|^fuzz_\w+: |"
                               r"fake_ram:|ERROR: libFuzzer")
            start = next((i for i, l in enumerate(lines) if first.search(l)),
                         max(0, len(lines) - 20))
            shown = [l for l in lines[start:] if not re.match(r"\s+#(1\d|[2-9]\d)", l)]
            for line in shown[:24]:
                print("        " + line)
            print("        (log and inputs: %s)" % workdir)
        sys.stdout.flush()
    return passed, failed, rows, root


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("bins", nargs="+")
    args = ap.parse_args()
    seconds = SMOKE_SECONDS if args.smoke else args.seconds
    p, f, rows, root = run_fuzz(args.bins, args.build, seconds, args.smoke)
    print("%-12s %12s %8s %8s" % ("harness", "executions", "corpus", "crashes"))
    for name, execs, size, crashes in rows:
        print("%-12s %12d %8d %8d" % (name, execs, size, crashes))
    print("(%d s each; logs, new inputs%s under %s)" %
          (seconds, "" if args.smoke else " and merged corpora", root))
    print("fuzz: %d passed, %d failed" % (p, f))
    return 1 if f else 0


if __name__ == "__main__":
    sys.exit(main())
