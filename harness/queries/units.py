"""Units of ground truths and panels: converting a panel's numbers, printing both sides.

A truth is kept in base units: ``ratio`` (0-1, printed as %), ``req/s`` and ``ops/s``
(per second), ``s`` (printed in ms below 1 s), ``count``. A Grafana panel's ``unit``
says how its query's numbers are scaled (``percent``: 0-100, ``ms``: milliseconds);
``panel_factor`` turns them into the base unit before comparing.
"""

from __future__ import annotations

import math

UNITS = ("ratio", "req/s", "ops/s", "s", "count")

# Grafana unit id -> multiply the query's number by this to get the base unit.
_PANEL_FACTORS = {"percent": 0.01, "ms": 0.001, "µs": 1e-6, "ns": 1e-9}


def panel_factor(grafana_unit: str | None) -> float:
    return _PANEL_FACTORS.get(grafana_unit or "", 1.0)


def fmt(value: float, unit: str) -> str:
    """A value for a message: '1.0%', '12.34 req/s', '180 ms', '2.1 s', '200'."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if unit == "ratio":
        return f"{value * 100:.1f}%" if abs(value) >= 0.001 or value == 0 else f"{value * 100:.3f}%"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if abs(value) < 1 else f"{value:.2f} s"
    if unit == "count":
        return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"
    return f"{value:.2f} {unit}"


def fmt_delta(value: float, unit: str) -> str:
    """A tolerance: '±0.5 points', '±0.30 req/s', '±50 ms', '±10'."""
    if unit == "ratio":
        return f"±{value * 100:.2g} points"
    return "±" + fmt(value, unit)
