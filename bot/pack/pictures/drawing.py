"""Drawing text of any script on a Pillow image: the shipped fonts, measuring, wrapping, aligning."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import pyphen
from babel.support import NullTranslations
from PIL import Image, ImageDraw, ImageFont

from bot.engine.voice import MIC
from bot.i18n import isolate
from bot.pack.pictures.shaping import runs
from bot.pack.scripts import ARABIC, ETHIOPIC, LATIN

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
_FILES = {
    (LATIN, False): "NotoSans-Regular.ttf",
    (LATIN, True): "NotoSans-Bold.ttf",
    (ARABIC, False): "NotoSansArabic-Regular.ttf",
    (ARABIC, True): "NotoSansArabic-Bold.ttf",
    (ETHIOPIC, False): "NotoSansEthiopic-Regular.ttf",
    (ETHIOPIC, True): "NotoSansEthiopic-Bold.ttf",
}
ELLIPSIS = "…"
Color = tuple[int, int, int]


@functools.cache
def spoken(text: str, t: NullTranslations) -> str:
    """The shipped fonts have no 🎤: in a picture a voice answer is named in words."""
    if not text.startswith(MIC):
        return text
    label = t.gettext("(voice message)")
    return f"{label} {text[len(MIC):].strip()}".strip()


@functools.cache
def font(script: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    # Basic layout on purpose: shaping and ordering are done before drawing (see shaping.py).
    return ImageFont.truetype(str(FONTS_DIR / _FILES[script, bold]), size, layout_engine=ImageFont.Layout.BASIC)


def compose(parts: Sequence[str], rtl: bool, separator: str = " · ") -> str:
    """One line of several parts (a translated label, a name, a count), each laid out on its own
    and put in the reading order of the picture's language, whatever script each part is in."""
    return ("\u200f" if rtl else "\u200e") + separator.join(isolate(part) for part in parts)


@dataclass(frozen=True)
class Style:
    size: int
    bold: bool = False
    fill: Color = (30, 40, 30)

    @property
    def line_height(self) -> int:
        return round(self.size * 1.55)  # Arabic and Ethiopic need room above and below Latin


@functools.cache
def _advance(char: str, script: str, size: int, bold: bool) -> float:
    return font(script, size, bold).getlength(char)


@functools.lru_cache(maxsize=8192)
def width(text: str, size: int, bold: bool = False) -> float:
    # With basic layout a run is exactly as wide as its letters' advances added up (the shipped
    # fonts kern only through OpenType features, which basic layout does not apply); measuring
    # letter by letter, once each, spares FreeType hinting every glyph again for every candidate
    # line while wrapping (tests/test_pack.py checks the sums against whole runs).
    return sum(_advance(char, script, size, bold) for piece, script in runs(text) for char in piece)


@functools.lru_cache(maxsize=8192)
def _mask(text: str, script: str, size: int, bold: bool) -> tuple[Image.Image, int, int]:
    """One run of text rendered once as a grey mask, with where it sits relative to its origin
    on the baseline. FreeType hints every glyph again on each call, and the pack draws the same
    labels and items in several pictures and sizes: pasting a kept mask is much cheaper."""
    face = font(script, size, bold)
    left, top, right, bottom = face.getbbox(text, anchor="ls")
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, font=face, fill=255, anchor="ls")
    return mask, left, top


def draw_line(draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, style: Style) -> float:
    """Draw one line from ``x`` (its left end) on ``baseline``; return its right end."""
    for piece, script in runs(text):
        if piece.strip():
            mask, left, top = _mask(piece, script, style.size, style.bold)
            draw.bitmap((round(x) + left, round(baseline) + top), mask, fill=style.fill)
        x += width(piece, style.size, style.bold)
    return x


def draw_aligned(
    draw: ImageDraw.ImageDraw, left: float, right: float, baseline: float, text: str, style: Style, align: str = "left"
) -> None:
    w = width(text, style.size, style.bold)
    x = {"left": left, "right": right - w, "center": (left + right - w) / 2}[align]
    draw_line(draw, x, baseline, text, style)


def _fit(text: str, room: float, style: Style) -> str:
    """The longest start of ``text`` that fits with an ellipsis after it, cut between words when
    at least one whole word fits (never "samenwerk…" when "de…" would do)."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if width(text[:mid].rstrip() + ELLIPSIS, style.size, style.bold) <= room:
            low = mid
        else:
            high = mid - 1
    if low < len(text) and not text[low].isspace():
        space = text.rfind(" ", 0, low + 1)
        if space > 0:
            low = space
    return text[:low].rstrip() + ELLIPSIS


_BREAK_AFTER = frozenset("/-–")  # a word may be broken after these as they are, without adding a hyphen
HYPHEN = "-"
# The language whose hyphenation rules break a word too wide for its line: the picture's (its labels are
# in the reader's language). Set around drawing one picture; a context variable, because pictures are
# drawn in worker threads.
_hyphenation: ContextVar[str | None] = ContextVar("hyphenation", default=None)


@contextmanager
def hyphenating(language: str) -> Iterator[None]:
    token = _hyphenation.set(language)
    try:
        yield
    finally:
        _hyphenation.reset(token)


@functools.cache
def _dictionary(language: str) -> pyphen.Pyphen | None:
    """Pyphen's (LibreOffice's) hyphenation patterns for the language; None where it has none (tr, so, ar,
    fa, ti: there a word is broken between letters)."""
    found = pyphen.language_fallback(language)
    return pyphen.Pyphen(lang=found) if found else None


def break_points(word: str) -> list[tuple[int, str]]:
    """Where a word too long for its line may be broken, as (index, what the first part ends with):
    after a slash or a dash as written, or where the picture's language hyphenates it (Kinder-opvang,
    Ver-trou-wens-per-soon), with a hyphen added; at least two letters stay on each side."""
    points = [(i, "") for i in range(2, len(word) - 1) if word[i - 1] in _BREAK_AFTER]
    language = _hyphenation.get()
    dictionary = _dictionary(language) if language else None
    if dictionary is not None:
        points += [(i, HYPHEN) for i in dictionary.positions(word) if 2 <= i <= len(word) - 2 and word[i - 1].isalpha()]
    return sorted(points)


def _split_word(word: str, room: float, style: Style) -> tuple[str, str, str]:
    """A word wider than ``room``: (its first part as written, the hyphen drawn after it, the rest),
    broken where :func:`break_points` allows; between letters only where no such place fits."""
    points = break_points(word)
    # After a slash or a dash where one fits (Organisator/ faciliterende), else between syllables.
    for index, hyphen in [*reversed([p for p in points if not p[1]]), *reversed([p for p in points if p[1]])]:
        if width(word[:index] + hyphen, style.size, style.bold) <= room:
            return word[:index], hyphen, word[index:]
    head = _fit(word, room, style)[:-1] or word[:1]
    return head, "", word[len(head) :]


def wrap(text: str, room: float, style: Style, max_lines: int) -> list[str]:
    """Logical lines of at most ``room`` pixels, broken between words; a word wider than the room is
    hyphenated (:func:`break_points`). The last line ends in "…" when text is left over."""
    words = " ".join(text.split()).split(" ")
    lines: list[str] = []
    sources: list[str] = []  # each line's text as written, with the space or nothing that joins it to the next
    current = ""

    def rest_from(line: int, *more: str) -> str:
        return ("".join(sources[line:]) + " ".join(more)).strip()

    for i, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if width(candidate, style.size, style.bold) <= room:
            current = candidate
            continue
        if current:
            lines.append(current)
            sources.append(current + " ")
        current = word
        while width(current, style.size, style.bold) > room:  # one word wider than the room
            head, hyphen, current = _split_word(current, room, style)
            lines.append(head + hyphen)
            sources.append(head)
        if len(lines) >= max_lines:
            return [*lines[: max_lines - 1], _fit(rest_from(max_lines - 1, current, *words[i + 1 :]), room, style)]
    if current:
        lines.append(current)
        sources.append(current)
    if len(lines) > max_lines:
        return [*lines[: max_lines - 1], _fit(rest_from(max_lines - 1), room, style)]
    return lines


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left


def draw_paragraph(
    draw: ImageDraw.ImageDraw, box: Box, y: float, text: str, style: Style, max_lines: int, align: str = "left"
) -> float:
    """Wrapped text from ``y`` down; return the ``y`` below it."""
    for line in wrap(text, box.width, style, max_lines):
        draw_aligned(draw, box.left, box.right, y + style.size, line, style, align)
        y += style.line_height
    return y


Item = tuple[str, str]  # (text, badge such as "×3"; empty for none)


def text_room(box: Box, items: Sequence[Item], style: Style, bullet: bool) -> tuple[float, float]:
    """Where the items' text starts, measured from the reading side of the box, and how wide it is:
    after the bullet and a column as wide as the widest badge."""
    badges = [badge for _text, badge in items if badge]
    badge_width = max((width(b, style.size, True) for b in badges), default=0)
    offset = (style.size * 1.1 if bullet else 0) + (badge_width + style.size * 0.4 if badges else 0)
    return offset, box.width - offset


def draw_items(
    draw: ImageDraw.ImageDraw,
    box: Box,
    y: float,
    items: Sequence[Item],
    style: Style,
    *,
    more: Callable[[int], str],
    max_lines: int = 2,
    bullet: Color | None = None,
    rtl: bool = False,
) -> float:
    """As many items as fit between ``y`` and the box's bottom, then ``more(how many did not fit)``,
    so nothing is left out without saying so. Badges (counts) stand in their own column, so a long
    text never hides them. Returns the ``y`` below."""
    offset, room = text_room(box, items, style, bullet is not None)
    indent = style.size * 1.1 if bullet else 0
    text_box = (
        Box(box.left, box.top, box.right - offset, box.bottom)
        if rtl
        else Box(box.left + offset, box.top, box.right, box.bottom)
    )
    align = "right" if rtl else "left"
    badge_style = Style(style.size, True, style.fill)
    for i, (text, badge) in enumerate(items):
        lines = wrap(text, room, style, max_lines)
        reserve = style.line_height if i < len(items) - 1 else 0
        if y + len(lines) * style.line_height + reserve > box.bottom:
            draw_aligned(draw, box.left, box.right, y + style.size, more(len(items) - i), style, align)
            return y + style.line_height
        if bullet:
            r = style.size * 0.28
            cx = box.right - indent / 2 if rtl else box.left + indent / 2
            cy = y + style.size * 0.62
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=bullet)
        if badge:
            x = box.right - indent - width(badge, style.size, True) if rtl else box.left + indent
            draw_line(draw, x, y + style.size, badge, badge_style)
        for line in lines:
            draw_aligned(draw, text_box.left, text_box.right, y + style.size, line, style, align)
            y += style.line_height
    return y


# --- items in columns, shortened evenly when they do not all fit ------------------------------


@dataclass(frozen=True)
class Level:
    """How much of a list a picture shows: lines per item, and how many items (most frequent
    first) before "+N more". The parts that run out of room are shortened at the same level."""

    max_lines: int
    most: int = 60  # no picture has room for more items than this in one part

    def shown(self, count: int) -> int:
        return min(count, self.most)


# From showing everything to showing little: the first level at which a picture fits is used.
LEVELS = (
    Level(8),
    Level(4),
    Level(3),
    Level(2),
    *(Level(1, most) for most in (60, 40, 30, 24, 20, 16, 13, 10, 8, 6, 5, 4, 3, 2, 1, 0)),
)


def first_fitting(fits: Callable[[int], bool]) -> int:
    """The index of the first level in LEVELS at which ``fits`` holds, found by bisection (each
    level shows no more than the one before it), or the last level when none does."""
    low, high = 0, len(LEVELS) - 1
    while low < high:
        mid = (low + high) // 2
        if fits(mid):
            high = mid
        else:
            low = mid + 1
    return low


@dataclass(frozen=True)
class Laid:
    """Items wrapped for one width: per column, (lines, badge) of each item, and the "+N more" text."""

    columns: tuple[tuple[tuple[list[str], str], ...], ...]
    more: str
    offset: float  # where the text starts after bullet and badge column
    style: Style
    column_width: float = 0

    @property
    def height(self) -> float:
        rows = max((sum(len(lines) for lines, _b in col) for col in self.columns), default=0)
        extra = 1 if self.more else 0
        last = sum(len(lines) for lines, _b in self.columns[-1]) if self.columns else 0
        return max(rows, last + extra) * self.style.line_height


def lay_out(
    items: Sequence[Item],
    box_width: float,
    style: Style,
    level: Level,
    more: Callable[[int], str],
    columns: int = 1,
    gap: float = 30,
    bullet: bool = True,
) -> Laid:
    """Wrap the items that ``level`` shows into ``columns`` columns of about equal height (in
    order: down the first column, then the next)."""
    shown = list(items[: level.shown(len(items))])
    if len(shown) == len(items):  # a short list, shown whole, stays in fewer columns
        columns = max(1, min(columns, -(-len(shown) // 3)))
    column_width = (box_width - gap * (columns - 1)) / columns
    offset, room = text_room(Box(0, 0, column_width, 0), shown, style, bullet)
    wrapped = [(wrap(text, room, style, level.max_lines), badge) for text, badge in shown]
    total = sum(len(lines) for lines, _b in wrapped)
    target = -(-total // columns)  # lines per column, rounded up
    split: list[list[tuple[list[str], str]]] = [[]]
    used = 0
    for entry in wrapped:
        if used and used + len(entry[0]) > target and len(split) < columns:
            split.append([])
            used = 0
        split[-1].append(entry)
        used += len(entry[0])
    hidden = len(items) - len(shown)
    return Laid(tuple(tuple(c) for c in split), more(hidden) if hidden > 0 else "", offset, style, column_width)


def draw_laid(
    draw: ImageDraw.ImageDraw,
    box: Box,
    laid: Laid,
    *,
    bullet: Color | None,
    rtl: bool,
    gap: float = 30,
) -> float:
    """Draw items laid out by :func:`lay_out` from the box's top; return the ``y`` below them.
    In right-to-left pictures the first column is on the right and text hugs the right edge."""
    style = laid.style
    column_width = laid.column_width or box.width
    indent = style.size * 1.1 if bullet else 0
    align = "right" if rtl else "left"
    badge_style = Style(style.size, True, style.fill)
    bottom = box.top
    for index, column in enumerate(laid.columns):
        left = box.right - (index + 1) * column_width - index * gap if rtl else box.left + index * (column_width + gap)
        right = left + column_width
        y = box.top
        for lines, badge in column:
            if bullet:
                r = style.size * 0.28
                cx = right - indent / 2 if rtl else left + indent / 2
                cy = y + style.size * 0.62
                draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=bullet)
            if badge:
                x = right - indent - width(badge, style.size, True) if rtl else left + indent
                draw_line(draw, x, y + style.size, badge, badge_style)
            text_left, text_right = (left, right - laid.offset) if rtl else (left + laid.offset, right)
            for line in lines:
                draw_aligned(draw, text_left, text_right, y + style.size, line, style, align)
                y += style.line_height
        if index == len(laid.columns) - 1 and laid.more:
            draw_aligned(draw, left, right, y + style.size, laid.more, style, align)
            y += style.line_height
        bottom = max(bottom, y)
    return bottom


def paragraph_height(text: str, box_width: float, style: Style, max_lines: int) -> float:
    return len(wrap(text, box_width, style, max_lines)) * style.line_height
