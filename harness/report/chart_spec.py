"""What one chart shows, as plain data (``chart.render`` draws it), and its layout.

Times are seconds after the scenario started.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 960
LEFT = 170  # y tick labels and verdict row labels
RIGHT = 24
PHASE_H = 18
PLOT_TOP = PHASE_H + 8
PLOT_H = 170
AXIS_H = 30
ROW_H = 20
LEGEND_H = 20
MAX_LEGEND_LINES = 8

SERIES_COLOURS = (
    "#1f5fbf",
    "#7a3fb5",
    "#0f8a7a",
    "#b5651d",
    "#5c6b7a",
    "#c2185b",
    "#558b2f",
    "#283593",
)
RECEIVER_COLOURS = ("#d35400", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457", "#5d4037")
BAND_FILL = {"pending": "#f2b705", "firing": "#d62828"}


@dataclass(frozen=True)
class Line:
    label: str
    points: list[tuple[float, float]]


@dataclass(frozen=True)
class Band:
    kind: str  # pending or firing
    start: float
    end: float | None  # None: still active at the end of the run
    label: str


@dataclass(frozen=True)
class PhaseSpan:
    name: str
    start: float
    end: float
    faults: str  # "" when the phase injects nothing


@dataclass(frozen=True)
class Mark:
    at: float
    receiver: str
    status: str  # firing, resolved, unknown
    label: str


@dataclass(frozen=True)
class Bracket:
    label: str
    reference: float | None  # None: no reference instant (no bracket drawn, ``missing`` shown)
    start: float  # window, seconds after the reference
    end: float | None
    slack: float
    observed: float | None
    passed: bool
    message: str
    missing: str = "reference instant unknown"


@dataclass
class ChartSpec:
    title: str
    x_range: tuple[float, float]
    lines: list[Line] = field(default_factory=list)
    threshold: float | None = None
    op: str | None = None
    phases: list[PhaseSpan] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    brackets: list[Bracket] = field(default_factory=list)
    receiver_colours: dict[str, str] = field(default_factory=dict)
    empty_note: str = ""  # shown when there is no line to draw


def receiver_palette(receivers: list[str]) -> dict[str, str]:
    """A stable colour per receiver for the whole report."""
    names = sorted(set(receivers))
    return {r: RECEIVER_COLOURS[i % len(RECEIVER_COLOURS)] for i, r in enumerate(names)}
