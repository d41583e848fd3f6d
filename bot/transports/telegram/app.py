"""Building and running the python-telegram-bot Application."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.config import DEFAULT_API_URL, Settings
from bot.conversation import Conversation, Features
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, negotiate, translations
from bot.translation import provider_from_settings
from bot.transports.telegram import facilitators as fac
from bot.transports.telegram import own_data, retention_job, routes
from bot.transports.telegram import participants as part
from bot.transports.telegram.context import BotContext
from bot.transports.telegram.delivery import send_html
from bot.transports.telegram.outbox import prune_inbox, resend_owed_prompts
from bot.transports.telegram.pacing import TelegramRateLimiter
from bot.transports.telegram.presses import acknowledge
from bot.transports.telegram.rendering import text_messages
from bot.transports.telegram.requests import QueuedRequest
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
        BotCommand("mydata", _("Everything stored about you")),
        BotCommand("forget", _("Erase everything about you")),
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
        BotCommand("facilitators", _("The facilitators of a workshop")),
        BotCommand("close", _("No new participants")),
        BotCommand("delete", _("Delete a workshop now")),
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
    assert app.job_queue is not None
    app.job_queue.run_repeating(resend_owed_prompts, interval=settings.outbox_interval, first=settings.outbox_interval, name="outbox")
    app.job_queue.run_repeating(prune_inbox, interval=3600, first=60, name="inbox-prune")
    retention_job.start(app)
    # No warm-up of the meeting pack here (bot.pack.prepare: ~11 MB of templates, fonts and shaping held
    # for the process's life), not even its import (summaries.py): the first summary, built in a worker
    # thread anyway, pays both (under a second, once).


CONNECTIONS = 8  # to the Bot API; at ~0.1 s a call that is ~80 calls/s, above Telegram's own limits
POOL_WAIT = 30.0  # seconds a request may wait for a free connection


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (its kind, never the text) and tell the person, in their language, to try again."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s: %s", update_id, type(context.error).__name__, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    await tell_to_try_again(context, update)


async def tell_to_try_again(context: ContextTypes.DEFAULT_TYPE, update: Update) -> None:
    svc: BotContext = context.application.bot_data["services"]
    try:
        language = await part.account_language(svc, update)
    except Exception:  # the database itself may be what failed
        language = negotiate(update.effective_user.language_code if update.effective_user else None)
    text = translations(language).gettext(
        "Sorry, something went wrong on our side and your last message was not saved. Everything you saved "
        "before is safe. Please try again in a moment."
    )
    try:
        if update.callback_query is not None:
            await acknowledge(update, context, text, language=language, alert=True)
        else:
            await send_html(context.bot, update.effective_chat.id, text_messages(text, language))
    except Exception as exc:  # nothing more to do: the failure is logged above
        log.warning("could not tell chat about the failure: %s", type(exc).__name__)


def build_application(
    settings: Settings,
    db: Database | None = None,
    *,
    rate_limit: bool = True,
    rate_limiter: BaseRateLimiter | None = None,
) -> Application:
    """The bot; ``rate_limiter`` replaces the shipped one (a test's, driven by its own clock)."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    # httpx logs every request URL at INFO, and the Bot API puts the token in the URL.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    database = db or Database(settings.database_url)
    # No PTB Updater: updates come from the database inbox (see intake.py and dispatch.py).
    builder = ApplicationBuilder().token(settings.token).updater(None).post_init(on_startup)
    if settings.api_url != DEFAULT_API_URL:
        builder = builder.base_url(settings.api_url).base_file_url(settings.api_url.replace("/bot", "/file/bot"))
    if rate_limit and settings.rate_limit:
        # Telegram's flood limits on new messages; the one layer where 429 answers are waited out and retried.
        builder = builder.rate_limiter(
            rate_limiter
            or TelegramRateLimiter(
                per_chat_per_second=settings.chat_messages_per_second, overall_per_second=settings.overall_per_worker
            )
        )
    # A few kept-alive connections, requests queueing for them (requests.py): httpcore's pool does work in
    # the square of its open connections on every request, and with PTB's default of 256 the many handlers
    # in flight made that half the bot's CPU. A queued request waits as long as a slow one may take.
    builder = builder.request(QueuedRequest(CONNECTIONS, POOL_WAIT))
    app = builder.build()
    features = Features(translation_service=settings.translation_service, transcription=bool(settings.transcribe_url))
    app.bot_data["services"] = BotContext(
        settings=settings,
        db=database,
        conversation=Conversation(database, features=features),
        translator=provider_from_settings(settings),
    )

    private = filters.ChatType.PRIVATE
    commands = {
        "start": routes.on_start,
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
        "revoke": fac.on_revoke,
        "facilitators": fac.on_facilitators,
        "retention": fac.on_retention,
        "close": fac.on_close,
        "open": fac.on_open,
        "delete": fac.on_delete,
        "mydata": own_data.on_my_data,
        "forget": own_data.on_forget,
    }
    # An edit of an earlier message is never taken for a new answer or command.
    app.add_handler(MessageHandler(private & filters.UpdateType.EDITED, part.on_edited))
    new_message = private & filters.UpdateType.MESSAGE
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=new_message))
    app.add_handler(MessageHandler(new_message & filters.COMMAND, part.on_unknown_command))
    app.add_handler(MessageHandler(new_message & filters.TEXT & ~filters.COMMAND, part.on_text))
    app.add_handler(MessageHandler(new_message & (filters.VOICE | filters.AUDIO), part.on_voice))
    app.add_handler(MessageHandler(new_message & ~filters.TEXT & ~filters.StatusUpdate.ALL, part.on_media))
    app.add_handler(CallbackQueryHandler(routes.on_callback))
    app.add_error_handler(on_error)
    return app
