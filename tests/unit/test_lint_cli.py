"""`harness lint`: exit codes (0 clean, 1 findings, 2 unreadable input), formats, options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.paths import SPEC_DIR

BAD = Path(__file__).resolve().parents[1] / "bad_input"
DATA = Path(__file__).resolve().parent / "lint_data"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["lint", "--no-tools", *args])
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_clean_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(DATA / "clean_rules.yml"), str(DATA / "clean_alertmanager.yml"))
    assert code == 0 and out.startswith("no findings in 2 file(s)")


def test_findings_exit_1_with_file_line_why_and_fix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(SPEC_DIR / "prometheus-alerts.yml"))
    assert code == 1
    head = "compose/spec/prometheus-alerts.yml:67: alert 'WorkerStalled' [vector-matching]"
    block = out[out.index(head):].split("\n\n")[0]
    assert "only the left side has job_type, status" in block
    assert "fix: Match on the labels both sides share: `and on (queue)`" in block
    assert out.rstrip().splitlines()[-2].startswith("10 finding(s) in 1 file(s)")
    # The policy profile adds the project's own rule: runbooks linked from every alert.
    code, out, _ = _run(capsys, "--profile", "policy", str(SPEC_DIR / "prometheus-alerts.yml"))
    assert code == 1 and out.rstrip().splitlines()[-2].startswith("18 finding(s) in 1 file(s)")


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--format", "json", str(BAD / "lint" / "for_missing.yml"))
    data = json.loads(out)
    assert code == 1 and data["counts"] == {"for-missing": 1}
    finding = data["findings"][0]
    assert finding["line"] == 5 and finding["subject"] == "alert 'NotificationDeliveryFailing'"
    assert set(finding) == {"check", "file", "line", "subject", "message", "fix", "expr"}
    assert data["files"] == [{"file": str(BAD / "lint" / "for_missing.yml"), "kind": "rules",
                              "items": 1}]


def test_ignore(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--ignore", "for-missing", str(BAD / "lint" / "for_missing.yml"))
    assert code == 0 and out.startswith("no findings")
    code, _, err = _run(capsys, "--ignore", "ratio", str(SPEC_DIR / "prometheus-alerts.yml"))
    assert code == 2 and "did you mean 'ratio-unaggregated'?" in err


def test_scrape_interval_option(capsys: pytest.CaptureFixture[str]) -> None:
    rules = str(BAD / "lint" / "range_window_short.yml")
    assert _run(capsys, "--scrape-interval", "5s", rules)[0] == 0
    code, _, err = _run(capsys, "--scrape-interval", "soon", rules)
    assert code == 2 and "Invalid duration" in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = _run(capsys, str(tmp_path / "nope.yml"))
    assert code == 2 and out == "" and "nope.yml:\n  file not found" in err.lower()
    assert "Traceback" not in err


def test_one_unreadable_file_does_not_stop_the_others(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _run(capsys, str(tmp_path / "nope.yml"), str(BAD / "lint" / "for_missing.yml"))
    assert code == 2 and "[for-missing]" in out and "nope.yml" in err


def test_yaml_error_names_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, str(BAD / "rules" / "invalid_yaml.yml"))
    assert code == 2 and "invalid_yaml.yml, line 7:\n  invalid yaml" in err.lower()


def test_rule_file_errors_come_from_the_rule_loader(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, str(BAD / "rules" / "expr_does_not_parse.yml"))
    assert code == 2 and "PromQL does not parse" in err


def test_invalid_json_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "d.json"
    broken.write_text('{\n  "panels": [,]\n}\n')
    code, _, err = _run(capsys, str(broken))
    assert code == 2 and "d.json, line 2:\n  invalid json" in err.lower()


def test_valid_yaml_of_another_kind_is_skipped_with_the_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "other.yml"
    other.write_text("scrape_configs: []\n")
    code, out, _ = _run(capsys, str(other))
    assert code == 0 and "other.yml: skipped: not a Prometheus rule file" in out


def test_a_directory_stands_for_its_files(capsys: pytest.CaptureFixture[str]) -> None:
    from harness.paths import COMPOSE_DIR

    code, out, _ = _run(capsys, str(COMPOSE_DIR / "grafana" / "dashboards" / "corrected"))
    assert code == 0 and "no findings in 5 file(s)" in out


def test_list_checks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--list-checks")
    assert code == 0 and out.startswith("vector-matching") and "am-route-shadowed" in out


def test_catalogue_override(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A family the lint does not know is checked once the catalogue names its labels."""
    rules = tmp_path / "r.yml"
    rules.write_text(
        "groups:\n  - name: g\n    rules:\n      - alert: A\n"
        "        expr: my_up and on (job) my_ready\n        for: 1m\n"
        "        annotations: {summary: s, description: d, runbook_url: u}\n")
    assert _run(capsys, str(rules))[0] == 0
    catalogue = tmp_path / "c.yml"
    catalogue.write_text("metrics:\n  my_up: {type: gauge, labels: [pod]}\n"
                         "  my_ready: {type: gauge, labels: []}\n")
    rules.write_text(rules.read_text().replace(" on (job)", ""))
    code, out, _ = _run(capsys, "--catalogue", str(catalogue), str(rules))
    assert code == 1 and "[vector-matching]" in out and "only the left side has pod" in out
