"""Small SVG helpers: linear scales, nice tick values, escaped elements. No dependencies."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Scale:
    """Maps a data interval onto a pixel interval (either direction)."""

    lo: float
    hi: float
    px_lo: float
    px_hi: float

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo or 1.0
        return self.px_lo + (value - self.lo) / span * (self.px_hi - self.px_lo)

    def clamp(self, value: float) -> float:
        return self(min(max(value, self.lo), self.hi))


def nice_step(span: float, target: int) -> float:
    """A 1/2/5 x 10^k step giving about ``target`` intervals over ``span``."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(1, target)
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    step = nice_step(hi - lo, target)
    first = math.ceil(lo / step - 1e-9) * step
    out = []
    value = first
    while value <= hi + step * 1e-9:
        out.append(0.0 if abs(value) < step * 1e-9 else value)
        value += step
    return out


def nice_range(lo: float, hi: float, target: int = 5) -> tuple[float, float]:
    """``[lo, hi]`` widened to tick boundaries."""
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    step = nice_step(hi - lo, target)
    return math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step


def fmt_number(value: float) -> str:
    """Compact tick labels: 0.05, 1.5, 120, 1.2k, 3.4M, 2e-05."""
    if value == 0:
        return "0"
    a = abs(value)
    if a >= 1e6:
        return f"{value / 1e6:.3g}M"
    if a >= 1e4:
        return f"{value / 1e3:.3g}k"
    if a < 1e-3:
        return f"{value:.1e}"
    return f"{value:.4g}"


def attrs(**values: object) -> str:
    """``key="value"`` pairs; ``class_`` -> class, ``stroke_width`` -> stroke-width."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            value = f"{value:.1f}"
        parts.append(f'{name}="{escape(str(value))}"')
    return " ".join(parts)


def el(tag: str, body: str = "", title: str | None = None, **values: object) -> str:
    """One element; ``title`` becomes a hover tooltip."""
    inner = (f"<title>{escape(title)}</title>" if title else "") + body
    return f"<{tag} {attrs(**values)}>{inner}</{tag}>" if inner else f"<{tag} {attrs(**values)}/>"


def text(x: float, y: float, content: str, **values: object) -> str:
    return f"<text {attrs(x=x, y=y, **values)}>{escape(content)}</text>"


def path_d(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(points))
