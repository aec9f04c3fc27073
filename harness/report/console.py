"""Console output during a run: a line per phase and per verdict, a live status line
(scenario, phase, time left, alert states) on a terminal, and a summary table.

``Progress`` is used as a context manager around the run; its methods are the engine's
hooks: ``on_phase(scenario_id, phase, deadline)``, ``watch(scenario_id, observer)``
(alert states come from the engine's live observer) and ``on_result(result)``. They are
called from scenario threads, so the shared state is locked. Off a terminal (CI logs)
only the lines are printed.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from harness.engine.result import ScenarioResult
from harness.engine.suite import SuiteResult
from harness.scenarios.model import Phase

if TYPE_CHECKING:
    from harness.engine.observer import Observations

console = Console(stderr=True, highlight=False, soft_wrap=True)
STATE_STYLE = {"pending": "yellow", "firing": "bold red"}


class Watchable(Protocol):
    """What the live line needs of ``harness.engine.observer.Observer``."""

    def snapshot(self) -> Observations: ...


@dataclass
class _Running:
    started: float
    phase: Phase | None = None
    deadline: float = 0.0
    observer: Watchable | None = None
    spinner: Spinner = field(default_factory=lambda: Spinner("dots"))


def alert_states(observer: Watchable | None) -> Text:
    """'HighErrorRate firing, DLQGrowing pending x2' from the latest poll."""
    if observer is None:
        return Text("")
    polls = observer.snapshot().prometheus
    if not polls:
        return Text("no poll yet", style="dim")
    counts = Counter(
        (a.get("labels", {}).get("alertname", "?"), a.get("state", "?")) for a in polls[-1].alerts
    )
    if not counts:
        return Text("no alert active", style="dim")
    out = Text()
    for i, ((name, state), n) in enumerate(sorted(counts.items())):
        out.append(", " if i else "")
        out.append(f"{name} {state}" + (f" x{n}" if n > 1 else ""), STATE_STYLE.get(state, ""))
    return out


class Progress:
    def __init__(self, out: Console = console) -> None:
        self.console = out
        self._lock = threading.Lock()
        self._running: dict[str, _Running] = {}
        self._live: Live | None = None

    def __enter__(self) -> Progress:
        if self.console.is_terminal:
            self._live = Live(
                get_renderable=self._render,
                console=self.console,
                refresh_per_second=4,
                transient=True,
            )
            self._live.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def _entry(self, scenario_id: str) -> _Running:
        return self._running.setdefault(scenario_id, _Running(time.time()))

    def on_phase(self, scenario_id: str, phase: Phase, deadline: float) -> None:
        with self._lock:
            entry = self._entry(scenario_id)
            entry.phase, entry.deadline = phase, deadline
        print_phase(scenario_id, phase, deadline, self.console)

    def watch(self, scenario_id: str, observer: Watchable) -> None:
        """Hook: the scenario's observer started; its polls feed the live alert states."""
        with self._lock:
            self._entry(scenario_id).observer = observer

    def on_result(self, result: ScenarioResult) -> None:
        with self._lock:
            self._running.pop(result.scenario_id, None)
        print_result(result, self.console)

    def _render(self) -> Group:
        with self._lock:
            running = dict(self._running)
        now = time.time()
        rows = []
        for sid, r in running.items():
            line = Text.assemble((sid, "bold"), f"  {now - r.started:5.1f} s")
            if r.phase is not None:
                left = max(0.0, r.deadline - now)
                auto = "at most " if r.phase.duration == "auto" else ""
                line.append(f"  phase {r.phase.name}", "cyan")
                line.append(f" ({auto}{left:.1f} s left)")
            states = alert_states(r.observer)
            if states:
                line.append("  ")
                line.append_text(states)
            r.spinner.update(text=line)
            rows.append(r.spinner)
        return Group(*rows)


def print_phase(scenario_id: str, phase: Phase, deadline: float, out: Console = console) -> None:
    left = max(0.0, deadline - time.time())
    kind = "auto, at most" if phase.duration == "auto" else "for"
    faults = ", ".join(f.kind for f in phase.faults) or "no fault"
    if phase.users is not None:
        faults += f"; {phase.users} users"
    out.print(
        f"[dim]{time.strftime('%H:%M:%S')}[/] {scenario_id}: phase [bold]{phase.name}[/] "
        f"({faults}; {kind} {left:.1f} s)"
    )


def print_result(result: ScenarioResult, out: Console = console) -> None:
    mark = "[green]PASS[/]" if result.passed else "[red]FAIL[/]"
    if result.error:  # could not run: an error of the run, never a failed expectation
        mark = "[magenta]ERROR[/]"
    out.print(f"{mark} {result.scenario_id} ({result.ended - result.started:.1f} s)")
    if result.error:
        out.print(f"    [red]could not run:[/] {result.error}")
    for v in result.verdicts:
        sign = "[green]ok[/]  " if v.passed else "[red]FAIL[/]"
        out.print(f"    {sign} {v.message}")


# Plain hooks for callers without a Progress: lines only.
on_phase = print_phase
on_result = print_result


def summary(suite: SuiteResult, out: Console = console) -> None:
    failed = sum(not r.passed for r in suite.results)
    verdict = "[green]all passed[/]" if not failed else f"[red]{failed} failed[/]"
    table = Table(
        title=f"run {suite.run_id}: {len(suite.results)} scenarios, {verdict}",
        title_justify="left",
        show_footer=True,
    )
    total_exp = sum(len(r.verdicts) for r in suite.results)
    total_failed = sum(len(r.failures()) for r in suite.results)
    table.add_column("scenario", footer="total")
    table.add_column("result")
    table.add_column("expectations", justify="right", footer=str(total_exp))
    table.add_column("failed", justify="right", footer=str(total_failed))
    table.add_column("seconds", justify="right", footer=f"{suite.ended - suite.started:.1f}")
    recorded = sum((r.recording or {}).get("size_bytes", 0) for r in suite.results)
    table.add_column("recording", justify="right", footer=f"{recorded / 1e6:.1f} MB")
    for r in suite.results:
        table.add_row(
            r.scenario_id,
            "[green]pass[/]" if r.passed else ("[magenta]error[/]" if r.error else "[red]fail[/]"),
            str(len(r.verdicts)),
            f"[red]{len(r.failures())}[/]" if r.failures() else "0",
            f"{r.ended - r.started:.1f}",
            f"{(r.recording or {}).get('size_bytes', 0) / 1e6:.2f} MB" if r.recording else "-",
        )
    out.print(table)
    for note in suite.prepared.notes:
        out.print(f"[yellow]note:[/] {note}")
