"""The facilitator's meeting pack: one HTML document, a CSV of all answers, pictures, the briefing.

``build_pack`` computes the views once (:mod:`bot.pack.views`) and hands them to each output:
:mod:`bot.pack.html`, :mod:`bot.pack.csv_export`, :mod:`bot.pack.pictures`, the briefing
(:mod:`bot.pack.messages`) and the answers per question (:mod:`bot.summary`). Everything is in the
facilitator's language; typed answers stay as typed, with their stored machine translation beside.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import translations
from bot.pack import audio, csv_export, html, messages, pictures, views
from bot.pack.readable import Reading
from bot.progress import split_answered
from storage.models import Workshop
from storage.repository import WorkshopAnswers

CHAT_LINES = 60  # the chat part of a summary: the briefing, and the answers when they fit within this


def lines(texts: list[str]) -> int:
    return sum(text.count("\n") + 1 for text in texts)


@dataclass(frozen=True)
class Pack:
    html: str  # one self-contained HTML document
    csv: bytes  # UTF-8 with BOM
    # PNG files by name: tree.png, board-informal.png, board-formal.png (A4, for paper), and the same
    # names ending in -16x9.png (for a projector)
    images: dict[str, bytes]
    briefing: str  # the one-screen briefing: one chat message (<= messages.LIMIT characters)
    sections: list[str]  # who is who, then every answer per exercise and question (plain text)

    def chat(self, pointer: str) -> list[str]:
        """What the chat shows: the briefing, then every answer when it all fits in CHAT_LINES lines,
        else ``pointer`` (a sentence saying the documents hold every answer)."""
        if lines([self.briefing, *self.sections]) <= CHAT_LINES:
            return [self.briefing, *self.sections]
        return [self.briefing, pointer]

    @property
    def text(self) -> str:
        """The briefing and every answer as one plain text (summary.txt, the terminal)."""
        return "\n\n".join([self.briefing, *self.sections])


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Building a pack makes hundreds of thousands of short-lived objects, and each full collection
    they trigger walks every object the process already holds (the loaded answers, the whole bot),
    none of which can become garbage meanwhile. Frozen for the build, they are left out of those
    walks and back in the oldest generation afterwards (300 participants: a quarter less time).
    Builds in two threads at once only lose some of the gain."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@functools.cache
def prepare() -> None:
    """Build a pack of an empty workshop once, so that the templates are compiled, the fonts opened
    and the text shaping set up before the first real summary: the first pack then costs what every
    later one does (30 people: about 1.8 s cold, 1.0 s after this). The bot does not call it (it
    would hold ~11 MB from the start); benchmarks/summary.py does, to time the usual summary."""
    title = "Vruchtbare Bodem · عربي · ትግርኛ"  # opens the Arabic and Ethiopic fonts as well
    sample = WorkshopAnswers(workshop=Workshop(id=0, code="-", title=title), participants=[], answers={}, positions={})
    build_pack(sample, "nl")


def build_pack(data: WorkshopAnswers, language: str, audio_names: Mapping[str, str] | None = None) -> Pack:
    """``audio_names``: the recordings' files beside the page, when there are any (a player each)."""
    with older_objects_frozen():
        return _build(data, language, audio_names)


def _build(data: WorkshopAnswers, language: str, audio_names: Mapping[str, str] | None) -> Pack:
    from bot.summary import summary_sections  # bot.summary reads this package's modules

    t = translations(language)
    data = split_answered(data)  # only people who answered count; the others are named apart
    computed = views.compute(data, language)
    reading = Reading(computed.answers, t, language)
    drawn, drawn_phone = pictures.draw(computed, t, language)
    # Encoding the PNG files is most of the pictures' cost, and Pillow's encoder runs without the
    # interpreter lock: the files are encoded in two threads while this one writes the CSV and the texts.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="pack-png") as pool:
        phone_files = {name: pool.submit(pictures.png, image) for name, image in drawn_phone.items()}
        files = {name: pool.submit(pictures.png, image) for name, image in drawn.items()}
        csv = csv_export.export(data, t, reading)
        briefing = messages.briefing(computed, reading, t, language)
        sections = summary_sections(computed, reading, t, language)
        images = {name: f.result() for name, f in files.items()}
        phone = {name: f.result() for name, f in phone_files.items()}
    # The page embeds every picture: the print, the 16:9 and the phone versions, each for its screen.
    page = html.document(computed, images, t, language, phone, audio_names=audio_names)
    return Pack(html=page, csv=csv, images=images, briefing=briefing, sections=sections)


def write_pack(
    data: WorkshopAnswers, out_dir: str | Path, language: str, recordings: Mapping[str, bytes] | None = None
) -> list[Path]:
    """Write pack.html, answers.csv, the pictures and the voice answers' recordings (``recordings``:
    reference -> bytes) into ``out_dir``; return their paths."""
    names = {ref: name for ref, name in audio.filenames(data).items() if ref in (recordings or {})}
    pack = build_pack(data, language, names)
    folder = Path(out_dir)
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)  # the answers of a whole group: the owner's only, whatever the umask
    files = {"pack.html": pack.html.encode("utf-8"), "answers.csv": pack.csv, **pack.images}
    files.update({name: (recordings or {})[ref] for ref, name in names.items()})
    written = []
    for name, content in files.items():
        path = folder / name
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.chmod(path, 0o600)
        written.append(path)
    return written
