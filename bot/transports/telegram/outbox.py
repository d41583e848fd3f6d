"""Prompts that are owed: an answer was saved but the next question did not reach the person.

Every committed answer marks a reply as owed; delivering the next prompt pays it. When delivery
failed (Telegram unreachable, 5xx after retries) or the process died between the commit and the
send, the prompt is sent again from here once it has been owed for a while. Any process may do
it: the claim is a conditional UPDATE. (The person's next message would also bring it: a message
typed under an older prompt is answered with the current question.)
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram.ext import ContextTypes

from bot.engine import Show
from bot.transports.telegram.context import BotContext
from bot.transports.telegram.participants import show
from storage import Participant, inbox
from storage import repository as repo
from storage.models import utcnow

log = logging.getLogger(__name__)


def _claim_owed(svc: BotContext, now: datetime) -> list[tuple[int, int]]:
    """(participant id, chat id) of owed prompts this process now re-sends."""
    taken: list[tuple[int, int]] = []
    owed_since = now - timedelta(seconds=svc.settings.outbox_after)
    with svc.db.session() as session:
        for participant_id, seen_at in repo.owed_prompts(session, owed_since):
            participant = session.get(Participant, participant_id)
            if participant is None or participant.chat_id is None or participant.blocked_at is not None:
                continue
            if repo.claim_owed_prompt(session, participant_id, seen_at, now):
                taken.append((participant_id, participant.chat_id))
    return taken


async def resend_owed_prompts(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc: BotContext = context.application.bot_data["services"]
    owed = await asyncio.to_thread(_claim_owed, svc, utcnow())
    for participant_id, chat_id in owed:
        reply = await asyncio.to_thread(svc.conversation.handle, participant_id, Show())
        await show(context, svc, chat_id, participant_id, reply)
        log.info("owed prompt sent again to participant %d", participant_id)


KEEP_HANDLED = timedelta(days=2)  # long enough to recognise a late duplicate delivery, no longer


def _prune(svc: BotContext, now: datetime) -> int:
    with svc.db.session() as session:
        return inbox.prune(session, now - KEEP_HANDLED)


async def prune_inbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handled updates are kept only as long as a duplicate of them could still arrive."""
    svc: BotContext = context.application.bot_data["services"]
    removed = await asyncio.to_thread(_prune, svc, utcnow())
    if removed:
        log.info("removed %d handled updates from the inbox", removed)
