"""What is due when: the reminder to participants, the summary to facilitators, and retries.

Pure rules with an explicit ``now``: no Telegram, no database. The worker
(bot/transports/telegram/worker.py) asks them at every tick and again just before it sends.

- A meeting time opens two *rounds*: the reminder round ``reminder_hours`` before the meeting, the
  summary round ``summary_hours`` before it. A round is planned once per meeting time (changing the
  meeting time opens new rounds), and only while the meeting is still ahead.
- The reminder round reminds every participant who has not finished, can be reached (a chat is
  known) and has not blocked the bot. Whoever joins after the round is not reminded: they have just
  started. The summary round sends the summary to every facilitator with a known chat.
- Just before sending, the same facts are checked again: someone who finished meanwhile gets no
  reminder, a reminder never goes once the meeting has begun, and nothing planned for an earlier
  meeting time goes out. A summary still goes after the meeting has begun (late beats never).
- A delivery that failed is tried again later, waiting longer each time, and given up after
  ``MAX_ATTEMPTS`` attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

REMINDER, SUMMARY, REQUEST = "reminder", "summary", "request"
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=1)


def aware(when: datetime) -> datetime:
    """SQLite gives back naive datetimes; every time stored here is UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Timing:
    meeting_at: datetime | None
    reminder_hours: int
    summary_hours: int


def _round_open(meeting_at: datetime | None, hours: int, now: datetime) -> bool:
    if meeting_at is None:
        return False
    meeting = aware(meeting_at)
    return meeting - timedelta(hours=hours) <= now < meeting


def reminder_round_due(timing: Timing, planned_at: datetime | None, now: datetime) -> bool:
    return planned_at is None and _round_open(timing.meeting_at, timing.reminder_hours, now)


def summary_round_due(timing: Timing, planned_at: datetime | None, now: datetime) -> bool:
    return planned_at is None and _round_open(timing.meeting_at, timing.summary_hours, now)


@dataclass(frozen=True)
class ParticipantFacts:
    id: int
    reachable: bool  # a chat to write to is known
    blocked: bool
    finished: bool
    reminded: bool  # already reminded for this meeting time


def should_remind(participant: ParticipantFacts) -> bool:
    p = participant
    return p.reachable and not p.blocked and not p.finished and not p.reminded


@dataclass(frozen=True)
class FacilitatorFacts:
    id: int
    reachable: bool
    sent: bool  # already received the summary for this meeting time


def should_summarise(facilitator: FacilitatorFacts) -> bool:
    return facilitator.reachable and not facilitator.sent


def still_for_this_meeting(kind: str, planned_for: datetime | None, meeting_at: datetime | None, now: datetime) -> bool:
    """Just before sending: is a job planned for ``planned_for`` still wanted now?"""
    if kind == REQUEST:
        return True  # asked for by a facilitator: always answered
    if planned_for is None or meeting_at is None or aware(planned_for) != aware(meeting_at):
        return False  # the meeting time changed (or was removed) since: the new one has its own rounds
    if kind == REMINDER:
        return now < aware(meeting_at)
    return True


def retry_at(attempts: int, now: datetime, base: timedelta) -> datetime:
    """After the ``attempts``-th failed attempt: base, 2×base, 4×base … at most an hour later."""
    return now + min(MAX_BACKOFF, base * 2 ** max(0, attempts - 1))


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS
