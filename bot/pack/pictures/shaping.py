"""Text of any script as runs that one font each can draw, in drawing order.

Arabic and Persian letters get their joined forms from arabic-reshaper (pure Python), the line is
put in visual order by :mod:`bot.pack.pictures.bidi`, and every run of characters gets the font
of its script: Arabic, Ethiopic, or Noto Sans for Latin, Cyrillic, digits and punctuation.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import arabic_reshaper

from bot.pack.pictures.bidi import visual
from bot.pack.scripts import ARABIC, script_of


def _split(text: str) -> Iterator[tuple[str, str]]:
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or script_of(text[i]) != script_of(text[start]):
            yield text[start:i], script_of(text[start])
            start = i


@functools.lru_cache(maxsize=4096)
def runs(text: str, base: int | None = None) -> tuple[tuple[str, str], ...]:
    """(text, script) pieces of one line, left to right as they are drawn."""
    shaped = arabic_reshaper.reshape(text) if any(script_of(c) == ARABIC for c in text) else text
    return tuple(_split(visual(shaped, base)))
