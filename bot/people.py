"""What the bot looks up and decides about a person outside a step: their language, joining, their
workshops, switching between them. Transport-free and synchronous: transports call these from a
worker thread (``asyncio.to_thread``) so that no database work runs on the event loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot import throttle
from bot.engine import Flow
from bot.flows import workshop_flows
from bot.i18n import negotiate
from storage import Database
from storage import repository as repo


def language_of(db: Database, key: str, language_code: str | None) -> str:
    """The person's language: the one they chose, else proposed from their client's language code.
    Reading it stores nothing: someone who never joins leaves no row."""
    with db.session() as session:
        account = session.get(repo.Account, key)
        if account is not None and account.language is not None:
            return account.language
        # A facilitator's language is kept with their workshops (no account is made for them).
        team = repo.facilitator_language(session, key)
        if team is not None:
            return team
    return negotiate(language_code)


class Join(Enum):
    WAIT = "wait"  # too many wrong codes: wait some minutes
    UNKNOWN = "unknown"  # no workshop has this code
    CLOSED = "closed"  # the workshop takes no new participants
    CONTINUE = "continue"  # joined before: go on where they were
    CONSENT = "consent"  # new here: the consent comes first, nothing is stored yet


@dataclass(frozen=True)
class JoinAttempt:
    outcome: Join
    wait_minutes: int = 0
    participant_id: int | None = None
    workshop: repo.Workshop | None = None


def attempt_join(db: Database, key: str, code: str, *, language: str, chat_id: int, now: datetime) -> JoinAttempt:
    """A code-shaped join code, typed or in the link. A wrong one is the one thing stored before consent
    (to slow down guessing); a right one resets the count."""
    with db.session() as session:
        account = session.get(repo.Account, key)
        wait = throttle.wait_minutes(account.failed_joins, account.last_failed_join_at, now) if account else None
        if wait is not None:
            return JoinAttempt(Join.WAIT, wait_minutes=wait)
        workshop = repo.workshop_by_code(session, code)
        if workshop is None:
            account = account or repo.account_for(session, key)
            account.failed_joins += 1
            account.last_failed_join_at = now
            return JoinAttempt(Join.UNKNOWN)
        if account is not None:
            account.failed_joins, account.last_failed_join_at = 0, None
        if repo.participation(session, workshop.id, key) is not None:
            participant = repo.join(session, workshop, key, language=language, chat_id=chat_id)
            return JoinAttempt(Join.CONTINUE, participant_id=participant.id, workshop=workshop)
        if workshop.closed_at is not None:
            return JoinAttempt(Join.CLOSED)
        return JoinAttempt(Join.CONSENT, workshop=workshop)


def workshop_by_code(db: Database, code: str) -> repo.Workshop | None:
    with db.session() as session:
        return repo.workshop_by_code(session, code)


def workshop_title(db: Database, workshop_id: int) -> str:
    with db.session() as session:
        workshop = session.get(repo.Workshop, workshop_id)
        return workshop.title if workshop is not None else ""


@dataclass(frozen=True)
class Active:
    """The workshop a person is answering in now."""

    participant_id: int
    language: str
    flows: tuple[Flow, ...]
    progress: repo.Progress


def active_of(db: Database, key: str) -> Active | None:
    with db.session() as session:
        participant = repo.active_participant(session, key)
        if participant is None or participant.id is None:
            return None
        workshop = session.get(repo.Workshop, participant.workshop_id)
        assert workshop is not None
        return Active(
            participant_id=participant.id,
            language=participant.language,
            flows=workshop_flows(workshop.exercises, workshop.length),
            progress=repo.load_progress(session, participant.id),
        )


@dataclass(frozen=True)
class Workshops:
    """A person's workshops: those they take part in (the active one marked) and those they facilitate."""

    taking_part: list[tuple[repo.Participant, repo.Workshop]]
    active_id: int | None
    facilitating: list[repo.Workshop]


def workshops_of(db: Database, key: str) -> Workshops:
    with db.session() as session:
        active = repo.active_participant(session, key)
        return Workshops(
            taking_part=repo.participations(session, key),
            active_id=active.id if active is not None else None,
            facilitating=repo.workshops_of(session, key),
        )


def facilitates_any(db: Database, key: str) -> bool:
    with db.session() as session:
        return bool(repo.workshops_of(session, key))


def choose_language(db: Database, key: str, language: str) -> int | None:
    """Stores the person's language; returns the participant whose step should be shown again in it."""
    with db.session() as session:
        repo.set_language(session, key, language)
        active = repo.active_participant(session, key)
        return active.id if active is not None else None


def switch_to(db: Database, key: str, participant_id: int) -> bool:
    """Makes one of the person's own participations the active one; False for anyone else's."""
    with db.session() as session:
        participant = session.get(repo.Participant, participant_id)
        if participant is None or participant.user_key != key:
            return False
        repo.account_for(session, key).active_participant_id = participant_id
        return True


def mark_blocked(db: Database, participant_id: int, now: datetime) -> None:
    """The person blocked the bot: the facilitator's status says so; reminders stop."""
    with db.session() as session:
        participant = session.get(repo.Participant, participant_id)
        if participant is not None:
            participant.blocked_at = now
            session.add(participant)


def is_blocked(db: Database, participant_id: int) -> bool:
    with db.session() as session:
        participant = session.get(repo.Participant, participant_id)
        return participant is not None and participant.blocked_at is not None
