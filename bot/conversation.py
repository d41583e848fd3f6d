"""Runs the engine for one participant against the database.

Loads the participant's position and answers, lets the pure engine decide, and commits the
answer changes, the new position and "a reply is owed" in one transaction before the caller shows
anything. When the event came from a stored update, the same transaction marks that update
handled, so a duplicate delivery or a second process can never apply it twice.

That a prompt was delivered (its message id, and the stored update it answered being done) may be
recorded ``later``: kept here and written either by the transaction that handles the participant's
next event, which needs it (first thing, in that same transaction), or by ``flush_shown`` (a batch,
soon after). It saves a transaction per answer. A crash loses at most these records: the update is
then claimed again, found applied (nothing done twice) and the prompt, still owed, is sent again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection
from sqlmodel import Session

from bot.engine import (
    Deployment,
    Effort,
    Event,
    Kind,
    Outcome,
    Pick,
    Show,
    State,
    TextInput,
    View,
    VoiceInput,
    Wording,
    run,
    time_left,
)
from bot.engine import Position as EnginePosition
from bot.engine.voice import refs
from bot.flows import flow_by_id, workshop_flows
from bot.i18n import translations
from bot.timefmt import format_meeting
from bot.wording import BUTTONS
from storage import Database, Participant, Workshop, inbox
from storage import hotpath as hot
from storage import repository as repo
from storage.erasure import drop_bare_account, erase_participants
from storage.models import utcnow

CONSENT_KEY = "intro.consent"

# Answers that also describe the participant in the summary and the status list.
_PROFILE_FIELDS = {"intro.name": "display_name", "intro.role": "role", "intro.org": "organisation"}


class AlreadyHandled(Exception):  # noqa: N818 - reads as "except AlreadyHandled"
    """The update was applied before (a duplicate delivery, or another process was first)."""


@dataclass(frozen=True)
class Reply:
    outcome: Outcome
    participant_id: int
    user_key: str
    workshop_id: int
    language: str
    prompt_message_id: int | None  # the prompt on screen before this event, whose buttons may have to go
    previous_kind: Kind | None  # the kind of step that prompt asked
    owes_prompt: bool  # a new prompt message is to be sent (else: a notice on the button, or ticks edited)
    erased: bool = False  # consent was taken back: the participant and everything about them are gone


def owes_prompt(event: Event, outcome: Outcome) -> bool:
    """Whether the event is answered with a new prompt message.

    A button of an earlier step is answered with the current question, the notice above it (what the
    notice promises). A button refused is answered with its notice alone; a tick in a multiple choice
    edits the check marks in place (a control there, such as "what the roles mean", is answered with a
    new prompt)."""
    from_button = getattr(event, "at", None) is not None and not isinstance(event, TextInput)
    if not from_button or outcome.stale:
        return True
    if not outcome.accepted:
        return False
    ticked = isinstance(event, Pick) and any(o.id == event.option for o in outcome.view.options)
    return not (ticked and outcome.view.kind is Kind.MULTI and outcome.view.key == event.at)


def bind_text(event: Event, stored: hot.StoredPosition | None, message_id: int | None) -> Event:
    """Typed text answers the prompt that was on screen when it was typed.

    In a private chat the user's and the bot's messages share one rising sequence of ids: text with
    a lower id than the last prompt was typed before that prompt arrived, so it belongs to the one
    before (and the engine refuses to file it under the current question)."""
    if not isinstance(event, TextInput) or message_id is None or stored is None or stored.prompt_message_id is None:
        return event
    if stored.prompt_key is None:
        return event
    at = stored.prompt_key if message_id > stored.prompt_message_id else stored.previous_prompt_key
    return event if at is None else replace(event, at=at)


@dataclass(frozen=True)
class Shown:
    """A prompt delivered and not yet written: its message id, its step, the stored update it answered.
    Without a prompt (``key`` None): only that update, handled without a new prompt (a tick edits the buttons)."""

    message_id: int | None
    key: str | None
    done_update: int | None


FLUSH_WAIT = 30.0  # seconds a transaction waits for a batch that holds its participant's prompt to commit


@dataclass
class _Batch:
    """One ``flush_shown`` transaction, as a participant's next event sees it."""

    started: float  # time.monotonic()
    committed: float | None = None  # when its commit had returned (None: not, or it failed)
    done: threading.Event = field(default_factory=threading.Event)  # set once committed or failed


def shown_position(stored: hot.StoredPosition | None, shown: list[Shown]) -> hot.StoredPosition | None:
    """The stored position as it is once these prompts are written (hot.prompts_shown, in order)."""
    for record in shown:
        if stored is not None and record.key is not None:
            stored = replace(
                stored,
                previous_prompt_key=stored.prompt_key,
                prompt_key=record.key,
                prompt_message_id=record.message_id,
                prompt_pending=False,
            )
    return stored


class _Stored(Protocol):  # a stored position: the ORM row, or the hot path's columns
    exercise: str
    step: str
    completed: list[str]
    finished: bool
    return_to: str | None
    choosing: str | None


class _WorkshopLike(Protocol):
    exercises: list[str]
    length: str
    meeting_at: datetime | None


@dataclass(frozen=True)
class Features:
    """What this deployment does with answers, for the consent text (from the settings)."""

    translation_service: str | None = None
    transcription: bool = False


def engine_state(
    workshop: _WorkshopLike, answers: dict, stored: _Stored | None, language: str, deployment: Deployment | None = None
) -> State:
    """What the engine needs of one participant, from the stored rows."""
    position = (
        EnginePosition(
            stored.exercise, stored.step, frozenset(stored.completed), stored.finished, stored.return_to, stored.choosing
        )
        if stored is not None
        else None
    )
    meeting = format_meeting(workshop.meeting_at, language) if workshop.meeting_at is not None else None
    return State(
        flows=workshop_flows(workshop.exercises, workshop.length),
        answers=answers,
        position=position,
        length=workshop.length,
        meeting=meeting,
        deployment=deployment or Deployment(),
    )


def _reply(found: hot.State, outcome: Outcome, *, owes_prompt: bool, erased: bool = False) -> Reply:
    stored = found.position
    return Reply(
        outcome=outcome,
        participant_id=found.participant_id,
        user_key=found.user_key,
        workshop_id=found.workshop_id,
        language=found.language,
        prompt_message_id=stored.prompt_message_id if stored is not None else None,
        previous_kind=_kind(stored),
        owes_prompt=owes_prompt,
        erased=erased,
    )


class Conversation:
    def __init__(self, db: Database, wording: Wording = BUTTONS, *, features: Features | None = None) -> None:
        self.db = db
        self.wording = wording  # how the transport names its controls in prompts
        self.features = features or Features()
        self._later: dict[int, list[Shown]] = {}  # participant id -> prompts delivered, not yet written
        # participant id -> the batch that took their prompts (its event is set once committed) and when. Kept
        # after the commit, until their next event looks: that event may have read its state before the commit.
        self._writing: dict[int, _Batch] = {}
        self._later_lock = threading.Lock()

    def deployment(self, retention_days: int) -> Deployment:
        return Deployment(
            retention_days=retention_days,
            translation_service=self.features.translation_service,
            transcription=self.features.transcription,
        )

    def consent_view(self, workshop: Workshop, language: str) -> View:
        """The first step (what is stored, consent) for someone not in the workshop yet: nothing is written."""
        state = engine_state(workshop, {}, None, language, self.deployment(workshop.retention_days))
        return run(state, Show(), translations(language), self.wording).view

    def consent_given(self, code: str, user_key: str, chat_id: int | None, language: str) -> Reply | None:
        """Consent said yes: only now the participant (and their account) is stored, with the consent,
        in one transaction. None when the workshop is unknown or closed."""
        with self.db.session() as session:
            workshop = repo.workshop_by_code(session, code)
            if workshop is None or (workshop.closed_at is not None and repo.participation(session, workshop.id, user_key) is None):
                return None
            participant = repo.join(session, workshop, user_key, language=language, chat_id=chat_id)
            participant.language = language
            session.flush()
            found = hot.state_of(session.connection(), participant.id, lock=self._lock)
            assert found is not None
            # No catch-up: someone joining has no prompt of this participation kept for later, and this
            # transaction has written already (waiting here for a batch could hold SQLite's one writer).
            return self._handle(session, found, Pick("yes", at=CONSENT_KEY))

    def consent_declined(self, user_key: str) -> None:
        """Consent said no before joining: nothing was stored for this workshop; no bare account stays either."""
        with self.db.session() as session:
            drop_bare_account(session, user_key)

    def handle(self, participant_id: int, event: Event) -> Reply:
        with self._transaction() as (session, taken):
            def read() -> hot.State | None:
                return hot.state_of(session.connection(), participant_id, lock=self._lock)

            found = self._catch_up(taken, read)
            if found is None:
                raise LookupError(f"no participant {participant_id}")
            self._inbox(session, found, taken, None)
            return self._handle(session, found, event, caught_up=_prompts_in(taken))

    def handle_for(
        self, user_key: str, event: Event, *, update_id: int | None = None, message_id: int | None = None
    ) -> Reply | None:
        """The event for the person's active workshop, in one transaction; None when they have none.

        ``update_id``: the stored update this event comes from (marked handled in this transaction;
        AlreadyHandled when it was). ``message_id``: the id of the person's message, for typed text."""
        with self._transaction() as (session, taken):
            def read() -> hot.State | None:
                return hot.active_state(session.connection(), user_key, lock=self._lock)

            # Caught up before the first write: waiting for a batch while holding SQLite's one writer would block it.
            found = self._catch_up(taken, read)
            if found is None:
                return None
            self._inbox(session, found, taken, update_id)
            return self._handle(session, found, bind_text(event, found.position, message_id), caught_up=_prompts_in(taken))

    def peek(self, user_key: str) -> Reply | None:
        """The current step's view without changing anything (a keyboard page turned)."""
        with self.db.session() as session:
            found = hot.active_state(session.connection(), user_key)
            if found is None:
                return None
            reply = self._handle(session, found, Show())
            session.rollback()  # looking owes no prompt and moves nothing
            return reply

    def prompt_shown(
        self, participant_id: int, message_id: int, key: str, *, done_update: int | None = None, later: bool = False
    ) -> None:
        """The prompt for ``key`` reached the person as ``message_id``: the owed reply is paid.
        ``done_update``: the stored update this prompt answers, marked handled in the same transaction.
        ``later``: only kept, to be written with the participant's next event or by ``flush_shown``."""
        record = Shown(message_id, key, done_update)
        if later:
            with self._later_lock:
                self._later.setdefault(participant_id, []).append(record)
            return
        with self.db.engine.begin() as conn:
            self._write_shown(conn, [(participant_id, [record])])

    def handled_later(self, participant_id: int, update_id: int) -> None:
        """The stored update was handled without a new prompt: marked done with the participant's next
        event or by ``flush_shown``, as a prompt kept for later (no transaction of its own)."""
        with self._later_lock:
            self._later.setdefault(participant_id, []).append(Shown(None, None, update_id))

    @staticmethod
    def _write_shown(conn: Connection, taken: Iterable[tuple[int, list[Shown]]]) -> None:
        """Every participant's prompts in order, then their updates done: two statements whatever their number."""
        shown: list[tuple[int, int, str]] = []
        done: list[int] = []
        for pid, records in taken:
            for record in records:
                if record.key is not None and record.message_id is not None:
                    shown.append((pid, record.message_id, record.key))
                if record.done_update is not None:
                    done.append(record.done_update)
        hot.prompts_shown(conn, shown)
        inbox.finish_all(conn, done, utcnow())

    def shown_pending(self) -> bool:
        return bool(self._later)

    def flush_shown(self) -> int:
        """Write the prompts kept for later, all in one transaction; returns for how many participants."""
        with self._later_lock:
            taken, self._later = self._later, {}
            batch = _Batch(time.monotonic())
            if len(self._writing) > 1000:  # memory stays flat: a read is never older than a minute
                self._writing = {
                    k: v for k, v in self._writing.items() if not v.done.is_set() or v.started > batch.started - 60
                }
            for pid in taken:
                self._writing[pid] = batch
        try:
            if taken:
                with self.db.engine.begin() as conn:
                    self._write_shown(conn, taken.items())
                batch.committed = time.monotonic()
        except BaseException:
            self._restore(list(taken.items()))
            raise
        finally:
            batch.done.set()
        return len(taken)

    def _restore(self, taken: list[tuple[int, list[Shown]]]) -> None:
        """Records a failed transaction took go back, before any kept since (their order matters)."""
        with self._later_lock:
            for pid, records in taken:
                self._later[pid] = records + self._later.get(pid, [])

    @contextmanager
    def _transaction(self) -> Iterator[tuple[Session, list[tuple[int, list[Shown]]]]]:
        """A session whose catch-up records go back when it does not commit."""
        taken: list[tuple[int, list[Shown]]] = []
        try:
            with self.db.session() as session:
                yield session, taken
        except BaseException:
            self._restore(taken)
            raise

    def _catch_up(self, taken: list[tuple[int, list[Shown]]], read: Callable[[], hot.State | None]) -> hot.State | None:
        """First in the transaction of a participant's event: their prompts delivered since, taken (into
        ``taken``) to be written by this transaction, and ``found`` as it is once they are: ``_inbox`` marks
        their updates done, ``_handle`` writes the prompt columns with the position. When a batch is
        writing them, its commit is awaited and the state read again, unless it had committed before the read."""
        started = time.monotonic()
        found = read()
        if found is None:
            return None
        pid = found.participant_id
        with self._later_lock:
            records = self._later.pop(pid, None)
            writing = self._writing.pop(pid, None)
        if records:
            taken.append((pid, records))
        if writing is not None and (writing.committed is None or writing.committed > started):
            # A batch took them and may have committed after ``found`` was read.
            writing.done.wait(FLUSH_WAIT)
            found = read()
            if found is None:
                return None
        if records:
            found = replace(found, position=shown_position(found.position, records))
        return found

    @staticmethod
    def _inbox(session: Session, found: hot.State, taken: list[tuple[int, list[Shown]]], update_id: int | None) -> None:
        """The updates the caught-up prompts answered marked done and ``update_id`` applied, in one statement
        (AlreadyHandled when it was applied before: a duplicate, or another process was first)."""
        done = [r.done_update for pid, records in taken if pid == found.participant_id for r in records if r.done_update is not None]
        if (done or update_id is not None) and not inbox.apply_and_finish(session.connection(), update_id, done, utcnow()):
            raise AlreadyHandled(update_id)

    def prompt_failed(self, participant_id: int) -> None:
        """Delivery failed after its retries: the prompt stays owed, counted from now."""
        with self.db.session() as session:
            hot.prompt_failed(session.connection(), participant_id)

    @property
    def _lock(self) -> bool:
        # One participant's updates are applied one at a time across processes (PostgreSQL row lock);
        # SQLite has a single writer anyway.
        return self.db.engine.dialect.name == "postgresql"

    def handle_voice(self, user_key: str, incoming: repo.IncomingAudio, *, update_id: int | None = None) -> Reply | None:
        """A spoken answer for the person's active workshop: the recording and the answer that points to
        it are committed together, or (refused) neither is kept. None when they have no workshop."""
        with self._transaction() as (session, taken):
            def read() -> hot.State | None:
                return hot.active_state(session.connection(), user_key, lock=self._lock)

            found = self._catch_up(taken, read)  # before the first write, as in handle_for
            if found is None:
                return None
            self._inbox(session, found, taken, update_id)
            audio = repo.add_audio(session, found.participant_id, incoming) if incoming.data is not None else None
            ref = str(audio.id) if audio is not None else None
            event = VoiceInput(ref=ref, seconds=incoming.seconds, size=incoming.size)
            reply = self._handle(session, found, event, caught_up=_prompts_in(taken))
            if audio is not None:
                keys = [key for key, value in reply.outcome.changes.items() if ref in refs(value)]
                if keys:
                    audio.answer_key = keys[0]
                else:
                    session.delete(audio)  # refused: nothing of it stays
            return reply

    def _handle(self, session: Session, found: hot.State, event: Event, *, caught_up: bool = False) -> Reply:
        """The hot path: Core statements on the session's connection (the ORM only for recordings).
        ``caught_up``: prompts delivered since the position row was written are in ``found`` and still to
        write (with the position when it changes, else on their own)."""
        conn = session.connection()
        pid = found.participant_id
        stored = found.position
        answers = hot.answers(conn, pid)
        state = engine_state(found, answers, stored, found.language, self.deployment(found.retention_days))
        outcome = run(state, event, translations(found.language), self.wording)
        if outcome.withdrawn:
            # Consent taken back: everything about this participation goes, in this same transaction.
            erase_participants(session, [pid])
            drop_bare_account(session, found.user_key)
            session.flush()
            return _reply(found, outcome, owes_prompt=False, erased=True)  # the transport says what happened instead

        if outcome.changes:
            hot.save_answers(conn, pid, outcome.changes, found.language)
            self._drop_unused_audio(session, pid, answers, outcome)
            profile = self._profile(found, outcome)
            if profile:
                hot.update_participant(conn, pid, profile)
        new = outcome.position
        owed = owes_prompt(event, outcome)
        unchanged = stored is not None and (
            stored.exercise,
            stored.step,
            set(stored.completed),
            stored.finished,
            stored.return_to,
            stored.choosing,
        ) == (new.flow, new.step, set(new.completed), new.finished, new.return_to, new.choosing)
        if not unchanged or (owed and not (stored is not None and stored.prompt_pending)):
            pending = (stored is not None and stored.prompt_pending) or owed
            hot.save_position(
                conn, pid, stored, new.flow, new.step, new.completed, new.finished, new.return_to, new.choosing, pending,
                prompt=stored if caught_up else None,
            )  # fmt: skip
        elif caught_up and stored is not None:
            hot.prompt_columns(conn, pid, stored)
        return _reply(found, outcome, owes_prompt=owed)

    def time_left(self, participant_id: int) -> Effort:
        """The estimated effort still ahead of a participant (for /progress)."""
        with self.db.session() as session:
            participant = session.get(Participant, participant_id)
            if participant is None:
                raise LookupError(f"no participant {participant_id}")
            workshop = session.get(Workshop, participant.workshop_id)
            assert workshop is not None
            progress = repo.load_progress(session, participant_id)
            state = engine_state(workshop, progress.answers, progress.position, participant.language)
            return time_left(state, translations(participant.language), self.wording)

    @staticmethod
    def _drop_unused_audio(session: Session, participant_id: int, before: dict, outcome: Outcome) -> None:
        """Recordings of replaced or removed voice answers go in the same transaction."""
        old = {ref for key in outcome.changes for ref in refs(before.get(key))}
        kept = {ref for value in outcome.changes.values() for ref in refs(value)}
        if old - kept:
            repo.delete_audio(session, participant_id, old - kept)

    @staticmethod
    def _profile(found: hot.State, outcome: Outcome) -> dict[str, object]:
        """The participant's columns this outcome changes (consent time, name, role, organisation)."""
        values: dict[str, object] = {}
        for key, value in outcome.changes.items():
            if key == "intro.consent" and value == "yes" and not found.consented:
                values["consent_at"] = utcnow()
            if key == "intro.pack":
                values["pack_named"] = value == "named"
            field = _PROFILE_FIELDS.get(key)
            if field is not None:
                new = value if isinstance(value, str) else None
                if found.profile.get(field) != new:
                    values[field] = new
        return values


def _prompts_in(taken: list[tuple[int, list[Shown]]]) -> bool:
    """Whether the caught-up records hold a prompt (not only updates handled without one)."""
    return any(record.key is not None for _pid, records in taken for record in records)


def _kind(stored: hot.StoredPosition | None) -> Kind | None:
    """The kind of step the prompt on screen asked (None when unknown)."""
    if stored is None:
        return None
    key = stored.prompt_key or f"{stored.exercise}.{stored.step}"
    flow_id, _, step_id = key.partition(".")
    try:
        return next(s.kind for s in flow_by_id(flow_id).steps if s.id == step_id)
    except StopIteration:  # a flow or step a newer version no longer has
        return None
