"""The rate limiter counts what Telegram counts, with the real PTB Application against the fake Bot API.

Time is the test's own clock (tests/clock.py): a call that waits for its budget sleeps on it, and
the test moves it on; nothing here sleeps in real time to synchronise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

import pytest
from telegram.ext import Application

from bot.engine import Kind
from bot.transports.telegram.app import build_application
from bot.transports.telegram.delivery import Undelivered, send_html
from bot.transports.telegram.pacing import TelegramRateLimiter, one_reply
from storage import Database
from tests.clock import ManualClock
from tests.fake_bot_api import FakeBotApi
from tests.telegram_helpers import Phone, is_prompt, settings_for, start_app, stop_app

ADMIN = 1001
T = TypeVar("T")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def paced(api: FakeBotApi, db: Database, clock: ManualClock) -> AsyncIterator[Application]:
    """The bot's Application with the shipped limits (1 message a second per chat, 30 overall) on the test's clock."""
    limiter = TelegramRateLimiter(per_chat_per_second=1.0, clock=clock)
    app = build_application(settings_for(api, db, frozenset({ADMIN})), db, rate_limiter=limiter)
    await app.initialize()
    yield app
    await app.shutdown()


def texts_to(api: FakeBotApi, chat_id: int) -> list[str]:
    return [c.params["text"] for c in api.calls if c.method == "sendMessage" and c.params.get("chat_id") == chat_id]


async def test_a_chat_waiting_for_its_budget_holds_no_other_chat(api: FakeBotApi, paced: Application, clock: ManualClock) -> None:
    bot = paced.bot
    first = [asyncio.create_task(bot.send_message(11, f"m{n}")) for n in range(5)]
    await clock.until_sleeping(2)  # a burst of three goes at once, the fourth and fifth wait for chat 11's budget
    await asyncio.gather(*first[:3])
    assert texts_to(api, 11) == ["m0", "m1", "m2"]

    # Meanwhile: another chat's message, an edit and a callback answer in the waiting chat all go at once.
    await bot.send_message(12, "other chat")
    await bot.edit_message_reply_markup(chat_id=11, message_id=100, reply_markup=None)
    await bot.answer_callback_query("cb1")
    assert texts_to(api, 12) == ["other chat"]
    assert not first[3].done() and not first[4].done()

    clock.advance(1.0)
    await first[3]
    assert not first[4].done()
    clock.advance(1.0)
    await first[4]
    assert texts_to(api, 11) == ["m0", "m1", "m2", "m3", "m4"]  # in order


async def test_the_overall_limit_delays_new_messages_and_says_so(
    api: FakeBotApi, paced: Application, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.transports.telegram.pacing")
    bot = paced.bot
    await asyncio.gather(*(bot.send_message(100 + n, "hallo") for n in range(30)))  # 30 chats: the overall burst
    held = asyncio.create_task(bot.send_message(200, "one too many"))
    await clock.until_sleeping(1)
    await bot.answer_callback_query("cb1")  # not counted: never waits behind the held message
    assert texts_to(api, 200) == []
    reports = [r for r in caplog.records if "overall limit" in r.getMessage()]
    assert len(reports) == 1 and reports[0].levelno == logging.INFO
    clock.advance(1 / 30)
    await held
    assert texts_to(api, 200) == ["one too many"]

    second = asyncio.create_task(bot.send_message(201, "again"))  # held again within the minute: no new line
    await clock.until_sleeping(1)
    assert len([r for r in caplog.records if "overall limit" in r.getMessage()]) == 1
    clock.advance(1 / 30)
    await second


async def test_429_is_retried_once_in_the_limiter_after_retry_after(api: FakeBotApi, paced: Application, clock: ManualClock) -> None:
    api.fail_next_429("sendMessage", retry_after=5)
    sending = asyncio.create_task(send_html(paced.bot, 11, ["hallo"]))
    await clock.until_sleeping(1)  # the limiter waits the 5 s Telegram asked for
    assert [c.method for c in api.calls if c.method == "sendMessage"] == ["sendMessage"]
    clock.advance(4.9)
    assert not sending.done() and clock.sleeping == 1
    clock.advance(0.1)
    message = await sending
    assert message is not None
    sends = [c for c in api.calls if c.method == "sendMessage"]
    assert len(sends) == 2 and sends[0].result["error_code"] == 429 and sends[1].result["message_id"]


async def test_a_timed_out_send_is_not_sent_again(api: FakeBotApi, paced: Application) -> None:
    gate = api.hold("sendMessage")  # Telegram received it, the answer does not come back in time
    try:
        with pytest.raises(Undelivered) as failed:
            await send_html(paced.bot, 11, ["hallo"])  # after PTB's read timeout
        assert failed.value.maybe_sent
        assert api.held.get("sendMessage") == 1  # received once; it was not sent again
    finally:
        gate.set()


class Recorder:
    """Telegram's side of the limiter's callback: what arrived and when, in order, for a test to wait on."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.sent: list[tuple[str, float]] = []
        self._changed = asyncio.Condition()

    async def send(self, text: str) -> bool:
        self.sent.append((text, self.clock.now()))
        async with self._changed:
            self._changed.notify_all()
        return True

    async def until(self, count: int) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.sent) >= count), 10)


async def test_the_messages_of_one_reply_keep_their_place_in_the_overall_limit(clock: ManualClock) -> None:
    """A reply's second message goes before the messages queued after its first one, not behind them all
    again (a reply of k messages waited k times as long); and still only when the overall bucket has room."""
    limiter = TelegramRateLimiter(per_chat_per_second=1.0, overall_per_second=2.0, clock=clock)  # 2 at once, then 2 a second
    telegram = Recorder(clock)

    async def send(chat_id: int, text: str) -> None:
        await limiter.process_request(telegram.send, (text,), {}, "sendMessage", {"chat_id": chat_id}, None)

    async def reply(chat_id: int) -> None:
        with one_reply():
            await send(chat_id, "reply 1")
            await send(chat_id, "reply 2")

    start = clock.now()
    await send(1, "a")
    await send(2, "b")  # the overall burst used up
    answering = asyncio.create_task(reply(9))
    others = [asyncio.create_task(send(chat, f"other {chat}")) for chat in (3, 4, 5)]  # queued after "reply 1"
    await clock.until_sleeping(1)
    for count in range(3, 8):
        assert len(telegram.sent) == count - 1  # nothing before its moment
        clock.advance(0.5)
        await telegram.until(count)
        if count < 7:
            await clock.until_sleeping(1)
    await asyncio.gather(answering, *others)
    assert [text for text, _ in telegram.sent] == ["a", "b", "reply 1", "reply 2", "other 3", "other 4", "other 5"]
    assert [at - start for _, at in telegram.sent] == [0, 0, 0.5, 1.0, 1.5, 2.0, 2.5]  # one each half second


async def test_outside_one_reply_a_chats_next_message_queues_again(clock: ManualClock) -> None:
    """First come, first served otherwise: a chat's second message (a later reply) goes behind those queued before it."""
    limiter = TelegramRateLimiter(per_chat_per_second=1.0, overall_per_second=2.0, clock=clock)
    telegram = Recorder(clock)

    async def send(chat_id: int, text: str) -> None:
        await limiter.process_request(telegram.send, (text,), {}, "sendMessage", {"chat_id": chat_id}, None)

    async def twice(chat_id: int) -> None:
        await send(chat_id, "first")
        await send(chat_id, "second")

    await send(1, "a")
    await send(2, "b")
    sending = asyncio.create_task(twice(9))
    others = [asyncio.create_task(send(chat, f"other {chat}")) for chat in (3, 4)]
    await clock.until_sleeping(1)
    for count in range(3, 7):
        clock.advance(0.5)
        await telegram.until(count)
    await asyncio.gather(sending, *others)
    assert [text for text, _ in telegram.sent] == ["a", "b", "first", "other 3", "other 4", "second"]


async def until(clock: ManualClock, waiting: Coroutine[Any, Any, T]) -> T:
    """Await ``waiting``, moving the clock on a second whenever something sleeps on it meanwhile."""
    task = asyncio.ensure_future(waiting)
    while not task.done():
        sleeper = asyncio.ensure_future(clock.until_sleeping(1))
        await asyncio.wait({task, sleeper}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            sleeper.cancel()
        else:
            clock.advance(1.0)
    return task.result()


async def test_a_button_press_is_answered_before_the_prompt_waits_for_the_chat(api: FakeBotApi, db: Database, clock: ManualClock) -> None:
    limiter = TelegramRateLimiter(per_chat_per_second=1.0, clock=clock)
    app = await start_app(api, db, frozenset({ADMIN}), rate_limiter=limiter, chat_messages_per_second=1.0)
    try:
        admin = Phone(api, ADMIN, "en")
        mark = await admin.send("/new Wijk Noord")
        photo = await until(clock, admin.reply(mark, "sendPhoto"))
        code = photo.params["caption"].split("start=")[1].split()[0].rstrip(".")
        phone = Phone(api, 2001, "en")
        mark = await phone.send(f"/start {code}")
        welcome = await until(clock, phone.prompt(mark))
        clock.advance(10.0)  # the chat's budget full again ...
        for n in range(3):
            await app.app.bot.send_message(2001, f"notice {n}")  # ... and used up
        mark = await phone.press(f"a|{welcome.key}|_next", welcome.message_id)
        await phone.callback_answer(mark)  # answered at once ...
        await clock.until_sleeping(1)  # ... while the next prompt waits for the chat's budget
        assert [c for c in api.calls[mark:] if c.method == "sendMessage"] == []
        clock.advance(1.0)
        following = await phone.reply(mark)  # the next step (the consent, since issue 11: not an "a|" prompt)
        assert following.params["text"] != welcome.text
        methods = [c.method for c in api.calls[mark:]]
        assert methods.index("answerCallbackQuery") < methods.index("sendMessage")
    finally:
        await stop_app(app)


async def test_a_press_is_answered_while_the_chats_previous_reply_is_held(api: FakeBotApi, db: Database, clock: ManualClock) -> None:
    """A press queued behind its chat's earlier update (whose reply waits for the chat's budget) is answered
    at once, not when its turn comes; what the handler then says about it (a stale button) is a message."""
    limiter = TelegramRateLimiter(per_chat_per_second=1.0, clock=clock)
    app = await start_app(api, db, frozenset({ADMIN}), rate_limiter=limiter, chat_messages_per_second=1.0)
    try:
        admin = Phone(api, ADMIN, "en")
        mark = await admin.send("/new Wijk Noord")
        photo = await until(clock, admin.reply(mark, "sendPhoto"))
        code = photo.params["caption"].split("start=")[1].split()[0].rstrip(".")
        phone = Phone(api, 2001, "en")
        mark = await phone.send(f"/start {code}")
        consent = await until(clock, phone.prompt(mark))
        mark = await phone.press(consent.button("yes"), consent.message_id)
        step = await until(clock, phone.prompt(mark))  # joined: a step of the workshop
        assert step.kind() is Kind.CHOICE  # one option ends the step
        option = step.button(step.option_ids()[0])
        clock.advance(10.0)
        for n in range(3):
            await app.app.bot.send_message(2001, f"notice {n}")  # the chat's budget used up
        first = await phone.press(option, step.message_id)
        await clock.until_sleeping(1)  # the next prompt waits for the chat's budget: the chat's update is not done
        second = await phone.press(option, step.message_id)  # a second tap on the same button
        await phone.callback_answer(second)  # answered although its chat's turn has not come
        answers = [c for c in api.calls[first:] if c.method == "answerCallbackQuery"]
        assert len(answers) == 2 and all("text" not in c.params for c in answers)
        assert [c for c in api.calls[first:] if c.method == "sendMessage"] == []  # the first reply is still held

        note = await until(
            clock, api.wait_for(lambda c: c.method == "sendMessage" and "earlier question" in c.params.get("text", ""), after=first)
        )
        sent = [c for c in api.calls[first:] if c.method == "sendMessage"]
        assert sent.index(note) == 1 and is_prompt(sent[0]) and sent[0].params["text"] != step.text  # the next step, then the note
        assert [c for c in api.calls[first:] if c.method == "answerCallbackQuery"] == answers  # never answered twice
    finally:
        await stop_app(app)


def test_workers_share_telegrams_overall_limit() -> None:
    from bot.config import Settings
    from bot.transports.telegram.app import build_application
    from storage import Database

    db = Database("sqlite://", migrate=False)
    try:
        one = build_application(Settings(token="1:T", workers=1), db)
        two = build_application(Settings(token="1:T", workers=2), db)
        assert one.bot.rate_limiter._overall_rate == 30.0
        assert two.bot.rate_limiter._overall_rate == 15.0  # two processes together stay within Telegram's 30/s
    finally:
        db.dispose()
