"""Building and running the python-telegram-bot Application."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import DEFAULT_API_URL, Settings
from bot.conversation import Conversation
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, translations
from bot.translation import provider_from_settings
from bot.transports.telegram import facilitators as fac
from bot.transports.telegram import participants as part
from bot.transports.telegram.context import BotContext
from bot.transports.telegram.pacing import ChatPacedRateLimiter
from bot.transports.telegram.worker import start_deliveries
from storage import Database

log = logging.getLogger(__name__)


def participant_commands(language: str) -> list[BotCommand]:
    _ = translations(language).gettext
    return [
        BotCommand("start", _("Join a workshop or continue")),
        BotCommand("back", _("The previous question")),
        BotCommand("skip", _("Skip an optional question")),
        BotCommand("progress", _("How far you are")),
        BotCommand("myanswers", _("Everything you answered")),
        BotCommand("language", _("Choose your language")),
        BotCommand("workshops", _("Your workshops")),
        BotCommand("help", _("How this bot works")),
    ]


def facilitator_commands(language: str) -> list[BotCommand]:
    _ = translations(language).gettext
    return [
        *participant_commands(language),
        BotCommand("new", _("Create a workshop")),
        BotCommand("settings", _("Meeting time, exercises, reminders")),
        BotCommand("status", _("Who joined and how far they are")),
        BotCommand("summary", _("All answers of a workshop")),
        BotCommand("invite", _("Invite a co-facilitator")),
    ]


async def on_startup(app: Application) -> None:
    """Command menus per language, and this process's share of reminders and summaries (the jobs table)."""
    settings: Settings = app.bot_data["services"].settings
    try:
        await app.bot.set_my_commands(participant_commands(DEFAULT_LANGUAGE))
        for language in LANGUAGES:
            await app.bot.set_my_commands(participant_commands(language), language_code=language)
        for admin in settings.admins:
            await app.bot.set_my_commands(facilitator_commands(DEFAULT_LANGUAGE), scope=BotCommandScopeChat(admin))
    except TelegramError as exc:  # a menu is a convenience: never a reason not to start
        log.warning("could not set the command menus: %s", type(exc).__name__)
    start_deliveries(app)


async def log_update(update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(update, Update):
        kind = "callback" if update.callback_query else ("message" if update.effective_message else "other")
        log.info("update %d: %s", update.update_id, kind)  # never the text: answers are personal data


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s: %s", update_id, type(context.error).__name__, exc_info=context.error)


def build_application(settings: Settings, db: Database | None = None, *, rate_limit: bool = True) -> Application:
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    # httpx logs every request URL at INFO, and the Bot API puts the token in the URL.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    database = db or Database(settings.database_url)
    builder = ApplicationBuilder().token(settings.token).post_init(on_startup)
    if settings.api_url != DEFAULT_API_URL:
        builder = builder.base_url(settings.api_url).base_file_url(settings.api_url.replace("/bot", "/file/bot"))
    if rate_limit:
        # Telegram's flood limits; 429 answers are waited out and retried.
        builder = builder.rate_limiter(ChatPacedRateLimiter(per_chat_per_second=settings.chat_messages_per_second))
    app = builder.build()
    app.bot_data["services"] = BotContext(
        settings=settings,
        db=database,
        conversation=Conversation(database),
        translator=provider_from_settings(settings),
    )

    private = filters.ChatType.PRIVATE
    app.add_handler(TypeHandler(Update, log_update), group=-1)
    commands = {
        "start": part.on_start,
        "back": part.on_back,
        "skip": part.on_skip,
        "restart": part.on_restart,
        "progress": part.on_progress,
        "myanswers": part.on_my_answers,
        "language": part.on_language,
        "workshops": part.on_workshops,
        "help": part.on_help,
        "new": fac.on_new,
        "settings": fac.on_settings,
        "meeting": fac.on_meeting,
        "timing": fac.on_timing,
        "status": fac.on_status,
        "summary": fac.on_summary,
        "invite": fac.on_invite,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=private))
    app.add_handler(MessageHandler(private & filters.COMMAND, part.on_unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, part.on_text))
    app.add_handler(MessageHandler(private & (filters.VOICE | filters.AUDIO), part.on_voice))
    app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, part.on_media))
    app.add_handler(CallbackQueryHandler(part.on_callback))
    app.add_error_handler(on_error)
    return app


def run_polling(settings: Settings) -> None:
    app = build_application(settings)
    log.info("starting long polling")
    app.run_polling(allowed_updates=Update.ALL_TYPES)


def run_webhook(settings: Settings) -> None:
    if not settings.webhook_url:
        raise SystemExit("Set WEBHOOK_URL (the public HTTPS address Telegram should call) to run the webhook.")
    app = build_application(settings)
    log.info("starting webhook server")
    app.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path="telegram",
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret,
        allowed_updates=Update.ALL_TYPES,
    )
