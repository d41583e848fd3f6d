"""/mydata and /forget on Telegram: a person's own data, sent to them or erased."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.i18n import translations
from bot.mydata import as_json, collect, forget, readable
from bot.transports.telegram.context import services, user_key
from bot.transports.telegram.delivery import with_retries
from bot.transports.telegram.participants import _reply, account_language
from bot.transports.telegram.presses import acknowledge
from bot.transports.telegram.rendering import MAX_CAPTION, encode

log = logging.getLogger(__name__)


async def on_my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    language = await account_language(svc, update)
    t = translations(language)
    data, workshops = await asyncio.to_thread(collect, svc.db, user_key(user))
    if not data:
        await _reply(update, context, t.gettext("Nothing is stored about you."))
        return
    documents = (
        ("my-data.txt", readable(data, workshops, t, language).encode("utf-8"), t.gettext("Everything this bot stores about you")),
        ("my-data.json", as_json(data), t.gettext("The same, as stored (JSON)")),
    )
    for filename, content, caption in documents:
        await with_retries(
            lambda content=content, filename=filename, caption=caption: context.bot.send_document(
                chat.id, InputFile(content, filename=filename), caption=caption[:MAX_CAPTION]
            ),
            "sendDocument",
        )
    log.info("personal data sent")


async def on_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _ = translations(await account_language(services(context), update)).gettext
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Yes, erase everything"), callback_data=encode("f", "yes")),
          InlineKeyboardButton(_("No, keep it"), callback_data=encode("f", "no"))]]
    )
    await _reply(
        update,
        context,
        _(
            "This erases everything the bot stores about you as a participant, in every workshop: your answers, "
            "your name, organisation and role, and your Telegram ids. It cannot be undone. Are you sure?"
        ),
        keyboard,
    )


async def confirm_forget(update: Update, context: ContextTypes.DEFAULT_TYPE, confirmed: bool) -> None:
    svc = services(context)
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    _ = translations(await account_language(svc, update)).gettext  # before the account (and its language) goes
    await acknowledge(update, context)
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)
    if not confirmed:
        await _reply(update, context, _("Nothing was erased."))
        return
    # Delivered prompts kept for later (shown.py) written first: the updates they answered are then done,
    # and go with the rest of the chat's handled updates.
    await asyncio.to_thread(svc.conversation.flush_shown)
    await asyncio.to_thread(forget, svc.db, user_key(user))
    log.info("a person erased their data")
    await _reply(update, context, _("Everything about you is erased. The facilitators only learn that someone left."))
