"""Reminders and the automatic summary, on PTB's JobQueue.

The schedule lives in the database (meeting time, hours before it, what was already sent), so
after a restart it is rebuilt from there: nothing is lost and nothing is sent twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram.ext import Application, ContextTypes

from bot.engine import Show
from bot.flows import workshop_flows
from bot.i18n import translations
from bot.progress import is_finished
from bot.timefmt import format_meeting
from bot.transports.telegram.context import BotContext
from bot.transports.telegram.delivery import Blocked, Undelivered, send_html
from bot.transports.telegram.participants import mark_blocked, show
from bot.transports.telegram.rendering import text_messages
from bot.transports.telegram.summaries import deliver_summary
from storage import Participant, Workshop
from storage import repository as repo
from storage.models import Facilitator, utcnow

log = logging.getLogger(__name__)
SOON = timedelta(seconds=1)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=utcnow().tzinfo)


def schedule_workshop(app: Application, workshop: Workshop) -> None:
    """(Re)plan this workshop's reminder and summary jobs."""
    queue = app.job_queue
    assert queue is not None
    for name in (f"remind:{workshop.id}", f"summary:{workshop.id}"):
        for job in queue.get_jobs_by_name(name):
            job.schedule_removal()
    if workshop.meeting_at is None:
        return
    meeting = _aware(workshop.meeting_at)
    now = utcnow()
    if meeting <= now:
        return
    plans = (
        ("remind", workshop.reminders_sent_at, workshop.reminder_hours, send_reminders),
        ("summary", workshop.summary_sent_at, workshop.summary_hours, send_summaries),
    )
    for kind, sent, hours, callback in plans:
        if sent is not None:
            continue
        due = max(meeting - timedelta(hours=hours), now + SOON)
        queue.run_once(callback, when=due, data=workshop.id, name=f"{kind}:{workshop.id}")


def restore_schedules(app: Application) -> None:
    svc: BotContext = app.bot_data["services"]
    with svc.db.session() as session:
        for workshop in repo.upcoming_workshops(session, utcnow()):
            schedule_workshop(app, workshop)


def _retry_later(context: ContextTypes.DEFAULT_TYPE, callback, workshop_id: int, kind: str) -> None:
    assert context.job_queue is not None
    delay = context.application.bot_data["services"].settings.retry_delay
    context.job_queue.run_once(callback, when=delay, data=workshop_id, name=f"{kind}:{workshop_id}")


async def send_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remind each participant who has not finished, once, and bring them back to their step."""
    svc: BotContext = context.application.bot_data["services"]
    assert context.job is not None
    workshop_id: int = context.job.data
    with svc.db.session() as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None or workshop.reminders_sent_at is not None:
            return
        flows = workshop_flows(workshop.exercises)
        data = repo.workshop_answers(session, workshop)
        due = [
            p.id
            for p in data.participants
            if p.reminded_at is None and p.blocked_at is None and p.chat_id is not None
            and not is_finished(flows, data.positions.get(p.id))
        ]  # fmt: skip
        title, meeting = workshop.title, workshop.meeting_at
    failed = False
    for pid in due:
        with svc.db.session() as session:
            participant = session.get(Participant, pid)
            assert participant is not None and participant.chat_id is not None
            chat_id, language, key = participant.chat_id, participant.language, participant.user_key
        _ = translations(language).gettext
        note = _("A reminder: the workshop “{title}” is on {when}. You have not finished yet; here is where you stopped.")
        reply = svc.conversation.handle(pid, Show(), svc.prompts.get(key))
        note = note.format(title=title, when=format_meeting(meeting, language))
        try:
            await send_html(context.bot, chat_id, text_messages(note, language))
            await show(context, svc, chat_id, pid, reply)  # the step where they stopped, with its buttons
        except Blocked:
            mark_blocked(svc, pid)
            continue
        except Undelivered:
            failed = True
            continue
        with svc.db.session() as session:
            stored = session.get(Participant, pid)
            if stored.blocked_at is not None:
                continue  # show() found the chat blocked
            stored.reminded_at = utcnow()
        log.info("reminder sent to participant %d", pid)
    if failed:
        _retry_later(context, send_reminders, workshop_id, "remind")
        return
    with svc.db.session() as session:
        workshop = session.get(Workshop, workshop_id)
        workshop.reminders_sent_at = utcnow()


async def send_summaries(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The collected answers to every facilitator, retried until delivered."""
    svc: BotContext = context.application.bot_data["services"]
    assert context.job is not None
    workshop_id: int = context.job.data
    with svc.db.session() as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None or workshop.summary_sent_at is not None:
            return
        due = [(f.id, f.chat_id, f.language) for f in repo.facilitators(session, workshop_id) if f.summary_sent_at is None and f.chat_id]
    failed = False
    for facilitator_id, chat_id, language in due:
        try:
            await deliver_summary(context.bot, svc.db, workshop_id, chat_id, language or "nl")
        except (Undelivered, Blocked):
            failed = True
            log.warning("summary of workshop %d not delivered to facilitator %d; will retry", workshop_id, facilitator_id)
            continue
        with svc.db.session() as session:
            session.get(Facilitator, facilitator_id).summary_sent_at = utcnow()
        log.info("summary of workshop %d sent to facilitator %d", workshop_id, facilitator_id)
    if failed:
        _retry_later(context, send_summaries, workshop_id, "summary")
        return
    with svc.db.session() as session:
        session.get(Workshop, workshop_id).summary_sent_at = utcnow()
