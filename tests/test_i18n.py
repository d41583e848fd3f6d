"""Catalogs: complete, compiling, faithful to placeholders; every language end to end through Telegram."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import babel.localedata
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES_DIR, babel_language_name, is_reviewed, language_name, negotiate
from bot.transports.telegram.participants import language_keyboard
from storage import Database
from tests.fake_bot_api import FakeBotApi
from tests.telegram_helpers import Phone, buttons, start_app, stop_app, walk

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sd]|%[sd]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "NP_": ((1, "c"), 2)}  # as babel.cfg / scripts/catalogs.py


def catalog(language: str):
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=language)


def template_ids() -> set[str]:
    with (LOCALES_DIR / "messages.pot").open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


def test_template_matches_the_code() -> None:
    """messages.pot holds exactly what the code marks: nobody forgot to run the extraction."""
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "bot"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    assert found == template_ids()


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_complete_compiles_and_matches_the_template(language: str) -> None:
    cat = catalog(language)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id}
    assert ids == template_ids()
    for message in cat:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert strings and all(s.strip() for s in strings), f"untranslated: {message.id}"
    write_mo(io.BytesIO(), cat, use_fuzzy=False)  # raises on a broken catalog


def single_number_forms(cat) -> set[int]:
    """Plural forms that stand for one number only (Arabic: zero, one and two; the singular of
    most languages). Such a form may say the number in words: "شخصان" (two people), not "2 شخص"."""
    rule = gettext.c2py(cat.plural_expr)
    numbers: dict[int, set[int]] = {}
    for n in range(1000):
        numbers.setdefault(rule(n), set()).add(n)
    return {form for form, found in numbers.items() if len(found) == 1}


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_markup(language: str) -> None:
    cat = catalog(language)
    single = single_number_forms(cat)
    for message in cat:
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(sources[-1])) | set(PLACEHOLDER.findall(sources[0]))
        for form, text in enumerate(strings):
            found = set(PLACEHOLDER.findall(text))
            if message.pluralizable and form in single:  # the count may be said in words
                assert found <= expected and len(expected - found) <= 1, (language, message.id, text)
            else:
                assert found == expected, (language, message.id, text)
            assert sorted(TAG.findall(text)) == sorted(TAG.findall(sources[0])), (language, message.id)


def test_every_catalog_states_its_review() -> None:
    for language in LANGUAGES:
        first = (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# Native-Speaker-Review: "), language
    assert is_reviewed("en") and not is_reviewed("ti")


@pytest.mark.parametrize(
    ("code", "expected"),
    [("pt-BR", "nl"), ("ar-SA", "ar"), ("uk", "uk"), ("tr", "tr"), ("en-GB", "en"), ("fa-IR", "fa"), ("ti-ER", "ti"),
     ("so", "so"), ("pl-PL", "pl"), ("nl-BE", "nl"), ("zz", "nl"), (None, "nl"), ("", "nl")],
)  # fmt: skip
def test_language_negotiation(code: str | None, expected: str) -> None:
    assert negotiate(code) == expected


def test_languages_offered_in_their_own_name_and_script() -> None:
    names = {code: language_name(code) for code in LANGUAGES}
    assert names["tr"] == "Türkçe" and names["ar"] == "العربية" and names["fa"] == "فارسی"
    assert names["pl"] == "Polski" and names["uk"] == "Українська" and names["so"] == "Soomaali" and names["ti"] == "ትግርኛ"


def test_the_written_out_language_names_are_cldrs() -> None:
    assert {code: language_name(code) for code in LANGUAGES} == {code: babel_language_name(code) for code in LANGUAGES}


def test_the_language_menu_loads_no_locale_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Babel keeps every locale it loaded for the process's life (~1.4 MB each): the menu shown at every join
    must not load the nine of them to name them."""
    loaded: list[str] = []
    real = babel.localedata.load
    monkeypatch.setattr(babel.localedata, "load", lambda name, *a, **k: loaded.append(str(name)) or real(name, *a, **k))
    language_keyboard("nl", pending="CODE")
    assert loaded == []


# --- the whole journey in every language -------------------------------------------------


def names_in_the_hand_out() -> set[str]:
    """English words the Dutch hand-out itself uses as names ("Meet and greet", "Linking pin", "Fixer")."""
    names = set()
    for message in catalog("nl"):
        if message.id and isinstance(message.id, str) and message.string == message.id:
            names.add(message.id)
    return names


def english_strings(language: str) -> tuple[set[str], set[str]]:
    """English source texts that must not reach a reader of ``language``: phrases and single words."""
    phrases, words = set(), set()
    names = names_in_the_hand_out()
    for message in catalog(language):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for source in sources:
            if source in strings or source in names:
                continue  # the same in both languages, or a name the hand-out uses in English
            for piece in re.split(r"\{[a-z_]+\}|\n", source):
                piece = piece.strip(" .:,;()“”")
                if " " in piece and len(piece) >= 12:
                    phrases.add(piece)
                elif piece and " " not in piece:
                    words.add(piece)
    return phrases, words


def texts_for(api: FakeBotApi, chat_id: int) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for call in api.calls:
        if call.params.get("chat_id") != chat_id:
            continue
        if "text" in call.params:
            texts.append(call.params["text"])
        if "caption" in call.params:
            texts.append(call.params["caption"])
        labels += [b["text"] for b in buttons(call)]
    return texts, labels


SCRIPTS = {"ar": "[\u0600-\u06ff]", "fa": "[\u0600-\u06ff]", "uk": "[\u0400-\u04ff]", "ti": "[\u1200-\u137f]"}


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
async def test_whole_journey_reaches_the_reader_in_their_language(language: str, db: Database) -> None:
    api = FakeBotApi()
    await api.start()
    app = await start_app(api, db, frozenset({1}))
    try:
        admin = Phone(api, 1, "en")
        mark = await admin.send("/new Wijk Noord")
        code = re.search(r"start=([A-Za-z0-9]+)", (await admin.reply(mark)).params["text"]).group(1)
        phone = Phone(api, 77, language)
        mark = await phone.send(f"/start {code}")
        await walk(phone, await phone.prompt(mark), "informal", "Ayse")
        for command in ("/progress", "/myanswers", "/help", "/language", "/frobnicate"):
            mark = await phone.send(command)
            await phone.reply(mark)
    finally:
        await stop_app(app)
        await api.stop()
    assert api.violations == []

    texts, labels = texts_for(api, 77)
    phrases, words = english_strings(language)
    for text in texts:
        for phrase in phrases:
            assert phrase not in text, (language, phrase)
    for label in labels:
        assert label.strip("\u200f✅ *") not in words, (language, label)
    prompts = [t for t in texts if "Ayse" not in t]
    if language in SCRIPTS:
        share = sum(bool(re.search(SCRIPTS[language], t)) for t in prompts) / len(prompts)
        assert share > 0.95, (language, share)
    if language in ("ar", "fa"):
        assert all(t.startswith("<b>\u200f") or t.startswith("\u200f") for t in prompts)


def test_no_translation_call_hides_inside_an_f_string() -> None:
    """Babel's extractor (on Python 3.11) cannot see ``_()`` inside f-strings: such text would never be translated."""
    import io
    import tokenize

    hidden = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            prefix = token.string[:2].lower()
            if token.type == tokenize.STRING and "f" in prefix and re.search(r"\b(_|gettext|ngettext|pgettext)\(", token.string):
                hidden.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert hidden == []


async def test_turkish_participant_switches_to_arabic_and_the_facilitator_reads_dutch(db: Database) -> None:
    from tests.test_telegram import walk_until

    api = FakeBotApi()
    await api.start()
    app = await start_app(api, db, frozenset({1}))
    try:
        admin = Phone(api, 1, "nl")
        mark = await admin.send("/new Wijk Noord")
        code = re.search(r"start=([A-Za-z0-9]+)", (await admin.reply(mark)).params["text"]).group(1)
        phone = Phone(api, 90, "tr-TR")
        mark = await phone.send(f"/start {code}")
        offered = await phone.reply(mark)
        assert "Türkçe" in offered.params["text"]
        halfway = await walk_until(phone, await phone.prompt(mark), "c.goal", secret="Türkçe cevap")
        assert re.search("[çğışöüİ]", halfway.text)  # still Turkish before the switch
        mark = await phone.press("l|ar", halfway.message_id)
        switched = await phone.prompt(mark)
        assert switched.key == "c.goal"
        await walk(phone, switched, "informal", "جواب عربي")
        after = [c.params["text"] for c in api.calls[mark:] if c.method == "sendMessage" and c.params.get("chat_id") == 90]
        assert after and all(re.search("[\u0600-\u06ff]", t) and "\u200f" in t for t in after)

        mark = await admin.send("/summary")
        document = await api.wait_for(
            lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=mark
        )
        summary = "\n".join(c.params["text"] for c in api.sent_to(1, mark) if c.method == "sendMessage")
    finally:
        await stop_app(app)
        await api.stop()
    # No translation provider: each typed answer as written, its language named in the reader's (Dutch).
    whole = document.files["document"].decode("utf-8").replace("\u2068", "").replace("\u2069", "")
    # Their language (Arabic now) named once, in who is who; answers given in Turkish before say so.
    assert re.search(r"· Arabisch\n", whole) and "Türkçe cevap a.seek (Turks)" in whole
    assert re.search(r": جواب عربي c\.goal[^\n(]*\n", whole)
    assert "Formele werkers" in summary or "Informele werkers" in summary  # the facilitator reads Dutch
