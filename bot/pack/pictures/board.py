"""The board of "De kracht van de ander" for one side, as the hand-out's figures 3 and 4 draw it.

One row per category (knowledge and understanding, skills, position, power and resources): what
the other side wrote about this side next to what this side wrote about itself, and the words
both used ("Klopt het volgens hen?"). A4 portrait at 150 dpi.
"""

from __future__ import annotations

from babel.support import NullTranslations
from PIL import Image, ImageDraw

from bot.engine.model import FORMAL
from bot.i18n import is_rtl, isolate
from bot.pack import labels
from bot.pack.pictures.drawing import Box, Item, Style, draw_aligned, draw_items, draw_paragraph, spoken, width
from bot.pack.views import StrengthCell, Tally

SIZE = (1240, 1754)
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


def _entries(tally: Tally, t: NullTranslations) -> list[Item]:
    return [(spoken(e.readable, t), f"×{e.count}" if e.count > 1 else "") for e in tally.entries]


def _shared_line(cell: StrengthCell, room: float, t: NullTranslations, rtl: bool) -> str:
    """As many shared words as fit on one line, then how many more there are. Each word is laid
    out on its own, so two Arabic words in a row keep the list's order."""
    words = [w for w, _n, _m in cell.shared]
    mark = "\u200f" if rtl else "\u200e"  # the line reads in the picture's direction
    for count in range(min(len(words), 8), 0, -1):
        shown = ", ".join(isolate(w) for w in words[:count])
        text = mark + t.gettext("Both sides mention: {words}").format(words=shown)
        if count < len(words):
            text += " " + labels.more(len(words) - count, t)
        if width(text, SHARED.size, SHARED.bold) <= room or count == 1:
            return text
    return ""


def render(
    side: str, cells: tuple[StrengthCell, ...], t: NullTranslations, language: str, subtitle: str
) -> Image.Image:
    _ = t.gettext
    rtl = is_rtl(language)
    align = "right" if rtl else "left"
    more = lambda n: labels.more(n, t)  # noqa: E731 - a short callback
    colour = SIDE_COLOURS.get(side, INK)
    other_colour = SIDE_COLOURS[FORMAL if side != FORMAL else "informal"]
    page_width, height = SIZE
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)

    draw_aligned(draw, 40, page_width - 40, 58, labels.view_title("board", t), TITLE, "center")
    draw_aligned(draw, 40, page_width - 40, 96, subtitle, SMALL, "center")
    draw.rectangle((0, 118, page_width, 176), fill=colour)
    draw_aligned(draw, 40, page_width - 40, 158, labels.side_strength(side, t), BAND, "center")

    according = _("According to informal workers") if side == FORMAL else _("According to formal workers")
    row_height = (height - 196 - 20) / len(cells) if cells else 0
    for index, cell in enumerate(cells):
        top = 196 + index * row_height
        card = Box(30, top, page_width - 30, top + row_height - 14)
        draw.rounded_rectangle(
            (card.left, card.top, card.right, card.bottom), radius=18, fill=CARD, outline=EDGE, width=2
        )
        inner = Box(card.left + 22, card.top + 12, card.right - 22, card.bottom - 10)
        y = draw_paragraph(draw, inner, inner.top, labels.category_label(cell.category, t), HEADING, 1, align)
        shared_y = inner.bottom - ITEM.line_height
        half = (inner.width - 30) / 2
        columns = [
            (Box(inner.left, y, inner.left + half, shared_y - 4), according, cell.by_others, other_colour),
            (
                Box(inner.right - half, y, inner.right, shared_y - 4),
                _("According to themselves"),
                cell.by_themselves,
                colour,
            ),
        ]
        if rtl:
            columns.reverse()
        for box, label, tally, tint in columns:
            cy = draw_paragraph(draw, box, box.top, label, Style(22, bold=True, fill=tint), 1, align)
            if not tally.entries:
                draw_paragraph(draw, box, cy, _("(none)"), SMALL, 1, align)
                continue
            draw_items(draw, box, cy, _entries(tally, t), ITEM, more=more, max_lines=2, bullet=tint, rtl=rtl)
        draw.line((inner.left, shared_y - 2, inner.right, shared_y - 2), fill=EDGE, width=1)
        if cell.shared:
            text = _shared_line(cell, inner.width, t, rtl)
        elif cell.by_others.entries and cell.by_themselves.entries and cell.comparable:
            text = _("No words in common yet: talk about where the views differ.")
        elif cell.by_others.entries and cell.by_themselves.entries:
            text = _("Not compared: the two sides wrote in different languages.")
        else:
            text = ""
        if text:
            draw_paragraph(draw, inner, shared_y, text, SHARED, 1, align)
    return image
