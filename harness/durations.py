"""Prometheus duration strings (``1h30m``, ``500ms``), parsed and written in one place.

The grammar is prometheus/common ``model.ParseDuration``, which Prometheus and
Alertmanager use: ``<integer><unit>`` parts with units ``y w d h m s ms`` from largest
to smallest, each at most once; a bare ``0`` is allowed; a year is 365 days. Values are
whole milliseconds, Prometheus's resolution. ``1.5s`` is *not* valid Prometheus, so
fractional seconds are written in milliseconds (``1s500ms``). Output never uses years
or weeks (conventions, not fixed lengths): days are the largest unit written.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta

_UNITS_MS: dict[str, int] = {
    "y": 365 * 86_400_000,
    "w": 7 * 86_400_000,
    "d": 86_400_000,
    "h": 3_600_000,
    "m": 60_000,
    "s": 1_000,
    "ms": 1,
}
_ORDER = list(_UNITS_MS)
_WRITTEN = ("d", "h", "m", "s", "ms")
_PART = re.compile(r"(\d+)(ms|[ywdhms])")
# Prometheus's model.Duration is a Go time.Duration: int64 nanoseconds, about 292 years.
MAX_MS = (2**63 - 1) // 1_000_000


def parse_ms(text: str) -> int:
    """Whole milliseconds of a duration string; ``ValueError`` with a readable reason."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"Expected a duration such as '90s' or '5m', got {text!r}")
    raw = str(text).strip()
    if raw == "0":
        return 0
    if isinstance(text, int | float) or re.fullmatch(r"[\d.]+", raw):
        raise ValueError(f"Duration {raw} has no unit: write '{raw}s' or '{raw}m'")
    pos, total, last = 0, 0, -1
    for match in _PART.finditer(raw):
        if match.start() != pos:
            raise ValueError(_bad(raw))
        rank = _ORDER.index(match.group(2))
        if rank <= last:
            raise ValueError(f"Invalid duration '{raw}': units must go from largest to smallest")
        last = rank
        total += int(match.group(1)) * _UNITS_MS[match.group(2)]
        pos = match.end()
    if pos != len(raw) or pos == 0:
        raise ValueError(_bad(raw))
    if total > MAX_MS:
        raise ValueError(f"Duration '{raw}' is out of range: Prometheus's largest is 292y "
                         f"({format_ms(MAX_MS)})")
    return total


def parse_duration(text: str) -> float:
    """Seconds of a duration string (see ``parse_ms``)."""
    return parse_ms(text) / 1000


def format_ms(ms: int) -> str:
    """Prometheus spelling of whole milliseconds: ``90000`` -> ``1m30s``; ``0`` -> ``0s``."""
    if ms == 0:
        return "0s"
    sign, rest = ("-", -ms) if ms < 0 else ("", ms)
    parts = []
    for unit in _WRITTEN:
        count, rest = divmod(rest, _UNITS_MS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)


def format_duration(seconds: float) -> str:
    """Float seconds -> duration string, rounded to the millisecond.

    A positive value never rounds down to zero (it becomes ``1ms``), so a scaled
    interval cannot silently vanish. Negative, NaN or infinite input: ``ValueError``.
    """
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a usable duration: {seconds!r} s")
    ms = round(seconds * 1000)
    return "1ms" if ms == 0 and seconds > 0 else format_ms(ms)


def timedelta_ms(delta: timedelta) -> float:
    """Exact milliseconds of a timedelta (promql_parser's duration type)."""
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds / 1000


def _bad(raw: str) -> str:
    return (
        f"Invalid duration '{raw}': use a number and a unit (ms, s, m, h, d, w, y), "
        "e.g. '90s', '1h30m'"
    )


# Names other modules used before the three copies were merged.
parse_seconds = parse_duration
format_seconds = format_duration
