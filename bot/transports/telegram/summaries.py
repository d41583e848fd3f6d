"""Sending a workshop's collected answers to a facilitator: the views, every answer, pictures, files.

Messages stay within Telegram's limits; the whole also arrives as documents (plain text, the HTML
meeting pack, the CSV) and the pictures as photos.
"""

from __future__ import annotations

import asyncio

from telegram import Bot, InputFile

from bot.i18n import translations
from bot.pack import build_pack
from bot.summary import summary_sections, summary_text, voice_groups
from bot.transcribe import Transcriber
from bot.transcripts import transcribe_missing
from bot.transports.telegram.delivery import send_html, with_retries
from bot.transports.telegram.rendering import MAX_CAPTION, text_messages
from bot.transports.telegram.voice import send_recording
from storage import Database, Workshop
from storage import repository as repo

MAX_MESSAGES = 40  # at about one a second per chat: well under a minute of messages
MAX_VOICES = 60  # voice answers re-sent in the chat; all of them are in the meeting pack folder (python -m bot summary --out)


async def send_voice_answers(bot: Bot, chat_id: int, data: repo.WorkshopAnswers, language: str) -> None:
    """Every voice answer as a voice message, grouped per question, each captioned with who spoke."""
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


async def deliver_summary(
    bot: Bot, db: Database, workshop_id: int, chat_id: int, language: str, transcriber: Transcriber | None = None
) -> None:
    """Raises when delivery fails after retries, so the caller can try again later."""
    t = translations(language)
    _ = t.gettext
    await transcribe_missing(db, transcriber, workshop_id=workshop_id)  # those the background task did not make
    with db.session() as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        data = repo.workshop_answers(session, workshop)
    # Building the pack is CPU work of up to a second or two: keep the event loop free meanwhile.
    pack = await asyncio.to_thread(build_pack, data, language)

    messages: list[str] = []
    for view in pack.messages:
        messages += text_messages(view, language)
    for section in summary_sections(data, t, language):
        messages += text_messages(section, language)
    if len(messages) > MAX_MESSAGES:
        # A large workshop would fill the chat with hundreds of messages: the documents hold it all.
        left_out = len(messages) - MAX_MESSAGES
        note = t.ngettext(
            "{n} more message of answers is left out here: the documents below hold everything.",
            "{n} more messages of answers are left out here: the documents below hold everything.",
            left_out,
        ).format(n=left_out)
        messages = [*messages[:MAX_MESSAGES], *text_messages(note, language)]
    await send_html(bot, chat_id, messages)
    await send_voice_answers(bot, chat_id, data, language)

    captions = {
        "tree.png": _("The tree of collaboration (Boom van samenwerking)"),
        "board-informal.png": _("The strength of informal workers (De kracht van de ander)"),
        "board-formal.png": _("The strength of formal workers (De kracht van de ander)"),
    }
    for name, png in pack.images.items():
        caption = captions.get(name, name)[:MAX_CAPTION]
        await with_retries(lambda png=png, name=name, caption=caption: bot.send_photo(chat_id, InputFile(png, filename=name), caption=caption), "sendPhoto")

    title = workshop.title
    documents = (
        ("meeting-pack.html", pack.html.encode("utf-8"), _("The meeting pack of “{title}”: open it in a browser, print it on A4")),
        ("answers.csv", pack.csv, _("All answers of “{title}” as a table (Excel, LibreOffice)")),
        ("summary.txt", summary_text(data, t, language).encode("utf-8"), _("All answers of “{title}” in one file")),
    )
    for filename, content, caption in documents:
        text = caption.format(title=title)[:MAX_CAPTION]
        await with_retries(
            lambda content=content, filename=filename, text=text: bot.send_document(chat_id, InputFile(content, filename=filename), caption=text),
            "sendDocument",
        )
