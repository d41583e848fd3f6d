"""How long a workshop's answers are kept, and what is due at a given moment. Pure: no clock, no database.

The answers and participants of a workshop are erased ``retention_days`` after the meeting (or after
the workshop was created, when no meeting time was ever set); the facilitators are warned
``WARN_BEFORE`` earlier and told when it happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

DEFAULT_DAYS = 30
WARN_BEFORE = timedelta(days=3)


class Due(StrEnum):
    WARN = "warn"
    ERASE = "erase"


@dataclass(frozen=True)
class Kept:
    """What the rule needs to know of a workshop."""

    meeting_at: datetime | None
    created_at: datetime
    retention_days: int
    warned: bool
    erased: bool


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)  # SQLite keeps no zone


def erase_at(kept: Kept) -> datetime:
    start = kept.meeting_at if kept.meeting_at is not None else kept.created_at
    return _aware(start) + timedelta(days=kept.retention_days)


def due(kept: Kept, now: datetime) -> Due | None:
    """What should happen now: erase (when the time has come), warn (within WARN_BEFORE), or nothing."""
    if kept.erased:
        return None
    end = erase_at(kept)
    if now >= end:
        return Due.ERASE
    if not kept.warned and now >= end - WARN_BEFORE:
        return Due.WARN
    return None
