"""Prometheus duration strings from float seconds, and back.

Prometheus (and Alertmanager) parse durations with prometheus/common's
``model.ParseDuration``: unit terms in descending order, each at most once,
``y w d h m s ms``, e.g. ``1h30m``, ``1s500ms``. ``1.5s`` is *not* accepted, so
fractional seconds must be written in whole milliseconds. Years and weeks are
never emitted (their lengths are conventions); days are, so output stays short.
"""

from __future__ import annotations

import math
import re

_UNITS_MS: tuple[tuple[str, int], ...] = (
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
)
_PARSE_MS = {"y": 365 * 86_400_000, "w": 7 * 86_400_000, **dict(_UNITS_MS)}
_DURATION_RE = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)


def format_duration(seconds: float) -> str:
    """Float seconds -> Prometheus duration, millisecond resolution.

    Rounds to the nearest millisecond; a positive value never rounds down to zero
    (it becomes ``1ms``), so a scaled interval cannot silently vanish.
    ``0`` -> ``"0s"``. Negative, NaN or infinite input raises ``ValueError``.
    """
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a usable duration: {seconds!r} s")
    total_ms = round(seconds * 1000)
    if total_ms == 0:
        return "1ms" if seconds > 0 else "0s"
    parts: list[str] = []
    for unit, size in _UNITS_MS:
        count, total_ms = divmod(total_ms, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def parse_duration(text: str) -> float:
    """Prometheus duration string -> float seconds (the inverse of ``format_duration``)."""
    text = text.strip()
    if text == "0":
        return 0.0
    match = _DURATION_RE.match(text)
    if not text or match is None or not any(match.groups()):
        raise ValueError(f"not a Prometheus duration: {text!r}")
    total_ms = sum(
        int(value) * _PARSE_MS[unit]
        for unit, value in zip(("y", "w", "d", "h", "m", "s", "ms"), match.groups(), strict=True)
        if value
    )
    return total_ms / 1000
