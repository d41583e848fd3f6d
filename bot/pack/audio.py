"""The meeting pack's recordings: one file per voice answer, beside pack.html."""

from __future__ import annotations

from bot.audio_files import extension
from storage.models import Audio
from storage.repository import WorkshopAnswers


def filename(audio: Audio) -> str:
    return f"voice-{audio.id}{extension(audio.mime_type)}"


def filenames(data: WorkshopAnswers) -> dict[str, str]:
    """Reference -> file name, for every recording of the workshop."""
    return {ref: filename(audio) for ref, audio in data.audio.items()}
