"""range-window-short: range windows under 4 scrape intervals (docs/TIMING.md: W >= 4*S).

rate() and increase() need two samples inside the window; with W < 4*S one missed or
late scrape leaves the window with one sample, and the series drops out of the result.
"""

from __future__ import annotations

import promql_parser as pp

from harness.durations import format_duration, timedelta_ms
from harness.lint.model import Finding, LintOptions, Query
from harness.rules.promql import nodes

CHECK = "range-window-short"


def check(query: Query, options: LintOptions) -> list[Finding]:
    s = options.scrape_interval_s
    found = []
    for node in nodes(query.node):
        if not isinstance(node, pp.MatrixSelector) or node.range is None:
            continue
        window = timedelta_ms(node.range) / 1000
        if window >= 4 * s:
            continue
        found.append(query.finding(
            CHECK,
            f"`{node.prettify()}`: a {format_duration(window)} window holds at most "
            f"{int(window // s) + 1} scrapes at a {format_duration(s)} scrape interval; "
            "rate()/increase() need two samples in it, so one missed or late scrape makes "
            "the series vanish and the alert or panel flicker.",
            f"Use a window of at least 4 scrape intervals: [{format_duration(4 * s)}] "
            "(or pass the real interval with --scrape-interval).",
        ))
    return found
