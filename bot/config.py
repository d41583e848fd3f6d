"""Settings from the environment and a ``.env`` file in the working directory (pydantic-settings).

Adding a setting is one line: a typed field with its default. Its environment variable is the field
name in capitals (``translate_url`` reads ``TRANSLATE_URL``) unless a ``validation_alias`` names
another one. ``Settings(...)`` built in code (tests) holds exactly what it is given; only
:meth:`Settings.from_env` reads the environment.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from bot.transcribe import Transcriber
from storage.db import default_database_url

DEFAULT_API_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """Bad configuration, as one line for the operator: which variable, and what it should be."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        frozen=True,
        populate_by_name=True,  # Settings(token=...) in code, TELEGRAM_BOT_TOKEN in the environment
        env_file=".env",  # relative: the working directory the bot is started in
        env_ignore_empty=True,  # VAR= counts as unset, as before
        extra="ignore",  # a .env may hold variables of other tools
    )

    token: str | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN", repr=False)  # repr: never in a log
    api_url: str = Field(DEFAULT_API_URL, validation_alias="TELEGRAM_API_URL")
    database_url: str = Field(default_factory=default_database_url, repr=False)  # may hold a password
    admins: Annotated[frozenset[int], NoDecode] = Field(frozenset(), validation_alias="BOT_ADMINS")
    webhook_url: str | None = None
    webhook_secret: str | None = Field(None, repr=False)
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)
    log_level: str = "INFO"
    # Off only where nothing limits the bot (a benchmark's fake Bot API): TELEGRAM_RATE_LIMIT=off.
    rate_limit: bool = Field(True, validation_alias="TELEGRAM_RATE_LIMIT")
    chat_messages_per_second: float = Field(1.0, gt=0)  # sustained, per private chat (Telegram's guidance)
    # Telegram's overall limit for the bot, shared by every worker: each one keeps to its part of it.
    bot_messages_per_second: float = Field(30.0, gt=0)
    workers: int = Field(1, ge=1)  # identical bot processes sharing the token (webhook workers behind a load balancer)
    retry_delay: float = Field(120.0, gt=0)  # seconds before an undelivered reminder or summary is tried again (doubling)
    delivery_interval: float = Field(30.0, gt=0)  # seconds between two looks at the jobs table in each process
    delivery_lease: float = Field(300.0, gt=0)  # seconds a claimed job stays with its process unless renewed
    delivery_parallel: int = Field(8, ge=1)  # reminders and summaries one process delivers at once
    outbox_interval: float = Field(15.0, gt=0)  # seconds between looks for prompts owed but not delivered
    outbox_after: float = Field(20.0, gt=0)  # seconds a prompt is owed before it is sent again (> one send's retries)
    inbox_lease: float = Field(60.0, gt=0)  # seconds before an update held by a silent process is taken by another
    transcribe_url: str | None = None  # OpenAI-compatible speech to text; none: recordings stay on this machine
    transcribe_api_key: str | None = Field(None, repr=False)
    transcribe_model: str = "whisper-1"

    @property
    def overall_per_worker(self) -> float:
        """The share of Telegram's overall limit this process may use."""
        return self.bot_messages_per_second / self.workers

    def transcriber(self) -> Transcriber | None:
        """The speech-to-text client, when the deployment configured one."""
        if not self.transcribe_url:
            return None
        return Transcriber(url=self.transcribe_url, model=self.transcribe_model, api_key=self.transcribe_api_key)

    @property
    def translation_service(self) -> str | None:
        """The name the consent text gives the machine-translation service, when one is configured."""
        if self.deepl_api_key:
            return "DeepL"
        if self.translate_url:
            return f"LibreTranslate ({urlsplit(self.translate_url).hostname})"
        return None

    # Machine translation of typed answers for the facilitator: a self-hosted LibreTranslate server or DeepL.
    translate_url: str | None = None  # LibreTranslate's base URL, e.g. http://127.0.0.1:5000
    translate_api_key: str | None = Field(None, repr=False)  # when that server asks for one
    deepl_api_key: str | None = Field(None, repr=False)
    deepl_api_url: str | None = None  # default: the documented endpoint for the key (free keys end in ":fx")

    @property
    def machine_translation(self) -> bool:
        """Whether typed answers are sent to a translation provider (the consent text says so then)."""
        return bool(self.translate_url or self.deepl_api_key)

    @field_validator("admins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError("expected Telegram user ids (whole numbers) separated by commas, like 11111111,22222222")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_level(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            if value not in LOG_LEVELS:
                raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # built in code: exactly what it is given

    @classmethod
    def from_env(cls) -> Settings:
        """The environment first, then ``./.env``, then the defaults; :class:`ConfigError` when a value is wrong."""
        try:
            return _FromEnvironment()
        except ValidationError as exc:
            raise ConfigError(describe(exc)) from None


class _FromEnvironment(Settings):
    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, dotenv_settings)


def env_name(field: str) -> str:
    """The environment variable a field is read from."""
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else field.upper()


def describe(exc: ValidationError) -> str:
    """One line naming every wrong variable and what it expects; never the value (it may be a secret)."""
    by_alias = {env_name(name): name for name in Settings.model_fields}
    problems = []
    for error in exc.errors(include_url=False):
        key = str(error["loc"][0]) if error["loc"] else "?"
        name = key if key in by_alias else env_name(key) if key in Settings.model_fields else key.upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{name}: {message[:1].lower()}{message[1:]}")
    return "configuration error (environment or .env): " + "; ".join(problems)
