"""Instants as Prometheus writes them: Go's RFC 3339 with nanoseconds."""

from __future__ import annotations

import pytest

from harness.verdicts.timestamps import parse_timestamp

T0 = 1_700_000_000.0


def test_parse_timestamp_keeps_nanoseconds() -> None:
    assert parse_timestamp("2023-11-14T22:13:20.123456789Z") == pytest.approx(T0 + 0.123456789)
    assert parse_timestamp("2023-11-14T23:13:20+01:00") == T0
    assert parse_timestamp("0001-01-01T00:00:00Z") is None
    assert parse_timestamp(None) is None
    with pytest.raises(ValueError):
        parse_timestamp("yesterday")
