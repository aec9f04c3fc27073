"""promtool's series notation, as ParseSeriesDesc (promql/parser at v2.42.0) expands it."""

from __future__ import annotations

import math

import pytest

from harness.promtool.notation import NotationError, parse_labels, parse_values


def _plain(text: str) -> list[object]:
    out: list[object] = []
    for v in parse_values(text):
        out.append("_" if v.omitted else "stale" if v.stale else v.value)
    return out


@pytest.mark.parametrize(("text", "expected"), [
    ("1 2 3", [1.0, 2.0, 3.0]),
    ("1+2x3", [1.0, 3.0, 5.0, 7.0]),          # n+1 values
    ("10-2x2", [10.0, 8.0, 6.0]),
    ("5x2", [5.0, 5.0, 5.0]),
    ("_x3", ["_", "_", "_"]),                  # n omitted, not n+1
    ("_ 1 _", ["_", 1.0, "_"]),
    ("1 stale 2", [1.0, "stale", 2.0]),
    ("-1-1x2", [-1.0, -2.0, -3.0]),
    ("+3x1", [3.0, 3.0]),
    ("1e3x1 .5", [1000.0, 1000.0, 0.5]),
    ("0x10", [0.0] * 11),                      # not hex in a series
    ("  1   2  ", [1.0, 2.0]),
    ("", []),
])
def test_expanding_notation(text: str, expected: list[object]) -> None:
    assert _plain(text) == expected


def test_special_values() -> None:
    values = [v.value for v in parse_values("Inf -Inf NaN +inf")]
    assert values[0] == math.inf and values[1] == -math.inf and values[3] == math.inf
    assert math.isnan(values[2])


def test_steps_accumulate_like_go() -> None:
    """Go adds the step repeatedly: 0.1 three times is not 0.3 exactly."""
    assert parse_values("0+0.1x3")[3].value == 0.1 + 0.1 + 0.1


@pytest.mark.parametrize("text", ["1+1", "1x", "1xa", "abc", "1 2a", "1+1x2x", "1,2", "0x1.5",
                                  "stalex1", "Infx2"])  # one identifier to Go's lexer
def test_bad_values(text: str) -> None:
    with pytest.raises(NotationError):
        parse_values(text)


def test_labels() -> None:
    assert parse_labels('up{job="a", instance="b:1"}') == {
        "__name__": "up", "job": "a", "instance": "b:1"}
    assert parse_labels('{__name__="x:y", a="b"}') == {"__name__": "x:y", "a": "b"}
    for bad in ('up{job=~"a"}', "rate(up[5m])", "up{", 'up{a="1", a="2"}'):
        with pytest.raises(NotationError):
            parse_labels(bad)
