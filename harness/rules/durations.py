"""Prometheus durations (``1h30m``, ``500ms``) as Prometheus and Alertmanager write them.

Same grammar as ``model.ParseDuration`` of prometheus/common: units y w d h m s ms in
that order, integers only, ``0`` allowed; a year is 365 days. Values are kept in whole
milliseconds, the resolution Prometheus has.
"""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS_MS: tuple[tuple[str, int], ...] = (
    ("y", 365 * 86_400_000),
    ("w", 7 * 86_400_000),
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1000),
    ("ms", 1),
)
_PATTERN = re.compile("".join(rf"(?:(\d+){unit})?" for unit, _ in _UNITS_MS))


def parse_ms(text: str) -> int:
    """Milliseconds of a Prometheus duration; ValueError with the reason otherwise."""
    value = text.strip()
    if value == "0":
        return 0
    match = _PATTERN.fullmatch(value)
    if not value or match is None:
        raise ValueError(f"not a valid duration string: {text!r} (e.g. 30s, 5m, 1h30m, 500ms)")
    return sum(int(n) * ms for n, (_, ms) in zip(match.groups(), _UNITS_MS, strict=True) if n)


def parse_seconds(text: str) -> float:
    return parse_ms(text) / 1000


def format_ms(ms: int) -> str:
    """Prometheus spelling of a whole number of milliseconds (``90000`` -> ``1m30s``)."""
    if ms == 0:
        return "0s"
    sign, rest = ("-", -ms) if ms < 0 else ("", ms)
    parts = []
    for unit, size in _UNITS_MS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)


def format_seconds(seconds: float) -> str:
    return format_ms(round(seconds * 1000))


def timedelta_ms(delta: timedelta) -> float:
    """Exact milliseconds of a timedelta (promql_parser's duration type)."""
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds / 1000
