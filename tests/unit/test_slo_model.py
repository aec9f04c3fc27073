"""The SLO file's schema: the project's file loads (bad files: tests/bad_input/slo/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.paths import CORRECTED_DIR
from harness.slo.model import WORKBOOK_ALERTS, SloError, SloFile, load_slo

GOOD = """\
service: api
latency: {quantile: 0.95, threshold: 180ms}
error_ratio: {max: 0.003}
availability: {target: 0.999}
"""


def _load(tmp_path: Path, text: str) -> SloFile:
    path = tmp_path / "slo.yml"
    path.write_text(text)
    return load_slo(path)


def test_project_slo_file() -> None:
    slo = load_slo(CORRECTED_DIR / "slo.yml")
    assert (slo.latency.quantile, slo.latency.threshold_s) == (0.95, 0.18)
    assert slo.error_ratio.max == 0.003
    assert slo.availability.target == 0.999 and round(slo.availability.budget, 6) == 0.001


def test_defaults_are_the_workbook_alerts(tmp_path: Path) -> None:
    slo = _load(tmp_path, GOOD)
    assert slo.availability.burn_rate_alerts == WORKBOOK_ALERTS
    assert slo.indicators.errors == 'http_requests_total{status_code=~"5.."}'


def test_bad_files_raise_slo_error(tmp_path: Path) -> None:
    with pytest.raises(SloError, match="line 5 \\(extra\\)"):
        _load(tmp_path, GOOD + "extra: 1\n")
