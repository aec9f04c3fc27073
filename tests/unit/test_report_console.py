"""Console: phase and verdict lines always; a live status line on a terminal; the summary."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from report_support import suite
from rich.console import Console

from harness.engine.observer import AlertSnapshot, Observations
from harness.report.console import Progress, alert_states, summary
from harness.scenarios.model import Phase


class FakeObserver:
    def __init__(self, *alerts: tuple[str, str]) -> None:
        snap = AlertSnapshot(
            time.time(), tuple({"labels": {"alertname": n}, "state": s} for n, s in alerts)
        )
        self.data = Observations(prometheus=[snap])

    def snapshot(self) -> Observations:
        return self.data


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=terminal, width=120, color_system=None), buf


def test_alert_states_summarise_the_latest_poll() -> None:
    states = alert_states(FakeObserver(("B", "pending"), ("A", "firing"), ("B", "pending")))
    assert states.plain == "A firing, B pending x2"
    assert alert_states(FakeObserver()).plain == "no alert active"
    assert alert_states(None).plain == ""


def test_lines_without_a_terminal(tmp_path: Path) -> None:
    out, buf = _console(terminal=False)
    phase = Phase(name="fault", duration="auto", max="40m")
    with Progress(out) as progress:
        progress.on_phase("high-error-rate", phase, time.time() + 12)
        progress.watch("high-error-rate", FakeObserver(("HighErrorRate", "pending")))
        progress.on_result(suite(tmp_path).results[0])
    text = buf.getvalue()
    assert "high-error-rate: phase fault (no fault; auto, at most 1" in text
    assert "FAIL high-error-rate" in text and "HighErrorRate resolves" in text
    assert "⠋" not in text  # no live line off a terminal


def test_live_line_shows_phase_time_left_and_alert_states() -> None:
    out, buf = _console(terminal=True)
    progress = Progress(out)
    progress.on_phase("dlq", Phase(name="fault", duration="auto", max="40m"), time.time() + 30)
    progress.watch("dlq", FakeObserver(("DLQGrowing", "firing")))
    out.print(progress._render())
    line = buf.getvalue()
    assert "⠋ dlq" in line and "DLQGrowing firing" in line
    assert re.search(r"phase fault \(at most (29|30)\.\d s left\)", line)


def test_summary_table_has_totals(tmp_path: Path) -> None:
    out, buf = _console(terminal=False)
    summary(suite(tmp_path), out)
    text = buf.getvalue()
    assert "run run-1: 3 scenarios, 2 failed" in text
    assert "error" in text and "total" in text
    assert "note: a note" in text
