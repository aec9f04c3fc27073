"""A synthetic but complete SuiteResult for report tests (no stack, no binaries)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.engine.history import Episode
from harness.engine.result import ExpectationVerdict, PhaseMark, ScenarioResult
from harness.engine.suite import SuiteResult
from harness.load.stats import EndpointStats, LoadStats
from harness.options import RunOptions
from harness.prepare import PreparedRun
from harness.receivers.routes import Route
from harness.rules.model import AlertRule
from harness.stack.spec import Intervals, StackSpec
from harness.verdicts.verdict import Outcome, Verdict
from harness.verdicts.windows import Window

T0 = 1_800_000_000.0
ROUTING_KEY = "R0utingKey-d3adbeef-0123456789abcdef"
WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"
FIRES = Window(5.0, 11.5, formula="[t0 + F*, t0 + W + S + E + F*)")


def rule(name: str = "HighErrorRate") -> AlertRule:
    return AlertRule(
        name=name,
        expr="sum(rate(errors[5m])) / sum(rate(requests[5m])) > 0.05",
        group="api",
        source=Path("rules.yml"),
        line=3,
        for_s=300.0,
        labels={"severity": "critical"},
    )


def prepared(secrets: tuple[str, ...] = (ROUTING_KEY, WEBHOOK), **kw: Any) -> PreparedRun:
    scaled = AlertRule(**{**rule().__dict__, "for_s": 5.0})
    spec = StackSpec(
        rule_files=(("00-rules.yml", "groups: []\n"),),
        alertmanager_yaml=f"receivers:\n- name: pagerduty\n  routing_key: {ROUTING_KEY}\n",
        intervals=Intervals(scrape=0.5, evaluation=0.5, resend_delay=1.0, queue_collect=0.5),
        time_scale=60.0,
    )
    return PreparedRun(
        stack_spec=spec,
        rules=(scaled,),
        original_rules=(rule(),),
        rule_sources=(Path("rules.yml"),),
        alertmanager_source=Path("alertmanager.yml"),
        receivers=("pagerduty", "slack"),
        routes=Route("pagerduty"),
        notes=("a note",),
        secrets=secrets,
        **kw,
    )


def verdict(
    check: str,
    outcome: Outcome,
    observed: float | None,
    reference: str,
    window: Window | None = FIRES,
) -> Verdict:
    return Verdict(
        f"HighErrorRate {check}",
        outcome,
        f"HighErrorRate {check}: {outcome}",
        window,
        observed,
        reference,
    )


def scenario(
    sid: str = "high-error-rate", *, failing: bool = False, secret_text: str = ""
) -> ScenarioResult:
    phases = [
        PhaseMark("warmup", T0, T0 + 5),
        PhaseMark("fault", T0 + 5, T0 + 13, ({"kind": "errors", "ratio": 0.15},)),
        PhaseMark("recovery", T0 + 13, T0 + 20),
    ]
    resolved = None if failing else T0 + 17.0
    episodes = {
        "HighErrorRate": [
            Episode(
                "HighErrorRate",
                {"alertname": "HighErrorRate"},
                pending_at=T0 + 7.0,
                fired_at=T0 + 12.0,
                resolved_at=resolved,
            )
        ]
    }
    verdicts = [
        verdict("fires", Outcome.ON_TIME, 7.0, "'fault' started"),
        verdict(
            "resolves",
            Outcome.NEVER if failing else Outcome.ON_TIME,
            None if failing else 4.0,
            "'fault' ended",
            Window(0.0, 6.5),
        ),
        verdict(
            "notifies:pagerduty",
            Outcome.ON_TIME,
            1.0,
            "HighErrorRate fired",
            Window(1.0, 1.0, closed_end=True),
        ),
        verdict("not_notifies:slack", Outcome.QUIET, None, "", None),
    ]
    notification = {
        "seq": 0,
        "kind": "pagerduty",
        "receiver": "pagerduty",
        "config_index": 0,
        "received_at": T0 + 13.0,
        "received_monotonic": 13.0,
        "status": "firing",
        "alertnames": ["HighErrorRate"],
        "labels": {"alertname": "HighErrorRate"},
        "alerts": [{"alertname": "HighErrorRate"}],
        "summary": "High error rate",
        "dedup_key": "abc",
        "payload": {"routing_key": ROUTING_KEY, "note": secret_text},
    }
    series = {
        "alert": "HighErrorRate",
        "expr": "sum(rate(errors[5m])) / sum(rate(requests[5m]))",
        "op": ">",
        "threshold": 0.05,
        "error": None,
        "series": [
            {
                "labels": {"job": "api"},
                "points": [[T0 + t / 2, min(0.2, max(0.0, (t / 2 - 6) * 0.03))] for t in range(40)],
            }
        ],
    }
    endpoint = EndpointStats(
        "GET",
        "/api/x",
        100,
        15,
        2.0,
        5.0,
        8.0,
        2.5,
        9.0,
        {int(T0) + i: 5 for i in range(20)},
        {int(T0) + 6: 3},
        {2: 100},
    )
    return ScenarioResult(
        scenario_id=sid,
        source=Path(f"scenarios/{sid}.yaml"),
        started=T0,
        ended=T0 + 20,
        phases=phases,
        verdicts=[
            ExpectationVerdict.of(sid, "HighErrorRate", v.expectation.split()[-1], v)
            for v in verdicts
        ],
        episodes=episodes,
        notifications=[notification],
        load=LoadStats(endpoints=(endpoint,), total=endpoint).to_dict(),
        series=[series],
        notes=[f"note {secret_text}"],
    )


def suite(
    report_dir: Path, prepared_run: PreparedRun | None = None, secret_text: str = ""
) -> SuiteResult:
    report_dir.mkdir(parents=True, exist_ok=True)
    s = SuiteResult(
        "run-1", report_dir, prepared_run or prepared(), RunOptions(), started=T0, ended=T0 + 45
    )
    s.results = [
        scenario("high-error-rate", failing=True, secret_text=secret_text),
        scenario("high-error-rate-again", secret_text=secret_text),
        ScenarioResult("broken", None, T0 + 40, T0 + 41, error=f"stack failed {secret_text}"),
    ]
    return s
