"""The rules of bot/due.py applied to the database: plan due rounds, check a job before it goes, record it.

Knows no transport; the Telegram worker (bot/transports/telegram/worker.py) does the sending.
Every function here is one or two short transactions, safe to run in a thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import due
from bot.flows import workshop_flows
from bot.progress import is_finished
from storage import Database, Facilitator, Participant, Position, Workshop, jobs
from storage import repository as repo
from storage.jobs import Claim

log = logging.getLogger(__name__)


def plan(db: Database, now: datetime) -> int:
    """Open every round due at ``now`` and create its jobs; returns how many jobs this process created."""
    with db.session() as session:
        candidates = [
            (w.id, w.meeting_at, due.Timing(w.meeting_at, w.reminder_hours, w.summary_hours), w.reminders_sent_at, w.summary_sent_at, list(w.exercises))
            for w in repo.workshops_to_plan(session, now)
        ]  # fmt: skip
    created = 0
    for workshop_id, meeting_seen, timing, reminders_planned, summary_planned, exercises in candidates:
        if due.reminder_round_due(timing, reminders_planned, now):
            created += _reminder_round(db, workshop_id, meeting_seen, exercises, now)
        if due.summary_round_due(timing, summary_planned, now):
            created += _summary_round(db, workshop_id, meeting_seen, now)
    return created


def _reminder_round(db: Database, workshop_id: int, meeting_seen: datetime, exercises: list[str], now: datetime) -> int:
    with db.session() as session:
        # First statement of the transaction: on SQLite it takes the write lock before anything is read.
        if not jobs.open_round(session, due.REMINDER, workshop_id, meeting_seen, now):
            return 0  # another process opened it, or the meeting time changed since we looked
        flows = workshop_flows(exercises)
        targets = [p.id for p, position in repo.participants_with_positions(session, workshop_id) if due.should_remind(_facts(p, position, flows))]
        jobs.add(session, due.REMINDER, workshop_id, targets, meeting_seen, now)
    log.info("reminder round of workshop %d planned: %d participants", workshop_id, len(targets))
    return len(targets)


def _summary_round(db: Database, workshop_id: int, meeting_seen: datetime, now: datetime) -> int:
    with db.session() as session:
        if not jobs.open_round(session, due.SUMMARY, workshop_id, meeting_seen, now):
            return 0
        targets = [f.id for f in repo.facilitators(session, workshop_id) if due.should_summarise(_fac_facts(f))]
        jobs.add(session, due.SUMMARY, workshop_id, targets, meeting_seen, now)
    log.info("summary round of workshop %d planned: %d facilitators", workshop_id, len(targets))
    return len(targets)


def _facts(p: Participant, position: Position | None, flows) -> due.ParticipantFacts:
    return due.ParticipantFacts(
        id=p.id, reachable=p.chat_id is not None, blocked=p.blocked_at is not None,
        finished=is_finished(flows, position), reminded=p.reminded_at is not None,
    )  # fmt: skip


def _fac_facts(f: Facilitator) -> due.FacilitatorFacts:
    return due.FacilitatorFacts(id=f.id, reachable=f.chat_id is not None, sent=f.summary_sent_at is not None)


@dataclass(frozen=True)
class ReminderTarget:
    participant_id: int
    user_key: str
    chat_id: int
    language: str
    title: str
    meeting_at: datetime


@dataclass(frozen=True)
class SummaryTarget:
    workshop_id: int
    chat_id: int
    language: str


def reminder_target(db: Database, held: Claim, now: datetime) -> ReminderTarget | None:
    """Whom to remind, or None when the reminder is no longer wanted (finished, blocked, gone, too late)."""
    with db.session() as session:
        workshop = session.get(Workshop, held.workshop_id)
        participant = session.get(Participant, held.target_id)
        if workshop is None or participant is None or participant.workshop_id != workshop.id:
            return None
        if not due.still_for_this_meeting(held.kind, held.meeting_at, workshop.meeting_at, now):
            return None
        facts = _facts(participant, session.get(Position, participant.id), workshop_flows(workshop.exercises))
        if not due.should_remind(facts) or participant.chat_id is None or workshop.meeting_at is None:
            return None
        return ReminderTarget(participant.id, participant.user_key, participant.chat_id, participant.language, workshop.title, workshop.meeting_at)


def summary_target(db: Database, held: Claim, now: datetime) -> SummaryTarget | None:
    """Where the summary goes, or None when it is no longer wanted."""
    with db.session() as session:
        workshop = session.get(Workshop, held.workshop_id)
        if workshop is None or not due.still_for_this_meeting(held.kind, held.meeting_at, workshop.meeting_at, now):
            return None
        if held.kind == due.REQUEST:
            assert held.chat_id is not None
            return SummaryTarget(workshop.id, held.chat_id, held.language or "nl")
        facilitator = session.get(Facilitator, held.target_id)
        if facilitator is None or facilitator.workshop_id != workshop.id or not due.should_summarise(_fac_facts(facilitator)):
            return None
        assert facilitator.chat_id is not None
        return SummaryTarget(workshop.id, facilitator.chat_id, facilitator.language or "nl")


def record(db: Database, held: Claim, outcome: str, now: datetime) -> bool:
    """The job is done. False when this process had lost it (its lease expired and another took it)."""
    with db.session() as session:
        if not jobs.finish(session, held, outcome, now):
            return False
        if outcome != "sent" or held.kind == due.REQUEST:
            return True
        workshop = session.get(Workshop, held.workshop_id)
        if workshop is None or not due.still_for_this_meeting(held.kind, held.meeting_at, workshop.meeting_at, now):
            return True  # sent for a meeting time that has changed since: the new one is still due
        person = session.get(Participant if held.kind == due.REMINDER else Facilitator, held.target_id)
        if isinstance(person, Participant):
            person.reminded_at = now
        elif isinstance(person, Facilitator):
            person.summary_sent_at = now
    return True


def retry_later(db: Database, held: Claim, now: datetime, base: timedelta) -> datetime | None:
    """Not delivered: free it for a later attempt (any process); None when it is given up."""
    with db.session() as session:
        if due.gives_up(held.attempts):
            jobs.finish(session, held, "failed", now)
            return None
        at = due.retry_at(held.attempts, now, base)
        jobs.put_back(session, held, at)
        return at


def extend(db: Database, held: Claim, until: datetime) -> bool:
    with db.session() as session:
        return jobs.extend(session, held, until)


def claim(db: Database, worker: str, now: datetime, lease: timedelta, limit: int) -> list[Claim]:
    with db.session() as session:
        return jobs.claim(session, worker, now, lease, limit)


def request_summary(db: Database, workshop_id: int, user_key: str, chat_id: int, language: str, now: datetime) -> bool:
    """Record a facilitator's /summary; False when their earlier one is still waiting."""
    with db.session() as session:
        facilitator = repo.facilitator_id(session, workshop_id, user_key)
        assert facilitator is not None  # the command checked it
        return jobs.request_summary(session, workshop_id, facilitator, chat_id, language, now)
