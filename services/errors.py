"""One error hierarchy for the product.

Every error the domain raises on purpose derives from `PivotError`. Each
carries a `user_message` that is safe to show (no exception text, no data),
while `str(error)` may hold details that only go to logs by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class PivotError(Exception):
    """Base of every error the product raises deliberately.

    `transient` is the one spelling of "trying again later may work" (Graph
    throttling, an SMTP 4xx, a job's RetryLater); subclasses that are say so.
    """

    user_message = "Something went wrong."
    transient = False


class ConfigError(PivotError):
    """The process configuration (environment / .env) is invalid."""

    user_message = "The app is not configured correctly."


@dataclass(frozen=True)
class FieldProblem:
    """One bad field in an input document, named by its JSON path."""

    field: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass
class ValidationFailed(PivotError):
    """Input rejected as a whole; `problems` names every bad field."""

    what: str
    problems: list[FieldProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(f"{self.what}: {len(self.problems)} problem(s)")

    @property
    def user_message(self) -> str:  # type: ignore[override]
        return f"The {self.what} was rejected: nothing was changed."


class NotFound(PivotError):
    """The thing asked for does not exist (or is not visible to the caller)."""

    user_message = "Not found."


class Unauthorized(PivotError):
    """Missing or wrong credentials."""

    user_message = "Not authorized."


# What writing a message (e-mail, card) raises when its data cannot be written: a permanent
# failure of that one notification, never a reason to retry (database errors are not in here).
RENDER_ERRORS: tuple[type[Exception], ...] = (ValueError, TypeError, LookupError, AttributeError)
