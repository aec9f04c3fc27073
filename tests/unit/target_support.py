"""Shared helpers for the target's unit tests: an in-process app on a small seeded
SQLite file, with Redis pointed at a closed port (nothing listens there)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from harness.target.app import create_app
from harness.target.dbinit import init_database
from harness.target.seed import SeedPlan
from harness.target.settings import Settings

T = TypeVar("T")
TOKEN = "unit-token"
TEACHER = {"X-User-Id": "teacher-1", "X-Tenant-Id": "tenant-1", "X-Role": "teacher"}
SMALL = SeedPlan(tenants=1, schools_per_tenant=1, classes_per_school=2, students_per_school=5)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seeded_db(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'unit.db'}"
    init_database(url, SMALL)
    return url


def make_app(tmp: Path, **overrides: Any) -> tuple[FastAPI, CollectorRegistry]:
    values: dict[str, Any] = {
        "database_url": seeded_db(tmp),
        "redis_url": f"redis://127.0.0.1:{closed_port()}/0",
        "fault_token": TOKEN,
        "fault_seed": 1,
        **overrides,
    }
    settings = Settings(**values)
    registry = CollectorRegistry()
    return create_app(settings, registry), registry


def client(app: FastAPI, *, raise_app_exceptions: bool = True, **kwargs: Any) -> httpx.AsyncClient:
    """An ASGI client (no lifespan: no background collector in unit tests)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://target", **kwargs)
