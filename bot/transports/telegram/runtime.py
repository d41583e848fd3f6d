"""One bot process: the Application, the intake (long polling or webhook) and the dispatcher.

Any number of identical processes may run on one PostgreSQL database (webhook workers behind a
load balancer, or an old and a new version during a rolling deploy): everything they must agree
on lives in the database. On SQLite the process is alone, so claims left by a previous run of it
are released at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import Application, BaseRateLimiter

from bot.config import Settings
from bot.transports.telegram.app import build_application
from bot.transports.telegram.dispatch import Dispatcher
from bot.transports.telegram.intake import poll, webhook_app
from bot.transports.telegram.presses import Presses
from bot.transports.telegram.shown import ShownLater
from storage import Database, inbox

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)
WEBHOOK_PATH = "telegram"
DRAIN_SECONDS = 10.0  # at shutdown, for the updates being handled to finish


class Runtime:
    def __init__(
        self,
        settings: Settings,
        db: Database | None = None,
        *,
        webhook: bool = False,
        rate_limit: bool = True,
        intake: bool = True,
        rate_limiter: BaseRateLimiter | None = None,
    ) -> None:
        self.settings = settings
        self.db = db or Database(settings.database_url)
        self.webhook = webhook
        self.intake = intake  # False: take no updates from Telegram (a worker for stored updates and jobs only)
        self.app: Application = build_application(settings, self.db, rate_limit=rate_limit, rate_limiter=rate_limiter)
        self.dispatcher = Dispatcher(self.app, self.db, lease=timedelta(seconds=settings.inbox_lease))
        self.presses = Presses(self.app.bot)
        self.shown = ShownLater(self.app.bot_data["services"].conversation, self.dispatcher.wake)
        self.app.bot_data["shown_later"] = self.shown
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._site_runner: web.AppRunner | None = None

    async def start(self) -> None:
        if self.db.engine.dialect.name == "sqlite":
            await asyncio.to_thread(self._release_own_claims)
        await self.app.initialize()
        if self.app.post_init is not None:
            await self.app.post_init(self.app)
        await self.app.start()  # the JobQueue: reminders, summaries, owed prompts
        if not self.intake:
            pass
        elif self.webhook:
            await self._start_webhook()
        else:
            await self.app.bot.delete_webhook()
            self._tasks.append(asyncio.create_task(poll(self.app.bot, self.db, self.dispatcher, self._stop, self.presses), name="intake"))
        self._tasks.append(asyncio.create_task(self.dispatcher.run(self._stop), name="dispatcher"))
        where = f"webhook on port {self.settings.webhook_port}" if self.webhook else "long polling"
        log.info("bot started (%s)", where)

    async def _start_webhook(self) -> None:
        from aiohttp import web  # only webhook workers need it (memory)

        settings = self.settings
        server = webhook_app(self.db, settings.webhook_secret, WEBHOOK_PATH, self.dispatcher, self.presses)
        self._site_runner = web.AppRunner(server, access_log=None)
        await self._site_runner.setup()
        await web.TCPSite(self._site_runner, settings.webhook_listen, settings.webhook_port).start()
        if settings.webhook_url:
            # Every worker sets the same webhook: harmless, and no worker depends on another having done it.
            await self.app.bot.set_webhook(
                settings.webhook_url, secret_token=settings.webhook_secret, allowed_updates=Update.ALL_TYPES
            )

    def _release_own_claims(self) -> None:
        with self.db.session() as session:
            inbox.release_claims(session)

    async def stop(self) -> None:
        self._stop.set()
        if self._site_runner is not None:
            await self._site_runner.cleanup()  # no new updates accepted; Telegram retries them elsewhere
        for task in self._tasks:
            if task.get_name() == "intake":
                task.cancel()  # it may be waiting in a long getUpdates call
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.dispatcher.drain(DRAIN_SECONDS)
        await self.shown.close()
        await self.app.stop()
        await self.app.shutdown()

    async def wait(self) -> None:
        await self._stop.wait()

    def request_stop(self) -> None:
        self._stop.set()


async def serve(settings: Settings, *, webhook: bool) -> None:
    runtime = Runtime(settings, webhook=webhook)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, runtime.request_stop)
    await runtime.start()
    try:
        await runtime.wait()
    finally:
        await runtime.stop()
        runtime.db.dispose()


M_ARENA_MAX = -8  # glibc's mallopt parameter
MALLOC_ARENAS = 2


def fewer_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """All threads share ``arenas`` glibc malloc arenas (the main one included); call before threads start.

    Database work runs in asyncio's worker threads (6 on 2 cores, up to 32), and glibc gives each thread
    that allocates a malloc arena of its own, which keeps its own high-water mark of freed memory: at 1000
    people at human pace the six held ~13 MB (load.py, /proc/PID/smaps), against ~5 MB shared by all when
    capped at two. Python allocates under the GIL, so the threads hardly contend for an arena anyway.
    An operator's MALLOC_ARENA_MAX wins; without glibc (musl, macOS) nothing changes. True when set."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))


def run(settings: Settings, *, webhook: bool) -> None:
    fewer_malloc_arenas()
    asyncio.run(serve(settings, webhook=webhook))


def run_polling(settings: Settings) -> None:
    run(settings, webhook=False)


def run_webhook(settings: Settings) -> None:
    if not settings.webhook_url:
        raise SystemExit("Set WEBHOOK_URL (the public HTTPS address Telegram should call) to run the webhook.")
    run(settings, webhook=True)
