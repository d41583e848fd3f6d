"""The hot path: one participant's state read and one input's changes written, as statements built once.

Every answer goes through here, so it uses SQLAlchemy Core rather than the ORM: the statements are
built at import (their compiled form is cached by the engine), rows come back as plain columns, and
an answer is one INSERT … ON CONFLICT DO UPDATE (SQLite and PostgreSQL both have it), the position one
UPDATE. No ORM identity map, no unit-of-work flush, nothing kept between calls.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import Account, Answer, Participant, Position, Workshop, utcnow
from storage.prepared import Prepared

_A = Answer.__table__
_P = Participant.__table__
_W = Workshop.__table__
_POS = Position.__table__
_ACC = Account.__table__

_COLUMNS = (
    _P.c.id,
    _P.c.user_key,
    _P.c.language,
    _P.c.consent_at,
    _P.c.display_name,
    _P.c.role,
    _P.c.organisation,
    _P.c.workshop_id,
    _W.c.exercises,
    _W.c.length,
    _W.c.meeting_at,
    _W.c.retention_days,
    _POS.c.exercise,
    _POS.c.step,
    _POS.c.completed,
    _POS.c.finished,
    _POS.c.return_to,
    _POS.c.choosing,
    _POS.c.prompt_message_id,
    _POS.c.prompt_key,
    _POS.c.previous_prompt_key,
    _POS.c.prompt_pending,
)
_JOINED = _P.join(_W, _W.c.id == _P.c.workshop_id).outerjoin(_POS, _POS.c.participant_id == _P.c.id)
_BY_USER = (
    select(*_COLUMNS)
    .select_from(_ACC.join(_JOINED, _ACC.c.active_participant_id == _P.c.id))
    .where(_ACC.c.user_key == bindparam("b_user"))
)
_BY_ID = select(*_COLUMNS).select_from(_JOINED).where(_P.c.id == bindparam("b_pid"))
# PostgreSQL: the participant's row stays locked until the transaction ends (one person's updates one at a time).
_LOCKED = {
    lock: tuple(Prepared(s.with_for_update(of=_P) if lock else s) for s in (_BY_USER, _BY_ID)) for lock in (False, True)
}
_Row = namedtuple("_Row", [c.key for c in _COLUMNS])  # a row of the state read, by column name
_ANSWERS = Prepared(select(_A.c.exercise, _A.c.step, _A.c.value).where(_A.c.participant_id == bindparam("b_pid")))
_DELETE = delete(_A).where(
    _A.c.participant_id == bindparam("b_pid"), _A.c.exercise == bindparam("b_ex"), _A.c.step == bindparam("b_step")
)
_POSITION = Prepared(update(_POS).where(_POS.c.participant_id == bindparam("b_pid")))
_NEW_POSITION = _POS.insert()
_PARTICIPANT = update(_P).where(_P.c.id == bindparam("b_pid"))
_SHOWN = (
    update(_POS)
    .where(_POS.c.participant_id == bindparam("b_pid"))
    .values(
        previous_prompt_key=_POS.c.prompt_key,
        prompt_key=bindparam("b_key"),
        prompt_message_id=bindparam("b_mid"),
        prompt_pending=False,
    )
)
# The catch-up's prompts (bot/conversation.py) as their net result, when the position is not written anyway.
_PROMPT = Prepared(
    update(_POS)
    .where(_POS.c.participant_id == bindparam("b_pid"))
    .values(
        previous_prompt_key=bindparam("b_prev"),
        prompt_key=bindparam("b_key"),
        prompt_message_id=bindparam("b_mid"),
        prompt_pending=False,
    )
)
_FAILED = (
    update(_POS)
    .where(_POS.c.participant_id == bindparam("b_pid"), _POS.c.prompt_pending.is_(True))
    .values(updated_at=bindparam("b_now"))
)


def _upsert(dialect: Any) -> Any:
    insert = dialect.insert(_A)
    return insert.on_conflict_do_update(
        index_elements=[_A.c.participant_id, _A.c.exercise, _A.c.step],
        set_={"value": insert.excluded.value, "language": insert.excluded.language, "updated_at": insert.excluded.updated_at},
    )


_UPSERT = {"sqlite": Prepared(_upsert(sqlite)), "postgresql": Prepared(_upsert(postgresql))}


@dataclass(frozen=True)
class StoredPosition:
    exercise: str
    step: str
    completed: list[str]
    finished: bool
    return_to: str | None  # "flow.step" to go back to after changing one answer
    choosing: str | None  # at the review: the exercise whose questions are listed
    prompt_message_id: int | None
    prompt_key: str | None  # "flow.step" of the prompt on screen
    previous_prompt_key: str | None
    prompt_pending: bool  # a reply is owed


@dataclass(frozen=True)
class State:
    """What the engine needs of one participant, as plain values."""

    participant_id: int
    user_key: str
    language: str
    consented: bool
    profile: dict[str, str | None]  # display_name, role, organisation
    workshop_id: int
    exercises: list[str]
    length: str  # "short" or "full"
    meeting_at: datetime | None
    retention_days: int  # the consent text says how long answers are kept
    position: StoredPosition | None


def _state(rows: list[tuple]) -> State | None:
    if not rows:
        return None
    row = _Row._make(rows[0])
    position = None if row.exercise is None else StoredPosition(
        row.exercise, row.step, list(row.completed), bool(row.finished), row.return_to, row.choosing, row.prompt_message_id,
        row.prompt_key, row.previous_prompt_key, bool(row.prompt_pending),
    )  # fmt: skip
    return State(
        participant_id=row.id,
        user_key=row.user_key,
        language=row.language,
        consented=row.consent_at is not None,
        profile={"display_name": row.display_name, "role": row.role, "organisation": row.organisation},
        workshop_id=row.workshop_id,
        exercises=list(row.exercises),
        length=row.length,
        meeting_at=row.meeting_at,
        retention_days=row.retention_days,
        position=position,
    )


def active_state(conn: Connection, user_key: str, *, lock: bool = False) -> State | None:
    """The person's active participation, its workshop and the position: one query (``lock``: FOR UPDATE)."""
    return _state(_LOCKED[lock][0].rows(conn, {"b_user": user_key}))


def state_of(conn: Connection, participant_id: int, *, lock: bool = False) -> State | None:
    return _state(_LOCKED[lock][1].rows(conn, {"b_pid": participant_id}))


def answers(conn: Connection, participant_id: int) -> dict[str, Any]:
    """"exercise.step" -> value, as columns (no ORM objects)."""
    return {f"{ex}.{step}": value for ex, step, value in _ANSWERS.rows(conn, {"b_pid": participant_id})}


def save_answers(conn: Connection, participant_id: int, changes: Mapping[str, Any], language: str) -> None:
    """One upsert per changed answer, one delete per cleared one."""
    now = utcnow()
    for key, value in changes.items():
        exercise, step = key.split(".", 1)
        if value is None:
            conn.execute(_DELETE, {"b_pid": participant_id, "b_ex": exercise, "b_step": step})
        else:
            row = {"participant_id": participant_id, "exercise": exercise, "step": step, "value": value}
            _UPSERT[conn.dialect.name].run(conn, {**row, "language": language, "updated_at": now}, values=True)


def save_position(
    conn: Connection,
    participant_id: int,
    stored: StoredPosition | None,
    exercise: str,
    step: str,
    completed: Iterable[str],
    finished: bool,
    return_to: str | None,
    choosing: str | None,
    prompt_pending: bool,
    prompt: StoredPosition | None = None,
) -> None:
    """``prompt``: also its prompt columns (prompts delivered since, written in the same UPDATE)."""
    values = {
        "exercise": exercise,
        "step": step,
        "completed": sorted(completed),
        "finished": finished,
        "return_to": return_to,
        "choosing": choosing,
        "prompt_pending": prompt_pending,
        "updated_at": utcnow(),
    }
    if prompt is not None:
        values["prompt_message_id"] = prompt.prompt_message_id
        values["prompt_key"] = prompt.prompt_key
        values["previous_prompt_key"] = prompt.previous_prompt_key
    if stored is None:
        conn.execute(_NEW_POSITION, {"participant_id": participant_id, **values})
    else:
        _POSITION.run(conn, {"b_pid": participant_id, **values}, values=True)


def update_participant(conn: Connection, participant_id: int, values: Mapping[str, str | datetime | None]) -> None:
    """The profile columns an answer also sets (name, role, organisation, consent): rare, only on change."""
    conn.execute(_PARTICIPANT, {"b_pid": participant_id, **values})


def prompts_shown(conn: Connection, shown: list[tuple[int, int, str]]) -> None:
    """(participant id, message id, step key) of prompts delivered, in order: each one remembered (the step
    on screen and the one before it), its reply no longer owed; one executemany."""
    if shown:
        conn.execute(_SHOWN, [{"b_pid": pid, "b_mid": mid, "b_key": key} for pid, mid, key in shown])


def prompt_columns(conn: Connection, participant_id: int, position: StoredPosition) -> None:
    """The prompt columns of ``position`` (prompts delivered since the row was written): no reply owed."""
    _PROMPT.run(
        conn,
        {
            "b_pid": participant_id,
            "b_prev": position.previous_prompt_key,
            "b_key": position.prompt_key,
            "b_mid": position.prompt_message_id,
        },
    )


def prompt_failed(conn: Connection, participant_id: int) -> None:
    """Delivery failed: the prompt stays owed, counted from now."""
    conn.execute(_FAILED, {"b_pid": participant_id, "b_now": utcnow()})
