"""The inbox of updates: stored on arrival, claimed one chat at a time, marked handled once.

Every process that shares the database can take work from here. A chat's updates are handled in
update_id order because only the oldest pending update of each chat can be claimed, and only when
no other process holds it (or its holder's lease ran out: that process died). The claim is a
conditional UPDATE, so two processes never both win it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, delete, func, null, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import InboxUpdate, utcnow
from storage.prepared import Prepared

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


@dataclass
class Taken:
    """What ``store_and_take`` did with a batch of updates."""

    new: int = 0  # stored (not duplicates)
    claimed: list[Claimed] = field(default_factory=list)  # claimed by the storing process, in update_id order
    waiting: set[int] = field(default_factory=set)  # chats with a new update left for a later claim


# Chats are locked (PostgreSQL, for the transaction) in one order, so two batches never wait on each
# other in a cycle. The two-int key space is apart from the one-bigint keys (the migrations' lock).
_LOCK_CHATS = text(
    "SELECT pg_advisory_xact_lock(1447185732, k) FROM (SELECT DISTINCT unnest(CAST(:keys AS integer[])) AS k ORDER BY k) AS s"
)
_PENDING_OF_CHATS = select(_T.c.chat_id, _T.c.update_id, _T.c.claimed_by, _T.c.claimed_at).where(
    _T.c.done_at.is_(None), _T.c.chat_id.in_(bindparam("chats", expanding=True))
)
_TAKE = (
    update(_T)
    .where(_T.c.update_id.in_(bindparam("ids", expanding=True)))
    .values(claimed_by=bindparam("worker"), claimed_at=bindparam("now"), attempts=1)
)


def store_and_take(
    conn: Connection,
    updates: Iterable[tuple[int, int, dict[str, Any]]],
    now: datetime,
    *,
    worker: str,
    lease: timedelta,
    room: int,
) -> Taken:
    """Store updates and, in the same transaction, claim for ``worker`` the new ones it may handle at once.

    A chat's new updates are claimed when nothing else of that chat is pending, or only updates that
    ``worker`` itself holds (it queues the new ones behind them): exactly what a claim right after the
    commit would give, without another transaction. Other chats' updates wait for the claim loop.
    At most ``room`` chats not held by ``worker`` already are taken on."""
    rows = [{"update_id": u, "chat_id": c, "payload": p, "received_at": now, "attempts": 0} for u, c, p in updates]
    if not rows:
        return Taken()
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        # Two processes storing updates of one chat at once must not both take them.
        conn.execute(_LOCK_CHATS, {"keys": sorted({_chat_key(r["chat_id"]) for r in rows})})
    insert = (postgresql.insert if postgres else sqlite.insert)(_T)
    # First a write (SQLite takes its one writer lock here), then the reads see every commit.
    inserted = {
        r[0] for r in conn.execute(insert.on_conflict_do_nothing(index_elements=["update_id"]).returning(_T.c.update_id), rows)
    }
    taken = Taken(new=len(inserted))
    if not inserted:
        return taken
    new_rows = sorted((r for r in rows if r["update_id"] in inserted), key=lambda r: r["update_id"])
    chats = sorted({r["chat_id"] for r in new_rows})
    others: dict[int, list[tuple[str | None, datetime | None]]] = defaultdict(list)
    for chat_id, update_id, claimed_by, claimed_at in conn.execute(_PENDING_OF_CHATS, {"chats": chats}):
        if update_id not in inserted:
            others[chat_id].append((claimed_by, claimed_at))
    live_after = now - lease
    ids: list[int] = []
    for chat_id in chats:
        held = others.get(chat_id, [])
        if held and not all(by == worker and at is not None and _aware(at) >= live_after for by, at in held):
            taken.waiting.add(chat_id)  # another process has it, or an older update is still to claim
            continue
        if not held:
            if room <= 0:
                taken.waiting.add(chat_id)
                continue
            room -= 1
        ids.extend(r["update_id"] for r in new_rows if r["chat_id"] == chat_id)
    if ids:
        conn.execute(_TAKE, {"ids": ids, "worker": worker, "now": now})
        chosen = set(ids)
        taken.claimed = [Claimed(r["update_id"], r["chat_id"], r["payload"], 1) for r in new_rows if r["update_id"] in chosen]
    return taken


def _chat_key(chat_id: int) -> int:
    return chat_id % 2_147_483_647  # a 32-bit key; two chats sharing one only wait for each other


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


def finish(session: Session | Connection, update_id: int, now: datetime) -> bool:
    """Mark the update handled (and drop what the person wrote). False when it already was."""
    return session.execute(_FINISH, {"u": update_id, "now": now}).rowcount == 1


_FINISH_ALL = (
    update(_T)
    .where(_T.c.update_id.in_(bindparam("ids", expanding=True)), _T.c.done_at.is_(None))
    .values(done_at=bindparam("now"), payload=None)
)


def finish_all(conn: Connection, update_ids: list[int], now: datetime) -> None:
    """``finish`` of each, one statement."""
    if update_ids:
        conn.execute(_FINISH_ALL, {"ids": update_ids, "now": now})


_APPLY = Prepared(
    update(_T).where(_T.c.update_id == bindparam("u"), _T.c.applied_at.is_(None)).values(applied_at=bindparam("now"))
)


def handled_here(session: Session | Connection, update_id: int, now: datetime) -> bool:
    """Inside the transaction that applies an update: True when this transaction is the one to apply it.

    On PostgreSQL the UPDATE locks the row, so a second process applying the same update waits for this
    transaction and then finds it applied. The update stays pending (its chat's next update waits) until
    the dispatcher marks it done, after the reply was sent. An update that never went through the inbox
    counts as new."""
    conn = session if isinstance(session, Connection) else session.connection()
    return _APPLY.run(conn, {"u": update_id, "now": now}) == 1 or _never_stored(conn, update_id)


def _never_stored(conn: Connection, update_id: int) -> bool:
    """Not applied by this transaction: new all the same when it never went through the inbox."""
    return conn.execute(select(_T.c.update_id).where(_T.c.update_id == update_id)).first() is None


_APPLY_AND_FINISH = Prepared(
    update(_T)
    .where(
        or_(
            and_(_T.c.update_id == bindparam("u"), _T.c.applied_at.is_(None)),
            and_(_T.c.update_id == bindparam("d"), _T.c.done_at.is_(None)),
        )
    )
    .values(
        applied_at=case((_T.c.update_id == bindparam("u"), bindparam("now")), else_=_T.c.applied_at),
        done_at=case((_T.c.update_id == bindparam("d"), bindparam("now")), else_=_T.c.done_at),
        payload=case((_T.c.update_id == bindparam("d"), null()), else_=_T.c.payload),
    )
    .returning(_T.c.update_id),
    [_T.c.update_id.type],
)


def apply_and_finish(conn: Connection, update_id: int | None, done: list[int], now: datetime) -> bool:
    """The participant's earlier updates ``done`` marked handled, and (``update_id``) this one applied: one
    statement in the common case of one each (the hot path). Returns ``handled_here`` of ``update_id``
    (True without one)."""
    if update_id is None:
        finish_all(conn, done, now)
        return True
    if not done:
        return handled_here(conn, update_id, now)
    finish_all(conn, done[1:], now)
    touched = {u for (u,) in _APPLY_AND_FINISH.rows(conn, {"u": update_id, "d": done[0], "now": now})}
    return update_id in touched or _never_stored(conn, update_id)


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
