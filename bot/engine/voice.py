"""Spoken answers inside the engine: how a voice answer is kept in an answer value, and its limits.

A voice answer is a small dict in the stored value, ``{"voice": ref, "seconds": 42}``, with an
optional typed line (``"text"``). ``ref`` is opaque here: the transport stored the audio and
named it. A list answer may mix typed items (str) and voice items (dict).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

VOICE = "voice"
MAX_SECONDS = 180  # three minutes: long enough to explain, short enough to listen to in a meeting
MAX_BYTES = 5 * 1024 * 1024  # a three-minute voice note is well under 1 MB; an MP3 of that length about 3 MB
MIC = "🎤"


def voice(ref: str, seconds: int, text: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {VOICE: ref, "seconds": int(seconds)}
    if text:
        found["text"] = text
    return found


def is_voice(value: object) -> bool:
    return isinstance(value, dict) and VOICE in value


def refs(value: object) -> list[str]:
    """The stored audio a value points to, in order."""
    items = value if isinstance(value, list) else [value]
    return [str(item[VOICE]) for item in items if is_voice(item)]


def all_refs(values: Iterable[object]) -> list[str]:
    return [ref for value in values for ref in refs(value)]


def typed(item: object) -> str:
    """The typed text of an answer item: a string as is, a voice answer's typed line, else ''."""
    if isinstance(item, str):
        return item
    if is_voice(item):
        return str(item.get("text") or "")
    return ""


def duration(seconds: int) -> str:
    """0:42, 2:05"""
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def over_limit(seconds: int, size: int) -> str | None:
    """"seconds" or "size" when a recording is too long or too large to store, else None."""
    if seconds > MAX_SECONDS:
        return "seconds"
    if size > MAX_BYTES:
        return "size"
    return None
