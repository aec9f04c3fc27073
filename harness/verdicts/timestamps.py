"""Instants as Prometheus and Alertmanager write them (Go's RFC 3339, nanoseconds)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any


def parse_timestamp(value: Any) -> float | None:
    """Epoch seconds of an RFC 3339 time as Go writes it (nanoseconds, ``Z``); None for zero."""
    if not value or not isinstance(value, str) or value.startswith("0001-01-01"):
        return None
    match = re.fullmatch(r"(.+?T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", value.strip())
    if match is None:
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    base, fraction, zone = match.groups()
    stamp = datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone))
    return stamp.astimezone(UTC).timestamp() + (float(f"0.{fraction}") if fraction else 0.0)
