"""Production time strings ("5m", "90s", "1h30m") as seconds.

The format is Prometheus's duration (``model.ParseDuration``): one or more
``<integer><unit>`` parts, units in decreasing order, each at most once; units
``ms s m h d w y``. A bare ``0`` is accepted (Prometheus accepts it too); any other
number without a unit is refused, because "30" could mean seconds or minutes.
"""

from __future__ import annotations

import re

_UNITS: dict[str, float] = {
    "y": 365 * 86400.0,
    "w": 7 * 86400.0,
    "d": 86400.0,
    "h": 3600.0,
    "m": 60.0,
    "s": 1.0,
    "ms": 0.001,
}
_ORDER = list(_UNITS)
_PART = re.compile(r"(\d+)(ms|[ywdhms])")


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration string; ``ValueError`` with a readable reason."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"Expected a duration such as '90s' or '5m', got {text!r}")
    raw = str(text).strip()
    if raw == "0":
        return 0.0
    if isinstance(text, int | float) or re.fullmatch(r"[\d.]+", raw):
        raise ValueError(f"Duration {raw} has no unit: write '{raw}s' or '{raw}m'")
    pos, total, last = 0, 0.0, -1
    for match in _PART.finditer(raw):
        if match.start() != pos:
            raise ValueError(_bad(raw))
        unit = match.group(2)
        rank = _ORDER.index(unit)
        if rank <= last:
            raise ValueError(f"Invalid duration '{raw}': units must go from largest to smallest")
        last = rank
        total += int(match.group(1)) * _UNITS[unit]
        pos = match.end()
    if pos != len(raw) or pos == 0:
        raise ValueError(_bad(raw))
    return total


def _bad(raw: str) -> str:
    return (
        f"Invalid duration '{raw}': use a number and a unit (ms, s, m, h, d, w, y), "
        "e.g. '90s', '1h30m'"
    )


def format_duration(seconds: float) -> str:
    """The shortest duration string for ``seconds`` (whole milliseconds), e.g. 5400 -> '1h30m'."""
    ms = round(seconds * 1000)
    if ms == 0:
        return "0s"
    parts = []
    for unit in _ORDER:
        size = round(_UNITS[unit] * 1000)
        count, ms = divmod(ms, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
