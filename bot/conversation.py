"""Runs the engine for one participant against the database.

Loads the participant's position and answers, lets the pure engine decide, and commits the
answer changes and the new position in one transaction before the caller shows anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.engine import Effort, Event, Outcome, State, VoiceInput, Wording, run, time_left
from bot.engine import Position as EnginePosition
from bot.engine.voice import refs
from bot.flows import workshop_flows
from bot.i18n import translations
from bot.timefmt import format_meeting
from bot.wording import BUTTONS
from storage import Database, Participant, Position, Workshop
from storage import repository as repo
from storage.models import utcnow

# Answers that also describe the participant in the summary and the status list.
_PROFILE_FIELDS = {"intro.name": "display_name", "intro.role": "role", "intro.org": "organisation"}


@dataclass(frozen=True)
class Reply:
    outcome: Outcome
    participant: Participant
    workshop: Workshop
    language: str
    prompt_message_id: int | None  # the prompt shown before this event, whose buttons should go


def engine_state(workshop: Workshop, answers: dict, stored: Position | None, language: str) -> State:
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
    )


class Conversation:
    def __init__(self, db: Database, wording: Wording = BUTTONS) -> None:
        self.db = db
        self.wording = wording  # how the transport names its controls in prompts

    def handle(self, participant_id: int, event: Event, shown_prompt: int | None = None) -> Reply:
        with self.db.session() as session:
            participant = session.get(Participant, participant_id)
            if participant is None:
                raise LookupError(f"no participant {participant_id}")
            workshop = session.get(Workshop, participant.workshop_id)
            assert workshop is not None
            position = session.get(Position, participant_id)
            return self._handle(session, participant, workshop, position, event, shown_prompt)

    def handle_for(self, user_key: str, event: Event, shown_prompt: int | None = None) -> Reply | None:
        """The event for the person's active workshop, in one transaction; None when they have none.

        ``shown_prompt``: the message id of the last prompt the transport sent, if it knows it; it is
        stored with the position in this same transaction instead of one of its own."""
        with self.db.session() as session:
            found = repo.active_state(session, user_key)
            if found is None:
                return None
            return self._handle(session, *found, event, shown_prompt)

    def handle_voice(self, user_key: str, incoming: repo.IncomingAudio, shown_prompt: int | None = None) -> Reply | None:
        """A spoken answer for the person's active workshop: the recording and the answer that points to
        it are committed together, or (refused) neither is kept. None when they have no workshop."""
        with self.db.session() as session:
            found = repo.active_state(session, user_key)
            if found is None:
                return None
            participant = found[0]
            assert participant.id is not None
            audio = repo.add_audio(session, participant.id, incoming) if incoming.data is not None else None
            ref = str(audio.id) if audio is not None else None
            event = VoiceInput(ref=ref, seconds=incoming.seconds, size=incoming.size)
            reply = self._handle(session, *found, event, shown_prompt)
            if audio is not None:
                keys = [key for key, value in reply.outcome.changes.items() if ref in refs(value)]
                if keys:
                    audio.answer_key = keys[0]
                else:
                    session.delete(audio)  # refused: nothing of it stays
            return reply

    def _handle(
        self,
        session: Session,
        participant: Participant,
        workshop: Workshop,
        stored: Position | None,
        event: Event,
        shown_prompt: int | None,
    ) -> Reply:
        assert participant.id is not None
        rows = repo.answer_rows(session, participant.id)
        answers = {key: row.value for key, row in rows.items()}
        state = engine_state(workshop, answers, stored, participant.language)
        outcome = run(state, event, translations(participant.language), self.wording)

        repo.save_answers(session, participant.id, outcome.changes, participant.language, rows)
        self._drop_unused_audio(session, participant.id, answers, outcome)
        self._sync_profile(participant, outcome)
        new = outcome.position
        previous_prompt = shown_prompt if shown_prompt is not None else (stored.prompt_message_id if stored else None)
        unchanged = stored is not None and (
            stored.exercise,
            stored.step,
            set(stored.completed),
            stored.finished,
            stored.return_to,
            stored.choosing,
            stored.prompt_message_id,
        ) == (new.flow, new.step, set(new.completed), new.finished, new.return_to, new.choosing, previous_prompt)
        if not unchanged:
            saved = repo.save_position(
                session, participant.id, new.flow, new.step, new.completed, new.finished, new.return_to, new.choosing
            )
            saved.prompt_message_id = previous_prompt
        session.add(participant)
        session.flush()
        return Reply(
            outcome=outcome,
            participant=participant,
            workshop=workshop,
            language=participant.language,
            prompt_message_id=previous_prompt,
        )

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
    def _sync_profile(participant: Participant, outcome: Outcome) -> None:
        for key, value in outcome.changes.items():
            if key == "intro.consent" and value == "yes" and participant.consent_at is None:
                participant.consent_at = utcnow()
            field = _PROFILE_FIELDS.get(key)
            if field is not None:
                setattr(participant, field, value if isinstance(value, str) else None)
