"""A run of several scenarios: prepare once, one fresh stack per scenario, one report folder.

The one suite path of `harness run` and the pytest plugin:

    suite = Suite.open(options)          # report dir usable; rules scaled, routes rendered
    chosen = suite.choose(scenarios)     # --mark, --alert; then the chosen ones checked
    suite.run_all(chosen)                # or suite.run_one(scenario) per pytest item
    write_reports(suite.finish())        # harness.report.writer

Selection comes first: a scenario left out is never checked (those whose alerts the
rules under test lack are listed in the run's notes); the chosen ones are checked
against the rules and routes and for what can be checked before a stack
(``preflight``); selecting nothing is an error, never an empty green run. An
interrupted run's folder holds ``INCOMPLETE``.

``run_one`` records a scenario that could not run (a HarnessError) as that scenario's
error, so report.json, junit.xml and the console say the same under both. Each
scenario gets its own stack, so its verdict cannot depend on what ran before it;
``--parallel N`` runs N of them side by side (each stack on its own ports). Report
folders: ``<report-dir>/<run-id>/scenarios/<scenario id, file-name safe>/``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.engine.preflight import check_runnable
from harness.engine.result import ScenarioResult
from harness.engine.runner import ProgressHook, WatchHook, run_scenario
from harness.engine.shard import empty_shard, take_shard
from harness.errors import HarnessError
from harness.options import RunOptions
from harness.prepare import PreparedRun, prepare
from harness.scenarios.model import Scenario
from harness.scenarios.validate import select_by_alert, validate_against
from harness.stack.binaries import LOCAL_STACK_PROGRAMS

ResultHook = Callable[[ScenarioResult], None]
INCOMPLETE = "INCOMPLETE"  # in a run's folder until it finishes; says why when interrupted


@dataclass
class SuiteResult:
    run_id: str
    report_dir: Path
    prepared: PreparedRun
    options: RunOptions
    results: list[ScenarioResult] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)


def prepare_run(options: RunOptions) -> PreparedRun:
    """Check the environment the backend needs, then prepare rules and routes once."""
    binaries: tuple[str, ...] = LOCAL_STACK_PROGRAMS
    if options.backend == "containers":
        from harness.stack.containers import preflight

        preflight()  # engine reachable, every image present, network setting valid
        binaries = ()  # the containers bring their own; amtool still renders routes
    prepared = prepare(
        rules=options.rules,
        alertmanager_config=options.alertmanager_config,
        time_scale=options.time_scale,
        binaries=binaries,
    )
    spec = replace(prepared.stack_spec, database=options.database)
    notes = prepared.notes
    if options.database == "postgres":  # shown in the summary and report.json
        notes = (*notes, "target database: PostgreSQL of the stack's own (--database postgres)")
    return replace(prepared, stack_spec=spec, notes=notes)


def select(
    scenarios: Sequence[Scenario], prepared: PreparedRun, options: RunOptions
) -> list[Scenario]:
    """Apply ``--mark`` and ``--alert``, then check only what they selected against the
    rules and routes under test (a scenario left out never stops the run)."""
    chosen = list(scenarios)
    if options.marks:
        chosen = [s for s in chosen if set(s.marks) & set(options.marks)]
    if options.alerts:
        chosen = select_by_alert(chosen, options.alerts)
    for s in chosen:
        _validate(s, prepared)
    return chosen


def unrunnable_note(
    scenarios: Sequence[Scenario], chosen: Sequence[Scenario], prepared: PreparedRun
) -> str | None:
    """The scenarios left out whose alerts the rules under test lack, for the summary."""
    known = set(prepared.alert_names())
    ids = {s.id for s in chosen}
    left = [
        f"{s.id} ({', '.join(sorted(set(s.alerts()) - known))})"
        for s in scenarios
        if s.id not in ids and set(s.alerts()) - known
    ]
    if not left:
        return None
    return f"not selected (their alerts are not in the rules under test): {', '.join(left)}"


def nothing_selected(
    scenarios: Sequence[Scenario], options: RunOptions, asked: Sequence[Path]
) -> HarnessError:
    """An empty selection is never a green run: say what was asked and what exists."""
    where = ", ".join(str(p) for p in asked) or "the given scenarios"
    if not scenarios:
        return HarnessError(f"No scenario selected: no scenario file (*.yaml, *.yml) in {where}")
    filters = [f"--mark {m}" for m in options.marks] + [f"--alert {a}" for a in options.alerts]
    marks = sorted({m for s in scenarios for m in s.marks})
    alerts = sorted({a for s in scenarios for a in s.alerts()})
    count = f"{len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}"
    return HarnessError(
        f"No scenario selected by {' '.join(filters) or 'the options'} "
        f"among the {count} in {where}",
        hint=f"marks they carry: {', '.join(marks) or 'none'}; "
        f"alerts they expect: {', '.join(alerts) or 'none'}",
    )


def check_report_dir(path: Path) -> None:
    """``--report-dir`` can hold the run's folder: its nearest existing part is a
    writable folder (checked before anything starts; the folder is made on first use)."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise HarnessError(f"--report-dir {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise HarnessError(f"--report-dir {path}: {existing} is not writable (read-only?)")


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + f"-{threading.get_ident() % 1000:03d}"


def scenario_dir_name(scenario_id: str) -> str:
    """``name[variant]`` -> ``name_variant_``: a folder name on every file system."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in scenario_id)


class Suite:
    """One run in progress; its report folder is made when the first scenario starts."""

    def __init__(self, options: RunOptions, prepared: PreparedRun) -> None:
        run_id = new_run_id()
        self.result = SuiteResult(
            run_id, options.report_dir / run_id, prepared, options, started=time.time()
        )
        self.cancel = threading.Event()  # set on Ctrl-C: every running scenario stops
        self._lock = threading.Lock()
        self._made = False

    @classmethod
    def open(cls, options: RunOptions, prepared: PreparedRun | None = None) -> Suite:
        """Prepare the inputs (unless given); HarnessError when they are bad."""
        check_report_dir(options.report_dir)
        return cls(options, prepared or prepare_run(options))

    @property
    def prepared(self) -> PreparedRun:
        return self.result.prepared

    def report_dir(self) -> Path:
        """``<report-dir>/<run-id>/``, made on first use."""
        with self._lock:
            if not self._made:
                try:
                    self.result.report_dir.mkdir(parents=True, exist_ok=False)
                    # Until finish(): a run killed outright still leaves its folder marked.
                    self._incomplete.write_text(
                        f"run in progress (pid {os.getpid()}); still here after the run "
                        "ended: the run was killed, its reports are partial or missing\n",
                        encoding="utf-8",
                    )
                except OSError as exc:
                    raise HarnessError(f"Cannot write the report: {exc}") from None
                self._made = True
        return self.result.report_dir

    def choose(
        self, scenarios: Sequence[Scenario], *, asked: Sequence[Path] = ()
    ) -> list[Scenario]:
        """The scenarios this run's options select from those loaded from ``asked``;
        InputError for one the inputs lack, HarnessError when nothing is selected."""
        chosen = select(scenarios, self.prepared, self.result.options)
        if not chosen:
            raise nothing_selected(scenarios, self.result.options, asked)
        if self.result.options.shard is not None:  # after selection: same split everywhere
            shard = self.result.options.shard
            mine = take_shard(chosen, shard, lambda s: s.id)
            if not mine:
                raise empty_shard(shard, len(chosen))
            text = f"shard {shard[0]}/{shard[1]}: {len(mine)} of the {len(chosen)} selected"
            self.result.prepared = replace(self.prepared, notes=(*self.prepared.notes, text))
            chosen = mine
        note = unrunnable_note(scenarios, chosen, self.prepared)
        if note:  # shown with the run's other notes (console summary, report.json)
            prepared = self.prepared
            self.result.prepared = replace(prepared, notes=(*prepared.notes, note))
        return chosen

    def run_one(
        self,
        scenario: Scenario,
        *,
        on_phase: ProgressHook | None = None,
        on_watch: WatchHook | None = None,
    ) -> ScenarioResult:
        """Run one scenario on a fresh stack and record its result; a scenario that
        cannot run (unknown alert, a stack that does not start) is recorded with its error."""
        out = self.report_dir() / "scenarios" / scenario_dir_name(scenario.id)
        try:
            _validate(scenario, self.prepared)
            result = run_scenario(
                scenario,
                self.prepared,
                self.result.options,
                out,
                cancel=self.cancel,
                on_phase=on_phase,
                on_watch=on_watch,
            )
        except HarnessError as exc:  # this scenario could not run; the others still can
            now = time.time()
            result = ScenarioResult(scenario.id, scenario.source, now, now, error=str(exc))
        with self._lock:
            self.result.results.append(result)
        return result

    def run_all(
        self,
        scenarios: Sequence[Scenario],
        *,
        on_result: ResultHook | None = None,
        on_phase: ProgressHook | None = None,
        on_watch: WatchHook | None = None,
    ) -> None:
        """Every scenario, ``options.parallel`` at a time; results kept in given order."""

        def one(scenario: Scenario) -> None:
            result = self.run_one(scenario, on_phase=on_phase, on_watch=on_watch)
            if on_result:
                on_result(result)

        try:
            if self.result.options.parallel <= 1:
                for scenario in scenarios:
                    one(scenario)
            else:
                with ThreadPoolExecutor(max_workers=self.result.options.parallel) as pool:
                    list(pool.map(one, scenarios))
        except KeyboardInterrupt as exc:
            self.cancel.set()
            self.mark_incomplete(str(exc) or "SIGINT", len(scenarios))
            raise
        self.keep_order(scenarios)

    def keep_order(self, scenarios: Sequence[Scenario]) -> None:
        """Results in the order the scenarios were given (side by side, they end in any)."""
        order = {s.id: i for i, s in enumerate(scenarios)}
        self.result.results.sort(key=lambda r: order.get(r.scenario_id, len(order)))

    def mark_incomplete(self, reason: str, planned: int | None = None) -> None:
        """An interrupted run: its folder holds ``INCOMPLETE`` (why, how far it got) and
        the run's notes say so, so a partial report is never read as a whole one."""
        done = len(self.result.results)
        of = f"{done} of {planned} scenarios" if planned is not None else f"{done} scenarios"
        text = f"run interrupted ({reason}): incomplete, {of} finished"
        prepared = self.prepared
        self.result.prepared = replace(prepared, notes=(*prepared.notes, text))
        if self._made:
            self._incomplete.write_text(text + "\n", encoding="utf-8")

    @property
    def _incomplete(self) -> Path:
        return self.result.report_dir / INCOMPLETE

    def finish(self) -> SuiteResult:
        """The run's end: what the reports are written from."""
        self.report_dir()  # a run without scenarios still gets its folder
        self._incomplete.unlink(missing_ok=True)
        self.result.ended = time.time()
        return self.result


def _validate(scenario: Scenario, prepared: PreparedRun) -> None:
    validate_against(scenario, set(prepared.alert_names()), set(prepared.receivers))
    check_runnable(scenario, prepared.time_scale)
