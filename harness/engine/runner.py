"""Run one scenario end to end on a fresh stack, and judge it.

prepare (shared) -> stack up -> observer -> Locust (own process) -> phases with real
faults -> ALERTS history + captured notifications -> verdicts. Every piece started
here is stopped on every way out (context managers), Ctrl-C included.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from harness.engine.amlog import delivery_failures
from harness.engine.faults import FaultApplier
from harness.engine.history import fetch_episodes, wait_evaluated
from harness.engine.judge import judge_scenario
from harness.engine.observer import Observer
from harness.engine.phases import PhaseDriver, phase_budget
from harness.engine.plans import make_plans
from harness.engine.result import ScenarioResult
from harness.engine.series import fetch_series
from harness.load.command import LocustConfig
from harness.load.faults import FaultClient
from harness.load.run import LocustRun
from harness.load.sizing import users_for_rate
from harness.observe.alertmanager import AlertmanagerClient
from harness.observe.prometheus import PrometheusClient
from harness.options import RunOptions
from harness.paths import LOCUSTFILES_DIR
from harness.prepare import PreparedRun
from harness.receivers.capture import CaptureReceiver
from harness.scenarios.model import Phase, Scenario
from harness.stack import open_stack

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
    out_dir.mkdir(parents=True, exist_ok=True)
    rules = {r.name: r for r in prepared.rules}
    spec = prepared.for_scenario(scenario.id)
    plans = make_plans(scenario, rules, spec.intervals, spec.alertmanager_yaml)
    receiver = CaptureReceiver(alertnames=rules)
    with ExitStack() as stack_ctx:
        stack = stack_ctx.enter_context(open_stack(spec, options.backend, receiver=receiver))
        ep = stack.endpoints
        stack.wait_scraped()
        prom = PrometheusClient(ep.prometheus)
        am = AlertmanagerClient(ep.alertmanager)
        stack_ctx.callback(prom.close)
        stack_ctx.callback(am.close)
        poll = max(0.1, min(spec.intervals.scrape, spec.intervals.evaluation) / 4)
        observer = Observer(prom, am, poll_interval=poll).start()
        if on_watch:
            on_watch(scenario.id, observer)
        stack_ctx.callback(observer.stop)
        client = FaultClient(ep.api, spec.fault_token)
        stack_ctx.callback(client.close)
        faults = FaultApplier(stack, client)
        stack_ctx.callback(faults.revert)
        budget = sum(phase_budget(p) for p in scenario.phases) / prepared.time_scale
        load = None
        if scenario.load is not None:
            config = _locust_config(scenario, ep.api, budget + 30, options, spec.fault_token)
            # Entering starts Locust; leaving stops it on every path.
            load = stack_ctx.enter_context(LocustRun(config, out_dir / "locust"))
        started = time.time()
        hook = (lambda ph, dl: on_phase(scenario.id, ph, dl)) if on_phase else None
        driver = PhaseDriver(
            scenario,
            plans,
            prepared.time_scale,
            faults,
            observer,
            receiver,
            cancel=cancel,
            on_phase=hook,
            on_enter=_phase_users(scenario, load),
        )
        marks = driver.run()
        ended = time.time()
        load_stats = None
        if load is not None:
            load.stop()
            try:
                load_stats = load.result().stats.to_dict()
            except Exception as exc:  # ground truth is a bonus; verdicts do not need it
                log.warning("Locust statistics unavailable: %s", exc)
        observer.stop()
        names = scenario.alerts()
        evaluation = {n: prepared.evaluation_of(n) for n in names}
        last_eval = wait_evaluated(prom, names, ended, timeout=2 * max(evaluation.values()) + 5)
        episodes = fetch_episodes(prom, names, started - 5, ended, evaluation, last_eval)
        notifications = receiver.notifications()
        series = {
            n: fetch_series(prom, rules[n], started - 5, ended, spec.intervals.scrape)
            for n in names
        }
        verdicts = judge_scenario(
            scenario.id,
            plans,
            {m.name: m for m in marks},
            episodes,
            notifications,
            (started, ended),
            delivery_failures=delivery_failures(stack.log_text("alertmanager")),
            series=series,
        )
        return ScenarioResult(
            scenario_id=scenario.id,
            source=scenario.source,
            started=started,
            ended=ended,
            phases=marks,
            verdicts=verdicts,
            episodes=episodes,
            notifications=[n.to_dict() for n in notifications],
            series=[s.to_dict() for s in series.values()],
            load=load_stats,
            notes=list(prepared.notes),
        )
    raise AssertionError("unreachable")  # pragma: no cover


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
