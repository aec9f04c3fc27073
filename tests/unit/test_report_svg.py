"""The chart's SVG building blocks: scales, nice ticks, labels, escaping, gaps."""

from __future__ import annotations

import pytest

from harness.report.chart import _segments, render
from harness.report.chart_spec import Bracket, ChartSpec, Line
from harness.report.svg import Scale, el, fmt_number, nice_range, ticks


def test_scale_maps_and_clamps() -> None:
    y = Scale(0.0, 10.0, 200.0, 0.0)  # pixels grow downwards
    assert (y(0), y(10), y(5)) == (200.0, 0.0, 100.0)
    assert y.clamp(20) == 0.0


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [(0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]), (0, 17.3, [0, 5, 10, 15]), (-5, 5, [-4, -2, 0, 2, 4])],
)
def test_ticks(lo: float, hi: float, expected: list[float]) -> None:
    assert ticks(lo, hi, 5) == pytest.approx(expected)


def test_nice_range_and_labels() -> None:
    assert nice_range(0, 0.163, 4) == pytest.approx((0, 0.2))
    assert nice_range(3, 3) == pytest.approx((3, 6))
    assert [fmt_number(v) for v in (0, 0.05, 1500, 25000, 3.2e6, 2e-5)] == [
        "0",
        "0.05",
        "1500",
        "25k",
        "3.2M",
        "2.0e-05",
    ]


def test_text_is_escaped() -> None:
    assert el("g", title='<a "b">') == "<g ><title>&lt;a &quot;b&quot;&gt;</title></g>"


def test_gaps_split_lines() -> None:
    points = [(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (10.0, 1.0), (11.0, 1.0)]
    assert [len(s) for s in _segments(points)] == [3, 2]


def test_chart_without_data_or_reference_says_so() -> None:
    spec = ChartSpec(
        "A in s",
        (0.0, 10.0),
        lines=[],
        empty_note="no data: boom",
        brackets=[Bracket("fires", None, 0.0, 1.0, 0.5, None, False, "m", missing="A never fired")],
    )
    svg = render(spec)
    assert "no data: boom" in svg and "(A never fired)" in svg
    assert (
        render(ChartSpec("B", (0.0, 10.0), lines=[Line("v", [(1.0, 2.0)])])).count("<circle") == 1
    )
