"""Button presses are answered as they arrive, before any waiting; what a press has to say comes as a message.

Telegram expires a callback query about 15 s after the press and shows a spinner on the button until
it is answered. Under load an update waits for a dispatcher slot, for its chat's earlier updates and
for Telegram's message limits before its handler runs, so the handler is too late to answer it. The
intake that stores a press therefore answers it at once, without text (answerCallbackQuery is not a
message: Telegram's limits do not count it and pacing.py never holds it). Every update the dispatcher
hands to a handler went through some process's intake, so a handler never answers a press again: what
it has to say about one (a stale or forged button, a failure) goes as a message in the chat instead of
a toast, through ``acknowledge``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.transports.telegram.delivery import Blocked, Undelivered, send_html
from bot.transports.telegram.dispatch import from_inbox
from bot.transports.telegram.rendering import text_messages

log = logging.getLogger(__name__)
TOAST = 200  # characters Telegram shows in a callback answer


class Presses:
    """Answers the presses among the updates the intake receives, without waiting for the answers."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._tasks: set[asyncio.Task[None]] = set()

    def answer_now(self, payloads: Iterable[dict[str, Any]]) -> None:
        for payload in payloads:
            query = payload.get("callback_query")
            if isinstance(query, dict) and isinstance(query.get("id"), str):
                task = asyncio.create_task(self._answer(query["id"]), name="answer-press")
                self._tasks.add(task)  # a reference, or the task may be collected before it ran
                task.add_done_callback(self._tasks.discard)

    async def _answer(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as exc:  # too old, or a press delivered twice: the press itself is still handled
            log.info("button press not answered: %s", type(exc).__name__)


async def acknowledge(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str | None = None,
    *,
    language: str | None = None,
    alert: bool = False,
) -> None:
    """What a handler says about the press it handles: nothing when there is nothing to say; a message when
    the press was answered at intake; a toast only for a press handled without the inbox (never by the bot)."""
    query = update.callback_query
    if query is None:
        return
    if not from_inbox():
        await query.answer(text[:TOAST] if text else None, show_alert=alert)
        return
    chat = update.effective_chat
    if not text or chat is None:
        return
    assert language is not None, "a note is written in the person's language"
    try:
        await send_html(context.bot, chat.id, text_messages(text, language))
    except (Blocked, Undelivered):
        log.info("note about a button press not delivered")
