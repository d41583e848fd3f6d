"""Automatic transcripts of voice answers, made after the answer is committed.

Never inside the update that stored the answer: right after it in a background task, and again
for whatever is still missing when a summary is made (so a restart or a provider that was down
only delays a transcript). Two workers doing the same one store it once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from bot.transcribe import Transcriber, TranscriptionError
from storage import Database
from storage import repository as repo

log = logging.getLogger(__name__)


def _load(db: Database, workshop_id: int | None, refs: list[str] | None) -> list[tuple[int, str, bytes]]:
    with db.session() as session:
        rows = repo.untranscribed(session, workshop_id=workshop_id, refs=refs)
        data = repo.audio_data(session, [str(a.id) for a in rows])
        return [(a.id, a.mime_type, data[str(a.id)]) for a in rows if a.id is not None and str(a.id) in data]


def _store(db: Database, audio_id: int, text: str) -> None:
    with db.session() as session:
        repo.set_transcript(session, audio_id, text)


async def transcribe_missing(
    db: Database,
    transcriber: Transcriber | None,
    *,
    workshop_id: int | None = None,
    refs: Iterable[str] | None = None,
) -> int:
    """Transcribe the recordings that have no transcript yet; returns how many were made."""
    if transcriber is None:
        return 0
    pending = await asyncio.to_thread(_load, db, workshop_id, list(refs) if refs is not None else None)
    made = 0
    for audio_id, mime_type, data in pending:
        try:
            text = await transcriber.transcribe(data, mime_type)
        except TranscriptionError as exc:
            log.warning("transcription of recording %d failed: %s", audio_id, exc)  # tried again at the summary
            continue
        await asyncio.to_thread(_store, db, audio_id, text)
        made += 1
    return made
