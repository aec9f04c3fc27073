"""A run of several scenarios: prepare once, one fresh stack per scenario, one report.

Each scenario gets its own stack, so its verdict cannot depend on what ran before it;
``--parallel N`` runs N of them side by side (each stack on its own ports).
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
    names = set(prepared.alert_names())
    for s in scenarios:
        validate_against(s, names, set(prepared.receivers))
    return select_by_alert(scenarios, options.alerts) if options.alerts else list(scenarios)


def new_run_dir(base: Path) -> tuple[str, Path]:
    run_id = time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + f"-{threading.get_ident() % 1000:03d}"
    path = base / run_id
    path.mkdir(parents=True, exist_ok=False)
    return run_id, path


def run_suite(
    scenarios: Sequence[Scenario],
    options: RunOptions,
    *,
    prepared: PreparedRun | None = None,
    on_result: Callable[[ScenarioResult], None] | None = None,
    on_phase: ProgressHook | None = None,
    on_watch: WatchHook | None = None,
) -> SuiteResult:
    prepared = prepared or prepare_run(options)
    chosen = select(scenarios, prepared, options)
    run_id, run_dir = new_run_dir(options.report_dir)
    suite = SuiteResult(run_id, run_dir, prepared, options, started=time.time())
    cancel = threading.Event()

    def one(scenario: Scenario) -> ScenarioResult:
        out = run_dir / "scenarios" / _safe(scenario.id)
        try:
            result = run_scenario(
                scenario,
                prepared,
                options,
                out,
                cancel=cancel,
                on_phase=on_phase,
                on_watch=on_watch,
            )
        except HarnessError as exc:  # this scenario could not run; the others still can
            now = time.time()
            result = ScenarioResult(scenario.id, scenario.source, now, now, error=str(exc))
        if on_result:
            on_result(result)
        return result

    try:
        if options.parallel <= 1:
            suite.results = [one(s) for s in chosen]
        else:
            with ThreadPoolExecutor(max_workers=options.parallel) as pool:
                suite.results = list(pool.map(one, chosen))
    except KeyboardInterrupt:
        cancel.set()
        raise
    finally:
        suite.ended = time.time()
    return suite


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
