"""Fidelity on live recorded runs: offline == live ALERTS, and `harness tune` over them.

Two short scenarios run once at k=60 (about 50 s together): one where HighErrorRate
fires and resolves, and its transient, where it must stay quiet (every scenario of the
suite is checked on the suite's own recording after it in CI: scripts/test.sh). Each
scenario's recording is reopened by a throwaway Prometheus on a copy, and for the rules
as run the offline FiredAt/ResolvedAt of every alert must equal the live ``ALERTS``
episodes within one evaluation interval (``check_fidelity``). The same run then feeds `harness tune`
(JSON): the rule as written meets every expectation, and a threshold far above the
fault's error ratio misses it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.offline.fidelity import check_fidelity
from harness.offline.recording import find_recordings, load_recording
from harness.paths import PROJECT_DIR, SCENARIOS_DIR

pytestmark = [pytest.mark.integration, pytest.mark.alerts, pytest.mark.timeout(400)]

SCENARIOS = (
    "high-error-rate.yaml",
    "high-error-rate-transient.yaml",
)


def _harness(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", *args],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = tmp_path_factory.mktemp("recorded")
    proc = _harness(
        "run", *(str(SCENARIOS_DIR / s) for s in SCENARIOS),
        "--time-scale", "60", "--report-dir", str(reports),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    (report,) = reports.glob("*/report.json")
    return report.parent


def test_every_scenario_is_recorded_with_its_size(run_dir: Path) -> None:
    report = json.loads((run_dir / "report.json").read_text())
    assert len(report["scenarios"]) == len(SCENARIOS)
    for scenario in report["scenarios"]:
        recording = scenario["recording"]
        assert recording["error"] is None and recording["size_bytes"] > 10_000, scenario["id"]
        assert (run_dir / "scenarios" / scenario["id"] / recording["path"] / "tsdb").is_dir()


def test_offline_matches_live_alerts_within_one_evaluation(run_dir: Path) -> None:
    """Every firing, its FiredAt and its ResolvedAt within one evaluation interval."""
    folders = find_recordings(run_dir)
    assert len(folders) == len(SCENARIOS)
    live_firings = 0
    for folder in folders:
        result = check_fidelity(load_recording(folder))
        assert result.alerts, folder
        assert result.ok, result.describe()
        live_firings += sum(len(v) for a in result.alerts for v in a.live.values())
    assert live_firings >= 1  # HighErrorRate in high-error-rate: something was compared


def test_tune_over_the_recorded_run(run_dir: Path, tmp_path: Path) -> None:
    proc = _harness(
        "tune", "HighErrorRate", "--from", str(run_dir), "--threshold", "0.05,0.5",
        "--format", "json", "--html", str(tmp_path / "tune.html"), timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    candidates = {c["threshold"]: c for c in json.loads(proc.stdout)["candidates"]}
    assert candidates[0.05]["as_written"] and candidates[0.05]["meets_all"]
    high = candidates[0.5]
    assert not high["meets_all"]
    fires = [c for c in high["checks"] if c["kind"] == "fires"]
    assert len(fires) == 1  # high-error-rate
    assert all(c["delay_s"] is None and c["margin"] < 0 for c in fires), fires
    assert "<svg" in (tmp_path / "tune.html").read_text()
