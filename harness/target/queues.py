"""BullMQ queues: the producer (API and worker) and the job runner (worker).

Queues: ``notifications`` (job types send_email, send_sms, send_push, send_in_app)
and ``reports`` (recompute_class_analytics). The runner counts bullmq_jobs_total from
BullMQ's own completed/failed events (after the job's state really moved) and times
every processor call in bullmq_job_duration_seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bullmq import Job, Queue, Worker
from redis.asyncio import Redis

from harness.target.fault_state import Faults
from harness.target.metrics import TargetMetrics

log = logging.getLogger("harness.target.queues")

NOTIFICATIONS = "notifications"
REPORTS = "reports"
QUEUE_NAMES = (NOTIFICATIONS, REPORTS)
PREFIX = "bull"
# Completed jobs are removed; the newest failed ones are kept for inspection.
JOB_OPTS = {"removeOnComplete": True, "removeOnFail": 1000}
CLOSE_TIMEOUT = 5.0

Processor = Callable[[Job], Awaitable[Any]]


def notification_job_type(channel: str) -> str:
    return f"send_{channel}"


class QueueProducer:
    """Enqueue jobs and read queue counts. All queues share one Redis client."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.queues = {
            name: Queue(name, {"connection": redis, "prefix": PREFIX}) for name in QUEUE_NAMES
        }

    async def enqueue(self, queue: str, job_type: str, data: dict[str, Any]) -> str:
        job = await self.queues[queue].add(job_type, data, JOB_OPTS)
        return str(job.id)

    async def enqueue_many(
        self, queue: str, job_type: str, data: dict[str, Any], count: int, chunk: int = 500
    ) -> int:
        q = self.queues[queue]
        done = 0
        while done < count:
            n = min(chunk, count - done)
            await q.addBulk([{"name": job_type, "data": data, "opts": JOB_OPTS} for _ in range(n)])
            done += n
        return done

    async def counts(self) -> dict[str, tuple[int, int]]:
        """(waiting, active) per queue: the spec's getWaitingCount/getActiveCount."""
        out = {}
        for name, q in self.queues.items():
            c = await q.getJobCounts("waiting", "active")
            out[name] = (int(c.get("waiting", 0)), int(c.get("active", 0)))
        return out


# Plain dataclass fields (the same shape as eventbus.Event's: only the names differ).
@dataclass(eq=False)
class JobRunner:
    """BullMQ Workers for the given processors, with the spec's job metrics."""

    redis: Redis
    metrics: TargetMetrics
    faults: Faults
    processors: dict[str, Processor]
    concurrency: int = field(kw_only=True)
    workers: list[Worker] = field(default_factory=list, init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)

    def start(self) -> None:
        for queue, fn in self.processors.items():
            worker = Worker(
                queue,
                self._wrap(queue, fn),
                {
                    "connection": self.redis,
                    "prefix": PREFIX,
                    "autorun": False,
                    "concurrency": self.concurrency,
                    "drainDelay": 2,
                    "runRetryDelay": 1000,
                },
            )
            worker.on("completed", self._on_done(queue, "completed"))
            worker.on("failed", self._on_done(queue, "failed"))
            worker.on("error", lambda err, *_: log.warning("bullmq worker error: %s", err))
            self.workers.append(worker)
            self._tasks.append(asyncio.create_task(self._supervise(worker)))

    async def _supervise(self, worker: Worker) -> None:
        """Run a BullMQ worker; run it again if it ends before close (e.g. Redis was
        away when it started: bullmq's run() gives up if its first command fails)."""
        while not worker.closing:
            try:
                await worker.run()
            except Exception as exc:
                log.warning("bullmq worker %s stopped: %s; restarting", worker.name, exc)
            if not worker.closing:
                await asyncio.sleep(1.0)

    @property
    def running(self) -> bool:
        return bool(self._tasks) and not any(t.done() for t in self._tasks)

    def _wrap(self, queue: str, fn: Processor) -> Callable[[Job, str], Awaitable[Any]]:
        duration = self.metrics.bullmq_job_duration

        async def process(job: Job, token: str) -> Any:
            await self.faults.running.wait()  # stuck: the job stays active, nothing completes
            t0 = time.perf_counter()
            try:
                return await fn(job)
            finally:
                duration.labels(queue, job.name).observe(time.perf_counter() - t0)

        return process

    def _on_done(self, queue: str, status: str) -> Callable[..., None]:
        jobs = self.metrics.bullmq_jobs
        failed = self.metrics.bullmq_queue_failed

        def record(job: Job, *_: Any) -> None:
            jobs.labels(queue, job.name, status).inc()
            if status == "failed":
                failed.labels(queue, job.name).inc()

        return record

    async def close(self) -> None:
        """Graceful close; force after CLOSE_TIMEOUT (stuck jobs, or Redis away)."""
        if not self.faults.running.is_set():
            for w in self.workers:
                w.forceClosing = True
                w.cancelProcessing()
        closing = [asyncio.ensure_future(w.close()) for w in self.workers]
        if not closing:
            return
        _done, pending = await asyncio.wait(closing, timeout=CLOSE_TIMEOUT)
        if pending:
            for w in self.workers:
                w.forceClosing = True
                w.cancelProcessing()
            await asyncio.wait(pending, timeout=CLOSE_TIMEOUT)
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
