"""File names for stored recordings, from their media type."""

from __future__ import annotations

import mimetypes

_KNOWN = {"audio/ogg": ".ogg", "audio/mpeg": ".mp3", "audio/mp4": ".m4a", "audio/x-wav": ".wav", "audio/wav": ".wav"}


def extension(mime_type: str) -> str:
    """A file extension for a recording's type; Telegram voice notes are OGG/Opus."""
    return _KNOWN.get(mime_type) or mimetypes.guess_extension(mime_type) or ".ogg"
