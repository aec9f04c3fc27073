"""What a verdict's message adds to explain a failure: how close the alert's value
came to its threshold, a label-scoped alert that fired with other labels, payload
fields a notification lacked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from harness.engine.history import Episode
from harness.engine.plans import Plan
from harness.engine.result import PhaseMark
from harness.engine.series import AlertSeries, closest_approach
from harness.verdicts.verdict import Verdict
from harness.verdicts.windows import fmt_seconds


def closest(
    v: Verdict, values: AlertSeries | None, labels: Mapping[str, str], ref: float, end: float
) -> Verdict:
    """Say how close the value came to the threshold over [ref, end] (epoch seconds),
    where the alert did not fire: a quiet ``never_fires`` that peaked at 95% of its
    threshold is a flaky boundary scenario; a missed ``fires`` shows how far it fell short.
    """
    approach = closest_approach(values, labels, ref, end) if values is not None else None
    if approach is None:
        return v
    return replace(v, message=f"{v.message}; {approach.describe(ref)}")


def fired_otherwise(
    plan: Plan, phase: PhaseMark, every: list[Episode], run: tuple[float, float]
) -> str:
    """For a label-scoped expectation that never fired: the alert's first firing with
    other labels, said as such ("fired 14.0 s after 'fault' started, but as {...},
    without channel="email""); empty if it did not fire at all."""
    want = plan.exp.labels
    other = [e for e in every if e.fired_at is not None and e.fired_at >= run[0]]
    if not want or not other:
        return ""
    first = min(other, key=lambda e: e.fired_at or 0.0)
    assert first.fired_at is not None
    shown = {k: v for k, v in first.labels.items() if k != "alertname"}
    labels = ", ".join(f'{k}="{v}"' for k, v in sorted(shown.items()))
    parts = [
        f'with {k}="{shown[k]}", not "{v}"' if k in shown else f'without {k}="{v}"'
        for k, v in want.items()
        if shown.get(k) != v
    ]
    return (
        f"{plan.exp.alert} fired {fmt_seconds(first.fired_at - phase.start)} s after "
        f"'{phase.name}' started, but as {{{labels}}}, {', '.join(parts)}"
        + (f" ({len(other)} firing(s) with other labels)" if len(other) > 1 else "")
    )


def missing_fields(payload: Any, fields: Mapping[str, str]) -> dict[str, str]:
    """Fields not found anywhere in the payload (nested keys, string-compared values)."""
    flat: dict[str, set[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, dict | list):
                    walk(v)
                else:
                    flat.setdefault(str(k), set()).add(str(v))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(payload)
    return {k: v for k, v in fields.items() if str(v) not in flat.get(k, set())}


def short(payload: Any, limit: int = 300) -> str:
    text = repr(payload)
    return text if len(text) <= limit else text[:limit] + "..."
