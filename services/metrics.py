"""Prometheus metrics (DESIGN 3.13): one registry per app instance, no module globals.

Counters and the histogram are recorded where the work happens (the services get
this object from the container); the queue figures (`pivot_jobs`,
`pivot_job_lag_seconds`) are read from the jobs table when `/metrics` is scraped,
so every instance reports the shared queue as it is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import EllipsisType
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs import JobQueueStats
from services.store.models import Incident
from services.store.notification_models import Notification
from services.store.times import as_utc

CONTENT_TYPE = CONTENT_TYPE_LATEST
NEW_INCIDENT = "new_incident"  # the first notice of an incident (never tagged with "#...")
# Seconds from webhook to a notification: the interesting range is Graph's round trip and up.
LATENCY_BUCKETS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 300.0)


class Metrics:
    """Every metric of DESIGN 3.13, registered in this instance's own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.webhook_requests = Counter(
            "pivot_webhook_requests", "Incident webhook deliveries by HTTP status", ["code"], registry=r
        )
        self.incidents = Counter(
            "pivot_incidents", "Incident outcomes recorded by the pipeline", ["status"], registry=r
        )
        self.jobs = Gauge("pivot_jobs", "Durable jobs by kind and status", ["kind", "status"], registry=r)
        self.job_lag = Gauge(
            "pivot_job_lag_seconds", "Age of the oldest due job (0 when none is due)", registry=r
        )
        self.graph_requests = Counter(
            "pivot_graph_requests", "Microsoft Graph HTTP requests by outcome", ["outcome"], registry=r
        )
        self.notifications = Counter(
            "pivot_notifications",
            "Notifications finished, by channel and status",
            ["channel", "status"],
            registry=r,
        )
        self.claims = Counter(
            "pivot_claims", "Claim attempts by way in and outcome", ["via", "outcome"], registry=r
        )
        self.incident_to_notified = Histogram(
            "pivot_incident_to_notified_seconds",
            "Seconds from the webhook accepting an incident to each of its first notifications sent",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )

    # ---- recording (called by the services) ------------------------------------------------

    def graph_response(self, status: int | None) -> None:
        """One Graph HTTP round trip: `status` None when the connection failed."""
        if status is not None and status < 400:
            outcome = "ok"
        elif status == 429:
            outcome = "throttled"
        else:
            outcome = "error"
        self.graph_requests.labels(outcome=outcome).inc()

    def notification_finished(
        self, channel: str, status: str, *, accepted_at: datetime | None, finished_at: datetime
    ) -> None:
        self.notifications.labels(channel=channel, status=status).inc()
        if status == "sent" and accepted_at is not None:
            self.incident_to_notified.observe(max(0.0, (finished_at - accepted_at).total_seconds()))

    # ---- exposition ------------------------------------------------------------------------

    def render(self, queue: JobQueueStats) -> bytes:
        """The text exposition, with the queue figures of this scrape."""
        self.jobs.clear()
        for (kind, status), count in queue.counts.items():
            self.jobs.labels(kind=kind, status=status).set(count)
        self.job_lag.set(queue.lag_seconds)
        return generate_latest(self.registry)


def finished_notification_columns() -> tuple[Any, ...]:
    """What a notification's final UPDATE returns for `record_notification`: client, incident,
    event and the incident's acceptance (for the webhook-to-notified histogram), in one trip."""
    accepted = (
        select(Incident.created_at)
        .where(Incident.client_id == Notification.client_id, Incident.id == Notification.incident_id)
        .scalar_subquery()
    )
    return (Notification.client_id, Notification.incident_id, Notification.event, accepted)


async def record_notification(
    session: AsyncSession,
    metrics: Metrics,
    channel: str,
    status: str,
    client_id: str,
    incident_id: str,
    event: str,
    *,
    accepted_at: datetime | EllipsisType | None = ...,
) -> None:
    """Count a notification that just finished; a sent first notice also feeds the
    webhook-to-notified histogram (from the incident's acceptance: `accepted_at` when the
    caller has it, else read in `session`)."""
    if status != "sent" or event != NEW_INCIDENT:
        accepted_at = None
    elif accepted_at is ...:
        accepted_at = await session.scalar(
            select(Incident.created_at).where(Incident.client_id == client_id, Incident.id == incident_id)
        )
    metrics.notification_finished(
        channel,
        status,
        accepted_at=as_utc(accepted_at) if accepted_at is not None else None,
        finished_at=datetime.now(UTC),
    )
