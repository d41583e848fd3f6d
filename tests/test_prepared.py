"""The hot path's statements run on the driver's cursor (storage/prepared.py): they must read and write
exactly what SQLAlchemy's own execute does, inside the connection's transaction, seen by the engine's
listeners, with driver errors wrapped as SQLAlchemy's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from storage import Database
from storage import hotpath as hot
from storage import repository as repo
from storage.models import Answer, Position


def joined(db: Database) -> int:
    with db.session() as session:
        workshop = repo.create_workshop(session, "Wijk Noord", "term:fac", exercises=["a", "b"], length="full")
        workshop.meeting_at = datetime(2030, 12, 3, 18, 30, tzinfo=UTC)
        pid = repo.join(session, workshop, "term:u1", language="ar").id
    assert pid is not None
    return pid


def test_the_prepared_reads_and_writes_are_those_of_execute(db: Database) -> None:
    pid = joined(db)
    value = {"items": ["één", "ثلاثة"], "n": 2}
    with db.engine.begin() as conn:
        hot.save_answers(conn, pid, {"a.does": value, "a.who": "Amina"}, "ar")
        hot.save_position(conn, pid, None, "a", "does", {"intro"}, False, None, None, True)
        hot.save_position(conn, pid, hot.state_of(conn, pid).position, "a", "who", {"intro", "a"}, True, "a.does", None, True)
        hot.prompt_columns(conn, pid, hot.StoredPosition("a", "who", [], False, None, None, 2**40, "a.who", "a.does", True))
    with db.engine.connect() as conn:
        state = hot.state_of(conn, pid)
        by_user = hot.active_state(conn, "term:u1")
        answers = hot.answers(conn, pid)
        rows = conn.execute(select(Answer.exercise, Answer.step, Answer.value).where(Answer.participant_id == pid)).all()
        stored = conn.execute(select(Position).where(Position.participant_id == pid)).one()
    assert state == by_user and state is not None
    assert answers == {f"{e}.{s}": v for e, s, v in rows} == {"a.does": value, "a.who": "Amina"}
    assert state.language == "ar" and state.exercises == ["a", "b"] and state.length == "full"
    assert state.meeting_at.replace(tzinfo=UTC) == datetime(2030, 12, 3, 18, 30, tzinfo=UTC)
    assert state.position == hot.StoredPosition("a", "who", ["a", "intro"], True, "a.does", None, 2**40, "a.who", "a.does", False)
    assert (stored.completed, stored.finished, stored.prompt_pending, stored.prompt_message_id) == (["a", "intro"], True, False, 2**40)


def test_a_prepared_statement_is_part_of_the_transaction_and_seen_by_listeners(db: Database) -> None:
    pid = joined(db)
    seen: list[str] = []

    def listener(_conn, _cursor, statement: str, *_args) -> None:
        seen.append(statement.split()[0])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with pytest.raises(RuntimeError), db.engine.begin() as conn:
            hot.save_answers(conn, pid, {"a.does": "weg"}, "nl")
            raise RuntimeError  # rolled back: nothing of it stays
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert seen == ["INSERT"]
    with db.engine.connect() as conn:
        assert hot.answers(conn, pid) == {}


def test_a_driver_error_is_sqlalchemys(db: Database) -> None:
    with pytest.raises(IntegrityError) as raised, db.engine.begin() as conn:
        hot.save_answers(conn, 987654, {"a.does": "no such participant"}, "nl")  # a foreign key
    assert "no such participant" not in str(raised.value)  # logged without the values (docs/privacy.md)
    with db.engine.connect() as conn:  # the connection went back to the pool usable
        assert hot.answers(conn, 987654) == {}
