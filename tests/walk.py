"""Drives a participant through every step with valid answers, remembering what was given."""

from __future__ import annotations

from collections.abc import Callable

from bot.engine import Done, Event, Kind, Pick, TextInput, View
from bot.engine.runner import FINISH, REMOVE

ROLE_FOR_SIDE = {"formal": "formal", "informal": "keyfigure"}


def answer_for(view: View, side: str, tag: str, given: dict[str, object]) -> list[Event]:
    """The events that answer one step validly; ``given`` records the expected stored values."""
    key = view.key
    if view.kind is Kind.INFO:
        return [Done(at=key)]
    if view.kind is Kind.TEXT:
        text = f"{tag} {key} antwoord"
        given[key] = text
        return [TextInput(text)]
    if view.kind is Kind.YESNO:
        given[key] = "yes"
        return [Pick("yes", at=key)]
    if view.kind is Kind.CHOICE:
        option = ROLE_FOR_SIDE[side] if key == "intro.role" else view.options[-1].id
        given[key] = option
        return [Pick(option, at=key)]
    if view.kind is Kind.MULTI:
        ticked = [o.id for o in view.options if o.selected]
        if ticked:  # earlier choices already ticked: kept with one tap
            given[key] = ticked
            return [Done(at=key)]
        picked = [o.id for o in view.options[:2]]
        given[key] = picked
        return [*(Pick(o, at=key) for o in picked), Done(at=key)]
    if view.kind is Kind.LIST:
        items = [f"{tag} {key} punt 1", f"{tag} {key} punt 2"]
        earlier = [o.label for o in view.options if o.id.startswith(REMOVE)]  # filled in from earlier answers
        given[key] = earlier + items
        return [*(TextInput(i) for i in items), Done(at=key)]
    if view.kind is Kind.REVIEW:
        return [Pick(FINISH, at=key)]
    raise AssertionError(view.kind)


def walk(handle: Callable[[Event], View], first: View, side: str, tag: str, limit: int = 400) -> dict[str, object]:
    """Answer every step until the review is finished; returns what should be stored."""
    given: dict[str, object] = {}
    view = first
    for _ in range(limit):
        if view.finished:
            return given
        for event in answer_for(view, side, tag, given):
            before = view.key
            view = handle(event)
            assert view.notice is None or view.key == before, view.notice
    raise AssertionError("the walk did not finish")
