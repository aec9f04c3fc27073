"""What the worker does: EventBus handlers and BullMQ job processors.

Handlers (one consumer group each):
- gradeAnalytics (GradePosted): recompute the student's average score.
- attendanceMonitor (AttendanceMarked): an absence creates an sms notification job.
- interventionFollowUp (InterventionCreated): creates a follow-up email notification;
  fails at interventions.handler_fail_ratio.
- notificationAudit (NotificationRequested): reads the notification back.
Jobs:
- notifications/send_<channel>: deliver (a provider call of ~20 ms); fails at
  notifications.fail_ratio[channel]; notifications_sent_total{status=sent|failed}.
- reports/recompute_class_analytics: per-class grade count and average.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bullmq import Job
from sqlalchemy.orm import Session, sessionmaker

from harness.target import repo
from harness.target.db import in_transaction
from harness.target.eventbus import HANDLER_GROUPS, Event, Handler, Subscription
from harness.target.fault_state import Faults
from harness.target.metrics import TargetMetrics
from harness.target.queues import NOTIFICATIONS, QueueProducer, notification_job_type

log = logging.getLogger("harness.target.worker")
T = TypeVar("T")

DELIVERY_MEDIAN_SECONDS = 0.02


class DeliveryFailed(Exception):
    """The (simulated) notification provider rejected a delivery."""


class HandlerFailed(Exception):
    """An event handler failed (injected by the interventions fault)."""


@dataclass(eq=False)
class WorkerDomain:
    """The handlers and processors, with what they use."""

    sessions: sessionmaker[Session]
    producer: QueueProducer
    metrics: TargetMetrics
    faults: Faults

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(in_transaction, self.sessions, fn, *args)

    def subscriptions(self) -> list[Subscription]:
        fns: dict[str, Handler] = {
            "gradeAnalytics": self.grade_analytics,
            "attendanceMonitor": self.attendance_monitor,
            "interventionFollowUp": self.intervention_follow_up,
            "notificationAudit": self.notification_audit,
        }
        return [Subscription(event_type, name, fns[name]) for event_type, name in HANDLER_GROUPS]

    # EventBus handlers

    async def grade_analytics(self, ev: Event) -> None:
        await self._db(repo.update_student_average, int(ev.payload["student_id"]))

    async def attendance_monitor(self, ev: Event) -> None:
        if ev.payload.get("status") == "absent":
            await self._notify(
                ev.tenant_id,
                int(ev.payload["student_id"]),
                "sms",
                "absence_alert",
                "Your child was marked absent today.",
            )

    async def intervention_follow_up(self, ev: Event) -> None:
        if self.faults.intervention_handler_fails():
            raise HandlerFailed("intervention follow-up failed (injected)")
        await self._notify(
            ev.tenant_id,
            int(ev.payload["student_id"]),
            "email",
            "intervention_followup",
            f"A tier {ev.payload.get('tier')} intervention was opened.",
        )

    async def notification_audit(self, ev: Event) -> None:
        await self._db(repo.get_notification, int(ev.payload["notification_id"]))

    async def _notify(
        self, tenant: str, student_id: int, channel: str, type_: str, message: str
    ) -> None:
        n = await self._db(repo.create_notification, tenant, student_id, channel, type_, message)
        await self.producer.enqueue(
            NOTIFICATIONS,
            notification_job_type(channel),
            {
                "notification_id": n["id"],
                "tenant_id": tenant,
                "channel": channel,
                "type": type_,
                "recipient_id": student_id,
            },
        )

    # BullMQ processors

    async def deliver_notification(self, job: Job) -> dict[str, str]:
        d: dict[str, Any] = job.data or {}
        channel = str(d.get("channel") or job.name.removeprefix("send_"))
        tenant, type_ = str(d.get("tenant_id") or "unknown"), str(d.get("type") or "unknown")
        await asyncio.sleep(
            min(1.0, self.faults.rng.lognormvariate(math.log(DELIVERY_MEDIAN_SECONDS), 0.5))
        )
        status = "failed" if self.faults.notification_fails(channel) else "sent"
        if d.get("notification_id"):
            await self._db(repo.mark_notification, int(d["notification_id"]), status)
        self.metrics.notifications_sent.labels(tenant, channel, type_, status).inc()
        if status == "failed":
            raise DeliveryFailed(f"{channel} provider rejected the notification")
        return {"status": status}

    async def recompute_report(self, job: Job) -> dict[str, Any]:
        d: dict[str, Any] = job.data or {}
        if d.get("class_id") is None:  # a synthetic backlog job: no class to recompute
            await asyncio.sleep(0.005)
        else:
            await self._db(
                repo.recompute_class_analytics, str(d.get("tenant_id")), int(d["class_id"])
            )
        return {"class_id": d.get("class_id")}
