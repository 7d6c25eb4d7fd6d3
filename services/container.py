"""The composition root: every service one app instance runs with, built in one place.

`open_services` is how serve (the app factory), the CLI commands and the tests get them: it
opens the database, migrates it, builds the services and closes them all in order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from services.claims.resolution import ResolutionService
from services.claims.service import ClaimService
from services.config import Settings
from services.crypto import SecretBox
from services.directory.account_links import IdentityLinkService
from services.directory.service import DirectoryService
from services.incidents.escalation import EscalationSteps
from services.incidents.service import PROCESS_JOB, CalendarSource, IncidentService
from services.integration.client_secrets import ClientSecrets
from services.integration.configuration import IntegrationConfigService
from services.integration.setup import SetupService
from services.integration.sync import SYNC_JOB, SyncService
from services.integration.sync_memory import SyncMemory
from services.m365.graph_gateway import GraphGateway
from services.m365.signin import IdentityService
from services.metrics import Metrics
from services.notify.card_facts import CardFacts
from services.notify.claim_notices import ClaimNotices
from services.notify.conversations import ConversationDirectory
from services.notify.lifecycle_notices import LifecycleNotices
from services.notify.mailer import Mailer
from services.notify.preferences import PreferencesService
from services.notify.service import NotificationService
from services.notify.teams_routes import TeamsRoutes
from services.store.database import Database
from services.store.state_store import StateStore


@dataclass
class Services:
    settings: Settings
    db: Database
    box: SecretBox
    directory: DirectoryService
    conversations: ConversationDirectory
    state: StateStore
    incidents: IncidentService
    integration: IntegrationConfigService
    preferences: PreferencesService
    links: IdentityLinkService
    identity: IdentityService
    graph: GraphGateway
    notifications: NotificationService
    claims: ClaimService
    setup: SetupService
    metrics: Metrics
    resolutions: ResolutionService
    escalation: EscalationSteps
    sync: SyncService
    teams_routes: TeamsRoutes
    cards: CardFacts

    @classmethod
    def create(
        cls,
        settings: Settings,
        db: Database,
        calendars: CalendarSource | None = None,
        mailer: Mailer | None = None,
    ) -> Services:
        box = SecretBox(settings.secret_keys())
        metrics = Metrics()
        identity = IdentityService(db, box, settings)
        graph = GraphGateway(identity, settings, metrics=metrics)
        mailer = mailer or Mailer.from_settings(settings)
        notifications = NotificationService(db, box, settings, mailer, metrics=metrics)
        ClaimNotices(db, settings).register(notifications)
        LifecycleNotices(db).register(notifications)
        conversations = ConversationDirectory(db)
        state = StateStore(db)
        sync_memory = SyncMemory(state)
        integration = IntegrationConfigService(db)
        incidents = IncidentService(
            db, box, calendars or graph, retry_seconds=settings.INCIDENT_RETRY_SECONDS, metrics=metrics
        )
        return cls(
            settings=settings,
            db=db,
            box=box,
            directory=DirectoryService(db, box),
            conversations=conversations,
            state=state,
            incidents=incidents,
            integration=integration,
            preferences=PreferencesService(db),
            links=IdentityLinkService(db, box, mailer, settings.secret_keys()[0]),
            identity=identity,
            graph=graph,
            notifications=notifications,
            claims=ClaimService(
                db,
                calendars or graph,
                events=graph,
                booking_retry_seconds=settings.BOOKING_RETRY_SECONDS,
                metrics=metrics,
                recheck_budget=settings.CLAIM_RECHECK_BUDGET_SECONDS,
            ),
            setup=SetupService(db, graph, integration, conversations, ClientSecrets(db, box), sync_memory),
            metrics=metrics,
            resolutions=ResolutionService(db, incidents),
            escalation=EscalationSteps(db),
            sync=SyncService(db, graph, identity, sync_memory, interval=settings.SYNC_INTERVAL_SECONDS),
            teams_routes=TeamsRoutes(db, metrics),
            cards=CardFacts(db),
        )

    def job_handlers(self) -> dict[str, Any]:
        """Every durable job kind and its handler."""
        return {
            PROCESS_JOB: self.incidents.handle_process_job,
            **self.notifications.job_handlers(),
            **self.claims.job_handlers(),
            **self.links.job_handlers(),
            **self.escalation.job_handlers(),
            SYNC_JOB: self.sync.handle,
        }

    async def close(self) -> None:
        """Stop what holds connections or threads (Graph sessions, token caches, pools)."""
        await self.incidents.close()
        await self.claims.close()
        await self.graph.close()
        self.identity.close()


@asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    calendars: CalendarSource | None = None,
    mailer: Mailer | None = None,
) -> AsyncIterator[Services]:
    """The database at the schema head and every service on it, closed on the way out."""
    db = Database(settings.DATABASE_URL)
    try:
        await db.migrate()
        services = Services.create(settings, db, calendars, mailer)
        try:
            yield services
        finally:
            await services.close()
    finally:
        await db.dispose()
