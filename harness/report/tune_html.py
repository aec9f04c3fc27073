"""The `harness tune` page: one self-contained HTML file in the report's style (its CSS,
inline SVG, no script): the trade-off chart and the candidate table."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from harness.errors import InputError
from harness.report.html import environment
from harness.report.tune_chart import (
    backtest_svg,
    backtest_timeline_svg,
    timeline_svg,
    tradeoff_svg,
)
from harness.tune.backtest import BacktestResult
from harness.tune.output import by_scenario, cell
from harness.tune.run import TuneResult


def render_tune_html(result: TuneResult) -> str:
    rows = [
        {
            "candidate": c,
            "ok": result.meets_all(i),
            "cells": [cell(checks) for checks in by_scenario(result, i).values()],
            "timeline": timeline_svg(result, i),
        }
        for i, c in enumerate(result.candidates)
    ]
    template = environment().get_template("tune.html.j2")
    return template.render(result=result, rows=rows, chart=tradeoff_svg(result))


def write_tune_html(result: TuneResult, path: Path) -> Path:
    return _write_page(render_tune_html(result), path, "tune")


def render_backtest_html(result: BacktestResult) -> str:
    rows = [{"row": r, "pages": result.pages_per_week(r),
             "timeline": backtest_timeline_svg(result, r)} for r in result.rows]
    template = environment().get_template("backtest.html.j2")
    return template.render(result=result, rows=rows, chart=backtest_svg(result),
                           start=_when(result.start), end=_when(result.end))


def write_backtest_html(result: BacktestResult, path: Path) -> Path:
    return _write_page(render_backtest_html(result), path, "backtest")


def _write_page(html: str, path: Path, what: str) -> Path:
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write the {what} page: {exc}", path=path) from None
    return path


def _when(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
