"""Receiving updates from Telegram: each is stored in the database inbox before Telegram is told it arrived.

Long polling confirms updates to Telegram only by asking for the next ones (the ``offset``), so we
ask again only after the batch is committed. A webhook answers 200 only after the commit, so
Telegram's own retry covers a crash in between. Either way an update that was received is never
lost, and one delivered twice is stored once.

The transaction that stores updates also claims those this process may handle at once (their chat
has nothing else pending, or only what this process holds), and they go straight to the
dispatcher: no second transaction, no polling of the table for them. Button presses are answered
first, before the store (presses.py).

PTB's Updater is not used: it hands updates to an in-memory queue and confirms them to Telegram
before they are handled, so a crash loses what was fetched but not yet handled.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.transports.telegram.presses import Presses
from storage import Database, inbox
from storage.models import utcnow

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)
POLL_TIMEOUT = 25  # seconds Telegram may hold a getUpdates call open
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def chat_of(payload: dict[str, Any]) -> int:
    """The chat an update belongs to, which decides its order; 0 for the few kinds without one."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post", "business_message"):
        message = payload.get(kind)
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            return int(message["chat"].get("id", 0))
    query = payload.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            return int(message["chat"].get("id", 0))
        return int((query.get("from") or {}).get("id", 0))
    for kind in ("my_chat_member", "chat_member", "chat_join_request"):
        member = payload.get(kind)
        if isinstance(member, dict) and isinstance(member.get("chat"), dict):
            return int(member["chat"].get("id", 0))
    for value in payload.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return int(value["from"].get("id", 0))
    return 0


class Taker(Protocol):
    """The dispatcher, as the intake sees it."""

    worker: str
    lease: timedelta
    claim_lock: asyncio.Lock

    def room(self) -> int: ...

    def take(self, taken: inbox.Taken, updates: dict[int, Update] | None = None) -> None: ...


def store_payloads(db: Database, payloads: list[dict[str, Any]], *, worker: str, lease: timedelta, room: int) -> inbox.Taken:
    """Commit the updates to the inbox, claiming for ``worker`` those it may handle at once."""
    rows = [(int(p["update_id"]), chat_of(p), p) for p in payloads]
    with db.engine.begin() as conn:
        return inbox.store_and_take(conn, rows, utcnow(), worker=worker, lease=lease, room=room)


async def store(
    db: Database,
    taker: Taker,
    payloads: list[dict[str, Any]],
    presses: Presses,
    updates: dict[int, Update] | None = None,
) -> int:
    """Answer the button presses, store (one thread hop), hand what was claimed to the dispatcher; returns how many were new."""
    presses.answer_now(payloads)  # before the database, the chat's turn and the limits: see presses.py
    async with taker.claim_lock:
        taken = await asyncio.to_thread(store_payloads, db, payloads, worker=taker.worker, lease=taker.lease, room=taker.room())
        taker.take(taken, updates)
    return taken.new


async def poll(bot: Bot, db: Database, taker: Taker, stop: asyncio.Event, presses: Presses) -> None:
    """Long polling into the inbox until ``stop`` is set."""
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=POLL_TIMEOUT, read_timeout=POLL_TIMEOUT + 10, allowed_updates=Update.ALL_TYPES
            )
        except InvalidToken:
            raise
        except RetryAfter as exc:
            await _pause(stop, _seconds(exc.retry_after))
            continue
        except (NetworkError, TelegramError) as exc:
            log.warning("getUpdates failed: %s; trying again in %.0fs", type(exc).__name__, backoff)
            await _pause(stop, backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        backoff = 1.0
        payloads = [u.to_dict() for u in updates]
        if not payloads:
            continue
        new = await store(db, taker, payloads, presses, {u.update_id: u for u in updates})
        offset = max(int(p["update_id"]) for p in payloads) + 1  # confirms them to Telegram with the next call
        log.debug("received %d updates (%d new)", len(payloads), new)


def webhook_app(db: Database, secret: str | None, path: str, taker: Taker, presses: Presses) -> web.Application:
    """An HTTP endpoint for Telegram's webhook (or a load balancer in front of several workers)."""
    from aiohttp import web  # only webhook workers need it

    async def receive(request: web.Request) -> web.Response:
        if secret and not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            log.info("webhook request with a wrong secret refused")
            return web.Response(status=403)
        try:
            payload = await request.json()
        except ValueError:
            return web.Response(status=400)
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            return web.Response(status=400)
        try:
            await store(db, taker, [payload], presses)
        except Exception as exc:  # not stored: Telegram must send it again
            log.error("could not store update %d: %s", payload["update_id"], type(exc).__name__)
            return web.Response(status=503)
        return web.Response(status=200)

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post("/" + path.strip("/"), receive)
    app.router.add_get("/healthz", health)
    return app


def _seconds(value: object) -> float:
    return value if isinstance(value, int | float) else value.total_seconds()  # type: ignore[union-attr]


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
