"""Drawing text of any script on a Pillow image: the shipped fonts, measuring, wrapping, aligning."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.support import NullTranslations
from PIL import ImageDraw, ImageFont

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


@functools.lru_cache(maxsize=8192)
def width(text: str, size: int, bold: bool = False) -> float:
    return sum(font(script, size, bold).getlength(piece) for piece, script in runs(text))


def draw_line(draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, style: Style) -> float:
    """Draw one line from ``x`` (its left end) on ``baseline``; return its right end."""
    for piece, script in runs(text):
        face = font(script, style.size, style.bold)
        draw.text((x, baseline), piece, font=face, fill=style.fill, anchor="ls")
        x += face.getlength(piece)
    return x


def draw_aligned(
    draw: ImageDraw.ImageDraw, left: float, right: float, baseline: float, text: str, style: Style, align: str = "left"
) -> None:
    w = width(text, style.size, style.bold)
    x = {"left": left, "right": right - w, "center": (left + right - w) / 2}[align]
    draw_line(draw, x, baseline, text, style)


def _fit(text: str, room: float, style: Style) -> str:
    """The longest start of ``text`` that fits with an ellipsis after it."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if width(text[:mid].rstrip() + ELLIPSIS, style.size, style.bold) <= room:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + ELLIPSIS


def wrap(text: str, room: float, style: Style, max_lines: int) -> list[str]:
    """Logical lines of at most ``room`` pixels; the last one ends in "…" when text is left over."""
    words = " ".join(text.split()).split(" ")
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if width(candidate, style.size, style.bold) <= room:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = word
        while width(current, style.size, style.bold) > room:  # one word wider than the room
            head = _fit(current, room, style)[:-1] or current[:1]
            lines.append(head)
            current = current[len(head) :]
        if len(lines) >= max_lines:
            rest = " ".join([current, *words[i + 1 :]])
            return [*lines[: max_lines - 1], _fit(lines[max_lines - 1] + " " + rest, room, style)]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        return [*lines[: max_lines - 1], _fit(" ".join(lines[max_lines - 1 :]), room, style)]
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
