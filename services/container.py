"""The services one app instance runs with, built once in the app factory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.claim_notices import ClaimNotices
from services.claims import ClaimService
from services.config import Settings
from services.conversations import ConversationDirectory
from services.crypto import SecretBox
from services.directory import DirectoryService
from services.graph_gateway import GraphGateway
from services.identity import IdentityService
from services.identity_links import IdentityLinkService
from services.incidents import PROCESS_JOB, CalendarSource, IncidentService
from services.integration_config import IntegrationConfigService
from services.mailer import Mailer
from services.notifications import NotificationService
from services.preferences import PreferencesService
from services.state_store import StateStore
from services.store.database import Database


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

    @classmethod
    def create(
        cls,
        settings: Settings,
        db: Database,
        calendars: CalendarSource | None = None,
        mailer: Mailer | None = None,
    ) -> Services:
        box = SecretBox(settings.secret_keys())
        identity = IdentityService(db, box, settings)
        graph = GraphGateway(identity, settings)
        mailer = mailer or Mailer.from_settings(settings)
        notifications = NotificationService(db, box, settings, mailer)
        ClaimNotices(db, settings).register(notifications)
        return cls(
            settings=settings,
            db=db,
            box=box,
            directory=DirectoryService(db, box),
            conversations=ConversationDirectory(db),
            state=StateStore(db),
            incidents=IncidentService(
                db, box, calendars or graph, retry_seconds=settings.INCIDENT_RETRY_SECONDS
            ),
            integration=IntegrationConfigService(db),
            preferences=PreferencesService(db),
            links=IdentityLinkService(db, box, mailer, settings.secret_keys()[0]),
            identity=identity,
            graph=graph,
            notifications=notifications,
            claims=ClaimService(db, calendars or graph),
        )

    def job_handlers(self) -> dict[str, Any]:
        """Every durable job kind and its handler."""
        return {
            PROCESS_JOB: self.incidents.handle_process_job,
            **self.notifications.job_handlers(),
            **self.claims.job_handlers(),
            **self.links.job_handlers(),
        }
