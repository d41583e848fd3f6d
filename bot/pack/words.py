"""Comparable forms of typed answers: the same item written twice, and the words two answers share.

Used to count how many people wrote an item and to find where views meet ("Klopt het volgens
hen?") and where a need meets an offer. Deliberately simple and predictable: case, accents on
Arabic letters, spacing and punctuation do not matter; words are compared whole, without
stemming, and short or very common words are left out.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from bot.pack.scripts import ARABIC, ETHIOPIC, script_of

_WORD = re.compile(r"\w+")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat and tatweel
# Persian and Arabic spellings of the same letters, so a Farsi and an Arabic answer can meet.
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا"})
# Shortest word worth comparing, by script: an Ethiopic letter is a whole syllable.
_MIN_LENGTH = {ARABIC: 3, ETHIOPIC: 2}
_DEFAULT_MIN_LENGTH = 4
# Frequent Dutch and English words that say nothing about a strength, a need or an offer.
STOPWORDS = frozenset(
    [
        "aan",
        "alle",
        "alles",
        "als",
        "andere",
        "anders",
        "beter",
        "bijvoorbeeld",
        "binnen",
        "daar",
        "daarom",
        "dat",
        "deze",
        "die",
        "dit",
        "door",
        "echt",
        "een",
        "eigen",
        "elkaar",
        "elke",
        "goed",
        "graag",
        "hebben",
        "heel",
        "hoe",
        "hun",
        "iets",
        "ieder",
        "jullie",
        "kan",
        "kunnen",
        "maar",
        "meer",
        "met",
        "mijn",
        "moet",
        "moeten",
        "naar",
        "niet",
        "nog",
        "ons",
        "onze",
        "ook",
        "over",
        "samen",
        "soms",
        "tussen",
        "vaak",
        "van",
        "vanuit",
        "veel",
        "voor",
        "vooral",
        "waar",
        "wanneer",
        "want",
        "wat",
        "welke",
        "wel",
        "werk",
        "willen",
        "wordt",
        "worden",
        "zich",
        "zijn",
        "zoals",
        "zodat",
        "zonder",
        "about",
        "also",
        "and",
        "are",
        "because",
        "been",
        "being",
        "both",
        "but",
        "can",
        "could",
        "does",
        "each",
        "from",
        "have",
        "into",
        "just",
        "like",
        "more",
        "most",
        "much",
        "need",
        "needs",
        "other",
        "others",
        "our",
        "ours",
        "should",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "very",
        "want",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "would",
        "your",
    ]
)


def _plain(text: str) -> str:
    """Width variants and Arabic marks removed: marks would split words for the regular expression."""
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text))


def _fold(word: str) -> str:
    return word.casefold().translate(_ARABIC_LETTERS)


def item_key(text: str) -> str:
    """The key under which two written items count as the same."""
    return " ".join(_fold(w) for w in _WORD.findall(_plain(text)))


@functools.lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[tuple[str, str], ...]:
    """The words of ``text`` worth comparing with other answers: (key, as written)."""
    found: dict[str, str] = {}
    for word in _WORD.findall(_plain(text)):
        key = _fold(word)
        if key.isdigit() or key in STOPWORDS or key in found:
            continue
        if len(key) >= _MIN_LENGTH.get(script_of(key[0]), _DEFAULT_MIN_LENGTH):
            found[key] = word
    return tuple(found.items())


def words(text: str) -> frozenset[str]:
    """The keys of the words of ``text`` worth comparing."""
    return frozenset(key for key, _word in tokens(text))
