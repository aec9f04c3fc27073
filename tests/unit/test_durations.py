"""Prometheus duration strings from float seconds (harness.stack.durations)."""

from __future__ import annotations

import math

import pytest

from harness.durations import format_duration, parse_duration, parse_ms


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.5, "500ms"),
        (1, "1s"),
        (1.5, "1s500ms"),
        (0.001, "1ms"),
        (0.0004, "1ms"),  # positive never rounds down to zero
        (0.0015, "2ms"),
        (5.0 / 60, "83ms"),  # 5 s at time scale 60
        (300 / 60, "5s"),
        (90, "1m30s"),
        (3600, "1h"),
        (4 * 3600 / 60, "4m"),
        (86400 + 1.25, "1d1s250ms"),
        (12 * 3600, "12h"),
    ],
)
def test_format(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_format_rejects(bad: float) -> None:
    with pytest.raises(ValueError, match="not a usable duration"):
        format_duration(bad)


@pytest.mark.parametrize("seconds", [0.001, 0.25, 1, 59.999, 61.5, 3599.5, 90061.001])
def test_round_trip(seconds: float) -> None:
    assert parse_duration(format_duration(seconds)) == pytest.approx(seconds, abs=5e-4)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0", 0.0), ("5m", 300.0), ("1h30m", 5400.0), ("2w", 14 * 86400.0), ("1y", 365 * 86400.0)],
)
def test_parse(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "1.5s", "5", "1s1m", "m", "5 m"])
def test_parse_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match=r"Invalid duration|no unit|units must go"):
        parse_duration(bad)


def test_the_largest_prometheus_duration_is_the_limit() -> None:
    """Prometheus's model.Duration is int64 nanoseconds (about 292 years): beyond it
    Prometheus refuses the file, so the harness refuses it first."""
    assert parse_ms("106751d23h47m16s854ms") == (2**63 - 1) // 1_000_000
    for bad in ("106751d23h47m16s855ms", "293y", "99999999999y"):
        with pytest.raises(ValueError, match="out of range: Prometheus's largest is 292y"):
            parse_ms(bad)
