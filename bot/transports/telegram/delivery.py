"""Sending within Telegram's rules: retry 429 and network errors, report a blocked user, never crash."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 4
BACKOFF = 1.0  # seconds, doubled after each network error


class Blocked(Exception):  # noqa: N818 - reads as "except Blocked"
    """The user blocked the bot (403); nothing more can be sent to this chat."""


class Undelivered(Exception):  # noqa: N818 - reads as "except Undelivered"
    """Sending kept failing after every retry; the caller decides when to try again."""


async def with_retries(call: Callable[[], Awaitable[T]], what: str) -> T:
    delay = BACKOFF
    for attempt in range(1, ATTEMPTS + 1):
        last = attempt == ATTEMPTS
        try:
            return await call()
        except RetryAfter as exc:  # 429: wait as long as Telegram asks
            wait = exc.retry_after if isinstance(exc.retry_after, int | float) else exc.retry_after.total_seconds()
            log.warning("%s: rate limited, retrying in %ss (attempt %d)", what, wait, attempt)
            if not last:
                await asyncio.sleep(wait)
        except Forbidden as exc:
            raise Blocked(what) from exc
        except BadRequest:
            raise
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            log.warning("%s: %s (attempt %d)", what, type(exc).__name__, attempt)
            if not last:
                await asyncio.sleep(delay)
                delay *= 2
    raise Undelivered(what)


async def send_html(
    bot: Bot, chat_id: int, messages: list[str], keyboard: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send messages in order; the keyboard goes with the last. Returns the last message sent."""
    last: Message | None = None
    for index, text in enumerate(messages):
        markup = keyboard if index == len(messages) - 1 else None

        async def call(text: str = text, markup: InlineKeyboardMarkup | None = markup) -> Message:
            return await bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
            )

        last = await with_retries(call, "sendMessage")
    return last


async def remove_keyboard(bot: Bot, chat_id: int, message_id: int | None) -> None:
    """Take the buttons off an earlier prompt so it cannot be answered twice; gone messages are fine."""
    if message_id is None:
        return
    try:
        await with_retries(
            lambda: bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None),
            "editMessageReplyMarkup",
        )
    except (BadRequest, Undelivered, Blocked):
        pass  # already without buttons, deleted, too old to edit, or the chat is gone
