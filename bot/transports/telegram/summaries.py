"""Sending a workshop's collected answers to a facilitator: messages within the limits plus documents."""

from __future__ import annotations

from telegram import Bot, InputFile

from bot.i18n import translations
from bot.summary import summary_sections, summary_text
from bot.transports.telegram.delivery import send_html, with_retries
from bot.transports.telegram.rendering import text_messages
from storage import Database, Workshop
from storage import repository as repo


async def deliver_summary(bot: Bot, db: Database, workshop_id: int, chat_id: int, language: str) -> None:
    """Every answer as readable messages, then the whole as a document. Raises when delivery fails."""
    t = translations(language)
    with db.session() as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        data = repo.workshop_answers(session, workshop)
    messages: list[str] = []
    for section in summary_sections(data, t, language):
        messages += text_messages(section, language)
    await send_html(bot, chat_id, messages)
    document = summary_text(data, t, language).encode("utf-8")
    await with_retries(
        lambda: bot.send_document(
            chat_id,
            InputFile(document, filename="summary.txt"),
            caption=t.gettext("All answers of “{title}” in one file").format(title=workshop.title)[:1000],
        ),
        "sendDocument",
    )
