"""EventBus on Redis Streams: one stream per event type, one consumer group per handler.

Delivery: a handler's group reads new entries (XREADGROUP); an entry whose handler
fails stays pending and is re-delivered (XAUTOCLAIM) once it has been idle for the
retry idle time (production value / time scale). After ``max_attempts`` failed
deliveries it is copied to the dead-letter stream ``events:dlq``, acknowledged, and
eventbus_dlq_total{event_type} increments. A poisoned event (``poison`` field, set
by the eventbus.poison_ratio fault) fails every attempt until it is dead-lettered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from harness.target.fault_state import Faults
from harness.target.metrics import TargetMetrics
from harness.target.redisconn import UNAVAILABLE

log = logging.getLogger("harness.target.eventbus")

EVENT_TYPES = ("GradePosted", "AttendanceMarked", "InterventionCreated", "NotificationRequested")
# (event_type, handler): each handler is one consumer group in the worker.
HANDLER_GROUPS = (
    ("GradePosted", "gradeAnalytics"),
    ("AttendanceMarked", "attendanceMonitor"),
    ("InterventionCreated", "interventionFollowUp"),
    ("NotificationRequested", "notificationAudit"),
)
DLQ_STREAM = "events:dlq"
STREAM_MAXLEN = 100_000


def stream_key(event_type: str) -> str:
    return f"events:{event_type}"


@dataclass(frozen=True)
class Event:
    """One message of an event stream, as a handler receives it."""

    id: str
    type: str
    tenant_id: str
    payload: dict[str, Any]
    poison: bool
    attempt: int


class PoisonEventError(Exception):
    """A poisoned event: every handler attempt fails."""


Handler = Callable[[Event], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    event_type: str
    handler: str  # also the consumer group name
    fn: Handler


class EventBus:
    """Publishing side, group setup and depth collection (API and worker)."""

    def __init__(self, redis: Redis, metrics: TargetMetrics, faults: Faults) -> None:
        self.redis = redis
        self.metrics = metrics
        self.faults = faults

    async def publish(
        self,
        event_type: str,
        tenant_id: str,
        payload: dict[str, Any],
        *,
        poison: bool | None = None,
    ) -> str:
        """XADD the event; ``poison`` None: poisoned at the eventbus.poison_ratio fault."""
        fields: dict[Any, Any] = {
            "type": event_type,
            "tenant_id": tenant_id,
            "payload": json.dumps(payload),
            "published_at": f"{time.time():.3f}",
        }
        if poison or (poison is None and self.faults.poison()):
            fields["poison"] = "1"
        entry_id = await self.redis.xadd(
            stream_key(event_type),
            fields,
            maxlen=STREAM_MAXLEN,
            approximate=True,
        )
        self.metrics.eventbus_published.labels(event_type, tenant_id).inc()
        return str(entry_id)

    async def ensure_groups(self, groups: Iterable[tuple[str, str]]) -> None:
        """Create each (event_type, group) with its stream; existing ones are kept.

        Reading from id 0: entries published before the group existed are consumed too.
        """
        for event_type, group in groups:
            try:
                await self.redis.xgroup_create(stream_key(event_type), group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def check(self, event_types: Iterable[str] = EVENT_TYPES) -> None:
        """XINFO STREAM on every event stream; raises if one is missing or Redis is away.

        The spec calls ``xinfo('STREAM', 'events:*')``: XINFO takes no glob, so that
        check always fails and the spec's /health is never 'healthy'. We check the real keys.
        """
        async with self.redis.pipeline(transaction=False) as pipe:
            for event_type in event_types:
                pipe.xinfo_stream(stream_key(event_type))
            await pipe.execute()

    async def depths(self, groups: Iterable[tuple[str, str]]) -> dict[str, int]:
        """pending + lag of each consumer group (entries read but unacked + not yet read)."""
        wanted = {group: event_type for event_type, group in groups}
        out: dict[str, int] = {}
        for event_type in sorted(set(wanted.values())):
            try:
                infos = await self.redis.xinfo_groups(stream_key(event_type))
            except ResponseError:
                continue  # stream missing: the next ensure_groups recreates it
            for info in infos:
                name = info.get("name")
                if name in wanted:
                    out[name] = int(info.get("pending") or 0) + int(info.get("lag") or 0)
        return out


class EventConsumer:
    """One handler's consumer loop (worker process)."""

    def __init__(
        self,
        redis: Redis,
        sub: Subscription,
        metrics: TargetMetrics,
        faults: Faults,
        *,
        max_attempts: int,
        retry_idle: float,
        block_ms: int = 1000,
        batch: int = 32,
    ) -> None:
        self.redis = redis
        self.sub = sub
        self.metrics = metrics
        self.faults = faults
        self.max_attempts = max_attempts
        self.idle_ms = max(1, int(retry_idle * 1000))
        self.claim_every = max(0.05, retry_idle / 2)
        self.block_ms = block_ms
        self.batch = batch
        self.stream = stream_key(sub.event_type)
        self.group = sub.handler
        self.consumer = f"{socket.gethostname()}-{os.getpid()}"
        self._redis_down = False

    async def run(self, stop: asyncio.Event) -> None:
        last_claim = 0.0
        while not stop.is_set():
            try:
                if not self.faults.running.is_set():  # stuck: consume nothing
                    await _wait_any(self.faults.running, stop, timeout=1.0)
                    continue
                if time.monotonic() - last_claim >= self.claim_every:
                    last_claim = time.monotonic()
                    await self._reclaim()
                resp: Any = await self.redis.xreadgroup(
                    self.group,
                    self.consumer,
                    {self.stream: ">"},
                    count=self.batch,
                    block=self.block_ms,
                )
                self._set_redis_down(False)
                for _stream, entries in resp or []:
                    for entry_id, fields in entries:
                        await self._handle(entry_id, fields, attempt=1)
            except ResponseError as exc:
                if "NOGROUP" in str(exc):  # Redis lost its data (restart without persistence)
                    await self._ensure_group()
                else:
                    log.warning("eventbus %s: %s", self.group, exc)
                    await _wait_any(stop, timeout=0.5)
            except UNAVAILABLE as exc:
                self._set_redis_down(True, exc)
                await _wait_any(stop, timeout=0.5)

    def _set_redis_down(self, down: bool, exc: BaseException | None = None) -> None:
        if down and not self._redis_down:
            log.warning("eventbus %s: redis unavailable (%s); retrying", self.group, exc)
        elif not down and self._redis_down:
            log.info("eventbus %s: redis back", self.group)
        self._redis_down = down

    async def _ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _reclaim(self) -> None:
        """Re-deliver entries pending longer than the retry idle time."""
        start = "0-0"
        while True:
            reply: list[Any] = await self.redis.xautoclaim(
                self.stream,
                self.group,
                self.consumer,
                self.idle_ms,
                start_id=start,
                count=self.batch,
            )
            next_start, entries = reply[0], reply[1]
            for entry_id, fields in entries:
                if fields is None:
                    continue  # deleted by stream trimming; XAUTOCLAIM drops it from the PEL
                await self._handle(entry_id, fields, attempt=await self._deliveries(entry_id))
            if not entries or next_start in ("0-0", "0"):
                return
            start = next_start

    async def _deliveries(self, entry_id: str) -> int:
        rows = await self.redis.xpending_range(self.stream, self.group, entry_id, entry_id, 1)
        return int(rows[0]["times_delivered"]) if rows else self.max_attempts

    async def _handle(self, entry_id: str, fields: dict[str, str], *, attempt: int) -> None:
        event_type = fields.get("type") or self.sub.event_type
        t0 = time.perf_counter()
        try:
            event = Event(
                id=entry_id,
                type=event_type,
                tenant_id=fields.get("tenant_id", "unknown"),
                payload=json.loads(fields.get("payload") or "{}"),
                poison=fields.get("poison") == "1",
                attempt=attempt,
            )
            if event.poison:
                raise PoisonEventError(f"poisoned event {entry_id}")
            await self.sub.fn(event)
        except Exception as exc:
            self._observe(event_type, "failed", t0)
            if attempt >= self.max_attempts:
                await self._dead_letter(entry_id, fields, event_type, attempt, exc)
            else:
                log.info(
                    "handler %s failed on %s (attempt %d): %s", self.group, entry_id, attempt, exc
                )
            return
        self._observe(event_type, "success", t0)
        await self.redis.xack(self.stream, self.group, entry_id)

    def _observe(self, event_type: str, status: str, t0: float) -> None:
        m = self.metrics
        m.eventbus_consumed.labels(event_type, self.group, status).inc()
        m.eventbus_processing_duration.labels(event_type, self.group).observe(
            time.perf_counter() - t0
        )

    async def _dead_letter(
        self,
        entry_id: str,
        fields: dict[str, str],
        event_type: str,
        attempts: int,
        exc: Exception,
    ) -> None:
        record: dict[Any, Any] = {
            **fields,
            "original_id": entry_id,
            "stream": self.stream,
            "group": self.group,
            "attempts": str(attempts),
            "error": f"{exc.__class__.__name__}: {exc}"[:500],
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(DLQ_STREAM, record, maxlen=STREAM_MAXLEN, approximate=True)
            pipe.xack(self.stream, self.group, entry_id)
            await pipe.execute()
        self.metrics.eventbus_dlq.labels(event_type).inc()
        log.warning(
            "event dead-lettered",
            extra={
                "fields": {
                    "eventType": event_type,
                    "handler": self.group,
                    "entryId": entry_id,
                    "attempts": attempts,
                    "error": str(exc),
                }
            },
        )


async def _wait_any(*events: asyncio.Event, timeout: float) -> None:
    """Return when one of ``events`` is set or after ``timeout`` seconds."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
