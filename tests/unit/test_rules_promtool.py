"""promtool: rewritten rules pass `check rules`; a unit-test file passes at k = 1, 10, 60."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.errors import MissingBinaryError, RuleError
from harness.paths import SPEC_DIR
from harness.rules.promtool import check_rules, scale_unit_test, test_rules
from harness.rules.scale import scale_rules

SPEC_RULES = SPEC_DIR / "prometheus-alerts.yml"
UNIT_TEST = Path(__file__).parent / "rules_data" / "spec_alerts_test.yml"

needs_promtool = pytest.mark.skipif(shutil.which("promtool") is None,
                                    reason="promtool not installed (apt-get install prometheus)")


@needs_promtool
@pytest.mark.parametrize("factor", [1, 10, 60, 75, 7])
def test_rewritten_spec_rules_pass_promtool_check(factor: float, tmp_path: Path) -> None:
    target = tmp_path / "rules.yml"
    target.write_text(scale_rules(SPEC_RULES, factor).yaml_text)
    assert "SUCCESS: 8 rules found" in check_rules(target).output


@needs_promtool
def test_check_failure_carries_promtools_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"  # parses as PromQL; the template is what promtool rejects
    bad.write_text("groups: [{name: g, rules: [{alert: A, expr: x > 1, "
                   "annotations: {summary: '{{ .Broken '}}]}]\n")
    with pytest.raises(RuleError) as info:
        check_rules(bad)
    assert "promtool check rules failed" in str(info.value)
    assert "template" in str(info.value)


def test_missing_promtool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MissingBinaryError) as info:
        check_rules(SPEC_RULES)
    assert "'promtool'" in str(info.value) and "apt-get install -y prometheus" in str(info.value)


@needs_promtool
def test_unit_test_file_passes_at_k1_as_written() -> None:
    result = test_rules(UNIT_TEST)
    assert result.ok, result.output


@needs_promtool
@pytest.mark.parametrize("factor", [1, 10, 60])
def test_unit_test_file_scaled_with_its_rules_still_passes(factor: float, tmp_path: Path) -> None:
    scaled = scale_unit_test(UNIT_TEST, factor, tmp_path)
    assert [p.name for p in scaled.rule_files] == ["0-prometheus-alerts.yml"]
    result = test_rules(scaled.test_file)
    assert result.ok, result.output


@needs_promtool
def test_scaled_unit_test_fails_against_unscaled_rules(tmp_path: Path) -> None:
    # The scaled file really depends on the scaled rules (the test is not vacuous).
    scaled = scale_unit_test(UNIT_TEST, 60, tmp_path)
    scaled.rule_files[0].write_text(SPEC_RULES.read_text())
    result = test_rules(scaled.test_file)
    assert not result.ok and "HighQueueDepth" in result.output


def test_scaled_unit_test_durations(tmp_path: Path) -> None:
    import yaml

    scaled = scale_unit_test(UNIT_TEST, 60, tmp_path)
    doc = yaml.safe_load(scaled.test_file.read_text())
    assert doc["evaluation_interval"] == "500ms"
    assert doc["rule_files"] == ["0-prometheus-alerts.yml"]
    first = doc["tests"][0]
    assert first["interval"] == "1s"
    assert [c["eval_time"] for c in first["alert_rule_test"]] == ["3s", "10s"]
    assert first["input_series"][0]["values"] == "0+1x30"
    assert any("lookback delta" in w for w in scaled.warnings)


def test_promql_expr_tests_are_scaled_with_a_warning_for_rates(tmp_path: Path) -> None:
    import yaml

    rules = tmp_path / "in" / "r.yml"
    rules.parent.mkdir()
    rules.write_text("groups: []\n")
    test = rules.parent / "t.yml"
    test.write_text(yaml.safe_dump({
        "rule_files": ["r.yml"],
        "tests": [{"interval": "1m", "input_series": [{"series": "x", "values": "0+60x10"}],
                   "promql_expr_test": [{"expr": "rate(x[5m])", "eval_time": "5m",
                                         "exp_samples": [{"labels": "{}", "value": 1}]}]}],
    }))
    scaled = scale_unit_test(test, 60, tmp_path / "out")
    doc = yaml.safe_load(scaled.test_file.read_text())
    case = doc["tests"][0]["promql_expr_test"][0]
    assert (case["expr"], case["eval_time"]) == ("rate(x[5s])", "5s")
    assert doc["evaluation_interval"] == "1s"  # the 1m default, scaled
    assert any("uses rate: its expected values are 60 times larger" in w for w in scaled.warnings)
