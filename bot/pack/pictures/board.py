"""The board of "De kracht van de ander" for one side, as the hand-out's figures 3 and 4 draw it.

One card per category (knowledge and understanding, skills, position, power and resources): what
the other side wrote about this side next to what this side wrote about itself, and the words
both used ("Klopt het volgens hen?"). Three shapes: A4 at 150 dpi for paper, 16:9 (1920x1080) for
a projector, and a narrow one for a phone. Each card is as tall as what it holds; when everything
does not fit, every list is shortened at the same level.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.support import NullTranslations
from PIL import Image, ImageDraw

from bot.engine.model import FORMAL
from bot.i18n import is_rtl, isolate
from bot.pack import labels
from bot.pack.pictures.drawing import (
    LEVELS,
    Box,
    Item,
    Laid,
    Level,
    Style,
    draw_aligned,
    draw_laid,
    draw_paragraph,
    first_fitting,
    hyphenating,
    lay_out,
    paragraph_height,
    spoken,
    width,
)
from bot.pack.readable import not_compared
from bot.pack.views import StrengthCell, Tally

SIZE = (1240, 1754)  # A4 portrait at 150 dpi: the widest and tallest the print version gets
WIDE = (1920, 1080)  # 16:9, for a projector
PHONE_WIDTH = 720  # shown about 360 px wide on a phone: text of 12-13 px
PHONE_MOST = 3400  # tallest phone board: a phone scrolls
PAPER = (250, 248, 242)
CARD = (255, 255, 255)
EDGE = (210, 204, 190)
SIDE_COLOURS = {FORMAL: (31, 95, 153), "informal": (161, 84, 42)}
MEET = (47, 125, 50)
INK = (30, 40, 30)

TITLE = Style(38, bold=True)
BAND = Style(32, bold=True, fill=(255, 255, 255))
HEADING = Style(28, bold=True)
ITEM = Style(22)
SMALL = Style(20, fill=(90, 100, 90))
SHARED = Style(21, bold=True, fill=MEET)
PHONE_ITEM = Style(24)
PHONE_HEADING = Style(30, bold=True)
PHONE_SHARED = Style(23, bold=True, fill=MEET)
PAD = 22  # inside a card
GAP = 14  # between cards
HEADER = 196  # title, subtitle and the coloured band


def _entries(tally: Tally, t: NullTranslations) -> list[Item]:
    return [(spoken(e.readable, t), f"×{e.count}" if e.count > 1 else "") for e in tally.entries]


def _shared_text(cell: StrengthCell, t: NullTranslations, rtl: bool) -> str:
    """Words both sides used, each laid out on its own so two Arabic words in a row keep the
    list's order; or the hint to talk about the difference."""
    words = [w for w, _n, _m in cell.shared]
    if words:
        mark = "\u200f" if rtl else "\u200e"  # the line reads in the picture's direction
        shown = ", ".join(isolate(w) for w in words[:8])
        text = mark + t.gettext("Both sides mention: {words}").format(words=shown)
        return text + (" " + labels.more(len(words) - 8, t) if len(words) > 8 else "")
    if cell.by_others.entries and cell.by_themselves.entries and cell.comparable:
        return t.gettext("No words in common yet: talk about where the views differ.")
    return ""


def _note(cell: StrengthCell, t: NullTranslations, language: str) -> str:
    """Answers that could not be compared, and why: said beside whatever was compared."""
    if cell.uncompared and cell.by_others.entries and cell.by_themselves.entries:
        return not_compared(cell.uncompared, not cell.comparable, t, language)
    return ""


@dataclass(frozen=True)
class _Column:
    label: str
    colour: tuple[int, int, int]
    laid: Laid | None  # None: nothing written yet


@dataclass(frozen=True)
class _Card:
    heading: str
    heading_style: Style
    columns: tuple[_Column, ...]  # side by side (wide cards) or one under the other (phone)
    shared: str
    shared_style: Style
    side_by_side: bool
    width: float
    note: str = ""  # answers not compared, and why (grey, under the shared words)

    def column_width(self) -> float:
        inner = self.width - 2 * PAD
        return (inner - 30) / 2 if self.side_by_side else inner

    def column_height(self, column: _Column) -> float:
        label = Style(self.heading_style.size - 6, bold=True).line_height
        body = column.laid.height if column.laid else SMALL.line_height
        return label + body + 8

    @property
    def height(self) -> float:
        heights = [self.column_height(c) for c in self.columns]
        body = max(heights) if self.side_by_side else sum(heights)
        shared = paragraph_height(self.shared, self.width - 2 * PAD, self.shared_style, 2) + 12 if self.shared else 0
        note = paragraph_height(self.note, self.width - 2 * PAD, self.note_style, 3) + 6 if self.note else 0
        if self.note and not self.shared:
            note += 6  # the line above it
        return PAD - 10 + self.heading_style.line_height + body + shared + note + 12

    @property
    def note_style(self) -> Style:
        return Style(self.shared_style.size - 1, fill=SMALL.fill)


def _cards(
    side: str,
    cells: tuple[StrengthCell, ...],
    t: NullTranslations,
    language: str,
    level: Level,
    card_width: float,
    phone: bool,
) -> list[_Card]:
    rtl = is_rtl(language)
    _ = t.gettext
    more = lambda n: labels.more(n, t)  # noqa: E731 - a short callback
    colour = SIDE_COLOURS.get(side, INK)
    other_colour = SIDE_COLOURS[FORMAL if side != FORMAL else "informal"]
    according = _("According to informal workers") if side == FORMAL else _("According to formal workers")
    item = PHONE_ITEM if phone else ITEM
    inner = card_width - 2 * PAD
    room = inner if phone else (inner - 30) / 2
    cards = []
    for cell in cells:
        columns = tuple(
            _Column(label, tint, lay_out(_entries(tally, t), room, item, level, more) if tally.entries else None)
            for label, tint, tally in (
                (according, other_colour, cell.by_others),
                *(((_("According to themselves"), colour, cell.by_themselves),) if cell.own_asked else ()),
            )
        )
        cards.append(
            _Card(
                labels.category_label(cell.category, t),
                PHONE_HEADING if phone else HEADING,
                columns,
                _shared_text(cell, t, rtl),
                PHONE_SHARED if phone else SHARED,
                not phone,
                card_width,
                _note(cell, t, language),
            )
        )
    return cards


def _draw_card(draw: ImageDraw.ImageDraw, card: _Card, left: float, top: float, height: float, t: NullTranslations, rtl: bool) -> None:
    align = "right" if rtl else "left"
    right, bottom = left + card.width, top + height
    draw.rounded_rectangle((left, top, right, bottom), radius=18, fill=CARD, outline=EDGE, width=2)
    inner = Box(left + PAD, top + PAD - 10, right - PAD, bottom - PAD)
    y = draw_paragraph(draw, inner, inner.top, card.heading, card.heading_style, 1, align)
    width_ = card.column_width()
    columns = list(card.columns)
    if rtl and card.side_by_side:
        columns.reverse()  # the other side's view first, on the reading side
    body_top, lowest = y, y
    for index, column in enumerate(columns):
        if card.side_by_side:
            box = Box(inner.left + index * (width_ + 30), body_top, inner.left + index * (width_ + 30) + width_, inner.bottom)
        else:
            box = Box(inner.left, y, inner.right, inner.bottom)
        label = Style(card.heading_style.size - 6, bold=True, fill=column.colour)
        cy = draw_paragraph(draw, box, box.top, column.label, label, 1, align)
        if column.laid is None:
            cy = draw_paragraph(draw, box, cy, t.gettext("(none)"), SMALL, 1, align)
        else:
            cy = draw_laid(draw, Box(box.left, cy, box.right, box.bottom), column.laid, bullet=column.colour, rtl=rtl)
        y = cy + 8
        lowest = max(lowest, y)
    if card.shared or card.note:
        line_y = lowest + 2
        draw.line((inner.left, line_y, inner.right, line_y), fill=EDGE, width=1)
        y = line_y + 6
        if card.shared:
            y = draw_paragraph(draw, inner, y, card.shared, card.shared_style, 2, align)
        if card.note:
            draw_paragraph(draw, inner, y, card.note, card.note_style, 3, align)


def render(
    side: str, cells: tuple[StrengthCell, ...], t: NullTranslations, language: str, subtitle: str, shape: str = "a4"
) -> Image.Image:
    with hyphenating(language):
        return _render(side, cells, t, language, subtitle, shape)


def _render(
    side: str, cells: tuple[StrengthCell, ...], t: NullTranslations, language: str, subtitle: str, shape: str
) -> Image.Image:
    """The board of one side. ``shape``: "a4" (paper: as tall as its content, at most A4),
    "wide" (16:9, two cards a row) or "phone" (narrow, one column per card)."""
    rtl = is_rtl(language)
    if shape == "wide":
        page_width, most, per_row = WIDE[0], WIDE[1], 2
    elif shape == "phone":
        page_width, most, per_row = PHONE_WIDTH, PHONE_MOST, 1
    else:
        page_width, most, per_row = SIZE[0], SIZE[1], 1
    margin = 20 if shape == "phone" else 30
    card_width = (page_width - 2 * margin - GAP * (per_row - 1)) / per_row

    def layout(level: Level) -> tuple[list[_Card], list[float], float]:
        cards = _cards(side, cells, t, language, level, card_width, shape == "phone")
        rows = [cards[i : i + per_row] for i in range(0, len(cards), per_row)]
        heights = [max(c.height for c in row) for row in rows]
        return cards, heights, HEADER + sum(h + GAP for h in heights) + 10

    cards, heights, _total = layout(LEVELS[first_fitting(lambda i: layout(LEVELS[i])[2] <= most)])
    page_height = most if shape == "wide" else int(min(most, _total))
    image = Image.new("RGB", (page_width, page_height), PAPER)
    draw = ImageDraw.Draw(image)
    colour = SIDE_COLOURS.get(side, INK)
    title_style = TITLE if shape != "phone" else Style(34, bold=True)
    draw_paragraph(draw, Box(margin, 20, page_width - margin, 0), 20, labels.view_title("board", t), title_style, 1, "center")
    draw_aligned(draw, margin, page_width - margin, 96, subtitle, SMALL, "center")
    draw.rectangle((0, 118, page_width, 176), fill=colour)
    band = labels.side_strength(side, t)
    band_style = BAND if width(band, BAND.size, True) <= page_width - 2 * margin else Style(26, bold=True, fill=BAND.fill)
    draw_aligned(draw, margin, page_width - margin, 158, band, band_style, "center")
    top = HEADER
    for row_index, row_height in enumerate(heights):
        row = cards[row_index * per_row : (row_index + 1) * per_row]
        for index, card in enumerate(row):
            slot = len(row) - 1 - index if rtl else index  # right to left: the first card on the right
            left = margin + slot * (card_width + GAP)
            _draw_card(draw, card, left, top, row_height, t, rtl)
        top += row_height + GAP
    return image
