#!/usr/bin/env python3
"""theory_refs.py: every section of doc/theory.md that the project cites
exists, and nothing cites the notes the theory was written from, as TAP.

A citation is "theory.md" followed by section numbers: "§3.1", "§3 to §5",
"§8, §10.2 item 7" (in the manual "\\(sc" stands for "§"). Scanned: src,
include, man, scripts, tests, README.md. Usage: theory_refs.py SRCDIR."""
import os
import re
import sys

import tap

SCANNED = ["src", "include", "man", "scripts", "tests", "README.md"]
CITE = re.compile(r"theory\.md((?:[ ,\n*-]*(?:and|to)?[ \n*-]*(?:§|\\\(sc)\d+(?:\.\d+)*)+)")
NUMBER = re.compile(r"(?:§|\\\(sc)(\d+(?:\.\d+)*)")
FORBIDDEN = re.compile(r"\bNOTES\b|paper/NOTES")


def files(srcdir):
    for top in SCANNED:
        path = os.path.join(srcdir, top)
        if os.path.isfile(path):
            yield path
            continue
        for root, _, names in os.walk(path):
            for name in names:
                if name.endswith((".c", ".h", ".lua", ".1", ".md", ".sh", ".py", ".mk")) \
                        or name == "bootstrap":
                    yield os.path.join(root, name)


def sections(theory):
    found = set()
    for line in theory.splitlines():
        m = re.match(r"#{2,4} (\d+(?:\.\d+)*)\.? ", line)
        if m:
            found.add(m.group(1))
    return found


def main():
    srcdir = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("RELUSH_SRCDIR", ".")
    with open(os.path.join(srcdir, "doc", "theory.md"), encoding="utf-8") as f:
        theory = f.read()
    known = sections(theory)
    cited, missing, notes = 0, [], []
    this = os.path.abspath(__file__)
    for path in files(srcdir):
        if os.path.abspath(path) == this:
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        rel = os.path.relpath(path, srcdir)
        for m in CITE.finditer(text):
            for number in NUMBER.findall(m.group(1)):
                cited += 1
                if number not in known:
                    missing.append("%s cites theory.md §%s" % (rel, number))
        for m in FORBIDDEN.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            notes.append("%s:%d" % (rel, line))
    tests = [
        (len(known) >= 30, "doc/theory.md has numbered sections (%d)" % len(known)),
        (cited >= 40 and not missing, "all %d section citations exist%s"
         % (cited, ": " + "; ".join(missing[:8]) if missing else "")),
        (not notes, "nothing cites NOTES%s" % (": " + ", ".join(notes[:8]) if notes else "")),
        ("NOTES" not in theory, "doc/theory.md itself does not cite NOTES"),
    ]
    return tap.report(tests)


if __name__ == "__main__":
    sys.exit(main())
