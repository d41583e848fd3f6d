"""The state machine: (flows, position, answers) + event -> (new position, answer changes, view).

Pure: the caller loads the state, applies the returned changes and position in one
transaction, and only then shows the view.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from babel.support import NullTranslations

from bot.engine.estimate import Effort, count_words, typical_answer
from bot.engine.events import (
    Back,
    Done,
    Event,
    Keep,
    NonText,
    OpenAnswers,
    Pick,
    PickMany,
    Restart,
    Resume,
    Show,
    Skip,
    TextInput,
    UnknownCommand,
    VoiceInput,
)
from bot.engine.model import FORMAL, FULL, ROLE_KEY, Deployment, Flow, Kind, Step, Value, side_for_role
from bot.engine.render import format_answer, item_label, joined, option_label, review_text, step_label
from bot.engine.voice import MAX_BYTES, MAX_SECONDS, all_refs, duration, is_voice, over_limit, refs, typed, voice
from bot.i18n import Text, isolate

MAX_TEXT = 4000  # below Telegram's 4096 so the echo of an answer still fits one message
MAX_LIST_ITEMS = 20
FINISH = "finish"  # the review's option that closes the session

# Control ids travel in callback data next to option ids: keep them short and distinct.
NEXT, DONE, KEEP, SKIP, BACK, CLEAR, RESUME = "_next", "_done", "_keep", "_skip", "_back", "_clear", "_ret"
REMOVE = "_rm"  # + the item's number (and "." + its item_tag on buttons): take one item out of a list
PLAY = "_play"  # hear one's own voice answers again
ABOUT = "_about"  # show the options' descriptions (Step.explain)
ALL = "_all"  # at the review: show every answer (Position.choosing)


@dataclass(frozen=True)
class Wording:
    """How the transport names its controls inside prompts and notices (a button, a command)."""

    done: Text
    skip: Text
    next: Text
    each: Text  # how a list is filled: one item per message (Telegram), per line (terminal)
    local: bool = False  # the chat runs on this computer (terminal): no Telegram ids, no voice, no button width


@dataclass(frozen=True)
class Position:
    flow: str
    step: str
    completed: frozenset[str] = frozenset()
    finished: bool = False  # the participant pressed "finish" in the review
    return_to: str | None = None  # "flow.step" to go back to once one answer is changed
    choosing: str | None = None  # at the review: the exercise whose questions are listed


@dataclass(frozen=True)
class State:
    flows: Sequence[Flow]  # the workshop's flows in order: onboarding first, review last
    answers: Mapping[str, Value]
    position: Position | None = None  # None before the first step is shown
    length: str = FULL  # which preparation the workshop runs: short or full
    meeting: str | None = None  # when the meeting is, already written for the reader
    deployment: Deployment = field(default_factory=Deployment)

    @property
    def side(self) -> str | None:
        return side_of(self.answers)


def side_of(answers: Mapping[str, Value]) -> str | None:
    """Formal or informal, from the role answered in the onboarding; None before that."""
    role = answers.get(ROLE_KEY)
    return side_for_role(role) if isinstance(role, str) else None


class NoticeKind(StrEnum):
    SUCCESS = "success"  # the input was taken ("Added.")
    ERROR = "error"  # the input was refused; the same step again


@dataclass(frozen=True)
class ViewOption:
    id: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class View:
    key: str  # "flow.step": buttons carry it so stale ones can be recognised
    kind: Kind
    header: str
    text: str
    notice: str | None
    options: tuple[ViewOption, ...]
    controls: tuple[ViewOption, ...]
    finished: bool = False  # the closing message: nothing more to answer
    notice_kind: NoticeKind = NoticeKind.ERROR
    listed: bool = False  # the text already lists every option, numbered
    voice: bool = False  # the step takes a voice message as its answer
    # After an item was added to or taken off a list: what the follow-up message says instead of the
    # whole question again (the question is the message right above it).
    again: str | None = None


@dataclass(frozen=True)
class Outcome:
    position: Position
    view: View
    changes: Mapping[str, Value | None] = field(default_factory=dict)  # None deletes
    stale: bool = False  # the input belonged to an earlier step; nothing changed
    accepted: bool = True  # False when the input was refused with a notice
    play: tuple[str, ...] = ()  # stored voice answers the transport should play back, in order
    withdrawn: bool = False  # consent refused or taken back: the caller erases what is stored


def run(state: State, event: Event, t: NullTranslations, wording: Wording) -> Outcome:
    """Apply one event to a participant's state."""
    engine = _Run(state, t, wording)
    return engine.handle(event)


def time_left(state: State, t: NullTranslations, wording: Wording) -> Effort:
    """The estimated effort of every step still to do, from the current one on."""
    return _Run(state, t, wording).remaining()


class _Missing(dict):
    def __missing__(self, key: str) -> str:  # a placeholder the text does not fill stays as it is
        return "{" + key + "}"


class _Run:
    def __init__(self, state: State, t: NullTranslations, wording: Wording) -> None:
        self.state = state
        self.t = t
        self.wording = wording
        self.flows = {f.id: f for f in state.flows}
        self.order = [f.id for f in state.flows]
        self.answers: dict[str, Value] = dict(state.answers)
        self.changes: dict[str, Value | None] = {}
        self.steps_by_key = {f.key(s): s for f in state.flows for s in f.steps}

    # --- where we are -------------------------------------------------------------

    def visible(self, flow: Flow) -> list[Step]:
        """The steps of the walk: in this length, their conditions met, not kept for the meeting."""
        return [s for s in self.answerable(flow) if not s.at_meeting]

    def answerable(self, flow: Flow) -> list[Step]:
        """The walk's steps and the meeting's own questions (answered from /myanswers)."""
        length = self.state.length
        return [s for s in flow.steps if flow.in_length(s, length) and (s.when is None or s.when.holds(self))]

    @property
    def side(self) -> str | None:
        return side_of(self.answers)

    def current(self) -> Position:
        pos = self.state.position
        if pos is not None and pos.flow in self.flows:
            flow = self.flows[pos.flow]
            if any(s.id == pos.step for s in self.answerable(flow)) or (self.is_review(flow) and pos.step in flow.step_index):
                return pos
            # The step vanished (an earlier answer changed, or a flow was edited):
            # continue with the next one that is shown.
            return self.after(pos, flow.step_index.get(pos.step, -1))
        # Not started, or the exercise was taken out of the workshop: the first unfinished one.
        return self.first_of(0, pos.completed if pos is not None else frozenset())

    def first_of(self, start: int, completed: frozenset[str], finished: bool = False) -> Position:
        """The first shown step of the first unfinished flow from ``start``, wrapping."""
        n = len(self.order)
        for i in [*range(start, n), *range(0, start)]:
            flow = self.flows[self.order[i]]
            steps = self.visible(flow)
            if flow.id not in completed and steps:
                return Position(flow.id, steps[0].id, completed, finished)
        # Everything done: the review, or, where the preparation declares none, the end at once.
        review = self.flows[self.order[-1]]
        return Position(review.id, review.steps[0].id, completed, finished or not self.visible(review))

    def after(self, pos: Position, index: int) -> Position:
        flow = self.flows[pos.flow]
        for step in self.visible(flow):
            if flow.step_index[step.id] > index:
                return Position(flow.id, step.id, pos.completed, pos.finished)
        completed = pos.completed | {flow.id}
        return self.first_of(self.order.index(flow.id) + 1, completed, pos.finished)

    def before(self, pos: Position) -> Position | None:
        # Going back only looks: an exercise once finished stays finished.
        flow = self.flows[pos.flow]
        here = flow.step_index[pos.step]
        earlier_here = [s for s in self.visible(flow) if flow.step_index[s.id] < here]
        if earlier_here:
            return Position(flow.id, earlier_here[-1].id, pos.completed, pos.finished)
        for i in range(self.order.index(flow.id) - 1, -1, -1):
            earlier = self.flows[self.order[i]]
            shown = self.visible(earlier)
            if shown:
                return Position(earlier.id, shown[-1].id, pos.completed, pos.finished)
        return None

    def resume(self, pos: Position) -> Position:
        """Back to where the participant was before changing one answer."""
        flow_id, _sep, step_id = (pos.return_to or "").partition(".")
        if flow_id not in self.flows:
            return replace(pos, return_to=None, choosing=None)
        return Position(flow_id, step_id, pos.completed, pos.finished)

    def consented(self) -> bool:
        """Every consent question of the workshop answered "yes"."""
        return all(
            self.answers.get(flow.key(step)) == "yes" for flow in self.state.flows for step in flow.steps if step.consent
        )

    def at_end(self, pos: Position) -> bool:
        """The closing message is on screen: finished, not looking at the answers."""
        return pos.finished and pos.return_to is None and pos.choosing is None and self.is_review(self.flows[pos.flow])

    def is_review(self, flow: Flow) -> bool:
        return any(s.kind is Kind.REVIEW for s in flow.steps)

    # --- events -------------------------------------------------------------------

    def handle(self, event: Event) -> Outcome:
        _ = self.t.gettext
        pos = self.current()
        flow = self.flows[pos.flow]
        step = next(s for s in flow.steps if s.id == pos.step)
        key = flow.key(step)

        at = getattr(event, "at", None)
        if at is not None and at != key:
            typed_text = isinstance(event, TextInput)  # typed while an earlier question was on screen: never filed here
            if self.at_end(pos):  # no current question: a short note, not the whole closing message again
                first = (
                    _("Your message was written for an earlier question, so it was not saved.")
                    if typed_text
                    else _("That button belongs to an earlier question.")
                )
                return self.outcome(pos, stale=True, note=first + " " + _("You have finished the preparation."))
            if typed_text:
                notice = _("Your message was written for an earlier question, so it was not saved. Here is the current question.")
            else:
                notice = _("That button belongs to an earlier question. Here is the current one.")
            return self.outcome(pos, notice, stale=True)  # the transport shows the current question, the notice above it

        if self.at_end(pos) and not isinstance(event, (Show, OpenAnswers, Back)) and not (
            isinstance(event, Pick) and event.option == PLAY
        ):
            # Finished: nothing is asked any more, so no input is an error; a short note, not the
            # whole closing message again.
            if isinstance(event, Restart):
                note = _("There is no exercise in progress: you have finished the preparation.")
            else:
                note = _("You have finished the preparation.")
            return self.outcome(pos, accepted=False, note=note)

        if isinstance(event, Keep) and step.kind in (Kind.INFO, Kind.MULTI, Kind.LIST):
            event = Done(at=event.at)  # "keep" there means "go on", with the same checks as "done"

        match event:
            case Show():
                return self.outcome(pos)
            case OpenAnswers():
                if not self.consented():
                    # Nothing may be stored before consent: no way into the answers around the welcome.
                    return self.outcome(pos, _("First answer the welcome questions, then you can look at your answers."), accepted=False)
                review = self.flows[self.order[-1]]
                if self.is_review(flow):
                    # Already at the answers; after the closing message, come back to it afterwards.
                    back_to = pos.return_to or (key if pos.finished else None)
                    if back_to is None:  # at the end of the walk: asking for them shows them all
                        return self.outcome(replace(pos, choosing=ALL))
                else:
                    back_to = pos.return_to or key
                return self.outcome(Position(review.id, review.steps[0].id, pos.completed, pos.finished, back_to))
            case Resume():
                if pos.return_to is None:
                    return self.outcome(pos)
                return self.outcome(self.resume(pos))
            case Back():
                if step.kind is Kind.REVIEW and pos.choosing is not None:
                    return self.outcome(replace(pos, choosing=None))
                if pos.return_to is not None and step.kind is not Kind.REVIEW:
                    return self.outcome(self.resume(pos))
                earlier = self.before(pos)
                if earlier is None:
                    return self.outcome(pos, _("This is the first question."), accepted=False)
                return self.outcome(earlier)
            case Restart():
                # Looking at an exercise again never makes it unfinished.
                steps = self.visible(flow)
                return self.outcome(Position(flow.id, steps[0].id, pos.completed, pos.finished))
            case Skip():
                if not step.optional:
                    return self.outcome(pos, _("This question cannot be skipped."), accepted=False)
                return self.after_step(pos, flow, step, skipped=True)
            case Keep():
                if key not in self.answers:
                    prefilled = self.prefill(step)
                    if prefilled is None:
                        return self.outcome(pos, _("There is no answer yet to keep."), accepted=False)
                    self.set(key, prefilled)
                return self.after_step(pos, flow, step)
            case UnknownCommand():
                return self.outcome(pos, _("I do not know that command. Here is the question again."), accepted=False)
            case NonText():
                if step.kind in (Kind.TEXT, Kind.LIST) and step.voice:
                    if event.video:
                        return self.outcome(
                            pos, _("Videos are not saved. Please send a voice message or type your answer."), accepted=False
                        )
                    return self.outcome(pos, _("Please type your answer or send a voice message."), accepted=False)
                if step.kind in (Kind.TEXT, Kind.LIST):
                    return self.outcome(pos, _("I can only read typed text here. Please type your answer."), accepted=False)
                return self.outcome(pos, _("Please choose one of the options."), accepted=False)
            case VoiceInput():
                if step.kind not in (Kind.TEXT, Kind.LIST):
                    return self.outcome(pos, _("Please choose one of the options."), accepted=False)
                if not step.voice:
                    return self.outcome(pos, _("I can only read typed text here. Please type your answer."), accepted=False)
                problem = self.voice_problem(event)
                if problem:
                    return self.outcome(pos, problem, accepted=False)
            case Pick(option=option) if option == ABOUT and step.explain is not None:
                return self.outcome(pos, explained=True)  # the same question, its options described
            case Pick(option=option) if option == PLAY:
                value = self.answers.get(key) if step.kind is not Kind.REVIEW else None
                found = refs(value) if value is not None else all_refs(self.answers_in_order())
                if not found:
                    return self.outcome(pos, _("There is no voice answer to listen to here."), accepted=False)
                return self.outcome(pos, play=tuple(found))

        if step.kind is Kind.REVIEW:
            return self.review(pos, step, event)
        return self.answer(pos, flow, step, event)

    def answer(self, pos: Position, flow: Flow, step: Step, event: Event) -> Outcome:
        _ = self.t.gettext
        key = flow.key(step)
        offered = {o.id for o in step.visible_options(self)} if step.kind is not Kind.YESNO else {"yes", "no"}
        kind = step.kind

        if kind is Kind.INFO:
            if isinstance(event, Done):
                return self.after_step(pos, flow, step)
            return self.outcome(pos, self.worded(_("To continue, {next}.")), accepted=False)

        if kind is Kind.TEXT:
            current = self.answers.get(key)
            if isinstance(event, VoiceInput) and event.ref is not None:
                # A new recording replaces the old one; a typed line added to the old one stays.
                self.set(key, voice(event.ref, event.seconds, typed(current) if is_voice(current) else None))
                saved = _("Voice answer saved ({duration}). To listen, replace it or add a typed line, press “Back”.")
                return self.after_step(pos, flow, step, saved.format(duration=duration(event.seconds)))
            if isinstance(event, TextInput):
                text, problem = self.clean(event.text, MAX_TEXT)
                if problem:
                    return self.outcome(pos, problem, accepted=False)
                if is_voice(current):
                    self.set(key, voice(str(current["voice"]), int(current["seconds"]), text))  # type: ignore[index]
                    return self.after_step(pos, flow, step, _("Your typed line is saved with your voice answer."))
                self.set(key, text)
                return self.after_step(pos, flow, step)
            if isinstance(event, Pick) and event.option == CLEAR and is_voice(current):
                line = typed(current)
                if line:
                    self.set(key, line)
                else:
                    self.unset(key)
                return self.outcome(pos, _("The voice answer is removed."), success=True)
            if isinstance(event, Done) and key in self.answers:
                return self.after_step(pos, flow, step)
            return self.outcome(pos, _("Please type your answer as a message."), accepted=False)

        if kind in (Kind.CHOICE, Kind.YESNO):
            if isinstance(event, Pick):
                if event.option not in offered:
                    return self.outcome(pos, _("That option is not available here. Please choose one of the options."), accepted=False)
                if step.consent and event.option != "yes":
                    return self.outcome(
                        pos,
                        _("Without your consent the bot stores nothing and cannot continue. You can say yes at any time."),
                        accepted=False,
                        withdrawn=True,
                    )
                cleared = self.other_side(key, event.option)
                self.set(key, event.option)
                if cleared:
                    return self.ask_again(pos, cleared)
                return self.after_step(pos, flow, step)
            return self.outcome(pos, _("Please choose one of the options."), accepted=False)

        if kind is Kind.MULTI:
            chosen = list(self.value(step, key) or [])
            if isinstance(event, Pick):
                if event.option not in offered:
                    return self.outcome(pos, _("That option is not available here. Please choose one of the options."), accepted=False)
                if event.option in chosen:
                    chosen.remove(event.option)
                elif step.max is not None and len(chosen) >= step.max:
                    return self.outcome(pos, self.too_many(step.max), accepted=False)
                else:
                    chosen.append(event.option)
                self.set(key, chosen)
                return self.outcome(pos)
            if isinstance(event, PickMany):
                # Several numbers at once add to what is ticked (on any page) and stay on the question:
                # replacing earlier ticks would silently lose them.
                picked = list(dict.fromkeys([*chosen, *event.options]))
                if not set(event.options) <= offered:
                    return self.outcome(pos, _("That option is not available here. Please choose one of the options."), accepted=False)
                if step.max is not None and len(picked) > step.max:
                    return self.outcome(pos, self.too_many(step.max), accepted=False)
                self.set(key, picked)
                return self.outcome(pos)
            if isinstance(event, Done):
                if len(chosen) < step.min:
                    return self.outcome(pos, self.too_few(step.min), accepted=False)
                if key not in self.answers:
                    self.set(key, chosen)
                return self.after_step(pos, flow, step)
            return self.outcome(pos, self.worded(_("Please choose from the options, then {done}.")), accepted=False)

        if kind is Kind.LIST:
            items = list(self.value(step, key) or [])
            if isinstance(event, VoiceInput) and event.ref is not None:
                if len(items) >= MAX_LIST_ITEMS:
                    return self.outcome(pos, self.list_full(), accepted=False)
                self.set(key, [*items, voice(event.ref, event.seconds)])
                saved = _("Voice answer saved ({duration}). Add another item, or press “Done”.")
                return self.outcome(pos, saved.format(duration=duration(event.seconds)), success=True, again=True)
            if isinstance(event, TextInput):
                text, problem = self.clean(event.text, MAX_TEXT)
                if problem:
                    return self.outcome(pos, problem, accepted=False)
                if len(items) >= MAX_LIST_ITEMS:
                    return self.outcome(pos, self.list_full(), accepted=False)
                self.set(key, [*items, text])
                return self.outcome(pos, self.worded(_("Added. Type another one, or {done}.")), success=True, again=True)
            if isinstance(event, Pick) and event.option == CLEAR:
                self.set(key, [])
                return self.outcome(pos, _("The list is empty again."), success=True, again=True)
            number, _dot, tag = event.option[len(REMOVE) :].partition(".") if isinstance(event, Pick) else ("", "", "")
            if isinstance(event, Pick) and event.option.startswith(REMOVE) and number.isdigit():
                index = int(number) - 1
                if tag and not (0 <= index < len(items) and item_tag(items[index]) == tag):
                    # A button from an older message: its number may name another item now. Only
                    # the item the button showed is taken off, wherever it is now.
                    index = next((i for i, item in enumerate(items) if item_tag(item) == tag), -1)
                    if index < 0:
                        notice = _("That button belongs to an earlier version of your list, so nothing was removed. Here is your list now.")
                        # Answered with the list as it is now, as a message (not only a note on the
                        # button): the message that was pressed shows an outdated list.
                        return self.outcome(pos, notice, again=True)
                if not 0 <= index < len(items):
                    return self.outcome(pos, self.no_such_item(int(number), len(items)), accepted=False)
                removed = items.pop(index)
                self.set(key, items)
                return self.outcome(pos, _("Removed: {item}").format(item=item_label(removed, self.t)), success=True, again=True)
            if isinstance(event, Done):
                if len(items) < step.min:
                    return self.outcome(pos, self.too_few_items(step.min), accepted=False)
                if key not in self.answers:
                    self.set(key, items)
                return self.after_step(pos, flow, step)
            return self.outcome(pos, self.worded(_("Type one item per message, then {done}.")), accepted=False)

        raise AssertionError(f"unhandled step kind {kind}")

    def review(self, pos: Position, step: Step, event: Event) -> Outcome:
        _ = self.t.gettext
        unavailable = _("That option is not available here. Please choose one of the options.")
        if isinstance(event, Pick):
            if pos.choosing is not None and pos.choosing != ALL:
                # A question picked: change that one answer, then come back.
                target = self.flows.get(pos.choosing)
                shown = {s.id for s in self.answerable(target)} if target is not None else set()
                if target is None or event.option not in shown:
                    return self.outcome(pos, unavailable, accepted=False)
                back_to = pos.return_to or f"{pos.flow}.{pos.step}"
                return self.outcome(Position(target.id, event.option, pos.completed, pos.finished, back_to))
            if event.option == ALL and pos.choosing is None:
                return self.outcome(replace(pos, choosing=ALL))
            if event.option == FINISH and pos.return_to is None and not pos.finished:
                done = Position(pos.flow, pos.step, pos.completed | {pos.flow}, finished=True)
                return self.outcome(done)
            target = self.flows.get(event.option)
            if target is not None and target.id != pos.flow and self.questions(target):
                return self.outcome(replace(pos, choosing=target.id))
            return self.outcome(pos, unavailable, accepted=False)
        if isinstance(event, Done):
            return self.outcome(pos)
        return self.outcome(pos, _("Please choose one of the options."), accepted=False)

    def open_at_meeting(self, flow: Flow | None = None) -> list[Step]:
        """The meeting's own questions not answered yet (of one exercise, or of all)."""
        flows = [flow] if flow is not None else self.state.flows
        return [
            s for f in flows for s in self.answerable(f) if s.at_meeting and s.kind is not Kind.INFO and f.key(s) not in self.answers
        ]

    def questions(self, flow: Flow) -> list[Step]:
        """The questions of an exercise that can be changed one by one."""
        return [s for s in self.answerable(flow) if s.kind is not Kind.INFO]

    # --- earlier answers that a later step covers ---------------------------------

    def value(self, step: Step, key: str) -> Value | None:
        """The step's own answer or, before there is one, what earlier answers fill in."""
        if key in self.answers:
            return self.answers[key]
        return self.prefill(step)

    def prefill(self, step: Step) -> Value | None:
        items: list[str] = []
        for source in step.prefill_from:
            value = self.answers.get(source)
            if value is None:
                continue
            values = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]  # not recordings
            source_step = self.steps_by_key.get(source)
            if step.kind is Kind.MULTI:
                offered = {o.id for o in step.visible_options(self)}
                items += [v for v in values if v in offered]
            elif source_step is not None and source_step.kind in (Kind.MULTI, Kind.CHOICE):
                items += [option_label(source_step, v, self.t) for v in values]
            else:
                items += values
        found = list(dict.fromkeys(i for i in items if i))
        if not found:
            return None
        if step.kind is Kind.TEXT:
            return joined(found, self.t)
        if step.kind is Kind.MULTI:
            found = [o.id for o in step.visible_options(self) if o.id in found]  # in the order they are offered
            if step.max is not None and len(found) > step.max:
                return None  # more than can be chosen: ticking the first ones would choose for the person
        if step.max is not None:
            found = found[: step.max]
        return found[:MAX_LIST_ITEMS]

    # --- helpers ------------------------------------------------------------------

    def set(self, key: str, value: Value) -> None:
        self.answers[key] = value
        self.changes[key] = value

    def unset(self, key: str) -> None:
        self.answers.pop(key, None)
        self.changes[key] = None

    def answers_in_order(self) -> list[Value]:
        """Every answer in the order the exercises ask them (for playing voice answers back)."""
        return [self.answers[f.key(s)] for f in self.state.flows for s in f.steps if f.key(s) in self.answers]

    def voice_problem(self, event: VoiceInput) -> str | None:
        t = self.t
        limit = over_limit(event.seconds, event.size)
        if limit == "seconds":
            minutes = MAX_SECONDS // 60
            msg = t.ngettext(
                "That voice message is {length} long; at most {n} minute fits. Please send a shorter one, or type your answer.",
                "That voice message is {length} long; at most {n} minutes fit. Please send a shorter one, or type your answer.",
                minutes,
            )
            return msg.format(length=duration(event.seconds), n=minutes)
        if limit == "size":
            msg = t.gettext("That recording is too large: at most {n} MB. Please send a shorter one, or type your answer.")
            return msg.format(n=MAX_BYTES // (1024 * 1024))
        if event.ref is None:
            return t.gettext("The voice message could not be saved. Please send it again.")
        return None

    def worded(self, text: str) -> str:
        """A text that names a control, in the transport's words."""
        words = {name: getattr(self.wording, name).translate(self.t) for name in ("done", "skip", "next")}
        return text.format_map(_Missing(words))

    def clean(self, raw: str, limit: int) -> tuple[str, str | None]:
        _ = self.t.gettext
        text = raw.strip()
        if not text:
            return text, _("The answer is empty. Please type a few words.")
        if len(text) > limit:
            msg = self.t.ngettext(
                "That is too long: at most {limit} character, you sent {length}. Please shorten it.",
                "That is too long: at most {limit} characters, you sent {length}. Please shorten it.",
                limit,
            )
            return text, msg.format(limit=limit, length=len(text))
        return text, None

    def too_many(self, limit: int) -> str:
        msg = self.t.ngettext("You can choose at most {n} option.", "You can choose at most {n} options.", limit)
        return msg.format(n=limit)

    def too_few(self, limit: int) -> str:
        msg = self.t.ngettext("Please choose at least {n} option.", "Please choose at least {n} options.", limit)
        return msg.format(n=limit)

    def too_few_items(self, limit: int) -> str:
        msg = self.t.ngettext("Please add at least {n} item.", "Please add at least {n} items.", limit)
        return msg.format(n=limit)

    def no_such_item(self, number: int, count: int) -> str:
        """A number that names no item of the list: which numbers there are."""
        if count == 0:
            return self.t.gettext("Your list is empty: there is nothing to remove.")
        msg = self.t.ngettext(
            "There is no item {number}: your list has only item 1.",
            "There is no item {number}: your list has items 1 to {n}.",
            count,
        )
        return msg.format(number=number, n=count)

    def list_full(self) -> str:
        msg = self.t.ngettext(
            "This list is full ({n} item). To go on, {done}.",
            "This list is full ({n} items). To go on, {done}.",
            MAX_LIST_ITEMS,
        )
        return self.worded(msg.replace("{n}", str(MAX_LIST_ITEMS)))

    # --- the role changed to the other side ------------------------------------------

    def other_side(self, key: str, role: str) -> list[tuple[Flow, Step]]:
        """When the new role is on the other side: take off every answer about one side (they would
        be filed under questions that now ask about the other side) and return their steps."""
        before = self.side
        if key != ROLE_KEY or before is None or side_for_role(role) == before:
            return []
        cleared = [(f, s) for f in self.state.flows for s in f.steps if s.side_dependent and f.key(s) in self.answers]
        for f, s in cleared:
            self.unset(f.key(s))
        return cleared

    def ask_again(self, pos: Position, cleared: list[tuple[Flow, Step]]) -> Outcome:
        """After a change of side: straight to the first question that was emptied, with a warning;
        the next ones follow (see after_step), then back to where the participant was."""
        notice = self.t.gettext(
            "You are now on the other side. Your answers about the other side and about the roles were for your "
            "old role, so they were removed. Please answer these questions again."
        )
        flows = {f.id for f, _s in cleared}
        again = [(f, s) for f, s in cleared if s in self.visible(f) and s.kind is not Kind.INFO]
        if not again:
            return self.outcome(self.resume(pos) if pos.return_to else pos, notice)
        flow, step = again[0]
        # Without a place to go back to (the walk itself), the emptied exercises are walked again.
        completed = pos.completed if pos.return_to is not None else pos.completed - flows
        return self.outcome(Position(flow.id, step.id, completed, pos.finished, pos.return_to), notice)

    def next_side_question(self, flow: Flow, step: Step) -> Position | None:
        """While changing answers: after a question about one side, its unanswered followers (emptied by
        a change of side) before going back."""
        if not step.side_dependent:
            return None
        order = [(f, s) for f in self.state.flows for s in self.visible(f)]
        here = next(i for i, (f, s) in enumerate(order) if f.id == flow.id and s.id == step.id)
        for f, s in order[here + 1 :]:
            if s.side_dependent and s.kind is not Kind.INFO and f.key(s) not in self.answers:
                return Position(f.id, s.id)
        return None

    def next_meeting_question(self, flow: Flow, step: Step) -> Position | None:
        """At the meeting the hand-out's questions come one after the other: once one is answered from the
        answers, the exercise's next meeting question not answered yet (Back leads out, as from any)."""
        if not step.at_meeting:
            return None
        steps = self.answerable(flow)
        later = steps[steps.index(step) + 1 :] if step in steps else []
        for s in later:
            if s.at_meeting and s.kind is not Kind.INFO and flow.key(s) not in self.answers:
                return Position(flow.id, s.id)
        return None

    def after_step(self, pos: Position, flow: Flow, step: Step, notice: str | None = None, *, skipped: bool = False) -> Outcome:
        if pos.return_to is not None:
            # Going back where one came from: say what happened to the question left (in the walk the next
            # question says enough).
            notice = notice or (self.t.gettext("You skipped this question.") if skipped else self.t.gettext("Saved."))
            following = self.next_side_question(flow, step)
            if following is not None:
                return self.outcome(replace(following, completed=pos.completed, finished=pos.finished, return_to=pos.return_to))
            following = self.next_meeting_question(flow, step)
            if following is not None:
                moved = replace(following, completed=pos.completed, finished=pos.finished, return_to=pos.return_to)
                return self.outcome(moved, notice, success=True)
            return self.outcome(self.resume(pos), notice, success=True)
        return self.outcome(self.after(pos, flow.step_index[step.id]), notice, success=notice is not None)

    def outcome(
        self,
        pos: Position,
        notice: str | None = None,
        *,
        stale: bool = False,
        accepted: bool = True,
        success: bool = False,
        play: tuple[str, ...] = (),
        withdrawn: bool = False,
        explained: bool = False,
        again: bool = False,
        note: str | None = None,
    ) -> Outcome:
        kind = NoticeKind.SUCCESS if success else NoticeKind.ERROR
        view = self.view(pos, notice, kind, explained=explained, again=again)
        if note is not None:  # at the end: a few lines instead of the closing message
            view = replace(view, again=self.end_note(note))
        return Outcome(
            position=pos,
            view=view,
            changes=dict(self.changes),
            stale=stale,
            accepted=accepted,
            play=play,
            withdrawn=withdrawn,
        )

    def end_note(self, first: str) -> str:
        _ = self.t.gettext
        parts = [first, _("To look back at your answers or change one, send /myanswers.")]
        if self.state.meeting:
            parts.append(_("The meeting is on {when}.").format(when=self.state.meeting))
        return "\n\n".join(parts)

    def facts(self) -> dict[str, str]:
        deployment = self.state.deployment
        days = deployment.retention_days
        _ = self.t.gettext
        # What is stored is what the preparation asks: the short one never asks the organisation.
        if self.wording.local and self.state.length == FULL:
            stored = _(
                "your typed answers, the name you give, your role and organisation, your language, how far you "
                "are, and your login name on this computer"
            )
        elif self.wording.local:
            stored = _("your typed answers, the name you give, your role, your language, how far you are, and your login name on this computer")
        elif self.state.length == FULL:
            stored = _(
                "your answers (typed or spoken), the name you give, your role and organisation, your language, how "
                "far you are, and your Telegram user id and chat id (to send you messages)"
            )
        else:
            stored = _(
                "your answers (typed or spoken), the name you give, your role, your language, how far you are, and "
                "your Telegram user id and chat id (to send you messages)"
            )
        return {
            "days": self.t.ngettext("{n} day", "{n} days", days).format(n=days),
            "service": deployment.translation_service or "",
            "stored": stored,
        }

    # --- estimates ----------------------------------------------------------------

    def step_effort(self, flow: Flow, step: Step) -> Effort:
        """Words to read and the usual taps and typing of one step, by the model in estimate.py."""
        if step.kind is Kind.REVIEW:
            return Effort(messages=1, taps=1)
        view = self.view(Position(flow.id, step.id), None, NoticeKind.ERROR, estimate=False)
        words = count_words(" ".join([view.header, view.text, *(o.label for o in view.options), *(c.label for c in view.controls)]))
        prefilled = flow.key(step) not in self.answers and bool(step.prefill_from) and self.prefill(step) is not None
        return Effort(messages=1, words=words) + typical_answer(step.kind, options=len(view.options), prefilled=prefilled)

    def flow_effort(self, flow: Flow, from_step: str | None = None) -> Effort:
        total = Effort()
        started = from_step is None
        for step in self.visible(flow):
            started = started or step.id == from_step
            if started:
                total += self.step_effort(flow, step)
        return total

    def remaining(self) -> Effort:
        pos = self.current()
        total = Effort()
        if pos.finished:
            return total
        for flow in self.state.flows:
            if self.is_review(flow):
                continue
            if flow.id == pos.flow:
                total += self.flow_effort(flow, pos.step)
            elif flow.id not in pos.completed:
                total += self.flow_effort(flow)
        return total

    # --- rendering ----------------------------------------------------------------

    def view(
        self,
        pos: Position,
        notice: str | None,
        notice_kind: NoticeKind,
        *,
        estimate: bool = True,
        explained: bool = False,
        again: bool = False,
    ) -> View:
        _ = self.t.gettext
        t = self.t
        flow = self.flows[pos.flow]
        step = next(s for s in flow.steps if s.id == pos.step)
        key = flow.key(step)
        if step.kind is Kind.REVIEW:
            return self.review_view(pos, flow, step, notice, notice_kind)
        shown = self.visible(flow) if not step.at_meeting else self.answerable(flow)
        number = [s.id for s in shown].index(step.id) + 1
        title = flow.title.translate(t)
        progress = _("step {n} of {total}").format(n=number, total=len(shown))
        if flow.letter and number > 1:
            header = f"{flow.letter} · {progress}"  # the exercise's full name was on its first step
        elif flow.letter:
            header = _("Exercise {letter}: {title}").format(letter=flow.letter, title=title) + " · " + progress
        else:
            header = title + " · " + progress
        if estimate and flow.letter and number == 1 and pos.return_to is None:
            minutes = self.flow_effort(flow).minutes
            header += " · " + t.ngettext("about {n} minute", "about {n} minutes", minutes).format(n=minutes)

        prompt = step.prompt.pick(self.side) if hasattr(step.prompt, "pick") else step.prompt
        args = {name: text.translate(t) for name, text in step.prompt_args}
        if step.deployment_facts:
            args |= self.facts()
        parts = [self.worded(prompt.translate(t).format_map(_Missing(args)))]
        deployment = self.state.deployment
        parts.extend(note.translate(t).format_map(_Missing(args)) for fact, note in step.notes if getattr(deployment, fact))
        # TRANSLATORS: a quote from the hand-out; use your language's own quotation marks around {quote}.
        marks = _("“{quote}”")
        if step.explain is None or explained:  # else the quotes come on demand, the prompt gives their gist
            parts.extend(marks.format(quote=q.text.translate(t)) + f"\n— {q.source.translate(t)}" for q in step.quotes)
        visible = step.visible_options(self)
        describe = step.describe and (step.explain is None or explained)
        described = [o for o in visible if o.description is not None and describe]
        listed = bool(described) and len(described) == len(visible)  # every option numbered in the text
        if listed:
            parts.append("\n".join(f"{n}. {self.option_text(o)}: {o.description.translate(t)}" for n, o in enumerate(visible, 1)))
        elif described:
            parts.append("\n".join(f"• {self.option_text(o)}: {o.description.translate(t)}" for o in described))

        listing = ""
        own = self.answers.get(key)
        value = own if own is not None else self.prefill(step) if step.prefill_from else None
        prefilled = own is None and value is not None
        options: list[ViewOption] = []
        controls: list[ViewOption] = []
        if step.kind is Kind.LIST and not (number > 1 and shown[number - 2].kind is Kind.LIST):
            # How a list is filled, under the first of a row of lists (the "Added" notice repeats it).
            parts.insert(1, self.worded(self.wording.each.translate(t)))
        if step.explain is not None and not explained and (step.quotes or any(o.description is not None for o in visible)):
            controls.append(ViewOption(ABOUT, step.explain.translate(t)))
        if step.kind is Kind.INFO:
            controls.append(ViewOption(NEXT, _("Next")))
        elif step.kind in (Kind.CHOICE, Kind.YESNO):
            opts = (
                [ViewOption("yes", _("Yes")), ViewOption("no", _("No"))]
                if step.kind is Kind.YESNO
                else [ViewOption(o.id, self.option_text(o)) for o in step.visible_options(self)]
            )
            options = [ViewOption(o.id, o.label, selected=(o.id == value)) for o in opts]
            if value is not None and not step.consent:
                controls.append(ViewOption(KEEP, _("Keep my answer")))
        elif step.kind is Kind.MULTI:
            chosen = value if isinstance(value, list) else []
            if prefilled:
                parts.append(_("Your earlier choices are ticked: keep them, or change them."))
            options = [ViewOption(o.id, self.option_text(o), selected=o.id in chosen) for o in step.visible_options(self)]
            if step.max is not None:
                parts.append(t.ngettext("Choose up to {n} option.", "Choose up to {n} options.", step.max).format(n=step.max))
            controls.append(ViewOption(DONE, _("Done")))
        elif step.kind is Kind.LIST:
            items = value if isinstance(value, list) else []
            if items:
                numbered = "\n".join(f"{n}. {item_label(item, t)}" for n, item in enumerate(items, start=1))
                if prefilled:
                    parts.append(_("From your earlier answers (keep, add or remove):") + "\n" + numbered)
                else:  # one item just added needs no heading to be read as the list
                    parts.append(numbered if len(items) == 1 else _("Your list so far:") + "\n" + numbered)
                listing = parts[-1]
                options = [
                    ViewOption(f"{REMOVE}{n}.{item_tag(item)}", item if isinstance(item, str) else item_label(item, t))
                    for n, item in enumerate(items, start=1)
                ]
                if refs(items):
                    controls.append(ViewOption(PLAY, _("Listen")))
                if len(items) > 1:  # one item: its ✖ does the same
                    controls.append(ViewOption(CLEAR, _("Empty the list")))
            controls.append(ViewOption(DONE, _("Done")))
        elif step.kind is Kind.TEXT and isinstance(value, str):
            parts.append(_("Your answer so far: {answer}").format(answer=isolate(value)))
            controls.append(ViewOption(KEEP, _("Keep my answer")))
        elif step.kind is Kind.TEXT and is_voice(value):
            parts.append(_("Your answer so far: {answer}").format(answer=item_label(value, t)))
            parts.append(_("Send a new voice message to replace it, or type a line to add to it."))
            controls.append(ViewOption(KEEP, _("Keep my answer")))
            controls.append(ViewOption(PLAY, _("Listen")))
            controls.append(ViewOption(CLEAR, _("Remove the voice message")))

        if step.optional and step.kind is not Kind.INFO and not (step.kind is Kind.LIST and own):
            controls.append(ViewOption(SKIP, _("Skip")))  # a list with items of one's own goes on with "Done"
        if pos.return_to is not None or self.before(pos) is not None:
            controls.append(ViewOption(BACK, _("Back")))
        return View(
            key=key,
            kind=step.kind,
            header=header,
            text="\n\n".join(p for p in parts if p),
            notice=notice,
            options=tuple(options),
            controls=tuple(controls),
            notice_kind=notice_kind,
            listed=listed,
            voice=step.kind in (Kind.TEXT, Kind.LIST) and step.voice,
            # An item added or taken off: the list, under the question already on screen.
            again=listing if again else None,
        )

    def preview(self, answer: str) -> str:
        """An answer on an option: cut short for a button; whole in the terminal, which prints lines."""
        return answer if self.wording.local else _short(answer)

    def listed_label(self, step: Step) -> str:
        """A question's name in the list of an exercise's answers; the meeting's own questions say so."""
        label = step_label(step, self.t)
        # The mark first: a long question is cut short on a button, and the mark is what matters there.
        return self.t.gettext("At the meeting: {question}").format(question=label) if step.at_meeting else label

    def open_label(self, step: Step) -> str:
        """A meeting question not answered yet, in the list of an exercise's answers."""
        return self.t.gettext("Still to answer at the meeting: {question}").format(question=step_label(step, self.t))

    def option_text(self, option) -> str:
        label = option.label.translate(self.t)
        if option.side is None:
            return label
        if option.side == FORMAL:
            return self.t.gettext("{role} (formal)").format(role=label)
        return self.t.gettext("{role} (informal)").format(role=label)

    def review_view(self, pos: Position, flow: Flow, step: Step, notice: str | None, notice_kind: NoticeKind) -> View:
        _ = self.t.gettext
        t = self.t
        key = flow.key(step)
        browsing = pos.return_to is not None or pos.choosing is not None
        controls: list[ViewOption] = []
        if pos.finished and not browsing:
            # The real end: one closing message, nothing more to press.
            parts = [_("Thank you! You have finished the preparation. Your answers are saved.")]
            if self.state.meeting:
                parts.append(_("The meeting is on {when}.").format(when=self.state.meeting))
            parts.append(
                _("Before the meeting the facilitator receives what you and the others wrote, so the meeting can start from it.")
            )
            parts.append(_("To look back at your answers or change one, send /myanswers."))
            if self.open_at_meeting():  # once every one is answered, there is nothing left to point to
                parts.append(_("A few questions are for the meeting itself: answer them there, with /myanswers."))
            return View(key, step.kind, _("Finished"), "\n\n".join(parts), notice, (), (), finished=True, notice_kind=notice_kind)
        target = self.flows.get(pos.choosing) if pos.choosing is not None else None
        # Every answer at once is long (hundreds of words in the full hand-out): shown when asked for,
        # with /myanswers or the button, not pushed at the end of the walk.
        overview = pos.return_to is not None or pos.choosing == ALL
        if target is not None:
            header = _exercise_name(target, t)
            still_open = self.open_at_meeting(target)
            if still_open:
                parts = [_("Which answer do you want to change, or which question of the meeting do you want to answer?")]
            else:
                parts = [_("Which answer do you want to change?")]
            rows = {s.id: v for s, v in ((s, self.answers.get(target.key(s))) for s in self.questions(target)) if v is not None}
            # The answers (and the walk's questions) first; the meeting's questions not answered yet after them, named so.
            options = [
                ViewOption(s.id, self.listed_label(s) + (f": {self.preview(format_answer(s, rows[s.id], t))}" if s.id in rows else ""))
                for s in self.questions(target)
                if s not in still_open
            ]
            options += [ViewOption(s.id, self.open_label(s)) for s in still_open]
            controls.append(ViewOption(BACK, _("Back")))
            return View(key, step.kind, header, "\n\n".join(parts), notice, tuple(options), tuple(controls), notice_kind=notice_kind)
        shown_flows = [f for f in self.state.flows if self.visible(f)]
        open_in = {f.id: self.open_at_meeting(f) for f in self.state.flows}  # the meeting's questions not answered yet
        if overview:
            parts = [
                step.prompt.translate(t) if not hasattr(step.prompt, "pick") else step.prompt.pick(self.side).translate(t),
                review_text(
                    shown_flows, self.answers, self.side, t, {f.id: [step_label(s, t) for s in open_in[f.id]] for f in shown_flows}
                ),
            ]
        else:
            parts = [_("You have answered every exercise. You can look at your answers, change one, or finish.")]
        options = [] if overview else [ViewOption(ALL, _("Show all my answers"))]
        options += [
            ViewOption(f.id, (_("Change or answer: {exercise}") if open_in[f.id] else _("Change: {exercise}")).format(
                exercise=_exercise_name(f, t)
            ))
            for f in self.state.flows
            if f.id != flow.id and self.questions(f)
        ]
        if all_refs(self.answers.values()):
            options.append(ViewOption(PLAY, _("Listen to my voice answers")))
        if pos.return_to is not None:
            controls.append(ViewOption(RESUME, _("Back to where I was")))
        elif not pos.finished:
            options.append(ViewOption(FINISH, _("Finish")))
        if pos.choosing == ALL or (pos.return_to is None and self.before(pos) is not None):
            controls.append(ViewOption(BACK, _("Back")))
        return View(key, step.kind, flow.title.translate(t), "\n\n".join(parts), notice, tuple(options), tuple(controls), notice_kind=notice_kind)


def item_tag(item: object) -> str:
    """A short mark of one list item: a remove button carries it, so it can only take off that item."""
    data = json.dumps(item, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.blake2s(data, digest_size=3).hexdigest()


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _exercise_name(flow: Flow, t: NullTranslations) -> str:
    title = flow.title.translate(t)
    return f"{flow.letter}. {title}" if flow.letter else title


__all__ = ["PLAY", "NoticeKind", "Outcome", "Position", "State", "View", "ViewOption", "Wording", "format_answer", "run", "time_left"]
