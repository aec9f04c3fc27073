"""The live run's phases: bounded load and known faults, one after the other, on one stack.

Phases (real seconds; time scale k divides only the queries' windows):

- steady   Locust; 1% of requests fail (500): rates, breakdowns, students.
- faults   Locust; 1% of requests still fail, half of all notification deliveries fail,
           every query on the interventions table takes 1.2 s more (slow queries).
- latency  Locust; every request waits 0.15 s more, interventions still slow: quantiles.
- backlog  no load; the worker stuck, 300 report jobs and 50 poison events queued.
- dlq      no load; the worker back: the poison events end in the dead-letter stream.
- end      the same instants as dlq, for "today" panels (whole-run counts).

Each load phase is its own Locust run, so its statistics (percentiles included) cover
that phase alone; its panels are evaluated from the first request + settling + one
scaled window (so every window lies inside the phase) to the last request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from harness.errors import HarnessError
from harness.load import FaultClient, LocustConfig, LocustRun
from harness.load.stats import LoadStats
from harness.prepare import pick_intervals
from harness.queries.sampler import MetricsSampler, read_metrics
from harness.queries.truth import PhaseRecord
from harness.stack.base import Stack
from harness.target.eventbus import HANDLER_GROUPS

CHANNELS = ("email", "sms", "push", "in_app")
SAMPLED = (
    "db_queries_total",
    "db_query_duration_seconds_bucket",
    "db_query_duration_seconds_count",
    "bullmq_jobs_total",
    "bullmq_queue_failed_total",
    "eventbus_consumed_total",
    "eventbus_dlq_total",
    "notifications_sent_total",
    "grades_posted_total",
    "attendance_marked_total",
    "http_requests_total",
)
GAUGES = ("bullmq_queue_waiting_total", "bullmq_queue_active_total", "eventbus_queue_depth")
GROUP_OF = dict(HANDLER_GROUPS)  # event type -> its consumer group (one handler each)


@dataclass(frozen=True)
class LivePlan:
    time_scale: float = 60.0
    users: int = 20
    steady_s: float = 25.0
    faults_s: float = 30.0
    latency_s: float = 20.0
    settle_s: float = 2.0  # after the first request: users discover, rates settle
    error_ratio: float = 0.01
    notification_fail_ratio: float = 0.5
    slow_model: str = "interventions"
    slow_db_s: float = 1.2
    added_latency_s: float = 0.15
    backlog_queue: str = "reports"
    backlog_jobs: int = 300
    poison_type: str = "GradePosted"
    poison_events: int = 50
    concurrency: int = 10  # the worker's (TARGET_WORKER_CONCURRENCY default)
    hold_s: float = 2.5  # no-load phases: evaluated over this long

    @classmethod
    def for_time_scale(cls, k: float, min_eval_s: float = 15.0) -> LivePlan:
        """Phases long enough that a scaled 5m window fits, with ``min_eval_s`` to judge."""
        need = 300.0 / k + cls.settle_s + min_eval_s
        return cls(
            time_scale=k,
            steady_s=max(cls.steady_s, need),
            faults_s=max(cls.faults_s, need),
            latency_s=max(cls.latency_s, need),
        )

    def load_phases(self) -> list[tuple[str, float, dict[str, Any]]]:
        slow = {"seconds": self.slow_db_s, "ratio": 1.0, "models": [self.slow_model]}
        errors = {"ratio": self.error_ratio}
        return [
            # Errors from the start: a 5xx series is born with its first error, which
            # rate() cannot count; born here, they are counted in full in `faults`.
            ("steady", self.steady_s, {"errors": errors}),
            (
                "faults",
                self.faults_s,
                {
                    "errors": errors,
                    "notifications": {
                        "fail_ratio": dict.fromkeys(CHANNELS, self.notification_fail_ratio)
                    },
                    "slow_db": slow,
                },
            ),
            (
                "latency",
                self.latency_s,
                {
                    "latency": {"ratio": 1.0, "seconds": self.added_latency_s},
                    "slow_db": slow,
                },
            ),
        ]


def drive(
    plan: LivePlan,
    stack: Stack,
    faults: FaultClient,
    sampler: MetricsSampler,
    out_dir: Path,
    token: str,
) -> dict[str, PhaseRecord]:
    api = stack.endpoints.api
    # A no-load phase is held once the API's collector and a scrape have caught up.
    spec_intervals = pick_intervals(plan.time_scale)
    catch_up = spec_intervals.queue_collect + 2 * spec_intervals.scrape + 0.5
    phases: dict[str, PhaseRecord] = {}
    window = 300.0 / plan.time_scale  # the dashboards' 5m, scaled
    for name, seconds, state in plan.load_phases():
        faults.reset()
        if state:
            faults.set(state)
        started = time.time()
        config = LocustConfig(
            host=api,
            users=plan.users,
            spawn_rate=plan.users,
            run_time=seconds,
            fault_token=token,
            html_report=False,
        )
        with LocustRun(config, out_dir / name) as run:
            stats = run.wait().stats
        first, last = _load_span(stats)
        phases[name] = PhaseRecord(
            name, started, time.time(), first + plan.settle_s + window, last, state, stats
        )
    faults.reset()
    _wait(lambda: _quiet(api), 30.0, "the queues and consumer groups to drain after the load")
    started = time.time()
    state = {"worker": {"mode": "stuck"}}
    faults.set(state)
    faults.backlog(plan.backlog_queue, plan.backlog_jobs)
    faults.poison(plan.poison_events, event_type=plan.poison_type)
    _wait(lambda: _backlogged(api, plan), 20.0, "the backlog to show in the API's gauges")
    phases["backlog"] = _hold("backlog", started, state, catch_up, plan.hold_s)
    started = time.time()
    faults.reset()
    _wait(
        lambda: _dead_lettered(stack.endpoints.worker_metrics, plan),
        60.0,
        f"{plan.poison_events} poison events to reach the dead-letter stream",
    )
    sampler.sample()
    phases["dlq"] = _hold("dlq", started, {}, catch_up, plan.hold_s)
    phases["end"] = PhaseRecord(
        "end", started, phases["dlq"].ended, phases["dlq"].eval_start, phases["dlq"].eval_end
    )
    return phases


def _hold(
    name: str, started: float, state: dict[str, Any], catch_up: float, hold: float
) -> PhaseRecord:
    """A no-load phase: let the collector and a scrape catch up, then hold still."""
    time.sleep(catch_up)
    start = time.time()
    time.sleep(hold)
    end = time.time()
    return PhaseRecord(name, started, end, start, end, state)


def _load_span(stats: LoadStats) -> tuple[float, float]:
    seconds = [s for s, n in stats.total.per_second.items() if n]
    if not seconds:
        raise HarnessError("Locust made no request in a load phase; see its log")
    return float(min(seconds)), float(max(seconds))


def _gauges(api: str) -> dict[tuple[str, str], float]:
    page = read_metrics(api + "/metrics", GAUGES)
    return {
        (name, dict(labels).get("queue") or dict(labels).get("consumer_group", "")): v
        for (name, labels), v in page.items()
    }


def _quiet(api: str) -> bool:
    return all(v == 0 for v in _gauges(api).values())


def _backlogged(api: str, plan: LivePlan) -> bool:
    g = _gauges(api)
    return (
        g.get(("bullmq_queue_waiting_total", plan.backlog_queue), 0)
        + g.get(("bullmq_queue_active_total", plan.backlog_queue), 0)
        >= plan.backlog_jobs
        and g.get(("eventbus_queue_depth", GROUP_OF[plan.poison_type]), 0) >= plan.poison_events
    )


def _dead_lettered(worker_metrics: str, plan: LivePlan) -> bool:
    page = read_metrics(worker_metrics, ("eventbus_dlq_total",))
    return (
        sum(
            v
            for (_, labels), v in page.items()
            if dict(labels).get("event_type") == plan.poison_type
        )
        >= plan.poison_events
    )


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    last = ""
    while time.monotonic() < end:
        try:
            if condition():
                return
        except (httpx.HTTPError, ValueError) as exc:
            last = f"; last error: {exc}"
        time.sleep(0.2)
    raise HarnessError(f"timed out after {timeout:g} s waiting for {what}{last}")


def injected_values(plan: LivePlan, by_tier: dict[str, int]) -> dict[str, Any]:
    other_queue = "notifications" if plan.backlog_queue == "reports" else "reports"
    groups = {(g,): 0.0 for g in GROUP_OF.values()}
    groups[(GROUP_OF[plan.poison_type],)] = float(plan.poison_events)
    return {
        "job_backlog": (
            ("queue",),
            {
                (plan.backlog_queue,): float(plan.backlog_jobs - plan.concurrency),
                (other_queue,): 0.0,
            },
            f"{plan.backlog_jobs} jobs queued, {plan.concurrency} held active by the stuck worker",
        ),
        "stuck_active": (
            ("queue",),
            {(plan.backlog_queue,): float(plan.concurrency), (other_queue,): 0.0},
            f"the stuck worker's concurrency ({plan.concurrency})",
        ),
        "event_backlog": (
            ("consumer_group",),
            groups,
            f"{plan.poison_events} {plan.poison_type} events published while "
            "the worker consumed nothing",
        ),
        "dead_letters": (
            ("event_type",),
            {(plan.poison_type,): float(plan.poison_events)},
            f"{plan.poison_events} poison events, all dead-lettered",
        ),
        "interventions_by_tier": (
            ("tier",),
            {(t,): float(n) for t, n in by_tier.items()},
            "the database: active interventions per tier",
        ),
    }
