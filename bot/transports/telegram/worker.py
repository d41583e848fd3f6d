"""Reminders, the automatic summary and requested summaries, delivered from the database's jobs table.

Every bot process runs the same periodic tick (PTB's JobQueue, ``delivery_interval`` seconds): it
plans the rounds that are due (bot/planning.py, rules in bot/due.py), claims due jobs atomically
(storage/jobs.py has the SQL) and delivers each in a task of its own, so no update waits for it.
A /summary or a meeting change wakes the local worker at once instead of waiting for the tick.
Nothing about what is due lives in process memory: a meeting change made through one process is
read from the database by every process at its next tick.

A crash in the middle of a delivery: **at least once**. The job is marked done only after its last
message went out; a process that dies mid-send leaves its claim behind, and once the lease expires
(``delivery_lease``, renewed while a long delivery runs) another process delivers the job again from
the start. So that one reminder or summary may arrive twice, never zero times: a lost summary would
leave the facilitator without the group's answers, which is worse than a repeated message.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram.ext import Application, CallbackContext, ContextTypes

from bot import due, people, planning
from bot.engine import Show
from bot.i18n import translations
from bot.timefmt import format_meeting
from bot.transports.telegram.context import BotContext
from bot.transports.telegram.delivery import Blocked, Undelivered, send_html
from bot.transports.telegram.pacing import one_reply
from bot.transports.telegram.participants import mark_blocked, show
from bot.transports.telegram.rendering import text_messages
from bot.transports.telegram.summaries import deliver_summary
from storage.jobs import Claim
from storage.models import utcnow

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def _clock(start: datetime) -> Clock:
    """``start`` moving on with real time: a test's explicit ``now`` stays consistent through a delivery."""
    t0 = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - t0)


class DeliveryWorker:
    """This process's share of the jobs table."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.svc: BotContext = app.bot_data["services"]
        # Identifies this process's claims (host, pid, random): no personal data.
        self.name = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._running: set[asyncio.Task] = set()
        self._more_waiting = False  # the last claim was cut short by this process's room

    @property
    def _lease(self) -> timedelta:
        return timedelta(seconds=self.svc.settings.delivery_lease)

    async def tick(self, now: datetime | None = None) -> int:
        """Plan what is due at ``now``, claim what this process has room for, start delivering it.
        Returns the number of jobs claimed; their deliveries run on (``drain`` waits for them)."""
        now = now or utcnow()
        room = self.svc.settings.delivery_parallel - len(self._running)
        claims = await asyncio.to_thread(self._plan_and_claim, now, room)
        self._more_waiting = len(claims) == room
        for held in claims:
            task = self._spawn(self._deliver(held, now), f"job-{held.id}")
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        return len(claims)

    def _plan_and_claim(self, now: datetime, room: int) -> list[Claim]:
        planning.plan(self.svc.db, now)
        return planning.claim(self.svc.db, self.name, now, self._lease, room)

    def _spawn(self, coroutine, name: str) -> asyncio.Task:
        # Through the Application while it runs, so that stopping it waits for deliveries under way.
        if self.app.running:
            return self.app.create_task(coroutine, name=name)
        return asyncio.get_running_loop().create_task(coroutine, name=name)

    def wake(self) -> None:
        """Look at the jobs table now rather than at the next tick (a /summary, a meeting change)."""
        self._spawn(self._safe_tick(), "deliveries-wake")

    async def _safe_tick(self, now: datetime | None = None) -> None:
        try:
            await self.tick(now)
        except Exception:  # a database hiccup: the next tick tries again
            log.exception("delivery tick failed")

    async def drain(self) -> None:
        """Wait until every delivery this process started has finished (tests, shutdown)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def _deliver(self, held: Claim, now: datetime) -> None:
        clock = _clock(now)
        renew = asyncio.get_running_loop().create_task(self._keep_lease(held, clock))
        try:
            sender = self._remind if held.kind == due.REMINDER else self._summarise
            with one_reply():  # the reminder's prompt, a summary's later parts: they keep their place
                outcome = await sender(held, clock)
        except Exception as exc:  # Undelivered after its retries, or anything unexpected: try again later
            if not isinstance(exc, Undelivered):
                log.exception("job %d (%s) failed", held.id, held.kind)
            outcome = None
        finally:
            renew.cancel()  # also when this task is cancelled: the claim then lapses with its lease
        if outcome is None:
            base = timedelta(seconds=self.svc.settings.retry_delay)
            at = await asyncio.to_thread(planning.retry_later, self.svc.db, held, clock(), base)
            if at is None:
                log.warning("job %d (%s) given up after %d attempts", held.id, held.kind, held.attempts)
            else:
                log.warning("job %d (%s) not delivered (attempt %d); next try at %s", held.id, held.kind, held.attempts, at.isoformat())
            return
        if not await asyncio.to_thread(planning.record, self.svc.db, held, outcome, clock()):
            log.warning("job %d (%s) was taken over by another process while it was being sent", held.id, held.kind)
            return
        log.info("job %d (%s): %s", held.id, held.kind, outcome)
        if self._more_waiting:
            self.wake()  # room again for what the last tick had to leave

    async def _keep_lease(self, held: Claim, clock: Clock) -> None:
        every = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            if not await asyncio.to_thread(planning.extend, self.svc.db, held, clock() + self._lease):
                return

    async def _remind(self, held: Claim, clock: Clock) -> str:
        """The reminder, then the step where they stopped with its buttons."""
        svc = self.svc
        target = await asyncio.to_thread(planning.reminder_target, svc.db, held, clock())
        if target is None:
            return "skipped"
        _ = translations(target.language).gettext
        note = _("A reminder: the workshop “{title}” is on {when}. You have not finished yet; here is where you stopped.")
        note = note.format(title=target.title, when=format_meeting(due.aware(target.meeting_at), target.language))
        reply = await asyncio.to_thread(svc.conversation.handle, target.participant_id, Show())
        try:
            await send_html(self.app.bot, target.chat_id, text_messages(note, target.language))
        except Blocked:
            await mark_blocked(svc, target.participant_id)
            return "blocked"
        await show(CallbackContext(self.app), svc, target.chat_id, target.participant_id, reply)
        blocked = await asyncio.to_thread(people.is_blocked, svc.db, target.participant_id)  # show() found the chat blocked
        return "blocked" if blocked else "sent"

    async def _summarise(self, held: Claim, clock: Clock) -> str:
        target = await asyncio.to_thread(planning.summary_target, self.svc.db, held, clock())
        if target is None:
            return "skipped"
        try:
            await deliver_summary(
                self.app.bot,
                self.svc.db,
                target.workshop_id,
                target.chat_id,
                target.language,
                transcriber=self.svc.settings.transcriber(),
                translator=self.svc.translator,
            )
        except Blocked:
            return "blocked"
        return "sent"


def worker_of(app: Application) -> DeliveryWorker:
    return app.bot_data["deliveries"]


async def _tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    await worker_of(context.application)._safe_tick()


def start_deliveries(app: Application) -> DeliveryWorker:
    """Called from post_init: this process's worker and its periodic tick (the first one at once)."""
    worker = DeliveryWorker(app)
    app.bot_data["deliveries"] = worker
    assert app.job_queue is not None
    interval = app.bot_data["services"].settings.delivery_interval
    # Registered before the scheduler starts. An interval job never fires for a start time already
    # past, so the first look is a job of its own, allowed to run late.
    app.job_queue.run_once(_tick, when=0, name="deliveries-start", job_kwargs={"misfire_grace_time": None})
    app.job_queue.run_repeating(_tick, interval=interval, first=interval, name="deliveries", job_kwargs={"coalesce": True})
    return worker
