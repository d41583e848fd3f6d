"""Answers as readable text, shared by the closing review and the facilitator's summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from babel.support import NullTranslations

from bot.engine.model import Flow, Kind, Step, Value
from bot.i18n import isolate


def option_label(step: Step, option_id: str, t: NullTranslations) -> str:
    _ = t.gettext
    if step.kind is Kind.YESNO:
        return _("Yes") if option_id == "yes" else _("No")
    for option in step.options:
        if option.id == option_id:
            return option.label.translate(t)
    return option_id


def format_answer(step: Step, value: Value, t: NullTranslations) -> str:
    """One answer as text: typed text as typed, chosen options by their label."""
    _ = t.gettext
    if step.kind in (Kind.CHOICE, Kind.YESNO) and isinstance(value, str):
        return option_label(step, value, t)
    if step.kind is Kind.MULTI and isinstance(value, list):
        return "; ".join(option_label(step, v, t) for v in value) if value else _("(none chosen)")
    if isinstance(value, list):
        return "; ".join(isolate(v) for v in value) if value else _("(none)")
    return isolate(value)


def step_label(step: Step, t: NullTranslations) -> str:
    label = step.label.translate(t)
    if step.prompt_args:
        label = label.format(**{name: text.translate(t) for name, text in step.prompt_args})
    return label


def answered_steps(flow: Flow, answers: Mapping[str, Value]) -> list[tuple[Step, Value]]:
    return [(s, answers[flow.key(s)]) for s in flow.steps if flow.key(s) in answers and s.kind is not Kind.INFO]


def review_text(flows: Sequence[Flow], answers: Mapping[str, Value], side: str | None, t: NullTranslations) -> str:
    _ = t.gettext
    blocks: list[str] = []
    for flow in flows:
        rows = answered_steps(flow, answers)
        if flow.steps and flow.steps[0].kind is Kind.REVIEW:
            continue
        title = flow.title.translate(t)
        heading = f"{flow.letter}. {title}" if flow.letter else title
        if not rows:
            blocks.append(heading + "\n" + _("(not answered yet)"))
            continue
        lines = [f"• {step_label(step, t)}: {format_answer(step, value, t)}" for step, value in rows]
        blocks.append(heading + "\n" + "\n".join(lines))
    return "\n\n".join(blocks)
