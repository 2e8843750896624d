#!/usr/bin/env python3
"""
tests/make/check-docs.py - what README.md and docs/architecture.md say of
the code stays true:

  - README's seed map ("The original design, step by step"): each function
    (or struct) of a row is defined in one of the files of that row;
  - README's architecture picture and the path of one exit below it: each
    path names a file or folder that exists, each `name()` is defined in
    the hypervisor's sources;
  - README's layout table: each path exists;
  - docs/architecture.md: each numbered step `N. path/file.c: name() - ...`
    names a function (or an assembly label) defined in that file, and each
    path elsewhere in it exists.

A definition is found by reading the file as text: a line that does not
start with a blank or `#` and has `name(` on it, where a `{` comes before
any `;` (not a prototype, not a call); in an assembly file, the label
`name:`; for `struct name`, a line `struct name {`.
Prints one line per check and "make-docs: N passed, N failed".
"""
import glob
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HV_DIRS = ["boot", "arch", "mm", "core", "devices", "drivers", "lib", "guest"]
STEP = re.compile(r"^\s*(\d+)\.\s+`?([\w./-]+\.[cSh])`?:\s+`?(struct \w+|\w+)(\(\))?`?\s+-\s+\S")


def defines(text, name, asm=False):
    """Whether `text` (a C or assembly file) defines `name`."""
    if asm:
        return re.search(r"^\s*%s:" % re.escape(name), text, re.M) is not None
    if name.startswith("struct "):
        return re.search(r"^\s*%s\s*\{" % re.escape(name), text, re.M) is not None
    for m in re.finditer(r"^(?![\s#/*]).*?\b%s\s*\(" % re.escape(name), text, re.M):
        rest = text[m.end():]
        semi, brace = rest.find(";"), rest.find("{")
        if brace != -1 and (semi == -1 or brace < semi):
            return True
    return False


def defined_in(path, name):
    try:
        text = open(os.path.join(ROOT, path), errors="replace").read()
    except OSError:
        return False
    return defines(text, name, asm=path.endswith(".S"))


def hv_files():
    out = []
    for d in HV_DIRS:
        for dirpath, _, names in os.walk(os.path.join(ROOT, d)):
            out += [os.path.relpath(os.path.join(dirpath, n), ROOT) for n in names
                    if n.endswith((".c", ".h", ".S"))]
    return sorted(out)


def defined_anywhere(name, files, cache={}):
    for f in files:
        if f not in cache:
            cache[f] = open(os.path.join(ROOT, f), errors="replace").read()
        if defines(cache[f], name, asm=f.endswith(".S")):
            return f
    return None


def section(text, title):
    """The text under the heading `title` (## or ###) up to the next ##."""
    m = re.search(r"^#+ %s\s*$" % re.escape(title), text, re.M)
    if not m:
        return None
    end = re.search(r"^## ", text[m.end():], re.M)
    return text[m.end(): m.end() + end.start() if end else len(text)]


def paths_in(text):
    """Tokens that look like tree paths: a known top folder, then more."""
    tops = "|".join(HV_DIRS + ["tests", "docs", "scripts", "iso"])
    return sorted(set(re.findall(r"(?<![\w./-])((?:%s)/[\w./-]*[\w/])" % tops, text)))


def missing_paths(text):
    return [p for p in paths_in(text) if not os.path.exists(os.path.join(ROOT, p))]


def result(ok, what, problems):
    return (ok, what + "".join("\n    " + p for p in problems))


def check_seed_map(readme):
    sec = section(readme, "The original design, step by step")
    if sec is None:
        return result(False, "README.md: the seed map", ["no section 'The original design, step by step'"])
    rows = [l for l in sec.splitlines() if l.startswith("|") and "`" in l]
    problems, pairs = [], 0
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        if len(cells) < 3:
            problems.append("a row without three cells: " + row)
            continue
        names = re.findall(r"`(struct \w+|\w+)(?:\(\))?`", cells[1])
        files = re.findall(r"`([\w./-]+)`", cells[2])
        if not names or not files:
            problems.append("a row without a function or a file: " + row)
        for n in names:
            pairs += 1
            if not any(defined_in(f, n) for f in files):
                problems.append("%s is defined in none of %s" % (n, ", ".join(files)))
    return result(not problems and pairs > 0,
                  "README.md: the seed map: %d functions, each defined in its row's file" % pairs,
                  problems)


def check_picture(readme, files):
    sec = section(readme, "Architecture")
    if sec is None:
        return result(False, "README.md: the architecture picture", ["no section 'Architecture'"])
    problems = ["no such file or folder: " + p for p in missing_paths(sec)]
    names = sorted(set(re.findall(r"\b(\w+)\(\)", sec)))
    for n in names:
        if not defined_anywhere(n, files):
            problems.append("%s() is defined nowhere in %s" % (n, ", ".join(HV_DIRS)))
    return result(not problems, "README.md: the architecture picture and the path of one exit: "
                  "%d paths exist, %d functions are defined" % (len(paths_in(sec)), len(names)),
                  problems)


def check_layout(readme):
    """Each path exists; each file a row names (`vcpu.c`) is in that row's
    folder(s); the number of device models is the number there are."""
    sec = section(readme, "Layout")
    if sec is None:
        return result(False, "README.md: the layout table", ["no section 'Layout'"])
    problems = ["no such file or folder: " + p for p in missing_paths(sec)]
    named = 0
    for row in (l for l in sec.splitlines() if l.startswith("| `")):
        cells = [c.strip() for c in row.strip("|").split("|")]
        folders = re.findall(r"`([\w./-]+/)`", cells[0])
        for name in re.findall(r"`([\w*-]+\.[chS])`", " ".join(cells[1:])):
            named += 1
            if not any(glob.glob(os.path.join(ROOT, f, name)) for f in folders):
                problems.append("%s is in none of %s" % (name, ", ".join(folders)))
        m = re.search(r"(\d+) models", cells[-1])
        if folders == ["devices/"] and m:
            models = 0
            for f in glob.glob(os.path.join(ROOT, "devices", "*.c")):
                models += len(re.findall(r"^const struct device_model \w+ = \{",
                                         open(f).read(), re.M))
            if int(m.group(1)) != models:
                problems.append("devices/: it says %s models, devices/*.c define %d"
                                % (m.group(1), models))
    return result(not problems and paths_in(sec), "README.md: the layout table: %d paths "
                  "exist, %d files named are in their folders, the device models counted"
                  % (len(paths_in(sec)), named), problems)


def check_architecture(doc):
    problems, steps = [], 0
    for line in doc.splitlines():
        if not re.match(r"^\s*\d+\.\s", line):
            continue
        m = STEP.match(line)
        if not m:
            problems.append("a numbered line not of the form 'N. path/file.c: name() - what': "
                            + line.strip())
            continue
        steps += 1
        path, name = m.group(2), m.group(3)
        if not os.path.exists(os.path.join(ROOT, path)):
            problems.append("step %s: no such file: %s" % (m.group(1), path))
        elif not defined_in(path, name):
            problems.append("step %s: %s is not defined in %s" % (m.group(1), name, path))
    problems += ["no such file or folder: " + p for p in missing_paths(doc)]
    return result(not problems and steps > 0, "docs/architecture.md: %d steps, each function "
                  "defined in its file; %d paths exist" % (steps, len(paths_in(doc))), problems)


def self_test():
    """The definition finder on small texts."""
    c = ("static int helper(int a);\n"
         "int proto(int a,\n\t  int b);\n"
         "int defined(int a,\n\t    int b)\n{\n\treturn helper(a);\n}\n"
         "static inline void *inl(void) { return 0; }\n"
         "\tcalled(1);\n"
         "struct thing {\n\tint x;\n};\n"
         "#define macro(x) (x)\n")
    cases = [
        ("a definition over two lines is found", defines(c, "defined")),
        ("a static inline definition is found", defines(c, "inl")),
        ("a struct definition is found", defines(c, "struct thing")),
        ("a prototype is no definition", not defines(c, "proto") and not defines(c, "helper")),
        ("a call is no definition", not defines(c, "called")),
        ("a macro is no definition", not defines(c, "macro")),
        ("an assembly label is found", defines(".globl f\nf:\n\tret\n", "f", asm=True)
         and not defines("\tcall f\n", "f", asm=True)),
        ("a step line is read", bool(STEP.match("3. arch/x86/svm/exit.c: svm_handle_exit() - x"))
         and not STEP.match("3. svm_handle_exit() in exit.c")),
    ]
    return [(ok, "self-test: " + desc) for desc, ok in cases]


def main():
    results = self_test()
    readme = open(os.path.join(ROOT, "README.md")).read()
    files = hv_files()
    results.append(check_seed_map(readme))
    results.append(check_picture(readme, files))
    results.append(check_layout(readme))
    arch = os.path.join(ROOT, "docs", "architecture.md")
    if os.path.exists(arch):
        results.append(check_architecture(open(arch).read()))
    else:
        results.append((False, "docs/architecture.md: missing"))
    for ok, line in results:
        print("  %s  %s" % ("ok  " if ok else "FAIL", line))
    passed = sum(1 for ok, _ in results if ok)
    print("make-docs: %d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
