"""Speech to text through an OpenAI-compatible ``/v1/audio/transcriptions`` API (for example a
self-hosted Whisper server). Only used when the deployment sets TRANSCRIBE_URL: with none set,
no recording ever leaves the machine."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from bot.audio_files import extension

PATH = "/v1/audio/transcriptions"
DEFAULT_MODEL = "whisper-1"


class TranscriptionError(Exception):
    """The provider did not give a transcript (unreachable, refused, or an unreadable answer)."""


@dataclass(frozen=True)
class Transcriber:
    url: str  # the server's base URL, or the full endpoint
    model: str = DEFAULT_MODEL
    api_key: str | None = None
    timeout: float = 120.0

    @property
    def endpoint(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith("/audio/transcriptions") else base + PATH

    async def transcribe(self, data: bytes, mime_type: str) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        files = {"file": ("answer" + extension(mime_type), data, mime_type)}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(self.endpoint, data={"model": self.model}, files=files, headers=headers)
                response.raise_for_status()
                text = response.json().get("text")
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            raise TranscriptionError(type(exc).__name__) from exc
        if not isinstance(text, str):
            raise TranscriptionError("no text in the answer")
        return text.strip()
