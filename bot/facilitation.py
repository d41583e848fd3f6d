"""What facilitators may do with their workshops, and the database work behind each command.

Transport-free and synchronous: transports call these from a worker thread (``asyncio.to_thread``)
so that no database work runs on the event loop. Permission rules live here, not in the handlers:
a workshop is only ever returned to one of its own facilitators."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlmodel import Session

from bot.engine.model import LENGTHS
from bot.flows import exercises
from bot.progress import split_answered
from storage import Database, Workshop
from storage import repository as repo
from storage.erasure import delete_workshop


@dataclass(frozen=True)
class Resolved:
    """The workshop a command is about (None: unknown code, someone else's, or not clear which),
    the arguments after its code, and every workshop the person facilitates."""

    workshop: Workshop | None
    args: list[str]
    mine: list[Workshop]


def resolve(db: Database, key: str, args: list[str]) -> Resolved:
    """The workshop named by its code as first argument, or the person's only workshop."""
    with db.session() as session:
        mine = repo.workshops_of(session, key)
        if args:
            workshop = repo.workshop_by_code(session, args[0])
            if workshop is not None:
                allowed = repo.is_facilitator(session, workshop.id, key)
                return Resolved(workshop if allowed else None, args[1:], mine)
        return Resolved(mine[0] if len(mine) == 1 else None, args, mine)


def create(db: Database, title: str, key: str, *, chat_id: int, language: str) -> Workshop:
    with db.session() as session:
        return repo.create_workshop(session, title, key, facilitator_chat_id=chat_id, facilitator_language=language)


class Toggle(Enum):
    INVALID = "invalid"  # not this person's workshop, or not a known choice
    LAST_EXERCISE = "last"  # a workshop needs at least one exercise
    NOT_ASKED = "not_asked"  # the chosen length does not ask this exercise: nothing to switch
    DONE = "done"


def asked(exercise: str, length: str) -> bool:
    """Whether a preparation of this length asks anything of the exercise (the short one leaves D out)."""
    flow = next(f for f in exercises() if f.id == exercise)
    return any(flow.in_length(s, length) for s in flow.steps)


def toggle_setting(db: Database, key: str, workshop_id: int, choice: str) -> tuple[Toggle, Workshop | None]:
    """A settings button: a length (short preparation or the full hand-out) or an exercise on/off."""
    known = {f.id for f in exercises()} | set(LENGTHS)
    with db.session() as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None or choice not in known or not repo.is_facilitator(session, workshop_id, key):
            return Toggle.INVALID, None
        if choice in LENGTHS:
            workshop.length = choice
        elif not asked(choice, workshop.length):
            return Toggle.NOT_ASKED, workshop
        else:
            chosen = set(workshop.exercises) ^ {choice}
            if not chosen:
                return Toggle.LAST_EXERCISE, workshop
            workshop.exercises = [f.id for f in exercises() if f.id in chosen]
        session.add(workshop)
        return Toggle.DONE, workshop


def change(db: Database, workshop_id: int, apply: Callable[[Session, Workshop], None]) -> Workshop:
    """Apply a change to the workshop's settings and commit it; every process reads it from the database."""
    with db.session() as session:
        stored = session.get(Workshop, workshop_id)
        assert stored is not None
        apply(session, stored)
        return stored


def status(db: Database, workshop: Workshop) -> repo.WorkshopAnswers:
    with db.session() as session:
        return split_answered(repo.workshop_answers(session, workshop))


def invite(db: Database, workshop_id: int, key: str) -> str:
    with db.session() as session:
        return repo.create_invite(session, workshop_id, key)


def redeem(db: Database, token: str, key: str, *, chat_id: int, language: str) -> str | None:
    """The title of the workshop the person now facilitates; None when the invitation is not valid."""
    with db.session() as session:
        workshop = repo.redeem_invite(session, token, key, chat_id, language)
        return workshop.title if workshop is not None else None


def revoke(db: Database, workshop_id: int) -> int:
    with db.session() as session:
        return repo.revoke_invites(session, workshop_id)


def delete(db: Database, key: str, workshop_id: int, *, confirmed: bool) -> tuple[bool, str]:
    """(allowed, title); the workshop and everything in it go only when confirmed by one of its facilitators."""
    with db.session() as session:
        workshop = session.get(Workshop, workshop_id)
        allowed = workshop is not None and repo.is_facilitator(session, workshop_id, key)
        title = workshop.title if workshop is not None else ""
        if allowed and confirmed:
            delete_workshop(session, workshop_id)
        return allowed, title


@dataclass(frozen=True)
class Team:
    members: list[repo.Facilitator]  # the creator first
    open_invites: int


def team(db: Database, workshop_id: int, now: datetime) -> Team:
    with db.session() as session:
        members = sorted(repo.facilitators(session, workshop_id), key=lambda f: f.id or 0)
        return Team(members, repo.open_invites(session, workshop_id, now))


def remove(db: Database, key: str, workshop_id: int, facilitator_id: int) -> bool:
    """Only a facilitator of the workshop removes a co-facilitator (never the creator)."""
    with db.session() as session:
        return repo.is_facilitator(session, workshop_id, key) and repo.remove_facilitator(session, workshop_id, facilitator_id)
