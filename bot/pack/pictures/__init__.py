"""The pack's pictures as PNG files: the tree of collaboration and the two boards of strengths,
each for paper (A4) and for a projector (16:9), and the tree narrow too, for the HTML on a phone."""

from __future__ import annotations

import io

from babel.support import NullTranslations
from PIL import Image

from bot.i18n import is_rtl
from bot.pack import labels
from bot.pack.pictures import board, tree
from bot.pack.pictures.drawing import compose
from bot.pack.views import SIDES, Views


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # Flat colours compress well at the fastest level; higher levels cost time, not much size.
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _subtitle(views: Views, t: NullTranslations, language: str) -> str:
    parts = [views.answers.data.workshop.title, labels.people_count(len(views.answers.people), t)]
    if views.answers.translations:  # entries drawn as their translation carry the mark: say what it means
        parts.append(t.gettext("~ machine translation"))
    return compose(parts, is_rtl(language))


def draw(views: Views, t: NullTranslations, language: str) -> tuple[dict[str, Image.Image], dict[str, Image.Image]]:
    """The pictures for the exercises the workshop includes, by file name, and a narrow version of
    the tree for reading on a phone, by the name of the print version (a phone reads the boards as
    cards in the page, not as pictures)."""
    subtitle = _subtitle(views, t, language)
    images: dict[str, Image.Image] = {}
    phone: dict[str, Image.Image] = {}
    if "e" in views.exercises and views.tree.asked:
        recognised = sorted(
            ((labels.pitfall_label(row.pitfall, t), len(row.people)) for row in views.pitfalls.rows),
            key=lambda pair: -pair[1],
        )
        images["tree.png"] = tree.render(views.tree, recognised, t, language, subtitle)
        images["tree-16x9.png"] = tree.render(views.tree, recognised, t, language, subtitle, "wide")
        phone["tree.png"] = tree.render(views.tree, recognised, t, language, subtitle, "phone")
    if "b" in views.exercises:
        for side in SIDES:
            images[f"board-{side}.png"] = board.render(side, views.board[side], t, language, subtitle)
            images[f"board-{side}-16x9.png"] = board.render(side, views.board[side], t, language, subtitle, "wide")
    return images, phone
