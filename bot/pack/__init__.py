"""The facilitator's meeting pack: one HTML document, a CSV of all answers, pictures, chat messages.

``build_pack`` computes the views once (:mod:`bot.pack.views`) and hands them to each output:
:mod:`bot.pack.html`, :mod:`bot.pack.csv_export`, :mod:`bot.pack.pictures` and
:mod:`bot.pack.messages`. Everything is in the facilitator's language; answers stay as typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import translations
from bot.pack import audio, csv_export, html, messages, pictures, views
from bot.progress import split_answered
from storage.repository import WorkshopAnswers


@dataclass(frozen=True)
class Pack:
    html: str  # one self-contained HTML document
    csv: bytes  # UTF-8 with BOM
    images: dict[str, bytes]  # PNG files by name: tree.png, board-informal.png, board-formal.png
    messages: list[str]  # short plain-text chat messages for the views (each <= 3500 characters)


def build_pack(data: WorkshopAnswers, language: str, audio_names: Mapping[str, str] | None = None) -> Pack:
    """``audio_names``: the recordings' files beside the page, when there are any (a player each)."""
    t = translations(language)
    data = split_answered(data)  # only people who answered count; the others are named apart
    computed = views.compute(data)
    images = pictures.render(computed, t, language)
    return Pack(
        html=html.document(computed, images, t, language, audio_names),
        csv=csv_export.export(data, t),
        images=images,
        messages=messages.messages(computed, t),
    )


def write_pack(
    data: WorkshopAnswers, out_dir: str | Path, language: str, recordings: Mapping[str, bytes] | None = None
) -> list[Path]:
    """Write pack.html, answers.csv, the pictures and the voice answers' recordings (``recordings``:
    reference -> bytes) into ``out_dir``; return their paths."""
    names = {ref: name for ref, name in audio.filenames(data).items() if ref in (recordings or {})}
    pack = build_pack(data, language, names)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    files = {"pack.html": pack.html.encode("utf-8"), "answers.csv": pack.csv, **pack.images}
    files.update({name: (recordings or {})[ref] for ref, name in names.items()})
    written = []
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content)
        written.append(path)
    return written
