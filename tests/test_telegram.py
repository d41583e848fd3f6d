"""The real python-telegram-bot Application against the fake Bot API server."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from datetime import UTC, timedelta

import pytest
from sqlmodel import select

from bot.timefmt import WORKSHOP_TZ
from bot.transports.telegram.rendering import MAX_CALLBACK_DATA
from storage import Answer, Database, Participant, Workshop
from storage import repository as repo
from storage.models import utcnow
from tests.fake_bot_api import FakeBotApi
from tests.telegram_helpers import TOKEN, Phone, buttons, is_prompt, start_app, stop_app, walk

ADMIN = 1001
FORMAL, INFORMAL, OUTSIDER = 2001, 2002, 2003


@pytest.fixture
async def app(api: FakeBotApi, db: Database):
    application = await start_app(api, db, frozenset({ADMIN}))
    yield application
    await stop_app(application)


def check_limits(api: FakeBotApi) -> None:
    """Every message the bot sent stays within Telegram's limits, with balanced HTML."""
    for call in api.calls:
        text = call.params.get("text")
        if text is not None:
            assert 0 < len(text) <= 4096
            opened = re.findall(r"<(b|i)>", text)
            closed = re.findall(r"</(b|i)>", text)
            assert sorted(opened) == sorted(closed), text[:200]
            assert not re.search(r"<(?!/?[bi]>)", text), "unescaped '<' in a message"
        caption = call.params.get("caption")
        if caption is not None:
            assert len(caption) <= 1024
        for button in buttons(call):
            assert len(button["callback_data"].encode()) <= MAX_CALLBACK_DATA


async def create_workshop(api: FakeBotApi, title: str = "Wijk Noord") -> str:
    admin = Phone(api, ADMIN, "en", "Fatma")
    mark = await admin.send(f"/new {title}")
    reply = await admin.reply(mark)
    match = re.search(r"https://t\.me/VruchtbareBodemBot\?start=([A-Za-z0-9]+)", reply.params["text"])
    assert match, reply.params["text"]
    photo = await admin.reply(mark, "sendPhoto")
    assert photo.files["photo"][:8] == b"\x89PNG\r\n\x1a\n"  # the QR code of the link
    return match.group(1)


async def join(api: FakeBotApi, phone: Phone, code: str):
    """Open the join link: the consent step (nothing stored yet)."""
    mark = await phone.send(f"/start {code}")
    return await phone.prompt(mark)


async def consented(api: FakeBotApi, phone: Phone, code: str):
    """Open the join link and say yes: the participant exists; returns the next step."""
    consent = await join(api, phone, code)
    mark = await phone.press(consent.button("yes"), consent.message_id)
    return await phone.prompt(mark)


async def test_facilitator_creates_a_workshop(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    assert len(code) == 16
    with db.session() as session:
        workshop = repo.workshop_by_code(session, code)
        assert workshop is not None and workshop.title == "Wijk Noord"
        assert workshop.exercises == ["a", "b", "c", "d", "e"] and workshop.meeting_at is None
        assert repo.is_facilitator(session, workshop.id, f"tg:{ADMIN}")
    commands = [c for c in api.calls if c.method == "setMyCommands"]
    assert {c.params.get("language_code") for c in commands} >= {None, "nl", "en", "tr", "ar", "fa", "pl", "uk", "so", "ti"}
    check_limits(api)


async def test_only_admins_create_workshops(api: FakeBotApi, app, db: Database) -> None:
    outsider = Phone(api, OUTSIDER, "en")
    mark = await outsider.send("/new Mijn eigen workshop")
    assert "BOT_ADMINS" in (await outsider.reply(mark)).params["text"]
    with db.session() as session:
        assert session.exec(select(Workshop)).first() is None


async def test_two_phones_walk_everything_and_the_facilitator_gets_every_answer(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    formal = Phone(api, FORMAL, "nl", "Anne")
    informal = Phone(api, INFORMAL, "tr", "Ayşe")
    given_formal = await walk(formal, await join(api, formal, code), "formal", "Formeel")
    given_informal = await walk(informal, await join(api, informal, code), "informal", "Informeel")

    with db.session() as session:
        for user, given in ((FORMAL, given_formal), (INFORMAL, given_informal)):
            participant = session.exec(select(Participant).where(Participant.user_key == f"tg:{user}")).one()
            rows = session.exec(select(Answer).where(Answer.participant_id == participant.id))
            assert {f"{a.exercise}.{a.step}": a.value for a in rows} == given
    assert given_informal["e.roles_own"][0].startswith("i_") and given_formal["e.roles_own"][0].startswith("f_")

    admin = Phone(api, ADMIN)
    mark = await admin.send("/summary")
    document = await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=mark)
    texts = "\n".join(c.params["text"] for c in api.sent_to(ADMIN, mark) if c.method == "sendMessage")
    whole = document.files["document"].decode("utf-8")
    sent = {c.filename: c.files for c in api.sent_to(ADMIN, mark) if c.method in ("sendDocument", "sendPhoto")}
    pictures = {"board-formal.png", "board-informal.png"}  # the short preparation: no tree (it asks none of it)
    wide = {name.replace(".png", "-16x9.png") for name in pictures}
    assert {"meeting-pack.html", "answers.csv", *pictures, *wide} <= set(sent) and "tree.png" not in sent
    captions = {c.filename: c.params.get("caption", "") for c in api.sent_to(ADMIN, mark) if c.method == "sendPhoto"}
    assert all("16:9" in captions[name] and "16:9" not in captions[name.replace("-16x9", "")] for name in wide)
    # The chat opens with the one-screen briefing and stays short; every answer is in the documents.
    assert "Who is coming" in texts.split("\n\n")[1] and texts.count("\n") + 1 <= 60
    pack_html = sent["meeting-pack.html"]["document"].decode("utf-8")
    csv_text = sent["answers.csv"]["document"].decode("utf-8-sig")
    for given in (given_formal, given_informal):
        for key, value in given.items():
            values = value if isinstance(value, list) else [value]
            for v in values:
                if " antwoord" in v or " punt " in v:
                    assert v in whole, key
                    # The walk chose "without my name" for the wall: name and organisation stay off the pack.
                    hidden = key in ("intro.name", "intro.org") and given["intro.pack"] == "anonymous"
                    assert (html.escape(v) in pack_html) is not hidden, key
                    assert v in csv_text, key
    check_limits(api)


async def test_stale_and_forged_buttons_change_nothing(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, FORMAL, "en")
    consent = await join(api, phone, code)
    assert consent.key == "intro.consent" and consent.data[:2] == [f"j|{code}|en|yes", f"j|{code}|en|no"]
    mark = await phone.press(consent.button("yes"), consent.message_id)
    pack = await phone.prompt(mark)
    assert pack.key == "intro.pack"
    # The consent lost its buttons.
    assert any(c.method == "editMessageReplyMarkup" and c.params["message_id"] == consent.message_id for c in api.calls[mark:])

    forged = ("a|intro.consent|yes", "a|intro.pack|maybe", "nonsense", "a|e.trunk|f_coord|x", "l|xx", "x|99|a", "w|12345", "j|short|en|yes", "d|1|1", "m|1|1")
    stale = ("a|intro.consent|yes", "a|e.trunk|f_coord|x")  # another question's buttons: the current one comes again
    for data in forged:
        mark = await phone.press(data, pack.message_id)
        assert "text" not in (await phone.callback_answer(mark)).params  # answered at intake, as every press
        note = (await phone.reply(mark)).params["text"]  # what the bot says about the press: a message
        assert "You are at" not in note and ("not valid" in note or "earlier question" in note or "option" in note), (data, note)
        later = await phone.send("/progress")  # a later update, to be sure the press was fully handled
        await phone.reply(later)
        with_buttons = [c for c in api.calls[mark:] if c.method == "sendMessage" and c.params.get("reply_markup")]
        if data in stale:
            assert [c.params["text"] for c in with_buttons] == [note] and is_prompt(with_buttons[0]), data
            assert buttons(with_buttons[0])[0]["callback_data"].startswith("a|intro.pack|"), data
        else:
            assert not with_buttons, data
    with db.session() as session:
        participant = session.exec(select(Participant)).one()
        position = repo.load_progress(session, participant.id)
        assert position.answers == {"intro.consent": "yes"} and position.position.step == "pack"
        assert session.exec(select(Workshop)).one().code == code  # "d|1|1" from a participant deleted nothing


async def test_media_and_overlong_text_get_a_hint_and_the_question_again(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, INFORMAL, "en")
    consent = await join(api, phone, code)
    mark = await phone.send_media("sticker")
    assert "open the link" in (await phone.reply(mark)).params["text"]  # not in the workshop yet
    mark = await phone.press(consent.button("yes"), consent.message_id)
    pack = await phone.prompt(mark)
    for kind in ("sticker", "photo", "voice"):
        mark = await phone.send_media(kind)
        again = await phone.prompt(mark)
        assert again.key == "intro.pack" and "Please choose one of the options." in again.text
    mark = await phone.press("a|intro.pack|named", pack.message_id)
    name = await phone.prompt(mark)
    assert name.key == "intro.name"
    mark = await phone.send_media("photo")
    assert "only read typed text" in (await phone.prompt(mark)).text
    mark = await phone.send("x" * 4096)
    again = await phone.prompt(mark)
    assert again.key == "intro.name" and "too long" in again.text
    mark = await phone.send("/doesnotexist")
    assert "do not know that command" in (await phone.prompt(mark)).text
    with db.session() as session:
        answers = repo.load_progress(session, session.exec(select(Participant)).one().id).answers
    assert answers == {"intro.consent": "yes", "intro.pack": "named"}
    check_limits(api)


async def test_participants_get_no_summary_or_status(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    formal = Phone(api, FORMAL, "en")
    prompt = await join(api, formal, code)
    await walk_until(formal, prompt, "a.offer", secret="GEHEIM-antwoord")
    outsider = Phone(api, OUTSIDER, "en")
    await join(api, outsider, code)
    for command in (f"/summary {code}", "/summary", f"/status {code}", "/status", "/settings", f"/invite {code}", "/summary bogus-code"):
        mark = await outsider.send(command)
        reply = await outsider.reply(mark)
        assert "only for the facilitators" in reply.params["text"], command
        assert "GEHEIM" not in reply.params["text"]
    assert not any("GEHEIM" in str(c.params) for c in api.calls if c.params.get("chat_id") == OUTSIDER)


async def walk_until(phone: Phone, prompt, key: str, secret: str = "antwoord"):
    while prompt.key != key:
        kind = prompt.kind().value
        if kind == "info":
            mark = await phone.press(f"a|{prompt.key}|_next", prompt.message_id)
        elif kind == "yesno":
            mark = await phone.press(prompt.button("yes"), prompt.message_id)
        elif kind == "choice":
            mark = await phone.press(f"a|{prompt.key}|{prompt.option_ids()[0]}", prompt.message_id)
        elif kind == "text":
            mark = await phone.send(f"{secret} {prompt.key}")
        elif kind == "list":
            mark = await phone.send(f"{secret} {prompt.key}")
            prompt = await phone.prompt(mark)
            mark = await phone.press(f"a|{prompt.key}|_done", prompt.message_id)
        elif kind == "multi":
            mark = await phone.press(f"a|{prompt.key}|{prompt.option_ids()[0]}", prompt.message_id)
            await phone.reply(mark, "editMessageReplyMarkup")
            mark = await phone.press(f"a|{prompt.key}|_done", prompt.message_id)
        else:
            raise AssertionError(kind)
        prompt = await phone.prompt(mark)
    return prompt


async def test_restart_of_the_application_resumes_at_the_same_step(api: FakeBotApi, db: Database) -> None:
    first = await start_app(api, db, frozenset({ADMIN}))
    code = await create_workshop(api)
    phone = Phone(api, INFORMAL, "nl")
    prompt = await walk_until(phone, await join(api, phone, code), "b.other_skills")
    await stop_app(first)

    second = await start_app(api, db, frozenset({ADMIN}))
    try:
        mark = await phone.send("/start")
        again = await phone.prompt(mark)
        assert again.key == prompt.key == "b.other_skills"
        mark = await phone.send("Ze kennen de families")
        after = await phone.prompt(mark)
        assert after.key == "b.other_skills" and "Ze kennen de families" in after.text
    finally:
        await stop_app(second)


async def test_429_is_waited_out_and_retried(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, FORMAL, "en")
    api.fail_next_429("sendMessage", retry_after=1)
    mark = await phone.send(f"/start {code}")
    prompt = await phone.prompt(mark)
    refused = [c for c in api.calls[mark:] if c.method == "sendMessage" and c.result.get("error_code") == 429 if isinstance(c.result, dict)]
    assert len(refused) == 1
    assert prompt.key == "intro.consent"


async def test_reminders_and_summary_before_the_meeting_survive_a_restart(api: FakeBotApi, db: Database) -> None:
    app = await start_app(api, db, frozenset({ADMIN}))
    code = await create_workshop(api)
    slow, blocked = Phone(api, INFORMAL, "ar"), Phone(api, OUTSIDER, "en")
    await walk_until(slow, await join(api, slow, code), "a.offer")
    await consented(api, blocked, code)
    admin = Phone(api, ADMIN)
    when = (utcnow() + timedelta(hours=30)).astimezone(WORKSHOP_TZ).strftime("%Y-%m-%d %H:%M")
    mark = await admin.send(f"/meeting {code} {when}")  # the reminder (48 h before) is due at once, the summary in 6 h
    reminder = await api.wait_for(
        lambda c: c.method == "sendMessage" and c.params.get("chat_id") == INFORMAL and "Wijk Noord" in c.params["text"],
        after=mark,
    )
    again = await slow.prompt(mark)
    assert again.key == "a.offer"  # back at the step where they stopped, nothing restarted
    await api.wait_for(lambda c: c.method == "sendMessage" and c.params.get("chat_id") == OUTSIDER and c.params["text"] != reminder.params["text"], after=mark)
    await stop_app(app)

    with db.session() as session:
        workshop = repo.workshop_by_code(session, code)
        assert workshop.reminders_sent_at is not None and workshop.summary_sent_at is None
        # Move the summary's moment to now: after the restart the job must be rebuilt from the database.
        workshop.summary_hours = 31
        session.add(workshop)
    mark = len(api.calls)
    app = await start_app(api, db, frozenset({ADMIN}))
    try:
        document = await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=mark)
        assert document.params.get("caption")
    finally:
        await stop_app(app)  # waits for the running job to finish
    with db.session() as session:
        assert repo.workshop_by_code(session, code).summary_sent_at is not None
    assert not [c for c in api.calls[mark:] if c.params.get("chat_id") in (INFORMAL, OUTSIDER)]  # no second reminder


async def test_blocked_participant_is_recorded_and_shown_in_status(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, INFORMAL, "en")
    await consented(api, phone, code)
    api.fail_next_403("sendMessage")
    mark = await phone.send("/back")
    await api.wait_for(lambda c: c.method == "sendMessage" and isinstance(c.result, dict) and c.result.get("error_code") == 403, after=mark)
    for _ in range(200):  # the 403 is recorded after it came back; another chat's /status does not wait for that
        with db.session() as session:
            if session.exec(select(Participant).where(Participant.blocked_at.is_not(None))).first() is not None:  # type: ignore[union-attr]
                break
        await asyncio.sleep(0.05)  # polling the database for a condition, not ordering events
    admin = Phone(api, ADMIN, "en")
    mark = await admin.send("/status")
    status = await admin.reply(mark)
    # Joined but never answered: named apart with the mark, not counted as a participant.
    assert "0 participants" in status.params["text"]
    assert "Joined, no answers yet" in status.params["text"] and "blocked" in status.params["text"]


async def test_wrong_codes_are_slowed_down(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, OUTSIDER, "en")
    for attempt in range(5):
        mark = await phone.send(f"/start Wrong{attempt}Code000000")
        assert "not known" in (await phone.reply(mark)).params["text"]
    mark = await phone.send(f"/start {code}")
    assert "Too many wrong codes" in (await phone.reply(mark)).params["text"]
    with db.session() as session:
        assert session.exec(select(Participant)).first() is None


async def test_co_facilitator_invite_works_once(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    admin = Phone(api, ADMIN, "en")
    mark = await admin.send("/invite")
    link = re.search(r"start=(inv-[A-Za-z0-9]+)", (await admin.reply(mark)).params["text"]).group(1)
    co, other = Phone(api, FORMAL, "en"), Phone(api, OUTSIDER, "en")
    mark = await co.send(f"/start {link}")
    assert "now a facilitator" in (await co.reply(mark)).params["text"]
    mark = await co.send(f"/status {code}")
    assert "Status of" in (await co.reply(mark)).params["text"]
    mark = await other.send(f"/start {link}")
    assert "not valid" in (await other.reply(mark)).params["text"]


async def test_language_change_shows_the_step_again(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, INFORMAL, "tr")
    mark = await phone.send(f"/start {code}")
    prompt = await phone.prompt(mark)
    assert "Hoş geldiniz" in prompt.text or "Hoş geldin" in prompt.text
    # One message opens the link: the workshop, the language it speaks and the consent, with the consent's
    # buttons first and the language choice under them (each extra message queues again under Telegram's
    # overall limit, at the busiest moment of a workshop).
    assert [c.method for c in api.calls[mark:] if c.params.get("chat_id") == INFORMAL] == ["sendMessage"]
    assert "Wijk Noord" in prompt.text and "Türkçe" in prompt.text
    assert prompt.data[:2] == [f"j|{code}|tr|yes", f"j|{code}|tr|no"]
    assert f"l|ar|{code}" in prompt.data and len([d for d in prompt.data if d.startswith("l|")]) == 9
    mark = await phone.press(f"l|ar|{code}", prompt.message_id)  # a button of the language choice before joining
    again = await phone.prompt(mark)
    assert again.key == prompt.key and re.search("[\u0600-\u06ff]", again.text)
    assert again.button("yes") == f"j|{code}|ar|yes"  # the choice travels in the buttons: nothing is stored yet
    with db.session() as session:
        assert session.exec(select(Participant)).first() is None
        assert session.exec(select(repo.Account)).first() is None
    mark = await phone.press(again.button("yes"), again.message_id)
    await phone.prompt(mark)
    with db.session() as session:
        assert session.exec(select(Participant)).one().language == "ar"
        assert session.get(repo.Account, f"tg:{INFORMAL}").language == "ar"


async def test_logs_carry_no_token_code_or_answer(api: FakeBotApi, app, db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    code = await create_workshop(api)
    phone = Phone(api, FORMAL, "en")
    await walk_until(phone, await join(api, phone, code), "a.offer", secret="Vertrouwelijk")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "joined" in logged and "created" in logged  # what happened is logged (each update only at DEBUG)
    for secret in (TOKEN, code, "Vertrouwelijk"):
        assert secret not in logged


async def test_a_summary_that_cannot_be_delivered_is_retried_not_dropped(api: FakeBotApi, db: Database) -> None:
    from bot.transports.telegram.worker import worker_of

    app = await start_app(api, db, frozenset({ADMIN}), retry_delay=60.0, delivery_interval=3600.0)
    try:
        code = await create_workshop(api)
        phone = Phone(api, FORMAL, "en")
        await walk_until(phone, await join(api, phone, code), "a.offer", secret="Bewaard")
        admin = Phone(api, ADMIN, "en")
        when = (utcnow() + timedelta(hours=100)).astimezone(WORKSHOP_TZ).strftime("%Y-%m-%d %H:%M")
        mark = await admin.send(f"/meeting {code} {when}")
        await admin.reply(mark)
        with db.session() as session:
            workshop = repo.workshop_by_code(session, code)
            workshop.reminder_hours = 1  # only the summary is due at `now`: the failures are all its own
            meeting = workshop.meeting_at
        now = meeting.replace(tzinfo=meeting.tzinfo or UTC) - timedelta(hours=20)  # the summary is due
        worker = worker_of(app.app)
        # The first delivery fails with a gateway error; it may have arrived, so it is not re-sent at once.
        api.fail_next("sendMessage", 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
        await worker.tick(now)
        await worker.drain()
        assert not [c for c in api.calls[mark:] if c.method == "sendDocument"]
        await worker.tick(now + timedelta(minutes=5))  # its retry time has come
        await worker.drain()
        document = await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=mark)
        assert "Bewaard" in document.files["document"].decode()
        failed = [c for c in api.calls[mark:] if c.method == "sendMessage" and isinstance(c.result, dict) and c.result.get("error_code") == 502]
        assert len(failed) == 1
    finally:
        await stop_app(app)
    with db.session() as session:
        assert repo.workshop_by_code(session, code).summary_sent_at is not None
        assert repo.facilitators(session, repo.workshop_by_code(session, code).id)[0].summary_sent_at is not None


async def test_settings_buttons_switch_exercises(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    admin = Phone(api, ADMIN, "en")
    mark = await admin.send("/settings")
    settings = await admin.reply(mark)
    assert "not set" in settings.params["text"]
    data = [b["callback_data"] for b in buttons(settings)]
    assert len(data) == 7 and data[:2] == ["x|1|short", "x|1|full"]  # the length, then the five exercises
    assert buttons(settings)[0]["text"].startswith("✅")  # short by default
    mark = await admin.press(data[4], settings.result["message_id"])  # exercise C off
    edited = await admin.reply(mark, "editMessageReplyMarkup")
    assert buttons(edited)[4]["text"].startswith("⬜")
    mark = await admin.press(data[1], settings.result["message_id"])  # the full hand-out
    edited = await admin.reply(mark, "editMessageReplyMarkup")
    assert buttons(edited)[1]["text"].startswith("✅") and buttons(edited)[0]["text"].startswith("⬜")
    with db.session() as session:
        assert repo.workshop_by_code(session, code).length == "full"
    with db.session() as session:
        assert repo.workshop_by_code(session, code).exercises == ["a", "b", "d", "e"]
    outsider = Phone(api, OUTSIDER, "en")
    mark = await outsider.press(data[0], settings.result["message_id"])  # someone else's settings button
    assert "not valid" in (await outsider.reply(mark)).params["text"]  # a message: the press was answered at intake
    with db.session() as session:
        assert repo.workshop_by_code(session, code).exercises == ["a", "b", "d", "e"]


async def test_one_person_in_two_workshops_switches_between_them(api: FakeBotApi, app, db: Database) -> None:
    first = await create_workshop(api, "Noord")
    second = await create_workshop(api, "Zuid")
    phone = Phone(api, INFORMAL, "en")
    prompt = await walk_until(phone, await join(api, phone, first), "a.offer")
    consent = await join(api, phone, second)
    mark = await phone.press(consent.button("yes"), consent.message_id)
    await phone.prompt(mark)
    mark = await phone.send("/workshops")
    listing = await phone.reply(mark)
    assert "✅ Zuid" in listing.params["text"]
    switch = next(b["callback_data"] for b in buttons(listing) if "Noord" in b["text"])
    mark = await phone.press(switch, listing.result["message_id"])
    again = await phone.prompt(mark)
    assert again.key == prompt.key == "a.offer"


async def test_start_without_code_explains_and_asks_for_one(api: FakeBotApi, app, db: Database) -> None:
    phone = Phone(api, OUTSIDER, "en")
    mark = await phone.send("/start")
    text = (await phone.reply(mark)).params["text"]
    assert "join code" in text
    code = await create_workshop(api)
    mark = await phone.send(code)  # the code typed as a message
    assert (await phone.prompt(mark)).key == "intro.consent"


async def test_webhook_with_secret_token(api: FakeBotApi, db: Database, unused_tcp_port: int) -> None:
    from bot.transports.telegram.runtime import Runtime
    from tests.telegram_helpers import settings_for

    settings = settings_for(
        api, db, frozenset({ADMIN}), webhook_url="https://bot.example.org/telegram", webhook_secret="s3cret-path-token",
        webhook_listen="127.0.0.1", webhook_port=unused_tcp_port,
    )  # fmt: skip
    runtime = Runtime(settings, db, webhook=True)
    await runtime.start()
    try:
        set_hook = await api.wait_for(lambda c: c.method == "setWebhook")
        assert set_hook.params["secret_token"] == "s3cret-path-token"
        import aiohttp

        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": OUTSIDER, "type": "private"}, "from": {"id": OUTSIDER, "is_bot": False, "first_name": "W", "language_code": "en"}, "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
        async with aiohttp.ClientSession() as client:
            url = f"http://127.0.0.1:{unused_tcp_port}/telegram"
            async with client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as response:
                assert response.status == 403
            mark = len(api.calls)
            async with client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-path-token"}) as response:
                assert response.status == 200
        reply = await api.wait_for(lambda c: c.method == "sendMessage" and c.params.get("chat_id") == OUTSIDER, after=mark)
        assert "join code" in reply.params["text"]
    finally:
        await runtime.stop()


async def test_messages_to_one_chat_are_paced(api: FakeBotApi, db: Database) -> None:
    from bot.transports.telegram.pacing import CHAT_BURST as BURST

    rate = 4.0
    app = await start_app(api, db, frozenset({ADMIN}), chat_messages_per_second=rate)
    try:
        code = await create_workshop(api)
        phone = Phone(api, FORMAL, "en")
        await walk_until(phone, await join(api, phone, code), "a.offer", secret="Tempo")
        admin = Phone(api, ADMIN, "en")
        mark = await admin.send("/summary")
        await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=mark, timeout=60)
    finally:
        await stop_app(app)
    sent = [c.at for c in api.sent_to(ADMIN, mark)]
    assert len(sent) > BURST + rate  # enough messages for the pacing to show
    for i, start in enumerate(sent):
        within = [t for t in sent[i:] if t - start < 1.0]
        assert len(within) <= BURST + rate, "more messages in one second than the chat allows"


async def test_a_large_workshop_summary_keeps_the_chat_readable(api: FakeBotApi, app, db: Database) -> None:
    from benchmarks.summary import populate
    code = await create_workshop(api)
    with db.session() as session:
        workshop = repo.workshop_by_code(session, code)
    populate(db, workshop, 60)
    admin = Phone(api, ADMIN, "en")
    mark = await admin.send("/summary")
    document = await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=mark, timeout=60)
    messages = [c for c in api.sent_to(ADMIN, mark) if c.method == "sendMessage"]
    assert "being prepared" in messages.pop(0).params["text"]  # the acknowledgement first
    chat = "\n".join(m.params["text"] for m in messages)
    assert len(messages) == 2 and chat.count("\n") + 1 <= 60  # the briefing, and where the rest is
    assert "documents below" in messages[-1].params["text"]
    with db.session() as session:
        count = len(session.exec(select(Answer)).all())
    assert count > 1000 and len(document.files["document"]) > 100_000  # everything is in the document


async def test_a_typed_answer_leaves_the_text_prompts_buttons_and_they_stay_harmless(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, FORMAL, "en")
    prompt = await walk_until(phone, await join(api, phone, code), "intro.name")
    assert prompt.kind().value == "text" and prompt.data  # a text prompt with buttons (Back)
    mark = await phone.send("Amina")
    following = await phone.prompt(mark)
    later = await phone.send("/progress")  # a later update: the answer was fully handled
    await phone.reply(later)
    assert not [c for c in api.calls[mark:] if c.method == "editMessageReplyMarkup"]  # no extra call per typed answer

    mark = await phone.press(prompt.data[-1], prompt.message_id)  # the old prompt's button, pressed later
    assert "text" not in (await phone.callback_answer(mark)).params  # answered at once, as every press
    again = await phone.prompt(mark)  # then the current question again, the note above it
    assert "earlier question" in again.text and again.key == following.key
    with db.session() as session:
        participant = session.exec(select(Participant).where(Participant.user_key == f"tg:{FORMAL}")).one()
        assert participant.display_name == "Amina"
        assert session.get(repo.Position, participant.id).step == following.key.split(".", 1)[1]
    following = again

    mark = await phone.press(f"a|{following.key}|{following.option_ids()[0]}", following.message_id)
    await phone.prompt(mark)  # a button answer: that prompt's buttons go, as before
    assert any(c.method == "editMessageReplyMarkup" and c.params["message_id"] == following.message_id for c in api.calls[mark:])
