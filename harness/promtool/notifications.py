"""``exp_notifications``: which receivers must (and must not) be notified of an alert a
promtool test expects, read from a side file next to the test file.

promtool 2.42 reads test files with ``yaml.UnmarshalStrict``: an unknown key in an
``alert_rule_test`` ("field exp_notifications not found in type main.alertTestCase")
fails the whole file. So the expectations live in ``<test>.notifications.yml`` beside
``<test>.yml`` (``side_file``), each entry naming its case by group, eval_time and
alertname::

    exp_notifications:
      - group: 0                # index in tests, or the group's name; optional when
        eval_time: 5m           # only one group has this eval_time and alertname
        alertname: HighErrorRate
        exp_labels: {severity: critical}  # optional: the exp_alerts that have these
        receivers: [pagerduty]            # must be notified
        not_receivers: [slack]            # must not be (optional)

Every name is checked against the test file and the Alertmanager configuration before
any leg runs: a problem is one message with the side file's line (exit 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from harness.durations import parse_ms
from harness.promtool.testfile import (
    AlertCase,
    ExpAlert,
    PromtoolTestError,
    TestFile,
)
from harness.yamlsource import Source, node_line, read_text
from harness.yamlsource.messages import unknown

TOP_KEYS = ("exp_notifications",)
ENTRY_KEYS = ("group", "eval_time", "alertname", "exp_labels", "receivers", "not_receivers")


@dataclass(frozen=True)
class NotificationExpectation:
    """One entry: the alerts of one case, the receivers that must and must not hear."""

    path: Path  # the side file
    line: int
    group: int
    case: AlertCase
    alerts: tuple[ExpAlert, ...]  # the case's exp_alerts this entry is about
    receivers: tuple[str, ...]
    not_receivers: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def key(self) -> str:
        return f"tests[{self.group}].alert_rule_test[{self.case.index}]"


def load_expectations(path: Path, test_file: TestFile,
                      receivers: list[str]) -> list[NotificationExpectation]:
    """The side file's entries, each checked against the test file's cases and the
    Alertmanager configuration's ``receivers``."""
    src = Source(read_text(path, PromtoolTestError, "notification expectations"), path,
                 PromtoolTestError)
    root = src.root()
    if root is None:
        raise src.fail(None, "The notification expectations file is empty")
    top = src.mapping(root, "the file", TOP_KEYS)
    if "exp_notifications" not in top:
        raise src.fail(root, "The file has no 'exp_notifications' list")
    entries = src.sequence(top["exp_notifications"][1], "exp_notifications")
    return [_entry(src, node, f"exp_notifications[{i}]", test_file, receivers)
            for i, node in enumerate(entries)]


def _entry(src: Source, node: yaml.Node, where: str, test_file: TestFile,
           receivers: list[str]) -> NotificationExpectation:
    items = src.mapping(node, where, ENTRY_KEYS)
    for required in ("eval_time", "alertname"):
        if required not in items:
            raise src.fail(node, f"An expectation needs '{required}'", key=where)
    alertname = src.string(items["alertname"][1], f"{where}.alertname")
    eval_node = items["eval_time"][1]
    try:
        eval_ms = parse_ms(src.string(eval_node, f"{where}.eval_time"))
    except ValueError as exc:
        raise src.fail(eval_node, str(exc), key=f"{where}.eval_time") from None
    group, case = _case(src, node, items, where, test_file, alertname, eval_ms)
    alerts = tuple(case.exp_alerts)
    if "exp_labels" in items:
        wanted = src.string_map(items["exp_labels"][1], f"{where}.exp_labels")
        alerts = tuple(a for a in alerts if wanted.items() <= a.labels.items())
    must = _names(src, items, "receivers", where, receivers)
    must_not = _names(src, items, "not_receivers", where, receivers)
    if not must and not must_not:
        raise src.fail(node, "An expectation needs 'receivers' or 'not_receivers'", key=where)
    both = sorted(set(must) & set(must_not))
    if both:
        raise src.fail(node, f"Receiver '{both[0]}' is in both receivers and not_receivers",
                       key=where)
    if not alerts:
        what = "with these exp_labels" if "exp_labels" in items else "at all"
        raise src.fail(node, f"The case expects no {alertname} alert at "
                       f"{eval_ms / 1000:g}s {what}: nothing can be notified", key=where,
                       hint=f"the case is on line {case.line} of {test_file.path}")
    return NotificationExpectation(src.path, node_line(node), group, case, alerts, must,
                                   must_not)


def _case(src: Source, node: yaml.Node, items: dict[str, tuple[yaml.Node, yaml.Node]],
          where: str, test_file: TestFile, alertname: str,
          eval_ms: int) -> tuple[int, AlertCase]:
    """The one alert_rule_test the entry names."""
    groups = test_file.groups
    if "group" in items:
        text = src.string(items["group"][1], f"{where}.group")
        names = [g.name for g in groups if g.name]
        chosen = [g for g in groups if g.name == text or str(g.index) == text]
        if not chosen:
            message, hint = unknown("test group", text, [*names, *map(str, range(len(groups)))])
            raise src.fail(items["group"][1], message, key=f"{where}.group", hint=hint)
        groups = chosen[:1]
    found = [(g.index, c) for g in groups for c in g.alert_cases
             if c.alertname == alertname and c.eval_time_ms == eval_ms]
    if not found:
        cases = sorted({f"{c.alertname} at {c.eval_time_ms / 1000:g}s"
                        for g in groups for c in g.alert_cases})
        raise src.fail(node, f"No alert_rule_test for {alertname} at eval_time "
                       f"{eval_ms / 1000:g}s in {test_file.path}", key=where,
                       hint="its cases: " + (", ".join(cases) or "none"))
    if len({g for g, _ in found}) > 1:
        raise src.fail(node, f"{alertname} at {eval_ms / 1000:g}s is a case of several test "
                       f"groups ({', '.join(str(g) for g, _ in found)})", key=where,
                       hint="say which with 'group' (its index or name)")
    return found[0]


def _names(src: Source, items: dict[str, tuple[yaml.Node, yaml.Node]], key: str,
           where: str, receivers: list[str]) -> tuple[str, ...]:
    if key not in items:
        return ()
    out = []
    for i, one in enumerate(src.sequence(items[key][1], f"{where}.{key}")):
        name = src.string(one, f"{where}.{key}[{i}]")
        if name not in receivers:
            message, hint = unknown("receiver", name, receivers)
            raise src.fail(one, message, key=f"{where}.{key}[{i}]", hint=hint)
        out.append(name)
    return tuple(dict.fromkeys(out))
