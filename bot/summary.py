"""The facilitator's reading of a workshop: every answer, grouped by exercise, question and role.

Chosen options are shown in the reader's language; typed answers as typed, isolated for
bidirectional text and tagged with the language they were given in.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.support import NullTranslations

from bot.engine.model import FORMAL, Kind, side_for_role
from bot.engine.render import format_answer, step_label
from bot.engine.voice import refs
from bot.flows import workshop_flows
from bot.i18n import isolate
from bot.progress import split_answered
from bot.timefmt import format_meeting
from storage.models import Participant
from storage.repository import WorkshopAnswers


def side_of(participant: Participant) -> str | None:
    return side_for_role(participant.role)


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


def summary_sections(data: WorkshopAnswers, t: NullTranslations, language: str) -> list[str]:
    """The summary as sections of text; each fits a Telegram message once split by paragraphs."""
    _ = t.gettext
    data = split_answered(data)
    workshop = data.workshop
    sides = {p.id: side_of(p) for p in data.participants}
    formal = sum(1 for s in sides.values() if s == "formal")
    informal = sum(1 for s in sides.values() if s == "informal")
    head = [_("Workshop: {title}").format(title=isolate(workshop.title))]
    if workshop.meeting_at is not None:
        head.append(_("Meeting: {when}").format(when=format_meeting(workshop.meeting_at, language)))
    head.append(
        t.ngettext("{n} participant", "{n} participants", len(data.participants)).format(n=len(data.participants))
        + " · "
        + _("formal: {formal}, informal: {informal}").format(formal=formal, informal=informal)
    )
    if data.joined_only:
        head.append(joined_only_line(data, t))
    sections = ["\n".join(head)]
    groups = _groups(t)
    transcripts = transcripts_for(data, language)
    for flow in workshop_flows(workshop.exercises, workshop.length):
        if any(s.kind is Kind.REVIEW for s in flow.steps):
            continue
        title = flow.title.translate(t)
        heading = f"{flow.letter}. {title}" if flow.letter else title
        blocks: list[str] = []
        for step in flow.steps:
            if step.kind is Kind.INFO:
                continue
            key = flow.key(step)
            lines: list[str] = []
            for side, side_name in groups:
                rows = []
                for p in data.participants:
                    answer = data.answers.get(p.id, {}).get(key)
                    if answer is None or sides[p.id] != side:
                        continue
                    text = format_answer(step, answer.value, t, transcripts)
                    if step.kind in (Kind.TEXT, Kind.LIST) and answer.language != language:
                        text += f" [{answer.language}]"  # typed answers stay as typed, tagged
                    rows.append(f"  • {participant_label(p, t)}: {text}")
                if rows:
                    lines.append(f" {side_name}:")
                    lines.extend(rows)
            if lines:
                blocks.append(step_label(step, t) + "\n" + "\n".join(lines))
        if blocks:
            sections.append("== " + heading + " ==\n\n" + "\n\n".join(blocks))
        else:
            sections.append("== " + heading + " ==\n" + _("(no answers yet)"))
    return sections


def _groups(t: NullTranslations) -> tuple[tuple[str | None, str], ...]:
    _ = t.gettext
    return ((FORMAL, _("Formal workers")), ("informal", _("Informal workers")), (None, _("Role not given yet")))


def transcripts_for(data: WorkshopAnswers, language: str) -> dict[str, str]:
    """Automatic transcripts by recording, as the reader of ``language`` is shown them.

    The one place to pass them through machine translation once a provider is configured
    (issue 10's translation providers): today they are shown as transcribed."""
    return data.transcripts


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
    transcripts = transcripts_for(data, language)
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
                            caption += "\n" + _("automatic transcript: {text}").format(text=isolate(transcripts[ref]))
                        spoken.append(Spoken(ref, caption))
            if spoken:
                found.append((f"{exercise} · {step_label(step, t)}", spoken))
    return found


def summary_text(data: WorkshopAnswers, t: NullTranslations, language: str) -> str:
    return "\n\n".join(summary_sections(data, t, language))
