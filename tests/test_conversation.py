"""The engine over a real database: walks, navigation, resume after a restart, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlmodel import select

from bot.conversation import AlreadyHandled, Conversation
from bot.engine import (
    Back,
    Done,
    Event,
    Keep,
    Kind,
    NonText,
    NoticeKind,
    OpenAnswers,
    Pick,
    PickMany,
    Restart,
    Show,
    Skip,
    TextInput,
    UnknownCommand,
    View,
)
from bot.engine.runner import MAX_TEXT
from storage import Answer, Database, Participant, inbox
from storage import hotpath as hot
from storage import repository as repo
from storage.models import utcnow
from tests.walk import walk


def start(
    db: Database, user: str = "u1", exercises: list[str] | None = None, length: str = "full"
) -> tuple[Conversation, int]:
    with db.session() as session:
        workshop = repo.create_workshop(session, "Wijk Noord", "term:fac", exercises=exercises, length=length)
        participant = repo.join(session, workshop, f"term:{user}", language="en")
        pid = participant.id
    assert pid is not None
    return Conversation(db), pid


def driver(conversation: Conversation, pid: int):
    def handle(event: Event) -> View:
        return conversation.handle(pid, event).outcome.view

    return handle


def stored(db: Database, pid: int) -> dict[str, object]:
    with db.session() as session:
        rows = session.exec(select(Answer).where(Answer.participant_id == pid))
        return {f"{a.exercise}.{a.step}": a.value for a in rows}


def go_to(handle, view: View, key: str, side: str = "formal") -> View:
    """Answer validly until the step ``key`` is shown; the trunk with no roles chosen before it."""
    from tests.walk import answer_for

    for _ in range(300):
        if view.key == key:
            return view
        if key == "e.trunk" and view.key in ("e.roles_own", "e.roles_other"):
            view = handle(Done(at=view.key))  # nothing chosen: the trunk starts empty
            continue
        for event in answer_for(view, side, "x", {}):
            view = handle(event)
    raise AssertionError(f"never reached {key}")


@pytest.mark.parametrize("side", ["formal", "informal"])
def test_every_exercise_walked_and_every_answer_stored(db: Database, side: str) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    given = walk(handle, handle(Show()), side, side)
    answers = stored(db, pid)
    assert answers == given
    # Every exercise was visited: at least one answer in each.
    assert {key.split(".")[0] for key in answers} == {"intro", "a", "b", "c", "d", "e"}
    # Side-specific steps: roles offered are the participant's own side's.
    own_roles = answers["e.roles_own"]
    assert all(r.startswith("f_" if side == "formal" else "i_") for r in own_roles)
    with db.session() as session:
        participant = session.get(Participant, pid)
        assert participant.display_name == f"{side} intro.name antwoord"
        assert participant.role == ("formal" if side == "formal" else "keyfigure")
        assert participant.consent_at is not None
        position = repo.load_progress(session, pid).position
        assert position.finished and set(position.completed) >= {"intro", "a", "b", "c", "d", "e", "review"}


def test_back_shows_the_answer_and_lets_it_change(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "a.who")
    view = handle(TextInput("Fatima, sleutelfiguur"))
    assert view.key == "a.does"
    view = handle(Back())
    assert view.key == "a.who"
    assert "Fatima, sleutelfiguur" in view.text
    assert any(c.id == "_keep" for c in view.controls)
    view = handle(TextInput("Fatima, voorzitter"))
    assert view.key == "a.does"
    assert stored(db, pid)["a.who"] == "Fatima, voorzitter"
    # Keep leaves it as it is.
    handle(Back())
    view = handle(Keep(at="a.who"))
    assert view.key == "a.does" and stored(db, pid)["a.who"] == "Fatima, voorzitter"


def test_back_crosses_into_the_previous_exercise_and_stops_at_the_first_question(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "a.intro")
    view = handle(Back())
    assert view.key == "intro.org"
    for _ in range(4):
        view = handle(Back())
    assert view.key == "intro.consent"
    view = handle(Back())
    assert view.key == "intro.consent" and view.notice


def test_skip_optional_only(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "a.who")
    view = handle(Skip())
    assert view.key == "a.who" and view.notice  # required
    view = go_to(handle, view, "a.owngoals")
    assert any(c.id == "_skip" for c in view.controls)
    view = handle(Skip())
    assert view.key == "a.seek"
    assert "a.owngoals" not in stored(db, pid)


def test_progress_counts_shown_steps(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "b.other_skills")
    # The full name on its first step; the own strength and b.reaction are for the meeting.
    assert view.header == "B · step 3 of 7"


def test_restart_exercise_keeps_answers(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "b.other_position")
    before = stored(db, pid)
    assert before["b.other_knowledge"]
    view = handle(Restart())
    assert view.key == "b.intro"
    assert stored(db, pid) == before
    view = handle(Done(at="b.intro"))
    assert view.key == "b.other_knowledge" and "punt 1" in view.text


def test_resume_after_restart_at_the_same_step(database_url: str) -> None:
    db = Database(database_url)
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "c.why")
    handle(TextInput("omdat het werkt"))
    answers = stored(db, pid)
    db.dispose()

    again = Database(database_url)  # a new process: new engine, same database
    view = Conversation(again).handle(pid, Show()).outcome.view
    assert view.key == "c.design_intro"
    assert stored(again, pid) == answers
    again.dispose()


def test_exercises_left_out_of_a_workshop_are_not_asked(db: Database) -> None:
    conversation, pid = start(db, exercises=["b", "e"])
    handle = driver(conversation, pid)
    keys = set(walk(handle, handle(Show()), "formal", "t"))
    assert {k.split(".")[0] for k in keys} == {"intro", "b", "e"}


def test_consent_refused_before_joining_stores_nothing(db: Database) -> None:
    with db.session() as session:
        workshop = repo.create_workshop(session, "Wijk Noord", "term:fac")
        code = workshop.code
    conversation = Conversation(db)
    view = conversation.consent_view(workshop, "en")
    assert view.key == "intro.consent" and "/forget" in view.text and "30 days" in view.text
    conversation.consent_declined("term:u1")
    with db.session() as session:
        assert session.exec(select(Participant)).all() == []
        assert session.exec(select(repo.Account)).all() == []
    reply = conversation.consent_given(code, "term:u1", None, "en")
    assert reply is not None and reply.outcome.view.key == "intro.pack"
    assert stored(db, reply.participant_id) == {"intro.consent": "yes"}


def test_consent_taken_back_erases_the_participant(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "a.who")
    assert stored(db, pid)
    reply = conversation.handle(pid, Pick("no", at="intro.consent"))  # a stale button: nothing happens
    assert not reply.erased
    for _ in range(6):
        view = handle(Back())
    assert view.key == "intro.consent"
    reply = conversation.handle(pid, Pick("no", at="intro.consent"))
    assert reply.erased
    with db.session() as session:
        assert session.get(Participant, pid) is None
        assert session.exec(select(Answer)).all() == []
        assert session.exec(select(repo.Workshop)).one().left_count == 1


# --- bad input at every kind of step: a message, the same step, nothing lost -------------

BAD_TEXT = ["", "   \n\t ", "x" * (MAX_TEXT + 1)]


@pytest.mark.parametrize(
    ("key", "events"),
    [
        ("a.who", [TextInput(t) for t in BAD_TEXT] + [Pick("formal"), NonText(), UnknownCommand("/foo")]),  # text
        ("a.owngoals", [TextInput(t) for t in BAD_TEXT] + [NonText(), Pick("fg1")]),  # list
        ("a.focus", [TextInput("family"), Pick("nope"), Pick("family", at="a.groups"), NonText(), PickMany(("family",))]),  # choice
        ("d.power_recognise", [TextInput("ja"), Pick("maybe"), NonText(), Done(at="d.power_recognise")]),  # yes/no
        ("b.intro", [TextInput("hallo"), Pick("yes"), NonText()]),  # information
        (
            "e.trunk",
            [Done(at="e.trunk"), Pick("zz"), PickMany(("f_coord", "f_fixer", "f_link", "f_network", "f_organiser", "f_catalyst", "f_expert")), TextInput("1")],
        ),  # multiple choice: min 1, max 6, forged, wrong type
    ],
)
def test_bad_input_gets_a_message_and_the_same_step(db: Database, key: str, events: list[Event]) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    go_to(handle, handle(Show()), key)
    before = stored(db, pid)
    for event in events:
        again = handle(event)
        assert again.key == key, event
        assert again.notice, event
        assert stored(db, pid) == before, event


def test_keep_on_a_multiple_choice_checks_the_minimum(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "e.trunk")
    view = handle(Pick("f_coord", at="e.trunk"))
    view = handle(Pick("f_coord", at="e.trunk"))  # ticked and unticked: stored as an empty choice
    view = handle(Keep(at="e.trunk"))
    assert view.key == "e.trunk" and "at least 1" in view.notice


def test_more_than_the_maximum_roles_is_refused_one_by_one(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "e.trunk")
    ids = [o.id for o in view.options]
    for option in ids[:6]:
        view = handle(Pick(option, at="e.trunk"))
        assert view.notice is None
    view = handle(Pick(ids[6], at="e.trunk"))
    assert "at most 6" in view.notice
    assert stored(db, pid)["e.trunk"] == ids[:6]
    view = handle(Pick(ids[0], at="e.trunk"))  # untick
    assert stored(db, pid)["e.trunk"] == ids[1:6]
    assert [o.selected for o in view.options][:7] == [False, True, True, True, True, True, False]


def test_stale_button_changes_nothing(db: Database) -> None:
    conversation, pid = start(db)
    go_to(driver(conversation, pid), driver(conversation, pid)(Show()), "a.groups")
    before = stored(db, pid)
    reply = conversation.handle(pid, Pick("community", at="a.focus"))
    assert reply.outcome.stale and reply.outcome.view.key == "a.groups"
    assert stored(db, pid) == before


def test_choice_options_follow_an_earlier_answer(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "a.focus")
    view = handle(Pick("community", at="a.focus"))
    assert view.key == "a.goals"
    assert [o.id for o in view.options] == ["cg1", "cg2", "cg3", "cg4", "cg5"]
    handle(Back())
    view = handle(Pick("both", at="a.focus"))
    assert len(view.options) == 11


def test_pitfall_questions_follow_the_chosen_pitfalls(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    view = go_to(handle, handle(Show()), "e.pitfalls")
    view = handle(PickMany(("p_balance", "p_coordination")))
    assert view.key == "e.pitfalls" and {o.id for o in view.options if o.selected} == {"p_balance", "p_coordination"}
    view = handle(PickMany(("p_structure",)))  # more numbers add to the ticks, they never replace them
    assert {o.id for o in view.options if o.selected} == {"p_balance", "p_coordination", "p_structure"}
    view = handle(Pick("p_structure", at="e.pitfalls"))
    view = handle(Done(at="e.pitfalls"))
    # What a pitfall means "in your case" is discussed at the table: not asked beforehand, but there
    # to answer from /myanswers, for the pitfalls chosen only.
    assert view.key == "review.overview"
    handle(OpenAnswers())
    options = handle(Pick("e", at="review.overview")).options
    listed = [o.id for o in options]
    assert {"p_balance", "p_coordination"} <= set(listed) and not {"p_structure", "p_diversity"} & set(listed)
    assert next(o.label for o in options if o.id == "p_balance").startswith("Still to answer at the meeting: ")
    assert not next(o.label for o in options if o.id == "pitfalls").startswith(("At the meeting", "Still to answer"))
    view = handle(Pick("p_balance", at="review.overview"))
    assert view.key == "e.p_balance" and "burden" in view.text
    handle(TextInput("te veel werk voor vrijwilligers"))
    assert stored(db, pid)["e.p_balance"] == "te veel werk voor vrijwilligers"


def test_review_lets_one_answer_be_changed_and_ends_again(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    walk(handle, handle(Show()), "informal", "r")
    view = handle(Show())
    assert view.kind is Kind.REVIEW and view.finished and not view.options and not view.controls
    view = handle(OpenAnswers())
    assert "r a.who antwoord" in view.text and not view.finished
    view = handle(Pick("c", at="review.overview"))
    assert [o.id for o in view.options][:2] == ["appeal", "why"]
    view = handle(Pick("why", at="review.overview"))
    assert view.key == "c.why" and "r c.why antwoord" in view.text
    view = handle(TextInput("nieuw waarom"))
    assert view.finished and view.notice_kind is NoticeKind.SUCCESS  # back to the end, in one step
    assert stored(db, pid)["c.why"] == "nieuw waarom"
    with db.session() as session:
        position = repo.load_progress(session, pid).position
        assert position.finished and {"a", "b", "c", "d", "e"} <= set(position.completed)


def test_exercise_taken_out_of_the_workshop_midway(db: Database) -> None:
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    go_to(handle, handle(Show()), "b.other_skills")
    with db.session() as session:
        workshop = session.exec(select(repo.Workshop)).one()
        workshop.exercises = ["a", "c", "d", "e"]
        session.add(workshop)
    view = handle(Show())
    assert view.key == "c.intro"  # the next unfinished exercise; what was done stays done
    with db.session() as session:
        assert set(repo.load_progress(session, pid).position.completed) == {"intro", "a"}


def test_answers_cannot_be_opened_before_consent(db: Database) -> None:
    from bot.engine import OpenAnswers

    conversation, pid = start(db)
    handle = driver(conversation, pid)
    first = handle(Show())
    view = handle(OpenAnswers())
    assert view.key == first.key and view.notice is not None  # still at the welcome, told why
    assert "review" not in view.key


def test_a_delivered_prompt_kept_for_later_is_written_by_the_next_event_and_a_lost_one_is_owed_again(db: Database) -> None:
    """prompt_shown(later=True): written first thing by the participant's next event (what typed text is
    bound to depends on it); lost in a crash, the update is found applied and the prompt stays owed."""
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    text_step = go_to(handle, handle(Show()), "intro.name")
    conversation.prompt_shown(pid, 800, text_step.key)  # on screen, written at once
    with db.session() as session:
        inbox.store(session, [(501, 77, {"update_id": 501})], utcnow())
    reply = conversation.handle_for("term:u1", TextInput("Amina"), update_id=501, message_id=801)
    following = reply.outcome.view.key
    assert reply.owes_prompt and following != text_step.key

    conversation.prompt_shown(pid, 900, following, done_update=501, later=True)
    assert position_of(db, pid).prompt_message_id == 800 and pending_updates(db) == 1  # kept, not written

    lost = Conversation(db)  # the process died before writing it: the update comes again
    with pytest.raises(AlreadyHandled):
        lost.handle_for("term:u1", TextInput("Amina"), update_id=501, message_id=801)
    assert position_of(db, pid).prompt_pending  # still owed: the outbox sends the prompt again

    shown = conversation.handle_for("term:u1", Show())  # the next event writes it first, in its transaction
    assert shown.prompt_message_id == 900 and shown.previous_kind is not Kind.TEXT
    position = position_of(db, pid)
    assert (position.prompt_message_id, position.prompt_key, position.previous_prompt_key) == (900, following, text_step.key)
    assert pending_updates(db) == 0  # the update it answered is done

    conversation.prompt_shown(pid, 901, following, later=True)  # no next event: the batch writes it
    assert conversation.flush_shown() == 1 and position_of(db, pid).prompt_message_id == 901
    assert conversation.flush_shown() == 0


def position_of(db: Database, pid: int) -> repo.Position:
    with db.session() as session:
        position = session.get(repo.Position, pid)
        assert position is not None
        return position


def pending_updates(db: Database) -> int:
    with db.session() as session:
        return inbox.pending_count(session)


def test_a_state_read_before_a_batch_of_delivered_prompts_committed_is_read_again(db: Database) -> None:
    """An event's transaction may read the participant's state, then a batch (flush_shown) writes their
    delivered prompt and commits, then the event looks for prompts kept for later: it must not go on
    with what it read (typed text would be bound to the prompt before)."""
    conversation, pid = start(db)
    step = driver(conversation, pid)(Show())
    conversation.prompt_shown(pid, 700, step.key)
    conversation.prompt_shown(pid, 701, step.key, later=True)
    reads: list[int] = []
    with db.session() as session:
        def read() -> hot.State | None:
            found = hot.state_of(session.connection(), pid)
            reads.append(found.position.prompt_message_id)
            if len(reads) == 1:
                assert conversation.flush_shown() == 1  # committed after that read
            return found

        found = conversation._catch_up([], read)
    assert reads == [700, 701] and found is not None and found.position.prompt_message_id == 701


def test_a_batch_committed_before_the_state_read_costs_no_second_read(db: Database) -> None:
    """The usual case under load: the batch wrote the delivered prompt well before the participant's next
    event; that event's one read already sees it."""
    conversation, pid = start(db)
    step = driver(conversation, pid)(Show())
    conversation.prompt_shown(pid, 701, step.key, later=True)
    assert conversation.flush_shown() == 1
    reads: list[int] = []
    with db.session() as session:
        def read() -> hot.State | None:
            found = hot.state_of(session.connection(), pid)
            reads.append(found.position.prompt_message_id)
            return found

        found = conversation._catch_up([], read)
    assert reads == [701] and found is not None


class Statements:
    """The SQL statements (and commits) an engine runs while this is open."""

    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.seen: list[str] = []

    def _statement(self, _conn, _cursor, statement: str, *_args) -> None:
        self.seen.append(" ".join(statement.split()[:3]))

    def _commit(self, _conn) -> None:
        self.seen.append("COMMIT")

    def __enter__(self) -> Statements:
        sa_event.listen(self.engine, "before_cursor_execute", self._statement)
        sa_event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *_exc: object) -> None:
        sa_event.remove(self.engine, "before_cursor_execute", self._statement)
        sa_event.remove(self.engine, "commit", self._commit)


def test_a_typed_answer_is_five_statements_and_one_commit(db: Database) -> None:
    """The hot path (issue 12): the state (one read), the update it came from applied together with the one the
    prompt on screen answered marked done (one UPDATE), the answers, the answer upserted, the position with
    the prompt on screen (one UPDATE); one commit. Delivered prompts kept for later cost a batch two
    statements whatever the number of participants in it."""
    conversation, pid = start(db)
    handle = driver(conversation, pid)
    step = go_to(handle, handle(Show()), "a.does")
    with db.session() as session:
        inbox.store(session, [(601, 77, {"update_id": 601}), (602, 77, {"update_id": 602})], utcnow())
    conversation.prompt_shown(pid, 900, step.key, done_update=601, later=True)
    with Statements(db) as statements:
        reply = conversation.handle_for("term:u1", TextInput("Gezinnen steunen"), update_id=602, message_id=901)
    assert reply.outcome.accepted and reply.prompt_message_id == 900
    assert statements.seen == [
        "SELECT participants.id, participants.user_key,",
        "UPDATE inbox SET",
        "SELECT answers.exercise, answers.step,",
        "INSERT INTO answers",
        "UPDATE positions SET",
        "COMMIT",
    ]
    assert stored(db, pid)["a.does"] == "Gezinnen steunen" and pending_updates(db) == 1  # 601 done, 602 not yet
    position = position_of(db, pid)
    assert (position.step, position.prompt_message_id, position.prompt_key, position.prompt_pending) == (
        reply.outcome.view.key.split(".")[1], 900, step.key, True,
    )

    others = [start_in(db, conversation, f"u{n}") for n in (2, 3)]
    conversation.prompt_shown(pid, 902, reply.outcome.view.key, done_update=602, later=True)
    for other in others:
        conversation.prompt_shown(other, 903, "intro.welcome", later=True)
    with Statements(db) as statements:
        assert conversation.flush_shown() == 3
    assert statements.seen == ["UPDATE positions SET", "UPDATE inbox SET", "COMMIT"]
    assert pending_updates(db) == 0 and position_of(db, pid).prompt_message_id == 902


def start_in(db: Database, conversation: Conversation, user: str) -> int:
    """Another participant of the first workshop, at its first step."""
    with db.session() as session:
        workshop = session.exec(select(repo.Workshop)).first()
        pid = repo.join(session, workshop, f"term:{user}", language="en").id
    conversation.handle(pid, Show())
    return pid
