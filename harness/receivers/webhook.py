"""Alertmanager's generic webhook (payload version "4"): every label is in the body."""

from __future__ import annotations

from typing import Any

from harness.receivers.models import Parsed, PayloadError, expect_object, names_of


def parse(body: Any) -> Parsed:
    data = expect_object(body, "webhook")
    if str(data.get("version")) != "4":
        raise PayloadError(f"webhook payload version {data.get('version')!r}, expected '4'")
    status = data.get("status")
    if status not in ("firing", "resolved"):
        raise PayloadError(f"webhook status {status!r}, expected 'firing' or 'resolved'")
    raw_alerts = data.get("alerts")
    if not isinstance(raw_alerts, list):
        raise PayloadError("webhook payload has no 'alerts' list")
    alerts = tuple(_labels(a.get("labels") if isinstance(a, dict) else None) for a in raw_alerts)
    group = _labels(data.get("groupLabels"))
    return Parsed(
        status=status,
        alertnames=names_of(alerts),
        labels=_labels(data.get("commonLabels")),
        alerts=alerts,
        summary=", ".join(f"{k}={v}" for k, v in sorted(group.items())),
    )


def _labels(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"webhook labels must be an object, got {type(value).__name__}")
    return {str(k): str(v) for k, v in value.items()}
