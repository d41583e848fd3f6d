"""Every exercise of the hand-out as a declared flow; one module per exercise.

A module here that defines ``FLOW`` (a :class:`bot.engine.Flow`) and ``ORDER`` (its place)
is picked up automatically: adding an exercise is adding a module.

Content: paraphrased from the hand-out of the toolkit "Samenwerking formele en informele
opvoedondersteuning. Een vruchtbare bodem voor samenwerking", M. Distelbrink & E. Ponzoni,
Kennisplatform Integratie & Samenleving / Verwey-Jonker Instituut, 2017.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterable

from bot.engine import Flow
from bot.engine.model import FULL


@functools.cache
def all_flows() -> tuple[Flow, ...]:
    """All flows in workshop order: onboarding first, the closing review last."""
    found: list[tuple[int, Flow]] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        flow = getattr(module, "FLOW", None)
        if isinstance(flow, Flow):
            found.append((module.ORDER, flow))
    flows = tuple(flow for _, flow in sorted(found, key=lambda pair: pair[0]))
    ids = [f.id for f in flows]
    if len(set(ids)) != len(ids):
        raise ValueError("two flows share an id")
    return flows


def flow_by_id(flow_id: str) -> Flow:
    return next(f for f in all_flows() if f.id == flow_id)


def exercises() -> tuple[Flow, ...]:
    """The flows a workshop may include or leave out (the lettered exercises)."""
    return tuple(f for f in all_flows() if f.optional_in_workshop)


def workshop_flows(included: Iterable[str], length: str = FULL) -> tuple[Flow, ...]:
    """The flows one workshop runs: the fixed ones plus the exercises it includes that have steps
    in its preparation (the short one leaves some exercises for the meeting)."""
    chosen = set(included)
    return tuple(
        f
        for f in all_flows()
        if not f.optional_in_workshop or (f.id in chosen and any(f.in_length(s, length) for s in f.steps))
    )
