"""Gettext catalogs through Babel: markers for declared text and translators per locale.

Flows are declared at import time, before anyone's language is known, so their text is
marked with ``N_``/``NP_`` (kept as :class:`Text`) and translated when a step is rendered.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)

# An installed package carries its catalogs, compiled at build time by setup.py (with the .po for the
# review mark); a source checkout (or an editable install) has only the top-level .po files.
BUILT_LOCALES = Path(__file__).resolve().parent / "locales"
SOURCE_LOCALES = Path(__file__).resolve().parent.parent / "locales"
LOCALES_DIR = BUILT_LOCALES if BUILT_LOCALES.is_dir() else SOURCE_LOCALES
DOMAIN = "messages"
DEFAULT_LANGUAGE = "nl"
FALLBACK_LANGUAGE = "en"
# Offered languages in menu order. Source strings are English.
LANGUAGES: tuple[str, ...] = ("nl", "en", "tr", "ar", "fa", "pl", "uk", "so", "ti")
RTL_LANGUAGES = frozenset({"ar", "fa"})


@dataclass(frozen=True)
class Text:
    """A message id marked for translation, translated only when shown."""

    msgid: str
    context: str | None = None

    def translate(self, t: NullTranslations) -> str:
        if self.context is not None:
            return t.pgettext(self.context, self.msgid)
        return t.gettext(self.msgid)


def N_(msgid: str) -> Text:  # noqa: N802 - the gettext convention
    return Text(msgid)


def NP_(context: str, msgid: str) -> Text:  # noqa: N802 - the gettext convention
    return Text(msgid, context)


@functools.cache
def translations(language: str) -> NullTranslations:
    """The translator for one language; English falls through to the source strings."""
    if language == FALLBACK_LANGUAGE:
        return NullTranslations()
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    try:
        if LOCALES_DIR == BUILT_LOCALES:
            with (folder / f"{DOMAIN}.mo").open("rb") as fh:
                return Translations(fh, DOMAIN)
        return _from_source(folder / f"{DOMAIN}.po", language)
    except FileNotFoundError:
        log.warning("no catalog for language %s; using English", language)
        return NullTranslations()


def _from_source(po_path: Path, language: str) -> Translations:
    """A source checkout: the ``.po`` compiled in memory (a few milliseconds), never written anywhere.
    A ``.mo`` lying next to it may be stale and is not read."""
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, DOMAIN)


def negotiate(language_code: str | None) -> str:
    """Map a client's language tag (``pt-BR``, ``ar-SA``, ``uk``) to an offered language."""
    if language_code:
        tag = language_code.replace("_", "-")
        found = negotiate_locale([tag, tag.split("-")[0]], list(LANGUAGES), sep="-")
        if found:
            return found
    return DEFAULT_LANGUAGE


def language_from_environment() -> str:
    """The terminal user's language, from ``LANG`` (``tr_TR.UTF-8``), negotiated like Telegram's."""
    import os

    tag = os.environ.get("LANG", "").split(".")[0]
    return negotiate(tag if tag not in ("", "C", "POSIX") else None)


# Each offered language's own name in its own script, as Babel's CLDR data has it (a test compares them).
# Written out because asking Babel loads the whole locale data of each language, kept for the process's
# life: the language menu, shown at every join, cost ~12 MB of the nine locales' territory, currency and
# time zone names to get these nine words.
LANGUAGE_NAMES: dict[str, str] = {
    "nl": "Nederlands", "en": "English", "tr": "Türkçe", "ar": "العربية", "fa": "فارسی", "pl": "Polski",
    "uk": "Українська", "so": "Soomaali", "ti": "ትግርኛ",
}  # fmt: skip


def language_name(language: str) -> str:
    """The language's own name in its own script (Türkçe, العربية, ትግርኛ)."""
    name = LANGUAGE_NAMES.get(language)
    return name if name is not None else babel_language_name(language)


@functools.cache  # Babel reads the locale's data file on every parse: once per language is enough
def babel_language_name(language: str) -> str:
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES


RLM = "\u200f"  # right-to-left mark: starts a line right-to-left even when it begins with Latin text or a bullet


def directed(text: str, language: str) -> str:
    """In Arabic and Farsi, every line reads right to left, whatever it starts with."""
    if not is_rtl(language):
        return text
    return "\n".join(RLM + line if line else line for line in text.split("\n"))


def isolate(text: str) -> str:
    """Wrap user text in Unicode first-strong isolation so right-to-left answers (and Latin names
    inside right-to-left messages) keep their own direction."""
    return f"\u2068{text}\u2069"


_ISOLATES = str.maketrans("", "", "\u2068\u2069")


def strip_isolates(text: str) -> str:
    """For terminals, which do no bidi layout and may show the isolation marks as boxes."""
    return text.translate(_ISOLATES)


REVIEW_MARK = "Native-Speaker-Review:"


@functools.cache
def is_reviewed(language: str) -> bool:
    """Whether a native speaker has reviewed the catalog: the ``# Native-Speaker-Review: yes``
    line in its header comment (a comment, because Babel drops unknown header fields on update)."""
    if language == FALLBACK_LANGUAGE:
        return True  # the source language
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return False
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            if REVIEW_MARK in line:
                return line.split(REVIEW_MARK, 1)[1].strip().lower().startswith("yes")
    return False
