"""Find benchmark modules, run them, write results/<name>.json and results/summary.md."""

from __future__ import annotations

import ast
import importlib
import json
import platform
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import Skipped

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


@dataclass
class Outcome:
    name: str
    module: str
    status: str  # ok, skipped, failed
    seconds: float
    result: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    def figures(self) -> dict[str, Any]:
        given = self.result.get("figures")
        if isinstance(given, dict):
            return given
        return {
            k: v
            for k, v in self.result.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }


def discover(folder: Path = HERE) -> dict[str, str]:
    """NAME -> module name, for every module here defining ``NAME`` and ``run``."""
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_") or path.stem == "registry":
            continue
        name = _declared_name(ast.parse(path.read_text(encoding="utf-8")))
        if name is not None:
            found[name] = f"{folder.name}.{path.stem}"
    return found


def with_options(folder: Path = HERE) -> set[str]:
    """The benchmarks that take options of their own: their module defines ``cli(argv)``,
    and ``python -m benchmarks NAME OPTIONS...`` hands it everything after NAME."""
    found = discover(folder)
    return {
        name
        for name, module in found.items()
        if any(
            isinstance(node, ast.FunctionDef) and node.name == "cli"
            for node in ast.parse(
                (folder / f"{module.rsplit('.', 1)[-1]}.py").read_text(encoding="utf-8")
            ).body
        )
    }


def _declared_name(tree: ast.Module) -> str | None:
    name, has_run = None, False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "run":
            has_run = True
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else ([node.target] if isinstance(node, ast.AnnAssign) else [])
        )
        value = getattr(node, "value", None)
        if (
            any(isinstance(t, ast.Name) and t.id == "NAME" for t in targets)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            name = value.value
    return name if has_run else None


def run_one(name: str, module: str, out_dir: Path) -> Outcome:
    started = time.monotonic()
    try:
        result = importlib.import_module(module).run(out_dir)
        status, reason = "ok", ""
    except Skipped as exc:
        result, status, reason = {}, "skipped", str(exc)
    except Exception as exc:  # one broken benchmark must not hide the others' figures
        traceback.print_exc()
        result, status, reason = {}, "failed", f"{type(exc).__name__}: {exc}"
    return Outcome(name, module, status, round(time.monotonic() - started, 1), result, reason)


def write(outcomes: list[Outcome], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    for o in outcomes:
        if o.status == "ok":
            (out_dir / f"{o.name}.json").write_text(
                json.dumps({"name": o.name, "when": when, **o.result}, indent=2, default=str)
                + "\n",
                encoding="utf-8",
            )
    summary = {
        "when": when,
        "python": platform.python_version(),
        "benchmarks": [
            {
                "name": o.name,
                "status": o.status,
                "seconds": o.seconds,
                "reason": o.reason,
                "figures": o.figures(),
            }
            for o in outcomes
        ],
    }
    (out_dir / "summary.json").write_text(
        json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8"
    )
    path = out_dir / "summary.md"
    path.write_text(markdown(outcomes, when), encoding="utf-8")
    return path


def markdown(outcomes: list[Outcome], when: str) -> str:
    lines = [f"# Benchmarks ({when})", "", "| benchmark | figure | value |", "| --- | --- | ---: |"]
    for o in outcomes:
        if o.status != "ok":
            lines.append(f"| {o.name} | {o.status} | {o.reason.replace('|', '/')} |")
            continue
        for label, value in o.figures().items():
            lines.append(f"| {o.name} | {label} | {fmt(value)} |")
    return "\n".join(lines) + "\n"


def fmt(value: Any) -> str:
    """1,040 / 0.788 / 12.5: whole numbers from 100 on, three significant digits below."""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return str(value)
