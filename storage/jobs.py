"""The jobs table: messages to deliver outside any update, shared by every bot process.

Exactly once across processes rests on three statements:

1. A round is *opened* by one process only:
       UPDATE workshops SET reminders_sent_at = :now
        WHERE id = :id AND reminders_sent_at IS NULL AND meeting_at = :seen
   (the row lock on PostgreSQL, the single writer on SQLite: the second process changes 0 rows).
   Its jobs are inserted in the same transaction, and the unique key (kind, target_id, meeting_at)
   rejects any second copy (INSERT … ON CONFLICT DO NOTHING).
2. A job is *claimed* by one process only, with a lease:
       UPDATE jobs SET claimed_by = :me, claimed_until = :now + :lease, attempts = attempts + 1
        WHERE id IN (SELECT id FROM jobs
                      WHERE done_at IS NULL AND not_before <= :now
                        AND (claimed_until IS NULL OR claimed_until < :now)
                      ORDER BY not_before, id LIMIT :n
                      FOR UPDATE SKIP LOCKED)
       RETURNING …
   On PostgreSQL, SKIP LOCKED hands concurrent claimers disjoint rows, and a row claimed and
   committed meanwhile is re-checked and left out. SQLite has no FOR UPDATE (SQLAlchemy leaves it
   out) and needs none: an UPDATE takes the database's one write lock before it reads.
   A claim whose process died is taken over once its lease has expired.
3. A job is *finished* (or put back for a retry) only by the claim that holds it:
       UPDATE jobs SET done_at = :now, … WHERE id = :id AND claimed_by = :me AND attempts = :attempts

target_id has no foreign key: it names a participant or a facilitator depending on ``kind``; a
job whose person is gone is skipped when it is claimed. Deleting a workshop deletes its jobs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import Job, Workshop

jobs = Job.__table__
workshops = Workshop.__table__
AUTOMATIC = ("reminder", "summary")
ROUND_COLUMNS = {"reminder": workshops.c.reminders_sent_at, "summary": workshops.c.summary_sent_at}


@dataclass(frozen=True)
class Claim:
    """A job this process holds until ``until`` (or until it finishes or puts it back)."""

    id: int
    kind: str
    workshop_id: int
    target_id: int
    meeting_at: datetime | None
    chat_id: int | None
    language: str | None
    attempts: int  # with claimed_by, identifies this claim
    claimed_by: str


def open_round(session: Session, kind: str, workshop_id: int, meeting_seen: datetime, now: datetime) -> bool:
    """True for the one process that opens this round of this workshop for the meeting time it saw."""
    column = ROUND_COLUMNS[kind]
    result = session.execute(
        update(workshops)
        .where(workshops.c.id == workshop_id, column.is_(None), workshops.c.meeting_at == meeting_seen)
        .values({column: now})
    )
    return result.rowcount == 1


def add(session: Session, kind: str, workshop_id: int, target_ids: Iterable[int], meeting_at: datetime, now: datetime) -> None:
    rows = [
        {"kind": kind, "workshop_id": workshop_id, "target_id": t, "meeting_at": meeting_at, "not_before": now, "attempts": 0, "created_at": now}
        for t in target_ids
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(jobs).values(rows).on_conflict_do_nothing(index_elements=["kind", "target_id", "meeting_at"]))


def request_summary(
    session: Session, workshop_id: int, facilitator_id: int, chat_id: int, language: str, now: datetime
) -> bool:
    """A facilitator asked for the summary. False when their earlier request is still waiting."""
    waiting = session.execute(
        select(jobs.c.id).where(
            jobs.c.kind == "request", jobs.c.workshop_id == workshop_id, jobs.c.target_id == facilitator_id,
            jobs.c.chat_id == chat_id, jobs.c.done_at.is_(None),
        )
    ).first()  # fmt: skip
    if waiting is not None:
        return False
    session.add(
        Job(kind="request", workshop_id=workshop_id, target_id=facilitator_id, chat_id=chat_id, language=language, not_before=now, created_at=now)
    )
    session.flush()
    return True


def claim(session: Session, worker: str, now: datetime, lease: timedelta, limit: int) -> list[Claim]:
    """Take up to ``limit`` due jobs nobody holds (or whose holder's lease expired). See the module doc."""
    if limit <= 0:
        return []
    free = (
        select(jobs.c.id)
        .where(
            jobs.c.done_at.is_(None),
            jobs.c.not_before <= now,
            or_(jobs.c.claimed_until.is_(None), jobs.c.claimed_until < now),
        )
        .order_by(jobs.c.not_before, jobs.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = session.execute(
        update(jobs)
        .where(jobs.c.id.in_(free.scalar_subquery()))
        .values(claimed_by=worker, claimed_until=now + lease, attempts=jobs.c.attempts + 1)
        .returning(
            jobs.c.id, jobs.c.kind, jobs.c.workshop_id, jobs.c.target_id, jobs.c.meeting_at, jobs.c.chat_id,
            jobs.c.language, jobs.c.attempts, jobs.c.claimed_by,
        )
    )  # fmt: skip
    claims = [Claim(**row._asdict()) for row in result]
    return sorted(claims, key=lambda c: c.id)


def _mine(held: Claim):
    return (jobs.c.id == held.id, jobs.c.claimed_by == held.claimed_by, jobs.c.attempts == held.attempts)


def extend(session: Session, held: Claim, until: datetime) -> bool:
    """Keep the lease while a long delivery runs. False when the claim was lost."""
    return session.execute(update(jobs).where(*_mine(held)).values(claimed_until=until)).rowcount == 1


def finish(session: Session, held: Claim, outcome: str, now: datetime) -> bool:
    """Done. False when this claim no longer holds the job (its lease expired and another took it)."""
    result = session.execute(
        update(jobs).where(*_mine(held)).values(done_at=now, outcome=outcome, claimed_by=None, claimed_until=None)
    )
    return result.rowcount == 1


def put_back(session: Session, held: Claim, not_before: datetime) -> bool:
    """Not delivered this time: free for any process again from ``not_before``."""
    result = session.execute(update(jobs).where(*_mine(held)).values(claimed_by=None, claimed_until=None, not_before=not_before))
    return result.rowcount == 1


def forget_rounds(session: Session, workshop_id: int) -> None:
    """A new meeting time: the reminder and summary jobs of the old one go (a request stays)."""
    session.execute(delete(jobs).where(jobs.c.workshop_id == workshop_id, jobs.c.kind.in_(AUTOMATIC)))
