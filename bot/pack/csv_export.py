"""All answers as a CSV file for spreadsheets: one row per answer.

UTF-8 with a byte order mark, so Excel opens Arabic, Ethiopic and Cyrillic text correctly;
quoting by the csv module, so commas, quotes and line breaks in answers stay inside their cell.

Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some programs, a tab or carriage return) as a formula, so a participant could make the
facilitator's spreadsheet compute or fetch things. Every such cell gets a leading apostrophe
(``'=1+1``): spreadsheets show it as text, and the text after the apostrophe is unchanged.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from babel.support import NullTranslations

from bot.engine.voice import VOICE, is_voice
from bot.pack import audio, labels
from bot.pack.answers import LIST_SEPARATOR, Reader, Row, by_person
from bot.pack.readable import Reading
from bot.timefmt import WORKSHOP_TZ
from storage.repository import WorkshopAnswers

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """The cell as text a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def local_time(when: datetime) -> str:
    if when.tzinfo is None:  # SQLite gives back naive times; they are stored in UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(WORKSHOP_TZ).strftime("%Y-%m-%d %H:%M:%S")


def header(t: NullTranslations) -> list[str]:
    _ = t.gettext
    return [
        _("Workshop"),
        _("Participant"),
        _("Role"),
        _("Organisation"),
        _("Language"),
        _("Exercise"),
        _("Question"),
        _("Answer"),
        _("Machine translation"),
        _("Time (Europe/Amsterdam)"),
    ]


def translated(reader: Reader, reading: Reading | None, row: Row, spoken: Reader | None = None) -> str:
    """The typed answer's machine translation into the reader's language, item by item; else empty.
    A voice answer's item there has its transcript's translation (``spoken`` reads them so)."""
    if reading is None or not row.typed or row.answer.language == reading.language:
        return ""
    values = reader.values(row)
    found = [
        spoken.voice_text(r) if spoken is not None and is_voice(r) and str(r[VOICE]) in spoken.transcripts  # type: ignore[index,arg-type]
        else reading.gloss(v, row.answer.language)[0]
        for v, r in zip(values, reader.items(row), strict=True)
    ]
    if not any(found):
        return ""
    return LIST_SEPARATOR.join(f or v for f, v in zip(found, values, strict=True))


def export(data: WorkshopAnswers, t: NullTranslations, reading: Reading | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header(t))
    names = audio.filenames(data)
    reader = Reader(t, names, data.transcripts)  # a voice answer's cell names its file
    spoken = Reader(t, names, reading.transcript_translations()) if reading is not None else None
    people: dict[int, list[str]] = {}  # the participant's cells, made once per participant
    for row in by_person(data):
        person = row.person
        if person.id not in people:
            people[person.id] = [
                safe_cell(data.workshop.title),
                safe_cell(person.display_name or ""),
                safe_cell(labels.participant_role(person, t)),
                safe_cell(person.organisation or ""),
            ]
        answer = row.answer
        exercise, question = reader.names(row)
        cells = [
            answer.language,
            exercise,
            question,
            reader.text(row),
            translated(reader, reading, row, spoken),
            local_time(answer.updated_at),
        ]
        writer.writerow(people[person.id] + [safe_cell(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")
