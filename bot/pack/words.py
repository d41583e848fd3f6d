"""Comparable forms of typed answers: the same item written twice, and the words two answers share.

Used to count how many people wrote an item and to find where views meet ("Klopt het volgens
hen?") and where a need meets an offer. Words are compared within one language only (the caller
passes the language: the answer's own, or the reader's for a machine translation), so a Dutch and
an Arabic answer never "differ" merely because they are in different languages.

Within a language: case, Arabic vowel marks, spacing and punctuation do not matter; function words
are dropped (the stopword lists of the stopwords-iso collection, packaged as ``stopwordsiso``);
words are reduced to their stem with the Snowball stemmer of that language (``snowballstemmer``),
so "ouders" meets "ouder" and "الثقافة" meets "ثقافة". Ukrainian, Somali and Tigrinya have no
Snowball stemmer: their words are compared whole (see ``STEMMED``).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import snowballstemmer
import stopwordsiso

from bot.pack.scripts import ARABIC, ETHIOPIC, script_of

_WORD = re.compile(r"\w+")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat and tatweel
# Persian and Arabic spellings of the same letters, so that one writer's variants meet.
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا"})
# Shortest word worth comparing, by script: an Ethiopic letter is a whole syllable.
_MIN_LENGTH = {ARABIC: 3, ETHIOPIC: 2}
_DEFAULT_MIN_LENGTH = 3

# The bot's languages with a Snowball stemmer.
_STEMMERS = {"nl": "dutch", "en": "english", "tr": "turkish", "ar": "arabic", "fa": "persian", "pl": "polish"}
STEMMED = frozenset(_STEMMERS)

# Words that say nothing about a strength, a need or an offer in these answers, on top of each
# language's function words. stopwords-iso has no Tigrinya list: a few of its most common function
# words (and, of, in, with, for, this, that, is) are listed here by hand.
_EXTRA = {
    "nl": {"goed", "graag", "echt", "heel", "samen", "werk", "eigen", "beter", "vooral", "vaak", "soms"},
    "en": {"good", "really", "together", "work", "own", "better", "often", "need", "needs"},
    "ti": {"ን", "ናይ", "ኣብ", "ምስ", "ንምንታይ", "እዚ", "እቲ", "እዩ", "ኢዩ", "ከምኡ", "ውን", "ግን", "ድማ"},
}


@functools.cache
def _stopwords(language: str) -> frozenset[str]:
    words = set(stopwordsiso.stopwords(language)) if stopwordsiso.has_lang(language) else set()
    return frozenset(_fold(w) for w in words | _EXTRA.get(language, set()))


@functools.cache
def _stemmer(language: str):  # -> snowballstemmer.stemmer | None
    name = _STEMMERS.get(language)
    return snowballstemmer.stemmer(name) if name else None


def _plain(text: str) -> str:
    """Width variants and Arabic marks removed: marks would split words for the regular expression."""
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text))


def _fold(word: str) -> str:
    return word.casefold().translate(_ARABIC_LETTERS)


@functools.lru_cache(maxsize=65536)
def item_key(text: str) -> str:
    """The key under which two written items count as the same."""
    return " ".join(_fold(w) for w in _WORD.findall(_plain(text)))


@functools.lru_cache(maxsize=65536)
def _stem(word: str, language: str) -> str:
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer is not None else word


@functools.lru_cache(maxsize=65536)
def tokens(text: str, language: str) -> tuple[tuple[str, str], ...]:
    """The words of ``text`` (written in ``language``) worth comparing: (key, as written). The key
    carries the language, so words of two languages never count as the same."""
    stop = _stopwords(language)
    found: dict[str, str] = {}
    for word in _WORD.findall(_plain(text)):
        folded = _fold(word)
        if folded.isdigit() or folded in stop:
            continue
        if len(folded) < _MIN_LENGTH.get(script_of(folded[0]), _DEFAULT_MIN_LENGTH):
            continue
        # Stemmed as written (the Arabic stemmer knows the letters the folding would change), then folded.
        key = f"{language}:{_fold(_stem(word.casefold(), language))}"
        found.setdefault(key, word)
    return tuple(found.items())


def words(text: str, language: str) -> frozenset[str]:
    """The keys of the words of ``text`` worth comparing."""
    return frozenset(key for key, _word in tokens(text, language))


def language_of(key: str) -> str:
    return key.split(":", 1)[0]
