"""Token-protected fault endpoints, shared by the API and the worker.

GET /faults: the current state. PUT /faults: a partial update (sections merge field
by field; unknown keys or out-of-range values: 422). DELETE /faults: reset everything
(and stop a poison flood still running). API only:
POST /faults/backlog {queue, jobs, job_type?}: enqueue that many jobs at once;
POST /faults/poison {events, event_type?, rate?, tenant_id?}: publish poisoned events
(every handler attempt fails until they are dead-lettered), at once or at ``rate``/s.
Every call needs ``X-Fault-Token``; a missing or wrong token gets 401, and so does
every call when no token is configured.

The API forwards each new state to the worker (``worker_control_url``) before it
applies it, so one call to the API controls both processes; if the worker cannot be
reached, the API answers 502 and changes nothing.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from typing import Annotated, Any

import httpx
from fastapi import Body, Depends, FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from harness.target.eventbus import EventBus
from harness.target.fault_state import (
    BACKLOG_JOB_TYPES,
    BacklogRequest,
    Faults,
    FaultState,
    PoisonRequest,
    merge_patch,
)
from harness.target.queues import NOTIFICATIONS, QueueProducer

log = logging.getLogger("harness.target.fault_state")


class FaultControl:
    def __init__(
        self,
        faults: Faults,
        *,
        forward_url: str | None = None,
        http: httpx.AsyncClient | None = None,
        token: str = "",
    ) -> None:
        self.faults = faults
        self.forward_url = forward_url.rstrip("/") if forward_url else None
        self.http = http
        self.token = token
        self.floods: set[asyncio.Task[None]] = set()

    async def apply(self, state: FaultState) -> None:
        if self.forward_url and self.http is not None:
            try:
                resp = await self.http.put(
                    f"{self.forward_url}/faults",
                    json=state.model_dump(),
                    headers={"X-Fault-Token": self.token},
                    timeout=3.0,
                )
                resp.raise_for_status()
            except httpx.HTTPError as exc:
                raise HTTPException(
                    502, f"worker control at {self.forward_url} failed: {exc}; nothing changed"
                ) from None
        self.faults.set(state)
        log.info("faults set", extra={"fields": {"faults": state.model_dump()}})

    def stop_floods(self) -> None:
        for task in self.floods:
            task.cancel()


async def _flood(bus: EventBus, req: PoisonRequest) -> None:
    interval = 1.0 / req.rate if req.rate else 0.0
    for i in range(req.events):
        try:
            await bus.publish(req.event_type, req.tenant_id, {"flood": i}, poison=True)
        except Exception as exc:  # Redis away: drop this one, keep the pace
            log.warning("poison flood: publish failed: %s", exc)
        if interval:
            await asyncio.sleep(interval)


def add_fault_routes(
    app: FastAPI,
    control: FaultControl,
    producer: QueueProducer | None = None,
    bus: EventBus | None = None,
) -> None:
    """Register /faults on the app itself (flat routes, like the domain routes); with a
    ``producer`` also /faults/backlog, with a ``bus`` also /faults/poison."""
    guarded = [Depends(_token_check(control.token))]
    _add_state_routes(app, control, guarded)
    if producer is not None:
        _add_backlog_route(app, producer, guarded)
    if bus is not None:
        _add_poison_route(app, control, bus, guarded)


def _token_check(token: str) -> Callable[[str | None], None]:
    """A dependency: 401 unless ``X-Fault-Token`` equals ``token`` (always 401 without one)."""

    def require_token(x_fault_token: Annotated[str | None, Header()] = None) -> None:
        if (
            not token
            or x_fault_token is None
            or not hmac.compare_digest(x_fault_token.encode(), token.encode())
        ):
            raise HTTPException(401, "missing or wrong X-Fault-Token")

    return require_token


def _add_state_routes(app: FastAPI, control: FaultControl, guarded: list[Any]) -> None:
    @app.get("/faults", dependencies=guarded)
    async def get_faults() -> dict[str, Any]:
        return control.faults.state.model_dump()

    @app.put("/faults", response_model=None, dependencies=guarded)
    async def put_faults(patch: Annotated[dict[str, Any], Body()]) -> dict[str, Any] | JSONResponse:
        try:
            state = merge_patch(control.faults.state, patch)
        except ValidationError as exc:
            return JSONResponse({"detail": json.loads(exc.json(include_url=False))}, 422)
        await control.apply(state)
        return state.model_dump()

    @app.delete("/faults", dependencies=guarded)
    async def delete_faults() -> dict[str, Any]:
        control.stop_floods()
        await control.apply(FaultState())
        return control.faults.state.model_dump()


def _add_backlog_route(app: FastAPI, producer: QueueProducer, guarded: list[Any]) -> None:
    @app.post("/faults/backlog", dependencies=guarded)
    async def backlog(req: BacklogRequest) -> dict[str, Any]:
        job_type = req.job_type or BACKLOG_JOB_TYPES[req.queue][0]
        data: dict[str, Any] = {"tenant_id": "tenant-1", "backlog": True}
        if req.queue == NOTIFICATIONS:
            data.update(channel=job_type.removeprefix("send_"), type="backlog")
        queued = await producer.enqueue_many(req.queue, job_type, data, req.jobs)
        return {"queue": req.queue, "job_type": job_type, "queued": queued}


def _add_poison_route(
    app: FastAPI, control: FaultControl, bus: EventBus, guarded: list[Any]
) -> None:
    @app.post("/faults/poison", status_code=202, dependencies=guarded)
    async def poison(req: PoisonRequest) -> dict[str, Any]:
        if req.rate is None:  # all at once, before answering
            for i in range(req.events):
                await bus.publish(req.event_type, req.tenant_id, {"flood": i}, poison=True)
            return {**req.model_dump(), "published": req.events}
        task = asyncio.create_task(_flood(bus, req))
        control.floods.add(task)
        task.add_done_callback(control.floods.discard)
        return {**req.model_dump(), "published": 0, "seconds": req.events / req.rate}
