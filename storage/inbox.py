"""The inbox of updates: stored on arrival, claimed one chat at a time, marked handled once.

Every process that shares the database can take work from here. A chat's updates are handled in
update_id order because only the oldest pending update of each chat can be claimed, and only when
no other process holds it (or its holder's lease ran out: that process died). The claim is a
conditional UPDATE, so two processes never both win it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import InboxUpdate, utcnow

_T = InboxUpdate.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Claimed:
    update_id: int
    chat_id: int
    payload: dict[str, Any]
    attempts: int


def store(session: Session, updates: Iterable[tuple[int, int, dict[str, Any]]], now: datetime) -> int:
    """Insert (update_id, chat_id, payload) rows; an update_id already known is ignored. Returns how many were new."""
    rows = [{"update_id": u, "chat_id": c, "payload": p, "received_at": now, "attempts": 0} for u, c, p in updates]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = session.execute(insert(_T).on_conflict_do_nothing(index_elements=["update_id"]), rows)
    return max(result.rowcount or 0, 0)


_OLDEST_PER_CHAT = (
    select(_T.c.update_id, _T.c.chat_id, _T.c.claimed_at)
    .where(
        _T.c.done_at.is_(None),
        _T.c.update_id.in_(select(func.min(_T.c.update_id)).where(_T.c.done_at.is_(None)).group_by(_T.c.chat_id)),
    )
    .order_by(_T.c.update_id)
    .limit(bindparam("limit"))
)

_CLAIM = (
    update(_T)
    .where(
        _T.c.update_id == bindparam("u"),
        _T.c.done_at.is_(None),
        or_(_T.c.claimed_at.is_(None), _T.c.claimed_at < bindparam("expired")),
    )
    .values(claimed_by=bindparam("worker"), claimed_at=bindparam("now"), attempts=_T.c.attempts + 1)
)


def claim(
    session: Session, worker: str, now: datetime, lease: timedelta, *, skip_chats: set[int], limit: int
) -> list[Claimed]:
    """Claim the oldest pending update of each chat that nobody holds; at most ``limit``."""
    expired = now - lease
    found = session.execute(_OLDEST_PER_CHAT, {"limit": limit + len(skip_chats)}).all()
    won: list[int] = []
    for update_id, chat_id, claimed_at in found:
        if chat_id in skip_chats:
            continue
        if claimed_at is not None and _aware(claimed_at) >= expired:
            continue  # another process is handling this chat now
        result = session.execute(_CLAIM, {"u": update_id, "expired": expired, "worker": worker, "now": now})
        if result.rowcount == 1:
            won.append(update_id)
        if len(won) >= limit:
            break
    if not won:
        return []
    rows = session.execute(
        select(_T.c.update_id, _T.c.chat_id, _T.c.payload, _T.c.attempts).where(_T.c.update_id.in_(won))
    ).all()
    return sorted((Claimed(u, c, p or {}, a) for u, c, p, a in rows), key=lambda c: c.update_id)


_FINISH = (
    update(_T)
    .where(_T.c.update_id == bindparam("u"), _T.c.done_at.is_(None))
    .values(done_at=bindparam("now"), payload=None)
)


def finish(session: Session, update_id: int, now: datetime) -> bool:
    """Mark the update handled (and drop what the person wrote). False when it already was."""
    return session.execute(_FINISH, {"u": update_id, "now": now}).rowcount == 1


_APPLY = update(_T).where(_T.c.update_id == bindparam("u"), _T.c.applied_at.is_(None)).values(applied_at=bindparam("now"))


def handled_here(session: Session, update_id: int, now: datetime) -> bool:
    """Inside the transaction that applies an update: True when this transaction is the one to apply it.

    On PostgreSQL the UPDATE locks the row, so a second process applying the same update waits for this
    transaction and then finds it applied. The update stays pending (its chat's next update waits) until
    the dispatcher marks it done, after the reply was sent. An update that never went through the inbox
    counts as new."""
    if session.execute(_APPLY, {"u": update_id, "now": now}).rowcount == 1:
        return True
    return session.execute(select(_T.c.update_id).where(_T.c.update_id == update_id)).first() is None


def release_claims(session: Session) -> int:
    """Forget every claim: only for a database that one process uses (SQLite), at its start."""
    result = session.execute(
        update(_T).where(and_(_T.c.done_at.is_(None), _T.c.claimed_at.is_not(None))).values(claimed_at=None, claimed_by=None)
    )
    return result.rowcount or 0


def pending_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(_T).where(_T.c.done_at.is_(None))).scalar_one()


def prune(session: Session, before: datetime) -> int:
    """Handled updates older than ``before`` are no longer needed to recognise duplicates."""
    result = session.execute(delete(InboxUpdate).where(col(InboxUpdate.done_at).is_not(None), col(InboxUpdate.done_at) < before))
    return result.rowcount or 0


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=utcnow().tzinfo)
