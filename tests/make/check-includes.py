#!/usr/bin/env python3
"""
tests/make/check-includes.py - the include rules of the hypervisor (issue 16),
read from `gcc -MM` with the flags of the hypervisor's build (the Makefile's
HV_CFLAGS, HV_ASFLAGS), for every source and header of it:

  vmcb  no file outside arch/x86/svm/ reaches arch/x86/svm/vmcb.h, directly
        or through another header;
  core  the host-CPU code (arch/x86/ but arch/x86/svm/), the host drivers
        (drivers/), mm/ and lib/ reach nothing in core/;
  seam  arch/x86/svm/ reaches core/ only through the seam headers: a core/
        file it reaches must be a seam header or one a seam header reaches.

The files that still break a rule are listed in tests/make/include-allow.txt,
with the seam headers. The check fails when a file not listed breaks a rule,
and when a listed file no longer breaks it (or is gone): the list only
shrinks. Before the real tree, the same check runs on a small tree made for
it, where each of those failures must show (the self-test).
Prints one line per check and "make-includes: N passed, N failed".
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ALLOW = os.path.join(ROOT, "tests", "make", "include-allow.txt")

VMCB = "arch/x86/svm/vmcb.h"
SVM = "arch/x86/svm/"
RULES = {
    "vmcb": "no file outside %s reaches %s" % (SVM, VMCB),
    "core": "arch/x86/ (but %s), drivers/, mm/ and lib/ reach nothing in core/" % SVM,
    "seam": "%s reaches core/ only through the seam headers" % SVM,
}


def make_vars(names):
    """The Makefile's values of `names`, from a make of its own."""
    rule = "print-vars:\n" + "".join("\t@echo '%s'\n" % ("$(%s)" % n) for n in names)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    r = subprocess.run(["make", "-s", "--no-print-directory", "-C", ROOT, "-f", "Makefile",
                        "-f", "-", "print-vars"], input=rule.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, check=True)
    lines = r.stdout.decode().splitlines()
    return dict(zip(names, lines))


def deps(root, files, flags):
    """{file: set of the files it reaches}, from one `gcc -MM` run."""
    if not files:
        return {}
    r = subprocess.run(["gcc"] + flags.split() + ["-MM"] + files, cwd=root,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode:
        raise RuntimeError("gcc -MM failed:\n" + r.stderr.decode(errors="replace"))
    out = {}
    for rule in r.stdout.decode().replace("\\\n", " ").splitlines():
        if ":" not in rule:
            continue
        names = [os.path.normpath(n) for n in rule.split(":", 1)[1].split()]
        out[names[0]] = set(names[1:])
    missing = set(files) - set(out)
    if missing:
        raise RuntimeError("gcc -MM said nothing of " + " ".join(sorted(missing)))
    return out


def direct_includes(root, path):
    """The quoted #include lines of one file (for the messages only)."""
    try:
        text = open(os.path.join(root, path), errors="replace").read()
    except OSError:
        return []
    return re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M)


def chain(root, src, is_target):
    """src -> header -> ... -> the first file that is_target(), by the
    direct includes: what to show a reader. Shortest first."""
    seen, todo = {src}, [[src]]
    while todo:
        path = todo.pop(0)
        for inc in direct_includes(root, path[-1]):
            cands = [os.path.normpath(inc),
                     os.path.normpath(os.path.join(os.path.dirname(path[-1]), inc))]
            inc = next((c for c in cands if os.path.exists(os.path.join(root, c))), cands[0])
            if inc in seen:
                continue
            seen.add(inc)
            if is_target(inc):
                return " -> ".join(path + [inc])
            todo.append(path + [inc])
    return src


def read_allow(path):
    """(seam headers, {rule: set of files}) from the allowlist file."""
    seam, known = set(), {r: set() for r in RULES}
    for n, line in enumerate(open(path), 1):
        line = line.split("#", 1)[0].split()
        if not line:
            continue
        if len(line) != 2 or (line[0] != "seam-header" and line[0] not in RULES):
            raise RuntimeError("%s:%d: expected 'seam-header FILE' or 'RULE FILE' "
                               "(RULE: %s)" % (path, n, ", ".join(RULES)))
        (seam if line[0] == "seam-header" else known[line[0]]).add(os.path.normpath(line[1]))
    return seam, known


def breaks(root, cfiles, sfiles, cflags, asflags, seam):
    """{rule: {file: what it reaches that it may not}} for the tree."""
    d = deps(root, cfiles, cflags)
    d.update(deps(root, sfiles, asflags))
    missing_seam = [h for h in seam if not os.path.exists(os.path.join(root, h))]
    if missing_seam:
        raise RuntimeError("seam header(s) missing: " + " ".join(missing_seam))
    allowed = set()
    for h, reached in deps(root, sorted(seam), cflags).items():
        allowed |= {f for f in reached | {h} if f.startswith("core/")}
    out = {r: {} for r in RULES}
    for f, reached in d.items():
        in_svm = f.startswith(SVM)
        if not in_svm and f != VMCB and VMCB in reached:
            out["vmcb"][f] = [VMCB]
        host = ((f.startswith("arch/x86/") and not in_svm) or f.startswith(("drivers/", "mm/", "lib/"))) \
            and f not in seam   # the seam itself may name core/'s types
        core = sorted(x for x in reached if x.startswith("core/"))
        if host and core:
            out["core"][f] = core
        if in_svm and f not in seam:
            bad = [x for x in core if x not in allowed]
            if bad:
                out["seam"][f] = bad
    return out


def check(root, cfiles, sfiles, cflags, asflags, allow_path):
    """[(ok, line)]: per rule, the files that break it and are not on the
    allowlist, and the listed ones that no longer break it."""
    seam, known = read_allow(allow_path)
    found = breaks(root, cfiles, sfiles, cflags, asflags, seam)
    results = []
    for rule, what in RULES.items():
        new = sorted(set(found[rule]) - known[rule])
        gone = sorted(known[rule] - set(found[rule]))
        lines = []
        for f in new:
            targets = set(found[rule][f])
            lines.append("    breaks it, not on the allowlist: %s (reaches %s)" % (
                chain(root, f, lambda x: x in targets), ", ".join(sorted(targets))))
        for f in gone:
            lines.append("    on the allowlist, %s: %s (take it off %s)" % (
                "does not break it" if os.path.exists(os.path.join(root, f)) else "no such file",
                f, os.path.relpath(allow_path, root)))
        ok = not new and not gone
        results.append((ok, "%s: %s (%d known violation%s left)" % (
            rule, what, len(known[rule]), "" if len(known[rule]) == 1 else "s")
                        + "".join("\n" + l for l in lines)))
    return results


def self_test():
    """The check on a tree made for it: each kind of failure must show."""
    tmp = tempfile.mkdtemp(prefix="yakvm-includes-")
    files = {
        "arch/x86/svm/vmcb.h": "",
        "arch/x86/svm/run.c": '#include "arch/x86/vendor.h"\n#include "arch/x86/svm/vmcb.h"\n',
        "arch/x86/svm/bad.c": '#include "core/vm.h"\n',
        "arch/x86/vendor.h": '#include "core/seam.h"\n',
        "core/seam.h": "",
        "core/vm.h": '#include "core/vcpu.h"\n',
        "core/vcpu.h": '#include "arch/x86/svm/vmcb.h"\n',
        "core/main.c": '#include "core/vm.h"\n',
        "core/clean.c": '#include "arch/x86/vendor.h"\n',
        "mm/pmm.c": '#include "lib/lib.h"\n',
        "lib/lib.h": "",
        "lib/log.c": '#include "lib/lib.h"\n#include "core/seam.h"\n',
        "arch/x86/tsc.S": '#include "core/vm.h"\n',
    }
    for p, text in files.items():
        os.makedirs(os.path.join(tmp, os.path.dirname(p)), exist_ok=True)
        with open(os.path.join(tmp, p), "w") as f:
            f.write(text)
    cfiles = sorted(p for p in files if not p.endswith(".S"))
    sfiles = sorted(p for p in files if p.endswith(".S"))
    full = ("seam-header arch/x86/vendor.h\n"
            "vmcb core/vcpu.h\nvmcb core/vm.h\nvmcb core/main.c\nvmcb arch/x86/tsc.S\n"
            "core lib/log.c\ncore arch/x86/tsc.S\n"
            "seam arch/x86/svm/bad.c  # a comment\n")
    cases = [
        ("the complete allowlist passes", full, {}),
        ("a file that breaks a rule, not listed, fails", full.replace("vmcb core/main.c\n", ""),
         {"vmcb": "not on the allowlist: core/main.c -> core/vm.h -> core/vcpu.h -> "
                  "arch/x86/svm/vmcb.h"}),
        ("a listed file that keeps the rule fails", full + "core mm/pmm.c\n",
         {"core": "does not break it: mm/pmm.c"}),
        ("a listed file that is gone fails", full + "vmcb core/gone.c\n",
         {"vmcb": "no such file: core/gone.c"}),
        ("reaching core/ through no seam header fails", full.replace("seam arch/x86/svm/bad.c", ""),
         {"seam": "not on the allowlist: arch/x86/svm/bad.c"}),
        ("without the seam header, arch/x86/svm/ reaching its core/ file fails",
         full.replace("seam-header arch/x86/vendor.h", ""),
         {"seam": "not on the allowlist: arch/x86/svm/run.c -> arch/x86/vendor.h -> core/seam.h",
          "core": "not on the allowlist: arch/x86/vendor.h -> core/seam.h"}),
        ("an assembly file is read with the assembler's flags",
         full.replace("core arch/x86/tsc.S\n", ""), {"core": "arch/x86/tsc.S"}),
    ]
    results = []
    try:
        for desc, allow, expect in cases:
            with open(os.path.join(tmp, "allow.txt"), "w") as f:
                f.write(allow)
            got = check(tmp, cfiles, sfiles, "-I.", "-I. -D__ASSEMBLY__",
                        os.path.join(tmp, "allow.txt"))
            ok = True
            for (rok, line), rule in zip(got, RULES):
                want = expect.get(rule)
                if want is None:
                    ok &= rok
                else:
                    ok &= (not rok) and want in line
            results.append((ok, "self-test: " + desc + ("" if ok else "\n" + "\n".join(
                l for _, l in got))))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def tree():
    """The hypervisor's sources (HV_SRCS) and headers, and its flags."""
    v = make_vars(["HV_CFLAGS", "HV_ASFLAGS", "HV_SRCS", "HV_DIRS"])
    srcs = v["HV_SRCS"].split()
    headers = []
    for d in v["HV_DIRS"].split():
        for dirpath, _, names in os.walk(os.path.join(ROOT, d)):
            headers += [os.path.relpath(os.path.join(dirpath, n), ROOT)
                        for n in names if n.endswith(".h")]
    # guest/: the hypervisor's part of it is what HV_SRCS takes (guest/*.c).
    headers += sorted(os.path.join("guest", n) for n in os.listdir(os.path.join(ROOT, "guest"))
                      if n.endswith(".h"))
    cfiles = sorted(set(s for s in srcs if s.endswith(".c")) | set(headers))
    sfiles = sorted(s for s in srcs if s.endswith(".S"))
    return cfiles, sfiles, v["HV_CFLAGS"], v["HV_ASFLAGS"]


def main():
    if sys.argv[1:] == ["--list"]:
        # What breaks each rule now, in the allowlist's format.
        seam, _ = read_allow(ALLOW)
        for rule, found in breaks(ROOT, *tree(), seam).items():
            for f in sorted(found):
                print("%s %s" % (rule, f))
        return 0
    results = self_test()
    results += check(ROOT, *tree(), ALLOW)
    for ok, line in results:
        print("  %s  %s" % ("ok  " if ok else "FAIL", line))
    passed = sum(1 for ok, _ in results if ok)
    print("make-includes: %d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
