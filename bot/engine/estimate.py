"""How long a preparation takes: the one model behind the estimates participants see and the
burden benchmark (benchmarks/burden.py).

A second-language reader on a phone reads about 120 words a minute; a tap takes about 10 seconds
(find the button, press it), a typed answer about 40 seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.engine.model import Kind

READ_WORDS_PER_MINUTE = 120
SECONDS_PER_TAP = 10
SECONDS_PER_TYPED = 40
TYPICAL_TICKS = 2  # options ticked in a usual multiple choice
TYPICAL_ITEMS = 1  # items typed in a usual list


@dataclass(frozen=True)
class Effort:
    messages: int = 0
    words: int = 0
    taps: int = 0
    typed: int = 0

    def __add__(self, other: Effort) -> Effort:
        return Effort(
            self.messages + other.messages, self.words + other.words, self.taps + other.taps, self.typed + other.typed
        )

    @property
    def interactions(self) -> int:
        return self.taps + self.typed

    @property
    def seconds(self) -> float:
        return self.words * 60 / READ_WORDS_PER_MINUTE + self.taps * SECONDS_PER_TAP + self.typed * SECONDS_PER_TYPED

    @property
    def minutes(self) -> int:
        """Whole minutes, rounded up: an estimate shown to a participant never promises too little."""
        return math.ceil(self.seconds / 60)


def count_words(text: str) -> int:
    """Words to read: bullets, numbers, arrows and emoji on their own are not read as words."""
    return sum(1 for token in text.split() if any(c.isalpha() for c in token))


def typical_answer(kind: Kind, *, options: int = 0, prefilled: bool = False) -> Effort:
    """Taps and typed answers of a usual answer to a step of this kind (words are counted by the caller)."""
    if prefilled and kind in (Kind.TEXT, Kind.LIST, Kind.MULTI):
        return Effort(taps=1)  # the earlier answer kept with one tap
    if kind is Kind.TEXT:
        return Effort(typed=1)
    if kind is Kind.LIST:
        return Effort(typed=TYPICAL_ITEMS, taps=1)
    if kind is Kind.MULTI:
        return Effort(taps=min(TYPICAL_TICKS, options) + 1)
    return Effort(taps=1)  # information, a choice, yes or no, the review's finish
