"""Answers as readable text, shared by the closing review and the facilitator's summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from babel.support import NullTranslations

from bot.engine.model import Flow, Kind, Step, Value
from bot.engine.voice import MIC, VOICE, duration, is_voice
from bot.i18n import isolate


def separator(t: NullTranslations) -> str:
    """Between the items of one answer: "; ", in Arabic and Farsi their own semicolon "؛ "."""
    # TRANSLATORS: put between the items of a list in one line ("a; b; c"); your language's semicolon and a space.
    return t.gettext("; ")


FULL_STOPS = ".。።۔"  # a sentence's own full stop (Latin, CJK, Ethiopic, Urdu)


def _stops_dropped(items: Sequence[Any]) -> list[Any]:
    """Each text item's own closing full stop dropped, but the last one's: joined, "a.; b." reads badly."""
    last = len(items) - 1
    return [v.rstrip().rstrip(FULL_STOPS) if isinstance(v, str) and n < last else v for n, v in enumerate(items)]


def joined(items: Sequence[str], t: NullTranslations) -> str:
    """Items in one line, "a; b; c.": each one's own closing full stop goes, but the last one's."""
    return separator(t).join(_stops_dropped(items))


def option_label(step: Step, option_id: str, t: NullTranslations) -> str:
    _ = t.gettext
    if step.kind is Kind.YESNO:
        return _("Yes") if option_id == "yes" else _("No")
    for option in step.options:
        if option.id == option_id:
            return option.label.translate(t)
    return option_id


def voice_label(item: Mapping[str, Any], t: NullTranslations, transcripts: Mapping[str, str] | None = None) -> str:
    """A spoken answer as text: "🎤 voice message (0:42)", its typed line, and an automatic transcript if there is one."""
    _ = t.gettext
    parts = [MIC + " " + _("voice message ({duration})").format(duration=duration(int(item.get("seconds", 0))))]
    if item.get("text"):
        parts.append(isolate(str(item["text"])))
    transcript = (transcripts or {}).get(str(item[VOICE]))
    if transcript:
        parts.append(_("automatic transcript: {text}").format(text=isolate(transcript)))
    return " · ".join(parts)


def item_label(item: object, t: NullTranslations, transcripts: Mapping[str, str] | None = None) -> str:
    return voice_label(item, t, transcripts) if is_voice(item) else isolate(str(item))  # type: ignore[arg-type]


def format_answer(step: Step, value: Value, t: NullTranslations, transcripts: Mapping[str, str] | None = None) -> str:
    """One answer as text: typed text as typed, chosen options by their label, spoken answers marked 🎤."""
    _ = t.gettext
    if step.kind in (Kind.CHOICE, Kind.YESNO) and isinstance(value, str):
        return option_label(step, value, t)
    if step.kind is Kind.MULTI and isinstance(value, list):
        return joined([option_label(step, v, t) for v in value], t) if value else _("(none chosen)")
    if isinstance(value, list):
        # A typed item loses its closing full stop before the separator, before it is isolated (as its text).
        return separator(t).join(item_label(v, t, transcripts) for v in _stops_dropped(value)) if value else _("(none)")
    return item_label(value, t, transcripts)


def step_label(step: Step, t: NullTranslations) -> str:
    label = step.label.translate(t)
    if step.prompt_args:
        label = label.format(**{name: text.translate(t) for name, text in step.prompt_args})
    return label


def answered_steps(flow: Flow, answers: Mapping[str, Value]) -> list[tuple[Step, Value]]:
    return [(s, answers[flow.key(s)]) for s in flow.steps if flow.key(s) in answers and s.kind is not Kind.INFO]


def review_text(
    flows: Sequence[Flow],
    answers: Mapping[str, Value],
    side: str | None,
    t: NullTranslations,
    still_open: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Every answer by exercise; ``still_open``: per exercise, the names of the meeting's questions not
    answered yet, listed apart under the answers."""
    _ = t.gettext
    blocks: list[str] = []
    for flow in flows:
        rows = answered_steps(flow, answers)
        if flow.steps and flow.steps[0].kind is Kind.REVIEW:
            continue
        title = flow.title.translate(t)
        heading = f"{flow.letter}. {title}" if flow.letter else title
        lines = [f"• {step_label(step, t)}: {format_answer(step, value, t)}" for step, value in rows] or [_("(not answered yet)")]
        open_here = (still_open or {}).get(flow.id)
        if open_here:
            lines.append(_("Still to answer at the meeting: {question}").format(question=separator(t).join(open_here)))
        blocks.append(heading + "\n" + "\n".join(lines))
    return "\n\n".join(blocks)
