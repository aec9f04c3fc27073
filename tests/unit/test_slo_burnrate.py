"""Burn-rate rules generated from the SLO file: current in the repository, accepted by
promtool, with the workbook's windows and factors, and behaving as promtool's unit tests
say (fast burn pages, slow burn does not, the page ends when the burn stops)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from harness.durations import parse_duration
from harness.paths import CORRECTED_DIR
from harness.rules.load import load_rules
from harness.rules.promtool import check_rules, test_rules
from harness.rules.scale import scale_rules
from harness.slo.burnrate import budget_share, burn_rate_rules, render
from harness.slo.model import load_slo

SLO_FILE = CORRECTED_DIR / "slo.yml"
RULES_FILE = CORRECTED_DIR / "slo-burn-rate.yml"
UNIT_TEST = Path(__file__).parent / "slo_data" / "burn_rate_test.yml"
needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool not installed (apt-get install prometheus)"
)


def test_committed_rule_file_is_what_the_generator_writes() -> None:
    expected = render(load_slo(SLO_FILE), "compose/corrected/slo.yml")
    assert RULES_FILE.read_text(encoding="utf-8") == expected, (
        "compose/corrected/slo-burn-rate.yml is stale: run "
        "`harness slo generate compose/corrected/slo.yml -o compose/corrected/slo-burn-rate.yml`"
    )


def test_workbook_windows_factors_and_routing() -> None:
    alerts = {a.name: a for a in load_rules(RULES_FILE).alerts}
    got = {
        n: (
            a.labels["long_window"],
            a.labels["short_window"],
            a.labels["burn_rate"],
            a.labels["severity"],
        )
        for n, a in alerts.items()
    }
    assert got == {
        "AvailabilityFastBurn": ("1h", "5m", "14.4", "critical"),
        "AvailabilityMediumBurn": ("6h", "30m", "6", "critical"),
        "AvailabilitySlowBurn": ("3d", "6h", "1", "warning"),
    }
    assert "> (14.4 * 0.001)" in alerts["AvailabilityFastBurn"].expr
    shares = [budget_share(a, "30d") for a in load_slo(SLO_FILE).availability.burn_rate_alerts]
    assert [round(s, 3) for s in shares] == [0.02, 0.05, 0.1]  # the workbook's table 5-8


def test_alerts_lag_by_the_windows_of_the_records_they_read() -> None:
    """Verdict windows need the recorded 1h window, though the alert's expr has none."""
    alerts = {a.name: a for a in load_rules(RULES_FILE).alerts}
    assert alerts["AvailabilityFastBurn"].max_range_s == 3600
    assert alerts["AvailabilitySlowBurn"].max_range_s == parse_duration("3d")
    assert all(a.uses_range for a in alerts.values())


def test_one_recording_rule_per_window_before_the_alerts() -> None:
    rules = burn_rate_rules(load_slo(SLO_FILE))["groups"][0]["rules"]
    records = [r["record"] for r in rules if "record" in r]
    assert records == [
        f"slo:availability_errors:ratio_rate{w}" for w in ("5m", "30m", "1h", "6h", "3d")
    ]
    assert all("record" in r for r in rules[:5]) and all("alert" in r for r in rules[5:])


@needs_promtool
def test_promtool_accepts_the_rules_and_their_scaled_versions(tmp_path: Path) -> None:
    check_rules(RULES_FILE)
    scaled = tmp_path / "scaled.yml"
    scaled.write_text(scale_rules(RULES_FILE, 60, scrape_interval_s=0.5).yaml_text)
    assert "SUCCESS: 8 rules found" in check_rules(scaled).output
    assert "[1m]" in scaled.read_text() and "[5s]" in scaled.read_text()


@needs_promtool
def test_promtool_unit_tests_fast_burn_pages_slow_burn_does_not(tmp_path: Path) -> None:
    document = yaml.safe_load(RULES_FILE.read_text())
    for rule in document["groups"][0]["rules"]:
        rule.pop("annotations", None)  # their text depends on the value
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(document, sort_keys=False))
    test = yaml.safe_load(UNIT_TEST.read_text())
    test["rule_files"] = ["rules.yml"]
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test, sort_keys=False))
    result = test_rules(tmp_path / "test.yml")
    assert result.ok, result.output
