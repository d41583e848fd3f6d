"""Data access: the few questions the bot asks of the database, in one place."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from storage import jobs
from storage.models import (
    Account,
    Answer,
    AnswerTranslation,
    Audio,
    Facilitator,
    Invite,
    Job,
    Participant,
    Position,
    Workshop,
    utcnow,
)

# 16 letters and digits: about 95 bits, unguessable, URL-safe and far below the 64-character start
# parameter. No "-" or "_", so the "inv-" prefix of facilitator invites can never be taken for a code.
CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 16
INVITE_PREFIX = "inv-"
INVITE_VALID = timedelta(days=7)


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_workshop(
    session: Session,
    title: str,
    facilitator_key: str,
    *,
    exercises: Sequence[str] | None = None,
    meeting_at: datetime | None = None,
    facilitator_chat_id: int | None = None,
    facilitator_language: str | None = None,
    length: str | None = None,
) -> Workshop:
    workshop = Workshop(code=new_join_code(), title=title, meeting_at=meeting_at)
    if length is not None:
        workshop.length = length
    if exercises is not None:
        workshop.exercises = list(exercises)
    session.add(workshop)
    session.flush()
    session.add(
        Facilitator(
            workshop_id=workshop.id, user_key=facilitator_key, chat_id=facilitator_chat_id, language=facilitator_language
        )
    )
    session.flush()
    return workshop


def workshop_by_code(session: Session, code: str) -> Workshop | None:
    return session.exec(select(Workshop).where(Workshop.code == code)).first()


def workshops_of(session: Session, facilitator_key: str) -> list[Workshop]:
    query = (
        select(Workshop)
        .join(Facilitator, col(Facilitator.workshop_id) == col(Workshop.id))
        .where(Facilitator.user_key == facilitator_key)
        .order_by(col(Workshop.created_at))
    )
    return list(session.exec(query))


def is_facilitator(session: Session, workshop_id: int, user_key: str) -> bool:
    query = select(Facilitator).where(Facilitator.workshop_id == workshop_id, Facilitator.user_key == user_key)
    return session.exec(query).first() is not None


def facilitator_language(session: Session, user_key: str) -> str | None:
    query = select(Facilitator.language).where(Facilitator.user_key == user_key, col(Facilitator.language).is_not(None))
    return session.exec(query.order_by(col(Facilitator.id))).first()


def facilitators(session: Session, workshop_id: int) -> list[Facilitator]:
    return list(session.exec(select(Facilitator).where(Facilitator.workshop_id == workshop_id)))


def create_invite(session: Session, workshop_id: int, created_by: str) -> str:
    """A one-time start parameter that makes its user a co-facilitator."""
    token = INVITE_PREFIX + new_join_code()
    session.add(Invite(token=token, workshop_id=workshop_id, created_by=created_by))
    session.flush()
    return token


def _still_open(now: datetime) -> tuple:
    """An invitation that was not used, not revoked and has not expired at ``now``."""
    return (
        col(Invite.used_by).is_(None),
        col(Invite.revoked_at).is_(None),
        col(Invite.created_at) > now - INVITE_VALID,
    )


def redeem_invite(session: Session, token: str, user_key: str, chat_id: int | None, language: str) -> Workshop | None:
    """The workshop the invite is for, once; None when unknown, expired, revoked or used by someone else.

    Claimed with one conditional UPDATE, so two people opening the same link at once cannot both win."""
    now = utcnow()
    claimed = session.execute(
        update(Invite)
        .where(
            col(Invite.token) == token,
            *_still_open(now),
        )
        .values(used_by=user_key, used_at=now)
    ).rowcount
    invite = session.get(Invite, token)
    if invite is None:
        return None
    session.refresh(invite)
    if not claimed and invite.used_by != user_key:
        return None
    if not is_facilitator(session, invite.workshop_id, user_key):
        session.add(Facilitator(workshop_id=invite.workshop_id, user_key=user_key, chat_id=chat_id, language=language))
    session.flush()
    return session.get(Workshop, invite.workshop_id)


def revoke_invites(session: Session, workshop_id: int) -> int:
    """Every open invite of the workshop stops working; returns how many still worked."""
    now = utcnow()
    return session.execute(
        update(Invite)
        .where(
            col(Invite.workshop_id) == workshop_id,
            *_still_open(now),
        )
        .values(revoked_at=now)
    ).rowcount


def open_invites(session: Session, workshop_id: int, now: datetime) -> int:
    query = select(Invite).where(Invite.workshop_id == workshop_id, *_still_open(now))
    return len(list(session.exec(query)))


def remove_facilitator(session: Session, workshop_id: int, facilitator_id: int) -> bool:
    """A co-facilitator leaves the workshop; the workshop's creator (the first facilitator) cannot be removed."""
    team = sorted(facilitators(session, workshop_id), key=lambda f: f.id or 0)
    target = next((f for f in team[1:] if f.id == facilitator_id), None)
    if target is None:
        return False
    # Their summary jobs name them by id without a foreign key (storage/jobs.py).
    session.execute(delete(Job).where(col(Job.kind).in_(("summary", "request")), col(Job.target_id) == facilitator_id))
    session.delete(target)
    session.flush()
    return True


def set_closed(session: Session, workshop: Workshop, closed: bool) -> None:
    workshop.closed_at = utcnow() if closed else None
    session.add(workshop)


def participation(session: Session, workshop_id: int, user_key: str) -> Participant | None:
    query = select(Participant).where(Participant.workshop_id == workshop_id, Participant.user_key == user_key)
    return session.exec(query).first()


def join(session: Session, workshop: Workshop, user_key: str, *, language: str, chat_id: int | None = None) -> Participant:
    """The participant for this person in this workshop, created on first join (only after consent)."""
    participant = participation(session, workshop.id, user_key)
    if participant is None:
        participant = Participant(workshop_id=workshop.id, user_key=user_key, language=language, chat_id=chat_id)
        session.add(participant)
        session.flush()
    elif chat_id is not None and participant.chat_id != chat_id:
        participant.chat_id = chat_id
    account = account_for(session, user_key)
    account.active_participant_id = participant.id
    if account.language is None:
        account.language = language
    return participant


def participations(session: Session, user_key: str) -> list[tuple[Participant, Workshop]]:
    query = (
        select(Participant, Workshop)
        .join(Workshop, col(Workshop.id) == col(Participant.workshop_id))
        .where(Participant.user_key == user_key)
        .order_by(col(Participant.created_at))
    )
    return [(p, w) for p, w in session.exec(query)]


def account_for(session: Session, user_key: str) -> Account:
    account = session.get(Account, user_key)
    if account is None:
        account = Account(user_key=user_key)
        session.add(account)
        session.flush()
    return account


@dataclass(frozen=True)
class Progress:
    rows: dict[str, Answer]  # "exercise.step" -> stored answer
    position: Position | None

    @property
    def answers(self) -> dict[str, str | list[str]]:
        return {key: row.value for key, row in self.rows.items()}


def answer_rows(session: Session, participant_id: int) -> dict[str, Answer]:
    rows = session.exec(select(Answer).where(Answer.participant_id == participant_id))
    return {f"{a.exercise}.{a.step}": a for a in rows}


def load_progress(session: Session, participant_id: int) -> Progress:
    return Progress(rows=answer_rows(session, participant_id), position=session.get(Position, participant_id))


def save_answers(
    session: Session,
    participant_id: int,
    changes: Mapping[str, str | list[str] | None],
    language: str,
    existing: Mapping[str, Answer] | None = None,
) -> None:
    """Upsert or delete answers; keys are "exercise.step". ``existing``: the rows already loaded."""
    if not changes:
        return
    if existing is None:
        existing = answer_rows(session, participant_id)
    now = utcnow()
    for key, value in changes.items():
        exercise, step = key.split(".", 1)
        row = existing.get(key)
        if value is None:
            if row is not None:
                drop_translations(session, row.id)
                session.exec(delete(Answer).where(col(Answer.id) == row.id))
            continue
        if row is None:
            session.add(Answer(participant_id=participant_id, exercise=exercise, step=step, value=value, language=language, updated_at=now))
        else:
            new_value = list(value) if isinstance(value, list) else value
            if new_value != row.value or language != row.language:
                drop_translations(session, row.id)  # a translation of the old words must not outlive them
            row.value = new_value
            row.language = language
            row.updated_at = now
            session.add(row)


def save_position(
    session: Session,
    participant_id: int,
    exercise: str,
    step: str,
    completed: Iterable[str],
    finished: bool,
    return_to: str | None = None,
    choosing: str | None = None,
) -> Position:
    position = session.get(Position, participant_id)
    if position is None:
        position = Position(participant_id=participant_id, exercise=exercise, step=step)
    position.exercise = exercise
    position.step = step
    position.completed = sorted(completed)
    position.finished = finished
    position.return_to = return_to
    position.choosing = choosing
    position.updated_at = utcnow()
    session.add(position)
    return position


def drop_translations(session: Session, answer_id: int | None) -> None:
    if answer_id is not None:
        session.exec(delete(AnswerTranslation).where(col(AnswerTranslation.answer_id) == answer_id))


class StoredAnswer(NamedTuple):
    """An answer as read for a summary: the row's values, not an ORM object (read only)."""

    id: int
    participant_id: int
    exercise: str
    step: str
    value: str | list | dict
    language: str
    updated_at: datetime


_STORED_ANSWER_COLUMNS = tuple(getattr(Answer, name) for name in StoredAnswer._fields)


@dataclass(frozen=True)
class WorkshopAnswers:
    workshop: Workshop
    participants: list[Participant]
    answers: dict[int, dict[str, StoredAnswer]]  # participant id -> "exercise.step" -> answer
    positions: dict[int, Position]
    translated_to: str | None = None  # the language of ``translations``
    translations: dict[int, str | list[str]] = field(default_factory=dict)  # answer id -> machine translation
    audio: dict[str, Audio] = field(default_factory=dict)  # voice answers by reference (str(id)), without the bytes

    @property
    def transcripts(self) -> dict[str, str]:
        return {ref: a.transcript for ref, a in self.audio.items() if a.transcript}
    # People who joined but gave no answer to any exercise: listed apart, never counted as participants
    # (bot.progress.split_answered fills it; the repository itself returns everyone in ``participants``).
    joined_only: list[Participant] = field(default_factory=list)


def translations_of(session: Session, answer_ids: Sequence[int], language: str) -> dict[int, AnswerTranslation]:
    """The stored translations of these answers into ``language``, by answer id."""
    found: dict[int, AnswerTranslation] = {}
    for start in range(0, len(answer_ids), 5000):  # keep each IN (...) list well within the drivers' limits
        chunk = answer_ids[start : start + 5000]
        query = select(AnswerTranslation).where(
            col(AnswerTranslation.answer_id).in_(chunk), AnswerTranslation.language == language
        )
        found.update((row.answer_id, row) for row in session.exec(query))
    return found


def save_translations(
    session: Session, made: Sequence[tuple[int, str | list[str], str | list[str]]], language: str, provider: str
) -> int:
    """Store translations (answer id, the value that was translated, its translation); skipped when the
    answer changed or went meanwhile, or another worker stored one first. Returns how many were stored."""
    if not made:
        return 0
    ids = [answer_id for answer_id, _value, _text in made]
    current = {a.id: a.value for a in session.exec(select(Answer).where(col(Answer.id).in_(ids)))}
    existing = translations_of(session, ids, language)
    stored = 0
    for answer_id, value, text in made:
        if answer_id in existing or current.get(answer_id) != value:
            continue
        session.add(AnswerTranslation(answer_id=answer_id, language=language, text=text, provider=provider))
        stored += 1
    session.flush()
    return stored


def workshop_answers(session: Session, workshop: Workshop, translated_to: str | None = None) -> WorkshopAnswers:
    """Everything one workshop's participants wrote; nothing of any other workshop. With
    ``translated_to``, also the stored machine translations of their answers into that language."""
    participants = list(
        session.exec(select(Participant).where(Participant.workshop_id == workshop.id).order_by(col(Participant.id)))
    )
    ids = [p.id for p in participants]
    answers: dict[int, dict[str, StoredAnswer]] = {pid: {} for pid in ids if pid is not None}
    positions: dict[int, Position] = {}
    if ids:
        # Joined on the workshop rather than a list of ids, and read as plain rows: tens of thousands
        # of tracked ORM objects cost more to build than the query itself.
        query = (
            select(*_STORED_ANSWER_COLUMNS)
            .join(Participant, col(Participant.id) == col(Answer.participant_id))
            .where(Participant.workshop_id == workshop.id)
        )
        for row in session.exec(query):
            a = StoredAnswer._make(row)
            answers[a.participant_id][f"{a.exercise}.{a.step}"] = a
        for p in session.exec(select(Position).where(col(Position.participant_id).in_(ids))):
            positions[p.participant_id] = p
    audio = {str(a.id): a for a in _audio_without_data(session, col(Audio.participant_id).in_(ids))} if ids else {}
    translations: dict[int, str | list[str]] = {}
    if translated_to is not None:
        query = (
            select(AnswerTranslation.answer_id, AnswerTranslation.text)
            .join(Answer, col(Answer.id) == col(AnswerTranslation.answer_id))
            .join(Participant, col(Participant.id) == col(Answer.participant_id))
            .where(Participant.workshop_id == workshop.id, AnswerTranslation.language == translated_to)
        )
        translations = {answer_id: text for answer_id, text in session.exec(query)}
    return WorkshopAnswers(
        workshop=workshop,
        participants=participants,
        answers=answers,
        positions=positions,
        audio=audio,
        translated_to=translated_to,
        translations=translations,
    )


def active_participant(session: Session, user_key: str) -> Participant | None:
    account = session.get(Account, user_key)
    if account is None or account.active_participant_id is None:
        return None
    return session.get(Participant, account.active_participant_id)


def set_language(session: Session, user_key: str, language: str) -> None:
    """A person's language, for every workshop they take part in or facilitate."""
    account_for(session, user_key).language = language
    for participant in session.exec(select(Participant).where(Participant.user_key == user_key)):
        participant.language = language
        session.add(participant)
    for facilitator in session.exec(select(Facilitator).where(Facilitator.user_key == user_key)):
        facilitator.language = language
        session.add(facilitator)


def active_state(
    session: Session, user_key: str, *, lock: bool = False
) -> tuple[Participant, Workshop, Position | None] | None:
    """The person's active participation with its workshop and position, in one query (the hot path).

    ``lock``: hold the participant's row until the transaction ends, so that two processes apply
    one person's updates one after the other (PostgreSQL)."""
    query = (
        select(Participant, Workshop, Position)
        .join(Account, col(Account.active_participant_id) == col(Participant.id))
        .join(Workshop, col(Workshop.id) == col(Participant.workshop_id))
        .outerjoin(Position, col(Position.participant_id) == col(Participant.id))
        .where(Account.user_key == user_key)
    )
    if lock:
        query = query.with_for_update(of=Participant)
    row = session.exec(query).first()
    return None if row is None else (row[0], row[1], row[2])


def set_meeting(session: Session, workshop: Workshop, when: datetime) -> None:
    """A new meeting time: reminders and the summary are due again for it, in every bot process."""
    # UTC: SQLite keeps no time zone, and every time read back from it is taken as UTC.
    workshop.meeting_at = when.astimezone(UTC)
    workshop.reminders_sent_at = None
    workshop.summary_sent_at = None
    workshop.retention_warned_at = None  # the erasure date moves with the meeting
    session.add(workshop)
    for participant in session.exec(select(Participant).where(Participant.workshop_id == workshop.id)):
        participant.reminded_at = None
        session.add(participant)
    for facilitator in facilitators(session, workshop.id):
        facilitator.summary_sent_at = None
        session.add(facilitator)
    jobs.forget_rounds(session, workshop.id)
    session.flush()


def retention_candidates(session: Session) -> list[Workshop]:
    """Workshops whose people have not been erased yet: the retention rule looks at each."""
    return list(session.exec(select(Workshop).where(col(Workshop.erased_at).is_(None))))


def claim(session: Session, workshop_id: int, column: str, now: datetime) -> bool:
    """Set a workshop's ``column`` to ``now`` if it is still empty; True for the one process that did.

    Several workers may run the same periodic job: the UPDATE's row count says who got it."""
    field = getattr(Workshop, column)
    claimed = session.execute(
        update(Workshop).where(col(Workshop.id) == workshop_id, col(field).is_(None)).values({column: now})
    ).rowcount
    return claimed == 1


def workshops_to_plan(session: Session, now: datetime) -> list[Workshop]:
    """Workshops whose meeting is ahead and whose reminder or summary round is not planned yet."""
    query = select(Workshop).where(
        col(Workshop.meeting_at).is_not(None),
        col(Workshop.meeting_at) > now,
        or_(col(Workshop.reminders_sent_at).is_(None), col(Workshop.summary_sent_at).is_(None)),
    )
    return list(session.exec(query))


def participants_with_positions(session: Session, workshop_id: int) -> list[tuple[Participant, Position | None]]:
    query = (
        select(Participant, Position)
        .outerjoin(Position, col(Position.participant_id) == col(Participant.id))
        .where(Participant.workshop_id == workshop_id)
        .order_by(col(Participant.id))
    )
    return [(p, pos) for p, pos in session.exec(query)]


def facilitator_id(session: Session, workshop_id: int, user_key: str) -> int | None:
    query = select(Facilitator.id).where(Facilitator.workshop_id == workshop_id, Facilitator.user_key == user_key)
    return session.exec(query).first()


# --- voice answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingAudio:
    """A recording received from the transport, about to be stored with the answer it gives."""

    kind: str  # "voice" or "audio"
    file_id: str
    file_unique_id: str
    mime_type: str
    seconds: int
    size: int
    data: bytes | None  # None: not downloaded (over the limits by what the transport was told)


def add_audio(session: Session, participant_id: int, incoming: IncomingAudio) -> Audio:
    assert incoming.data is not None
    audio = Audio(
        participant_id=participant_id,
        kind=incoming.kind,
        file_id=incoming.file_id,
        file_unique_id=incoming.file_unique_id,
        mime_type=incoming.mime_type,
        seconds=incoming.seconds,
        size=len(incoming.data),
        data=incoming.data,
    )
    session.add(audio)
    session.flush()
    return audio


def _audio_without_data(session: Session, *where) -> list[Audio]:
    return list(session.exec(select(Audio).options(defer(Audio.data)).where(*where).order_by(col(Audio.id))))  # type: ignore[arg-type]


def _ids(refs: Iterable[str]) -> list[int]:
    return [int(r) for r in refs if str(r).isdigit()]


def audio_info(session: Session, refs: Iterable[str]) -> dict[str, Audio]:
    """Stored recordings by reference, without their bytes."""
    ids = _ids(refs)
    return {str(a.id): a for a in _audio_without_data(session, col(Audio.id).in_(ids))} if ids else {}


def audio_data(session: Session, refs: Iterable[str]) -> dict[str, bytes]:
    ids = _ids(refs)
    if not ids:
        return {}
    rows = session.exec(select(Audio.id, Audio.data).where(col(Audio.id).in_(ids)))
    return {str(audio_id): bytes(data) for audio_id, data in rows}


def delete_audio(session: Session, participant_id: int, refs: Iterable[str]) -> None:
    """Recordings no answer points to any more (replaced, removed, or the list emptied)."""
    ids = _ids(refs)
    if ids:
        session.exec(delete(Audio).where(col(Audio.participant_id) == participant_id, col(Audio.id).in_(ids)))  # type: ignore[call-overload]


def delete_audio_for_participant(session: Session, participant_id: int) -> int:
    """Every recording of one participant: call it wherever their answers are erased."""
    result = session.exec(delete(Audio).where(col(Audio.participant_id) == participant_id))  # type: ignore[call-overload]
    return result.rowcount or 0


def delete_audio_for_workshop(session: Session, workshop_id: int) -> int:
    """Every recording of a workshop's participants (retention, or the workshop deleted)."""
    people = select(Participant.id).where(Participant.workshop_id == workshop_id)
    result = session.exec(delete(Audio).where(col(Audio.participant_id).in_(people)))  # type: ignore[call-overload]
    return result.rowcount or 0


def untranscribed(session: Session, *, workshop_id: int | None = None, refs: Iterable[str] | None = None) -> list[Audio]:
    """Recordings without a transcript yet, without their bytes."""
    where = [col(Audio.transcript).is_(None)]
    if refs is not None:
        where.append(col(Audio.id).in_(_ids(refs)))
    if workshop_id is not None:
        where.append(col(Audio.participant_id).in_(select(Participant.id).where(Participant.workshop_id == workshop_id)))
    return _audio_without_data(session, *where)


def set_transcript(session: Session, audio_id: int, text: str) -> None:
    """Stored once: a second worker that transcribed the same recording changes nothing."""
    session.exec(
        update(Audio)  # type: ignore[call-overload]
        .where(col(Audio.id) == audio_id, col(Audio.transcript).is_(None))
        .values(transcript=text, transcribed_at=utcnow(), transcript_translations=None)  # none of other words
    )


def transcript_sources(session: Session, workshop_id: int, target: str) -> list[tuple[int, str, str]]:
    """(recording, transcript, language spoken) of a workshop's transcripts with no translation into
    ``target`` yet; the language is the answer's, as for typed answers (else the participant's)."""
    query = (
        select(Audio.id, Audio.transcript, Audio.transcript_translations, Answer.language, Participant.language)
        .join(Participant, col(Participant.id) == col(Audio.participant_id))
        .outerjoin(
            Answer,
            (col(Answer.participant_id) == col(Audio.participant_id))
            & ((col(Answer.exercise) + "." + col(Answer.step)) == col(Audio.answer_key)),
        )
        .where(Participant.workshop_id == workshop_id, col(Audio.transcript).is_not(None))
    )
    found = []
    for audio_id, transcript, done, answered_in, speaks in session.exec(query):
        source = answered_in or speaks
        if source != target and target not in (done or {}) and transcript.strip():
            found.append((audio_id, transcript, source))
    return found


def save_transcript_translation(session: Session, audio_id: int, transcript: str, language: str, text: str) -> None:
    """Kept only while the transcript is the one translated. Two workers storing the same language
    at once write the same text; another language lost that way is simply made again next time."""
    audio = session.get(Audio, audio_id, options=[defer(Audio.data)])  # type: ignore[arg-type]
    if audio is None or audio.transcript != transcript:
        return
    audio.transcript_translations = {**(audio.transcript_translations or {}), language: text}
    session.add(audio)


def prompt_shown(session: Session, participant_id: int, message_id: int, key: str) -> None:
    """The prompt for step ``key`` was delivered as ``message_id``: remember it, the reply is no longer owed."""
    position = session.get(Position, participant_id)
    if position is None:
        return
    position.previous_prompt_key = position.prompt_key
    position.prompt_key = key
    position.prompt_message_id = message_id
    position.prompt_pending = False
    session.add(position)


def prompt_failed(session: Session, participant_id: int) -> None:
    position = session.get(Position, participant_id)
    if position is not None and position.prompt_pending:
        position.updated_at = utcnow()
        session.add(position)


def owed_prompts(session: Session, older_than: datetime, limit: int = 50) -> list[tuple[int, datetime]]:
    """Participants owed a prompt since before ``older_than`` (its delivery failed, or a process died)."""
    query = (
        select(Position.participant_id, Position.updated_at)
        .where(col(Position.prompt_pending).is_(True), col(Position.updated_at) < older_than)
        .order_by(col(Position.updated_at))
        .limit(limit)
    )
    return [(pid, when) for pid, when in session.exec(query)]


def claim_owed_prompt(session: Session, participant_id: int, seen_at: datetime, now: datetime) -> bool:
    """Take the owed prompt for re-sending; False when another process took it or it was paid meanwhile."""
    result = session.execute(
        update(Position)
        .where(
            col(Position.participant_id) == participant_id,
            col(Position.prompt_pending).is_(True),
            col(Position.updated_at) == seen_at,
        )
        .values(updated_at=now)
    )
    return result.rowcount == 1
