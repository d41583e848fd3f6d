"""Runs the engine for one participant against the database.

Loads the participant's position and answers, lets the pure engine decide, and commits the
answer changes and the new position in one transaction before the caller shows anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.engine import Event, Outcome, State, run
from bot.engine import Position as EnginePosition
from bot.flows import workshop_flows
from bot.i18n import translations
from storage import Database, Participant, Workshop
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


class Conversation:
    def __init__(self, db: Database) -> None:
        self.db = db

    def handle(self, participant_id: int, event: Event) -> Reply:
        with self.db.session() as session:
            return self.handle_in(session, participant_id, event)

    def handle_for(self, user_key: str, event: Event) -> Reply | None:
        """The event for the person's active workshop, in one transaction; None when they have none."""
        with self.db.session() as session:
            participant = repo.active_participant(session, user_key)
            if participant is None or participant.id is None:
                return None
            return self.handle_in(session, participant.id, event)

    def handle_in(self, session: Session, participant_id: int, event: Event) -> Reply:
        participant = session.get(Participant, participant_id)
        if participant is None:
            raise LookupError(f"no participant {participant_id}")
        workshop = session.get(Workshop, participant.workshop_id)
        assert workshop is not None
        progress = repo.load_progress(session, participant_id)
        stored = progress.position
        position = (
            EnginePosition(stored.exercise, stored.step, frozenset(stored.completed), stored.finished)
            if stored is not None
            else None
        )
        state = State(flows=workshop_flows(workshop.exercises), answers=progress.answers, position=position)
        outcome = run(state, event, translations(participant.language))

        repo.save_answers(session, participant_id, outcome.changes, participant.language, progress.rows)
        self._sync_profile(participant, outcome)
        new = outcome.position
        unchanged = stored is not None and (stored.exercise, stored.step, set(stored.completed), stored.finished) == (
            new.flow,
            new.step,
            set(new.completed),
            new.finished,
        )
        previous_prompt = stored.prompt_message_id if stored is not None else None
        if not unchanged:
            repo.save_position(session, participant_id, new.flow, new.step, new.completed, new.finished)
        session.add(participant)
        session.flush()
        return Reply(
            outcome=outcome,
            participant=participant,
            workshop=workshop,
            language=participant.language,
            prompt_message_id=previous_prompt,
        )

    @staticmethod
    def _sync_profile(participant: Participant, outcome: Outcome) -> None:
        for key, value in outcome.changes.items():
            if key == "intro.consent" and value == "yes" and participant.consent_at is None:
                participant.consent_at = utcnow()
            field = _PROFILE_FIELDS.get(key)
            if field is not None:
                setattr(participant, field, value if isinstance(value, str) else None)

    def set_language(self, participant_id: int, language: str) -> None:
        with self.db.session() as session:
            participant = session.get(Participant, participant_id)
            if participant is not None:
                participant.language = language
                session.add(participant)
