"""The agreement report (rows, reasons, summary, JSON) and which rules a group needs."""

from __future__ import annotations

import json
from pathlib import Path

from harness.promtool.official import Verdict
from harness.promtool.offline import OfflineVerdict
from harness.promtool.replay import needed_rules, ordered_groups, reads_alerts, rule_query
from harness.promtool.report import rows_for, summary, write_json
from harness.promtool.testfile import load_test_file
from harness.rules.load import load_rules_text

RULES = """groups:
  - name: b
    rules:
      - record: job:x:sum
        expr: sum by (job) (x)
      - record: job:y:sum
        expr: sum by (job) (y)
      - alert: XHigh
        expr: job:x:sum > 1
      - alert: Other
        expr: z > 1
  - name: a
    rules:
      - alert: Alerts
        expr: count(ALERTS) > 0
"""
TEST = """rule_files: [rules.yml]
tests:
  - interval: 1m
    input_series:
      - {series: 'x{job="a"}', values: '2x5'}
    alert_rule_test:
      - {eval_time: 2m, alertname: XHigh}
      - {eval_time: 3m, alertname: XHigh}
"""


def _files(tmp_path: Path) -> Path:
    (tmp_path / "rules.yml").write_text(RULES, encoding="utf-8")
    (tmp_path / "t.yml").write_text(TEST, encoding="utf-8")
    return tmp_path / "t.yml"


def test_rows_and_summary(tmp_path: Path) -> None:
    tf = load_test_file(_files(tmp_path))
    promtool = {"tests[0].alert_rule_test[0]": Verdict("pass"),
                "tests[0].alert_rule_test[1]": Verdict("fail", "exp/got")}
    offline = {"tests[0].alert_rule_test[0]": OfflineVerdict("pass"),
               "tests[0].alert_rule_test[1]": OfflineVerdict("pass", "", ("stale markers",))}
    rows = rows_for(tf, promtool, offline)
    assert [(r.line, r.agree, r.reason) for r in rows] == [
        (7, True, ""), (8, False, "stale markers")]
    assert summary(rows) == {"cases": 2, "promtool_offline_compared": 2,
                             "promtool_offline_agree": 1, "agreement": 0.5, "unexplained": 0}
    write_json(rows, tmp_path / "r.json")
    payload = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert payload["cases"][1]["details"] == {"promtool": "exp/got"}


def test_needed_rules_follow_recording_rules(tmp_path: Path) -> None:
    groups = list(load_rules_text(RULES, tmp_path / "rules.yml").groups)
    tf = load_test_file(_files(tmp_path))
    kept = needed_rules(groups, tf.groups[0])
    assert [(g.name, [r.name for r in g.rules]) for g in kept] == [
        ("b", ["job:x:sum", "XHigh"])]
    assert [g.name for g in ordered_groups(groups, ["b", "a"])] == ["b", "a"]
    assert [g.name for g in ordered_groups(groups, ["a"])] == ["b", "a"]  # unlisted: 0
    assert reads_alerts(groups, tf.groups[0]) and not reads_alerts(kept, tf.groups[0])


def test_rule_query_prints_absent_as_the_rule_engine_does() -> None:
    expr = 'absent(x{ns="c", job="a", job!~".*b.*"})'
    assert rule_query(expr) == 'absent(x{job!~".*b.*",job="a",ns="c"})'
    assert rule_query("up == 0") == "up == 0"  # untouched without absent()


def test_a_repeated_series_keeps_its_last_definition(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(RULES, encoding="utf-8")
    (tmp_path / "t.yml").write_text(
        "rule_files: [rules.yml]\ntests:\n  - interval: 1m\n    input_series:\n"
        "      - {series: 'x{a=\"1\"}', values: '200'}\n"
        "      - {series: 'x{a=\"1\"}', values: '403'}\n", encoding="utf-8")
    group = load_test_file(tmp_path / "t.yml").groups[0]
    assert [s.values[0].value for s in group.unique_series()] == [403.0]
