"""What the Locust web UI's *Alerts* and *Notifications* tabs show (``locustfiles/alerts_tab.py``).

Server side, in the Locust process, read-only, every call bounded by a short timeout:
Prometheus's alerting rules (``/api/v1/rules``: state, activeAt) with the current value
of each rule's condition against its threshold (the rule's expression split as the
report's charts split it: ``harness.rules.condition.split_condition``), and the
notifications the capture receiver got (its ``/inbox``, behind the fault token, already
redacted). A source that does not answer becomes one row saying so, never an exception
in the web UI. Results are cached for ``ttl`` seconds: the UI polls every 2 s.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.errors import HarnessError
from harness.load.hosts import require_loopback
from harness.observe.http import JsonApi
from harness.observe.prometheus import PrometheusClient
from harness.rules.condition import split_condition

TOKEN_HEADER = "X-Fault-Token"
TIMEOUT = 2.0  # seconds per HTTP call: a stuck source must not stall the web UI
TTL = 1.0  # seconds a fetched table is reused
MAX_NOTIFICATIONS = 50  # newest first
ALERTS_KEY = "alerts"
NOTIFICATIONS_KEY = "notifications"
# Locust's extended tabs and tables (template args; keys of the rows below).
TABS = [
    {"title": "Alerts", "key": ALERTS_KEY},
    {"title": "Notifications", "key": NOTIFICATIONS_KEY},
]
TABLES = [
    {
        "key": ALERTS_KEY,
        "structure": [
            {"key": "alert", "title": "Alert"},
            {"key": "state", "title": "State"},
            {"key": "value", "title": "Value"},
            {"key": "condition", "title": "Fires at"},
            {"key": "active_since", "title": "Active since"},
            {"key": "severity", "title": "Severity"},
        ],
    },
    {
        "key": NOTIFICATIONS_KEY,
        "structure": [
            {"key": "received", "title": "Received"},
            {"key": "receiver", "title": "Receiver"},
            {"key": "status", "title": "Status"},
            {"key": "alerts", "title": "Alerts"},
            {"key": "summary", "title": "Summary"},
        ],
    },
]
# ``expr -> (value expression, comparison, threshold)``; the whole expression, None, None
# when it has no top-level comparison with a number.
_HIGH = {">", ">="}  # the largest value is the one nearest to firing; else the smallest


def _clock(epoch: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch)) if epoch else ""


def _rfc3339_epoch(text: str) -> float | None:
    """Prometheus's activeAt (``2026-12-04T13:40:01.123456789Z``) as epoch seconds."""
    if not text or text.startswith("0001-"):
        return None
    from datetime import datetime

    head, _, frac = text.rstrip("Z").partition(".")
    try:
        whole = datetime.fromisoformat(head + "+00:00").timestamp()
    except ValueError:
        return None
    return whole + float(f"0.{frac[:6]}") if frac.isdigit() else whole


def _number(value: float | None) -> str:
    if value is None:
        return "no data"
    return f"{value:.4g}" if math.isfinite(value) else str(value)


@dataclass
class AlertsFeed:
    """The two tables, fetched from a stack's Prometheus and capture receiver inbox."""

    prometheus: PrometheusClient | None
    inbox: JsonApi | None
    ttl: float = TTL
    clock: Callable[[], float] = time.monotonic
    _cache: tuple[float, dict[str, list[dict[str, Any]]]] | None = field(default=None, repr=False)

    @classmethod
    def from_urls(
        cls, prometheus_url: str, inbox_url: str, token: str
    ) -> AlertsFeed:
        """Clients for the given loopback URLs (an empty URL: that table says it is off)."""
        prom = inbox = None
        if prometheus_url:
            prom = PrometheusClient(
                require_loopback(prometheus_url, what="--prometheus-url"), timeout=TIMEOUT
            )
        if inbox_url:
            inbox = JsonApi(
                require_loopback(inbox_url, what="--inbox-url"),
                name="Receiver inbox",
                timeout=TIMEOUT,
                headers={TOKEN_HEADER: token},
            )
        return cls(prom, inbox)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """``{tab key: rows}``, at most ``ttl`` seconds old."""
        now = self.clock()
        if self._cache is None or now - self._cache[0] >= self.ttl:
            self._cache = (
                now,
                {ALERTS_KEY: self.alert_rows(), NOTIFICATIONS_KEY: self.notification_rows()},
            )
        return self._cache[1]

    def extended_stats(self) -> list[dict[str, Any]]:
        """The ``extended_stats`` entry Locust's UI reads from ``/stats/requests``."""
        return [{"key": key, "data": rows} for key, rows in self.tables().items()]

    def alert_rows(self) -> list[dict[str, Any]]:
        if self.prometheus is None:
            return [_note("alert", "no Prometheus URL (--prometheus-url)")]
        try:
            groups = self.prometheus.rule_groups()
        except HarnessError as exc:
            return [_note("alert", str(exc))]
        rows = [
            self._alert_row(rule)
            for group in groups
            for rule in group.get("rules", [])
            if rule.get("type") == "alerting"
        ]
        return rows or [_note("alert", "Prometheus has no alerting rules loaded")]

    def _alert_row(self, rule: dict[str, Any]) -> dict[str, Any]:
        value_expr, op, threshold = split_condition(str(rule.get("query", "")))
        active = [_rfc3339_epoch(str(a.get("activeAt", ""))) for a in rule.get("alerts", [])]
        since = min((t for t in active if t is not None), default=None)
        return {
            "alert": rule.get("name", "?"),
            "state": rule.get("state", "inactive"),
            "value": self._value(value_expr, op) if op is not None else "",
            "condition": f"{op} {threshold:g}"
            if op is not None and threshold is not None
            else "(no plain threshold)",
            "active_since": _clock(since),
            "severity": dict(rule.get("labels", {})).get("severity", ""),
        }

    def _value(self, value_expr: str, op: str) -> str:
        """The current value nearest to the threshold's side (max for >, min for <)."""
        assert self.prometheus is not None
        try:
            samples = self.prometheus.query(value_expr)
        except HarnessError as exc:
            return f"query failed: {exc}"[:120]
        values = [s.value for s in samples if not math.isnan(s.value)]
        if not values:
            return _number(None)
        return _number(max(values) if op in _HIGH else min(values))

    def notification_rows(self) -> list[dict[str, Any]]:
        if self.inbox is None:
            return [_note("received", "no receiver inbox URL (--inbox-url)")]
        try:
            body = self.inbox.get("")
        except HarnessError as exc:
            return [_note("received", str(exc))]
        records = list(body.get("notifications", []))
        rows = [
            {
                "received": _clock(n.get("received_at")),
                "receiver": n.get("receiver", ""),
                "status": n.get("status", ""),
                "alerts": ", ".join(n.get("alertnames", [])),
                "summary": n.get("summary", ""),
            }
            for n in reversed(records[-MAX_NOTIFICATIONS:])
        ]
        return rows or [_note("received", "no notification received yet")]

    def close(self) -> None:
        for client in (self.prometheus, self.inbox):
            if client is not None:
                client.close()


def _note(column: str, text: str) -> dict[str, Any]:
    """A one-cell row: what the table would show, and why it does not."""
    return {column: text}
