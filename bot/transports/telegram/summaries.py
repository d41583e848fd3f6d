"""Sending a workshop's collected answers to a facilitator: the briefing, pictures, files.

The chat gets the one-screen briefing (and the answers per question when they are few); the whole
arrives as documents (plain text, the HTML meeting pack, the CSV) and the pictures as photos.

The pack (bot.pack, with Jinja2, Pillow, fonts and word stemming: ~11 MB) is imported on the first
summary, in the worker thread that builds it, not when the bot starts: a bot that only serves
participants never loads it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from telegram import Bot, InputFile

from bot.i18n import translations
from bot.transcribe import Transcriber
from bot.transcripts import transcribe_missing
from bot.translation import Provider, translate_missing
from bot.transports.telegram.delivery import send_html, with_retries
from bot.transports.telegram.rendering import MAX_CAPTION, text_messages
from bot.transports.telegram.voice import send_recording
from storage import Database, Workshop
from storage import repository as repo

if TYPE_CHECKING:
    from bot.pack import Pack

MAX_VOICES = 60  # voice answers re-sent in the chat; all of them are in the meeting pack folder (python -m bot summary --out)


async def send_voice_answers(bot: Bot, chat_id: int, data: repo.WorkshopAnswers, language: str) -> None:
    """Every voice answer as a voice message, grouped per question, each captioned with who spoke."""
    from bot.summary import voice_groups  # imports the pack (see above); already loaded by make_pack

    t = translations(language)
    groups = voice_groups(data, t, language)
    sent = 0
    total = sum(len(spoken) for _q, spoken in groups)
    for question, spoken in groups:
        if sent >= MAX_VOICES:
            break
        await send_html(bot, chat_id, text_messages("🎤 " + question, language))
        for item in spoken[: MAX_VOICES - sent]:
            audio = data.audio.get(item.ref)
            if audio is not None:
                await send_recording(bot, chat_id, audio, item.caption)
            sent += 1
    if total > sent:
        note = t.ngettext(
            "{n} more voice answer is not sent here, to keep the chat short.",
            "{n} more voice answers are not sent here, to keep the chat short.",
            total - sent,
        ).format(n=total - sent)
        await send_html(bot, chat_id, text_messages(note, language))


def load_answers(db: Database, workshop_id: int, language: str) -> repo.WorkshopAnswers:
    with db.session() as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        return repo.workshop_answers(session, workshop, translated_to=language)


def make_pack(data: repo.WorkshopAnswers, language: str) -> Pack:
    from bot.pack import build_pack  # the first summary pays the import (see above), in a worker thread

    return build_pack(data, language)


async def deliver_summary(
    bot: Bot,
    db: Database,
    workshop_id: int,
    chat_id: int,
    language: str,
    transcriber: Transcriber | None = None,
    translator: Provider | None = None,
) -> None:
    """Raises when delivery fails after retries, so the caller can try again later. Typed answers in
    other languages are translated first (only those without a stored translation), when a provider
    is configured; a failing provider leaves them as written."""
    t = translations(language)
    _ = t.gettext
    await transcribe_missing(db, transcriber, workshop_id=workshop_id)  # those the background task did not make
    await translate_missing(db, workshop_id, language, translator)
    # Loading and building the pack is database and CPU work of up to a second or two: off the event loop.
    data = await asyncio.to_thread(load_answers, db, workshop_id, language)
    pack = await asyncio.to_thread(make_pack, data, language)

    pointer = _("Every answer, per question, is in the documents below: summary.txt to read, the meeting pack to print.")
    messages = [m for part in pack.chat(pointer) for m in text_messages(part, language)]
    await send_html(bot, chat_id, messages)
    await send_voice_answers(bot, chat_id, data, language)

    captions = {
        "tree.png": _("The tree of collaboration (Boom van samenwerking)"),
        "board-informal.png": _("The strength of informal workers (De kracht van de ander)"),
        "board-formal.png": _("The strength of formal workers (De kracht van de ander)"),
    }
    for name in list(captions):  # the same pictures in 16:9, for a projector
        wide = name.replace(".png", "-16x9.png")
        captions[wide] = _("{picture} (16:9, for a projector)").format(picture=captions[name])
    for name, png in pack.images.items():
        caption = captions.get(name, name)[:MAX_CAPTION]
        await with_retries(lambda png=png, name=name, caption=caption: bot.send_photo(chat_id, InputFile(png, filename=name), caption=caption), "sendPhoto", idempotent=False)

    title = data.workshop.title
    documents = (
        ("meeting-pack.html", pack.html.encode("utf-8"), _("The meeting pack of “{title}”: open it in a browser, print it on A4")),
        ("answers.csv", pack.csv, _("All answers of “{title}” as a table (Excel, LibreOffice)")),
        ("summary.txt", pack.text.encode("utf-8"), _("All answers of “{title}” in one file")),
    )
    for filename, content, caption in documents:
        text = caption.format(title=title)[:MAX_CAPTION]
        await with_retries(
            lambda content=content, filename=filename, text=text: bot.send_document(chat_id, InputFile(content, filename=filename), caption=text),
            "sendDocument",
            idempotent=False,
        )
