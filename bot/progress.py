"""How far participants are: for /progress, /status and reminders. Knows no transport."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from babel.support import NullTranslations

from bot.engine import Flow
from bot.i18n import isolate
from storage.models import Participant, Position
from storage.repository import WorkshopAnswers

ONBOARDING = "intro"  # the welcome flow: consent, name, role and organisation only join a person


def has_answered(keys: Iterable[str]) -> bool:
    """The one definition of "answered": at least one answer to an exercise, not only the onboarding."""
    return any(key.split(".", 1)[0] != ONBOARDING for key in keys)


def split_answered(data: WorkshopAnswers) -> WorkshopAnswers:
    """The workshop's answers with only those who answered as participants; the others in ``joined_only``.
    Summary, pack, pictures and /status all count from this."""
    answered = [p for p in data.participants if has_answered(data.answers.get(p.id, {}))]
    if len(answered) == len(data.participants):
        return data
    silent = [p for p in data.participants if p not in answered]
    return replace(data, participants=answered, joined_only=[*data.joined_only, *silent])


def participant_label(participant: Participant, t: NullTranslations) -> str:
    name = participant.display_name or t.gettext("(no name yet)")
    if participant.organisation:
        return f"{isolate(name)} ({isolate(participant.organisation)})"
    return isolate(name)


def joined_only_line(data: WorkshopAnswers, t: NullTranslations, marks: dict[int, str] | None = None) -> str:
    """Who opened the link but has not answered anything yet: named apart, not counted."""
    marks = marks or {}
    names = ", ".join(participant_label(p, t) + marks.get(p.id or 0, "") for p in data.joined_only)
    return t.gettext("Joined, no answers yet: {names}").format(names=names)


def exercise_letters(flows: Sequence[Flow], completed: Sequence[str]) -> str:
    done = set(completed)
    return " ".join(f.letter for f in flows if f.letter and f.id in done)


def is_finished(flows: Sequence[Flow], position: Position | None) -> bool:
    if position is None:
        return False
    done = set(position.completed)
    return position.finished or all(f.id in done for f in flows if f.letter)


def describe(flows: Sequence[Flow], position: Position | None, t: NullTranslations) -> str:
    _ = t.gettext
    if position is None:
        return _("not started")
    if is_finished(flows, position):
        return _("finished")
    letters = exercise_letters(flows, position.completed) or "–"
    current = next((f for f in flows if f.id == position.exercise), None)
    where = position.exercise if current is None else current.letter or current.title.translate(t)
    return _("done: {letters}; now at: {exercise}").format(letters=letters, exercise=where)
