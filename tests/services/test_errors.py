""" "Transient" is one idea across the error hierarchy: a class attribute of PivotError."""

from __future__ import annotations

import pytest

from services.errors import NotFound, PivotError
from services.jobs import PermanentFailure, RetryLater
from services.m365.graph_errors import AccessDenied, GraphError, MailboxNotFound, Throttled, Unavailable
from services.notify.mailer import MailPermanent, MailTransient


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (PivotError("x"), False),
        (NotFound("x"), False),
        (GraphError("x"), False),
        (AccessDenied("x"), False),
        (MailboxNotFound("x"), False),
        (Throttled(retry_after=3), True),
        (Unavailable("x"), True),
        (MailTransient("greylisted", 451), True),
        (MailPermanent("no such user", 550), False),
        (RetryLater(5), True),
        (PermanentFailure("x"), False),
    ],
)
def test_every_product_error_says_whether_trying_again_can_help(error: PivotError, transient: bool) -> None:
    assert isinstance(error, PivotError)
    assert error.transient is transient
