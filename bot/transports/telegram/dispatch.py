"""Handling stored updates: chats side by side, each chat's updates strictly one after the other.

The dispatcher claims the oldest pending update of every chat that no process is handling, hands
each to python-telegram-bot's handlers as a task of its own (one task per chat, which takes that
chat's further updates claimed here in order), and marks it handled when the task ends, or earlier,
in the same transaction that records the reply's prompt as shown (``finishing``). Most updates are
claimed by the intake in the transaction that stores them (``take``); the claim loop picks up the
rest: updates stored by other processes, left by a crashed one, or waiting for a busy chat. A chat's next update can only be claimed once the previous one is done, in this process or
any other that shares the database. An update whose handling crashed a process is claimed again
when its lease runs out; one that failed ``MAX_ATTEMPTS`` times is given up (and logged).

PTB's own concurrent update processing is not used: it orders nothing per chat and knows nothing
of other processes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from telegram import Update
from telegram.ext import Application

from bot.transports.telegram.pacing import one_reply
from storage import Database, inbox
from storage.models import utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def worker_name() -> str:
    """Unique per process start: a restarted container reusing its host name and pid is another worker."""
    return f"{socket.gethostname()[:45]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class _Handling:
    update_id: int
    done: bool = False


_handling: ContextVar[_Handling | None] = ContextVar("handling", default=None)


def finishing() -> int | None:
    """The update this task is handling and not yet marked done: a transaction that completes its
    handling (the reply's prompt recorded as shown) may mark it done too, then calls ``finished``."""
    handling = _handling.get()
    return handling.update_id if handling is not None and not handling.done else None


def from_inbox() -> bool:
    """This task handles an update taken from the inbox: a press among them was answered at intake."""
    return _handling.get() is not None


def finished() -> None:
    handling = _handling.get()
    if handling is not None:
        handling.done = True


class Dispatcher:
    def __init__(
        self,
        app: Application,
        db: Database,
        *,
        lease: timedelta = timedelta(seconds=60),
        # Chats handled at once by this process: what Telegram's overall limit (30 messages a second, a
        # reply's own pacing at most a few seconds) can serve, with room to spare. Beyond that a chat's reply
        # would only wait in the limiter's queue, holding its task, its rendered messages and its requests in
        # memory (~10 KB each); it waits in the inbox instead, in the same order (oldest first). Button presses
        # are answered at intake (presses.py), so an update waiting here never expires a press. 1000 people at
        # human pace: up to ~900 tasks in flight with 512.
        concurrency: int = 128,
        idle_poll: float = 1.0,
    ) -> None:
        self.app = app
        self.db = db
        self.lease = lease
        self.concurrency = concurrency
        self.idle_poll = idle_poll  # how often to look for work stored by other processes
        self.worker = worker_name()
        self._wake = asyncio.Event()
        self._busy: dict[int, asyncio.Task[None]] = {}  # chat id -> the task handling its updates
        self._queued: dict[int, deque[tuple[inbox.Claimed, Update | None]]] = {}  # claimed here, after the current one
        self._waiting: set[int] = set()  # chats with an update stored here and left unclaimed
        # Held by the claim loop and by the intake around a claim and handing its result over, so that
        # what one of them claimed for a chat is queued before what the other claims after it.
        self.claim_lock = asyncio.Lock()

    def wake(self) -> None:
        """New work may be waiting: look for it now."""
        self._wake.set()

    def room(self) -> int:
        return self.concurrency - len(self._busy)

    def take(self, taken: inbox.Taken, updates: dict[int, Update] | None = None) -> None:
        """Updates the intake claimed for this process as it stored them (``updates``: already parsed)."""
        for item in taken.claimed:
            self._start(item, (updates or {}).get(item.update_id))
        if taken.waiting:
            self._waiting |= taken.waiting
            self.wake()

    def _start(self, item: inbox.Claimed, update: Update | None = None) -> None:
        if item.chat_id in self._busy:
            self._queued.setdefault(item.chat_id, deque()).append((item, update))
        else:
            self._busy[item.chat_id] = asyncio.create_task(self._chat(item, update), name=f"chat-{item.chat_id}")

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            async with self.claim_lock:
                room = self.concurrency - len(self._busy)
                try:
                    claimed = await asyncio.to_thread(self._claim, room, set(self._busy)) if room > 0 else []
                except Exception as exc:  # the database is unreachable for a moment: keep going
                    log.error("could not claim updates: %s", type(exc).__name__)
                    claimed = []
                self._waiting &= set(self._busy)  # the others were just claimed, or are held by another process
                for item in claimed:
                    self._start(item)
            if claimed:
                continue
            waiter = asyncio.create_task(self._wake.wait())
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=self.idle_poll, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            stopper.cancel()

    async def drain(self, timeout: float) -> None:
        """Let the updates being handled finish (at shutdown)."""
        tasks = list(self._busy.values())
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    def _claim(self, room: int, busy: set[int]) -> list[inbox.Claimed]:
        with self.db.session() as session:
            return inbox.claim(session, self.worker, utcnow(), self.lease, skip_chats=busy, limit=room)

    async def _chat(self, item: inbox.Claimed, update: Update | None) -> None:
        """One chat's updates claimed here, one after the other."""
        chat_id = item.chat_id
        try:
            while True:
                await self._handle(item, update)
                queue = self._queued.get(chat_id)
                if not queue:
                    break
                item, update = queue.popleft()
        finally:
            self._queued.pop(chat_id, None)
            self._busy.pop(chat_id, None)
            if chat_id in self._waiting or len(self._busy) == self.concurrency - 1:
                self.wake()  # its next update, or one that found no room, is waiting in the table

    async def _handle(self, item: inbox.Claimed, update: Update | None) -> None:
        handling = _Handling(item.update_id)
        _handling.set(handling)
        try:
            if item.attempts > MAX_ATTEMPTS:
                log.error("update %d failed %d times; given up", item.update_id, item.attempts - 1)
            else:
                if update is None:
                    update = Update.de_json(item.payload, self.app.bot)
                # Here rather than as a handler group of its own (PTB built a context for it per update). Never the
                # text. At DEBUG: at INFO this line cost about 0.3 ms of CPU per answer (benchmarks/load.py).
                if log.isEnabledFor(logging.DEBUG):
                    kind = "callback" if update.callback_query else ("message" if update.effective_message else "other")
                    log.debug("update %d: %s", update.update_id, kind)
                with one_reply():  # its messages after the first keep their place in Telegram's overall limit
                    await self.app.process_update(update)  # errors reach the application's error handler
        except Exception as exc:  # a broken payload: nothing to retry
            log.error("update %d could not be handled: %s", item.update_id, type(exc).__name__)
        finally:
            _handling.set(None)
            if not handling.done:
                try:
                    await asyncio.to_thread(self._finish, item.update_id)
                except Exception as exc:  # the lease runs out and it is handled again (once: see handled_here)
                    log.error("update %d could not be marked handled: %s", item.update_id, type(exc).__name__)

    def _finish(self, update_id: int) -> None:
        with self.db.engine.begin() as conn:
            inbox.finish(conn, update_id, utcnow())
