#!/usr/bin/env python
"""The fair floor: the smallest honest python-telegram-bot bot doing the unavoidable work of one answer.

Per input, what any bot like the project's must do: answer a button press, take the buttons off the
message that was pressed (a tick redraws them instead), commit the answer and the new position in one
transaction, send the next prompt. Nothing else: no engine, no translations, no rendering.

Same database settings as the project (storage.db.Database's engine: WAL, synchronous=NORMAL and a busy
timeout on SQLite, pre-ping on PostgreSQL), same start as ``python -m bot run`` (run_polling), the same
rate limiter when TELEGRAM_RATE_LIMIT is on (the default). Configured from the environment:
TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, DATABASE_URL, TELEGRAM_RATE_LIMIT.

A prompt carries what a question of the project carries on average (measured on a walk of every exercise:
about 460 characters of HTML and 3 buttons; a multiple choice redrawn after a tick, about 12 buttons), so
the bytes that must go over HTTP and through JSON are the same; the texts themselves are filler.

Inputs (benchmarks/load.py sends them): any text answers the current step; callback data ``p|N`` answers
step N with a button; ``t|N`` ticks an option of step N (answer stored, keyboard redrawn, position kept).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, Text, bindparam  # noqa: E402
from sqlalchemy.dialects import postgresql, sqlite  # noqa: E402
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters  # noqa: E402

from storage.db import Database  # noqa: E402

metadata = MetaData()
positions = Table(
    "floor_positions", metadata, Column("user_id", BigInteger, primary_key=True), Column("step", Integer, nullable=False)
)
answers = Table(
    "floor_answers",
    metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("value", Text, nullable=False),
)

db = Database(os.environ["DATABASE_URL"], migrate=False)
metadata.create_all(db.engine)
_d = postgresql if db.engine.dialect.name == "postgresql" else sqlite
_advance = _d.insert(positions).values(user_id=bindparam("uid"), step=1)
ADVANCE = _advance.on_conflict_do_update(
    index_elements=[positions.c.user_id], set_={"step": positions.c.step + 1}
).returning(positions.c.step)
_answer = _d.insert(answers).values(user_id=bindparam("uid"), step=bindparam("n"), value=bindparam("v"))
ANSWER = _answer.on_conflict_do_update(index_elements=[answers.c.user_id, answers.c.step], set_={"value": _answer.excluded.value})


def commit(user_id: int, value: str, tick_step: int | None = None) -> int:
    """The answer and (unless a tick) the advanced position, in one transaction; the step now current."""
    with db.engine.begin() as conn:
        if tick_step is not None:
            conn.execute(ANSWER, {"uid": user_id, "n": tick_step, "v": value})
            return tick_step
        step = conn.execute(ADVANCE, {"uid": user_id}).scalar_one()
        conn.execute(ANSWER, {"uid": user_id, "n": step - 1, "v": value})
        return step


FILLER = "<b>Vraag</b>\n\n" + "Wat doet uw organisatie voor gezinnen in de wijk, en met wie werkt u samen? " * 6


def keyboard(step: int, ticked: bool = False) -> InlineKeyboardMarkup:
    """3 buttons for a prompt; 12 when a multiple choice is redrawn after a tick."""
    options = [f"{'✅ ' if ticked else ''}Optie {n}: kennis en begrip van de gezinnen" for n in range(11 if ticked else 2)]
    rows = [[InlineKeyboardButton(label, callback_data=f"t|{step}")] for label in options]
    return InlineKeyboardMarkup([*rows, [InlineKeyboardButton("Klaar", callback_data=f"p|{step}")]])


async def send_prompt(context: ContextTypes.DEFAULT_TYPE, chat_id: int, step: int) -> None:
    text = f"step {step}\n{FILLER}"
    await context.bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=keyboard(step))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.effective_user is not None
    step = commit(update.effective_user.id, update.message.text or "")
    await send_prompt(context, update.message.chat_id, step)


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None and update.effective_user is not None
    kind, _, number = (query.data or "").partition("|")
    if kind == "t":
        commit(update.effective_user.id, query.data or "", tick_step=int(number))
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=keyboard(int(number), ticked=True))
        return
    step = commit(update.effective_user.id, query.data or "")
    chat_id = query.message.chat.id
    await asyncio.gather(
        query.answer(),
        query.edit_message_reply_markup(reply_markup=None),
        send_prompt(context, chat_id, step),
    )


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    api = os.environ["TELEGRAM_API_URL"]
    builder = ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(api)
    if os.environ.get("TELEGRAM_RATE_LIMIT", "on").lower() not in ("off", "0", "false", "no"):
        from bot.transports.telegram.pacing import TelegramRateLimiter

        builder = builder.rate_limiter(TelegramRateLimiter())
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    app.add_handler(CallbackQueryHandler(on_press))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
