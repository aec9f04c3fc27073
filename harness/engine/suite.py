"""A run of several scenarios: prepare once, one fresh stack per scenario, one report folder.

The one suite path of `harness run` and the pytest plugin:

    suite = Suite.open(options)          # rules scaled, routes rendered, once
    chosen = suite.choose(scenarios)     # --mark, checked against rules/routes, --alert
    suite.run_all(chosen)                # or suite.run_one(scenario) per pytest item
    write_reports(suite.finish())        # harness.report.writer

``run_one`` records a scenario that could not run (a HarnessError) as that scenario's
error, so report.json, junit.xml and the console say the same under both. Each
scenario gets its own stack, so its verdict cannot depend on what ran before it;
``--parallel N`` runs N of them side by side (each stack on its own ports). Report
folders: ``<report-dir>/<run-id>/scenarios/<scenario id, file-name safe>/``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from harness.engine.result import ScenarioResult
from harness.engine.runner import ProgressHook, WatchHook, run_scenario
from harness.errors import HarnessError
from harness.options import RunOptions
from harness.prepare import PreparedRun, prepare
from harness.scenarios.model import Scenario
from harness.scenarios.validate import select_by_alert, validate_against
from harness.stack.binaries import LOCAL_STACK_PROGRAMS

ResultHook = Callable[[ScenarioResult], None]


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
    return prepare(
        rules=options.rules,
        alertmanager_config=options.alertmanager_config,
        time_scale=options.time_scale,
        binaries=binaries,
    )


def select(
    scenarios: Sequence[Scenario], prepared: PreparedRun, options: RunOptions
) -> list[Scenario]:
    """Apply ``--mark``, validate against the rules and routes, then apply ``--alert``."""
    if options.marks:
        scenarios = [s for s in scenarios if set(s.marks) & set(options.marks)]
    for s in scenarios:
        _validate(s, prepared)
    return select_by_alert(scenarios, options.alerts) if options.alerts else list(scenarios)


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
        return cls(options, prepared or prepare_run(options))

    @property
    def prepared(self) -> PreparedRun:
        return self.result.prepared

    def report_dir(self) -> Path:
        """``<report-dir>/<run-id>/``, made on first use."""
        with self._lock:
            if not self._made:
                self.result.report_dir.mkdir(parents=True, exist_ok=False)
                self._made = True
        return self.result.report_dir

    def choose(self, scenarios: Sequence[Scenario]) -> list[Scenario]:
        """The scenarios this run's options select; InputError for one the inputs lack."""
        return select(scenarios, self.prepared, self.result.options)

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
        except KeyboardInterrupt:
            self.cancel.set()
            raise
        order = {s.id: i for i, s in enumerate(scenarios)}
        self.result.results.sort(key=lambda r: order.get(r.scenario_id, len(order)))

    def finish(self) -> SuiteResult:
        """The run's end: what the reports are written from."""
        self.report_dir()  # a run without scenarios still gets its folder
        self.result.ended = time.time()
        return self.result


def _validate(scenario: Scenario, prepared: PreparedRun) -> None:
    validate_against(scenario, set(prepared.alert_names()), set(prepared.receivers))
