"""The SLO file's schema: the project's file loads; bad ones name the line and the key."""

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


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD.replace("180ms", "180"), 2, ["latency.threshold", "no unit"]),
        (GOOD.replace("0.003", "3"), 3, ["error_ratio.max", "less than 1"]),
        (GOOD + "extra: 1\n", 5, ["extra", "Extra inputs"]),
        (
            GOOD + "indicators: {requests: 'rate(x[5m])'}\n",
            5,
            ["indicators.requests", "plain series selector"],
        ),
        (
            GOOD.replace(
                "{target: 0.999}",
                "{target: 0.999, burn_rate_alerts: [{alert: A, long: 5m,"
                " short: 1h, factor: 2, severity: x, notify: page}]}",
            ),
            4,
            ["shorter than long"],
        ),
        ("service: [\n", 2, ["invalid YAML"]),
    ],
)
def test_bad_slo_files(tmp_path: Path, text: str, line: int, words: list[str]) -> None:
    with pytest.raises(SloError) as info:
        _load(tmp_path, text)
    message = str(info.value)
    assert f"line {line}" in message, message
    for word in words:
        assert word in message, message
