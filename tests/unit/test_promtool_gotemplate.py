"""Alert templates rendered as Prometheus (Go text/template, its functions) renders them.
Expected strings are Go's output (fmt and template/template.go at v2.42.0)."""

from __future__ import annotations

import pytest

from harness.promtool import gofmt
from harness.promtool.gotemplate import Unsupported, render

LABELS = {"__name__": "up", "job": "api", "instance": "host:9090"}


def _render(text: str, value: float = 0.25) -> str:
    return render(text, LABELS, value, {"cluster": "eu"}, "http://prom")


@pytest.mark.parametrize(("value", "expected"), [
    (0.0, "0"), (1.0, "1"), (100000.0, "100000"), (1e6, "1e+06"), (1234567.0, "1.234567e+06"),
    (0.5, "0.5"), (1e-5, "1e-05"), (0.0001, "0.0001"), (-2.5e-7, "-2.5e-07"),
    (float("inf"), "+Inf"), (float("nan"), "NaN"),
])
def test_go_value(value: float, expected: str) -> None:
    assert gofmt.go_value(value) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("{{ $labels.job }} on {{ $labels.instance }}", "api on host:9090"),
    ("{{ .Labels.job }}/{{ $labels.missing }}/", "api//"),
    ("{{ $value }}", "0.25"),
    ("{{ .Value | humanizePercentage }}", "25%"),
    ("{{ humanize 1234.5 }} {{ 0.0123 | humanize }}", "1.234k 12.3m"),
    ("{{ humanize1024 2048 }}", "2ki"),
    ("{{ 3725 | humanizeDuration }} {{ humanizeDuration 0.5 }}", "1h 2m 5s 500ms"),
    ('{{ printf "%.2f" $value }}', "0.25"),
    ('{{ $value | printf "%.0f" }}', "0"),
    ("{{ $externalLabels.cluster }} {{ $externalURL }}", "eu http://prom"),
    ("a  {{- $labels.job -}}  b", "aapib"),
    ('{{ if gt $value 0.1 }}high{{ else }}low{{ end }}', "high"),
    ('{{ if eq $labels.job "db" }}db{{ else if eq $labels.job "api" }}api!{{ end }}', "api!"),
    ("{{ with $labels.job }}{{ . | toUpper }}{{ end }}", "API"),
    ('{{ reReplaceAll "(.*):.*" "$1" $labels.instance }}', "host"),
    ("{{ title \"hello world\" }}", "Hello World"),
])
def test_render(text: str, expected: str) -> None:
    assert _render(text) == expected


@pytest.mark.parametrize("text", [
    '{{ range $labels }}x{{ end }}', '{{ with query "up" }}{{ . }}{{ end }}',
    "{{ template \"x\" }}", "{{ if 1 }}open",
])
def test_unsupported_is_said(text: str) -> None:
    with pytest.raises(Unsupported):
        _render(text)


def test_printf_verbs() -> None:
    assert gofmt.printf("%s=%d (%5.1f%%)", "a", 3, 12.345) == "a=3 ( 12.3%)"
    assert gofmt.printf("%v", 1e6) == "1e+06"
    assert gofmt.printf("%q", 'x"y') == '"x\\"y"'
