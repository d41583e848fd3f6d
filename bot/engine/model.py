"""Declarations of flows: steps, options and the conditions that show or hide them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from bot.i18n import Text

# A stored answer: free text, one option id, several option ids / list items, or a spoken answer
# (a small dict, see bot.engine.voice; list items can be spoken too).
Value = str | list[Any] | dict[str, Any]
FORMAL = "formal"
INFORMAL = "informal"
ROLE_KEY = "intro.role"  # the answer that decides which side a participant is on
SHORT = "short"  # the preparation the meeting needs from each person: the default
FULL = "full"  # the whole hand-out
LENGTHS = (SHORT, FULL)


def side_for_role(role: str | None) -> str | None:
    """Formal or informal: every role but "formal" (volunteer, key figure, self-organisation) is informal."""
    if role is None:
        return None
    return FORMAL if role == FORMAL else INFORMAL


class Kind(StrEnum):
    INFO = "info"  # an explanation or a quote, with "next"
    TEXT = "text"  # free text
    CHOICE = "choice"  # one option
    MULTI = "multi"  # several options, between min and max
    LIST = "list"  # short items added one by one until "done"
    YESNO = "yesno"  # yes or no
    REVIEW = "review"  # the closing overview: all answers, each exercise changeable


class Context(Protocol):
    @property
    def side(self) -> str | None: ...

    @property
    def answers(self) -> Mapping[str, Value]: ...


class Condition(Protocol):
    def holds(self, ctx: Context) -> bool: ...


@dataclass(frozen=True)
class SideIs:
    """Shown only to formal or only to informal workers."""

    side: str

    def holds(self, ctx: Context) -> bool:
        return ctx.side == self.side


@dataclass(frozen=True)
class AnswerIs:
    """Shown when an earlier single answer is one of ``values``."""

    key: str
    values: frozenset[str]

    def holds(self, ctx: Context) -> bool:
        value = ctx.answers.get(self.key)
        return isinstance(value, str) and value in self.values


@dataclass(frozen=True)
class AnswerIncludes:
    """Shown when an earlier multiple choice includes ``value``."""

    key: str
    value: str

    def holds(self, ctx: Context) -> bool:
        value = ctx.answers.get(self.key)
        return isinstance(value, list) and self.value in value


@dataclass(frozen=True)
class ChosenEarlier:
    """Offered when one of the earlier multiple choices ``keys`` includes ``value``; everything is
    offered while none of them has a choice (a selection made from what was named before)."""

    keys: tuple[str, ...]
    value: str

    def holds(self, ctx: Context) -> bool:
        chosen = [v for key in self.keys if isinstance(found := ctx.answers.get(key), list) for v in found]
        return not chosen or self.value in chosen


@dataclass(frozen=True)
class BySide:
    """A prompt worded for each side (formal workers look at informal ones and back)."""

    formal: Text
    informal: Text

    def pick(self, side: str | None) -> Text:
        return self.informal if side == INFORMAL else self.formal


@dataclass(frozen=True)
class Option:
    id: str
    label: Text
    description: Text | None = None
    when: Condition | None = None
    side: str | None = None  # a role's side: its label is marked (formal) or (informal)


@dataclass(frozen=True)
class Quote:
    """A quote from the hand-out, always shown with who said it."""

    text: Text
    source: Text


@dataclass(frozen=True)
class Deployment:
    """Facts about this deployment and workshop that the consent text must tell; filled by the caller."""

    retention_days: int = 30  # how long after the meeting the answers are kept
    translation_service: str | None = None  # the machine-translation service answers are sent to, if any
    transcription: bool = False  # voice answers are transcribed by a speech-to-text service


@dataclass(frozen=True)
class Step:
    id: str
    kind: Kind
    label: Text  # short name of the question, for summaries and the review
    prompt: Text | BySide
    options: tuple[Option, ...] = ()
    optional: bool = False
    when: Condition | None = None
    min: int = 1  # for MULTI and LIST
    max: int | None = None  # for MULTI and LIST
    consent: bool = False  # a YESNO that must be "yes" before anything is stored
    quotes: tuple[Quote, ...] = ()
    prompt_args: tuple[tuple[str, Text], ...] = ()  # translated, then formatted into the prompt
    describe: bool = True  # list the options' descriptions under the prompt
    voice: bool = True  # TEXT and LIST: a voice message is accepted as the answer
    # The options' descriptions and the quotes are not pushed with the question: a control with this
    # label shows them on demand (long role lists, pages of quotes on a phone).
    explain: Text | None = None
    # A question that can only be answered at the meeting itself (after hearing the others): not
    # asked in the walk before it, but there to answer from /myanswers.
    at_meeting: bool = False
    # Earlier answers ("flow.step") this step covers: shown filled in, to keep, add to or change.
    prefill_from: tuple[str, ...] = ()
    # Paragraphs shown only when a Deployment fact is set (its attribute name, the text); the prompt
    # and these paragraphs are formatted with {days} and {service} from the Deployment.
    notes: tuple[tuple[str, Text], ...] = ()
    deployment_facts: bool = False

    @property
    def side_dependent(self) -> bool:
        """Its answer is about one side (worded per side, or shown or offered per side): it no
        longer fits when the participant changes to the other side."""
        return (
            isinstance(self.prompt, BySide)
            or isinstance(self.when, SideIs)
            or any(isinstance(o.when, SideIs) for o in self.options)
        )

    def visible_options(self, ctx: Context) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.when is None or o.when.holds(ctx))


@dataclass(frozen=True)
class Flow:
    id: str  # short: it travels in callback data
    title: Text
    steps: tuple[Step, ...]
    letter: str | None = None  # the hand-out's exercise letter (A to E)
    optional_in_workshop: bool = True  # onboarding and the closing review always run
    # The step ids of the short preparation, in the flow's order; None: every step (onboarding, review).
    # An empty tuple leaves the exercise out of the short preparation.
    short: tuple[str, ...] | None = None
    step_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = [s.id for s in self.steps]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate step id in flow {self.id}")
        object.__setattr__(self, "step_index", {s.id: i for i, s in enumerate(self.steps)})
        unknown = set(self.short or ()) - set(ids)
        if unknown:
            raise ValueError(f"flow {self.id}: short preparation names unknown steps {sorted(unknown)}")

    def in_length(self, step: Step, length: str) -> bool:
        """Whether the step belongs to the preparation of this length."""
        return length != SHORT or self.short is None or step.id in self.short

    def key(self, step: Step) -> str:
        return f"{self.id}.{step.id}"
