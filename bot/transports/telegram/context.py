"""What every handler needs, kept in the Application's bot_data."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from telegram import User
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.conversation import Conversation
from bot.translation import Provider
from storage import Database


class PromptMemory:
    """The last prompt sent to each person, so the next one can take its buttons off.

    Kept in memory and written to the database with the person's next answer (one transaction
    fewer per update). After a restart the database's one-step-older id is used: the newest
    prompt then keeps its buttons, which still belong to the current step, so nothing breaks."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[str, int] = OrderedDict()
        self._size = size

    def get(self, key: str) -> int | None:
        return self._ids.get(key)

    def remember(self, key: str, message_id: int) -> None:
        self._ids.pop(key, None)
        self._ids[key] = message_id
        while len(self._ids) > self._size:
            self._ids.popitem(last=False)


@dataclass
class BotContext:
    settings: Settings
    db: Database
    conversation: Conversation
    prompts: PromptMemory = field(default_factory=PromptMemory)
    translator: Provider | None = None  # machine translation of answers for facilitators, when configured


def services(context: ContextTypes.DEFAULT_TYPE) -> BotContext:
    return context.application.bot_data["services"]


def user_key(user: User) -> str:
    return f"tg:{user.id}"
