"""The incident webhook body (DESIGN 3.3), validated strictly.

Unknown fields are ignored (pivot may add some: the contract extends
compatibly); known fields must be well-formed, and every bad one is named.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.domain.text_policy import ID_PATTERN, FreeText, SingleLine
from services.errors import FieldProblem


class IncidentDoc(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, strict=False)

    id: SingleLine = Field(pattern=ID_PATTERN)
    client_id: SingleLine = Field(pattern=ID_PATTERN)
    room_id: SingleLine = Field(pattern=ID_PATTERN)
    triggered_at: AwareDatetime
    title: SingleLine = Field(min_length=1, max_length=512)
    severity: SingleLine = Field(min_length=1, max_length=32)
    description: FreeText | None = Field(default=None, max_length=8000)

    @field_validator("triggered_at")
    @classmethod
    def _plausible_instant(cls, value: datetime) -> datetime:
        try:
            utc = value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValueError("must be an instant between 1970 and 2100") from None
        if not 1970 <= utc.year < 2100:
            raise ValueError("must be an instant between 1970 and 2100")
        return value


@dataclass(frozen=True)
class IncidentInput:
    id: str
    client_id: str
    room_id: str
    triggered_at: datetime
    title: str
    severity: str
    description: str | None

    def fingerprint(self) -> str:
        """Same incident ⇔ same fingerprint (whitespace and key order do not matter)."""
        canonical = json.dumps(
            {
                "id": self.id,
                "client_id": self.client_id,
                "room_id": self.room_id,
                "triggered_at": self.triggered_at.astimezone(UTC).isoformat(),
                "title": self.title,
                "severity": self.severity,
                "description": self.description,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def parse_incident(data: Any) -> tuple[IncidentInput | None, list[FieldProblem]]:
    if not isinstance(data, dict):
        return None, [FieldProblem("(body)", "must be a JSON object")]
    try:
        doc = IncidentDoc.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(body)"
            problems.append(FieldProblem(field, err["msg"].removeprefix("Value error, ")))
        return None, problems
    return IncidentInput(**doc.model_dump()), []


class ResolutionDoc(BaseModel):
    """`POST /api/incidents/{id}/resolve` (DESIGN 3.10); unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, strict=False)

    client_id: SingleLine = Field(pattern=ID_PATTERN)
    resolved_at: AwareDatetime | None = None
    note: FreeText | None = Field(default=None, max_length=2000)


@dataclass(frozen=True)
class ResolutionInput:
    client_id: str
    resolved_at: datetime | None
    note: str | None


def parse_resolution(data: Any) -> tuple[ResolutionInput | None, list[FieldProblem]]:
    if not isinstance(data, dict):
        return None, [FieldProblem("(body)", "must be a JSON object")]
    try:
        doc = ResolutionDoc.model_validate(data)
    except ValidationError as exc:
        return None, [
            FieldProblem(
                ".".join(str(p) for p in err["loc"]) or "(body)", err["msg"].removeprefix("Value error, ")
            )
            for err in exc.errors()
        ]
    return ResolutionInput(doc.client_id, doc.resolved_at, doc.note or None), []
