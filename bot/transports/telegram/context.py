"""What every handler needs, kept in the Application's bot_data."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import User
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.conversation import Conversation
from bot.translation import Provider
from storage import Database


@dataclass
class BotContext:
    settings: Settings
    db: Database
    conversation: Conversation
    translator: Provider | None = None  # machine translation of answers for facilitators, when configured


def services(context: ContextTypes.DEFAULT_TYPE) -> BotContext:
    return context.application.bot_data["services"]


def user_key(user: User) -> str:
    return f"tg:{user.id}"
