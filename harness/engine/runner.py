"""Run one scenario end to end on a fresh stack, and judge it.

Four steps on inputs prepared once per run: ``setup`` (stack up and scraped, observer,
fault client, Locust in its own process), ``drive`` (phases with real faults),
``collect`` (ALERTS history, captured notifications, expression series, failed sends),
``judge`` (verdicts). Every piece started here is stopped on every way out (an
ExitStack), Ctrl-C included.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.engine.amlog import delivery_failures
from harness.engine.fault_injection import FaultApplier
from harness.engine.history import Episode, fetch_episodes, wait_evaluated
from harness.engine.judge import judge_scenario
from harness.engine.observer import Observer
from harness.engine.phase_driver import PhaseDriver, phase_budget
from harness.engine.plans import Plan, make_plans
from harness.engine.record import record_scenario
from harness.engine.result import PhaseMark, ScenarioResult
from harness.engine.series import AlertSeries, fetch_series
from harness.load.command import LocustConfig
from harness.load.fault_client import FaultClient
from harness.load.run import LocustRun
from harness.load.sizing import users_for_rate
from harness.observe.alertmanager import AlertmanagerClient
from harness.observe.prometheus import PrometheusClient
from harness.options import RunOptions
from harness.paths import LOCUSTFILES_DIR
from harness.prepare import PreparedRun
from harness.receivers.capture import CaptureReceiver, Notification
from harness.scenarios.model import Phase, Scenario
from harness.stack import open_stack
from harness.stack.base import Stack
from harness.stack.spec import StackSpec

log = logging.getLogger(__name__)

ProgressHook = Callable[[str, Phase, float], None]
WatchHook = Callable[[str, Observer], None]  # live alert states for progress output


def run_scenario(
    scenario: Scenario,
    prepared: PreparedRun,
    options: RunOptions,
    out_dir: Path,
    *,
    cancel: threading.Event | None = None,
    on_phase: ProgressHook | None = None,
    on_watch: WatchHook | None = None,
) -> ScenarioResult:
    """set up -> drive the phases -> collect what happened -> judge it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as exits:
        run = setup(scenario, prepared, options, out_dir, exits, on_watch)
        drove = drive(run, cancel, on_phase)
        seen = collect(run, drove, out_dir)
        return judge(run, drove, seen)
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class Running:
    """A scenario's stack and everything watching it, live until ``exits`` closes."""

    scenario: Scenario
    prepared: PreparedRun
    spec: StackSpec
    plans: list[Plan]
    receiver: CaptureReceiver
    stack: Stack
    prom: PrometheusClient
    observer: Observer
    faults: FaultApplier
    load: LocustRun | None


@dataclass
class Drove:
    """The phases as they ran, and Locust's statistics (None when unavailable)."""

    started: float
    ended: float
    marks: list[PhaseMark]
    load_stats: dict[str, Any] | None


@dataclass
class Collected:
    episodes: dict[str, list[Episode]]
    notifications: list[Notification]
    series: dict[str, AlertSeries]
    delivery_failures: dict[str, list[str]]
    recording: dict[str, Any] | None = None  # recording/ folder and size, or its error


def setup(
    scenario: Scenario,
    prepared: PreparedRun,
    options: RunOptions,
    out_dir: Path,
    exits: ExitStack,
    on_watch: WatchHook | None = None,
) -> Running:
    """A fresh stack, scraped; the observer, the fault client and Locust started. Each
    piece is registered on ``exits``, so it stops on every way out, Ctrl-C included."""
    spec = prepared.for_scenario(scenario.id)
    rules = {r.name: r for r in prepared.rules}
    plans = make_plans(scenario, rules, spec.intervals, prepared.routes, prepared.time_scale)
    receiver = CaptureReceiver(alertnames=rules, token=spec.fault_token)
    stack = exits.enter_context(open_stack(spec, options.backend, receiver=receiver))
    ep = stack.endpoints
    stack.wait_scraped()
    prom = PrometheusClient(ep.prometheus)
    am = AlertmanagerClient(ep.alertmanager)
    exits.callback(prom.close)
    exits.callback(am.close)
    poll = max(0.1, min(spec.intervals.scrape, spec.intervals.evaluation) / 4)
    observer = Observer(prom, am, poll_interval=poll).start()
    if on_watch:
        on_watch(scenario.id, observer)
    exits.callback(observer.stop)
    client = FaultClient(ep.api, spec.fault_token)
    exits.callback(client.close)
    faults = FaultApplier(stack, client)
    exits.callback(faults.revert)
    load = None
    if scenario.load is not None:
        budget = sum(phase_budget(p) for p in scenario.phases) / prepared.time_scale
        config = _locust_config(scenario, ep.api, budget + 30, options, spec.fault_token)
        # Entering starts Locust; leaving stops it on every path.
        # Recorded in the stack's marker: a crashed run's sweep stops Locust too.
        locust = LocustRun(config, out_dir / "locust", on_start=stack.record_process)
        load = exits.enter_context(locust)
    return Running(
        scenario, prepared, spec, plans, receiver, stack, prom, observer, faults, load
    )


def drive(
    run: Running, cancel: threading.Event | None = None, on_phase: ProgressHook | None = None
) -> Drove:
    """Every phase with its faults (``auto`` ones until decided), then Locust stopped."""
    scenario = run.scenario
    hook = (lambda ph, dl: on_phase(scenario.id, ph, dl)) if on_phase else None
    driver = PhaseDriver(
        scenario,
        run.plans,
        run.prepared.time_scale,
        run.faults,
        run.observer,
        run.receiver,
        cancel=cancel,
        on_phase=hook,
        on_enter=_on_enter(scenario, run.load),
    )
    started = time.time()
    marks = driver.run()
    ended = time.time()
    load_stats = None
    if run.load is not None:
        run.load.ensure_running("before its phases ended")  # an error, never a FAIL
        run.load.stop()
        try:
            load_stats = run.load.result().stats.to_dict()
        except Exception as exc:  # ground truth is a bonus; verdicts do not need it
            log.warning("Locust statistics unavailable: %s", exc)
    return Drove(started, ended, marks, load_stats)


def collect(run: Running, drove: Drove, out_dir: Path | None = None) -> Collected:
    """What Prometheus and Alertmanager did: ALERTS episodes once the last evaluation
    is in, the captured notifications, each alert's expression series, failed sends;
    with ``out_dir``, a recording of what Prometheus scraped (before the stack stops)."""
    run.observer.stop()
    names = run.scenario.alerts()
    rules = {r.name: r for r in run.prepared.rules}
    evaluation = {n: run.prepared.evaluation_of(n) for n in names}
    since, ended = drove.started - 5, drove.ended
    timeout = 2 * max(evaluation.values()) + 5
    last_eval = wait_evaluated(run.prom, names, ended, timeout=timeout)
    episodes = fetch_episodes(run.prom, names, since, ended, evaluation, last_eval)
    recording = None
    if out_dir is not None:
        recording = record_scenario(run, drove, episodes, last_eval, out_dir)
    return Collected(
        episodes=episodes,
        notifications=run.receiver.notifications(),
        series={
            n: fetch_series(run.prom, rules[n], since, ended, run.spec.intervals.scrape)
            for n in names
        },
        delivery_failures=delivery_failures(run.stack.log_text("alertmanager")),
        recording=recording,
    )


def judge(run: Running, drove: Drove, seen: Collected) -> ScenarioResult:
    """Every expectation against its window; the result with all the evidence."""
    scenario = run.scenario
    verdicts = judge_scenario(
        scenario.id,
        run.plans,
        {m.name: m for m in drove.marks},
        seen.episodes,
        seen.notifications,
        (drove.started, drove.ended),
        delivery_failures=seen.delivery_failures,
        series=seen.series,
    )
    # Alike in shape to receivers/capture.py's Notification(...) (keyword arguments
    # only): two different records, no logic to share.
    return ScenarioResult(
        scenario_id=scenario.id,
        source=scenario.source,
        started=drove.started,
        ended=drove.ended,
        phases=drove.marks,
        verdicts=verdicts,
        episodes=seen.episodes,
        notifications=[n.to_dict() for n in seen.notifications],
        series=[s.to_dict() for s in seen.series.values()],
        load=drove.load_stats,
        notes=list(run.prepared.notes),
        recording=seen.recording,
    )


def _on_enter(scenario: Scenario, load: LocustRun | None) -> Callable[[Phase], None] | None:
    """At each phase boundary: Locust still running (else the run is an error), then
    the phase's user count."""
    if load is None:
        return None
    users = _phase_users(scenario, load)

    def enter(phase: Phase) -> None:
        load.ensure_running("before its phases ended")
        if users:
            users(phase)

    return enter


def _phase_users(scenario: Scenario, load: LocustRun | None) -> Callable[[Phase], None] | None:
    """Set each phase's user count (``phases[].users``, else the scenario's) as it starts."""
    if load is None or not load.config.follow or scenario.load is None:
        return None
    base, spawn_rate = load.config.users, scenario.load.spawn_rate

    def enter(phase: Phase) -> None:
        users = phase.users or base
        load.set_users(users, spawn_rate or float(users))

    return enter


def _locust_config(
    scenario: Scenario, host: str, run_time: float, options: RunOptions, token: str
) -> LocustConfig:
    load = scenario.load
    assert load is not None
    users = load.users
    think: float | None = None
    if load.rate is not None:
        # Approximate pacing for locustfiles/school.py: a task sends about 2.6 requests
        # (attendance marks a roster at once); users wait 1 s on average between tasks.
        think = 1.0
        users = users or users_for_rate(load.rate, think, requests_per_task=2.6)
    assert users is not None
    return LocustConfig(
        host=host,
        users=users,
        spawn_rate=load.spawn_rate or float(users),
        run_time=run_time,
        locustfiles=(LOCUSTFILES_DIR / load.locustfile,),
        workers=options.load_workers,
        user_classes=load.user_classes,
        think_time=think,
        fault_token=token,
        follow=any(p.users is not None for p in scenario.phases),
    )
