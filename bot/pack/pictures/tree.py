"""The "Boom van samenwerking" as the hand-out draws it, filled with the group's answers.

Sun above, fruits in the crown, the chosen roles in the trunk, the watering can beside it, the
roots below. A4 portrait at 150 dpi, so it prints sharp and can be zoomed on a phone. Where a
part has more than fits, it shows the most frequent items and says how many more there are.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from babel.support import NullTranslations
from PIL import Image, ImageDraw

from bot.i18n import is_rtl
from bot.pack import labels
from bot.pack.pictures.drawing import (
    Box,
    Color,
    Item,
    Style,
    compose,
    draw_aligned,
    draw_items,
    draw_paragraph,
    spoken,
    text_room,
    wrap,
)
from bot.pack.views import Tally, Tree

SIZE = (1240, 1754)
SKY = (234, 244, 250)
SUN = (255, 200, 60)
LEAVES = (120, 176, 86)
CROWN = (206, 232, 176)
FRUIT = (214, 72, 56)
BARK = (128, 88, 56)
GRASS = (104, 158, 70)
SOIL = (238, 225, 204)
ROOT = (196, 160, 122)
CAN = (70, 130, 180)
INK = (30, 40, 30)
WHITE = (255, 255, 255)

TITLE = Style(40, bold=True)
HEADING = Style(28, bold=True)
ITEM = Style(23)
SMALL = Style(21)
TRUNK_ITEM = Style(22, fill=WHITE)
TRUNK_HEADING = Style(26, bold=True, fill=WHITE)


def _entries(tally: Tally, t: NullTranslations) -> list[Item]:
    return [(spoken(e.readable, t), f"×{e.count}" if e.count > 1 else "") for e in tally.entries]


def _count_line(tally: Tally, t: NullTranslations) -> str:
    return t.ngettext("{n} item from {people}", "{n} items from {people}", len(tally.entries)).format(
        n=len(tally.entries), people=labels.people_count(tally.people, t)
    )


def _draw_sun(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    for i in range(12):
        angle = i * math.pi / 6
        inner, outer = r + 12, r + 48
        draw.line(
            (
                cx + inner * math.cos(angle),
                cy + inner * math.sin(angle),
                cx + outer * math.cos(angle),
                cy + outer * math.sin(angle),
            ),
            fill=SUN,
            width=9,
        )
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=SUN)


def _draw_crown(draw: ImageDraw.ImageDraw, box: Box) -> None:
    left, top, right, bottom = int(box.left), int(box.top), int(box.right), int(box.bottom)
    step = 110
    for x in range(left + 40, right - 20, step):  # leafy bumps along the top and bottom edges
        draw.ellipse((x - 75, top - 45, x + 75, top + 105), fill=LEAVES)
        draw.ellipse((x - 75, bottom - 105, x + 75, bottom + 45), fill=LEAVES)
    for y in range(top + 40, bottom - 20, step):
        draw.ellipse((left - 45, y - 75, left + 105, y + 75), fill=LEAVES)
        draw.ellipse((right - 105, y - 75, right + 45, y + 75), fill=LEAVES)
    draw.rounded_rectangle((left, top, right, bottom), radius=90, fill=CROWN)


def _draw_can(draw: ImageDraw.ImageDraw, left: int, top: int) -> None:
    """A watering can whose spout points at the trunk, with drops falling from it."""
    body = (left + 40, top + 40, left + 190, top + 150)
    draw.rounded_rectangle(body, radius=18, fill=CAN)
    draw.arc((left, top + 50, left + 90, top + 130), start=90, end=270, fill=CAN, width=14)  # handle
    draw.arc((left + 70, top, left + 170, top + 80), start=180, end=360, fill=CAN, width=12)
    draw.polygon(
        ((left + 180, top + 110), (left + 300, top + 40), (left + 310, top + 56), (left + 190, top + 140)), fill=CAN
    )
    for dx, dy in ((325, 75), (340, 110), (318, 140), (350, 160)):
        draw.ellipse((left + dx - 6, top + dy - 9, left + dx + 6, top + dy + 9), fill=(120, 180, 230))


def _draw_warning(draw: ImageDraw.ImageDraw, cx: float, top: float) -> None:
    draw.polygon(((cx, top), (cx - 26, top + 44), (cx + 26, top + 44)), fill=(230, 160, 40))
    draw.rectangle((cx - 3, top + 14, cx + 3, top + 31), fill=INK)
    draw.rectangle((cx - 3, top + 35, cx + 3, top + 40), fill=INK)


def _draw_roots(draw: ImageDraw.ImageDraw, ground: int) -> None:
    for start, end in ((470, 120), (520, 330), (580, 560), (660, 690), (720, 930), (770, 1130)):
        mid = ((start + end) / 2, ground + 90)
        draw.line(((start, ground), mid, (end, ground + 150)), fill=ROOT, width=16, joint="curve")


def render(
    tree: Tree, pitfalls: list[tuple[str, int]], t: NullTranslations, language: str, subtitle: str
) -> Image.Image:
    """The picture. ``pitfalls``: (label, people) of the most recognised pitfalls, for beside the tree."""
    _ = t.gettext
    rtl = is_rtl(language)
    align = "right" if rtl else "left"
    more = lambda n: labels.more(n, t)  # noqa: E731 - a short callback
    width, height = SIZE
    image = Image.new("RGB", SIZE, SKY)
    draw = ImageDraw.Draw(image)

    page = Box(40, 20, width - 40, height - 20)
    draw_aligned(draw, page.left, page.right, 62, labels.view_title("tree", t), TITLE, "center")
    draw_aligned(draw, page.left, page.right, 104, subtitle, SMALL, "center")

    # The sun: conditions for success.
    _draw_sun(draw, 175, 270, 95)
    draw_aligned(draw, 80, 270, 280, _("Sun"), HEADING, "center")
    sun_box = Box(350, 150, page.right, 410)
    y = draw_paragraph(draw, sun_box, sun_box.top, _("Conditions for success"), HEADING, 1, align)
    y = draw_paragraph(draw, sun_box, y, _count_line(tree.sun, t), SMALL, 1, align)
    draw_items(draw, sun_box, y + 4, _entries(tree.sun, t), ITEM, more=more, max_lines=1, bullet=SUN, rtl=rtl)

    # The crown with the fruits: the goals.
    crown = Box(110, 470, width - 110, 930)
    _draw_crown(draw, crown)
    inner = Box(crown.left + 30, crown.top + 10, crown.right - 30, crown.bottom - 10)
    y = draw_paragraph(
        draw, inner, inner.top, compose([_("Fruits: goals"), _count_line(tree.fruits, t)], rtl), HEADING, 2, "center"
    )
    _two_columns(draw, Box(inner.left, y, inner.right, inner.bottom), 30, _entries(tree.fruits, t), FRUIT, more, rtl)

    # The trunk: the essential roles and how many chose each.
    ground = 1390
    draw.polygon(((470, 920), (770, 920), (830, ground), (410, ground)), fill=BARK)
    trunk_box = Box(440, 950, 800, ground - 10)
    y = draw_paragraph(draw, trunk_box, trunk_box.top, _("Trunk: roles"), TRUNK_HEADING, 2, "center")
    roles = [(labels.role_label(role, t), f"×{n}") for role, n in tree.trunk] or [(_("(none)"), "")]
    draw_items(draw, trunk_box, y + 4, roles, TRUNK_ITEM, more=more, bullet=(230, 200, 150), rtl=rtl)

    # The watering can: what we need from other parties.
    _draw_can(draw, 40, 960)
    can_box = Box(page.left, 1140, 390, ground - 10)
    y = draw_paragraph(draw, can_box, can_box.top, _("Watering can: what we need from others"), HEADING, 2, align)
    draw_items(draw, can_box, y + 4, _entries(tree.can, t), SMALL, more=more, max_lines=2, bullet=CAN, rtl=rtl)

    # Beside the tree: the pitfalls most people recognise.
    _draw_warning(draw, 1030, 960)
    pit_box = Box(860, 1020, page.right, ground - 10)
    y = draw_paragraph(draw, pit_box, pit_box.top, _("Watch out: pitfalls"), HEADING, 2, align)
    pits = [(label, f"×{n}") for label, n in pitfalls if n] or [(_("(none)"), "")]
    draw_items(draw, pit_box, y + 4, pits, SMALL, more=more, max_lines=3, bullet=(230, 160, 40), rtl=rtl)

    # The ground and the roots: what each party brings.
    draw.rectangle((0, ground, width, height), fill=SOIL)
    _draw_roots(draw, ground)
    draw.rectangle((0, ground - 6, width, ground + 10), fill=GRASS)
    roots_box = Box(page.left, ground + 30, page.right, height - 30)
    y = draw_paragraph(
        draw,
        roots_box,
        roots_box.top,
        compose([_("Roots: what we bring"), _count_line(tree.roots, t)], rtl),
        HEADING,
        2,
        "center",
    )
    _two_columns(draw, Box(roots_box.left, y, roots_box.right, roots_box.bottom), 40, _entries(tree.roots, t), BARK, more, rtl)
    return image


def _two_columns(
    draw: ImageDraw.ImageDraw, box: Box, gap: int, items: list[Item], bullet: Color, more: Callable[[int], str], rtl: bool
) -> None:
    """Items in two columns side by side (the first on the right in right-to-left languages)."""
    half = (box.width - gap) / 2
    columns = (Box(box.left, box.top, box.left + half, box.bottom), Box(box.right - half, box.top, box.right, box.bottom))
    if rtl:
        columns = columns[::-1]
    per_column = _fitting(items, columns[0], ITEM)
    draw_items(draw, columns[0], box.top + 6, items[:per_column], ITEM, more=more, bullet=bullet, rtl=rtl)
    draw_items(draw, columns[1], box.top + 6, items[per_column:], ITEM, more=more, bullet=bullet, rtl=rtl)


def _fitting(items: list[Item], box: Box, style: Style, max_lines: int = 2) -> int:
    """How many items the first of two columns takes: as many as fit, at most half rounded up."""
    y, count = box.top + 6, 0
    first = items[: (len(items) + 1) // 2]
    _offset, room = text_room(box, first, style, bullet=True)
    for text, _badge in first:
        y += len(wrap(text, room, style, max_lines)) * style.line_height
        if y + style.line_height > box.bottom:
            break
        count += 1
    return count
