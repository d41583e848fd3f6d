"""The "Boom van samenwerking" as the hand-out draws it, filled with the group's answers.

Sun, fruits in the crown, the chosen roles in the trunk, the watering can beside it, the pitfalls,
the roots below. Three shapes: A4 portrait at 150 dpi for paper, 16:9 (1920x1080) for a
projector, and a narrow one for a phone, where the sun, the can and the pitfalls stand above the
crown and the page grows downwards as far as the text needs. Each part takes the room its items need; when everything does not fit, every part is
shortened at the same level (fewer lines per item, then the same share of each list, most
frequent first, with "+N more"), so no part is cut while another has room to spare.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from babel.support import NullTranslations
from PIL import Image, ImageDraw

from bot.i18n import is_rtl
from bot.pack import labels
from bot.pack.pictures.drawing import (
    LEVELS,
    Box,
    Color,
    Item,
    Laid,
    Level,
    Style,
    compose,
    draw_aligned,
    draw_laid,
    draw_paragraph,
    first_fitting,
    hyphenating,
    lay_out,
    paragraph_height,
    spoken,
    wrap,
)
from bot.pack.pictures.drawing import width as text_width
from bot.pack.views import Tally, Tree

SIZE = (1240, 1754)  # A4 portrait at 150 dpi
WIDE = (1920, 1080)  # 16:9, for a projector
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
ITEM = Style(21)
SMALL = Style(21)
TRUNK_ITEM = Style(22, fill=WHITE)
WARNING = (230, 160, 40)
BARK_LIGHT = (230, 200, 150)
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


def _draw_can(draw: ImageDraw.ImageDraw, left: float, top: float, mirrored: bool = False, scale: float = 1) -> None:
    """A watering can (360 by 170 at scale 1) whose spout points at the trunk, with drops falling
    from it; ``mirrored`` when the can stands right of the trunk."""

    def x(dx: float) -> float:
        return left + scale * (360 - dx if mirrored else dx)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (min(x(x0), x(x1)), top + scale * y0, max(x(x0), x(x1)), top + scale * y1)

    def point(dx: float, dy: float) -> tuple[float, float]:
        return (x(dx), top + scale * dy)

    draw.rounded_rectangle(box(40, 40, 190, 150), radius=18 * scale, fill=CAN)
    handle = (270, 90) if mirrored else (90, 270)
    draw.arc(box(0, 50, 90, 130), start=handle[0], end=handle[1], fill=CAN, width=round(14 * scale))
    draw.arc(box(70, 0, 170, 80), start=180, end=360, fill=CAN, width=round(12 * scale))
    draw.polygon((point(180, 110), point(300, 40), point(310, 56), point(190, 140)), fill=CAN)
    for dx, dy in ((325, 75), (340, 110), (318, 140), (350, 160)):
        draw.ellipse(box(dx - 6, dy - 9, dx + 6, dy + 9), fill=(120, 180, 230))


def _draw_warning(draw: ImageDraw.ImageDraw, cx: float, top: float) -> None:
    draw.polygon(((cx, top), (cx - 26, top + 44), (cx + 26, top + 44)), fill=(230, 160, 40))
    draw.rectangle((cx - 3, top + 14, cx + 3, top + 31), fill=INK)
    draw.rectangle((cx - 3, top + 35, cx + 3, top + 40), fill=INK)


@dataclass(frozen=True)
class Part:
    """One part of the tree: its heading, its count line and its items."""

    heading: str
    count: str  # "N items from M people", or "" for none
    items: list[Item]
    style: Style
    bullet: Color
    heading_style: Style = HEADING
    count_style: Style = SMALL


@dataclass(frozen=True)
class Placed:
    box: Box  # where the part's text goes
    heading_lines: int
    laid: Laid
    columns: int
    align: str

    def height(self, part: Part) -> float:
        count = part.count_style.line_height if part.count else 0
        return self.heading_lines * part.heading_style.line_height + count + 6 + self.laid.height


def _place(part: Part, box: Box, level: Level, more: Callable[[int], str], columns: int, align: str) -> Placed:
    heading_lines = round(paragraph_height(part.heading, box.width, part.heading_style, 2) / part.heading_style.line_height)
    laid = lay_out(part.items, box.width, part.style, level, more, columns)
    return Placed(box, heading_lines, laid, columns, align)


def _draw_part(draw: ImageDraw.ImageDraw, part: Part, placed: Placed, top: float, rtl: bool) -> None:
    box = Box(placed.box.left, top, placed.box.right, placed.box.bottom)
    y = draw_paragraph(draw, box, top, part.heading, part.heading_style, 2, placed.align)
    if part.count:
        y = draw_paragraph(draw, box, y, part.count, part.count_style, 1, placed.align)
    draw_laid(draw, Box(box.left, y + 6, box.right, box.bottom), placed.laid, bullet=part.bullet, rtl=rtl)


def _parts(tree: Tree, pitfalls: list[tuple[str, int]], t: NullTranslations, rtl: bool) -> dict[str, Part]:
    _ = t.gettext
    roles = [(labels.role_label(role, t), f"×{n}") for role, n in tree.trunk] or [(_("(none)"), "")]
    pits = [(label, f"×{n}") for label, n in pitfalls if n] or [(_("(none)"), "")]

    def none_if_empty(items: list[Item]) -> list[Item]:
        return items or [(_("(none)"), "")]

    return {
        "sun": Part(_("Conditions for success"), _count_line(tree.sun, t), none_if_empty(_entries(tree.sun, t)), ITEM, SUN),
        "fruits": Part(
            compose([_("Fruits: goals"), _count_line(tree.fruits, t)], rtl), "", none_if_empty(_entries(tree.fruits, t)), ITEM, FRUIT
        ),
        "trunk": Part(_("Trunk: roles"), "", roles, TRUNK_ITEM, BARK_LIGHT, TRUNK_HEADING),
        "can": Part(_("Watering can: what we need from others"), _count_line(tree.can, t), none_if_empty(_entries(tree.can, t)), ITEM, CAN),
        "pitfalls": Part(_("Watch out: pitfalls"), "", pits, ITEM, WARNING),
        "roots": Part(
            compose([_("Roots: what we bring"), _count_line(tree.roots, t)], rtl), "", none_if_empty(_entries(tree.roots, t)), ITEM, BARK
        ),
    }


def _draw_roots(draw: ImageDraw.ImageDraw, cx: float, ground: float, depth: float, spread: float) -> None:
    """Roots that stay in a band under the grass, above the roots' words, so no line crosses a label."""
    for i, reach in enumerate((-1.0, -0.62, -0.28, 0.28, 0.62, 1.0)):
        start = cx + reach * 150
        end = cx + reach * spread
        drop = depth * (0.55 + 0.45 * (1 - abs(reach)))
        mid = ((start + end) / 2, ground + drop * 0.75)
        draw.line(((start, ground), mid, (end, ground + drop)), fill=ROOT, width=14 - i % 2 * 4, joint="curve")


class _Levels:
    """Each part's items laid out at each level, computed once, for trying many combinations."""

    def __init__(self, parts: dict[str, Part], columns: dict[str, tuple[Box, int]], more: Callable[[int], str], align: str):
        self.parts, self.columns, self.more, self.align = parts, columns, more, align

    @functools.cache  # noqa: B019 - one instance per picture, dropped with it
    def placed(self, name: str, index: int) -> Placed:
        box, count = self.columns[name]
        return _place(self.parts[name], box, LEVELS[index], self.more, count, self.align)

    def _priority(self, levels: dict[str, int]) -> Callable[[str], tuple[bool, int, int]]:
        def priority(name: str) -> tuple[bool, int, int]:
            shown = self._shown(name, levels[name])
            return (shown < len(self.parts[name].items), -shown, levels[name])

        return priority

    def _shown(self, name: str, index: int) -> int:
        return sum(len(column) for column in self.placed(name, index).laid.columns)

    def height(self, name: str, index: int) -> float:
        return self.placed(name, index).height(self.parts[name])

    def solve(self, fits: Callable[[dict[str, int]], bool]) -> dict[str, int]:
        """Levels per part: first the best level at which the whole picture fits with every part
        at that level; then, one step at a time, a better level for the part cut most, as long as
        the picture still fits. So room goes where things were cut, evenly."""
        names = list(self.columns)
        index = first_fitting(lambda i: fits(dict.fromkeys(names, i)))
        levels = dict.fromkeys(names, index)
        growing = [n for n in names if levels[n] > 0]
        while growing:
            # The part that shows fewest items while leaving some out goes first; the lines of
            # parts shown whole get longer after that.
            name = max(growing, key=self._priority(levels))
            # A step may cost a line ("+N more" moving down) that the next step does not: look two ahead.
            trials = [{**levels, name: index} for index in range(levels[name] - 1, max(levels[name] - 3, -1), -1)]
            better = next((trial for trial in trials if fits(trial)), None)
            if better is None:
                growing.remove(name)
                continue
            levels = better
            if levels[name] == 0:
                growing.remove(name)
        return levels


def render(
    tree: Tree,
    pitfalls: list[tuple[str, int]],
    t: NullTranslations,
    language: str,
    subtitle: str,
    shape: str = "a4",
) -> Image.Image:
    """The picture. ``pitfalls``: (label, people) of the recognised pitfalls, most first.
    ``shape``: "a4" (portrait, for paper), "wide" (16:9, for a projector) or "phone" (narrow and
    as tall as its content: one part under the other, for reading on a phone)."""
    with hyphenating(language):
        return layout(tree, pitfalls, t, language, subtitle, shape).draw(t, subtitle, is_rtl(language))


def layout(
    tree: Tree, pitfalls: list[tuple[str, int]], t: NullTranslations, language: str, subtitle: str, shape: str = "a4"
) -> Drawing:
    """Where everything goes, and how much of each part is shown, before anything is drawn."""
    rtl = is_rtl(language)
    more = lambda n: labels.more(n, t)  # noqa: E731 - a short callback
    parts = _parts(tree, pitfalls, t, rtl)
    if shape == "phone":
        return _phone(parts, more, rtl)
    if shape != "wide":
        return _portrait(parts, more, rtl)
    # The can goes under the sun or under the pitfalls, wherever the picture then shows most of
    # what was cut least.
    options = [_wide(parts, more, rtl, can_first) for can_first in (False, True)]
    return max(options, key=_shown_score)


def _shown_score(drawing: Drawing) -> tuple[int, int]:
    """The fewest items a shortened part shows, then the items shown in all."""
    counts = [(sum(len(c) for c in placed.laid.columns), bool(placed.laid.more)) for _p, placed, _t in drawing.texts]
    cut = [n for n, more in counts if more]
    return (min(cut) if cut else 1 << 30, sum(n for n, _more in counts))


def _trunk(text: Box, crown: Box, ground: float, *, flare: float) -> tuple[tuple[float, float], ...]:
    """The trunk around its text: from just inside the crown's foot, widening by ``flare`` to the ground."""
    top = crown.bottom - 20
    return ((text.left - 20, top), (text.right + 20, top), (text.right + flare, ground), (text.left - flare, ground))


@dataclass
class Drawing:
    size: tuple[int, int]
    texts: list[tuple[Part, Placed, float]]  # each part with its placement and top
    crown: Box
    trunk: tuple[tuple[float, float], ...]  # polygon
    sun: tuple[float, float, float, float]  # centre x, y, radius, label baseline
    can: tuple[float, float, bool, float]  # top left of the can, mirrored, scale
    warning: tuple[float, float]
    ground: float
    roots: tuple[float, float, float]  # depth, spread, centre x
    title: tuple[float, float]  # baselines of title and subtitle

    def draw(self, t: NullTranslations, subtitle: str, rtl: bool) -> Image.Image:
        width, height = self.size
        image = Image.new("RGB", self.size, SKY)
        draw = ImageDraw.Draw(image)
        title, style = labels.view_title("tree", t), TITLE
        while style.size > 24 and text_width(title, style.size, True) > width - 80:  # a long title on a phone
            style = Style(style.size - 2, bold=True)
        draw_aligned(draw, 40, width - 40, self.title[0], title, style, "center")
        draw_aligned(draw, 40, width - 40, self.title[1], subtitle, SMALL, "center")
        cx, cy, r, label_y = self.sun
        _draw_sun(draw, int(cx), int(cy), int(r))
        label = t.gettext("Sun")
        size = HEADING.size
        while size > 14 and text_width(label, size, True) > 2 * r - 12:  # "الشمس" in a small sun
            size -= 2
        draw_aligned(draw, cx - r, cx + r, label_y - (HEADING.size - size) / 2, label, Style(size, bold=True), "center")
        draw.rectangle((0, self.ground, width, height), fill=SOIL)
        depth, spread, root_x = self.roots
        _draw_roots(draw, root_x, self.ground, depth, spread)
        draw.rectangle((0, self.ground - 6, width, self.ground + 10), fill=GRASS)
        draw.polygon(self.trunk, fill=BARK)
        _draw_crown(draw, self.crown)
        _draw_can(draw, *self.can)
        _draw_warning(draw, *self.warning)
        for part, placed, top in self.texts:
            _draw_part(draw, part, placed, top, rtl)
        return image


HEADER = 130
_EMPTY = Laid((), "", 0, ITEM)


def _portrait(parts: dict[str, Part], more: Callable[[int], str], rtl: bool) -> Drawing:
    """A4 portrait: the sun above the crown, the can and the pitfalls on both sides of the trunk."""
    width, height = SIZE
    align = "right" if rtl else "left"
    margin, side_w = 40, 370
    sun_text = Box(margin, 0, width - 320, 0) if rtl else Box(320, 0, width - margin, 0)
    left, right = Box(margin, 0, margin + side_w, 0), Box(width - margin - side_w, 0, width - margin, 0)
    can_col, pit_col = (right, left) if rtl else (left, right)
    trunk_text = Box(margin + side_w + 45, 0, width - margin - side_w - 45, 0)
    columns = {
        "sun": (sun_text, 3),
        "fruits": (Box(150, 0, width - 150, 0), 3),
        "trunk": (trunk_text, 1),
        "can": (can_col, 1),
        "pitfalls": (pit_col, 1),
        "roots": (Box(margin, 0, width - margin, 0), 3),
    }
    around = {"sun": 30, "fruits": 100, "trunk": 90, "can": 230, "pitfalls": 110, "roots": 125}  # room above and below the text
    bands = {"sun": ("sun",), "crown": ("fruits",), "mid": ("trunk", "can", "pitfalls"), "roots": ("roots",)}
    least = {"sun": 240, "crown": 320, "mid": 400, "roots": 180}
    fixed = HEADER + 10
    laid = _Levels(parts, columns, more, align)

    def sizes(levels: dict[str, int]) -> dict[str, float]:
        return {
            band: max(least[band], *(laid.height(n, levels[n]) + around[n] for n in names))
            for band, names in bands.items()
        }

    levels = laid.solve(lambda levels: fixed + sum(sizes(levels).values()) <= height)
    placed = {n: laid.placed(n, i) for n, i in levels.items()}
    size = sizes(levels)
    spare = max(0, height - fixed - sum(size.values()))
    size["crown"] += spare * 0.3
    size["mid"] += spare * 0.4
    size["roots"] += spare * 0.3

    sun_top = HEADER
    crown_top = sun_top + size["sun"]
    mid_top = crown_top + size["crown"]
    ground = mid_top + size["mid"]
    crown = Box(110, crown_top + 40, width - 110, mid_top - 10)
    fruits_h = placed["fruits"].height(parts["fruits"])
    tops = {
        "sun": sun_top + 10,
        "fruits": crown.top + max(15, (crown.bottom - crown.top - fruits_h) / 2),
        "trunk": mid_top + 60,
        "can": mid_top + 210,
        "pitfalls": mid_top + 90,
        "roots": ground + 105,
    }
    return Drawing(
        size=SIZE,
        texts=[(parts[name], placed[name], top) for name, top in tops.items()],
        crown=crown,
        trunk=_trunk(trunk_text, crown, ground, flare=70),
        sun=(width - 165 if rtl else 165, sun_top + 105, 85, sun_top + 115),
        can=(can_col.right - 360 if rtl else can_col.left, mid_top + 40, rtl, 1),
        warning=((pit_col.right - 30) if rtl else (pit_col.left + 30), mid_top + 40),
        ground=ground,
        roots=(90, width / 2 - 60, width / 2),
        title=(62, 104),
    )


def _wide(parts: dict[str, Part], more: Callable[[int], str], rtl: bool, can_first: bool = False) -> Drawing:
    """16:9 for a projector: the sun in the column where reading starts, the pitfalls in the
    other, the can (its spout towards the trunk) under one of them (under the sun when
    ``can_first``), the crown and the trunk in the middle, the roots across the whole width."""
    width, height = WIDE
    align = "right" if rtl else "left"
    margin, header, side_w, sun_r = 30, 105, 500, 52
    start_col = Box(width - margin - side_w, 0, width - margin, 0) if rtl else Box(margin, 0, margin + side_w, 0)
    end_col = Box(margin, 0, margin + side_w, 0) if rtl else Box(width - margin - side_w, 0, width - margin, 0)
    centre = Box(margin + side_w + 20, 0, width - margin - side_w - 20, 0)
    sign_room = 70  # the pitfalls' heading stands beside the warning sign
    sun_heading = (
        Box(start_col.left, 0, start_col.right - 2 * sun_r - 75, 0)
        if rtl
        else Box(start_col.left + 2 * sun_r + 75, 0, start_col.right, 0)
    )
    sun = parts["sun"]
    heading_part = Part(sun.heading, sun.count, [], ITEM, SUN)
    heading = Placed(sun_heading, len(wrap(sun.heading, sun_heading.width, HEADING, 2)), _EMPTY, 1, align)
    sun_block = max(2 * sun_r + 60, heading.height(heading_part) + 30)
    trunk_text = Box(centre.left + 150, 0, centre.right - 150, 0)
    can_scale = 0.6
    can_drawing, band = 170 * can_scale + 30, 60
    columns = {
        "sun": (start_col, 1),
        "pitfalls": (end_col, 1),
        "can": (start_col if can_first else end_col, 1),
        "fruits": (Box(centre.left + 90, 0, centre.right - 90, 0), 2),
        "trunk": (trunk_text, 2),
        "roots": (Box(margin, 0, width - margin, 0), 4),
    }
    source = {**parts, "sun": Part("", "", sun.items, ITEM, SUN)}
    laid = _Levels(source, columns, more, align)

    def crown_height(levels: dict[str, int]) -> float:
        return max(240, laid.height("fruits", levels["fruits"]) + 115)

    def heights(levels: dict[str, int]) -> tuple[float, float]:
        h = lambda name: laid.height(name, levels[name])  # noqa: E731
        can_h = 30 + can_drawing + h("can")
        start_h = sun_block + h("sun") + (can_h if can_first else 0)
        end_h = h("pitfalls") + (0 if can_first else can_h)
        centre_h = crown_height(levels) + h("trunk") + 60
        return max(start_h, end_h, centre_h), band + h("roots") + 15

    levels = laid.solve(lambda levels: header + sum(heights(levels)) <= height)
    placed = {n: laid.placed(n, i) for n, i in levels.items()}
    _upper, roots_h = heights(levels)
    ground = height - roots_h  # the room left over goes to the upper part: a taller tree
    crown = Box(centre.left + 50, header + 55, centre.right - 50, header + crown_height(levels))
    fruits_h = placed["fruits"].height(parts["fruits"])
    sun_cx = start_col.right - sun_r - 8 if rtl else start_col.left + sun_r + 8
    sun_cy = header + sun_r + 20
    pits = placed["pitfalls"]
    pit_box = Box(end_col.left, 0, end_col.right - sign_room, 0) if rtl else Box(end_col.left + sign_room, 0, end_col.right, 0)
    pit_lines = pits.heading_lines * HEADING.line_height
    if can_first:
        can_top = header + sun_block - 6 + placed["sun"].height(source["sun"]) + 20
    else:
        can_top = header + 12 + pits.height(parts["pitfalls"]) + 20
    texts = [
        (heading_part, heading, header + 12),
        (source["sun"], placed["sun"], header + sun_block - 6),
        (Part(parts["pitfalls"].heading, "", [], ITEM, WARNING), Placed(pit_box, pits.heading_lines, _EMPTY, 1, align), header + 12),
        (Part("", "", parts["pitfalls"].items, ITEM, WARNING), Placed(end_col, 0, pits.laid, 1, align), header + 12 + pit_lines),
        (parts["can"], placed["can"], can_top + can_drawing),
        (parts["fruits"], placed["fruits"], crown.top + max(15, (crown.bottom - crown.top - fruits_h) / 2)),
        (parts["trunk"], placed["trunk"], crown.bottom + 40),
        (parts["roots"], placed["roots"], ground + band),
    ]
    can_width = 360 * can_scale
    return Drawing(
        size=WIDE,
        texts=texts,
        crown=crown,
        trunk=_trunk(trunk_text, crown, ground, flare=70),
        sun=(sun_cx, sun_cy, sun_r, sun_cy + 10),
        # The spout points at the trunk: to the reading direction's end from the start column.
        can=(
            (start_col if can_first else end_col).right - can_width if rtl == can_first else (start_col if can_first else end_col).left,
            can_top,
            rtl == can_first,
            can_scale,
        ),
        warning=((end_col.right - 30) if rtl else (end_col.left + 30), header + 8),
        ground=ground,
        roots=(band - 12, width / 2 - 80, width / 2),
        title=(52, 88),
    )


PHONE_WIDTH = 720  # shown about 360 px wide on a phone, like the boards: items at 13 px
PHONE_MOST = 3600  # tallest phone tree: a phone scrolls, but not for ever


def _bigger(part: Part) -> Part:
    """A part in the phone picture's type sizes (the picture is shown at half its size)."""
    return replace(
        part,
        style=Style(26, fill=part.style.fill),
        heading_style=Style(32, bold=True, fill=part.heading_style.fill),
        count_style=Style(24, fill=SMALL.fill),
    )


def _phone(parts: dict[str, Part], more: Callable[[int], str], rtl: bool) -> Drawing:
    """Narrow, one part under the other: the sun, the watering can and the pitfalls each with its
    sign and heading, then the crown with the fruits, the trunk with the roles, the roots under the
    grass. As tall as what is shown; when that would pass PHONE_MOST, shortened evenly."""
    width = PHONE_WIDTH
    align = "right" if rtl else "left"
    margin, header, gap = 24, 110, 36
    sun_r, can_scale = 46, 0.5
    big = {name: _bigger(part) for name, part in parts.items()}
    full = Box(margin, 0, width - margin, 0)
    rays = 48  # the sun's rays reach this far beyond its edge
    # Room each sign takes beside its heading and above the items.
    signs = {"sun": 2 * (sun_r + rays) + 10, "can": 360 * can_scale + 24, "pitfalls": 80}
    sign_height = {"sun": 2 * (sun_r + rays), "can": 170 * can_scale + 10, "pitfalls": 54}

    def beside(name: str) -> Box:
        return Box(margin, 0, width - margin - signs[name], 0) if rtl else Box(margin + signs[name], 0, width - margin, 0)

    headings: dict[str, tuple[Part, Placed]] = {}
    for name in signs:
        part = big[name]
        only_heading = replace(part, items=[])
        box = beside(name)
        lines = len(wrap(part.heading, box.width, part.heading_style, 2))
        headings[name] = (only_heading, Placed(box, lines, _EMPTY, 1, align))
    source = {**big, **{name: replace(big[name], heading="", count="") for name in signs}}
    trunk_text = Box(width / 2 - 170, 0, width / 2 + 170, 0)
    crown_box = Box(margin + 60, 0, width - margin - 60, 0)
    columns = {
        "sun": (full, 1),
        "can": (full, 1),
        "pitfalls": (full, 1),
        "fruits": (Box(crown_box.left + 30, 0, crown_box.right - 30, 0), 1),
        "trunk": (trunk_text, 1),
        "roots": (full, 1),
    }
    laid = _Levels(source, columns, more, align)

    def sky(name: str, level: int) -> float:
        part, placed = headings[name]
        return max(sign_height[name], placed.height(part)) + laid.height(name, level) + gap

    def tops(levels: dict[str, int]) -> dict[str, float]:
        """Where each band starts, and (as "end") the picture's height."""
        found = {"sun": float(header)}
        found["can"] = found["sun"] + sky("sun", levels["sun"])
        found["pitfalls"] = found["can"] + sky("can", levels["can"])
        found["crown"] = found["pitfalls"] + sky("pitfalls", levels["pitfalls"]) + 30
        found["trunk"] = found["crown"] + laid.height("fruits", levels["fruits"]) + 90
        found["ground"] = found["trunk"] + laid.height("trunk", levels["trunk"]) + 100
        found["end"] = found["ground"] + 90 + laid.height("roots", levels["roots"]) + 30
        return found

    levels = laid.solve(lambda levels: tops(levels)["end"] <= PHONE_MOST)
    placed = {n: laid.placed(n, i) for n, i in levels.items()}
    y = tops(levels)
    crown = Box(crown_box.left, y["crown"], crown_box.right, y["trunk"] - 20)
    texts = []
    for name in signs:
        part, heading = headings[name]
        texts.append((part, heading, y[name]))
        below = max(sign_height[name], heading.height(part))
        texts.append((source[name], placed[name], y[name] + below))
    texts += [
        (big["fruits"], placed["fruits"], crown.top + 40),
        (big["trunk"], placed["trunk"], crown.bottom + 40),
        (big["roots"], placed["roots"], y["ground"] + 90),
    ]

    def start(w: float) -> float:
        """The left edge of a sign ``w`` wide at the side where reading starts."""
        return width - margin - w if rtl else margin

    return Drawing(
        size=(width, int(y["end"])),
        texts=texts,
        crown=crown,
        trunk=_trunk(trunk_text, crown, y["ground"], flare=50),
        sun=(start(2 * (sun_r + rays)) + sun_r + rays, y["sun"] + sun_r + rays, sun_r, y["sun"] + sun_r + rays + 10),
        # The spout points into the page, towards the tree: to the right, or to the left in RTL.
        can=(start(360 * can_scale), y["can"], rtl, can_scale),
        warning=(start(52) + 26, y["pitfalls"]),
        ground=y["ground"],
        roots=(60, width / 2 - 40, width / 2),
        title=(56, 94),
    )
