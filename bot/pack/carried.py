"""Options carried into a typed list: a list step filled in from an earlier multiple choice (E's
fruits from A's goals) holds the chosen options' labels, written in the participant's language
when they kept them. The pack reads such an item back as the option it is: shown in the reader's
language and counted with the same option chosen by others, whatever language they answered in."""

from __future__ import annotations

import functools

from babel.support import NullTranslations

from bot.engine.model import Kind, Step
from bot.engine.render import option_label
from bot.flows import all_flows
from bot.i18n import LANGUAGES, translations
from bot.pack.words import item_key


@functools.cache
def _carried() -> dict[str, dict[str, tuple[Step, str]]]:
    """Per list answer filled in from a choice: each option's label in every language, normalised,
    -> (the choice's step, the option id)."""
    steps = {f.key(s): s for f in all_flows() for s in f.steps}
    found: dict[str, dict[str, tuple[Step, str]]] = {}
    for key, step in steps.items():
        if step.kind is not Kind.LIST:
            continue
        sources = [steps[s] for s in step.prefill_from if s in steps and steps[s].kind in (Kind.MULTI, Kind.CHOICE)]
        labels: dict[str, tuple[Step, str]] = {}
        for language in LANGUAGES:
            t = translations(language)
            for source in sources:
                for option in source.options:
                    labels.setdefault(item_key(option_label(source, option.id, t)), (source, option.id))
        if labels:
            found[key] = labels
    return found


def option(key: str, text: str) -> tuple[Step, str] | None:
    """(the choice's step, option id) when ``text``, an item of the answer ``key``, is an option's
    label carried forward (in any language); else None."""
    labels = _carried().get(key)
    return labels.get(item_key(text)) if labels else None


def shown(key: str, text: str, t: NullTranslations) -> str | None:
    """The carried option's label in the reader's language, or None for a typed item."""
    found = option(key, text)
    return option_label(found[0], found[1], t) if found else None


@functools.cache
def labels_in(language: str) -> frozenset[str]:
    """Every carried option's label in ``language``: text that is already in the reader's language."""
    t = translations(language)
    found = {option_label(step, option_id, t) for labels in _carried().values() for step, option_id in labels.values()}
    return frozenset(found | {label.rstrip(" \t\n.;,:") for label in found})  # also as a list shows them, "a; b"
