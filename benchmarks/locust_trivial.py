"""Benchmark locustfile: FastHttpUser hammering one cheap endpoint, no think time."""

from __future__ import annotations

from locust import FastHttpUser, task

HEADERS = {"X-User-Id": "bench", "X-Tenant-Id": "tenant-1", "X-Role": "student"}


class TrivialUser(FastHttpUser):
    @task
    def schools(self) -> None:
        self.client.get("/api/schools", name="/api/schools", headers=HEADERS)
