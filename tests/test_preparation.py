"""Issue 9 in the engine: two lengths, earlier answers filled in, one answer changed in one step,
a real end, true counts, and the small things (wording per transport, notice kinds, quote marks)."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation
from bot.engine import (
    Back,
    Done,
    Keep,
    Kind,
    NoticeKind,
    OpenAnswers,
    Pick,
    Restart,
    Resume,
    Show,
    Skip,
    State,
    TextInput,
    UnknownCommand,
    View,
    run,
    time_left,
)
from bot.engine.estimate import READ_WORDS_PER_MINUTE, SECONDS_PER_TAP, SECONDS_PER_TYPED, Effort
from bot.engine.model import FULL, SHORT
from bot.engine.runner import Position
from bot.flows import all_flows, flow_by_id, workshop_flows
from bot.i18n import translations
from bot.progress import has_answered, split_answered
from bot.summary import summary_text
from bot.wording import BUTTONS, COMMANDS
from storage import Database
from storage import repository as repo
from tests.test_conversation import driver, go_to, start, stored
from tests.walk import walk

EN = translations("en")


def shown_keys(length: str, side: str = "informal") -> list[str]:
    """Every step key a participant of this length meets, walking with valid answers."""
    flows = workshop_flows("abcde", length)
    answers: dict = {}
    state = State(flows=flows, answers=answers, length=length)
    keys: list[str] = []
    from tests.walk import answer_for

    view = run(state, Show(), EN, BUTTONS).view
    position = None
    for _ in range(400):
        if view.finished:
            return keys
        keys.append(view.key)
        for event in answer_for(view, side, "t", {}):
            outcome = run(State(flows, answers, position, length), event, EN, BUTTONS)
            answers.update({k: v for k, v in outcome.changes.items() if v is not None})
            position, view = outcome.position, outcome.view
    raise AssertionError("no end")


# --- 1. two lengths ---------------------------------------------------------------------


def test_a_new_workshop_runs_the_short_preparation(db: Database) -> None:
    with db.session() as session:
        workshop = repo.create_workshop(session, "Noord", "term:f")
        assert workshop.length == SHORT


def test_the_short_preparation_asks_exactly_what_the_flows_declare() -> None:
    keys = shown_keys(SHORT)
    declared = [f.key(s) for f in workshop_flows("abcde", SHORT) for s in f.steps if f.in_length(s, SHORT)]
    assert keys == declared
    # What the meeting needs from each person before it starts, and nothing of the meeting itself.
    assert {"intro.name", "intro.role", "a.seek", "a.offer", "c.goal", "e.roles_own", "e.roles_other", "e.pitfalls"} <= set(keys)
    assert {f"b.other_{c}" for c in ("knowledge", "skills", "position", "power")} <= set(keys)
    assert not {"a.inspiring", "a.doubts", "b.reaction", "b.important"} & set(keys)
    assert not any(k.startswith("d.") for k in keys)


def test_the_full_hand_out_is_still_all_there() -> None:
    keys = set(shown_keys(FULL))
    flows = workshop_flows("abcde", FULL)
    from bot.flows.e_core import PITFALLS

    answers = {"intro.consent": "yes", "intro.role": "volunteer", "e.pitfalls": [p.id for p in PITFALLS]}
    for flow in all_flows():
        for step in flow.steps:
            if step.when is None and step.kind is not Kind.REVIEW and not step.at_meeting:
                assert flow.key(step) in keys, flow.key(step)
            elif step.at_meeting:
                # A question of the meeting itself: not asked before it, there to answer from /myanswers.
                assert flow.key(step) not in keys
                at = Position("review", "overview", return_to="c.why", choosing=flow.id)
                listed = run(State(flows, answers, at, FULL), Show(), EN, BUTTONS).view
                assert step.id in [o.id for o in listed.options], flow.key(step)
                opened = run(State(flows, answers, at, FULL), Pick(step.id, at="review.overview"), EN, BUTTONS)
                assert opened.view.key == flow.key(step)
                answered = run(State(flows, answers, opened.position, FULL), TextInput("later"), EN, BUTTONS)
                if step.kind is Kind.LIST:  # an item added; "Done" goes back
                    assert answered.changes == {flow.key(step): ["later"]} and answered.view.key == flow.key(step)
                    given = {**answers, flow.key(step): ["later"]}
                    answered = run(State(flows, given, answered.position, FULL), Done(at=flow.key(step)), EN, BUTTONS)
                else:
                    assert answered.changes == {flow.key(step): "later"}
                later = [s for s in flow.steps[flow.steps.index(step) + 1 :] if s.at_meeting]
                assert answered.view.key == (flow.key(later[0]) if later else "c.why")  # the next one, else back
    # The hand-out's own moments at the meeting: during the presentations (A), after them (B's own
    # strength and the reaction), at the table (E's agreements, discussed pitfalls, next steps).
    at_meeting = {f.key(s) for f in all_flows() for s in f.steps if s.at_meeting}
    assert {"a.inspiring", "a.doubts", "b.reaction", "e.scribe", "e.notes", "e.next", "e.goal", "e.need"} <= at_meeting
    assert {f"b.own_{c}" for c in ("knowledge", "skills", "position", "power")} <= at_meeting
    assert {"e.approach", "e.contribution", "e.conditions", "e.p_diversity"} <= at_meeting
    # What the meeting needs from each person beforehand stays in the walk.
    assert not {"a.seek", "a.offer", "b.other_knowledge", "c.goal", "e.roles_own", "e.trunk", "e.pitfalls"} & at_meeting


def test_each_exercise_starts_with_its_estimate_from_the_declared_steps() -> None:
    flows = workshop_flows("abcde", SHORT)
    b = flow_by_id("b")
    state = State(flows, {"intro.role": "volunteer"}, Position("b", "other_knowledge"), SHORT)
    view = run(state, Show(), EN, BUTTONS).view
    # The same model as the burden benchmark: words of every step of B, plus a usual answer each.
    from bot.engine.estimate import count_words, typical_answer

    total = Effort()
    for step in b.steps:
        if b.in_length(step, SHORT):
            shown = run(State(flows, {"intro.role": "volunteer"}, Position("b", step.id), SHORT), Show(), EN, BUTTONS).view
            header = shown.header.split(" · about")[0]
            words = count_words(" ".join([header, shown.text, *(o.label for o in shown.options), *(c.label for c in shown.controls)]))
            total += Effort(words=words) + typical_answer(step.kind, options=len(shown.options))
    assert f"about {total.minutes} minutes" in view.header
    assert total.seconds == total.words * 60 / READ_WORDS_PER_MINUTE + total.taps * SECONDS_PER_TAP + total.typed * SECONDS_PER_TYPED
    later = run(State(flows, {"intro.role": "volunteer"}, Position("b", "other_skills"), SHORT), Show(), EN, BUTTONS).view
    assert "about" not in later.header


def test_time_left_goes_down_as_steps_are_answered() -> None:
    flows = workshop_flows("abcde", SHORT)
    answers = {"intro.role": "volunteer"}
    at_a = time_left(State(flows, answers, Position("a", "seek"), SHORT), EN, BUTTONS)
    at_e = time_left(State(flows, answers, Position("e", "roles_own", frozenset({"intro", "a", "b", "c"})), SHORT), EN, BUTTONS)
    done = time_left(State(flows, answers, Position("review", "overview", frozenset({"a", "b", "c", "e"}), True), SHORT), EN, BUTTONS)
    assert at_a.seconds > at_e.seconds > 0 and done.interactions == 0
    assert at_a.minutes <= 15


def test_the_short_preparation_ends_with_one_closing_message(db: Database) -> None:
    conversation, pid = start(db, length=SHORT)
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "informal", "k")
    view = handle(Show())
    assert view.finished and not view.options and not view.controls
    assert "Thank you" in view.text and "/myanswers" in view.text and "facilitator" in view.text
    with db.session() as session:
        position = repo.load_progress(session, pid).position
        assert position.finished


def set_meeting(db: Database, when) -> None:
    with db.session() as session:
        workshop = session.exec(repo.select(repo.Workshop)).one()
        workshop.meeting_at = when
        session.add(workshop)


def test_the_full_closing_message_points_to_the_meetings_own_questions(db: Database) -> None:
    line = "A few questions are for the meeting itself: answer them there, with /myanswers."
    for length, said in ((FULL, True), (SHORT, False)):
        conversation, pid = start(db, user=f"end-{length}", length=length)
        handle = driver(conversation, pid)
        view = walk(handle, handle(Show()), "informal", "z") and handle(Show())
        if not view.finished:
            view = handle(Pick("finish", at="review.overview"))
        assert view.finished and (line in view.text) is said, length


def answer_at_meeting(handle, flow_id: str, step_id: str) -> View:
    """One of the meeting's own questions answered from /myanswers (and the ones it brings); the view after it."""
    handle(OpenAnswers())
    handle(Pick(flow_id, at="review.overview"))
    view = handle(Pick(step_id, at="review.overview"))
    while view.key != "review.overview":
        if view.kind is Kind.LIST:
            handle(TextInput("een punt"))
            view = handle(Done(at=view.key))
        else:
            view = handle(TextInput("een antwoord"))
    return view


def test_the_closing_message_stops_pointing_to_the_meeting_once_its_questions_are_answered(db: Database) -> None:
    line = "A few questions are for the meeting itself: answer them there, with /myanswers."
    conversation, pid = start(db, user="all-answered", length=FULL)
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "informal", "z")
    chosen = stored(db, pid)["e.pitfalls"]  # a pitfall's own question is asked for the pitfalls recognised
    meeting = [f.key(s) for f in workshop_flows("abcde", FULL) for s in f.steps if s.at_meeting and (s.when is None or s.id in chosen)]
    said = []
    for key in meeting:
        if key not in stored(db, pid):  # answering one brings the exercise's next ones
            end = answer_at_meeting(handle, *key.split("."))
            still_open = any(k not in stored(db, pid) for k in meeting)
            assert end.finished and end.notice == "Saved." and "Thank you" in end.text
            said.append(line in end.text)
            assert said[-1] is still_open, key
    assert said[0] and not said[-1]
    assert line not in handle(Show()).text


def test_the_closing_message_says_when_the_meeting_is(db: Database) -> None:
    from datetime import UTC, datetime

    conversation, pid = start(db, length=SHORT)
    set_meeting(db, datetime(2026, 12, 3, 18, 30, tzinfo=UTC))
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "formal", "m")
    view = handle(Show())
    assert "The meeting is on Thursday, December 3, 2026" in view.text


# --- 2. never the same question twice ----------------------------------------------------------


def test_a_later_step_shows_the_earlier_answer_to_keep_with_one_tap(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "a.offer")
    handle(TextInput("Een luisterend oor"))
    view = go_to(handle, handle(Show()), "b.offer")
    assert "Een luisterend oor" in view.text and any(c.id == "_keep" for c in view.controls)
    view = handle(Keep(at="b.offer"))
    assert view.key == "c.intro" and stored(db, pid)["b.offer"] == "Een luisterend oor"


def test_the_tables_questions_are_filled_in_from_a_and_c(db: Database) -> None:
    """E's goal, way of working, contributions, conditions and needs are agreed at the table: not asked
    again beforehand, and opened from /myanswers they show what A and C already hold."""
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    go_to(handle, handle(Show()), "c.what")
    handle(TextInput("Inloopochtend op school"))
    handle(TextInput("CJG informeert, sleutelfiguren nodigen uit"))
    view = go_to(handle, handle(Show()), "e.tree")
    assert view.header.startswith("Exercise E") and "step 1 of" in view.header  # the tree opens E
    assert not {"e.need", "e.goal", "e.approach", "e.contribution", "e.conditions"} & set(stored(db, pid))
    handle(OpenAnswers())
    handle(Pick("e", at="review.overview"))
    for key, earlier in (("e.approach", "Inloopochtend op school"), ("e.contribution", "CJG informeert, sleutelfiguren nodigen uit")):
        opened = handle(Pick(key.split(".")[1], at="review.overview"))
        assert opened.key == key and earlier in opened.text and any(c.id == "_keep" for c in opened.controls)
        handle(Keep(at=key))
        assert stored(db, pid)[key] == earlier
        handle(OpenAnswers())
        handle(Pick("e", at="review.overview"))


def test_who_you_are_starts_from_the_name_and_organisation_given(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "a.who")
    answers = stored(db, pid)
    assert answers["intro.name"] in view.text and any(c.id == "_keep" for c in view.controls)
    assert "Informal worker: volunteer" in view.text or "Formal worker" in view.text  # the function, as given
    handle(TextInput("Amina, voorlichter bij Al Amal; ook Fatima"))
    assert stored(db, pid)["a.who"] == "Amina, voorlichter bij Al Amal; ook Fatima"


def test_the_tree_is_built_from_goals_conditions_and_needs(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "a.focus")
    view = handle(Pick("family", at="a.focus"))
    view = handle(Pick("fg1", at="a.goals"))
    view = handle(Done(at="a.goals"))
    view = go_to(handle, view, "c.goal")
    handle(TextInput("Samen een inloopochtend"))
    view = go_to(handle, handle(Show()), "e.fruits")
    labels = [o.label for o in view.options]
    assert "Samen een inloopochtend" in labels and any(label.startswith("Families get help") for label in labels)
    view = handle(Pick("_rm1", at="e.fruits"))  # one item removed; the rest stays
    assert view.notice_kind is NoticeKind.SUCCESS and len(view.options) == len(labels) - 1
    view = handle(TextInput("Meer vaders erbij"))
    view = handle(Done(at="e.fruits"))
    assert stored(db, pid)["e.fruits"] == [*labels[1:], "Meer vaders erbij"]
    view = go_to(handle, view, "e.sun")
    assert [o.label for o in view.options] == stored(db, pid)["c.conditions"]
    view = go_to(handle, view, "e.can")
    assert stored(db, pid)["a.seek"] in [o.label for o in view.options]


def test_the_trunk_has_the_chosen_roles_ticked_marked_by_side(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "e.roles_own", "informal")
    handle(Pick("i_confidant", at="e.roles_own"))
    handle(Pick("i_catalyst", at="e.roles_own"))
    view = handle(Done(at="e.roles_own"))
    handle(Pick("f_coord", at="e.roles_other"))
    handle(Pick("f_catalyst", at="e.roles_other"))
    view = handle(Done(at="e.roles_other"))
    assert view.key == "e.trunk"
    assert [o.id for o in view.options if o.selected] == ["f_coord", "f_catalyst", "i_confidant", "i_catalyst"]
    labels = {o.id: o.label for o in view.options}
    assert labels["f_coord"] == "Coordinator (formal)" and labels["i_confidant"] == "Confidant (informal)"
    assert labels["f_catalyst"] != labels["i_catalyst"]
    handle(Pick("f_catalyst", at="e.trunk"))  # untick one: the trunk is a selection
    view = handle(Done(at="e.trunk"))
    assert stored(db, pid)["e.trunk"] == ["f_coord", "i_confidant", "i_catalyst"]


@pytest.mark.parametrize("language", ["nl", "en", "tr", "ar", "fa", "pl", "uk", "so", "ti"])
def test_the_two_catalyst_roles_read_differently_in_every_language(language: str) -> None:
    from bot.flows.e_core import FORMAL_ROLES, INFORMAL_ROLES

    t = translations(language)
    formal = next(r for r in FORMAL_ROLES if r.id == "f_catalyst").label.translate(t)
    informal = next(r for r in INFORMAL_ROLES if r.id == "i_catalyst").label.translate(t)
    assert formal != informal


# --- 4. one answer changed in one step ----------------------------------------------------------


def test_one_answer_changed_from_my_answers_then_back_where_i_was(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "c.why")
    with db.session() as session:
        before = set(repo.load_progress(session, pid).position.completed)
    view = handle(OpenAnswers())
    assert view.kind is Kind.REVIEW and any(c.id == "_ret" for c in view.controls)
    view = handle(Pick("a", at="review.overview"))
    view = handle(Pick("who", at="review.overview"))
    assert view.key == "a.who"
    view = handle(TextInput("Fatima, voorzitter"))
    assert view.key == "c.why" and view.notice_kind is NoticeKind.SUCCESS  # where I was
    assert stored(db, pid)["a.who"] == "Fatima, voorzitter"
    with db.session() as session:
        assert set(repo.load_progress(session, pid).position.completed) == before
    # Looking without changing: back where I was as well.
    view = handle(OpenAnswers())
    view = handle(Resume(at="review.overview"))
    assert view.key == "c.why"
    view = handle(OpenAnswers())
    view = handle(Pick("b", at="review.overview"))
    view = handle(Pick("other_skills", at="review.overview"))
    view = handle(Back(at="b.other_skills"))
    assert view.key == "c.why"


def test_looking_at_an_exercise_again_never_makes_it_unfinished(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    go_to(handle, handle(Show()), "b.intro")
    handle(Back())  # into exercise A again
    handle(Restart())
    with db.session() as session:
        assert "a" in repo.load_progress(session, pid).position.completed


# --- 6. true counts ------------------------------------------------------------------------


def test_people_who_never_answered_are_listed_apart_and_not_counted(db: Database) -> None:
    with db.session() as session:
        workshop = repo.create_workshop(session, "Noord", "term:f")
        answered = repo.join(session, workshop, "term:amina", language="ar")
        silent = repo.join(session, workshop, "term:piet", language="nl")
        only_name = repo.join(session, workshop, "term:jan", language="nl")
        answered.display_name, silent.display_name, only_name.display_name = "Amina", "Piet", "Jan"
        repo.save_answers(session, answered.id, {"intro.name": "Amina", "a.seek": "contact"}, "ar")
        repo.save_answers(session, only_name.id, {"intro.consent": "yes", "intro.name": "Jan"}, "nl")
        data = repo.workshop_answers(session, workshop)
    assert has_answered({"a.seek": "x"}) and not has_answered({"intro.name": "Jan"})
    split = split_answered(data)
    assert [p.display_name for p in split.participants] == ["Amina"]
    assert {p.display_name for p in split.joined_only} == {"Piet", "Jan"}
    text = summary_text(data, EN, "en")
    assert "1 participant " in text and "Joined, no answers yet:" in text and "Piet" in text
    assert "not started: 0" in text  # who only joined is named apart, never counted as "not started"


# --- 7. small things ---------------------------------------------------------------------------


def test_prompts_name_the_control_of_the_transport() -> None:
    flows = workshop_flows("abcde", FULL)
    state = State(flows, {"intro.role": "volunteer"}, Position("b", "other_knowledge"), FULL)
    on_telegram = run(state, Show(), EN, BUTTONS).view.text
    in_terminal = run(state, Show(), EN, COMMANDS).view.text
    assert "press “Done”" in on_telegram and "/done" not in on_telegram
    assert "type /done" in in_terminal and "“Done”" not in in_terminal
    org = run(State(flows, {}, Position("intro", "org"), FULL), Show(), EN, COMMANDS).view.text
    assert "type /skip" in org
    # How a list is filled: one per message on Telegram, one per line in the terminal.
    assert "One per message" in on_telegram and "per message" not in in_terminal and "One per line" in in_terminal
    # Said under the first of a row of lists; the "Added" notice repeats it at every item.
    skills = run(State(flows, {"intro.role": "volunteer"}, Position("b", "other_skills"), FULL), Show(), EN, BUTTONS).view
    assert "One per message" not in skills.text and skills.text.startswith("(b) Skills")


def test_success_and_error_notices_differ(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    go_to(handle, handle(Show()), "b.other_knowledge")
    added = handle(TextInput("Ze kennen de families"))
    refused = handle(TextInput("   "))
    assert added.notice_kind is NoticeKind.SUCCESS and refused.notice_kind is NoticeKind.ERROR


@pytest.mark.parametrize(("language", "opening"), [("en", "“"), ("nl", "“"), ("pl", "„"), ("uk", "«"), ("fa", "«"), ("ar", "«"), ("ti", "«")])
def test_quotes_use_the_languages_own_marks(language: str, opening: str) -> None:
    flows = workshop_flows("abcde", FULL)
    state = State(flows, {"intro.role": "formal"}, Position("d", "power_recognise"), FULL)
    view = run(state, Pick("_about", at="d.power_recognise"), translations(language), BUTTONS).view
    assert view.text.split("\n\n")[1].startswith(opening)


def test_conversation_uses_the_workshop_length(db: Database) -> None:
    conversation, pid = start(db, length=SHORT)
    view = Conversation(db).handle(pid, Show()).outcome.view
    assert view.key == "intro.consent"
    given = walk(driver(conversation, pid), view, "formal", "s")
    assert "intro.org" not in given and "a.who" not in given


def test_workshops_made_before_the_two_lengths_keep_the_full_hand_out(database_url: str) -> None:
    from sqlalchemy import text

    old = Database(database_url, migrate=False)
    old.upgrade("0002")
    with old.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO workshops (code, title, exercises, reminder_hours, summary_hours, created_at) "
                "VALUES ('OLDCODE', 'Oud', '[\"a\"]', 48, 24, CURRENT_TIMESTAMP)"
            )
        )
    old.upgrade("head")
    with old.session() as session:
        assert repo.workshop_by_code(session, "OLDCODE").length == FULL
        assert repo.create_workshop(session, "Nieuw", "term:f").length == SHORT
    old.dispose()


def test_the_pack_shows_a_short_preparation_finished(db: Database) -> None:
    from bot.pack.views import compute

    conversation, pid = start(db, length=SHORT)
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "informal", "p")
    with db.session() as session:
        workshop = session.exec(repo.select(repo.Workshop)).one()
        data = split_answered(repo.workshop_answers(session, workshop))
    progress = compute(data).progress
    assert progress.exercises == ("a", "b", "c", "e")  # D is for the meeting in the short preparation
    assert [p.id for p in progress.finished] == [pid] and not progress.not_started


def test_the_short_pack_leaves_out_what_was_never_asked(db: Database) -> None:
    """No empty "according to themselves" columns, no empty tree: the short preparation asks neither,
    and the own strength belongs to the meeting in both (shown once somebody wrote it down)."""
    from bot.pack import build_pack

    handles = {}
    for length in (SHORT, FULL):
        conversation, pid = start(db, user=f"pack-{length}", length=length)
        handles[length] = handle = driver(conversation, pid)
        walk(handle, handle(Show()), "informal", "p")

    def packs():
        with db.session() as session:
            workshops = {w.length: w for w in session.exec(repo.select(repo.Workshop)).all()}
            return [build_pack(repo.workshop_answers(session, workshops[n]), "en") for n in (SHORT, FULL)]

    short, full = packs()
    assert "tree.png" not in short.images and "board-informal.png" in short.images
    assert "tree.png" in full.images
    assert "According to themselves" not in short.briefing and "According to themselves" not in full.briefing
    assert "According to themselves" not in short.html and "According to themselves" not in full.html
    assert "At the meeting each side says whether it fits" in short.html and "next to what that side" not in full.html
    handle = handles[FULL]  # at the meeting, from /myanswers: her own strength
    handle(OpenAnswers())
    handle(Pick("b", at="review.overview"))
    assert handle(Pick("own_skills", at="review.overview")).key == "b.own_skills"
    handle(TextInput("Ik spreek Arabisch en Nederlands"))
    handle(Done(at="b.own_skills"))
    short, full = packs()
    assert "According to themselves" in full.briefing and "According to themselves" in full.html
    assert "next to what that side wrote about its own strength" in full.html
    assert '<section id="tree">' not in short.html and '<section id="tree">' in full.html
    assert '<section id="roles">' in short.html  # the roles are asked in both


def test_at_the_meeting_one_question_leads_to_the_next(db: Database) -> None:
    """Answered from /myanswers at the meeting, one of the hand-out's meeting questions brings the next one
    of the same exercise not answered yet ("Saved." above it); Back leads out, to where the person was."""
    conversation, pid = start(db, user="meeting", length=FULL)
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "informal", "m")
    end = handle(Show())
    assert end.finished
    handle(OpenAnswers())
    handle(Pick("b", at="review.overview"))
    assert handle(Pick("own_skills", at="review.overview")).key == "b.own_skills"
    handle(TextInput("Ik spreek Arabisch en Nederlands"))
    following = handle(Done(at="b.own_skills"))
    assert (following.key, following.notice) == ("b.own_position", "Saved.")  # own_knowledge was before it
    handle(TextInput("Ik ken de moskee"))
    following = handle(Done(at="b.own_position"))
    assert following.key == "b.own_power"
    back = handle(Back(at="b.own_power"))
    assert back.key == end.key and back.finished and "Ik ken de moskee" in str(stored(db, pid)["b.own_position"])
    # A question of the walk, changed from the answers, still returns at once.
    handle(OpenAnswers())
    handle(Pick("a", at="review.overview"))
    assert handle(Pick("seek", at="review.overview")).key == "a.seek"
    assert handle(TextInput("Iets anders")).key == end.key


def test_a_question_skipped_from_my_answers_is_said_to_be_skipped_not_saved(db: Database) -> None:
    conversation, pid = start(db, user="skipper", length=FULL)
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "informal", "s")
    handle(OpenAnswers())
    handle(Pick("a", at="review.overview"))
    assert handle(Pick("inspiring", at="review.overview")).key == "a.inspiring"
    following = handle(Skip(at="a.inspiring"))  # the next meeting question comes, as after an answer
    assert (following.key, following.notice, following.notice_kind) == ("a.doubts", "You skipped this question.", NoticeKind.SUCCESS)
    end = handle(Skip(at="a.doubts"))
    assert end.finished and end.notice == "You skipped this question." and "a.doubts" not in stored(db, pid)
    # Answered, it is still "Saved."; skipped in the walk, the next question says enough.
    handle(OpenAnswers())
    handle(Pick("a", at="review.overview"))
    handle(Pick("doubts", at="review.overview"))
    assert handle(TextInput("Hoe vinden we elkaar?")).notice == "Saved."
    conversation, pid = start(db, user="walker", length=FULL)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "a.owngoals")
    assert handle(Skip(at=view.key)).notice is None


def test_d_asks_what_a_theme_means_only_when_it_is_recognised(db: Database) -> None:
    conversation, pid = start(db, user="d-no", length=FULL)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "d.power_recognise")
    assert handle(Pick("no", at=view.key)).key == "d.loyalty_recognise"  # not recognised: no "what does it mean"
    assert handle(Pick("yes", at="d.loyalty_recognise")).key == "d.loyalty_meaning"
    assert handle(Back(at="d.loyalty_meaning")).key == "d.loyalty_recognise"
    assert handle(Back(at="d.loyalty_recognise")).key == "d.power_recognise"  # Back skips it too
    handle(OpenAnswers())
    listed = [o.id for o in handle(Pick("d", at="review.overview")).options]
    assert "loyalty_meaning" in listed and "power_meaning" not in listed


def test_the_meetings_own_questions_can_be_skipped_and_are_listed_apart_until_answered(db: Database) -> None:
    conversation, pid = start(db, user="e-table", length=FULL)
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "informal", "t")
    assert all(s.optional for f in all_flows() for s in f.steps if s.at_meeting)
    flows = {f.id: f for f in workshop_flows("abcde", FULL)}
    chosen = stored(db, pid)["e.pitfalls"]
    meeting = [s for s in flows["e"].steps if s.at_meeting and (s.when is None or s.id in chosen)]
    overview = handle(OpenAnswers())
    # Not under the answers: apart, by name, in the overview of every answer.
    e_block = overview.text.split("E. ")[-1]
    assert "Still to answer at the meeting: What I need from the other; What we want to achieve together" in e_block
    assert next(o.label for o in overview.options if o.id == "e").startswith("Change or answer: E.")
    listing = handle(Pick("e", at="review.overview"))
    assert listing.text == "Which answer do you want to change, or which question of the meeting do you want to answer?"
    labels = [o.label for o in listing.options]
    assert [o.id for o in listing.options][-len(meeting) :] == [s.id for s in meeting]  # after the answers
    assert all(label.startswith("Still to answer at the meeting: ") for label in labels[-len(meeting) :])
    assert not any(label.startswith("Still to answer") for label in labels[: -len(meeting)])
    # Each can be skipped, as the meeting's questions of A and B: Skip leads to the next one.
    view = handle(Pick(meeting[0].id, at="review.overview"))
    for step, following in zip(meeting, [*meeting[1:], None], strict=True):
        assert view.key == f"e.{step.id}" and "_skip" in [c.id for c in view.controls], step.id
        view = handle(Skip(at=view.key))
        assert view.notice == "You skipped this question."
        if following is None:
            assert view.finished
    # Answered, one moves up among the answers; with all answered the exercise is only to change.
    handle(OpenAnswers())
    handle(Pick("e", at="review.overview"))
    handle(Pick("scribe", at="review.overview"))
    assert handle(TextInput("Fatma")).key == "e.notes"  # the next one not answered yet
    handle(OpenAnswers())
    listing = handle(Pick("e", at="review.overview"))
    scribe = next(o.label for o in listing.options if o.id == "scribe")
    assert scribe.startswith("At the meeting: Who writes the agreements down: ") and "Fatma" in scribe
    assert [o.id for o in listing.options].index("scribe") < [o.id for o in listing.options].index("need")


# --- the full hand-out's burden: reading on demand, nothing re-printed ------------------------


def test_the_closing_review_shows_every_answer_only_when_asked(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    given = {}
    view = handle(Show())
    for _ in range(300):
        if view.kind is Kind.REVIEW:
            break
        from tests.walk import answer_for

        for event in answer_for(view, "informal", "r", given):
            view = handle(event)
    # At the end of the walk: a few lines and buttons, not hundreds of words of answers again.
    assert view.kind is Kind.REVIEW and len(view.text.split()) < 25
    assert not any(answer in view.text for answer in given.values() if isinstance(answer, str) and " " in answer)
    ids = [o.id for o in view.options]
    assert ids[0] == "_all" and "finish" in ids and "a" in ids
    shown = handle(Pick("_all", at="review.overview"))
    assert shown.key == "review.overview" and given["a.seek"] in shown.text and len(shown.text.split()) > 200
    assert "_all" not in [o.id for o in shown.options] and "finish" in [o.id for o in shown.options]
    assert handle(Back(at="review.overview")).text == view.text  # back to the short screen
    # /myanswers is asking: every answer at once.
    opened = handle(OpenAnswers())
    assert given["a.seek"] in opened.text
    handle(Resume(at="review.overview"))
    assert handle(Pick("finish", at="review.overview")).finished


def test_role_descriptions_come_on_demand(db: Database) -> None:
    from bot.flows.e_core import FORMAL_ROLES as ROLES

    conversation, pid = start(db)  # a formal worker: the formal roles are her own
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "e.roles_own")
    description = ROLES[0].description.msgid
    assert description not in view.text and ROLES[0].label.msgid in [o.label for o in view.options]
    about = next(c for c in view.controls if c.id == "_about")
    assert about.label == "ℹ️ What the roles mean"
    handle(Pick(ROLES[1].id, at="e.roles_own"))
    reply = conversation.handle(pid, Pick("_about", at="e.roles_own"))
    explained = reply.outcome.view
    assert reply.owes_prompt  # a new message with the descriptions, not a keyboard edit
    assert explained.key == "e.roles_own" and description in explained.text and explained.listed
    assert [o.id for o in explained.options if o.selected] == [ROLES[1].id]  # nothing changed
    assert not any(c.id == "_about" for c in explained.controls)
    tick = conversation.handle(pid, Pick(ROLES[2].id, at="e.roles_own"))
    assert not tick.owes_prompt  # a tick still edits only the buttons
    # The trunk, with the roles of both sides, explains them on demand too.
    trunk = go_to(handle, handle(Done(at="e.roles_own")), "e.trunk")
    assert any(c.id == "_about" for c in trunk.controls) and description not in trunk.text


def test_each_theme_gives_its_gist_and_its_quotes_on_demand() -> None:
    from bot.flows.d_obstacles import THEMES

    flows = workshop_flows("abcde", FULL)
    state = State(flows, {"intro.role": "formal"}, Position("d", "intro"), FULL)
    outcome = run(state, Done(at="d.intro"), EN, BUTTONS)
    view = outcome.view
    _id, title, gist, quotes = THEMES[0]
    assert view.key == "d.power_recognise" and view.kind is Kind.YESNO
    assert view.text.startswith(f"{title.msgid}. {gist.msgid} Do you recognise this?")
    assert not any(q.text.msgid[:40] in view.text for q in quotes) and "—" not in view.text  # 750 words not pushed
    read = next(c for c in view.controls if c.id == "_about")
    assert read.label == "📖 Read the quotes"
    opened = run(State(flows, {"intro.role": "formal"}, outcome.position, FULL), Pick("_about", at=view.key), EN, BUTTONS)
    assert opened.changes == {} and opened.view.key == "d.power_recognise"  # the same question, nothing stored
    assert all(q.text.msgid[:40] in opened.view.text and f"— {q.source.msgid}" in opened.view.text for q in quotes)
    assert not any(c.id == "_about" for c in opened.view.controls)
    answered = run(State(flows, {"intro.role": "formal"}, opened.position, FULL), Pick("yes", at=view.key), EN, BUTTONS)
    assert answered.changes == {"d.power_recognise": "yes"} and answered.view.key == "d.power_meaning"
    assert any(c.id == "_skip" for c in answered.view.controls)  # after "no" there may be nothing to say
    for key in ("c.what", "c.roles", "c.conditions"):  # C's "extra" design beyond its goal
        flow_id, step_id = key.split(".")
        shown = run(State(flows, {"intro.role": "formal"}, Position(flow_id, step_id), FULL), Show(), EN, BUTTONS).view
        assert any(c.id == "_skip" for c in shown.controls), key
    assert [s.id for s in flow_by_id("d").steps if s.kind is Kind.INFO] == ["intro"]


def test_box_1_and_the_examples_of_c_are_described_on_demand() -> None:
    flows = workshop_flows("abcde", FULL)
    for key, label in (("a.focus", "ℹ️ What Box 1 says"), ("c.appeal", "ℹ️ What the examples are")):
        flow_id, step_id = key.split(".")
        step = next(s for s in flow_by_id(flow_id).steps if s.id == step_id)
        state = State(flows, {"intro.role": "volunteer"}, Position(flow_id, step_id), FULL)
        view = run(state, Show(), EN, BUTTONS).view
        described = [o for o in step.options if o.description is not None]
        assert described and not any(o.description.msgid in view.text for o in described)
        assert [o.label for o in view.options][: len(described)] == [o.label.msgid for o in described]
        assert next(c for c in view.controls if c.id == "_about").label == label
        explained = run(state, Pick("_about", at=key), EN, BUTTONS).view
        assert all(o.description.msgid in explained.text for o in described), key


@pytest.mark.parametrize("language", ["nl", "en", "tr", "ar", "fa", "pl", "uk", "so", "ti"])
def test_an_options_description_does_not_repeat_its_label(language: str) -> None:
    """Described on demand, an option reads "label: description": Box 1 said "Focus on the family: Focus on the
    family, the individual parent or child: …". Each is said once, in every language and every flow."""
    t = translations(language)
    flows = workshop_flows("abcde", FULL)
    state = State(flows, {"intro.role": "volunteer"}, Position("a", "focus"), FULL)
    explained = run(state, Pick("_about", at="a.focus"), t, BUTTONS).view.text
    for option in (o for s in flow_by_id("a").steps if s.id == "focus" for o in s.options if o.description is not None):
        label = option.label.translate(t)
        assert f"{label}: {option.description.translate(t)}" in explained
        assert f"{label}: {label}" not in explained
    for flow in all_flows():
        for step in flow.steps:
            for option in step.options:
                if option.description is not None:
                    label, description = option.label.translate(t), option.description.translate(t)
                    assert not description.casefold().startswith(label.casefold()), (flow.key(step), option.id, description)


def test_the_trunk_offers_the_roles_named_before() -> None:
    from bot.flows.e_core import FORMAL_ROLES, INFORMAL_ROLES

    flows = workshop_flows("abcde", FULL)
    own, other = [INFORMAL_ROLES[0].id, INFORMAL_ROLES[3].id], [FORMAL_ROLES[2].id]
    answers = {"intro.role": "volunteer", "e.roles_own": own, "e.roles_other": other}
    view = run(State(flows, answers, Position("e", "trunk"), FULL), Show(), EN, BUTTONS).view
    # The hand-out: name roles for yourself and the other, then choose the trunk's five or six from them.
    assert sorted(o.id for o in view.options) == sorted(own + other)
    assert all(o.selected for o in view.options)
    labels = " ".join([view.text, *(o.label for o in view.options)])
    assert "(formal)" in labels and "(informal)" in labels
    # More named than the trunk holds: all offered, none ticked (ticking the first would choose one side).
    many = {"intro.role": "volunteer", "e.roles_own": [r.id for r in INFORMAL_ROLES[:6]], "e.roles_other": [r.id for r in FORMAL_ROLES[:6]]}
    crowded = run(State(flows, many, Position("e", "trunk"), FULL), Show(), EN, BUTTONS).view
    assert len(crowded.options) == 12 and not any(o.selected for o in crowded.options)
    # Nobody named a role: every role of both sides is offered.
    nothing = {"intro.role": "volunteer", "e.roles_own": [], "e.roles_other": []}
    everything = run(State(flows, nothing, Position("e", "trunk"), FULL), Show(), EN, BUTTONS).view
    assert len(everything.options) == len(FORMAL_ROLES) + len(INFORMAL_ROLES)


def test_the_consent_names_what_the_preparation_asks() -> None:
    for length, organisation in ((SHORT, False), (FULL, True)):
        flows = workshop_flows("abcde", length)
        for language in ("en", "nl", "ar"):
            t = translations(language)
            view = run(State(flows, {}, None, length), Show(), t, BUTTONS).view
            assert view.key == "intro.consent" and "{stored}" not in view.text
            stored = t.gettext(
                "your answers (typed or spoken), the name you give, your role and organisation, your language, how "
                "far you are, and your Telegram user id and chat id (to send you messages)"
            )
            assert (stored in view.text) is organisation, (length, language)
            asks = "intro.org" in shown_keys(length)
            assert asks is organisation


def test_arabic_and_farsi_join_items_with_their_own_semicolon() -> None:
    from bot.engine.render import format_answer

    step = next(s for s in flow_by_id("b").steps if s.id == "other_skills")
    assert format_answer(step, ["أ", "ب"], translations("ar")) == "\u2068أ\u2069؛ \u2068ب\u2069"
    assert "؛ " in format_answer(step, ["a", "b"], translations("fa"))
    assert "; " in format_answer(step, ["a", "b"], translations("nl"))


@pytest.mark.parametrize("language", ["en", "ar", "ti"])
def test_joined_labels_drop_their_own_full_stop_before_the_separator(db: Database, language: str) -> None:
    """Box 2's goals and the pitfalls are sentences: chosen together they read "a; b.", not "a.; b."."""
    from bot.engine.render import separator
    from bot.flows.e_core import PITFALLS

    t = translations(language)
    conversation, pid = start(db, user=f"stops-{language}", length=FULL)
    with db.session() as session:
        repo.participations(session, f"term:stops-{language}")[0][0].language = language
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "informal", "p")
    pitfalls = stored(db, pid)["e.pitfalls"]
    assert len(pitfalls) == 2
    text = handle(OpenAnswers()).text
    sep = separator(t).strip()
    assert sep in text and not [stop for stop in ".።" if stop + sep in text], text
    first, second = (next(p for p in PITFALLS if p.id == chosen).label.translate(t) for chosen in pitfalls)
    assert first[:-1] + separator(t) + second in text and first[-1] in ".።"
    # Typed items of a list too (the last one keeps its full stop), and what a later step fills in.
    step = next(s for s in flow_by_id("b").steps if s.id == "other_skills")
    from bot.engine.render import format_answer

    assert format_answer(step, ["Ze spreken de taal.", "Ze kennen de weg."], t) == separator(t).join(["⁨Ze spreken de taal⁩", "⁨Ze kennen de weg.⁩"])
    answers = {"intro.consent": "yes", "intro.name": "Amina.", "intro.role": "volunteer", "intro.org": "Al Amal."}
    who = run(State(workshop_flows("abcde", FULL), answers, Position("a", "who"), FULL), Show(), t, BUTTONS).view
    assert "Amina" + separator(t) in who.text and "Al Amal." in who.text and "." + sep not in who.text


def test_an_item_added_is_confirmed_without_the_question_again() -> None:
    from bot.transports.telegram.rendering import render_view

    flows = workshop_flows("abcde", FULL)
    state = State(flows, {"intro.role": "volunteer"}, Position("b", "other_knowledge"), FULL)
    first = run(state, TextInput("Ze kennen de regels"), EN, BUTTONS)
    view = first.view
    assert view.text.startswith("(a) Knowledge") and view.again == "1. \u2068Ze kennen de regels\u2069"  # one item: no heading
    sent = "\n".join(render_view(view, "en").messages)
    assert "Knowledge" not in sent and "B · step" not in sent and "Added." in sent and "Ze kennen de regels" in sent
    labels = [c.label for c in view.controls]
    assert "Skip" not in labels and "Empty the list" not in labels and "Done" in labels  # one item: its ✖ empties it
    second = run(State(flows, {**state.answers, **first.changes}, first.position, FULL), TextInput("De taal"), EN, BUTTONS)
    assert "Empty the list" in [c.label for c in second.view.controls]
    assert second.view.again.startswith("Your list so far:\n1. ")  # two: the list under its heading
    assert run(State(flows, {**state.answers, **second.changes}, second.position, FULL), Show(), EN, BUTTONS).view.again is None


# --- after the end: no crash, no error, a short note ------------------------------------------


def test_back_at_the_end_goes_to_the_last_question_answered(db: Database) -> None:
    conversation, pid = start(db, length=SHORT)
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "informal", "k")
    view = handle(Back())
    assert view.key == "e.pitfalls" and not view.finished and "e.pitfalls" in stored(db, pid)


def test_restart_at_the_end_says_there_is_no_exercise_in_progress(db: Database) -> None:
    conversation, pid = start(db, length=SHORT)
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "informal", "k")
    view = handle(Restart())
    assert view.finished and view.notice is None
    assert view.again is not None and "no exercise in progress" in view.again and "/myanswers" in view.again
    assert "Thank you" not in view.again


@pytest.mark.parametrize("event", [TextInput("hallo"), Skip(), Keep(), Done(), Pick("1"), UnknownCommand("/foo")])
def test_anything_after_the_end_gets_a_short_friendly_note(db: Database, event) -> None:
    from datetime import UTC, datetime

    conversation, pid = start(db, length=SHORT)
    set_meeting(db, datetime(2026, 12, 3, 18, 30, tzinfo=UTC))
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "informal", "k")
    before = stored(db, pid)
    view = handle(event)
    assert view.finished and view.notice is None  # not an error
    assert view.again is not None and view.again.startswith("You have finished the preparation.")
    assert "/myanswers" in view.again and "The meeting is on Thursday, December 3, 2026" in view.again
    assert "Thank you" not in view.again  # not the whole closing message again
    assert stored(db, pid) == before
    assert handle(OpenAnswers()).kind is Kind.REVIEW  # /myanswers still opens the answers


# --- a remove button takes off only the item it showed ------------------------------------------


def test_an_old_remove_button_never_removes_another_item(db: Database) -> None:
    conversation, pid = start(db, length=SHORT)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "b.other_knowledge", side="formal")
    first = handle(TextInput("EERSTE"))
    second = handle(TextInput("TWEEDE"))
    old_first, new_first = first.options[0].id, second.options[0].id
    assert old_first == new_first and old_first.startswith("_rm1.")  # both show "1. EERSTE"
    view = handle(Pick(new_first, at=view.key))
    assert [o.label for o in view.options] == ["TWEEDE"]
    # The older message still shows "1. EERSTE": its ✖ 1 must not take TWEEDE off.
    view = handle(Pick(old_first, at=view.key))
    assert view.notice_kind is NoticeKind.ERROR and "earlier version of your list" in (view.notice or "")
    assert view.again is not None and "TWEEDE" in view.again
    assert stored(db, pid)["b.other_knowledge"] == ["TWEEDE"]
    # A button whose item moved up takes off that very item.
    handle(TextInput("DERDE"))
    old_second = handle(TextInput("VIERDE")).options[1].id  # "2. DERDE"
    handle(Pick(handle(Show()).options[0].id, at=view.key))  # TWEEDE off: DERDE is 1 now
    view = handle(Pick(old_second, at=view.key))
    assert view.notice_kind is NoticeKind.SUCCESS and "DERDE" in (view.notice or "")
    assert stored(db, pid)["b.other_knowledge"] == ["VIERDE"]
    # A forged mark removes nothing; the terminal's plain number still works on the list as shown.
    handle(Pick("_rm1.000000", at=view.key))
    assert stored(db, pid)["b.other_knowledge"] == ["VIERDE"]
    handle(Pick("_rm1", at=view.key))
    assert stored(db, pid)["b.other_knowledge"] == []


# --- a change of side files nothing under the wrong side -----------------------------------------


def test_changing_to_the_other_side_asks_the_side_questions_again(db: Database) -> None:
    from bot.flows.e_core import INFORMAL_ROLES

    conversation, pid = start(db, length=SHORT)
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "formal", "f")
    before = stored(db, pid)
    assert before["intro.role"] == "formal" and before["b.other_knowledge"]
    handle(OpenAnswers())
    handle(Pick("intro", at="review.overview"))
    view = handle(Pick("role", at="review.overview"))
    view = handle(Pick("volunteer", at="intro.role"))
    # Warned, and straight to the first question about the other side, now worded for a volunteer.
    assert view.key == "b.other_knowledge" and "other side" in (view.notice or "")
    assert "formal workers know" in view.text and not view.options  # the old list is not shown as this one
    after = stored(db, pid)
    side_keys = {k for k in before if k.startswith(("b.other_", "e.roles_"))}
    assert side_keys and not side_keys & set(after)  # nothing left filed under the wrong side
    assert {k: v for k, v in after.items() if k != "intro.role"} == {k: v for k, v in before.items() if k not in side_keys and k != "intro.role"}
    asked = []
    for _ in range(20):
        if view.finished:
            break
        asked.append(view.key)
        if view.kind is Kind.LIST:
            handle(TextInput(f"nieuw {view.key}"))
            view = handle(Done(at=view.key))
        else:
            view = handle(Pick(view.options[0].id, at=view.key))
            view = handle(Done(at=view.key))
    assert asked == ["b.other_knowledge", "b.other_skills", "b.other_position", "b.other_power", "e.roles_own", "e.roles_other"]
    assert view.finished  # then back at the end
    final = stored(db, pid)
    assert final["b.other_power"] == ["nieuw b.other_power"]
    assert set(final["e.roles_own"]) <= {r.id for r in INFORMAL_ROLES}
    # A role on the same side changes nothing else.
    handle(OpenAnswers())
    handle(Pick("intro", at="review.overview"))
    handle(Pick("role", at="review.overview"))
    view = handle(Pick("keyfigure", at="intro.role"))
    assert view.notice_kind is NoticeKind.SUCCESS and stored(db, pid)["b.other_power"] == ["nieuw b.other_power"]
