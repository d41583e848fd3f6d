"""The retention rule run periodically: warn facilitators, then erase a workshop's answers and participants.

Every worker runs the same repeating job; each action is claimed with a conditional UPDATE
(``repo.claim``), so with several processes a warning is sent and an erasure done exactly once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot
from telegram.ext import Application, ContextTypes

from bot import retention
from bot.i18n import translations
from bot.timefmt import format_meeting
from bot.transports.telegram.delivery import Blocked, Undelivered, send_html
from bot.transports.telegram.rendering import text_messages
from storage import Database
from storage import repository as repo
from storage.erasure import erase_workshop_people
from storage.models import utcnow

log = logging.getLogger(__name__)
INTERVAL = timedelta(hours=1)


def start(app: Application) -> None:
    assert app.job_queue is not None
    app.job_queue.run_repeating(_job, interval=INTERVAL, first=timedelta(seconds=30), name="retention")


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await tick(context.bot, context.application.bot_data["services"].db, utcnow())


def _kept(workshop: repo.Workshop) -> retention.Kept:
    return retention.Kept(
        meeting_at=workshop.meeting_at,
        created_at=workshop.created_at,
        retention_days=workshop.retention_days,
        warned=workshop.retention_warned_at is not None,
        erased=workshop.erased_at is not None,
    )


def _plans(db: Database, now: datetime) -> list[tuple[int, retention.Due]]:
    with db.session() as session:
        found = [(w.id, retention.due(_kept(w), now)) for w in repo.retention_candidates(session)]
    return [(wid, action) for wid, action in found if wid is not None and action is not None]


@dataclass(frozen=True)
class _Done:
    end: datetime
    title: str
    code: str
    team: list[tuple[int, str]]  # (chat id, language) of each facilitator


def _act(db: Database, workshop_id: int, action: retention.Due, now: datetime) -> _Done | None:
    """Claims and does one action; None when another worker has it."""
    column = "retention_warned_at" if action is retention.Due.WARN else "erased_at"
    with db.session() as session:
        if not repo.claim(session, workshop_id, column, now):
            return None
        workshop = session.get(repo.Workshop, workshop_id)
        assert workshop is not None
        if action is retention.Due.ERASE:
            erase_workshop_people(session, workshop_id)
            repo.revoke_invites(session, workshop_id)
            workshop.closed_at = workshop.closed_at or now
            session.add(workshop)
        team = [(f.chat_id, f.language or "nl") for f in repo.facilitators(session, workshop_id) if f.chat_id]
        return _Done(retention.erase_at(_kept(workshop)), workshop.title, workshop.code, team)


async def tick(bot: Bot, db: Database, now: datetime) -> list[tuple[int, retention.Due]]:
    """Do what is due at ``now``; returns what this process did (workshop id, action)."""
    done: list[tuple[int, retention.Due]] = []
    for workshop_id, action in await asyncio.to_thread(_plans, db, now):
        acted = await asyncio.to_thread(_act, db, workshop_id, action, now)
        if acted is None:
            continue  # another worker has it
        end, title, code, team = acted.end, acted.title, acted.code, acted.team
        done.append((workshop_id, action))
        log.info("retention: %s for workshop %d", action.value, workshop_id)
        for chat_id, language in team:
            _ = translations(language).gettext
            if action is retention.Due.WARN:
                text = _(
                    "On {when} the answers and participants of “{title}” will be erased automatically. If you still "
                    "need them, send /summary {code} before then. /retention {code} 0 erases them right after the meeting."
                ).format(when=format_meeting(end, language), title=title, code=code)
            else:
                text = _(
                    "The answers and participants of “{title}” were erased automatically: the time to keep them "
                    "has ended. The workshop is closed; /delete {code} removes it completely."
                ).format(title=title, code=code)
            try:
                await send_html(bot, chat_id, text_messages(text, language))
            except (Blocked, Undelivered):
                log.warning("retention notice for workshop %d not delivered", workshop_id)
    return done
