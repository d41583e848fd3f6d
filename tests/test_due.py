"""What is due when (bot/due.py), with explicit clocks; and meeting times stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import due
from bot.timefmt import parse_meeting
from storage import Database, Workshop
from storage import repository as repo

MEETING = datetime(2026, 12, 3, 18, 30, tzinfo=UTC)
TIMING = due.Timing(MEETING, reminder_hours=48, summary_hours=24)
H = timedelta(hours=1)


def test_a_round_opens_at_its_hour_and_closes_when_the_meeting_begins() -> None:
    assert not due.reminder_round_due(TIMING, None, MEETING - 48 * H - timedelta(seconds=1))
    assert due.reminder_round_due(TIMING, None, MEETING - 48 * H)
    assert due.reminder_round_due(TIMING, None, MEETING - timedelta(seconds=1))
    assert not due.reminder_round_due(TIMING, None, MEETING)  # the meeting has begun: too late
    assert not due.summary_round_due(TIMING, None, MEETING - 25 * H)
    assert due.summary_round_due(TIMING, None, MEETING - 24 * H)
    assert not due.summary_round_due(TIMING, None, MEETING + H)


def test_a_round_is_planned_once_and_never_without_a_meeting() -> None:
    now = MEETING - 30 * H
    assert not due.reminder_round_due(TIMING, now - H, now)
    assert not due.summary_round_due(TIMING, now - H, MEETING - H)
    no_meeting = due.Timing(None, 48, 24)
    assert not due.reminder_round_due(no_meeting, None, now) and not due.summary_round_due(no_meeting, None, now)


def test_naive_times_from_sqlite_are_utc() -> None:
    naive = due.Timing(MEETING.replace(tzinfo=None), 48, 24)
    assert due.reminder_round_due(naive, None, MEETING - 48 * H)
    assert not due.reminder_round_due(naive, None, MEETING - 48 * H - timedelta(seconds=1))


def test_who_is_reminded() -> None:
    base = due.ParticipantFacts(id=1, reachable=True, blocked=False, finished=False, reminded=False)
    assert due.should_remind(base)
    for changed in ({"finished": True}, {"blocked": True}, {"reachable": False}, {"reminded": True}):
        assert not due.should_remind(due.ParticipantFacts(**{**base.__dict__, **changed})), changed
    assert due.should_summarise(due.FacilitatorFacts(id=1, reachable=True, sent=False))
    assert not due.should_summarise(due.FacilitatorFacts(id=1, reachable=False, sent=False))
    assert not due.should_summarise(due.FacilitatorFacts(id=1, reachable=True, sent=True))


def test_just_before_sending() -> None:
    before = MEETING - H
    assert due.still_for_this_meeting(due.REMINDER, MEETING, MEETING, before)
    assert due.still_for_this_meeting(due.REMINDER, MEETING.replace(tzinfo=None), MEETING, before)
    assert not due.still_for_this_meeting(due.REMINDER, MEETING, MEETING, MEETING)  # it has begun
    assert not due.still_for_this_meeting(due.REMINDER, MEETING, MEETING + H, before)  # moved since
    assert not due.still_for_this_meeting(due.SUMMARY, MEETING, None, before)  # meeting removed
    assert due.still_for_this_meeting(due.SUMMARY, MEETING, MEETING, MEETING + H)  # late beats never
    assert due.still_for_this_meeting(due.REQUEST, None, None, MEETING + 100 * H)  # asked for: always


def test_retries_wait_longer_each_time_then_give_up() -> None:
    now, base = MEETING - 30 * H, timedelta(seconds=120)
    waits = [due.retry_at(n, now, base) - now for n in range(1, 8)]
    assert waits[:3] == [base, 2 * base, 4 * base]
    assert waits == sorted(waits) and max(waits) == due.MAX_BACKOFF
    assert not due.gives_up(due.MAX_ATTEMPTS - 1) and due.gives_up(due.MAX_ATTEMPTS)


def test_meeting_time_is_stored_in_utc(db: Database) -> None:
    with db.session() as session:
        workshop = repo.create_workshop(session, "Noord", "tg:1")
        repo.set_meeting(session, workshop, parse_meeting("2026-12-03 19:30"))  # Amsterdam, winter: UTC+1
        workshop_id = workshop.id
    with db.session() as session:
        stored = session.get(Workshop, workshop_id).meeting_at
    assert due.aware(stored) == MEETING
