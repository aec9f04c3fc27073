"""The OpenMetrics text the backfill hands to promtool, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import StackError
from harness.offline.backfill import BackfillError, Series, write_openmetrics
from harness.offline.prometheus import throwaway_prometheus


def test_series_of_one_name_are_written_together_in_time_order(tmp_path: Path) -> None:
    path = tmp_path / "h.om"
    count = write_openmetrics(
        [
            Series("up", [(10.5, 1.0), (70.0, float("nan"))], {"job": 'a"b\\c'}),
            Series("depth", [(10.0, float("inf"))]),
            Series("up", [(10.0, 0.0)], {"job": "z"}),
        ],
        path,
    )
    assert count == 4
    assert path.read_text(encoding="utf-8").splitlines() == [
        "depth +Inf 10.000",
        'up{job="a\\"b\\\\c"} 1.0 10.500',
        'up{job="a\\"b\\\\c"} NaN 70.000',
        'up{job="z"} 0.0 10.000',
        "# EOF",
    ]


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (Series("up", [(20.0, 1.0), (10.0, 1.0)]), "not in time order"),
        (Series("1up", [(20.0, 1.0)]), "Invalid metric name"),
        (Series("up", [(20.0, 1.0)], {"__x": "1"}), "Invalid label name"),
    ],
)
def test_unwritable_series_are_refused(tmp_path: Path, series: Series, message: str) -> None:
    with pytest.raises(BackfillError, match=message):
        write_openmetrics([series], tmp_path / "h.om")


def test_a_missing_data_directory_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with (
        pytest.raises(StackError, match="No Prometheus data directory"),
        throwaway_prometheus(tmp_path / "missing"),
    ):
        pass
