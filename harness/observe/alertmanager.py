"""Alertmanager v2 API: the alerts it holds and its groups (with their receivers)."""

from __future__ import annotations

from typing import Any

from harness.observe.http import JsonApi


class AlertmanagerClient(JsonApi):
    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        super().__init__(base_url, name="Alertmanager", timeout=timeout)

    def alerts(self) -> list[dict[str, Any]]:
        """Alerts whose EndsAt has not passed (docs/TIMING.md: resolved ones drop out)."""
        return list(self.get("/api/v2/alerts"))

    def groups(self) -> list[dict[str, Any]]:
        return list(self.get("/api/v2/alerts/groups"))

    def status(self) -> dict[str, Any]:
        return dict(self.get("/api/v2/status"))
