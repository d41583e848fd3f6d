"""Issue 9 through the real Application and the fake Bot API: paged role lists where a tick or a page
turn edits only the keyboard, one answer changed from /myanswers, the closing message, /progress."""

from __future__ import annotations

import re

import pytest

from bot.transports.telegram.rendering import MAX_CALLBACK_DATA, PAGE_SIZE
from storage import Database
from storage import repository as repo
from tests.fake_bot_api import FakeBotApi
from tests.telegram_helpers import Phone, buttons, start_app, stop_app
from tests.test_telegram import ADMIN, INFORMAL, consented, create_workshop, join, walk_until


@pytest.fixture
async def app(api: FakeBotApi, db: Database):
    application = await start_app(api, db, frozenset({ADMIN}))
    yield application
    await stop_app(application)


async def test_a_volunteer_finishes_the_short_preparation_in_arabic_changes_one_answer_and_sees_the_end(
    api: FakeBotApi, app, db: Database
) -> None:
    code = await create_workshop(api)
    phone = Phone(api, INFORMAL, "ar")
    prompt = await walk_until(phone, await join(api, phone, code), "intro.role", secret="جواب")
    mark = await phone.press("a|intro.role|volunteer", prompt.message_id)
    prompt = await walk_until(phone, await phone.prompt(mark), "e.roles_own", secret="جواب")
    assert "\u200f" in prompt.text

    # The role list: a few buttons a page, with the page turn; callback data within 64 bytes.
    options = [b for b in buttons(prompt.call) if b["callback_data"].split("|")[2][:1] != "_" and b["callback_data"].startswith("a|")]
    assert len(options) == PAGE_SIZE
    data = [b["callback_data"] for b in buttons(prompt.call)]
    assert all(len(d.encode()) <= MAX_CALLBACK_DATA for d in data)
    turn = next(d for d in data if d.startswith("p|") and d.endswith("|1"))
    mark = await phone.press(turn, prompt.message_id)
    edited = await phone.reply(mark, "editMessageReplyMarkup")
    second_page = [b["callback_data"] for b in buttons(edited) if b["callback_data"].startswith("a|")]
    assert second_page[0].endswith("|1") and second_page[0].split("|")[2] not in {d.split("|")[2] for d in data}
    # A tick on page 2: only the keyboard changes, and it stays on page 2 with the tick shown.
    mark = await phone.press(second_page[0], prompt.message_id)
    ticked = await phone.reply(mark, "editMessageReplyMarkup")
    assert buttons(ticked)[0]["text"].lstrip("\u200f").startswith("✅") and buttons(ticked)[0]["callback_data"] == second_page[0]
    assert not [c for c in api.calls[mark:] if c.method in ("sendMessage", "editMessageText") and c.params.get("chat_id") == INFORMAL]

    # What the roles mean, on demand: the same question again with every role described (a new
    # message, not an edit), the tick still there.
    from bot.flows.e_core import INFORMAL_ROLES
    from bot.i18n import translations

    assert INFORMAL_ROLES[0].description.translate(translations("ar")) not in prompt.text
    mark = await phone.press("a|e.roles_own|_about", prompt.message_id)
    prompt = await phone.prompt(mark)
    assert INFORMAL_ROLES[0].description.translate(translations("ar")) in prompt.text
    assert not any(b["callback_data"].endswith("|_about") for b in buttons(prompt.call))
    with db.session() as session:  # the tick on page 2 is kept
        (participant, _w), *_ = repo.participations(session, f"tg:{INFORMAL}")
        assert repo.load_progress(session, participant.id).answers["e.roles_own"] == [second_page[0].split("|")[2]]

    mark = await phone.press("a|e.roles_own|_done", prompt.message_id)
    prompt = await phone.prompt(mark)
    prompt = await walk_until(phone, prompt, "e.pitfalls")
    mark = await phone.press(f"a|e.pitfalls|{prompt.option_ids()[0]}", prompt.message_id)
    await phone.reply(mark, "editMessageReplyMarkup")
    mark = await phone.press("a|e.pitfalls|_done", prompt.message_id)
    closing = await phone.closing(mark)
    assert "/myanswers" in closing.params["text"] and not buttons(closing)

    # One earlier answer changed in one step, then the end again.
    mark = await phone.send("/myanswers")
    overview = await phone.prompt(mark)
    assert overview.key == "review.overview" and "جواب a.seek" in overview.text
    mark = await phone.press("a|review.overview|a", overview.message_id)
    questions = await phone.prompt(mark)
    mark = await phone.press("a|review.overview|seek", questions.message_id)
    seek = await phone.prompt(mark)
    assert seek.key == "a.seek"
    mark = await phone.send("أم تتحدث العربية")
    again = await phone.closing(mark)
    assert "✅" in again.params["text"]  # the success notice, then the same end
    with db.session() as session:
        (participant, _w), *_ = repo.participations(session, f"tg:{INFORMAL}")
        progress = repo.load_progress(session, participant.id)
        assert progress.answers["a.seek"] == "أم تتحدث العربية" and progress.position.finished

    # The facilitator sees her finished; someone who only joined is not counted.
    outsider = Phone(api, 2999, "nl")
    await consented(api, outsider, code)  # said yes to the consent, answered nothing yet
    admin = Phone(api, ADMIN, "en")
    mark = await admin.send("/status")
    status = (await admin.reply(mark)).params["text"]
    assert "1 participant\n" in status and "finished" in status and "Joined, no answers yet" in status


async def test_progress_shows_the_time_left(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, INFORMAL, "en")
    await walk_until(phone, await join(api, phone, code), "b.other_knowledge")
    mark = await phone.send("/progress")
    text = (await phone.reply(mark)).params["text"]
    assert "minutes left" in text


async def test_settings_and_new_offer_the_two_lengths(api: FakeBotApi, app, db: Database) -> None:
    admin = Phone(api, ADMIN, "en")
    mark = await admin.send("/new Zuid")
    reply = await admin.reply(mark)
    assert "short preparation" in reply.params["text"]
    first_row = reply.params["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in first_row] == ["✅ Short preparation", "⬜ Full hand-out"]
    # The meeting time is set with /meeting, not /settings.
    code = re.search(r"start=([A-Za-z0-9]+)", reply.params["text"]).group(1)
    assert f"/meeting {code} 2026-12-03 19:30" in reply.params["text"] and "/settings" not in reply.params["text"]
    # The short preparation never asks D: its button says so, and pressing it changes nothing.
    rows = {b["text"].split(". ")[0][-1]: b for row in reply.params["reply_markup"]["inline_keyboard"][1:] for b in row}
    assert rows["D"]["text"].startswith("➖ D.") and rows["D"]["text"].endswith("full hand-out only")
    assert all(rows[letter]["text"].startswith("✅") for letter in "ABCE")
    mark = await admin.press(rows["D"]["callback_data"], reply.result["message_id"])
    assert "does not ask this exercise" in (await admin.reply(mark)).params["text"]  # a message: the press was answered at intake
    with db.session() as session:
        assert "d" in repo.workshop_by_code(session, code).exercises
    mark = await admin.press(first_row[1]["callback_data"], reply.result["message_id"])  # the full hand-out
    full = await admin.reply(mark, "editMessageReplyMarkup")
    assert any(b["text"].startswith("✅ D.") for row in full.params["reply_markup"]["inline_keyboard"] for b in row)


async def test_after_the_end_text_and_commands_get_a_short_note(api: FakeBotApi, app, db: Database) -> None:
    from tests.telegram_helpers import walk

    code = await create_workshop(api)
    phone = Phone(api, INFORMAL, "en")
    await walk(phone, await consented(api, phone, code), "informal", "k")
    for typed in ("hallo", "/restart", "/skip"):
        mark = await phone.send(typed)
        note = (await phone.reply(mark)).params["text"]
        assert "finished the preparation." in note and "/myanswers" in note, typed
        assert "⚠️" not in note and "Thank you" not in note and "went wrong" not in note, typed
    mark = await phone.send("/back")  # the last question answered
    assert (await phone.prompt(mark)).key == "e.pitfalls"


async def test_an_old_remove_button_never_removes_another_item(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, INFORMAL, "nl")
    prompt = await walk_until(phone, await consented(api, phone, code), "b.other_knowledge")
    first = await phone.prompt(await phone.send("EERSTE"))
    second = await phone.prompt(await phone.send("TWEEDE"))
    remove = [d for d in first.data if f"a|{prompt.key}|_rm1." in d]
    assert remove and all(len(d.encode()) <= MAX_CALLBACK_DATA for d in remove)
    assert second.data[0] == remove[0]  # both messages show "1. EERSTE"
    mark = await phone.press(second.data[0], second.message_id)
    await phone.prompt(mark)  # EERSTE removed
    mark = await phone.press(remove[0], first.message_id)  # the older message still shows "1. EERSTE"
    again = (await phone.prompt(mark)).text
    assert "eerdere versie van je lijst" in again and "TWEEDE" in again and "Weggehaald" not in again
    with db.session() as session:
        (participant, _w), *_ = repo.participations(session, f"tg:{INFORMAL}")
        assert repo.load_progress(session, participant.id).answers["b.other_knowledge"] == ["TWEEDE"]


async def test_an_old_button_brings_the_current_question_again(api: FakeBotApi, app, db: Database) -> None:
    """A button of an earlier question says "Here is the current one": the current question comes, the notice above
    it, and the older copy of it loses its buttons; after the end, a short note instead of the closing message."""
    from bot.i18n import translations
    from tests.telegram_helpers import walk

    ar = translations("ar").gettext
    stale = ar("That button belongs to an earlier question. Here is the current one.")
    code = await create_workshop(api)
    phone = Phone(api, INFORMAL, "ar")
    role = await walk_until(phone, await join(api, phone, code), "intro.role", secret="جواب")
    mark = await phone.press("a|intro.role|volunteer", role.message_id)
    current = await phone.prompt(mark)
    assert current.key != "intro.role"
    for old in ("a|intro.role|keyfigure", "p|intro.role|1"):  # an answer button and a page turn of the role question
        mark = await phone.press(old, role.message_id)
        again = await phone.prompt(mark)
        assert again.key == current.key and stale in again.text and again.data == current.data, old
        assert current.text.split("\n\n")[-1] in again.text  # the question itself, not only the note
        took_off = [c for c in api.calls[mark:] if c.method == "editMessageReplyMarkup"]
        assert [c.params["message_id"] for c in took_off] == [current.message_id]  # one live copy of the question
        current = again
    with db.session() as session:
        (participant, _w), *_ = repo.participations(session, f"tg:{INFORMAL}")
        progress = repo.load_progress(session, participant.id)
        assert progress.answers["intro.role"] == "volunteer" and f"{progress.position.exercise}.{progress.position.step}" == current.key

    await walk(phone, current, "informal", "k")
    mark = await phone.press("a|intro.role|keyfigure", role.message_id)
    note = (await phone.reply(mark)).params["text"]
    assert ar("That button belongs to an earlier question.") in note and ar("You have finished the preparation.") in note
    assert stale not in note and ar("Thank you! You have finished the preparation. Your answers are saved.") not in note
    assert "/myanswers" in note
