"""One shape for every captured notification, whatever integration sent it.

Each integration module (``pagerduty``, ``slack``, ``webhook``) turns its request body
into a :class:`Parsed` view; the capture receiver adds where and when it arrived.
Payloads differ in what they carry: a webhook has every label, a PagerDuty event has
them only inside its default ``custom_details`` text, a Slack message only what its
templates chose to print. ``alertnames`` and ``labels`` are therefore best effort for
PagerDuty and Slack; ``payload`` always holds the full body as received.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["pagerduty", "slack", "webhook"]
KINDS: tuple[Kind, ...] = ("pagerduty", "slack", "webhook")
# "unknown": a Slack message whose templates say neither (no colour, no [FIRING] title).
Status = Literal["firing", "resolved", "unknown"]


class PayloadError(ValueError):
    """A request body that is not what the integration sends (answered with 400)."""


@dataclass(frozen=True)
class Parsed:
    """What an integration module reads out of one request body."""

    status: Status
    alertnames: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # common to all alerts
    alerts: tuple[dict[str, str], ...] = ()  # per-alert labels, when the payload has them
    summary: str = ""  # one human line: PD summary, Slack title, webhook group labels
    dedup_key: str = ""  # PagerDuty dedup_key (Alertmanager's group key hash), else ""


@dataclass(frozen=True)
class Notification:
    """One request a receiver got from Alertmanager, as recorded by the capture receiver."""

    seq: int  # arrival order, from 0
    kind: Kind
    receiver: str  # from the URL path: /<kind>/<receiver>[/<config index>]
    config_index: int  # which of the receiver's configs of this kind (0 unless several)
    received_at: float  # time.time()
    received_monotonic: float  # time.monotonic(), for durations
    status: Status
    alertnames: tuple[str, ...]
    labels: dict[str, str]
    alerts: tuple[dict[str, str], ...]
    summary: str
    dedup_key: str
    payload: Any  # the JSON body as parsed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def common_labels(alerts: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Labels with the same value in every alert (Alertmanager's CommonLabels)."""
    items = list(alerts)
    if not items:
        return {}
    common = dict(items[0])
    for labels in items[1:]:
        common = {k: v for k, v in common.items() if labels.get(k) == v}
    return common


def names_of(alerts: Iterable[Mapping[str, str]]) -> tuple[str, ...]:
    """Distinct alertnames, in order of first appearance."""
    seen: dict[str, None] = {}
    for labels in alerts:
        if "alertname" in labels:
            seen.setdefault(labels["alertname"], None)
    return tuple(seen)


def mentioned(text: str, known: Iterable[str]) -> tuple[str, ...]:
    """Known alert names that occur as words in free text (Slack titles, PD summaries)."""
    return tuple(
        name for name in sorted(set(known)) if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
    )


def expect_object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise PayloadError(f"{what} body must be a JSON object, got {type(body).__name__}")
    return body
