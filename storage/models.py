"""Tables. Every table change comes with an Alembic revision in ``storage/migrations``."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class Workshop(SQLModel, table=True):
    __tablename__ = "workshops"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)  # the join code in the link
    title: str = Field(max_length=200)
    meeting_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    exercises: list[str] = Field(default_factory=lambda: ["a", "b", "c", "d", "e"], sa_column=Column(JSON, nullable=False))
    length: str = Field(default="short", max_length=16)  # "short" preparation or the "full" hand-out
    reminder_hours: int = 48  # before the meeting, to participants who have not finished
    summary_hours: int = 24  # before the meeting, to the facilitators
    # When the reminder round and the summary round for the current meeting time were planned (their
    # jobs created); None again after a meeting change. See bot/due.py and storage/jobs.py.
    reminders_sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    summary_sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    retention_days: int = 30  # after the meeting (or the creation, without one): then answers and participants go
    closed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))  # no new joins
    retention_warned_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    erased_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))  # by the retention rule
    left_count: int = 0  # participants who withdrew or used /forget: only a number, never who
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Facilitator(SQLModel, table=True):
    __tablename__ = "facilitators"
    __table_args__ = (UniqueConstraint("workshop_id", "user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshops.id", index=True)
    user_key: str = Field(max_length=64, index=True)  # "tg:<id>" or "term:<name>"
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))  # for the summary
    language: str | None = Field(default=None, max_length=16)
    summary_sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Invite(SQLModel, table=True):
    """A one-time link that makes whoever opens it a co-facilitator of a workshop."""

    __tablename__ = "invites"

    token: str = Field(primary_key=True, max_length=64)
    workshop_id: int = Field(foreign_key="workshops.id", index=True)
    created_by: str = Field(max_length=64)
    used_by: str | None = Field(default=None, max_length=64)
    used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Participant(SQLModel, table=True):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("workshop_id", "user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshops.id", index=True)
    user_key: str = Field(max_length=64, index=True)
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))  # for reminders
    display_name: str | None = Field(default=None, max_length=4000)
    role: str | None = Field(default=None, max_length=32)
    organisation: str | None = Field(default=None, max_length=4000)
    language: str = Field(default="nl", max_length=16)
    consent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    pack_named: bool = False  # their name on the meeting pack shown to the group; else their answers without it
    blocked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))  # 403 from Telegram
    reminded_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Answer(SQLModel, table=True):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("participant_id", "exercise", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participants.id", index=True)
    exercise: str = Field(max_length=32)
    step: str = Field(max_length=64)
    value: str | list | dict = Field(sa_column=Column(JSON, nullable=False))  # see bot.engine.model.Value
    language: str = Field(default="nl", max_length=16)  # the language it was given in
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class AnswerTranslation(SQLModel, table=True):
    """A machine translation of a typed answer into a reader's language, made once and kept with the
    answer: dropped when the answer changes (repository.save_answers) or goes (ON DELETE CASCADE)."""

    __tablename__ = "answer_translations"
    __table_args__ = (UniqueConstraint("answer_id", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("answers.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    language: str = Field(max_length=16)  # the reader's language it was translated into
    text: str | list[str] = Field(sa_column=Column(JSON, nullable=False))  # the answer's shape: a list item by item
    provider: str = Field(max_length=32)  # "libretranslate", "deepl"
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Position(SQLModel, table=True):
    __tablename__ = "positions"

    participant_id: int = Field(foreign_key="participants.id", primary_key=True)
    exercise: str = Field(max_length=32)
    step: str = Field(max_length=64)
    completed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    finished: bool = False
    return_to: str | None = Field(default=None, max_length=100)  # "flow.step" to go back to after changing one answer
    choosing: str | None = Field(default=None, max_length=32)  # at the review: the exercise whose questions are listed
    # The last prompt sent: its keyboard goes when the next one is shown, and typed text is bound to the
    # prompt that was on screen when it was typed (message ids of a private chat are one rising sequence).
    prompt_message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    prompt_key: str | None = Field(default=None, max_length=100)  # "flow.step" of that prompt
    previous_prompt_key: str | None = Field(default=None, max_length=100)  # of the prompt before it
    # A reply is owed: set with every committed answer, cleared once the next prompt was delivered.
    # The outbox sweep re-sends owed prompts that stay undelivered (Telegram down, a crash after the commit).
    prompt_pending: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Account(SQLModel, table=True):
    """One person across workshops: the active one, the language, and failed join attempts."""

    __tablename__ = "accounts"

    user_key: str = Field(primary_key=True, max_length=64)
    language: str | None = Field(default=None, max_length=16)
    active_participant_id: int | None = Field(default=None, foreign_key="participants.id")
    failed_joins: int = 0
    last_failed_join_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Job(SQLModel, table=True):
    """A message to deliver outside any update: a reminder, an automatic summary, a requested summary.

    Any number of bot processes share this table: each claims a job atomically (storage/jobs.py)
    before sending, with a lease that another process may take over when it expires."""

    __tablename__ = "jobs"
    # One reminder per participant and one summary per facilitator for each meeting time. Requested
    # summaries have no meeting time (NULL): never equal in SQL, so any number of them may exist.
    __table_args__ = (UniqueConstraint("kind", "target_id", "meeting_at"), Index("ix_jobs_pending", "done_at", "not_before"))

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # "reminder" | "summary" | "request"
    # Deleting a workshop deletes its jobs.
    workshop_id: int = Field(sa_column=Column(Integer, ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True))
    target_id: int  # participant id (reminder) or facilitator id (summary, request); no foreign key: see storage/jobs.py
    meeting_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))  # the meeting it is for
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))  # a request: where to answer
    language: str | None = Field(default=None, max_length=16)  # a request: in which language
    not_before: datetime = Field(sa_column=_ts())  # due from; moved on after a failed attempt
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)  # the process working on it
    claimed_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))  # its lease
    done_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    outcome: str | None = Field(default=None, max_length=16)  # sent | skipped | blocked | failed
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Audio(SQLModel, table=True):
    """A spoken answer's recording, referenced from the answer value by its id.

    Kept in the database rather than in files: it is committed in the same transaction as the
    answer that points to it, and goes with the participant (ON DELETE CASCADE), so no file can
    outlive its answer or be left half-written."""

    __tablename__ = "audio"

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(
        sa_column=Column(Integer, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    answer_key: str = Field(default="", max_length=100)  # "exercise.step" it answers
    kind: str = Field(default="voice", max_length=16)  # "voice" (voice note) or "audio" (audio file): how to re-send it
    file_id: str = Field(max_length=255)  # Telegram's id: the summary re-sends it without uploading
    file_unique_id: str = Field(default="", max_length=64)
    mime_type: str = Field(default="audio/ogg", max_length=64)
    seconds: int = 0
    size: int = 0
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    transcript: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # automatic, when configured
    transcribed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # language -> machine translation of ``transcript``: made once per reader's language, dropped with it
    transcript_translations: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
class InboxUpdate(SQLModel, table=True):
    """A Telegram update, stored before Telegram is told it arrived and handled from here.

    Duplicates (the same update_id delivered twice) are dropped on insert; updates of one chat are
    handled strictly in update_id order, by whichever process claims the oldest pending one first.
    The payload (which holds what the person typed) is removed once the update is handled; the row
    stays a while to recognise late duplicates."""

    __tablename__ = "inbox"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    payload: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    received_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    attempts: int = 0
    # Set in the transaction that applies the update to a participant's answers: a second attempt
    # (another process, after a lease ran out) finds it and applies nothing.
    applied_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # Set once handling ended, replies included: only then may the chat's next update be claimed.
    done_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
