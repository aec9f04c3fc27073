"""promtool: ``check rules``, ``test rules``, and scaling a rule unit-test file with its rules.

A promtool unit-test file is scaled like its rules: ``evaluation_interval`` (default
1m), each test's ``interval``, every ``eval_time`` and the expressions of
``promql_expr_test`` are divided by k; ``input_series`` values are per interval and stay
as written; ``rule_files`` point at the scaled copies. Two things a rewrite cannot keep
are warned about: per-second results (rate, irate, deriv...) of input series whose
steps are k times closer are k times larger, and promtool's 5m lookback delta is not
scaled (a series that stops stays visible k times longer, measured in steps).
"""

from __future__ import annotations

import glob
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser as pp

from harness.durations import format_ms, parse_ms
from harness.errors import MissingBinaryError, RuleError
from harness.rules import promql
from harness.rules.load import load_rules
from harness.rules.rewrite import scale_expression
from harness.rules.scale import dump_yaml, scale_rules
from harness.yamlsource import load_plain

PER_SECOND = frozenset({"rate", "irate", "deriv", "predict_linear"})
_TIMEOUT_S = 120


@dataclass(frozen=True)
class PromtoolResult:
    ok: bool
    command: tuple[str, ...]
    output: str  # stdout and stderr together, as promtool wrote them


@dataclass(frozen=True)
class ScaledUnitTest:
    test_file: Path
    rule_files: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


def promtool_binary() -> str:
    path = shutil.which("promtool")
    if path is None:
        raise MissingBinaryError("promtool", package="prometheus")
    return path


def run_promtool(*args: str, cwd: Path | None = None) -> PromtoolResult:
    command = (promtool_binary(), *args)
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise RuleError(
            f"promtool did not finish within {_TIMEOUT_S} s: {' '.join(command)}"
        ) from None
    return PromtoolResult(done.returncode == 0, command, (done.stdout + done.stderr).strip())


def check_rules(*paths: Path | str) -> PromtoolResult:
    """``promtool check rules``; RuleError carrying promtool's message if it fails."""
    if not paths:
        raise ValueError("check_rules needs at least one file")
    result = run_promtool("check", "rules", *map(str, paths))
    if not result.ok:
        raise RuleError(
            f"promtool check rules failed:\n{_indent(result.output)}",
            path=paths[0] if len(paths) == 1 else None,
        )
    return result


def test_rules(*test_files: Path | str) -> PromtoolResult:
    """``promtool test rules``. A failing test is a result (ok False), not an exception."""
    if not test_files:
        raise ValueError("test_rules needs at least one file")
    return run_promtool("test", "rules", *map(str, test_files))


test_rules.__test__ = False  # type: ignore[attr-defined]  # not a pytest test function


def scale_unit_test(test_file: Path | str, factor: float, out_dir: Path | str) -> ScaledUnitTest:
    """Write the unit-test file and its rule files, scaled by factor, into out_dir."""
    test_path, out = Path(test_file), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    document = load_plain(test_path, RuleError, "unit-test file")
    if not isinstance(document, dict) or not isinstance(document.get("tests"), list):
        raise RuleError("a promtool unit-test file needs a 'tests' list", path=test_path)
    warnings: list[str] = []
    rule_paths: list[Path] = []
    for pattern in document.get("rule_files") or []:
        matches = sorted(glob.glob(str(test_path.parent / pattern))) or [
            str(test_path.parent / pattern)
        ]
        for match in matches:
            # W >= 4*S holds at every k exactly when it holds at k = 1 (S is the test's
            # interval, scaled too), so the window check is not repeated here.
            scaled = scale_rules(load_rules(match), factor, scrape_interval_s=0.001)
            target = out / f"{len(rule_paths)}-{Path(match).name}"
            target.write_text(scaled.yaml_text, encoding="utf-8")
            rule_paths.append(target)
            warnings += scaled.warnings
    document["rule_files"] = [p.name for p in rule_paths]
    where = str(test_path)
    document["evaluation_interval"] = _scale(
        document.get("evaluation_interval", "1m"), factor, where, "evaluation_interval"
    )
    for i, test in enumerate(document["tests"]):
        _scale_test_group(test, factor, f"{where}: tests[{i}]", warnings)
    if factor != 1:
        warnings.append(
            f"{test_path.name}: promtool's lookback delta (5m) is not scaled: a "
            f"series that stops stays visible {factor:g} times longer in steps."
        )
    target = out / test_path.name
    target.write_text(
        f"# {test_path.name} at time scale {factor:g} (harness)\n" + dump_yaml(document),
        encoding="utf-8",
    )
    return ScaledUnitTest(target, tuple(rule_paths), tuple(warnings))


def _scale_test_group(test: Any, factor: float, where: str, warnings: list[str]) -> None:
    if not isinstance(test, dict):
        raise RuleError(f"{where} must be a mapping")
    if "interval" in test:
        test["interval"] = _scale(test["interval"], factor, where, "interval")
    for j, case in enumerate(test.get("alert_rule_test") or []):
        case["eval_time"] = _scale(
            case.get("eval_time", "0s"), factor, where, f"alert_rule_test[{j}].eval_time"
        )
    for j, case in enumerate(test.get("promql_expr_test") or []):
        case["eval_time"] = _scale(
            case.get("eval_time", "0s"), factor, where, f"promql_expr_test[{j}].eval_time"
        )
        try:
            case["expr"] = scale_expression(str(case["expr"]), factor).text
            node = promql.parse(str(case["expr"]))
        except (KeyError, promql.PromQLError) as exc:
            raise RuleError(f"{where}: promql_expr_test[{j}].expr: {exc}") from None
        per_second = {
            n.func.name
            for n in promql.nodes(node)
            if isinstance(n, pp.Call) and n.func.name in PER_SECOND
        }
        if per_second and factor != 1:
            warnings.append(
                f"{where}: promql_expr_test[{j}] uses {', '.join(sorted(per_second))}"
                f": its expected values are {factor:g} times larger at this scale."
            )


def _scale(value: Any, factor: float, where: str, key: str) -> str:
    try:
        ms = parse_ms(str(value))
    except ValueError as exc:
        raise RuleError(f"{where}: {key}: {exc}") from None
    return format_ms(max(1, round(ms / factor)) if ms else 0)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
