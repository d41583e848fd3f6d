"""Settings from the environment (and an optional ``.env`` file)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dotenv import load_dotenv

from storage.db import default_database_url

DEFAULT_API_URL = "https://api.telegram.org/bot"


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    api_url: str = DEFAULT_API_URL
    database_url: str = field(default_factory=default_database_url)
    admins: frozenset[int] = frozenset()
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    log_level: str = "INFO"
    chat_messages_per_second: float = 1.0  # sustained, per private chat (Telegram's guidance)
    retry_delay: float = 120.0  # seconds before a reminder or summary that could not be delivered is tried again

    @classmethod
    def from_env(cls) -> Settings:
        load_dotenv(override=False)
        env = os.environ
        admins = frozenset(int(a) for a in env.get("BOT_ADMINS", "").replace(" ", "").split(",") if a.strip())
        return cls(
            token=env.get("TELEGRAM_BOT_TOKEN") or None,
            api_url=env.get("TELEGRAM_API_URL") or DEFAULT_API_URL,
            database_url=env.get("DATABASE_URL") or default_database_url(),
            admins=admins,
            webhook_url=env.get("WEBHOOK_URL") or None,
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
            webhook_listen=env.get("WEBHOOK_LISTEN", "0.0.0.0"),
            webhook_port=int(env.get("WEBHOOK_PORT", "8443")),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
        )
