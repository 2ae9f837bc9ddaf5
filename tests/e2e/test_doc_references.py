"""The tests README.md and docs/*.md name exist: every `tests/...` path, every `test_x.py` named by
its file name alone, and every `::test_name` after one of them (on the same line, a bare `::name`
belongs to the file named last; `::test_x_*` stands for the tests whose names start so) is a real
file and a real test function or class in it. A test named alone (`test_name`) is one somewhere in
tests/.

Pure and quick: the files are read, never imported. A doc that cites a test renamed or removed
fails here, so what the docs give as proof stays findable.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TESTS = ROOT / "tests"

# A test file, by path (tests/...py) or by name (test_x.py), or a `::name` after one.
_REF = re.compile(r"(?P<file>(?:tests/[\w./-]*?)?\btest_\w+\.py)|::(?P<name>\w+\*?)")
_ALONE = re.compile(r"`(test_\w+)`")
_DEF = re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+(test_\w+|Test\w+)", re.M)
_DIR = re.compile(r"\btests/[\w/-]+/")


def _find(file: str) -> list[Path]:
    if file.startswith("tests/"):
        path = ROOT / file
        return [path] if path.is_file() else []
    return sorted(TESTS.rglob(file))


def _defines(path: Path, name: str) -> bool:
    """`name` is defined in `path`; `name*` stands for any name that starts so."""
    pattern = name[:-1] + r"\w*" if name.endswith("*") else name + r"\b"
    return re.search(rf"^\s*(?:async\s+)?(?:def|class)\s+{pattern}", path.read_text(), re.M) is not None


@cache
def _all_tests() -> frozenset[str]:
    found = (_DEF.findall(f.read_text()) for f in TESTS.rglob("test_*.py"))
    return frozenset(name for names in found for name in names)


def _broken() -> list[str]:
    broken = []
    for doc in DOCS:
        for number, line in enumerate(doc.read_text().splitlines(), 1):
            where = f"{doc.relative_to(ROOT)}:{number}"
            for folder in _DIR.findall(line):
                if not (ROOT / folder).is_dir():
                    broken.append(f"{where}: {folder} is no folder")
            for name in _ALONE.findall(line):
                if name not in _all_tests():
                    broken.append(f"{where}: no test {name} in tests/")
            files: list[Path] = []
            for match in _REF.finditer(line):
                if match["file"]:
                    files = _find(match["file"])
                    if not files:
                        broken.append(f"{where}: {match['file']} is no test file")
                elif files and not any(_defines(f, match["name"]) for f in files):
                    names = ", ".join(str(f.relative_to(ROOT)) for f in files)
                    broken.append(f"{where}: no {match['name']} in {names}")
    return broken


def test_every_test_the_docs_name_exists() -> None:
    assert _broken() == []


def test_the_check_sees_a_missing_test(tmp_path: Path) -> None:
    line = "see `tests/e2e/test_doc_references.py::test_that_is_not_there`"
    files = _find("tests/e2e/test_doc_references.py")
    match = [m for m in _REF.finditer(line) if m["name"]]
    assert files and match and not _defines(files[0], match[0]["name"])
