"""Typed answers made readable for the facilitator: the original beside its machine translation, or,
without one, the original with its language named in the reader's language."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from babel import Locale
from babel.support import NullTranslations

from bot.i18n import isolate
from bot.pack import carried
from bot.pack.views import Answers, Market

MARK = "🌐"  # stands before every machine translation; the legend says what it means


@functools.cache
def language_named(code: str, reader: str) -> str:
    """``code``'s name in the reader's language (Arabisch, Tigrinya), as Babel's locale data has it."""
    try:
        name = Locale.parse(reader).languages.get(code)
    except (ValueError, LookupError):
        name = None
    return name or code


class Reading:
    def __init__(self, answers: Answers, t: NullTranslations, language: str) -> None:
        self.answers = answers
        self.t = t
        self.language = language

    def named(self, code: str) -> str:
        return language_named(code, self.language)

    def gloss(self, text: str, language: str | None) -> tuple[str | None, str | None]:
        """(machine translation, the original's language named): both None in the reader's language."""
        if language is None or language == self.language or text in carried.labels_in(self.language):
            return None, None  # in the reader's language (a chosen option carried forward is shown in it)
        translation = self.answers.translations.get((language, text.strip()))
        if translation is not None:
            return translation, None
        return None, language_named(language, self.language)

    def line(self, text: str, language: str | None, length: int | None = None, name_language: bool = True) -> str:
        """Plain text: ``original 🌐 translation`` or ``original (Arabisch)``, each part isolated
        for bidirectional text; ``length`` shortens each part. ``name_language``: False where the
        reader already knows the language (said once for the person or the list)."""
        translation, named = self.gloss(text, language)
        shown = isolate(shorten(text, length))
        if translation is not None:
            return f"{shown} {MARK} {isolate(shorten(translation, length))}"
        if named is not None and name_language:
            return f"{shown} ({named})"
        return shown

    def transcripts(self) -> dict[str, str]:
        """Automatic transcripts by recording, as :meth:`line` shows them: beside their machine
        translation, or with their language named."""
        return {ref: self.line(text, language) for ref, (language, text) in self.answers.spoken.items()}

    def transcript_translations(self) -> dict[str, str]:
        """The stored machine translations of the transcripts into the reader's language, by recording."""
        found = {ref: self.gloss(text, language)[0] for ref, (language, text) in self.answers.spoken.items()}
        return {ref: text for ref, text in found.items() if text is not None}

    def legend(self) -> str:
        """What the marks beside answers mean: empty when every answer is in the reader's language."""
        _ = self.t.gettext
        if self.answers.translations:
            return _("{mark} machine translation into your language; the original comes first.").format(mark=MARK)
        if self.answers.other_languages():
            return _("Answers in another language are shown as written, with the language named.")
        return ""


def not_compared(codes: Sequence[str], whole: bool, t: NullTranslations, reader: str) -> str:
    """Why answers were not compared: written in languages the other side did not write in, with
    no translation. ``whole``: nothing at all could be compared (every language is named);
    otherwise the untranslated languages are named, not the reader's own."""
    _ = t.gettext
    if whole:
        named = ", ".join(language_named(code, reader) for code in codes)
        return _("Not compared: the two sides wrote in different languages ({languages}) and there is no translation.").format(
            languages=named
        )
    untranslated = [code for code in codes if code != reader] or list(codes)
    named = ", ".join(language_named(code, reader) for code in untranslated)
    return _("Not compared: answers in {languages} have no translation and the other side did not write in it.").format(
        languages=named
    )


def market_comparison(market: Market, t: NullTranslations, reader: str) -> list[str]:
    """What to say about how needs and offers were compared: without suggestions, why there are
    none (nothing given yet, nothing met, or nothing could be compared); with them, the languages
    that could not be compared, if any."""
    _ = t.gettext
    found = []
    if not market.matches:
        if market.compared:
            found.append(_("No suggestions: nothing one side looks for meets what the other side offers."))
        elif market.uncompared:
            named = ", ".join(language_named(code, reader) for code in market.uncompared)
            return [
                _(
                    "No suggestions: what the two sides look for and offer is written in different languages "
                    "({languages}) and there is no translation, so it could not be compared."
                ).format(languages=named)
            ]
        else:
            return [_("No suggestions yet: they appear when both sides said what they look for and offer.")]
    if market.uncompared:
        found.append(not_compared(market.uncompared, False, t, reader))
    return found


def shorten(text: str, length: int | None = None) -> str:
    text = " ".join(text.split())
    if length is None or len(text) <= length:
        return text
    return text[: length - 1].rstrip() + "…"
