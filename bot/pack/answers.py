"""Every stored answer of a workshop as readable text, in workshop order: for the CSV and the HTML."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from babel.support import NullTranslations

from bot.engine.model import Flow, Kind, Step
from bot.engine.render import option_label, separator, step_label
from bot.engine.voice import MIC, VOICE, duration, is_voice
from bot.flows import all_flows
from bot.pack import carried
from storage.models import Participant
from storage.repository import StoredAnswer, WorkshopAnswers

TYPED = frozenset({Kind.TEXT, Kind.LIST})
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Row:
    person: Participant
    flow: Flow | None  # None for an answer to a question no flow declares (any more)
    step: Step | None
    key: str
    answer: StoredAnswer

    @property
    def typed(self) -> bool:
        """Typed by the participant (shown as typed) rather than chosen (shown by its label)."""
        return self.step is None or self.step.kind in TYPED


class Reader:
    """Answers as text in one language; labels of options, questions and exercises looked up once,
    since a large workshop repeats them tens of thousands of times."""

    def __init__(
        self, t: NullTranslations, audio_names: Mapping[str, str] | None = None, transcripts: Mapping[str, str] | None = None
    ) -> None:
        self.t = t
        self.audio_names = audio_names or {}  # recording -> its file beside the pack, when written
        self.transcripts = transcripts or {}
        self._options: dict[tuple[str, str], str] = {}
        self._names: dict[str, tuple[str, str]] = {}

    def items(self, row: Row) -> list[object]:
        """The answer's items as stored: typed text (str), voice answers (dict), option ids."""
        value = row.answer.value
        return value if isinstance(value, list) else [value]

    def voice_text(self, item: Mapping[str, object]) -> str:
        """A voice answer as text: its file (when written beside the pack), length, typed line, transcript."""
        _ = self.t.gettext
        ref = str(item[VOICE])
        length = duration(int(item.get("seconds", 0)))  # type: ignore[call-overload]
        name = self.audio_names.get(ref)
        parts = [f"{MIC} {name} ({length})" if name else f"{MIC} " + _("voice message ({duration})").format(duration=length)]
        if item.get("text"):
            parts.append(str(item["text"]))
        if ref in self.transcripts:
            parts.append(_("automatic transcript: {text}").format(text=self.transcripts[ref]))
        return " · ".join(parts)

    def values(self, row: Row) -> list[str]:
        """The answer as text items: typed items as typed, chosen options by their label, voice answers marked."""
        items = self.items(row)
        if row.typed or row.step is None:  # an option carried forward into a list: in the reader's language
            return [self.voice_text(v) if is_voice(v) else carried.shown(row.key, str(v), self.t) or str(v) for v in items]  # type: ignore[arg-type]
        found = []
        for v in items:
            label = self._options.get((row.key, v))
            if label is None:
                label = self._options[row.key, v] = option_label(row.step, str(v), self.t)
            found.append(label)
        return found

    def text(self, row: Row) -> str:
        found = self.values(row)
        if not found and row.step is not None and row.step.kind is Kind.MULTI:
            return self.t.gettext("(none chosen)")
        if len(found) > 1 and not row.typed:  # option sentences joined: "a; b", not "a.; b."
            found = [label.rstrip(" .") for label in found]
        return separator(self.t).join(found) if found else self.t.gettext("(none)")  # "؛ " in Arabic and Farsi

    def names(self, row: Row) -> tuple[str, str]:
        """The exercise's and the question's name."""
        names = self._names.get(row.key)
        if names is None:
            names = self._names[row.key] = (self._exercise(row), self._question(row))
        return names

    def _exercise(self, row: Row) -> str:
        if row.flow is None:
            return row.key.split(".", 1)[0]
        title = row.flow.title.translate(self.t)
        return f"{row.flow.letter}. {title}" if row.flow.letter else title

    def _question(self, row: Row) -> str:
        return step_label(row.step, self.t) if row.step is not None else row.key


def _declared() -> list[tuple[Flow, Step]]:
    return [(flow, step) for flow in all_flows() for step in flow.steps if step.kind not in (Kind.INFO, Kind.REVIEW)]


def by_person(data: WorkshopAnswers) -> Iterator[Row]:
    """Per participant, their answers in the order the bot asks them; unknown keys last."""
    declared = _declared()
    known = {flow.key(step) for flow, step in declared}
    for person in data.participants:
        answers = data.answers.get(person.id, {})
        for flow, step in declared:
            answer = answers.get(flow.key(step))
            if answer is not None:
                yield Row(person, flow, step, flow.key(step), answer)
        for key in sorted(answers.keys() - known):
            yield Row(person, None, None, key, answers[key])


def by_question(data: WorkshopAnswers) -> Iterator[tuple[Flow | None, Step | None, str, list[Row]]]:
    """Per question in the order the bot asks them, everyone's answers; unknown keys last."""
    declared = _declared()
    known = {flow.key(step) for flow, step in declared}
    for flow, step in declared:
        key = flow.key(step)
        rows = [
            Row(p, flow, step, key, data.answers[p.id][key])
            for p in data.participants
            if key in data.answers.get(p.id, {})
        ]
        if rows:
            yield flow, step, key, rows
    extra = sorted({k for p in data.participants for k in data.answers.get(p.id, {})} - known)
    for key in extra:
        rows = [
            Row(p, None, None, key, data.answers[p.id][key])
            for p in data.participants
            if key in data.answers.get(p.id, {})
        ]
        yield None, None, key, rows
