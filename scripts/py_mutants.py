#!/usr/bin/env python3
"""Mutation pass over the Python package's wire names: does any test notice a wrong field?

Run by scripts/mutants.sh (module ``python``); also alone: ``python3 scripts/py_mutants.py``.

Mutants, each applied alone to a copy of bindings/python/src (the tree is never modified):

- the table (``soku/_wire.py``): two neighbouring wire names of one type swapped; one wire name
  misspelt;
- the readers (``_models.py``, ``_meta.py``, ``errors.py``): each use of a wire-name constant
  replaced by the next constant of the same type (the attribute then reads its neighbour's
  field), or by a name the library never emits when the type has one field;
- the documented unit conversion (``pacedMs`` to seconds) changed.

For each mutant the unit tests that need no sandbox run (test_wire_fields, test_package,
test_errors): the mutant is caught when they fail. Prints every surviving mutant and one line
``python: caught C / missed M (of N mutants)``. Needs the native library for ``import soku``:
``$SOKU_LIB``, else target/debug/libsoku.so (built with ``cargo build -p soku-client`` when missing).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Iterator, List, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "bindings", "python", "src")
TESTS = os.path.join(ROOT, "bindings", "python", "tests")
MODULES = ["test_wire_fields", "test_package", "test_errors"]
READERS = ["_models.py", "_meta.py", "errors.py"]

Mutant = Tuple[str, str, str]  # (file under soku/, description, new text)


def table_mutants(text: str) -> Iterator[Mutant]:
    """Swapped neighbours and misspelt names in the FIELDS table."""
    rows = list(re.finditer(r'\("(\w+)", "(\w+)"\)', text))
    types = [(m.start(), m.group(1)) for m in re.finditer(r'^    "(\w+)": \(', text, re.M)]

    def owner(pos: int) -> str:
        return [name for start, name in types if start < pos][-1]

    for row in rows:
        attr, wire = row.group(1), row.group(2)
        new = text[: row.start()] + '("%s", "%sx")' % (attr, wire) + text[row.end() :]
        yield "_wire.py", "_wire.py: %s.%s reads %sx" % (owner(row.start()), attr, wire), new
    for a, b in zip(rows, rows[1:]):
        # neighbours of one type: nothing but whitespace and a comma between them
        if text[a.end() : b.start()].strip() != ",":
            continue
        swapped = '("%s", "%s")' % (a.group(1), b.group(2)) + text[a.end() : b.start()] + '("%s", "%s")' % (
            b.group(1),
            a.group(2),
        )
        new = text[: a.start()] + swapped + text[b.end() :]
        what = "_wire.py: %s.%s and .%s swap wire names" % (owner(a.start()), a.group(1), b.group(1))
        yield "_wire.py", what, new


def reader_mutants(name: str, text: str) -> Iterator[Mutant]:
    """Each use of a wire-name constant pointed at its neighbour of the same type."""
    groups: List[List[str]] = []
    defs = set()
    for m in re.finditer(r"^\(?((?:_[A-Z_]+,? ?)+)\)? = names\(\"\w+\"\)$", text, re.M):
        group = [c.strip() for c in m.group(1).split(",") if c.strip()]
        groups.append(group)
        defs.add(m.start())
    line_starts = {m.start() for m in re.finditer(r"^", text, re.M)}
    for group in groups:
        for i, const in enumerate(group):
            repl = group[(i + 1) % len(group)] if len(group) > 1 else '"notAWireField"'
            for use in re.finditer(r"\b%s\b" % re.escape(const), text):
                line_start = max(s for s in line_starts if s <= use.start())
                if line_start in defs:
                    continue
                new = text[: use.start()] + repl + text[use.end() :]
                line = text.count("\n", 0, use.start()) + 1
                yield name, "%s:%d reads %s instead of %s" % (name, line, repl, const), new


def conversion_mutants(name: str, text: str) -> Iterator[Mutant]:
    if name == "_models.py" and "/ 1000.0" in text:
        yield name, "paced left in milliseconds", text.replace("/ 1000.0", "/ 1.0")


def mutants() -> Iterator[Mutant]:
    pkg = os.path.join(SRC, "soku")
    with open(os.path.join(pkg, "_wire.py"), encoding="utf-8") as f:
        yield from table_mutants(f.read())
    for name in READERS:
        with open(os.path.join(pkg, name), encoding="utf-8") as f:
            text = f.read()
        yield from reader_mutants(name, text)
        yield from conversion_mutants(name, text)


def library() -> str:
    lib = os.environ.get("SOKU_LIB") or os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "debug", "libsoku.so"
    )
    if not os.path.isfile(lib):
        subprocess.run(["cargo", "build", "-p", "soku-client"], cwd=ROOT, check=True)
    return os.path.abspath(lib)


def tests_pass(src: str, lib: str) -> bool:
    env = dict(os.environ, PYTHONPATH=src, SOKU_LIB=lib, PYTHONDONTWRITEBYTECODE="1")
    run = subprocess.run(
        [sys.executable, "-m", "unittest", "-q", *MODULES],
        cwd=TESTS,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=300,
    )
    return run.returncode == 0


def main() -> int:
    lib = library()
    work = tempfile.mkdtemp(prefix="soku-py-mutants.")
    try:
        src = os.path.join(work, "src")
        shutil.copytree(SRC, src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        if not tests_pass(src, lib):
            print("the tests do not pass on the unmutated package", file=sys.stderr)
            return 1
        caught, survivors = 0, []
        all_mutants = list(mutants())
        for file, what, new in all_mutants:
            path = os.path.join(src, "soku", file)
            with open(path, encoding="utf-8") as f:
                original = f.read()
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            try:
                if tests_pass(src, lib):
                    survivors.append(what)
                else:
                    caught += 1
            finally:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(original)
        for what in survivors:
            print("  survived: " + what)
        print("python: caught %d / missed %d (of %d mutants)" % (caught, len(survivors), len(all_mutants)))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
