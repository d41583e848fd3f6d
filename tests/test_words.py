"""Comparisons that do not mislead: words compared within one language (or on the translations),
function words left out, stems per language, and "not compared" where languages differ."""

from __future__ import annotations

import asyncio

from bot.pack.views import compute
from bot.pack.words import STEMMED, item_key, words
from bot.translation import LibreTranslate, translate_missing
from storage import Database, Workshop
from storage import repository as repo
from tests.fake_translate import FakeTranslator
from tests.seven import PHRASES, make_seven


def keys(text: str, language: str) -> set[str]:
    return {key.split(":", 1)[1] for key in words(text, language)}


def test_function_words_are_dropped_and_words_stemmed() -> None:
    assert keys("Ze kennen de taal en cultuur van de ouders", "nl") == {"ken", "taal", "cultuur", "ouder"}
    assert keys("de ouder", "nl") == keys("Ouders!", "nl") == {"ouder"}
    assert keys("They know the language and the culture of the parents", "en") == {"languag", "cultur", "parent"}
    assert keys("ebeveynler ebeveyn", "tr") == {"ebeveyn"}
    assert keys("rodzice rodzic", "pl") == {"rodzic"}
    # Arabic: the article and a final ta marbuta do not keep two writings of "culture" apart.
    assert keys("الثقافة", "ar") == keys("ثقافة", "ar")
    assert keys("فرهنگ و زبان", "fa") == {"فرهنگ", "زبان"}  # "و" (and) is a Persian function word
    assert keys("ወለዲ CJG ይፈልጡ ናይ", "ti") == {"ወለዲ", "cjg", "ይፈልጡ"}  # hand-listed Tigrinya function word out


def test_words_of_two_languages_never_count_as_the_same() -> None:
    assert words("cultuur", "nl").isdisjoint(words("cultuur", "en"))
    assert {"nl", "en", "tr", "ar", "fa", "pl"} == set(STEMMED)  # uk, so, ti: compared whole, said in words.py
    assert item_key("Kennis  van de CULTUUR!") == "kennis van de cultuur"


def test_the_board_compares_like_with_like_on_translations(db: Database) -> None:
    workshop_id = make_seven(db)

    def board(translated: bool):
        with db.session() as session:
            workshop = session.get(Workshop, workshop_id)
            data = repo.workshop_answers(session, workshop, translated_to="nl" if translated else None)
        return {cell.category: cell for cell in compute(data, "nl").board["informal"]}["knowledge"]

    # Untranslated: the formal workers wrote Dutch and Turkish, the informal ones Arabic, Turkish,
    # Ukrainian and Tigrinya. Only Turkish is on both sides; the rest is "not compared", not "different".
    cell = board(False)
    assert cell.compared == ("tr",)
    assert set(cell.uncompared) == {"nl", "ar", "uk", "ti"}
    assert all(not w.startswith(("Ze", "Kennis")) for w, _n in cell.only_others)  # Dutch words claim nothing

    fake = FakeTranslator(PHRASES)

    async def translate() -> int:
        await fake.start()
        try:
            return await translate_missing(db, workshop_id, "nl", LibreTranslate(fake.url))
        finally:
            await fake.stop()

    assert asyncio.run(translate()) > 0
    cell = board(True)
    # Translated into Dutch, "Ze kennen de taal en cultuur van de ouders" meets "أعرف اللغة والثقافة"
    # ("Ik ken de taal en de cultuur") and the Ukrainian and Turkish answers.
    shared = {w.casefold() for w, _n, _m in cell.shared}
    assert {"taal", "cultuur"} <= shared
    assert cell.compared == ("nl",) and cell.uncompared == ("ti",)  # Tigrinya: no translation, said so
    entries = {e.text: e for e in cell.by_themselves.entries}
    assert entries["أعرف اللغة والثقافة"].translation == "Ik ken de taal en de cultuur"
    assert entries["أعرف اللغة والثقافة"].readable == "~ Ik ken de taal en de cultuur"  # what the pictures draw
    assert entries["ቋንቋን ባህልን ንፈልጥ"].translation is None
