"""The state machine: (flows, position, answers) + event -> (new position, answer changes, view).

Pure: the caller loads the state, applies the returned changes and position in one
transaction, and only then shows the view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from babel.support import NullTranslations

from bot.engine.events import (
    Back,
    Done,
    Event,
    Keep,
    NonText,
    Pick,
    PickMany,
    Restart,
    Show,
    Skip,
    TextInput,
    UnknownCommand,
    VoiceInput,
)
from bot.engine.model import ROLE_KEY, Flow, Kind, Step, Value, side_for_role
from bot.engine.render import format_answer, item_label, review_text
from bot.engine.voice import MAX_BYTES, MAX_SECONDS, all_refs, duration, is_voice, over_limit, refs, typed, voice
from bot.i18n import isolate

MAX_TEXT = 4000  # below Telegram's 4096 so the echo of an answer still fits one message
MAX_LIST_ITEMS = 20
FINISH = "finish"  # the review's option that closes the session

# Control ids travel in callback data next to option ids: keep them short and distinct.
NEXT, DONE, KEEP, SKIP, BACK, CLEAR = "_next", "_done", "_keep", "_skip", "_back", "_clear"
PLAY = "_play"  # hear one's own voice answers again


@dataclass(frozen=True)
class Position:
    flow: str
    step: str
    completed: frozenset[str] = frozenset()
    finished: bool = False  # the participant pressed "finish" in the review


@dataclass(frozen=True)
class State:
    flows: Sequence[Flow]  # the workshop's flows in order: onboarding first, review last
    answers: Mapping[str, Value]
    position: Position | None = None  # None before the first step is shown

    @property
    def side(self) -> str | None:
        return side_of(self.answers)


def side_of(answers: Mapping[str, Value]) -> str | None:
    """Formal or informal, from the role answered in the onboarding; None before that."""
    role = answers.get(ROLE_KEY)
    return side_for_role(role) if isinstance(role, str) else None


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
    finished: bool = False
    voice: bool = False  # the step takes a voice message as its answer


@dataclass(frozen=True)
class Outcome:
    position: Position
    view: View
    changes: Mapping[str, Value | None] = field(default_factory=dict)  # None deletes
    stale: bool = False  # the input belonged to an earlier step; nothing changed
    accepted: bool = True  # False when the input was refused with a notice
    play: tuple[str, ...] = ()  # stored voice answers the transport should play back, in order


def run(state: State, event: Event, t: NullTranslations) -> Outcome:
    """Apply one event to a participant's state."""
    engine = _Run(state, t)
    return engine.handle(event)


class _Run:
    def __init__(self, state: State, t: NullTranslations) -> None:
        self.state = state
        self.t = t
        self.flows = {f.id: f for f in state.flows}
        self.order = [f.id for f in state.flows]
        self.answers: dict[str, Value] = dict(state.answers)
        self.changes: dict[str, Value | None] = {}

    # --- where we are -------------------------------------------------------------

    def visible(self, flow: Flow) -> list[Step]:
        return [s for s in flow.steps if s.when is None or s.when.holds(self)]

    @property
    def side(self) -> str | None:
        return side_of(self.answers)

    def current(self) -> Position:
        pos = self.state.position
        if pos is not None and pos.flow in self.flows:
            flow = self.flows[pos.flow]
            if any(s.id == pos.step for s in self.visible(flow)):
                return pos
            # The step vanished (an earlier answer changed, or a flow was edited):
            # continue with the next one that is shown.
            return self.after(pos, flow.step_index.get(pos.step, -1))
        # Not started, or the exercise was taken out of the workshop: the first unfinished one.
        return self.first_of(0, pos.completed if pos is not None else frozenset())

    def first_of(self, start: int, completed: frozenset[str]) -> Position:
        """The first shown step of the first unfinished flow from ``start``, wrapping."""
        n = len(self.order)
        for i in [*range(start, n), *range(0, start)]:
            flow = self.flows[self.order[i]]
            steps = self.visible(flow)
            if flow.id not in completed and steps:
                return Position(flow.id, steps[0].id, completed)
        review = self.flows[self.order[-1]]
        return Position(review.id, review.steps[0].id, completed)

    def after(self, pos: Position, index: int) -> Position:
        flow = self.flows[pos.flow]
        for step in self.visible(flow):
            if flow.step_index[step.id] > index:
                return Position(flow.id, step.id, pos.completed)
        completed = pos.completed | {flow.id}
        return self.first_of(self.order.index(flow.id) + 1, completed)

    def before(self, pos: Position) -> Position | None:
        flow = self.flows[pos.flow]
        steps = self.visible(flow)
        index = [s.id for s in steps].index(pos.step)
        if index > 0:
            return Position(flow.id, steps[index - 1].id, pos.completed)
        for i in range(self.order.index(flow.id) - 1, -1, -1):
            earlier = self.flows[self.order[i]]
            shown = self.visible(earlier)
            if shown:
                return Position(earlier.id, shown[-1].id, pos.completed - {earlier.id})
        return None

    # --- events -------------------------------------------------------------------

    def handle(self, event: Event) -> Outcome:
        _ = self.t.gettext
        pos = self.current()
        flow = self.flows[pos.flow]
        step = next(s for s in flow.steps if s.id == pos.step)
        key = flow.key(step)

        at = getattr(event, "at", None)
        if at is not None and at != key:
            return self.outcome(pos, _("That button belongs to an earlier question. Here is the current one."), stale=True)

        if isinstance(event, Keep) and step.kind in (Kind.INFO, Kind.MULTI, Kind.LIST):
            event = Done(at=event.at)  # "keep" there means "go on", with the same checks as "done"

        match event:
            case Show():
                return self.outcome(pos)
            case Back():
                earlier = self.before(pos)
                if earlier is None:
                    return self.outcome(pos, _("This is the first question."), accepted=False)
                return self.outcome(Position(earlier.flow, earlier.step, earlier.completed))
            case Restart():
                steps = self.visible(flow)
                return self.outcome(Position(flow.id, steps[0].id, pos.completed - {flow.id}))
            case Skip():
                if not step.optional:
                    return self.outcome(pos, _("This question cannot be skipped."), accepted=False)
                return self.outcome(self.after(pos, flow.step_index[step.id]))
            case Keep():
                if key not in self.answers:
                    return self.outcome(pos, _("There is no answer yet to keep."), accepted=False)
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
            return self.outcome(pos, _("Press “Next” to continue."), accepted=False)

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
                return self.outcome(pos, _("The voice answer is removed."))
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
                    )
                self.set(key, event.option)
                return self.after_step(pos, flow, step)
            return self.outcome(pos, _("Please choose one of the options."), accepted=False)

        if kind is Kind.MULTI:
            chosen = list(self.answers.get(key) or [])
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
                picked = list(dict.fromkeys(event.options))
                if not set(picked) <= offered:
                    return self.outcome(pos, _("That option is not available here. Please choose one of the options."), accepted=False)
                if step.max is not None and len(picked) > step.max:
                    return self.outcome(pos, self.too_many(step.max), accepted=False)
                if len(picked) < step.min:
                    return self.outcome(pos, self.too_few(step.min), accepted=False)
                self.set(key, picked)
                return self.after_step(pos, flow, step)
            if isinstance(event, Done):
                if len(chosen) < step.min:
                    return self.outcome(pos, self.too_few(step.min), accepted=False)
                if key not in self.answers:
                    self.set(key, [])
                return self.after_step(pos, flow, step)
            return self.outcome(pos, _("Please choose from the options, then press “Done”."), accepted=False)

        if kind is Kind.LIST:
            items = list(self.answers.get(key) or [])
            if isinstance(event, VoiceInput) and event.ref is not None:
                if len(items) >= MAX_LIST_ITEMS:
                    return self.outcome(pos, self.list_full(), accepted=False)
                self.set(key, [*items, voice(event.ref, event.seconds)])
                saved = _("Voice answer saved ({duration}). Add another item, or press “Done”.")
                return self.outcome(pos, saved.format(duration=duration(event.seconds)))
            if isinstance(event, TextInput):
                text, problem = self.clean(event.text, MAX_TEXT)
                if problem:
                    return self.outcome(pos, problem, accepted=False)
                if len(items) >= MAX_LIST_ITEMS:
                    return self.outcome(pos, self.list_full(), accepted=False)
                self.set(key, [*items, text])
                return self.outcome(pos, _("Added. Type another one, or press “Done”."))
            if isinstance(event, Pick) and event.option == CLEAR:
                self.set(key, [])
                return self.outcome(pos, _("The list is empty again."))
            if isinstance(event, Done):
                if len(items) < step.min:
                    return self.outcome(pos, self.too_few_items(step.min), accepted=False)
                if key not in self.answers:
                    self.set(key, [])
                return self.after_step(pos, flow, step)
            return self.outcome(pos, _("Type one item per message, then press “Done”."), accepted=False)

        raise AssertionError(f"unhandled step kind {kind}")

    def review(self, pos: Position, step: Step, event: Event) -> Outcome:
        _ = self.t.gettext
        if isinstance(event, Pick):
            if event.option == FINISH:
                done = Position(pos.flow, pos.step, pos.completed | {pos.flow}, finished=True)
                return self.outcome(done)
            target = self.flows.get(event.option)
            if target is not None and target.id != pos.flow and self.visible(target):
                first = self.visible(target)[0]
                return self.outcome(Position(target.id, first.id, pos.completed - {target.id}))
            return self.outcome(pos, _("That option is not available here. Please choose one of the options."), accepted=False)
        if isinstance(event, Done):
            return self.outcome(pos)
        return self.outcome(pos, _("Please choose one of the options."), accepted=False)

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

    def list_full(self) -> str:
        msg = self.t.ngettext(
            "This list is full ({n} item). Press “Done” to go on.",
            "This list is full ({n} items). Press “Done” to go on.",
            MAX_LIST_ITEMS,
        )
        return msg.format(n=MAX_LIST_ITEMS)

    def after_step(self, pos: Position, flow: Flow, step: Step, notice: str | None = None) -> Outcome:
        return self.outcome(self.after(pos, flow.step_index[step.id]), notice)

    def outcome(
        self,
        pos: Position,
        notice: str | None = None,
        *,
        stale: bool = False,
        accepted: bool = True,
        play: tuple[str, ...] = (),
    ) -> Outcome:
        return Outcome(
            position=pos,
            view=self.view(pos, notice),
            changes=dict(self.changes),
            stale=stale,
            accepted=accepted,
            play=play,
        )

    # --- rendering ----------------------------------------------------------------

    def view(self, pos: Position, notice: str | None) -> View:
        _ = self.t.gettext
        t = self.t
        flow = self.flows[pos.flow]
        step = next(s for s in flow.steps if s.id == pos.step)
        key = flow.key(step)
        shown = self.visible(flow)
        number = [s.id for s in shown].index(step.id) + 1
        title = flow.title.translate(t)
        progress = _("step {n} of {total}").format(n=number, total=len(shown))
        if flow.letter:
            header = _("Exercise {letter}: {title}").format(letter=flow.letter, title=title) + " · " + progress
        else:
            header = title + " · " + progress

        prompt = step.prompt.pick(self.side) if hasattr(step.prompt, "pick") else step.prompt
        args = {name: text.translate(t) for name, text in step.prompt_args}
        parts = [prompt.translate(t).format(**args) if args else prompt.translate(t)]
        parts.extend(f"“{q.text.translate(t)}”\n— {q.source.translate(t)}" for q in step.quotes)
        described = [o for o in step.visible_options(self) if o.description is not None and step.describe]
        if described:
            parts.append("\n".join(f"• {o.label.translate(t)}: {o.description.translate(t)}" for o in described))

        value = self.answers.get(key)
        options: list[ViewOption] = []
        controls: list[ViewOption] = []
        finished = pos.finished and step.kind is Kind.REVIEW
        if step.kind is Kind.INFO:
            controls.append(ViewOption(NEXT, _("Next")))
        elif step.kind in (Kind.CHOICE, Kind.YESNO):
            opts = (
                [ViewOption("yes", _("Yes")), ViewOption("no", _("No"))]
                if step.kind is Kind.YESNO
                else [ViewOption(o.id, o.label.translate(t)) for o in step.visible_options(self)]
            )
            options = [ViewOption(o.id, o.label, selected=(o.id == value)) for o in opts]
            if value is not None and not step.consent:
                controls.append(ViewOption(KEEP, _("Keep my answer")))
        elif step.kind is Kind.MULTI:
            chosen = value if isinstance(value, list) else []
            options = [ViewOption(o.id, o.label.translate(t), selected=o.id in chosen) for o in step.visible_options(self)]
            if step.max is not None:
                parts.append(t.ngettext("Choose up to {n} option.", "Choose up to {n} options.", step.max).format(n=step.max))
            controls.append(ViewOption(DONE, _("Done")))
        elif step.kind is Kind.LIST:
            items = value if isinstance(value, list) else []
            if items:
                parts.append(_("Your list so far:") + "\n" + "\n".join(f"• {item_label(item, t)}" for item in items))
                if refs(items):
                    controls.append(ViewOption(PLAY, _("Listen")))
                controls.append(ViewOption(CLEAR, _("Empty the list")))
            controls.append(ViewOption(DONE, _("Done")))
        elif step.kind is Kind.TEXT:
            if isinstance(value, str):
                parts.append(_("Your answer so far: {answer}").format(answer=isolate(value)))
                controls.append(ViewOption(KEEP, _("Keep my answer")))
            elif is_voice(value):
                parts.append(_("Your answer so far: {answer}").format(answer=item_label(value, t)))
                parts.append(_("Send a new voice message to replace it, or type a line to add to it."))
                controls.append(ViewOption(KEEP, _("Keep my answer")))
                controls.append(ViewOption(PLAY, _("Listen")))
                controls.append(ViewOption(CLEAR, _("Remove the voice message")))
        elif step.kind is Kind.REVIEW:
            parts.append(review_text(self.state.flows, self.answers, self.side, t))
            if finished:
                parts.append(_("Thank you! Your answers are saved for the facilitator. You can still change them below."))
            options = [
                ViewOption(f.id, _("Change: {exercise}").format(exercise=_exercise_name(f, t)))
                for f in self.state.flows
                if f.id != flow.id and self.visible(f)
            ]
            if all_refs(self.answers.values()):
                options.append(ViewOption(PLAY, _("Listen to my voice answers")))
            options.append(ViewOption(FINISH, _("Finish")))

        if step.optional and step.kind is not Kind.INFO:
            controls.append(ViewOption(SKIP, _("Skip")))
        if self.before(pos) is not None:
            controls.append(ViewOption(BACK, _("Back")))
        return View(
            key=key,
            kind=step.kind,
            header=header,
            text="\n\n".join(p for p in parts if p),
            notice=notice,
            options=tuple(options),
            controls=tuple(controls),
            finished=finished,
            voice=step.kind in (Kind.TEXT, Kind.LIST) and step.voice,
        )


def _exercise_name(flow: Flow, t: NullTranslations) -> str:
    title = flow.title.translate(t)
    return f"{flow.letter}. {title}" if flow.letter else title


__all__ = ["Outcome", "Position", "State", "View", "ViewOption", "format_answer", "run"]
