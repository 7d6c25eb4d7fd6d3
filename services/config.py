"""Typed settings, parsed strictly from the environment and `.env` (DESIGN 3.2).

Environment variables win over `.env`. Unknown keys in `.env` are rejected so
a typo never silently falls back to a default. Values that are secrets are
`SecretStr` so they never print.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/pivot.db"


class AppType(StrEnum):
    """Bot Framework app registration kinds (`MICROSOFT_APP_TYPE`)."""

    MULTI_TENANT = "MultiTenant"
    SINGLE_TENANT = "SingleTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class Settings(BaseSettings):
    """Everything the process reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        case_sensitive=True,
        frozen=True,
    )

    DATABASE_URL: str = DEFAULT_DATABASE_URL
    MICROSOFT_APP_ID: str = ""
    MICROSOFT_APP_PASSWORD: SecretStr = SecretStr("")
    MICROSOFT_APP_TYPE: AppType = AppType.MULTI_TENANT
    MICROSOFT_APP_TENANT_ID: str = ""
    GRAPH_BASE_URL: str = "https://graph.microsoft.com/v1.0"
    AUTHORITY_HOST: str = "https://login.microsoftonline.com"
    AAD_CLIENT_ID: str = ""
    AAD_CLIENT_SECRET: SecretStr = SecretStr("")
    PUBLIC_BASE_URL: str = "http://127.0.0.1:3978"
    SMTP_URL: SecretStr | None = None
    MAIL_FROM: str = "pivot-scheduling@localhost"
    SECRET_KEY: SecretStr | None = None
    PORT: int = Field(default=3978, ge=1, le=65535)
    CA_BUNDLE: Path | None = None
    METRICS_TOKEN: SecretStr | None = None  # set: GET /metrics needs "Authorization: Bearer <token>"
    LOG_FORMAT: LogFormat = LogFormat.TEXT
    READY_MAX_JOB_LAG_SECONDS: float = Field(default=300.0, gt=0, le=7 * 86400)
    # Extensions (not in DESIGN 3.2): tuning knobs with production defaults.
    JOBS_CONCURRENCY: int = Field(default=16, ge=1, le=64)  # jobs wait on I/O, not CPU
    JOBS_POLL_SECONDS: float = Field(default=5.0, gt=0, le=3600)  # only the safety net (jobs.py)
    JOBS_LEASE_SECONDS: float = Field(default=60.0, ge=1, le=3600)
    INCIDENT_RETRY_SECONDS: float = Field(default=300.0, gt=0, le=86400)
    # First retry of a room booking (DESIGN 3.11); doubles each attempt, capped at 10 minutes.
    BOOKING_RETRY_SECONDS: float = Field(default=5.0, gt=0, le=3600)
    SYNC_INTERVAL_SECONDS: float = Field(default=3600.0, ge=10, le=7 * 86400)
    # HTTP server limits (README "Server limits"): a slow or hostile client cannot hold the server.
    HTTP_HEADER_TIMEOUT_SECONDS: float = Field(default=10.0, gt=0, le=600)
    HTTP_BODY_TIMEOUT_SECONDS: float = Field(default=30.0, gt=0, le=600)
    HTTP_KEEPALIVE_TIMEOUT_SECONDS: float = Field(default=75.0, gt=0, le=3600)
    HTTP_MAX_CONNECTIONS: int = Field(default=1024, ge=1, le=100_000)
    # How long a claim may wait for Graph to confirm the slot is still free (paged calendars included).
    CLAIM_RECHECK_BUDGET_SECONDS: float = Field(default=8.0, gt=0, le=60)

    @field_validator("GRAPH_BASE_URL", "AUTHORITY_HOST", "PUBLIC_BASE_URL")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an absolute http(s) URL")
        return value.rstrip("/")

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if not scheme.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return value

    @field_validator("SECRET_KEY")
    @classmethod
    def _secret_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        for key in value.get_secret_value().split(","):
            if len(key.strip()) < 32:
                raise ValueError("each comma-separated key must be at least 32 characters")
        return value

    @field_validator("MICROSOFT_APP_TENANT_ID")
    @classmethod
    def _tenant(cls, value: str) -> str:
        return value.strip()

    @field_validator("CA_BUNDLE")
    @classmethod
    def _ca_bundle(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError("must name an existing PEM file")
        return value

    @property
    def bot_auth_enabled(self) -> bool:
        """Inbound Bot Framework JWTs are validated only when an app id is set."""
        return bool(self.MICROSOFT_APP_ID)

    def secret_keys(self) -> list[str]:
        """Secret keys, newest first (rotation: prepend the new key)."""
        if self.SECRET_KEY is None:
            return []
        return [k.strip() for k in self.SECRET_KEY.get_secret_value().split(",") if k.strip()]


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Parse settings; raise `ConfigError` naming each bad variable (never its value)."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "?"
            message = "unknown setting" if err["type"] == "extra_forbidden" else err["msg"]
            lines.append(f"{name}: {message}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None
