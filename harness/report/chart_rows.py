"""What is drawn under a chart's time axis: a row per verdict with its window as a
bracket (reference instant, window, slack, observed instant), then the legend."""

from __future__ import annotations

from harness.report.chart_spec import (
    BAND_FILL,
    LEFT,
    LEGEND_H,
    MAX_LEGEND_LINES,
    ROW_H,
    SERIES_COLOURS,
    WIDTH,
    Bracket,
    ChartSpec,
)
from harness.report.svg import Scale, el, text


def brackets(spec: ChartSpec, x: Scale, top: float) -> str:
    out = []
    for i, b in enumerate(spec.brackets):
        cy = top + i * ROW_H + ROW_H / 2
        colour = "#2e7d32" if b.passed else "#c62828"
        row = [text(LEFT - 6, cy + 4, b.label, text_anchor="end", fill=colour)]
        if b.reference is None:
            row.append(text(LEFT + 4, cy + 4, f"({b.missing})", fill="#888"))
        else:
            row += bracket_shapes(b, b.reference, x, cy, colour)
        out.append(
            el(
                "g",
                "".join(row),
                title=b.message,
                class_="verdict " + ("pass" if b.passed else "fail"),
            )
        )
    return "".join(out)


def bracket_shapes(b: Bracket, ref: float, x: Scale, cy: float, colour: str) -> list[str]:
    end = b.end if b.end is not None else x.hi - ref
    x0, x1 = x.clamp(ref + b.start), x.clamp(ref + end)
    s0, s1 = x.clamp(ref + b.start - b.slack), x.clamp(ref + end + b.slack)
    shapes = [
        el("line", x1=x.clamp(ref), x2=x0, y1=cy, y2=cy, stroke="#aab", stroke_dasharray="2 3"),
        el("path", d=f"M{x.clamp(ref) - 4:.1f},{cy:.1f} l4,-4 l4,4 l-4,4 z", fill="#667"),
        el(
            "line",
            x1=s0,
            x2=s1,
            y1=cy,
            y2=cy,
            stroke="#555",
            stroke_opacity=0.35,
            stroke_width=6,
            class_="slack",
        ),
        el(
            "path",
            d=f"M{x0:.1f},{cy - 6:.1f} v12 M{x0:.1f},{cy:.1f} H{x1:.1f} M{x1:.1f},{cy - 6:.1f} v12",
            stroke="#333",
            stroke_width=1.6,
            fill="none",
            class_="window",
        ),
    ]
    if b.observed is not None:
        shapes.append(
            el(
                "circle",
                cx=x.clamp(ref + b.observed),
                cy=cy,
                r=4.5,
                fill=colour,
                stroke="white",
                class_="observed",
            )
        )
    elif not b.passed:  # "never": right of the window, or left of it at the chart's edge
        px = x.clamp(ref + end + b.slack) + 8
        if px + 40 > WIDTH:
            px, anchor = min(x0, s0) - 8, "end"
        else:
            anchor = "start"
        shapes.append(
            text(px, cy + 4, "never", fill=colour, font_weight="bold", text_anchor=anchor)
        )
    return shapes


def legend_items(spec: ChartSpec, hatch: str) -> list[tuple[str, str]]:
    """(swatch, label) pairs: what the chart draws, then how verdicts are drawn."""
    items: list[tuple[str, str]] = []
    shown = spec.lines[:MAX_LEGEND_LINES]
    for i, line in enumerate(shown):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        items.append(
            (el("line", x1=0, x2=14, y1=5, y2=5, stroke=colour, stroke_width=2), line.label)
        )
    if len(spec.lines) > len(shown):
        items.append(("", f"+{len(spec.lines) - len(shown)} more series"))
    if spec.threshold is not None:
        items.append(
            (
                el("line", x1=0, x2=14, y1=5, y2=5, stroke="#d62828", stroke_dasharray="4 3"),
                "threshold",
            )
        )
    if spec.bands:
        for kind in ("pending", "firing"):
            items.append(
                (
                    el(
                        "rect",
                        x=0,
                        y=0,
                        width=14,
                        height=10,
                        fill=BAND_FILL[kind],
                        fill_opacity=0.35,
                    ),
                    kind,
                )
            )
    if any(p.faults for p in spec.phases):
        items.append((el("rect", x=0, y=0, width=14, height=10, fill=f"url(#{hatch})"), "fault"))
    for receiver in sorted({m.receiver for m in spec.marks}):
        colour = spec.receiver_colours.get(receiver, "#333")
        items.append((el("circle", cx=7, cy=5, r=4, fill=colour), f"notified: {receiver}"))
    if any(m.status != "firing" for m in spec.marks):
        items.append(
            (
                el("circle", cx=7, cy=5, r=4, fill="white", stroke="#555", stroke_width=2),
                "resolved notification",
            )
        )
    if spec.brackets:
        items += [
            (el("path", d="M3,5 l4,-4 l4,4 l-4,4 z", fill="#667"), "reference instant"),
            (
                el("path", d="M1,0 v10 M1,5 H13 M13,0 v10", stroke="#333", fill="none"),
                "window (grey: slack)",
            ),
            (el("circle", cx=7, cy=5, r=4, fill="#2e7d32"), "observed"),
        ]
    return items


def legend(items: list[tuple[str, str]], y0: float) -> tuple[str, float]:
    """Items flowed into rows; returns the SVG and the height used."""
    out, px, py = [], 10.0, y0
    for swatch, label in items:
        label = label if len(label) <= 40 else label[:39] + "…"
        width = 30 + 6.2 * len(label)
        if px + width > WIDTH and px > 10:
            px, py = 10.0, py + LEGEND_H
        out.append(
            f'<g transform="translate({px:.0f},{py:.0f})">{swatch}'
            + text(18 if swatch else 0, 10, label, fill="#444")
            + "</g>"
        )
        px += width
    return el("g", "".join(out), class_="legend"), py - y0 + LEGEND_H
