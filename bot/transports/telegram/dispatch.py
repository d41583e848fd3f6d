"""Handling stored updates: chats side by side, each chat's updates strictly one after the other.

The dispatcher claims the oldest pending update of every chat that no process is handling, hands
each to python-telegram-bot's handlers as a task of its own, and marks it handled when the task
ends. A chat's next update can only be claimed once the previous one is done, in this process or
any other that shares the database. An update whose handling crashed a process is claimed again
when its lease runs out; one that failed ``MAX_ATTEMPTS`` times is given up (and logged).

PTB's own concurrent update processing is not used: it orders nothing per chat and knows nothing
of other processes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import timedelta

from telegram import Update
from telegram.ext import Application

from storage import Database, inbox
from storage.models import utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class Dispatcher:
    def __init__(
        self,
        app: Application,
        db: Database,
        *,
        lease: timedelta = timedelta(seconds=60),
        concurrency: int = 64,
        idle_poll: float = 1.0,
    ) -> None:
        self.app = app
        self.db = db
        self.lease = lease
        self.concurrency = concurrency
        self.idle_poll = idle_poll  # how often to look for work stored by other processes
        self.worker = worker_name()
        self._wake = asyncio.Event()
        self._busy: dict[int, asyncio.Task[None]] = {}  # chat id -> the task handling its update

    def wake(self) -> None:
        """New work may be waiting (called by the intake, and when a chat's update is done)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            room = self.concurrency - len(self._busy)
            try:
                claimed = await asyncio.to_thread(self._claim, room) if room > 0 else []
            except Exception as exc:  # the database is unreachable for a moment: keep going
                log.error("could not claim updates: %s", type(exc).__name__)
                claimed = []
            for item in claimed:
                self._busy[item.chat_id] = asyncio.create_task(self._handle(item), name=f"update-{item.update_id}")
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

    def _claim(self, room: int) -> list[inbox.Claimed]:
        with self.db.session() as session:
            return inbox.claim(session, self.worker, utcnow(), self.lease, skip_chats=set(self._busy), limit=room)

    async def _handle(self, item: inbox.Claimed) -> None:
        try:
            if item.attempts > MAX_ATTEMPTS:
                log.error("update %d failed %d times; given up", item.update_id, item.attempts - 1)
            else:
                update = Update.de_json(item.payload, self.app.bot)
                await self.app.process_update(update)  # errors reach the application's error handler
        except Exception as exc:  # a broken payload: nothing to retry
            log.error("update %d could not be handled: %s", item.update_id, type(exc).__name__)
        finally:
            try:
                await asyncio.to_thread(self._finish, item.update_id)
            except Exception as exc:  # the lease runs out and it is handled again (once: see handled_here)
                log.error("update %d could not be marked handled: %s", item.update_id, type(exc).__name__)
            self._busy.pop(item.chat_id, None)
            self.wake()

    def _finish(self, update_id: int) -> None:
        with self.db.session() as session:
            inbox.finish(session, update_id, utcnow())
