"""Voice answers on Telegram: fetching a recording through the Bot API, and sending stored ones again.

Stored recordings are re-sent by Telegram's file id (sendVoice, or sendAudio for audio files):
nothing is uploaded again."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Sequence
from datetime import timedelta

from babel.support import NullTranslations
from telegram import Audio as TgAudio
from telegram import Bot, Message, Voice
from telegram.error import TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.engine.render import step_label
from bot.engine.voice import MAX_BYTES, over_limit
from bot.flows import all_flows
from bot.transports.telegram.delivery import Undelivered, with_retries
from bot.transports.telegram.rendering import MAX_CAPTION
from storage import Audio, Database
from storage import repository as repo

log = logging.getLogger(__name__)


async def download(bot: Bot, file_id: str) -> tuple[bytes | None, int | None]:
    """The recording's bytes (getFile, then the file URL) and its size; no bytes when it is too large
    or Telegram would not give them."""
    try:
        file = await with_retries(lambda: bot.get_file(file_id), "getFile")
        if file.file_size is not None and file.file_size > MAX_BYTES:
            return None, file.file_size
        data = bytes(await with_retries(file.download_as_bytearray, "downloadFile"))
        return data, len(data)
    except (TelegramError, Undelivered) as exc:
        log.warning("could not download a voice answer: %s", type(exc).__name__)
        return None, None


def _seconds(media: Voice | TgAudio) -> int:
    with warnings.catch_warnings():  # PTB 22 warns that duration will become a timedelta; both are read
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        found = media.duration
    return int(found.total_seconds()) if isinstance(found, timedelta) else int(found or 0)


async def receive(bot: Bot, message: Message) -> repo.IncomingAudio:
    """A voice note or audio file as it will be stored; not downloaded when it is over the limits."""
    media: Voice | TgAudio | None = message.voice or message.audio
    assert media is not None
    kind = "voice" if message.voice is not None else "audio"
    seconds, size = _seconds(media), int(media.file_size or 0)
    data = None
    if over_limit(seconds, size) is None:
        data, found = await download(bot, media.file_id)
        size = found if found is not None else size
        if over_limit(seconds, size) is not None:
            data = None
    mime = media.mime_type or ("audio/ogg" if kind == "voice" else "audio/mpeg")
    return repo.IncomingAudio(kind, media.file_id, media.file_unique_id, mime, seconds, size, data)


async def send_recording(bot: Bot, chat_id: int, audio: Audio, caption: str | None = None) -> None:
    caption = caption[:MAX_CAPTION] if caption else None
    if audio.kind == "audio":
        await with_retries(lambda: bot.send_audio(chat_id, audio.file_id, caption=caption), "sendAudio")
    else:
        await with_retries(lambda: bot.send_voice(chat_id, audio.file_id, caption=caption), "sendVoice")


def question(answer_key: str, t: NullTranslations) -> str | None:
    """The short name of the question a recording answers."""
    flow_id, _dot, step_id = answer_key.partition(".")
    flow = next((f for f in all_flows() if f.id == flow_id), None)
    step = next((s for s in flow.steps if s.id == step_id), None) if flow is not None else None
    return step_label(step, t) if step is not None else None


def _audio_info(db: Database, refs: Sequence[str]) -> dict[str, Audio]:
    with db.session() as session:
        return repo.audio_info(session, refs)


async def play_back(bot: Bot, db: Database, chat_id: int, refs: Sequence[str], t: NullTranslations) -> None:
    """Stored recordings sent to the chat again, in order, each captioned with its question."""
    found = await asyncio.to_thread(_audio_info, db, refs)
    for ref in refs:
        audio = found.get(ref)
        if audio is not None:
            await send_recording(bot, chat_id, audio, question(audio.answer_key, t))
