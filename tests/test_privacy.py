"""Issue 11 through real parts: consent before storage, /mydata, /forget, retention, closing and deleting
a workshop, invites, logs and file modes. PTB against the fake Bot API; SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlmodel import SQLModel

from bot.conversation import Conversation, Features
from bot.timefmt import WORKSHOP_TZ
from bot.transports.telegram.retention_job import tick
from storage import Database, Invite, Participant, Position, Workshop
from storage import repository as repo
from storage.models import utcnow
from tests.fake_bot_api import FakeBotApi
from tests.telegram_helpers import TOKEN, Phone, buttons, start_app, stop_app
from tests.test_telegram import ADMIN, FORMAL, INFORMAL, OUTSIDER, create_workshop, join, walk_until

PHONE_NUMBER = "+31 6 1234 5678"


@pytest.fixture
async def app(api: FakeBotApi, db: Database):
    application = await start_app(api, db, frozenset({ADMIN}))
    yield application
    await stop_app(application)


# The inbox keeps each update's id and chat id a while to recognise late duplicates; what was typed
# (its payload) goes once the update is handled (bot/transports/telegram/inbox, issue 8).
TECHNICAL = frozenset({"inbox"})


def snapshot(db: Database, ignore: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """Every row of every table the models declare (a table added later is included), but the inbox."""
    out = {}
    with db.engine.connect() as conn:
        for name, table in SQLModel.metadata.tables.items():
            if name in TECHNICAL:
                continue
            columns = [c for c in table.columns if f"{name}.{c.name}" not in ignore]
            out[name] = sorted(repr(tuple(row)) for row in conn.execute(select(*columns)).all())
    return out


def everything(db: Database) -> str:
    return "\n".join("\n".join(rows) for rows in snapshot(db).values())


async def say(phone: Phone, command: str) -> str:
    mark = await phone.send(command)
    return (await phone.reply(mark)).params["text"]


# --- consent ---------------------------------------------------------------------------


async def test_declining_stores_nothing_in_any_table(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    before = snapshot(db)
    phone = Phone(api, OUTSIDER, "en")
    consent = await join(api, phone, code)
    for words in ("Telegram user id and chat id", "30 days after the meeting", "/mydata", "/forget", "facilitators", "wall"):
        assert words in consent.text, words
    assert "translated by machine" not in consent.text and "speech-to-text" not in consent.text  # none configured
    # Another language first (only the buttons remember it), then no.
    language_message = next(c for c in api.sent_to(OUTSIDER) if any(b["callback_data"].startswith("l|") for b in buttons(c)))
    mark = await phone.press(f"l|pl|{code}", language_message.result["message_id"])
    polish = await phone.prompt(mark)
    assert polish.button("no") == f"j|{code}|pl|no"
    assert snapshot(db) == before
    mark = await phone.press(polish.button("no"), polish.message_id)
    await phone.reply(mark)
    assert snapshot(db) == before  # every table exactly as before the person came


def test_the_consent_names_the_translation_and_transcription_services(db: Database) -> None:
    from bot.config import Settings

    with db.session() as session:
        workshop = repo.create_workshop(session, "Oost", "term:f")
        workshop.retention_days = 7
    assert Settings(deepl_api_key="k").translation_service == "DeepL"
    assert Settings(translate_url="http://lt.example.org:5000").translation_service == "LibreTranslate (lt.example.org)"
    assert Settings().translation_service is None
    plain = Conversation(db).consent_view(workshop, "en").text
    told = Conversation(db, features=Features(translation_service="DeepL", transcription=True)).consent_view(workshop, "en").text
    assert "7 days after the meeting" in plain and "DeepL" not in plain and "speech-to-text" not in plain
    assert "translation service DeepL" in told and "speech-to-text" in told


async def test_withdrawing_consent_erases_and_the_summary_only_counts(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    stays, leaves = Phone(api, FORMAL, "en"), Phone(api, INFORMAL, "en")
    await walk_until(stays, await join(api, stays, code), "a.seek", secret="Blijft")
    prompt = await walk_until(leaves, await join(api, leaves, code), "a.offer", secret="Vertrekt")
    while prompt.key != "intro.consent":
        mark = await leaves.send("/back")
        prompt = await leaves.prompt(mark)
    assert "Vertrekt" in everything(db)
    mark = await leaves.press(prompt.button("no"), prompt.message_id)
    assert "is erased" in (await leaves.reply(mark)).params["text"]
    assert "Vertrekt" not in everything(db) and f"tg:{INFORMAL}" not in everything(db)
    with db.session() as session:
        assert [p.user_key for p in session.exec(select(Participant)).scalars()] == [f"tg:{FORMAL}"]

    admin = Phone(api, ADMIN, "en")
    mark = await admin.send("/summary")
    await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=mark)
    sent = "\n".join(str(c.params) + repr(c.files) for c in api.sent_to(ADMIN, mark))
    assert "1 participant left the workshop" in sent
    assert "Vertrekt" not in sent and "Blijft" in sent


# --- /mydata and /forget -----------------------------------------------------------------


async def test_mydata_holds_every_answer_and_nothing_of_anyone_else(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    other = await create_workshop(api, "Zuid")
    me, someone = Phone(api, FORMAL, "en"), Phone(api, INFORMAL, "en")
    await walk_until(someone, await join(api, someone, code), "b.other_knowledge", secret="VanIemandAnders")
    await walk_until(me, await join(api, me, code), "b.other_knowledge", secret="MijnEigen")
    await walk_until(me, await join(api, me, other), "a.offer", secret="OokVanMij")
    mark = await me.send("/mydata")
    document = await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "my-data.json", after=mark)
    readable = next(c for c in api.calls[mark:] if c.method == "sendDocument" and c.filename == "my-data.txt")
    data = json.loads(document.files["document"])
    with db.session() as session:
        mine = session.execute(select(Participant.id).where(Participant.user_key == f"tg:{FORMAL}")).scalars().all()
        stored = session.execute(select(repo.Answer).where(repo.Answer.participant_id.in_(mine))).scalars().all()
    assert len(stored) > 5
    assert sorted(json.dumps(a.value, sort_keys=True) for a in stored) == sorted(
        json.dumps(a["value"], sort_keys=True) for a in data["answers"]
    )
    whole = document.files["document"].decode() + readable.files["document"].decode()
    assert "VanIemandAnders" not in whole and f"tg:{INFORMAL}" not in whole
    assert {p["workshop_id"] for p in data["participants"]} == {1, 2} and data["accounts"][0]["user_key"] == f"tg:{FORMAL}"
    text_doc = readable.files["document"].decode()
    typed = [v for a in stored for v in (a.value if isinstance(a.value, list) else [a.value]) if "MijnEigen" in v or "OokVanMij" in v]
    assert len(typed) >= 4
    for value in typed:
        assert value in text_doc, value


async def test_forget_leaves_no_trace_in_any_table(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    other = await create_workshop(api, "Zuid")
    stays = Phone(api, INFORMAL, "en")
    await walk_until(stays, await join(api, stays, code), "a.seek", secret="Blijft")
    # The other participant's prompt bookkeeping may still move (the bot records the prompt it sent).
    volatile = frozenset({"workshops.left_count", *(f"positions.{c.name}" for c in Position.__table__.columns if "prompt" in c.name)})
    before = snapshot(db, ignore=volatile)
    me = Phone(api, FORMAL, "en")
    await walk_until(me, await join(api, me, code), "b.other_knowledge", secret="Vergeet")
    await walk_until(me, await join(api, me, other), "a.seek", secret="Vergeet")
    mark = await me.send(PHONE_NUMBER)  # a phone number typed as an answer
    await me.prompt(mark)
    assert "Vergeet" in everything(db)
    mark = await me.send("/forget")
    question = await me.reply(mark)
    assert [b["callback_data"] for b in buttons(question)] == ["f|yes", "f|no"]
    mark = await me.press("f|no", question.result["message_id"])
    assert "Nothing was erased" in (await me.reply(mark)).params["text"]
    assert "Vergeet" in everything(db)
    mark = await me.press("f|yes", question.result["message_id"])
    assert "erased" in (await me.reply(mark)).params["text"]
    assert snapshot(db, ignore=volatile) == before
    whole = everything(db)
    for trace in ("Vergeet", f"tg:{FORMAL}", str(FORMAL), PHONE_NUMBER):
        assert trace not in whole, trace
    with db.session() as session:
        assert sorted(w.left_count for w in session.exec(select(Workshop)).scalars()) == [1, 1]
        # The inbox's handled rows of the chat went too; only the "yes" still being handled may remain.
        from storage import InboxUpdate
        from storage import inbox as inbox_store

        assert len(session.exec(select(InboxUpdate).where(InboxUpdate.chat_id == FORMAL)).all()) <= 1
        inbox_store.prune(session, utcnow() + timedelta(days=1))  # what the hourly prune does after two days
        assert all(row.done_at is None for row in session.exec(select(InboxUpdate)).scalars())


# --- retention ----------------------------------------------------------------------------


async def test_retention_warns_before_and_erases_on_time(api: FakeBotApi, app, db: Database, database_url: str) -> None:
    code = await create_workshop(api)
    admin = Phone(api, ADMIN, "en")
    meeting = (utcnow() + timedelta(days=5)).replace(second=0, microsecond=0)  # reminders are days away
    await say(admin, f"/meeting {code} {meeting.astimezone(WORKSHOP_TZ).strftime('%Y-%m-%d %H:%M')}")
    assert "erased 30 days after the meeting" in await say(admin, "/settings")
    assert "erased 10 days after" in await say(admin, f"/retention {code} 10")
    assert "from 0 to 30" in await say(admin, f"/retention {code} 60")  # only shorter
    phone = Phone(api, FORMAL, "en")
    await walk_until(phone, await join(api, phone, code), "a.offer", secret="Bewaard")
    end = meeting + timedelta(days=10)

    second_worker = Database(database_url)  # another process running the same job
    try:
        assert await tick(app.app.bot, db, end - timedelta(days=4)) == []
        mark = len(api.calls)
        done = await tick(app.app.bot, db, end - timedelta(days=2))
        assert [a.value for _w, a in done] == ["warn"]
        warning = await admin.reply(mark)
        assert "will be erased automatically" in warning.params["text"] and "Bewaard" not in warning.params["text"]
        assert await tick(app.app.bot, second_worker, end - timedelta(days=2)) == []  # claimed once
        assert "Bewaard" in everything(db)
        assert await tick(app.app.bot, db, end - timedelta(minutes=1)) == []
        mark = len(api.calls)
        assert [a.value for _w, a in await tick(app.app.bot, second_worker, end)] == ["erase"]
        assert "were erased automatically" in (await admin.reply(mark)).params["text"]
        assert await tick(app.app.bot, db, end + timedelta(days=1)) == []
    finally:
        second_worker.dispose()
    whole = everything(db)
    assert "Bewaard" not in whole and f"tg:{FORMAL}" not in whole
    with db.session() as session:
        workshop = session.exec(select(Workshop)).scalar_one()
        assert workshop.closed_at is not None and workshop.erased_at is not None
    newcomer = Phone(api, OUTSIDER, "en")
    assert "closed" in await say(newcomer, f"/start {code}")


# --- closing, deleting, invites -----------------------------------------------------------


async def test_a_closed_workshop_takes_no_one_new(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    admin, inside, outside = Phone(api, ADMIN, "en"), Phone(api, FORMAL, "en"), Phone(api, OUTSIDER, "en")
    prompt = await walk_until(inside, await join(api, inside, code), "a.seek")
    assert "Closed" in await say(admin, f"/close {code}")
    assert "closed" in await say(outside, f"/start {code}")
    mark = await inside.send(f"/start {code}")  # someone already in goes on
    assert (await inside.prompt(mark)).key == prompt.key
    assert "Open" in await say(admin, f"/open {code}")
    assert (await join(api, outside, code)).key == "intro.consent"


async def test_delete_a_workshop_at_once_with_confirmation(api: FakeBotApi, app, db: Database) -> None:
    empty = snapshot(db)
    code = await create_workshop(api)
    admin, phone = Phone(api, ADMIN, "en"), Phone(api, FORMAL, "en")
    await walk_until(phone, await join(api, phone, code), "a.offer", secret="Weg")
    await say(admin, f"/invite {code}")
    mark = await admin.send(f"/delete {code}")
    question = await admin.reply(mark)
    yes, no = (b["callback_data"] for b in buttons(question))
    mark = await phone.press(yes, 1)  # a participant cannot press it
    await phone.reply(mark)
    mark = await admin.press(no, question.result["message_id"])
    assert "Nothing was deleted" in (await admin.reply(mark)).params["text"]
    mark = await admin.press(yes, question.result["message_id"])
    assert "deleted" in (await admin.reply(mark)).params["text"]
    assert snapshot(db) == empty
    assert "not known" in await say(Phone(api, OUTSIDER, "en"), f"/start {code}")


async def test_invites_expire_are_revoked_and_facilitators_can_be_removed(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    admin, co = Phone(api, ADMIN, "en"), Phone(api, FORMAL, "en")

    async def invite() -> str:
        return re.search(r"start=(inv-[A-Za-z0-9]+)", await say(admin, f"/invite {code}")).group(1)

    old = await invite()
    with db.session() as session:
        session.execute(update(Invite).where(Invite.token == old).values(created_at=utcnow() - timedelta(days=7, minutes=1)))
    assert "not valid" in await say(co, f"/start {old}")
    revoked = await invite()
    assert "1 open invitation no longer works" in await say(admin, f"/revoke {code}")
    assert "not valid" in await say(co, f"/start {revoked}")
    good = await invite()
    assert "You are now a facilitator" in await say(co, f"/start {good}")
    assert "not valid" in await say(Phone(api, OUTSIDER, "en"), f"/start {good}")  # once
    mark = await admin.send(f"/facilitators {code}")
    listing = await admin.reply(mark)
    assert "you (created the workshop)" in listing.params["text"] and f"Telegram user {FORMAL}" in listing.params["text"]
    (remove,) = buttons(listing)
    workshop_id = remove["callback_data"].split("|")[1]
    mark = await co.press(f"m|{workshop_id}|1", 1)  # the co-facilitator tries to remove the creator: refused
    assert "not valid" in (await co.reply(mark)).params["text"]
    mark = await admin.press(remove["callback_data"], listing.result["message_id"])
    assert "removed" in (await admin.reply(mark)).params["text"]
    assert "only for the facilitators" in await say(co, f"/status {code}")


def test_redeeming_an_invite_is_one_conditional_update(db: Database) -> None:
    with db.session() as session:
        workshop = repo.create_workshop(session, "Oost", "tg:1")
        token = repo.create_invite(session, workshop.id, "tg:1")
    with db.session() as first, db.session() as second:
        assert repo.redeem_invite(first, token, "tg:2", 2, "en") is not None
        first.commit()
        assert repo.redeem_invite(second, token, "tg:3", 3, "en") is None
    with db.session() as session:
        assert not repo.is_facilitator(session, workshop.id, "tg:3")
        assert repo.redeem_invite(session, token, "tg:2", 2, "en") is not None  # the same person again: fine


# --- throttle --------------------------------------------------------------------------------


async def test_only_code_shaped_input_counts_as_a_join_attempt(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, OUTSIDER, "en")
    for words in ("hello", "hallo?", "ik wil meedoen", "12345", "hello", "hello"):
        assert "16 letters and digits" in await say(phone, words)
    assert snapshot(db)["accounts"] == []  # nothing stored about someone saying hello
    assert (await join(api, phone, code)).key == "intro.consent"


# --- logs and files ----------------------------------------------------------------------------


async def test_logs_at_info_hold_no_typed_token_even_when_the_database_fails(api: FakeBotApi, db: Database) -> None:
    from bot.logs import configure

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure("INFO", secrets=[TOKEN], stream=stream)
    app = await start_app(api, db, frozenset({ADMIN}))
    typed: list[str] = []
    try:
        code = await create_workshop(api)
        admin = Phone(api, ADMIN, "en")
        link = re.search(r"start=(inv-[A-Za-z0-9]+)", await say(admin, f"/invite {code}")).group(1)
        phone = Phone(api, FORMAL, "en", name="Zeynep")
        await walk_until(phone, await join(api, phone, code), "a.offer", secret="Geheim-antwoord")
        typed += [f"Geheim-antwoord {k}" for k in ("intro.name", "a.seek")]
        await say(Phone(api, OUTSIDER, "en"), "Wrong0Code000000")
        # The database refuses the write of the next answer (a real failure, raised by the database itself),
        # so the statement that fails carries the typed text as a parameter.
        refuse_writes_of_answers(db)
        await phone.send(f"Geheim-na-de-fout {PHONE_NUMBER}")
        # Updates are handled one after the other: a later one answered means the failed one is done.
        assert "/back" in await say(Phone(api, OUTSIDER, "en"), "/help")
        typed += ["Geheim-na-de-fout", PHONE_NUMBER, code, link, TOKEN, "Zeynep", "Wrong0Code000000"]
    finally:
        await stop_app(app)
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    log = stream.getvalue()
    assert "error while handling update" in log or "not saved" in log or "Error" in log  # the failure is there
    for token in typed:
        assert token not in log, token
    assert "[SQL parameters hidden" in log


def refuse_writes_of_answers(db: Database) -> None:
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "sqlite":
            conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON answers BEGIN SELECT RAISE(ABORT, 'refused'); END"))
        else:
            conn.execute(text(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
            ))
            conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON answers FOR EACH ROW EXECUTE FUNCTION refuse()"))


def test_debug_logs_hide_the_bot_token() -> None:
    from bot.logs import configure

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    try:
        configure("DEBUG", secrets=[TOKEN], stream=stream)
        logging.getLogger("httpx").warning("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/sendMessage")
        except RuntimeError:
            logging.getLogger("telegram.ext").debug("network", exc_info=True)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    log = stream.getvalue()
    assert "getMe" in log and "sendMessage" in log and "[hidden]" in log
    assert TOKEN not in log


def test_the_sqlite_file_is_its_owners_only(tmp_path) -> None:
    folder = tmp_path / "data"
    db = Database(f"sqlite:///{folder / 'bot.sqlite3'}")
    with db.session() as session:
        repo.create_workshop(session, "Oost", "term:f")
    files = {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()}
    db.dispose()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert files["bot.sqlite3"] == 0o600
    assert {name for name in files} >= {"bot.sqlite3-wal", "bot.sqlite3-shm"}
    assert set(files.values()) == {0o600}


# --- the pack honours the name choice --------------------------------------------------------


def test_the_pack_shows_a_name_only_when_its_owner_chose_so(db: Database) -> None:
    from bot.i18n import translations
    from bot.pack import build_pack
    from bot.summary import summary_text

    with db.session() as session:
        workshop = repo.create_workshop(session, "Oost", "term:f")
        for key, name, named in (("a", "Naamzichtbaar", True), ("b", "Naamverborgen", False)):
            person = repo.join(session, workshop, f"term:{key}", language="nl")
            person.display_name, person.role, person.organisation, person.pack_named = name, "formal", f"Org{key}", named
            answers = {"intro.name": name, "intro.role": "formal", "a.seek": f"antwoord {key}", "e.roles_own": ["f_coord"]}
            repo.save_answers(session, person.id, answers, "nl")
        data = repo.workshop_answers(session, workshop)
    pack = build_pack(data, "en")
    shown = pack.html
    assert "Naamzichtbaar" in pack.html and "Orga" in pack.html
    assert "Naamverborgen" not in shown and "Orgb" not in shown and "(name not shown)" in pack.html
    facilitator = summary_text(data, translations("en"), "en")
    assert "Naamverborgen" in facilitator and "Orgb" in facilitator  # facilitators see who wrote what
