"""Sending within Telegram's rules: network errors retried where that is safe, a blocked user reported.

The one place 429s are retried is the rate limiter (pacing.py); a 429 that reaches this layer (the
limiter gave up, or runs without one) is not retried again. A call that may have arrived is never
sent blindly again: a new message whose request timed out or failed after it left (read timeout,
5xx) raises Undelivered(maybe_sent=True) instead. The participant's answer and position are already
committed then, so their next message (or /start) shows the current step again; re-sending an
undelivered prompt is the job of the outbox (issue 8), which can tell whether it arrived. Edits and
callback answers are idempotent and are retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
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
    """Sending failed; the caller decides when to try again. ``maybe_sent``: it may have arrived all the same."""

    def __init__(self, what: str, *, maybe_sent: bool = False) -> None:
        super().__init__(what)
        self.maybe_sent = maybe_sent


def never_left(exc: NetworkError) -> bool:
    """The request surely never reached Telegram (no connection, or none free): re-sending cannot duplicate it."""
    return isinstance(exc.__cause__, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


async def with_retries(call: Callable[[], Awaitable[T]], what: str, *, idempotent: bool = True) -> T:
    """``call`` with network errors retried; a non-idempotent call (a new message) only when it never left."""
    delay = BACKOFF
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as exc:  # the limiter already waited and retried: do not layer a second retry on it
            raise Undelivered(what) from exc
        except Forbidden as exc:
            raise Blocked(what) from exc
        except BadRequest:
            raise
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            if not idempotent and not never_left(exc):
                log.warning("%s: %s; not sent again, it may have arrived", what, type(exc).__name__)
                raise Undelivered(what, maybe_sent=True) from exc
            log.warning("%s: %s (attempt %d)", what, type(exc).__name__, attempt)
            if attempt < ATTEMPTS:
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

        last = await with_retries(call, "sendMessage", idempotent=False)
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
