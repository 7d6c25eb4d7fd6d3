"""`python app.py reencrypt` (DESIGN 3.1): every stored secret and token re-encrypted with the
first key of SECRET_KEY, so that older keys can then be removed from it.

Idempotent and safe while the app runs (each row is rewritten only if it still holds the
ciphertext that was read). Rows no configured key opens are counted and named by id, never
changed: the command then exits non-zero and the old key must stay until they are fixed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from services.crypto import DecryptionFailed, SecretBox
from services.store.database import Database
from services.store.models import Client, Integration, SignInSession

log = logging.getLogger(__name__)

# (model, encrypted column, key columns): every column that holds SecretBox ciphertext.
ENCRYPTED_COLUMNS: tuple[tuple[Any, str, tuple[str, ...]], ...] = (
    (Client, "webhook_secret_enc", ("id",)),
    (Client, "previous_webhook_secret_enc", ("id",)),
    (Integration, "token_cache_enc", ("client_id",)),
    (SignInSession, "flow_enc", ("id",)),
)


@dataclass
class ReencryptReport:
    rewritten: dict[str, int] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"rewritten": self.rewritten, "unreadable": self.unreadable}


async def reencrypt_all(db: Database, box: SecretBox) -> ReencryptReport:
    report = ReencryptReport()
    for model, column_name, keys in ENCRYPTED_COLUMNS:
        column = getattr(model, column_name)
        key_columns = [getattr(model, k) for k in keys]
        label = f"{model.__tablename__}.{column_name}"
        async with db.engine.connect() as conn:
            rows = (await conn.execute(select(*key_columns, column).where(column.is_not(None)))).all()
        count = 0
        for row in rows:
            *ids, ciphertext = tuple(row)
            try:
                fresh = box.rotate(ciphertext)
            except DecryptionFailed:
                report.unreadable.append(f"{label}:{'/'.join(str(i) for i in ids)}")
                continue
            async with db.engine.begin() as conn:
                condition = [c == v for c, v in zip(key_columns, ids, strict=True)] + [column == ciphertext]
                result = await conn.execute(update(model).where(*condition).values({column_name: fresh}))
            count += int(result.rowcount or 0)
        report.rewritten[label] = count
        log.info("reencrypt %s rewritten=%d", label, count)
    if report.unreadable:
        log.error("reencrypt: %d stored secrets open with no configured key", len(report.unreadable))
    return report
