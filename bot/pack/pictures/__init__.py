"""The pack's pictures as PNG files: the tree of collaboration and the two boards of strengths."""

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
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def render(views: Views, t: NullTranslations, language: str) -> dict[str, bytes]:
    """PNG files by name, for the exercises the workshop includes."""
    people = len(views.answers.people)
    parts = [views.answers.data.workshop.title, labels.people_count(people, t)]
    if views.answers.translations:  # entries drawn as their translation carry the mark: say what it means
        parts.append(t.gettext("~ machine translation"))
    subtitle = compose(parts, is_rtl(language))
    images: dict[str, bytes] = {}
    if "e" in views.exercises:
        recognised = sorted(
            ((labels.pitfall_label(row.pitfall, t), len(row.people)) for row in views.pitfalls.rows),
            key=lambda pair: -pair[1],
        )
        images["tree.png"] = png(tree.render(views.tree, recognised, t, language, subtitle))
    if "b" in views.exercises:
        for side in SIDES:
            images[f"board-{side}.png"] = png(board.render(side, views.board[side], t, language, subtitle))
    return images
