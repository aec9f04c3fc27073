"""Rewriting rule files for time scale k."""

from __future__ import annotations

import pytest
import yaml

from harness.errors import RuleError
from harness.paths import SPEC_DIR
from harness.rules import promql
from harness.rules.load import load_rules, load_rules_text
from harness.rules.model import RuleFile
from harness.rules.scale import largest_valid_factor, scale_rules

SPEC_RULES = SPEC_DIR / "prometheus-alerts.yml"


def _reload(text: str, name: str = "scaled.yml") -> RuleFile:
    return load_rules_text(text, name)


def test_k1_rewrite_of_spec_rules_is_identical() -> None:
    original = load_rules(SPEC_RULES)
    scaled = _reload(scale_rules(original, 1).yaml_text)
    assert [g.name for g in scaled.groups] == [g.name for g in original.groups]
    assert [g.interval_s for g in scaled.groups] == [g.interval_s for g in original.groups]
    for before, after in zip(original.alerts, scaled.alerts, strict=True):
        assert promql.parse(after.expr).prettify() == promql.parse(before.expr).prettify()
        assert (after.name, after.for_s, after.keep_firing_for_s) == (
            before.name, before.for_s, before.keep_firing_for_s)
        assert (after.labels, after.annotations) == (before.labels, before.annotations)
        assert (after.max_range_s, after.uses_range) == (before.max_range_s, before.uses_range)


def test_k60_scales_for_interval_and_windows_and_keeps_order() -> None:
    result = scale_rules(SPEC_RULES, 60)
    doc = yaml.safe_load(result.yaml_text)
    first = doc["groups"][0]
    assert list(first) == ["name", "interval", "rules"]
    assert first["interval"] == "500ms" and doc["groups"][1]["interval"] == "1s"
    high = first["rules"][0]
    assert list(high) == ["alert", "expr", "for", "labels", "annotations"]
    assert high["for"] == "5s"
    assert high["expr"] == ('rate(http_requests_total{status_code=~"5.."}[5s]) / '
                           "rate(http_requests_total[5s]) > 0.05")
    assert high["annotations"]["description"] == (
        "Error rate is {{ $value | humanizePercentage }} (threshold: 5%)")
    assert "for" not in first["rules"][3]  # DLQGrowing had none: none added
    scaled = _reload(result.yaml_text)
    assert [a.max_range_s for a in scaled.alerts] == [5, 5, 0, 60, 5, 10, 15, 15]


def test_recording_rules_and_keep_firing_for_are_scaled() -> None:
    text = """
groups:
  - name: g
    interval: 1m
    rules:
      - record: job:errors:rate5m
        expr: sum by (job) (rate(errors_total[5m]))
      - alert: Errors
        expr: job:errors:rate5m > 1
        for: 2m
        keep_firing_for: 10m
"""
    rules = load_rules_text(text, "r.yml")
    doc = yaml.safe_load(scale_rules(rules, 60).yaml_text)
    record, alert = doc["groups"][0]["rules"]
    assert record["expr"] == "sum by (job) (rate(errors_total[5s]))"
    assert (alert["for"], alert["keep_firing_for"]) == ("2s", "10s")


def test_refuses_k_leaving_fewer_than_4_scrapes() -> None:
    with pytest.raises(RuleError) as info:
        scale_rules(SPEC_RULES, 120, scrape_interval_s=1)
    err = info.value
    assert (err.line, err.key) == (9, "alert 'HighErrorRate'")
    text = str(err)
    assert "time scale 120 turns the range window [5m] into [2s500ms]" in text
    assert "fewer than 4 scrapes at scrape interval 1s" in text
    assert "largest valid time scale for this file at scrape interval 1s: 75" in text


def test_largest_valid_factor_is_accepted() -> None:
    rules = load_rules(SPEC_RULES)
    assert largest_valid_factor(rules, 1) == 75
    assert largest_valid_factor(rules, 0.5) == 150
    scale_rules(rules, 75, scrape_interval_s=1)
    with pytest.raises(RuleError, match=r"largest valid time scale .*: 150"):
        scale_rules(rules, 151, scrape_interval_s=0.5)


def test_refusal_when_even_k1_is_too_fast() -> None:
    rules = load_rules_text("groups: [{name: g, rules: [{alert: A, expr: 'rate(x[1m]) > 0'}]}]",
                            "r.yml")
    with pytest.raises(RuleError, match="even time scale 1 is too fast"):
        scale_rules(rules, 1, scrape_interval_s=30)


def test_subquery_ranges_are_scaled_but_not_held_to_the_scrape_rule() -> None:
    text = "groups: [{name: g, rules: [{alert: A, expr: 'max_over_time(x[2m:10s]) > 0'}]}]"
    doc = yaml.safe_load(scale_rules(load_rules_text(text, "r.yml"), 60).yaml_text)
    assert doc["groups"][0]["rules"][0]["expr"] == "max_over_time(x[2s:167ms]) > 0"


def test_time_threshold_warning() -> None:
    text = """
groups:
  - name: g
    rules:
      - alert: BackupTooOld
        expr: time() - backup_last_success_timestamp_seconds > 600
      - alert: Fine
        expr: rate(x[5m]) > 600
"""
    result = scale_rules(load_rules_text(text, "r.yml"), 60)
    [warning] = result.warnings
    assert warning.startswith("alert 'BackupTooOld' (r.yml:5)")
    assert "time() - backup_last_success_timestamp_seconds > 600" in warning
    assert "not scaled" in warning and "divide it by 60" in warning
    # the clock warning holds at k = 1 too: the threshold is a duration in disguise
    assert len(scale_rules(load_rules_text(text, "r.yml"), 1).warnings) == 1


def test_count_threshold_warning_only_when_scaled() -> None:
    rules = load_rules(SPEC_RULES)
    [warning] = scale_rules(rules, 60).warnings
    assert "DLQGrowing" in warning and "60 times fewer events" in warning
    assert scale_rules(rules, 1).warnings == ()


def test_rounding_warnings() -> None:
    result = scale_rules(SPEC_RULES, 7)
    assert any("group 'api_alerts' interval 30s / 7" in w for w in result.warnings)
    assert any("alert 'HighErrorRate' (prometheus-alerts.yml:9): range 5m / 7" in w
               for w in result.warnings)


@pytest.mark.parametrize("factor", [0, -3])
def test_bad_factor(factor: float) -> None:
    with pytest.raises(RuleError, match="time scale must be a positive number"):
        scale_rules(SPEC_RULES, factor)


def _warnings(expr: str, factor: float = 60, recording: str = "") -> list[str]:
    rules = f"      - alert: A\n        expr: '{expr}'\n"
    record = f"      - record: instance:uptime:seconds\n        expr: '{recording}'\n"
    text = "groups:\n  - name: g\n    rules:\n" + (record if recording else "") + rules
    return list(scale_rules(load_rules_text(text, "r.yml"), factor).warnings)


@pytest.mark.parametrize(("expr", "says"), [
    # node-mixin's NodeFilesystemSpaceFillingUp: the horizon of predict_linear
    ("predict_linear(node_filesystem_avail_bytes[6h], 4 * 60 * 60) < 0",
     "looks 4h ahead, written as a number"),
    ("time() - backup_last_success_timestamp_seconds > 600", "compares time() (seconds)"),
    ("timestamp(x) < time() - 300", "divide it by 60: 5"),
    ("node_time_seconds - node_boot_time_seconds > 600", "compares node_time_seconds"),
    ("(cert_expiry_timestamp_seconds - time()) / 86400 < 7", "compares cert_expiry"),
    ("process_open_fds < 7*24*60*60", "a number of seconds written as a product"),
])
def test_every_duration_written_as_a_number_is_warned(expr: str, says: str) -> None:
    [warning] = _warnings(expr)
    assert says in warning and "not scaled" in warning and "by hand" in warning


def test_alerts_on_a_recorded_duration_are_warned() -> None:
    [warning] = _warnings("instance:uptime:seconds < 600",
                          recording="time() - node_boot_time_seconds")
    assert "instance:uptime:seconds, recorded as a duration in seconds" in warning


@pytest.mark.parametrize(("expr", "direction"), [
    ("increase(x_total[1h]) > 100", "a fault must be 60 times stronger"),
    ("sum(increase(x_total[1h])) < 10", "the alert fires more easily"),
    ("increase(x_total[1h]) == 0", "the alert fires more easily"),
])
def test_count_warnings_say_which_way(expr: str, direction: str) -> None:
    [warning] = _warnings(expr)
    assert direction in warning


@pytest.mark.parametrize("expr", [
    "increase(x_total[1h]) > 0", "changes(x[1h]) >= 1", "time() - x_timestamp > 0",
])
def test_no_warning_where_scaling_cannot_change_the_outcome(expr: str) -> None:
    assert _warnings(expr) == []


def test_scale_numbers_divides_durations_written_as_numbers() -> None:
    text = """
groups:
  - name: g
    rules:
      - record: instance:uptime:seconds
        expr: time() - node_boot_time_seconds
      - alert: DiskFillsIn4h
        expr: predict_linear(node_filesystem_avail_bytes[6h], 4*60*60) < 0
      - alert: JustBooted
        expr: instance:uptime:seconds < 600
      - alert: Stale
        expr: timestamp(x) < time() - 300
"""
    result = scale_rules(load_rules_text(text, "r.yml"), 60, scale_numbers=True)
    rules = yaml.safe_load(result.yaml_text)["groups"][0]["rules"]
    assert [r["expr"] for r in rules[1:]] == [
        "predict_linear(node_filesystem_avail_bytes[6m], 240) < 0",
        "instance:uptime:seconds < 10",
        "timestamp(x) < time() - 300",  # a shift inside a side: warned, not rewritten
    ]
    assert sum("(--scale-numbers)" in w for w in result.warnings) == 2
    [by_hand] = [w for w in result.warnings if "by hand" in w]
    assert by_hand.startswith("alert 'Stale'")
    # without the option: the same numbers, warned
    plain = scale_rules(load_rules_text(text, "r.yml"), 60)
    assert "4 * 60 * 60" in plain.yaml_text or "4*60*60" in plain.yaml_text
    assert sum("by hand" in w for w in plain.warnings) == 3
