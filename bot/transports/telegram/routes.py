"""Where a /start payload or a button press goes: participants, facilitators or one's own data.

The one module that knows all three, so that they need not know each other (no import circles)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot import throttle
from bot.engine import Event, Pick, Show
from bot.engine.runner import CLEAR
from bot.i18n import LANGUAGES, translations
from bot.transports.telegram import facilitators as fac
from bot.transports.telegram import own_data
from bot.transports.telegram import participants as part
from bot.transports.telegram.context import services
from bot.transports.telegram.presses import acknowledge
from bot.transports.telegram.rendering import decode
from storage import repository as repo

log = logging.getLogger(__name__)


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    payload = context.args[0] if context.args else None
    if payload and payload.startswith(repo.INVITE_PREFIX):
        await fac.accept_invite(update, context, payload)
        return
    if payload:
        await part.join_with_code(update, context, payload)
        return
    await part.handle_or_ask(update, context, Show())


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    decoded = decode(query.data)
    if decoded is None:
        log.info("callback with data that is not ours")
        await not_valid(update, context)
        return
    kind, parts = decoded
    if kind == "p" and len(parts) == 2 and parts[1].isdigit():
        await part.turn_page(update, context, parts[0])
    elif kind == "a" and len(parts) in (2, 3):
        key, option = parts[0], parts[1]
        control = part.CONTROL_EVENTS.get(option)
        if option == CLEAR:
            event: Event = Pick(CLEAR, at=key)
        elif control is not None:
            event = control(at=key)
        else:
            event = Pick(option, at=key)
        await part.handle_or_ask(update, context, event)
    elif kind == "l" and len(parts) == 1 and parts[0] in LANGUAGES:
        await part.choose_language(update, context, parts[0])
    elif kind == "l" and len(parts) == 2 and parts[0] in LANGUAGES and throttle.looks_like_code(parts[1]):
        await part.pending_language(update, context, parts[0], parts[1])
    elif kind == "j" and len(parts) == 3 and parts[1] in LANGUAGES and throttle.looks_like_code(parts[0]):
        await part.pending_consent(update, context, parts[0], parts[1], parts[2])
    elif kind == "f" and len(parts) == 1:
        await own_data.confirm_forget(update, context, parts[0] == "yes")
    elif kind in ("d", "m") and len(parts) == 2 and all(p.isdigit() for p in parts):
        await (fac.confirm_delete if kind == "d" else fac.confirm_remove)(update, context, int(parts[0]), int(parts[1]))
    elif kind == "w" and len(parts) == 1 and parts[0].isdigit():
        await part.switch_workshop(update, context, int(parts[0]))
    elif kind == "x" and len(parts) == 2:
        await fac.toggle_exercise(update, context, parts[0], parts[1])
    else:
        await not_valid(update, context)


async def not_valid(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    language = await part.account_language(services(context), update)
    await acknowledge(update, context, translations(language).gettext("This button is not valid."), language=language)
