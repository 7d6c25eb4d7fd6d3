"""New webhook secret and API key: their form, and that they replace the old ones at once."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from services.crypto import SecretBox
from services.directory.secrets import WEBHOOK_SECRET_OVERLAP
from services.directory.service import DirectoryService
from services.errors import NotFound, Unauthorized
from services.incidents.service import IncidentService, SignatureInvalid
from services.integration.client_secrets import ClientSecrets
from services.store.database import Database
from tests.conftest import TEST_SECRET_KEY
from tests.samples import API_KEY, WEBHOOK_SECRET, directory
from tests.webhooks import incident, signed


async def test_rotate_issues_new_secrets_and_retires_the_old(db: Database) -> None:
    box = SecretBox([TEST_SECRET_KEY])
    dirs = DirectoryService(db, box)
    await dirs.import_document(directory())
    issued = await ClientSecrets(db, box).rotate("contoso")
    assert issued.webhook_secret.startswith("whsec_")
    assert len(base64.b64decode(issued.webhook_secret.removeprefix("whsec_"), validate=True)) == 32
    assert issued.api_key.startswith("pvk_") and len(issued.api_key) > 40
    assert issued.webhook_secret not in repr(issued) and issued.api_key not in repr(issued)
    assert await dirs.webhook_secret("contoso") == issued.webhook_secret != WEBHOOK_SECRET
    assert await dirs.client_for_api_key(issued.api_key) == "contoso"
    with pytest.raises(Unauthorized):
        await dirs.client_for_api_key(API_KEY)
    again = await ClientSecrets(db, box).rotate("contoso")
    assert (again.webhook_secret, again.api_key) != (issued.webhook_secret, issued.api_key)
    with pytest.raises(NotFound):
        await ClientSecrets(db, box).rotate("nobody")


async def test_setup_issues_secrets_once_and_later_setups_keep_them(db: Database) -> None:
    box = SecretBox([TEST_SECRET_KEY])
    dirs = DirectoryService(db, box)
    await dirs.import_document(directory())
    secrets = ClientSecrets(db, box)
    first = await secrets.issue_first("contoso")
    assert first is not None
    assert await secrets.issue_first("contoso") is None  # a second setup run
    assert await dirs.webhook_secret("contoso") == first.webhook_secret
    assert await dirs.authenticate("contoso", first.api_key) == "contoso"
    rotated = await secrets.rotate("contoso")  # rotate-secrets still replaces them
    assert rotated.api_key != first.api_key


async def test_a_secret_pushed_by_pivot_keeps_the_previous_one_for_the_overlap(db: Database) -> None:
    box = SecretBox([TEST_SECRET_KEY])
    service = IncidentService(db, box, None)
    await DirectoryService(db, box).import_document(directory())
    pushed = "whsec_" + base64.b64encode(b"pivot-switched-to-this-secret-32b").decode()
    doc = directory()
    doc["client"]["webhook_secret"] = pushed
    await DirectoryService(db, box).import_document(doc)
    later = datetime.now(UTC) + WEBHOOK_SECRET_OVERLAP + timedelta(seconds=1)
    cases = ((WEBHOOK_SECRET, 202, 401), (pushed, 202, 202))
    for number, (secret, at_once, after_a_day) in enumerate(cases):
        for step, (when, expected) in enumerate(((datetime.now(UTC), at_once), (later, after_a_day))):
            service.clock = lambda when=when: when
            body, headers = signed(secret, incident(id=f"INC-{number}-{step}"))
            try:
                accepted = await service.accept(body, headers)
                status = 202 if accepted.new else 200
            except SignatureInvalid:
                status = 401
            assert status == expected, (secret == pushed, when)
    await service.close()
