"""Machine translation of typed answers: the providers' documented HTTP APIs (faked on 127.0.0.1 by
the tests), translations stored once and dropped with the answer, nothing sent without a provider,
and a failing provider never stopping the summary."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.i18n import strip_isolates
from bot.pack import build_pack
from bot.translation import DeepL, LibreTranslate, provider_from_settings, translate_missing
from storage import Answer, AnswerTranslation, Database, Participant, Workshop
from storage import repository as repo
from storage.repository import WorkshopAnswers
from tests.fake_bot_api import FakeBotApi
from tests.fake_translate import FakeTranslator
from tests.seven import DUTCH, PEOPLE, PHRASES, make_seven
from tests.telegram_helpers import Phone, start_app, stop_app

ADMIN = 1001
TYPED_ELSEWHERE = {  # every typed answer not written in Dutch, except Tigrinya (no provider has it here)
    text
    for _role, _org, language, answers in PEOPLE.values()
    if language not in ("nl", "ti")
    for key, value in answers.items()
    if not key.endswith(("roles_own", "roles_other", "trunk", "pitfalls"))
    for text in (value if isinstance(value, list) else [value])
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeTranslator]:
    server = FakeTranslator(PHRASES, api_key="sleutel")
    await server.start()
    yield server
    await server.stop()
    assert server.violations == [], server.violations  # every request had the documented shape


def load(db: Database, workshop_id: int, language: str = "nl") -> WorkshopAnswers:
    with db.session() as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        return repo.workshop_answers(session, workshop, translated_to=language)


def stored(db: Database) -> list[AnswerTranslation]:
    with db.session() as session:
        return list(session.exec(select(AnswerTranslation)))


async def test_libretranslate_translates_typed_answers_once(db: Database, fake: FakeTranslator) -> None:
    workshop_id = make_seven(db)
    provider = LibreTranslate(fake.url, "sleutel")
    assert await translate_missing(db, workshop_id, "nl", provider) == len(TYPED_ELSEWHERE)
    # Only typed text of other languages went out: no choices, names, organisations or Dutch answers.
    assert sorted(fake.texts()) == sorted(TYPED_ELSEWHERE)
    assert all(r.body["target"] == "nl" and r.body["format"] == "text" for r in fake.translations)
    assert {r.body["source"] for r in fake.translations} == {"tr", "ar", "uk"}  # batched per language
    rows = stored(db)
    assert len(rows) == len(TYPED_ELSEWHERE) and {r.provider for r in rows} == {"libretranslate"}

    requests = len(fake.requests)
    assert await translate_missing(db, workshop_id, "nl", provider) == 0  # stored: never asked again
    assert len(fake.translations) == len([r for r in fake.requests[:requests] if r.path == "/translate"])

    pack = build_pack(load(db, workshop_id), "nl")
    text = strip_isolates(pack.text)
    assert "المتطوعون يتعبون بسرعة 🌐 Vrijwilligers raken snel moe" in text
    # No translation: the language named, in Dutch, once for the person (who is who) and on the page.
    assert "· Informele werker: migrantenzelforganisatie · Tigrinya\n" in text and "• ኪዳነ: ወለዲ CJG ይፈልጡ\n" in text
    assert 'ወለዲ CJG ይፈልጡ</span> <span class="lang">(Tigrinya)</span>' in pack.html
    assert 'class="mt"' in pack.html and "Vrijwilligers raken snel moe" in pack.html
    csv_text = pack.csv.decode("utf-8-sig")
    assert "Machinevertaling" in csv_text.splitlines()[0] or "Machine translation" in csv_text.splitlines()[0]
    assert "Hulp met papieren voor ouders" in csv_text


async def test_deepl_request_shape_and_batches(db: Database, fake: FakeTranslator) -> None:
    from benchmarks.summary import populate

    with db.session() as session:
        workshop = repo.create_workshop(session, "Groot", "term:f")
        workshop_id = workshop.id
    populate(db, workshop, 40)  # hundreds of distinct texts: more than one request of 50
    provider = DeepL("sleutel", url=fake.url)
    count = await translate_missing(db, workshop_id, "nl", provider)
    assert count > 100
    assert len(fake.translations) > 2
    for request in fake.translations:
        assert request.headers["Authorization"] == "DeepL-Auth-Key sleutel"
        assert request.body["target_lang"] == "NL" and 0 < len(request.body["text"]) <= 50
    # DeepL has no Persian or Tigrinya: those answers were never sent.
    assert {r.body["source_lang"] for r in fake.translations} == {"AR", "UK", "EN"}
    data = load(db, workshop_id)
    assert len(data.translations) == count


def test_free_deepl_keys_use_the_free_endpoint() -> None:
    assert DeepL("abc:fx").url == "https://api-free.deepl.com"
    assert DeepL("abc").url == "https://api.deepl.com"
    assert DeepL("abc", "http://127.0.0.1:9/").url == "http://127.0.0.1:9"


def test_provider_from_settings() -> None:
    assert provider_from_settings(Settings()) is None and not Settings().machine_translation
    libre = Settings(translate_url="http://127.0.0.1:5000", translate_api_key="k")
    assert isinstance(provider_from_settings(libre), LibreTranslate) and libre.machine_translation
    assert isinstance(provider_from_settings(Settings(deepl_api_key="k")), DeepL)


async def test_a_changed_or_deleted_answer_loses_its_translation(db: Database, fake: FakeTranslator) -> None:
    workshop_id = make_seven(db)
    provider = LibreTranslate(fake.url, "sleutel")
    await translate_missing(db, workshop_id, "nl", provider)
    with db.session() as session:
        fatima = session.exec(select(Participant).where(Participant.display_name == "فاطمة")).one()
        rows = repo.answer_rows(session, fatima.id)
        need, offer = rows["e.need"].id, rows["a.offer"].id
        repo.save_answers(session, fatima.id, {"e.need": "اجتماع كل شهر", "a.offer": None}, "ar")
    gone = {r.answer_id for r in stored(db)}
    assert need not in gone and offer not in gone
    with db.session() as session:  # the database drops them too when an answer goes another way
        assert session.exec(select(Answer).where(Answer.id == offer)).first() is None

    before = len(fake.texts())
    assert await translate_missing(db, workshop_id, "nl", provider) == 1
    assert fake.texts()[before:] == ["اجتماع كل شهر"]  # only the changed answer is translated again
    unchanged_language = len(stored(db))
    with db.session() as session:  # the same words again: the translation stays
        repo.save_answers(session, fatima.id, {"e.need": "اجتماع كل شهر"}, "ar")
    assert len(stored(db)) == unchanged_language


async def test_without_a_provider_nothing_is_sent_and_the_language_is_named(
    db: Database, fake: FakeTranslator
) -> None:
    workshop_id = make_seven(db)
    assert await translate_missing(db, workshop_id, "nl", provider_from_settings(Settings())) == 0
    assert fake.requests == [] and stored(db) == []
    text = strip_isolates(build_pack(load(db, workshop_id), "nl").text)
    # Each one's language named once (who is who), their answers as written.
    assert "· Informele werker: sleutelfiguur in een gemeenschap · Arabisch\n" in text
    assert "• فاطمة: المتطوعون يتعبون بسرعة\n" in text and "• Олена: Допомога з документами для батьків\n" in text
    assert "🌐" not in text


@pytest.mark.parametrize("failure", ["500", "timeout"])
async def test_a_failing_provider_leaves_the_originals(db: Database, fake: FakeTranslator, failure: str) -> None:
    workshop_id = make_seven(db)
    if failure == "500":
        fake.fail_with = 500
    else:
        fake.hang = True
    started = time.monotonic()
    assert await translate_missing(db, workshop_id, "nl", LibreTranslate(fake.url, "sleutel", timeout=0.5)) == 0
    assert time.monotonic() - started < 10  # a hanging provider costs its timeout, not the summary
    assert fake.translations and stored(db) == []
    text = strip_isolates(build_pack(load(db, workshop_id), "nl").text)
    assert "• فاطمة: المتطوعون يتعبون بسرعة\n" in text and "🌐" not in text


# --- through Telegram: the real Application against the fake Bot API --------------------------


async def summary_of(api: FakeBotApi) -> tuple[list[str], dict[str, bytes]]:
    admin = Phone(api, ADMIN, "nl")
    mark = await admin.send("/summary")
    await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=mark, timeout=60)
    calls = api.sent_to(ADMIN, mark)
    texts = [c.params["text"] for c in calls if c.method == "sendMessage"]
    assert "klaargemaakt" in texts.pop(0)  # /summary is acknowledged at once (in Dutch), then delivered
    files = {c.filename: c.files.get("document", b"") for c in calls if c.method == "sendDocument"}
    return texts, files


async def test_summary_on_telegram_translates_once_and_opens_with_the_briefing(
    api: FakeBotApi, db: Database, fake: FakeTranslator
) -> None:
    make_seven(db, facilitator=f"tg:{ADMIN}")
    app = await start_app(api, db, frozenset({ADMIN}), translate_url=fake.url, translate_api_key="sleutel")
    try:
        texts, files = await summary_of(api)
        first = strip_isolates(texts[0])
        assert first.startswith("Werkplaats: Wijk Noord, 3 december")
        assert "🌐 Ik ken de taal en de cultuur" in first  # the briefing reads in Dutch
        assert "Vertrouwenspersoon 2/2" in first and "Bewaker ×2" in first
        whole = strip_isolates("\n".join(texts))
        assert whole.count("\n") + 1 <= 60  # the chat part stays short: the rest is in the documents
        document = strip_isolates(files["summary.txt"].decode("utf-8"))
        for original, dutch in DUTCH.items():
            assert f"{original} 🌐 {dutch}" in document
        asked = len(fake.translations)
        assert asked > 0

        texts, _files = await summary_of(api)  # the second summary asks the provider nothing new
        assert len(fake.translations) == asked
        assert "🌐 Ik ken de taal en de cultuur" in strip_isolates(texts[0])
    finally:
        await stop_app(app)


async def test_summary_on_telegram_without_or_with_a_broken_provider(
    api: FakeBotApi, db: Database, fake: FakeTranslator
) -> None:
    make_seven(db, facilitator=f"tg:{ADMIN}")
    app = await start_app(api, db, frozenset({ADMIN}))  # no provider configured
    try:
        texts, files = await summary_of(api)
    finally:
        await stop_app(app)
    assert fake.requests == []  # nothing left the machine
    assert "(Arabisch)" in strip_isolates(texts[0]) and "🌐" not in strip_isolates(texts[0])

    fake.fail_with = 500
    app = await start_app(api, db, frozenset({ADMIN}), translate_url=fake.url, translate_api_key="sleutel")
    try:
        texts, files = await summary_of(api)  # still delivered, with the originals
    finally:
        await stop_app(app)
    assert fake.translations and "(Arabisch)" in strip_isolates(texts[0])
    assert "• فاطمة: المتطوعون يتعبون بسرعة\n" in strip_isolates(files["summary.txt"].decode("utf-8"))


async def test_voice_items_are_not_sent_and_keep_their_place(db: Database, fake: FakeTranslator) -> None:
    workshop_id = make_seven(db)
    with db.session() as session:
        fatima = session.exec(select(Participant).where(Participant.display_name == "فاطمة")).one()
        spoken = {"voice": "77", "seconds": 12}
        repo.save_answers(session, fatima.id, {"e.can": [spoken, "مترجمون"]}, "ar")
    assert await translate_missing(db, workshop_id, "nl", LibreTranslate(fake.url, "sleutel")) > 0
    assert "مترجمون" in fake.texts() and all(isinstance(t, str) for t in fake.texts())
    with db.session() as session:
        can = repo.answer_rows(session, fatima.id)["e.can"]
        stored_text = session.exec(select(AnswerTranslation).where(AnswerTranslation.answer_id == can.id)).one().text
    assert stored_text == ["", "[nl] مترجمون"]  # the voice item keeps its place, untranslated
    text = strip_isolates(build_pack(load(db, workshop_id), "nl").text)
    assert "مترجمون 🌐 [nl] مترجمون" in text
