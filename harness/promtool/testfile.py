"""A promtool rule unit-test file, read completely and with the line of every item.

The format is ``cmd/promtool/unittest.go`` at Prometheus v2.42.0, read with
``yaml.UnmarshalStrict`` (unknown keys refused, as here): ``rule_files`` (relative to
the test file's directory, globs expanded; a pattern matching nothing is a warning in
promtool, an error here when nothing at all matches), ``evaluation_interval`` (default
1m), ``group_eval_order``, and ``tests``: groups of ``interval``, ``input_series``,
``alert_rule_test``, ``promql_expr_test``, ``external_labels``, ``external_url``, ``name``.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from harness.durations import parse_ms
from harness.errors import InputError
from harness.promtool.notation import NotationError, Value, parse_labels, parse_values
from harness.yamlsource import Source, node_line, read_text

FILE_KEYS = ("rule_files", "evaluation_interval", "group_eval_order", "tests")
GROUP_KEYS = ("interval", "input_series", "alert_rule_test", "promql_expr_test",
              "external_labels", "external_url", "name")
SERIES_KEYS = ("series", "values")
ALERT_KEYS = ("eval_time", "alertname", "exp_alerts")
EXP_ALERT_KEYS = ("exp_labels", "exp_annotations")
EXPR_KEYS = ("expr", "eval_time", "exp_samples")
SAMPLE_KEYS = ("labels", "value")
DEFAULT_EVALUATION_INTERVAL_MS = 60_000
SIDE_SUFFIX = ".notifications.yml"  # the harness's exp_notifications (notifications.py)


class PromtoolTestError(InputError):
    """A promtool unit-test file that cannot be run: names the file and line."""


@dataclass(frozen=True)
class InputSeries:
    labels: dict[str, str]  # __name__ included
    values: list[Value]
    text: str  # the series as written
    line: int


@dataclass(frozen=True)
class ExpAlert:
    labels: dict[str, str]
    annotations: dict[str, str]


@dataclass(frozen=True)
class ExpSample:
    labels: dict[str, str]
    value: float


@dataclass(frozen=True)
class AlertCase:
    eval_time_ms: int
    alertname: str
    exp_alerts: list[ExpAlert]
    line: int
    index: int


@dataclass(frozen=True)
class ExprCase:
    expr: str
    eval_time_ms: int
    exp_samples: list[ExpSample]
    line: int
    index: int


@dataclass(frozen=True)
class TestGroup:
    __test__ = False  # not a pytest class

    interval_ms: int
    input_series: list[InputSeries]
    alert_cases: list[AlertCase]
    expr_cases: list[ExprCase]
    external_labels: dict[str, str]
    external_url: str
    name: str
    line: int
    index: int

    def unique_series(self) -> list[InputSeries]:
        """One definition per label set: the last, as promtool's ``load`` keeps it
        (``loadCmd.set`` replaces an earlier series with the same labels)."""
        last = {tuple(sorted(s.labels.items())): s for s in self.input_series}
        return list(last.values())

    def max_eval_ms(self) -> int:
        times = [c.eval_time_ms for c in self.alert_cases] + [
            c.eval_time_ms for c in self.expr_cases]
        return max(times, default=0)


@dataclass(frozen=True)
class TestFile:
    __test__ = False

    path: Path
    rule_files: list[Path]
    evaluation_interval_ms: int
    group_eval_order: list[str]
    groups: list[TestGroup]
    warnings: list[str] = field(default_factory=list)


def load_test_file(path: Path | str) -> TestFile:
    path = Path(path)
    src = Source(read_text(path, PromtoolTestError, "promtool test file"), path,
                 PromtoolTestError)
    root = src.root()
    if root is None:
        raise src.fail(None, "The promtool test file is empty")
    top = src.mapping(root, "the test file", FILE_KEYS)
    warnings: list[str] = []
    rule_files = _rule_files(src, top, warnings)
    interval = _duration(src, top, "evaluation_interval", DEFAULT_EVALUATION_INTERVAL_MS)
    order = [src.string(n, "group_eval_order") for n in _list(src, top, "group_eval_order")]
    for i, name in enumerate(order):
        if name in order[:i]:
            raise src.fail(top["group_eval_order"][1],
                           f"Group {name!r} is repeated in group_eval_order")
    tests = _list(src, top, "tests")
    groups = [_group(src, node, i) for i, node in enumerate(tests)]
    return TestFile(path, rule_files, interval, order, groups, warnings)


def _list(src: Source, items: dict[str, tuple[yaml.Node, yaml.Node]], key: str) -> list[yaml.Node]:
    return src.sequence(items[key][1], key) if key in items else []


def _duration(src: Source, items: dict[str, tuple[yaml.Node, yaml.Node]], key: str,
              default: int) -> int:
    if key not in items:
        return default
    node = items[key][1]
    try:
        return parse_ms(src.string(node, key))
    except ValueError as exc:
        raise src.fail(node, str(exc), key=key) from None


def _rule_files(src: Source, top: dict[str, tuple[yaml.Node, yaml.Node]],
                warnings: list[str]) -> list[Path]:
    """promtool's resolveAndGlobFilepaths: relative to the test file, globs expanded."""
    found: list[Path] = []
    base = src.path.parent
    for node in _list(src, top, "rule_files"):
        pattern = src.string(node, "rule_files")
        full = pattern if Path(pattern).is_absolute() else str(base / pattern)
        matches = sorted(glob.glob(full))
        if not matches:
            if not glob.has_magic(full):
                raise src.fail(node, f"Rule file not found: {full}", key="rule_files")
            warnings.append(f"{src.path}: no file matches the pattern {full}")
        found += [Path(m) for m in matches]
    if not found and "rule_files" in top:
        raise src.fail(top["rule_files"][1], "No rule file matches rule_files",
                       key="rule_files")
    return found


def _group(src: Source, node: yaml.Node, index: int) -> TestGroup:
    where = f"tests[{index}]"
    items = src.mapping(node, where, GROUP_KEYS)
    # promtool v2.42 gives the series no default step: without `interval` every value is
    # loaded at time 0 (later versions default to evaluation_interval). Kept as 0.
    interval = _duration(src, items, "interval", 0)
    series = [_series(src, n, f"{where}.input_series[{i}]")
              for i, n in enumerate(_list(src, items, "input_series"))]
    alerts = [_alert_case(src, n, f"{where}.alert_rule_test[{i}]", i)
              for i, n in enumerate(_list(src, items, "alert_rule_test"))]
    exprs = [_expr_case(src, n, f"{where}.promql_expr_test[{i}]", i)
             for i, n in enumerate(_list(src, items, "promql_expr_test"))]
    external = src.string_map(items["external_labels"][1], f"{where}.external_labels") \
        if "external_labels" in items else {}
    url = src.string(items["external_url"][1], "external_url") if "external_url" in items else ""
    name = src.string(items["name"][1], "name") if "name" in items else ""
    return TestGroup(interval, series, alerts, exprs, external, url, name, node_line(node),
                     index)


def _series(src: Source, node: yaml.Node, where: str) -> InputSeries:
    items = src.mapping(node, where, SERIES_KEYS)
    if "series" not in items:
        raise src.fail(node, "An input series needs 'series'", key=where)
    text = src.string(items["series"][1], f"{where}.series")
    values_text = src.string(items["values"][1], f"{where}.values") if "values" in items else ""
    try:
        labels = parse_labels(text)
        values = parse_values(values_text)
    except NotationError as exc:
        raise src.fail(node, f"Input series does not parse: {exc}", key=where) from None
    return InputSeries(labels, values, text, node_line(node))


def _eval_time(src: Source, items: dict[str, tuple[yaml.Node, yaml.Node]], where: str) -> int:
    try:
        return _duration(src, items, "eval_time", 0)
    except PromtoolTestError as exc:
        raise src.fail(items["eval_time"][1], exc.message.split(":\n  ")[-1],
                       key=f"{where}.eval_time") from None


def side_file(test_path: Path) -> Path:
    """``alerts.test.yml`` -> ``alerts.test.notifications.yml`` (same folder)."""
    name = test_path.name
    for suffix in (".yml", ".yaml"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return test_path.with_name(name + SIDE_SUFFIX)


def _alert_case(src: Source, node: yaml.Node, where: str, index: int) -> AlertCase:
    for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else []:
        if key_node.value == "exp_notifications":  # promtool would fail the whole file
            raise src.fail(key_node, "exp_notifications is the harness's own key: promtool "
                           "refuses unknown keys in a test file", key=where,
                           hint=f"put it in {side_file(src.path)} (see docs/PROMTOOL.md)")
    items = src.mapping(node, where, ALERT_KEYS)
    name = src.string(items["alertname"][1], f"{where}.alertname") if "alertname" in items else ""
    if not name:
        raise src.fail(node, "An alert_rule_test needs 'alertname'", key=where)
    exp = []
    for i, one in enumerate(_list(src, items, "exp_alerts")):
        fields = src.mapping(one, f"{where}.exp_alerts[{i}]", EXP_ALERT_KEYS)
        labels = src.string_map(fields["exp_labels"][1], "exp_labels") \
            if "exp_labels" in fields else {}
        annotations = src.string_map(fields["exp_annotations"][1], "exp_annotations") \
            if "exp_annotations" in fields else {}
        exp.append(ExpAlert({**labels, "alertname": name}, annotations))
    return AlertCase(_eval_time(src, items, where), name, exp, node_line(node), index)


def _expr_case(src: Source, node: yaml.Node, where: str, index: int) -> ExprCase:
    items = src.mapping(node, where, EXPR_KEYS)
    expr = src.string(items["expr"][1], f"{where}.expr") if "expr" in items else ""
    if not expr.strip():
        raise src.fail(node, "A promql_expr_test needs 'expr'", key=where)
    samples = []
    for i, one in enumerate(_list(src, items, "exp_samples")):
        fields = src.mapping(one, f"{where}.exp_samples[{i}]", SAMPLE_KEYS)
        text = src.string(fields["labels"][1], "labels") if "labels" in fields else ""
        try:
            labels = parse_labels(text) if text.strip() else {}
        except NotationError as exc:
            raise src.fail(one, f"Sample labels do not parse: {exc}", key=where) from None
        samples.append(ExpSample(labels, _float(src, fields, where)))
    return ExprCase(expr, _eval_time(src, items, where), samples, node_line(node), index)


def _float(src: Source, fields: dict[str, tuple[yaml.Node, yaml.Node]], where: str) -> float:
    if "value" not in fields:
        return 0.0
    node = fields["value"][1]
    value = src.value(node)
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = src.string(node, "value")
        try:
            return float(text)
        except ValueError:
            raise src.fail(node, f"value {text!r} is not a number", key=where) from None
    return float(value)

