"""The tune page's trade-off chart: detection delay against false firings, one point per
candidate (inline SVG, ``svg`` helpers). x: the worst detection delay over the
must-fire scenarios (production minutes; a miss is drawn past the axis end, at
"missed"); y: firings on the must-not-fire scenarios. Green: meets every expectation;
red: does not; a ring: the rule as written."""

from __future__ import annotations

from dataclasses import dataclass

from harness.report.svg import Scale, el, fmt_number, nice_range, text, ticks
from harness.tune.backtest import BacktestResult, Row
from harness.tune.run import TuneResult

WIDTH, HEIGHT = 720.0, 360.0
LEFT, RIGHT, TOP, BOTTOM = 60.0, 90.0, 20.0, 50.0


@dataclass(frozen=True)
class Point:
    label: str
    delay_min: float | None  # None: missed a must-fire scenario
    false_firings: int
    ok: bool
    as_written: bool


def points(result: TuneResult) -> list[Point]:
    found = []
    for i, candidate in enumerate(result.candidates):
        checks = result.checks[i]
        fires = [c for c in checks if c.kind == "fires"]
        missed = any(c.delay_s is None for c in fires)
        delays = [c.delay_s for c in fires if c.delay_s is not None]
        delay = None if missed else (max(delays) / 60 if delays else 0.0)
        quiet = sum(c.firings for c in checks if c.kind == "never_fires")
        found.append(Point(candidate.label, delay, quiet, result.meets_all(i),
                           candidate.as_written))
    return found


def tradeoff_svg(result: TuneResult) -> str:
    pts = points(result)
    delays = [p.delay_min for p in pts if p.delay_min is not None]
    x_lo, x_hi = nice_range(0.0, max(delays, default=1.0) or 1.0)
    y_lo, y_hi = nice_range(0.0, float(max((p.false_firings for p in pts), default=1) or 1))
    x = Scale(x_lo, x_hi, LEFT, WIDTH - RIGHT)
    y = Scale(y_lo, y_hi, HEIGHT - BOTTOM, TOP)
    missed_x = WIDTH - RIGHT / 2
    parts = [el("rect", x=LEFT, y=TOP, width=WIDTH - LEFT - RIGHT,
                height=HEIGHT - TOP - BOTTOM, fill="none", stroke="#ccc")]
    for t in ticks(x_lo, x_hi):
        parts.append(text(x(t), HEIGHT - BOTTOM + 16, fmt_number(t), text_anchor="middle",
                          font_size=11))
    for t in ticks(y_lo, y_hi):
        parts.append(text(LEFT - 6, y(t) + 4, fmt_number(t), text_anchor="end", font_size=11))
    parts.append(text(missed_x, HEIGHT - BOTTOM + 16, "missed", text_anchor="middle",
                      font_size=11))
    parts.append(text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 12,
                      "worst detection delay on must-fire scenarios (production minutes)",
                      text_anchor="middle", font_size=12))
    parts.append(text(14, (TOP + HEIGHT - BOTTOM) / 2, "false firings", font_size=12,
                      text_anchor="middle",
                      transform=f"rotate(-90 14 {(TOP + HEIGHT - BOTTOM) / 2:.1f})"))
    for p in pts:
        cx = missed_x if p.delay_min is None else x(p.delay_min)
        cy = y(float(p.false_firings))
        tip = (f"{p.label}: " + ("missed" if p.delay_min is None else f"{p.delay_min:.2f} min")
               + f", {p.false_firings} false firing(s)" + (", meets all" if p.ok else ""))
        color = "#2e7d32" if p.ok else "#c62828"
        parts.append(el("circle", title=tip, cx=cx, cy=cy, r=4.0, fill=color,
                        fill_opacity=0.7))
        if p.as_written:
            parts.append(el("circle", title=f"as written: {tip}", cx=cx, cy=cy, r=8.0,
                            fill="none", stroke="#1565c0", stroke_width=2.0))
    body = "".join(parts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" '
            f'width="{WIDTH:.0f}" height="{HEIGHT:.0f}" role="img" '
            f'aria-label="trade-off: detection delay against false firings">{body}</svg>')


TL_WIDTH, TL_ROW = 260.0, 12.0


def timeline_svg(result: TuneResult, index: int) -> str:
    """One candidate's firing bands (red) over each scenario's phases (grey: the first
    phase, then alternating shades), one row per scenario, a shared time axis."""
    ends = [end for phases in result.phases.values() for _, _, end in phases]
    span = max(ends, default=1.0) or 1.0
    x = Scale(0.0, span, 0.0, TL_WIDTH)
    parts = []
    firing = result.firing[index] if index < len(result.firing) else {}
    for row, scenario in enumerate(result.scenarios):
        top = row * (TL_ROW + 2)
        for n, (name, start, end) in enumerate(result.phases.get(scenario, [])):
            shade = "#eceff1" if n % 2 == 0 else "#cfd8dc"
            parts.append(el("rect", title=f"{scenario}: {name} {start:g}-{end:g} min",
                            x=x(start), y=top, width=max(0.5, x(end) - x(start)),
                            height=TL_ROW, fill=shade))
        for start, end in firing.get(scenario, []):
            parts.append(el("rect", title=f"{scenario}: firing {start:g}-{end:g} min",
                            x=x(max(0.0, start)), y=top + 2,
                            width=max(1.0, x(min(end, span)) - x(max(0.0, start))),
                            height=TL_ROW - 4, fill="#c62828"))
    height = len(result.scenarios) * (TL_ROW + 2)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {TL_WIDTH:.0f} {height:.0f}" '
            f'width="{TL_WIDTH:.0f}" height="{height:.0f}" role="img" '
            f'aria-label="firing per scenario, {span:g} production minutes">'
            f'{"".join(parts)}</svg>')


def backtest_svg(result: BacktestResult) -> str:
    """`harness backtest`'s chart: pages per week (x) against hours firing (y), one point
    per candidate; ringed: a rule as written."""
    pts = [(result.pages_per_week(r), r.total_s / 3600, r) for r in result.rows]
    x_lo, x_hi = nice_range(0.0, max((p for p, _, _ in pts), default=1.0) or 1.0)
    y_lo, y_hi = nice_range(0.0, max((h for _, h, _ in pts), default=1.0) or 1.0)
    x = Scale(x_lo, x_hi, LEFT, WIDTH - RIGHT)
    y = Scale(y_lo, y_hi, HEIGHT - BOTTOM, TOP)
    parts = [el("rect", x=LEFT, y=TOP, width=WIDTH - LEFT - RIGHT,
                height=HEIGHT - TOP - BOTTOM, fill="none", stroke="#ccc")]
    parts += [text(x(t), HEIGHT - BOTTOM + 16, fmt_number(t), text_anchor="middle",
                   font_size=11) for t in ticks(x_lo, x_hi)]
    parts += [text(LEFT - 6, y(t) + 4, fmt_number(t), text_anchor="end", font_size=11)
              for t in ticks(y_lo, y_hi)]
    parts.append(text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 12,
                      "pages per week (fired episodes per 7 days)", text_anchor="middle",
                      font_size=12))
    parts.append(text(14, (TOP + HEIGHT - BOTTOM) / 2, "hours firing", font_size=12,
                      text_anchor="middle",
                      transform=f"rotate(-90 14 {(TOP + HEIGHT - BOTTOM) / 2:.1f})"))
    for pages, hours, row in pts:
        tip = f"{row.alert} {row.candidate.label}: {pages:.3g}/week, {hours:.3g} h firing"
        parts.append(el("circle", title=tip, cx=x(pages), cy=y(hours), r=4.0, fill="#c62828",
                        fill_opacity=0.7))
        if row.candidate.as_written:
            parts.append(el("circle", title=f"as written: {tip}", cx=x(pages), cy=y(hours),
                            r=8.0, fill="none", stroke="#1565c0", stroke_width=2.0))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" '
            f'width="{WIDTH:.0f}" height="{HEIGHT:.0f}" role="img" '
            f'aria-label="pages per week against hours firing">{"".join(parts)}</svg>')


def backtest_timeline_svg(result: BacktestResult, row: Row) -> str:
    """One candidate's firing bands (red) over the whole range (grey)."""
    x = Scale(result.start, max(result.end, result.start + 1), 0.0, TL_WIDTH)
    parts = [el("rect", x=0.0, y=0.0, width=TL_WIDTH, height=TL_ROW, fill="#eceff1")]
    for start, end in row.firing:
        parts.append(el("rect", title=f"firing {(end - start) / 60:.0f} min",
                        x=x(max(start, result.start)), y=2.0,
                        width=max(1.0, x(end) - x(max(start, result.start))),
                        height=TL_ROW - 4, fill="#c62828"))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {TL_WIDTH:.0f} {TL_ROW:.0f}" '
            f'width="{TL_WIDTH:.0f}" height="{TL_ROW:.0f}" role="img" '
            f'aria-label="firing over the range">{"".join(parts)}</svg>')
