"""`link`: connect a Teams account to a directory user with a code e-mailed to them."""

from __future__ import annotations

from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogTurnResult, TextPrompt, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.prompts import PromptOptions

from dialogs.activity_facts import tenant_of
from services import texts
from services.directory.account_links import IdentityLinkService, LinkFailed
from services.directory.schema import is_email
from services.domain.time_format import utc_time

LINK_DIALOG = "link"
CODE_DIALOG = "link.code"
EMAIL_PROMPT = "link.email_prompt"
CODE_PROMPT = "link.code_prompt"


def link_dialogs(links: IdentityLinkService) -> list[Any]:
    async def ask_email(step: WaterfallStepContext) -> DialogTurnResult:
        return await step.prompt(
            EMAIL_PROMPT, PromptOptions(prompt=MessageFactory.text(texts.LINK_ASK_EMAIL))
        )

    async def send_code(step: WaterfallStepContext) -> DialogTurnResult:
        email = str(step.result or "").strip()
        if not is_email(email):
            await step.context.send_activity(texts.LINK_BAD_EMAIL)
            return await step.end_dialog()
        activity = step.context.activity
        started = await links.start(activity.from_property.id, email, tenant_id=tenant_of(activity))
        if started.outcome == "limited" and started.retry_at is not None:
            await step.context.send_activity(texts.LINK_LIMITED.format(time=utc_time(started.retry_at)))
            return await step.end_dialog()
        if started.outcome != "queued":
            await step.context.send_activity(texts.LINK_MAIL_UNAVAILABLE)
            return await step.end_dialog()
        await step.context.send_activity(texts.LINK_CODE_SENT)  # the mail job is queued
        return await step.replace_dialog(CODE_DIALOG)

    async def ask_code(step: WaterfallStepContext) -> DialogTurnResult:
        return await step.prompt(CODE_PROMPT, PromptOptions())

    async def check_code(step: WaterfallStepContext) -> DialogTurnResult:
        activity = step.context.activity
        tenant = tenant_of(activity)
        try:
            linked = await links.confirm(
                activity.from_property.id,
                str(step.result or ""),
                aad_object_id=activity.from_property.aad_object_id,
                tenant_id=tenant,
            )
        except LinkFailed as exc:
            if exc.reason == "wrong":  # the service counts attempts (5) and ends with "exhausted"
                await step.context.send_activity(texts.LINK_WRONG)
                return await step.replace_dialog(CODE_DIALOG)
            await step.context.send_activity(texts.LINK_EXPIRED)
            return await step.end_dialog()
        await step.context.send_activity(texts.LINK_DONE.format(name=linked.name))
        return await step.end_dialog()

    return [
        WaterfallDialog(LINK_DIALOG, [ask_email, send_code]),
        WaterfallDialog(CODE_DIALOG, [ask_code, check_code]),
        TextPrompt(EMAIL_PROMPT),
        TextPrompt(CODE_PROMPT),
    ]
