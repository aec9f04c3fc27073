"""The live leg's pure parts: what the series exporter serves at a test time, and the
masking of value-printing annotations."""

from __future__ import annotations

from harness.promtool.live import _masked, exposition
from harness.promtool.notation import parse_labels, parse_values
from harness.promtool.testfile import InputSeries


def _series(text: str, values: str) -> InputSeries:
    return InputSeries(parse_labels(text), parse_values(values), text, 1)


def test_exposition_follows_the_test_time() -> None:
    series = [_series('up{job="a"}', "1 _ 0 stale 2"), _series("x", "5")]
    assert exposition(series, 60_000, 0) == 'up{job="a"} 1.0\nx{} 5.0\n'
    assert exposition(series, 60_000, 59_999) == 'up{job="a"} 1.0\nx{} 5.0\n'
    assert exposition(series, 60_000, 60_000) == ""  # omitted; x has ended
    assert exposition(series, 60_000, 120_000) == 'up{job="a"} 0.0\n'
    assert exposition(series, 60_000, 180_000) == ""  # stale: not served
    assert exposition(series, 60_000, 300_000) == ""  # past the end


def test_value_annotations_are_masked() -> None:
    alerts = [((("alertname", "A"),), (("description", "grew by 146.5 in 1h"),
                                       ("summary", "queue 3")))]
    masked = _masked(alerts, {"description"})
    assert masked == [((("alertname", "A"),), (("description", "grew by # in #h"),
                                               ("summary", "queue 3")))]
