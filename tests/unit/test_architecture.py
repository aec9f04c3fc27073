"""docs/ARCHITECTURE.md's layer table holds: each layer depends only on those above it.

The table is parsed from the document itself, so the docs and this test cannot drift.
Every import counts: module level, inside functions, and under ``TYPE_CHECKING`` (a
type-only import still ties the two layers together: moving or renaming the imported
module breaks the importer, and it is the first step towards a runtime cycle).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "harness"
DOC = ROOT / "docs" / "ARCHITECTURE.md"
_ENTRY = re.compile(r"`(harness/[^`]*)`")


@dataclass(frozen=True)
class Import:
    where: str  # path:line of the import statement
    target: str  # dotted module name, e.g. harness.stack.spec


def layer_table() -> list[tuple[str, ...]]:
    """The entries (``harness/x.py`` or ``harness/x/``) of each row, top row first."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) < 3 or set(cells[1].strip()) <= {"-", " "}:
            continue
        entries = tuple(_ENTRY.findall(cells[1]))
        if entries:
            rows.append(entries)
    return rows


def module_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if ".venv" not in p.parts)


def layer_of_path(relative: str, rows: list[tuple[str, ...]]) -> list[int]:
    """Every row with an entry naming this file (``harness/x.py``) or a folder holding it."""
    return [
        i
        for i, entries in enumerate(rows)
        for entry in entries
        if relative == entry or (entry.endswith("/") and relative.startswith(entry))
    ]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[Import]:
    """``harness`` modules imported anywhere in ``path`` (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        if isinstance(node, ast.Import):
            found += [Import(where, a.name) for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            # `from harness import errors` imports a module; `from harness.x import y`
            # imports from harness.x (a name or a submodule in the same layer).
            targets = [f"{base}.{a.name}" for a in node.names] if base == "harness" else [base]
            found += [Import(where, t) for t in targets]
    return [i for i in found if i.target == "harness" or i.target.startswith("harness.")]


def layer_of_module(dotted: str, rows: list[tuple[str, ...]]) -> list[int]:
    """The rows of an imported module: its file, or its package's ``__init__.py``."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        stem = "/".join(parts[:n])
        if (ROOT / stem).is_dir():
            return layer_of_path(f"{stem}/__init__.py", rows)
        if (ROOT / f"{stem}.py").is_file():
            return layer_of_path(f"{stem}.py", rows)
    return []


def test_the_table_has_layers_and_the_package_has_modules() -> None:
    rows = layer_table()
    assert len(rows) >= 5, f"no layer table found in {DOC}"
    assert len(module_files()) >= 50, f"no harness modules found under {PACKAGE}"


def test_every_module_is_in_exactly_one_layer() -> None:
    rows = layer_table()
    problems = []
    for path in module_files():
        relative = path.relative_to(ROOT).as_posix()
        found = layer_of_path(relative, rows)
        if len(found) != 1:
            problems.append(f"{relative}: in {len(found)} rows of the layer table")
    assert not problems, "\n".join(problems)


def test_every_table_entry_names_something_that_exists() -> None:
    stale = [e for row in layer_table() for e in row if not (ROOT / e).exists()]
    assert not stale, f"{DOC.name} names what is not in the repository: {stale}"


def test_each_layer_imports_only_from_itself_and_layers_above() -> None:
    rows = layer_table()
    checked = 0
    violations = []
    for path in module_files():
        own = layer_of_path(path.relative_to(ROOT).as_posix(), rows)
        if len(own) != 1:
            continue  # reported by test_every_module_is_in_exactly_one_layer
        for imp in imports_of(path):
            checked += 1
            target = layer_of_module(imp.target, rows)
            if len(target) == 1 and target[0] > own[0]:
                violations.append(
                    f"{imp.where}: imports {imp.target} "
                    f"(row {target[0] + 1}, below its own row {own[0] + 1})"
                )
    assert checked > 100, f"found only {checked} harness imports: is the parser broken?"
    assert not violations, "imports against the layer order:\n" + "\n".join(violations)
