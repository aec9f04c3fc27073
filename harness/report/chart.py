"""One alert's chart as inline SVG: the expression's value against its threshold over
time, pending and firing bands, the fault window, notification marks and each
verdict's window drawn as a bracket under the time axis.

Times are seconds after the scenario started. Hovering an element shows its details
(SVG ``<title>``); no script, no network.
"""

from __future__ import annotations

import itertools
import statistics
from html import escape

from harness.report.chart_rows import brackets, legend, legend_items
from harness.report.chart_spec import (
    AXIS_H,
    BAND_FILL,
    LEFT,
    PHASE_H,
    PLOT_H,
    PLOT_TOP,
    RIGHT,
    ROW_H,
    SERIES_COLOURS,
    WIDTH,
    ChartSpec,
)
from harness.report.svg import Scale, el, fmt_number, nice_range, path_d, text, ticks


def render(spec: ChartSpec, uid: str = "c") -> str:
    """The chart as an ``<svg>`` element; ``uid`` keeps its ids unique on a page."""
    hatch = f"hatch-{uid}"
    legend_top = PLOT_TOP + PLOT_H + AXIS_H + ROW_H * len(spec.brackets) + 4
    key, key_height = legend(legend_items(spec, hatch), legend_top)
    height = legend_top + key_height
    x = Scale(spec.x_range[0], spec.x_range[1], LEFT, WIDTH - RIGHT)
    y = _y_scale(spec)
    bottom = PLOT_TOP + PLOT_H
    parts = [
        _phases(spec, x, hatch),
        _bands(spec, x),
        _grid(spec, x, y),
        _lines(spec, x, y),
        _threshold(spec, x, y),
        _marks(spec, x),
        brackets(spec, x, bottom + AXIS_H),
        key,
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(spec.title)}" font-family="system-ui, sans-serif" '
        f'font-size="11">' + "".join(parts) + "</svg>"
    )


def _y_scale(spec: ChartSpec) -> Scale:
    values = [v for line in spec.lines for _, v in line.points]
    if spec.threshold is not None:
        values.append(spec.threshold)
    lo, hi = (min([*values, 0.0]), max([*values, 0.0])) if values else (0.0, 1.0)
    lo, hi = nice_range(lo, hi * 1.08 if hi > 0 else hi, 4)
    return Scale(lo, hi, PLOT_TOP + PLOT_H, PLOT_TOP)


def _phases(spec: ChartSpec, x: Scale, hatch: str) -> str:
    out = []
    for i, p in enumerate(spec.phases):
        x0, x1 = x.clamp(p.start), x.clamp(p.end)
        fault = bool(p.faults)
        fill = "#f6c9a8" if fault else ("#e4e8ee" if i % 2 == 0 else "#eef1f5")
        what = f"phase {p.name}: {p.start:.1f} s to {p.end:.1f} s" + (
            f", fault: {p.faults}" if fault else ""
        )
        out.append(
            el(
                "rect",
                title=what,
                x=x0,
                y=0,
                width=max(1.0, x1 - x0),
                height=PHASE_H,
                fill=fill,
                class_="phase",
            )
        )
        label = p.name + (f" ({p.faults})" if fault else "")
        if x1 - x0 > 6.5 * len(label):
            out.append(text((x0 + x1) / 2, 13, label, text_anchor="middle", fill="#333"))
        elif x1 - x0 > 6.5 * len(p.name):
            out.append(text((x0 + x1) / 2, 13, p.name, text_anchor="middle", fill="#333"))
        if fault:  # the fault window, across the plot
            out.append(
                el(
                    "rect",
                    title=what,
                    x=x0,
                    y=PLOT_TOP,
                    width=max(1.0, x1 - x0),
                    height=PLOT_H,
                    fill=f"url(#{hatch})",
                    class_="fault-window",
                )
            )
    defs = (
        f'<defs><pattern id="{hatch}" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#fbe7d8"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#f0b48a" stroke-width="3"/></pattern></defs>'
    )
    return defs + "".join(out)


def _bands(spec: ChartSpec, x: Scale) -> str:
    out = []
    for b in spec.bands:
        end = b.end if b.end is not None else spec.x_range[1]
        x0, x1 = x.clamp(b.start), x.clamp(end)
        out.append(
            el(
                "rect",
                title=b.label,
                x=x0,
                y=PLOT_TOP,
                width=max(1.5, x1 - x0),
                height=PLOT_H,
                fill=BAND_FILL.get(b.kind, "#999"),
                fill_opacity=0.2,
                class_=f"band band-{b.kind}",
            )
        )
        out.append(
            el(
                "rect",
                x=x0,
                y=PLOT_TOP,
                width=max(1.5, x1 - x0),
                height=4,
                fill=BAND_FILL.get(b.kind, "#999"),
            )
        )
    return "".join(out)


def _grid(spec: ChartSpec, x: Scale, y: Scale) -> str:
    out = [
        el(
            "rect",
            x=LEFT,
            y=PLOT_TOP,
            width=WIDTH - RIGHT - LEFT,
            height=PLOT_H,
            fill="none",
            stroke="#c8ced6",
        )
    ]
    for v in ticks(y.lo, y.hi, 4):
        py = y(v)
        out.append(el("line", x1=LEFT, x2=WIDTH - RIGHT, y1=py, y2=py, stroke="#eceff3"))
        out.append(text(LEFT - 6, py + 4, fmt_number(v), text_anchor="end", fill="#555"))
    bottom = PLOT_TOP + PLOT_H
    for t in ticks(spec.x_range[0], spec.x_range[1], 10):
        px = x(t)
        out.append(el("line", x1=px, x2=px, y1=bottom, y2=bottom + 4, stroke="#888"))
        out.append(text(px, bottom + 15, f"{t:g} s", text_anchor="middle", fill="#555"))
    out.append(text(LEFT - 20, bottom + 15, "time since start", text_anchor="end", fill="#888"))
    return "".join(out)


def _segments(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Split where samples are missing (a gap of more than 2.5 typical steps)."""
    if len(points) < 3:
        return [points] if points else []
    step = statistics.median(b[0] - a[0] for a, b in itertools.pairwise(points))
    out: list[list[tuple[float, float]]] = [[points[0]]]
    for a, b in itertools.pairwise(points):
        if b[0] - a[0] > 2.5 * step:
            out.append([])
        out[-1].append(b)
    return out


def _lines(spec: ChartSpec, x: Scale, y: Scale) -> str:
    if not spec.lines:
        note = spec.empty_note or "no data"
        return text(
            (LEFT + WIDTH - RIGHT) / 2,
            PLOT_TOP + PLOT_H / 2,
            note,
            text_anchor="middle",
            fill="#888",
            class_="empty",
        )
    out = []
    for i, line in enumerate(spec.lines):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        for seg in _segments(line.points):
            pts = [(x.clamp(t), y(v)) for t, v in seg]
            if len(pts) == 1:
                out.append(el("circle", cx=pts[0][0], cy=pts[0][1], r=2, fill=colour))
                continue
            out.append(
                el(
                    "path",
                    title=line.label,
                    d=path_d(pts),
                    fill="none",
                    stroke=colour,
                    stroke_width=1.8,
                    class_="value-line",
                )
            )
    return "".join(out)


def _threshold(spec: ChartSpec, x: Scale, y: Scale) -> str:
    if spec.threshold is None:
        return ""
    py = y(spec.threshold)
    label = f"threshold {spec.op or ''} {fmt_number(spec.threshold)}".replace("  ", " ")
    return el(
        "line",
        title=label,
        x1=LEFT,
        x2=WIDTH - RIGHT,
        y1=py,
        y2=py,
        stroke="#d62828",
        stroke_width=1.5,
        stroke_dasharray="6 4",
        class_="threshold",
    ) + text(LEFT + 4, py - 4, label, fill="#d62828")


def _marks(spec: ChartSpec, x: Scale) -> str:
    out = []
    bottom = PLOT_TOP + PLOT_H
    for m in spec.marks:
        px = x.clamp(m.at)
        colour = spec.receiver_colours.get(m.receiver, "#333")
        firing = m.status == "firing"
        tick = el(
            "line",
            x1=px,
            x2=px,
            y1=bottom - 30,
            y2=bottom,
            stroke=colour,
            stroke_width=2,
            stroke_dasharray=None if firing else "3 2",
        )
        head = el(
            "circle",
            cx=px,
            cy=bottom - 33,
            r=4,
            stroke=colour,
            stroke_width=2,
            fill=colour if firing else "white",
        )
        out.append(el("g", tick + head, title=m.label, class_=f"notification {m.status}"))
    return "".join(out)
