"""The promtool test-file loader: every key, relative and globbed rule files, file:line
errors; the per-case files promtool runs; the eval_time check."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.promtool.checks import check_eval_times
from harness.promtool.official import case_documents
from harness.promtool.testfile import PromtoolTestError, load_test_file
from harness.rules.load import load_rules

RULES = """groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
        for: 1m
      - alert: Gone
        expr: absent(up)
"""

FULL = """rule_files: ['rules/*.yml']
evaluation_interval: 30s
group_eval_order: [g]
tests:
  - name: one
    interval: 15s
    external_labels: {cluster: eu}
    external_url: http://prom
    input_series:
      - series: 'up{job="a"}'
        values: '0x10 _ 1'
    alert_rule_test:
      - eval_time: 2m
        alertname: Down
        exp_alerts:
          - exp_labels: {job: a}
            exp_annotations: {summary: s}
    promql_expr_test:
      - expr: up
        eval_time: 1m
        exp_samples:
          - labels: 'up{job="a"}'
            value: 0
"""


def _write(tmp_path: Path, text: str, rules: str = RULES) -> Path:
    (tmp_path / "rules").mkdir(exist_ok=True)
    (tmp_path / "rules" / "a.yml").write_text(rules, encoding="utf-8")
    test = tmp_path / "test.yml"
    test.write_text(text, encoding="utf-8")
    return test


def test_every_key_is_read(tmp_path: Path) -> None:
    tf = load_test_file(_write(tmp_path, FULL))
    assert tf.rule_files == [tmp_path / "rules" / "a.yml"]  # relative to the file, globbed
    assert tf.evaluation_interval_ms == 30_000 and tf.group_eval_order == ["g"]
    group = tf.groups[0]
    assert (group.name, group.interval_ms, group.external_labels, group.external_url) == (
        "one", 15_000, {"cluster": "eu"}, "http://prom")
    assert len(group.input_series[0].values) == 13 and group.input_series[0].line == 10
    case = group.alert_cases[0]
    assert (case.eval_time_ms, case.alertname, case.line) == (120_000, "Down", 13)
    assert case.exp_alerts[0].labels == {"job": "a", "alertname": "Down"}
    assert case.exp_alerts[0].annotations == {"summary": "s"}
    expr = group.expr_cases[0]
    assert (expr.expr, expr.eval_time_ms, expr.exp_samples[0].labels) == (
        "up", 60_000, {"__name__": "up", "job": "a"})


def test_defaults(tmp_path: Path) -> None:
    tf = load_test_file(_write(tmp_path, "rule_files: [rules/a.yml]\ntests:\n  - {}\n"))
    assert tf.evaluation_interval_ms == 60_000
    assert tf.groups[0].interval_ms == 0  # promtool 2.42: no default step


@pytest.mark.parametrize(("text", "line", "words"), [
    ("rule_files: [rules/a.yml]\ntests:\n  - interval: 1m\n    input_serie: []\n", 4,
     "Unknown key 'input_serie'"),
    ("rule_files: [rules/a.yml]\ntests:\n  - input_series:\n      - series: up\n"
     "        values: '1+1'\n", 4, "Input series does not parse"),
    ("rule_files: [nope.yml]\ntests: []\n", 1, "Rule file not found"),
    ("rule_files: [rules/a.yml]\ntests:\n  - alert_rule_test:\n      - eval_time: 5\n"
     "        alertname: Down\n", 4, "no unit"),
    ("rule_files: [rules/a.yml]\ntests:\n  - alert_rule_test:\n      - eval_time: 5m\n", 4,
     "needs 'alertname'"),
    ("rule_files: [rules/a.yml]\ngroup_eval_order: [a, a]\ntests: []\n", 2, "repeated"),
    ("tests: [\n", 1, "YAML"),
])
def test_errors_name_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PromtoolTestError) as info:
        load_test_file(path)
    assert info.value.line == line and info.value.path == path
    assert words in str(info.value)
    assert info.value.exit_code == 2


def test_case_documents_keep_scalars_as_written(tmp_path: Path) -> None:
    tf = load_test_file(_write(tmp_path, FULL.replace("'0x10 _ 1'", "0x10")))
    documents = dict(case_documents(tf))
    assert set(documents) == {"tests[0].alert_rule_test[0]", "tests[0].promql_expr_test[0]"}
    one = yaml.load(documents["tests[0].alert_rule_test[0]"], Loader=yaml.BaseLoader)
    group = one["tests"][0]
    assert group["input_series"][0]["values"] == "0x10"  # not the number 16
    assert "promql_expr_test" not in group and len(group["alert_rule_test"]) == 1
    assert one["rule_files"] == [str((tmp_path / "rules" / "a.yml").resolve())]


def test_eval_time_beyond_the_series(tmp_path: Path) -> None:
    base = "rule_files: [rules/a.yml]\ntests:\n  - interval: 1m\n    input_series:\n" \
           "      - series: up\n        values: '0x5'\n    alert_rule_test:\n"
    groups = list(load_rules(_write(tmp_path, base).parent / "rules" / "a.yml").groups)
    inside = load_test_file(_write(tmp_path, base + "      - {eval_time: 10m, alertname: Down}\n"))
    check_eval_times(inside, groups)  # 5m + 5m lookback: still visible
    absent = load_test_file(_write(tmp_path, base + "      - {eval_time: 9h, alertname: Gone}\n"))
    check_eval_times(absent, groups)  # absent() means it
    beyond = load_test_file(_write(tmp_path, base + "      - {eval_time: 11m, alertname: Down}\n"))
    with pytest.raises(PromtoolTestError) as info:
        check_eval_times(beyond, groups)
    assert info.value.line == 8 and "beyond the input series" in str(info.value)
