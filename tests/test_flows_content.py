"""Every list of the hand-out is carried in full."""

from __future__ import annotations

from bot.engine import Kind
from bot.flows import all_flows, exercises, flow_by_id
from bot.flows.a_new_view import COMMUNITY_GOALS, FAMILY_GOALS, FOCUS
from bot.flows.b_strength import CATEGORIES
from bot.flows.c_collaboration import EXAMPLES
from bot.flows.d_obstacles import QUOTES, THEMES
from bot.flows.e_core import FORMAL_ROLES, INFORMAL_ROLES, MAX_TRUNK_ROLES, PITFALLS


def test_flows_in_hand_out_order() -> None:
    assert [f.id for f in all_flows()] == ["intro", "a", "b", "c", "d", "e", "review"]
    assert [f.letter for f in exercises()] == ["A", "B", "C", "D", "E"]


def test_roles_complete_with_descriptions() -> None:
    assert len(FORMAL_ROLES) == 10
    assert len(INFORMAL_ROLES) == 17
    assert all(r.description is not None for r in FORMAL_ROLES + INFORMAL_ROLES)
    trunk = next(s for s in flow_by_id("e").steps if s.id == "trunk")
    assert len(trunk.options) == 27 and trunk.max == MAX_TRUNK_ROLES == 6
    assert {o.label.msgid for o in FORMAL_ROLES} >= {"Coordinator", "Fixer", "Linking pin", "Guardian"}
    assert {o.label.msgid for o in INFORMAL_ROLES} >= {"Confidant", "Network opener", "Interpreter (literally and figuratively)"}


def test_pitfalls_each_with_a_follow_up_question() -> None:
    assert len(PITFALLS) == 6
    e = flow_by_id("e")
    for pitfall in PITFALLS:
        step = next(s for s in e.steps if s.id == pitfall.id)
        assert step.kind is Kind.TEXT and step.when is not None


def test_quotes_by_theme_each_with_speaker() -> None:
    assert [len(quotes) for _id, _title, _gist, quotes in THEMES] == [3, 4, 1]
    assert len(QUOTES) == 8
    assert all(q.source.msgid for q in QUOTES)
    d = flow_by_id("d")
    assert sum(len(s.quotes) for s in d.steps) == 8


def test_categories_goals_examples() -> None:
    assert [c for c, _ in CATEGORIES] == ["knowledge", "skills", "position", "power"]
    b = flow_by_id("b")
    for category, _label in CATEGORIES:
        assert {f"other_{category}", f"own_{category}"} <= {s.id for s in b.steps}
    assert len(FAMILY_GOALS) == 6 and len(COMMUNITY_GOALS) == 5
    assert [o.id for o in FOCUS] == ["family", "community", "both"]
    assert [o.id for o in EXAMPLES][:4] == ["school", "diverse", "cases", "meet"]
    assert all(o.description is not None for o in EXAMPLES[:4])
