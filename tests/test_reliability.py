"""A live workshop's faults: duplicates, edits, fast typing, failed sends, database errors, busy chats.

Through the real PTB Application (as `python -m bot run` runs it: intake into the database inbox,
the dispatcher) against the fake Bot API, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.engine import Kind
from bot.transports.telegram.runtime import Runtime
from storage import Answer, Database, InboxUpdate, Position
from storage import inbox as inbox_store
from storage import repository as repo
from storage.models import utcnow
from tests.fake_bot_api import BOT_USER, FakeBotApi
from tests.telegram_helpers import Phone, Prompt, is_prompt, settings_for, start_app, stop_app

ADMIN, AMINA, SANNE = 1001, 3001, 3002


def new_workshop(db: Database, exercises: list[str] | None = None) -> str:
    with db.session() as session:
        return repo.create_workshop(session, "Wijk Noord", f"tg:{ADMIN}", exercises=exercises, facilitator_chat_id=ADMIN, length="full").code


async def join(phone: Phone, code: str) -> Prompt:
    mark = await phone.send(f"/start {code}")
    return await phone.prompt(mark)


async def walk_to(phone: Phone, prompt: Prompt, kind: Kind) -> Prompt:
    """Answer with buttons until a step of ``kind`` is shown."""
    for _ in range(30):
        if prompt.kind() is kind:
            return prompt
        if prompt.kind() is Kind.INFO:
            mark = await phone.press(f"a|{prompt.key}|_next", prompt.message_id)
        elif prompt.kind() is Kind.YESNO:
            mark = await phone.press(prompt.button("yes"), prompt.message_id)  # the consent: before joining
        elif prompt.kind() is Kind.CHOICE:
            option = "volunteer" if prompt.key == "intro.role" else prompt.option_ids()[0]
            mark = await phone.press(f"a|{prompt.key}|{option}", prompt.message_id)
        elif prompt.kind() is Kind.TEXT:
            mark = await phone.send(f"antwoord {prompt.key}")
        elif prompt.kind() is Kind.MULTI:
            mark = await phone.press(f"a|{prompt.key}|{prompt.option_ids()[0]}", prompt.message_id)
            await phone.reply(mark, "editMessageReplyMarkup")
            mark = await phone.press(f"a|{prompt.key}|_done", prompt.message_id)
        else:
            raise AssertionError(prompt.kind())
        prompt = await phone.prompt(mark)
    raise AssertionError(f"no {kind} step reached")


def stored(db: Database, user_id: int) -> tuple[dict[str, object], Position]:
    with db.session() as session:
        participant = repo.active_participant(session, f"tg:{user_id}")
        assert participant is not None and participant.id is not None
        answers = {f"{a.exercise}.{a.step}": a.value for a in session.exec(select(Answer).where(Answer.participant_id == participant.id))}
        position = session.get(Position, participant.id)
        assert position is not None
        return answers, position


def prompts_to(api: FakeBotApi, chat_id: int, after: int = 0) -> list[str]:
    """The step keys of the prompts sent to a chat, in order."""
    return [c.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("|")[1]
            for c in api.calls[after:] if is_prompt(c) and c.params.get("chat_id") == chat_id]  # fmt: skip


def text_update(phone: Phone, words: str) -> dict[str, Any]:
    return {"message": {"message_id": phone.api.next_message_id(phone.id), "date": int(time.time()), "chat": phone.chat, "from": phone.user, "text": words}}


async def settle(api: FakeBotApi, db: Database) -> None:
    """Wait until the bot has stored and handled every update sent so far."""
    for _ in range(200):
        with db.session() as session:
            last = session.get(InboxUpdate, api.last_update_id)
            if last is not None and last.done_at is not None and inbox_store.pending_count(session) == 0:
                return
        await _tick()
    raise AssertionError("the bot did not handle everything it received")


async def settle_prompt(db: Database, user_id: int) -> None:
    """Wait until the last prompt's delivery is recorded."""
    for _ in range(200):
        if not stored(db, user_id)[1].prompt_pending:
            return
        await _tick()
    raise AssertionError("the prompt stayed owed")


async def _tick() -> None:
    await asyncio.sleep(0.05)  # polling the database for a condition, not ordering events


# --- duplicates, edits, fast typing -------------------------------------------------------------


async def test_the_same_update_delivered_twice_is_handled_once(api: FakeBotApi, db: Database, unused_tcp_port: int) -> None:
    settings = settings_for(api, db, frozenset({ADMIN}), webhook_url="https://bot.example.org/telegram",
                            webhook_secret="hook-secret", webhook_listen="127.0.0.1", webhook_port=unused_tcp_port)  # fmt: skip
    runtime = Runtime(settings, db, webhook=True)
    await runtime.start()
    api.deliver_to(f"http://127.0.0.1:{unused_tcp_port}/telegram", "hook-secret")
    try:
        code = new_workshop(db)
        amina = Phone(api, AMINA, "en")
        prompt = await walk_to(amina, await join(amina, code), Kind.TEXT)
        text_key = prompt.key

        update = text_update(amina, "Amina, sleutelfiguur")
        mark = amina.mark()
        update_id = await api.push(update)
        after_text = await amina.prompt(mark)
        await api.push(update, update_id=update_id)  # Telegram retried the webhook: the same update again
        await settle(api, db)
        answers, position = stored(db, AMINA)
        assert answers[text_key] == "Amina, sleutelfiguur"
        assert after_text.key not in answers and position.step == after_text.key.split(".", 1)[1]
        assert prompts_to(api, AMINA, mark) == [after_text.key]  # no second prompt

        # A button press delivered twice, then pressed again (a double tap on the same button).
        choice = await walk_to(amina, after_text, Kind.CHOICE)
        option = choice.option_ids()[0]
        press = {"callback_query": {"id": "cb-dup", "from": amina.user, "chat_instance": "ci", "data": f"a|{choice.key}|{option}",
                                    "message": {"message_id": choice.message_id, "date": 0, "chat": amina.chat, "from": BOT_USER, "text": "…"}}}  # fmt: skip
        mark = amina.mark()
        press_id = await api.push(press)
        following = await amina.prompt(mark)
        await api.push(press, update_id=press_id)
        again = await amina.press(f"a|{choice.key}|{option}", choice.message_id)
        notice = await amina.reply(again)  # the press was answered at intake; the note comes with the current question
        assert "earlier question" in notice.params["text"] and is_prompt(notice)
        await settle(api, db)
        answers, position = stored(db, AMINA)
        assert answers[choice.key] == option and following.key not in answers
        assert position.step == following.key.split(".", 1)[1]
        # The delivery twice changed nothing; the second tap brought the current question again, saying why.
        assert prompts_to(api, AMINA, mark) == [following.key, following.key]
    finally:
        await runtime.stop()


def test_storing_takes_an_update_only_when_nothing_else_of_its_chat_is_pending_elsewhere(db: Database) -> None:
    """The storing transaction claims what a claim right after it would give this process, nothing more."""
    now, lease = utcnow(), timedelta(seconds=60)

    def store(update_id: int, chat_id: int, worker: str, room: int = 10) -> inbox_store.Taken:
        with db.engine.begin() as conn:
            return inbox_store.store_and_take(conn, [(update_id, chat_id, {"update_id": update_id})], now, worker=worker, lease=lease, room=room)

    def claim(worker: str) -> list[int]:
        with db.session() as session:
            return [c.update_id for c in inbox_store.claim(session, worker, now, lease, skip_chats=set(), limit=10)]

    first = store(1, 10, "a")  # a chat with nothing pending: taken by the process that stored it
    assert [(c.update_id, c.chat_id, c.attempts) for c in first.claimed] == [(1, 10, 1)] and first.waiting == set()
    again = store(2, 10, "a")  # the same chat while "a" holds update 1: "a" queues it behind
    assert [c.update_id for c in again.claimed] == [2] and again.new == 1
    other = store(3, 10, "b")  # another process may not take the chat "a" holds
    assert other.claimed == [] and other.waiting == {10}
    later = store(4, 10, "a")  # an older update of the chat is still to claim: not even its holder jumps it
    assert later.claimed == [] and later.waiting == {10}
    duplicate = store(1, 10, "a")
    assert duplicate.new == 0 and duplicate.claimed == []
    no_room = store(5, 11, "a", room=0)  # no room for another chat: left for the claim loop
    assert no_room.claimed == [] and no_room.waiting == {11}
    assert claim("b") == [5]  # chat 10 stays with "a" while its lease runs
    with db.engine.begin() as conn:
        for update_id in (1, 2):
            assert inbox_store.finish(conn, update_id, now)
    assert claim("b") == [3]  # then its next update, in order


@pytest.fixture
async def bot(api: FakeBotApi, db: Database):
    runtime = await start_app(api, db, frozenset({ADMIN}))
    yield runtime
    await stop_app(runtime)


async def test_an_edited_message_never_answers_the_current_question(api: FakeBotApi, bot: Runtime, db: Database) -> None:
    code = new_workshop(db)
    amina = Phone(api, AMINA, "en")
    prompt = await walk_to(amina, await join(amina, code), Kind.TEXT)
    update = text_update(amina, "First words")
    mark = amina.mark()
    await api.push(update)
    current = await amina.prompt(mark)

    edited = {"edited_message": {**update["message"], "text": "Other words", "edit_date": int(time.time())}}
    mark = amina.mark()
    await api.push(edited)
    note = await amina.reply(mark)
    assert "not saved" in note.params["text"]
    again = await amina.prompt(mark)
    assert again.key == current.key  # the same question again
    answers, position = stored(db, AMINA)
    assert answers[prompt.key] == "First words" and current.key not in answers
    assert f"{position.exercise}.{position.step}" == current.key


async def test_text_typed_before_the_next_question_arrived_is_not_filed_under_it(api: FakeBotApi, bot: Runtime, db: Database) -> None:
    code = new_workshop(db)
    amina = Phone(api, AMINA, "en")
    prompt = await walk_to(amina, await join(amina, code), Kind.TEXT)
    mark = amina.mark()
    await amina.send("The answer")
    await amina.send("and a second line")  # typed before the bot's next question came
    await settle(api, db)
    answers, position = stored(db, AMINA)
    assert answers[prompt.key] == "The answer"
    assert "and a second line" not in [v for v in answers.values()]
    notices = [c.params["text"] for c in api.sent_to(AMINA, mark) if "earlier question" in c.params.get("text", "")]
    assert len(notices) == 1
    next_key = f"{position.exercise}.{position.step}"
    assert prompts_to(api, AMINA, mark) == [next_key, next_key]  # the next question, then the same again with the note


async def test_a_chat_is_handed_on_only_once_its_last_prompt_is_on_record(api: FakeBotApi, db: Database) -> None:
    """A delivered prompt is written in a batch (shown.py), and the update it answered stays pending until
    then, so no process takes the chat's next update with the step before still on record. (The consent
    was marked done at once: with two workers the person's name was then refused as typed too late for
    the step before, and the question came twice.)"""
    code = new_workshop(db)
    bot = await start_app(api, db, frozenset({ADMIN}))
    bot.shown.delay = 3600  # no batch during this test
    try:
        amina = Phone(api, AMINA, "nl")
        consent = await join(amina, code)
        mark = await amina.press(consent.button("yes"), consent.message_id)
        following = await amina.prompt(mark)
        await bot.dispatcher.drain(timeout=10)  # the press is handled to the end
        with db.session() as session:
            position = session.exec(select(Position)).one()
            assert inbox_store.pending_count(session) == 1 and position.prompt_message_id is None
        assert await asyncio.to_thread(bot.shown.conversation.flush_shown) == 1
        with db.session() as session:
            position = session.exec(select(Position)).one()
            assert inbox_store.pending_count(session) == 0 and position.prompt_message_id == following.message_id
    finally:
        await stop_app(bot)


async def test_a_tick_is_marked_done_with_the_next_batch_not_in_a_transaction_of_its_own(api: FakeBotApi, db: Database) -> None:
    """A tick in a multiple choice answers with the buttons edited, no prompt: its update is marked done as a
    delivered prompt is (shown.py), by the participant's next event or the batch, so the chat stays with
    this process until then and the tick costs no transaction after its own (issue 12)."""
    code = new_workshop(db)
    bot = await start_app(api, db, frozenset({ADMIN}))
    bot.shown.delay = 3600  # no batch during this test
    try:
        amina = Phone(api, AMINA, "nl")
        multi = await walk_to(amina, await join(amina, code), Kind.MULTI)
        await bot.dispatcher.drain(timeout=10)
        await asyncio.to_thread(bot.shown.conversation.flush_shown)
        mark = await amina.press(f"a|{multi.key}|{multi.option_ids()[0]}", multi.message_id)
        await amina.reply(mark, "editMessageReplyMarkup")
        await bot.dispatcher.drain(timeout=10)  # the press is handled to the end
        with db.session() as session:
            assert inbox_store.pending_count(session) == 1  # kept for the batch
        assert await asyncio.to_thread(bot.shown.conversation.flush_shown) == 1
        with db.session() as session:
            assert inbox_store.pending_count(session) == 0
        answers, _position = stored(db, AMINA)
        assert answers[multi.key] == [multi.option_ids()[0]]
    finally:
        await stop_app(bot)


async def test_items_of_a_list_typed_quickly_are_all_kept(api: FakeBotApi, bot: Runtime, db: Database) -> None:
    code = new_workshop(db, ["a"])
    amina = Phone(api, AMINA, "en")
    prompt = await walk_to(amina, await join(amina, code), Kind.LIST)
    items = [f"item {n}" for n in range(1, 6)]
    for item in items:
        await amina.send(item)  # one after another, without waiting for the bot
    await settle(api, db)
    answers, _position = stored(db, AMINA)
    assert answers[prompt.key] == items


async def test_more_chats_than_the_dispatcher_takes_at_once_are_all_answered_in_order(api: FakeBotApi, bot: Runtime, db: Database) -> None:
    """The others wait in the inbox, oldest first, and are taken as chats finish (the cap is what
    Telegram's overall limit can serve: updates beyond it would only wait in memory)."""
    bot.dispatcher.concurrency = 2
    code = new_workshop(db, ["a"])
    phones = [Phone(api, 3100 + n, "en") for n in range(6)]

    async def walk(phone: Phone) -> str:
        return (await walk_to(phone, await join(phone, code), Kind.TEXT)).key

    keys = await asyncio.gather(*(walk(phone) for phone in phones))
    await settle(api, db)
    for phone, key in zip(phones, keys, strict=True):
        shown = prompts_to(api, phone.id)
        assert shown[-1] == key and len(shown) == len(set(shown))  # each step once, in the order walked
        assert stored(db, phone.id)[1].step == key.split(".", 1)[1]


# --- failures -----------------------------------------------------------------------------------


async def test_a_prompt_that_could_not_be_sent_is_sent_again(api: FakeBotApi, db: Database) -> None:
    # A send that failed after it left (a 5xx) may have arrived: the send itself never repeats it (no blind
    # re-send, issue 12); the outbox sends the owed prompt again once it has been owed a while. The outbox
    # waits longer than a send's own retries (of a connection that never opened) take, so they never overlap.
    bot = await start_app(api, db, frozenset({ADMIN}), outbox_interval=0.2, outbox_after=9.0)
    try:
        code = new_workshop(db)
        amina = Phone(api, AMINA, "en")
        prompt = await walk_to(amina, await join(amina, code), Kind.TEXT)
        api.fail_next("sendMessage", 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
        mark = await amina.send("Saved while Telegram was down")
        later = await amina.prompt(mark, timeout=30)  # the outbox, not the person, brought it
        await settle_prompt(db, AMINA)
    finally:
        await stop_app(bot)
    assert len([c for c in api.calls[mark:] if c.method == "sendMessage" and c.params.get("chat_id") == AMINA]) == 2
    answers, position = stored(db, AMINA)
    assert answers[prompt.key] == "Saved while Telegram was down"
    assert later.key == f"{position.exercise}.{position.step}" and not position.prompt_pending
    assert position.prompt_message_id == later.message_id


async def test_a_database_error_is_told_to_the_person_and_loses_nothing(api: FakeBotApi, bot: Runtime, db: Database) -> None:
    code = new_workshop(db)
    amina = Phone(api, AMINA, "en")
    first = await walk_to(amina, await join(amina, code), Kind.TEXT)
    mark = await amina.send("My first answer")
    prompt = await walk_to(amina, await amina.prompt(mark), Kind.TEXT)
    before, _ = stored(db, AMINA)
    with db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE answers RENAME TO answers_away"))  # the database fails under the bot
    try:
        mark = await amina.send("Lost in the failure?")
        sorry = await amina.reply(mark)
        assert "went wrong" in sorry.params["text"] and "try again" in sorry.params["text"]
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("ALTER TABLE answers_away RENAME TO answers"))
    mark = await amina.send("Second try")
    await amina.prompt(mark)
    after, _ = stored(db, AMINA)
    assert after[first.key] == before[first.key] == "My first answer"
    assert after[prompt.key] == "Second try"


async def test_a_participant_is_answered_while_a_summary_is_delivered(api: FakeBotApi, db: Database) -> None:
    runtime = await start_app(api, db, frozenset({ADMIN}))
    try:
        code = new_workshop(db)
        amina, sanne = Phone(api, AMINA, "en"), Phone(api, SANNE, "nl")
        await walk_to(sanne, await join(sanne, code), Kind.CHOICE)
        prompt = await walk_to(amina, await join(amina, code), Kind.TEXT)
        api.delays["sendDocument"] = 0.5  # big files to a slow phone: the summary takes a while
        admin = Phone(api, ADMIN, "en")
        summary = await admin.send(f"/summary {code}")
        await api.wait_for(lambda c: c.params.get("chat_id") == ADMIN, after=summary)  # the delivery has begun
        mark = await amina.send("An answer during the summary")
        answered = await amina.prompt(mark)
        last_document = await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=summary, timeout=60)
        assert api.calls.index(answered.call) < api.calls.index(last_document)
        answers, _ = stored(db, AMINA)
        assert answers[prompt.key] == "An answer during the summary"
    finally:
        await stop_app(runtime)
