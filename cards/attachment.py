"""The one place outside bot/ and dialogs/ that touches Bot Framework: wrap a card
dict as an attachment. Swap this (and bot/, dialogs/) to move to the Agents SDK."""

from __future__ import annotations

from typing import Any

from botbuilder.core import CardFactory
from botbuilder.schema import Attachment


def card_attachment(card: dict[str, Any]) -> Attachment:
    return CardFactory.adaptive_card(card)
