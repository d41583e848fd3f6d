"""Persistence: SQLModel tables, Alembic migrations and data access. Knows no transport."""

from storage.db import Database, default_database_url
from storage.models import (
    Account,
    Answer,
    AnswerTranslation,
    Audio,
    Facilitator,
    InboxUpdate,
    Invite,
    Participant,
    Position,
    Workshop,
)

__all__ = [
    "Account",
    "Answer",
    "AnswerTranslation",
    "Audio",
    "Database",
    "Facilitator",
    "InboxUpdate",
    "Invite",
    "Participant",
    "Position",
    "Workshop",
    "default_database_url",
]
