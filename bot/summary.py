"""The facilitator's reading of a workshop: the briefing, then every answer grouped per question.

Each person's answer on one line under its question: chosen options in the reader's language, typed
answers as typed with their machine translation beside them (or their language named). Who is who
is said once, at the top; consent, name, role and organisation are not repeated per question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.support import NullTranslations

from bot.engine.model import FORMAL, Kind, side_for_role
from bot.engine.render import separator, step_label
from bot.engine.voice import is_voice, refs
from bot.flows import workshop_flows
from bot.i18n import isolate
from bot.pack import labels
from bot.pack.answers import Reader, by_question
from bot.pack.messages import briefing, short_label
from bot.pack.readable import Reading, language_named
from bot.pack.views import NAMES, Answers, Views, compute
from bot.progress import participant_label, split_answered
from storage.models import Participant
from storage.repository import WorkshopAnswers

LONG_OPTION = 60  # characters: longer option labels are shown by their first clause
_END = re.compile(r"[\s.;,:]+$")
_CLOSING = " \t\n.;,:"  # an item's own closing punctuation, so joined items read "a; b" not "a.; b"


def side_of(participant: Participant) -> str | None:
    return side_for_role(participant.role)


def question(label: str) -> str:
    """A question's name as a heading: no colon after its question mark."""
    return _END.sub("", label) if not label.rstrip().endswith("?") else label.rstrip()


def _who(views: Views, t: NullTranslations, language: str) -> str:
    _ = t.gettext
    lines = [_("Who is who")]
    for person in views.answers.people:
        parts = [participant_label(person, t), short_label(labels.participant_role(person, t), (" (",))]
        if person.language != language:
            parts.append(language_named(person.language, language))
        lines.append("• " + " · ".join(parts))
    left = views.answers.data.workshop.left_count
    if left:  # only a number: who left, and what they wrote, is erased
        lines.append(
            t.ngettext(
                "{n} participant left the workshop; what they gave is erased.",
                "{n} participants left the workshop; what they gave is erased.",
                left,
            ).format(n=left)
        )
    return "\n".join(lines)


def answer_sections(views: Views, reading: Reading, t: NullTranslations) -> list[str]:
    """Per exercise one section: each question once, under it one short line per person."""
    _ = t.gettext
    data = views.answers.data
    included = {f.id for f in workshop_flows(data.workshop.exercises, data.workshop.length) if f.letter}
    reader = Reader(t, None, reading.transcripts())  # a voice answer: its length, typed line and transcript
    order = {side: i for i, side in enumerate(("formal", "informal", None))}
    rank = {p.id: order.get(views.answers.side[p.id], 3) for p in data.participants}
    who = {p.id: f"• {isolate(labels.name(p, t))}: " for p in data.participants}  # made once per person
    sections: dict[str, list[str]] = {}
    for flow, step, _key, rows in by_question(data):
        if flow is None or step is None or flow.id not in included or step.kind is Kind.INFO:
            continue
        exercise, asked = reader.names(rows[0])
        lines = [question(asked)]
        empty = _("(none chosen)") if step.kind is Kind.MULTI else _("(none)")
        for row in sorted(rows, key=lambda r: rank[r.person.id]):
            values = reader.values(row)
            items = [v.rstrip(_CLOSING) for v in values]
            if not row.typed:  # a long hand-out sentence by its first clause: the documents have it whole
                items = [short_label(v) if len(v) > LONG_OPTION else v for v in items]
            else:  # a voice answer's transcript is already shown with its translation (or language)
                spoken = [is_voice(r) for r in reader.items(row)]
                # "Who is who" names each person's language: an answer in it is not tagged again.
                named = row.answer.language != row.person.language and row.key not in NAMES
                pairs = [(v, voice) for v, voice in zip(items, spoken, strict=False) if v.strip()]
                items = [
                    v if voice else reading.line(v, row.answer.language, name_language=named and i == len(pairs) - 1)
                    for i, (v, voice) in enumerate(pairs)
                ]
            lines.append(who[row.person.id] + (separator(t).join(items) if items else empty))
        sections.setdefault(exercise, []).append("\n".join(lines))
    out = []
    for flow in workshop_flows(data.workshop.exercises, data.workshop.length):
        if not flow.letter:
            continue
        title = f"{flow.letter}. {flow.title.translate(t)}"
        blocks = sections.get(title)
        out.append(f"== {title} ==\n\n" + ("\n\n".join(blocks) if blocks else _("(no answers yet)")))
    return out


def summary_sections(views: Views, reading: Reading, t: NullTranslations, language: str) -> list[str]:
    """Who is who, then the answers per exercise: the part that follows the briefing."""
    return [_who(views, t, language), *answer_sections(views, reading, t)]


def _groups(t: NullTranslations) -> tuple[tuple[str | None, str], ...]:
    _ = t.gettext
    return ((FORMAL, _("Formal workers")), ("informal", _("Informal workers")), (None, _("Role not given yet")))


def transcripts_for(data: WorkshopAnswers, t: NullTranslations, language: str) -> dict[str, str]:
    """Automatic transcripts by recording, as the reader of ``language`` is shown them: beside their
    stored machine translation (bot.translation makes it), else with their language named."""
    return Reading(Answers(data, language), t, language).transcripts()


@dataclass(frozen=True)
class Spoken:
    """One voice answer to send as a voice message, with who spoke and its transcript if any."""

    ref: str
    caption: str


def voice_groups(data: WorkshopAnswers, t: NullTranslations, language: str) -> list[tuple[str, list[Spoken]]]:
    """Voice answers per question, in the order the bot asks them, with who spoke (by side)."""
    _ = t.gettext
    sides = {p.id: side_of(p) for p in data.participants}
    side_names = dict(_groups(t))
    transcripts = transcripts_for(data, t, language)
    found: list[tuple[str, list[Spoken]]] = []
    for flow in workshop_flows(data.workshop.exercises):
        title = flow.title.translate(t)
        exercise = f"{flow.letter}. {title}" if flow.letter else title
        for step in flow.steps:
            if step.kind not in (Kind.TEXT, Kind.LIST):
                continue
            key = flow.key(step)
            spoken: list[Spoken] = []
            for side in side_names:
                for p in data.participants:
                    answer = data.answers.get(p.id, {}).get(key)
                    if answer is None or sides[p.id] != side:
                        continue
                    for ref in refs(answer.value):
                        caption = f"{participant_label(p, t)} · {side_names[side]}"
                        if ref in transcripts:
                            caption += "\n" + _("automatic transcript: {text}").format(text=transcripts[ref])
                        spoken.append(Spoken(ref, caption))
            if spoken:
                found.append((f"{exercise} · {step_label(step, t)}", spoken))
    return found


def summary_text(data: WorkshopAnswers, t: NullTranslations, language: str) -> str:
    """The briefing and every answer per question, as one text (the terminal, summary.txt)."""
    views = compute(split_answered(data), language)
    reading = Reading(views.answers, t, language)
    return "\n\n".join([briefing(views, reading, t, language), *summary_sections(views, reading, t, language)])
