"""What report.json holds, as typed models: the single source of its JSON schema.

``docs/report.schema.json`` is exported from these models (``harness.report.schema``),
the HTML page is rendered from them, and ``harness report DIR`` validates a saved
report.json with them. The data itself comes from the engine's ``to_dict`` methods
(``ScenarioResult``, ``Episode``, ``LoadStats``, ...) and ``json_report.suite_to_dict``;
a unit test checks that what they write validates against the exported schema.

Models ignore unknown keys (an older page renders a newer report); the exported schema
forbids them, so a field added to the data without being described here fails the test.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Seconds = float  # wall-clock (epoch) seconds unless a field says otherwise


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Summary(_Model):
    scenarios: int
    scenarios_failed: int
    expectations: int
    expectations_failed: int


class Intervals(_Model):
    """The stack's real timing after time scaling, seconds."""

    scrape: float = Field(description="S, Prometheus scrape interval")
    evaluation: float = Field(description="E, global rule evaluation interval")
    resend_delay: float = Field(description="R, --rules.alert.resend-delay")
    queue_collect: float = Field(description="the target's queue-gauge collection period")


class RuleFile(_Model):
    file: str
    yaml: str


class AlertRuleInfo(_Model):
    """One alerting rule under test, as written and as the stack ran it."""

    name: str
    expr: str
    group: str
    source: str
    line: int
    for_s: float = Field(description="for: as written, seconds")
    scaled_for_s: float = Field(description="for: after time scaling, seconds")
    keep_firing_for_s: float
    labels: dict[str, str]
    annotations: dict[str, str]


class Inputs(_Model):
    """The rules and routes used: the user's files, and what the stack really loaded."""

    rules: list[str]
    alertmanager_config: str | None
    alerts: list[AlertRuleInfo]
    receivers: list[str]
    scaled_rules: list[RuleFile]
    rendered_alertmanager: str | None


class Options(_Model):
    backend: str
    parallel: int
    load_workers: int
    alerts: list[str] = Field(description="--alert filter; empty: every scenario")


class Phase(_Model):
    name: str
    start: Seconds
    end: Seconds
    faults: list[dict[str, Any]]
    faults_on_s: float = Field(
        0.0, description="how long switching the faults on took, up to start: the early "
        "edge of a window after start moves back by it"
    )
    faults_off_s: float = Field(
        0.0, description="how long switching them off took, up to end (the same for "
        "windows after end)"
    )


# Field lists with descriptions, like Intervals above: different parts of the schema.
class Budget(_Model):
    """A scenario's own bound on an event (``fires``/``notifies`` ``within:``)."""

    within: str = Field(description="as written, production time, e.g. '10m'")
    seconds: float = Field(description="scaled: seconds after the reference instant")
    reference: str = Field(description="the budget's reference, e.g. \"'fault' started\"")


class Verdict(_Model):
    """One checked part of an expectation, judged against its window."""

    scenario: str
    alert: str
    check: str = Field(description="fires, resolves, never_fires, notifies:<receiver>, ...")
    expectation: str
    passed: bool
    outcome: str = Field(description="on_time, early, late, never, quiet or fired")
    message: str
    window: tuple[float, float | None] | None = Field(
        description="nominal window, seconds after the reference instant (end null: open)"
    )
    window_formula: str | None
    slack: float | None = Field(description="tolerance added to both edges when judging")
    observed: float | None = Field(description="seconds after the reference instant")
    reference: str = Field(description="the reference instant, e.g. \"'fault' started\"")
    reference_at: Seconds | None = Field(
        default=None, description="the reference instant's wall-clock time, when known"
    )
    budget: Budget | None = Field(
        default=None, description="the scenario's `within:` budget, if it gives one"
    )


class Episode(_Model):
    """One pending -> firing -> resolved run of an alert instance."""

    alert: str
    labels: dict[str, str]
    pending_at: Seconds | None
    fired_at: Seconds | None
    resolved_at: Seconds | None = Field(description="null: still active when the run ended")
    last_seen: Seconds | None = Field(
        default=None, description="last evaluation that saw the alert pending or firing"
    )


class Notification(_Model):
    seq: int
    kind: str = Field(description="pagerduty, slack or webhook")
    receiver: str
    config_index: int
    received_at: Seconds
    received_monotonic: float
    status: str = Field(description="firing, resolved or unknown")
    alertnames: list[str]
    labels: dict[str, str]
    alerts: list[dict[str, str]]
    summary: str
    dedup_key: str
    payload: Any = Field(description="the request body as received (secrets redacted)")


class SeriesLine(_Model):
    labels: dict[str, str]
    points: list[tuple[float, float | None]] = Field(
        description="[wall-clock seconds, value]; null: NaN or infinite (e.g. 0/0)"
    )


class AlertSeries(_Model):
    """An alert expression's value side over the run, against its threshold."""

    alert: str
    expr: str
    op: str | None
    threshold: float | None
    series: list[SeriesLine]
    error: str | None


class EndpointStats(_Model):
    method: str
    name: str
    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    avg_ms: float | None
    max_ms: float | None
    per_second: dict[str, int] = Field(description="epoch second -> requests completed")
    failures_per_second: dict[str, int]
    response_times: dict[str, int] = Field(description="rounded ms -> count")


class HistoryPoint(_Model):
    timestamp: int
    user_count: int
    rps: float
    failures_per_s: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    total_requests: int
    total_failures: int


class FailureKind(_Model):
    method: str
    name: str
    error: str
    occurrences: int


class LoadPhase(_Model):
    index: int
    name: str
    started_at: Seconds
    faults: dict[str, Any] | None
    faults_applied_at: Seconds | None
    fault_error: str | None
    extra: dict[str, Any]


class LoadStats(_Model):
    """Locust's own statistics: the ground truth."""

    endpoints: list[EndpointStats]
    total: EndpointStats
    history: list[HistoryPoint]
    failure_kinds: list[FailureKind]
    exceptions: list[str]
    phases: list[LoadPhase]
    complete: bool


class RecordingInfo(_Model):
    """The scenario's recording (harness.offline.recording), for `harness tune`."""

    path: str | None = Field(description="relative to the scenario's folder; null: none")
    size_bytes: int
    error: str | None = Field(description="why the run could not be recorded")


class ScenarioReport(_Model):
    id: str
    source: str | None
    started: Seconds
    ended: Seconds
    passed: bool
    error: str | None = Field(description="the run broke (environment), not an expectation")
    phases: list[Phase]
    verdicts: list[Verdict]
    episodes: dict[str, list[Episode]] = Field(description="alert name -> episodes")
    notifications: list[Notification]
    load: LoadStats | None
    series: list[AlertSeries]
    notes: list[str]
    recording: RecordingInfo | None = Field(
        default=None, description="what the scenario's Prometheus scraped, kept for replay"
    )


class Report(_Model):
    """reports/<run-id>/report.json"""

    schema_version: int
    run_id: str
    harness_version: str
    started: Seconds
    ended: Seconds
    passed: bool
    summary: Summary
    time_scale: float = Field(description="every alerting duration was divided by this")
    intervals: Intervals
    options: Options
    inputs: Inputs
    notes: list[str]
    warnings: list[str]
    versions: dict[str, str] = Field(description="Python, the stack's programs, key libraries")
    scenarios: list[ScenarioReport]
