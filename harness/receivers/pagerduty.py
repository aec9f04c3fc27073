"""PagerDuty Events v2 (what Alertmanager sends with ``routing_key``), and v1 for reading.

Labels are not fields of a PagerDuty event. Alertmanager's default ``custom_details``
(``firing`` / ``resolved``, from the ``pagerduty.default.instances`` template) list each
alert as ``Labels:`` / `` - name = value`` lines; they are read back from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.receivers.models import (
    Parsed,
    PayloadError,
    common_labels,
    expect_object,
    mentioned,
    names_of,
)

_ACTIONS = {"trigger": "firing", "resolve": "resolved"}


def parse(body: Any, known_alertnames: Iterable[str] = ()) -> Parsed:
    data = expect_object(body, "PagerDuty event")
    if "service_key" in data:  # Events v1: only seen if someone points v1 at us by hand
        action, key = data.get("event_type"), data.get("incident_key", "")
        summary, details = data.get("description", ""), data.get("details")
    else:
        if not data.get("routing_key"):
            raise PayloadError("PagerDuty event has no routing_key")
        payload = data.get("payload")
        if not isinstance(payload, dict):
            raise PayloadError("PagerDuty event has no payload object")
        for required in ("summary", "source", "severity"):
            if required not in payload:
                raise PayloadError(f"PagerDuty event payload has no {required!r}")
        action, key = data.get("event_action"), data.get("dedup_key", "")
        summary, details = payload.get("summary", ""), payload.get("custom_details")
    if action not in _ACTIONS:
        raise PayloadError(f"PagerDuty event action {action!r}, expected trigger or resolve")
    alerts = _alerts_from_details(details)
    names = names_of(alerts) or mentioned(str(summary), known_alertnames)
    return Parsed(
        status=_ACTIONS[action],  # type: ignore[arg-type]
        alertnames=names,
        labels=common_labels(alerts),
        alerts=alerts,
        summary=str(summary),
        dedup_key=str(key),
    )


def _alerts_from_details(details: Any) -> tuple[dict[str, str], ...]:
    """Per-alert labels from the default ``firing`` and ``resolved`` detail texts."""
    if not isinstance(details, dict):
        return ()
    alerts: list[dict[str, str]] = []
    for part in ("firing", "resolved"):
        text = details.get(part)
        if isinstance(text, str):
            alerts.extend(parse_instances(text))
    return tuple(alerts)


def parse_instances(text: str) -> list[dict[str, str]]:
    """Read Alertmanager's ``__text_alert_list`` output back into label sets."""
    alerts: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if line == "Labels:":
            current = {}
            alerts.append(current)
        elif line == "Annotations:" or line.startswith("Source:"):
            current = None
        elif current is not None and line.startswith(" - ") and " = " in line:
            name, _, value = line[3:].partition(" = ")
            current[name] = value
    return alerts
