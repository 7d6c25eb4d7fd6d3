"""Welcome, help and who-am-I cards."""

from __future__ import annotations

from typing import Any

from cards.common import card, facts, heading, paragraph, plain
from services import texts


def not_for_you_card() -> dict[str, Any]:
    """The answer to a card action by someone who may not use that card: it names nothing."""
    return card([paragraph(texts.CARD_NOT_FOR_YOU)])


def welcome_card() -> dict[str, Any]:
    return card(
        [
            heading(texts.WELCOME_TITLE),
            paragraph(texts.WELCOME_BODY),
            paragraph(texts.WELCOME_NEXT_ADMIN),
            paragraph(texts.WELCOME_NEXT, subtle=True),
        ]
    )


def help_card(commands: list[tuple[str, str]], *, intro: str | None = None) -> dict[str, Any]:
    """`commands` is (name, one-line help) in display order."""
    body: list[dict[str, Any]] = []
    if intro:
        body.append(paragraph(intro))
    body.append(heading(texts.HELP_TITLE))
    body.append(facts(commands))
    body.append(paragraph(texts.HELP_FOOTER, subtle=True))
    return card(body)


def whoami_card(rows: list[dict[str, str]], method: str) -> dict[str, Any]:
    """`rows`: one per directory membership with name, role, client, email."""
    body: list[dict[str, Any]] = [heading(texts.WHOAMI_TITLE)]
    for row in rows:
        body.append(
            facts(
                [
                    ("Name", plain(row["name"])),
                    ("Role", texts.ROLE_LABELS.get(row["role"], plain(row["role"]))),
                    ("Client", plain(row["client"])),
                    ("E-mail", plain(row["email"])),
                ]
            )
        )
    body.append(paragraph(texts.WHOAMI_MATCHED_BY.format(method=texts.MATCH_METHODS[method]), subtle=True))
    return card(body)
