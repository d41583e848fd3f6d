"""Command line: ``python -m bot [start|chat|summary|run|webhook|migrate]``."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.config import ConfigError, Settings
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_from_environment, strip_isolates, translations
from bot.logs import configure


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.conversation import Features
    from bot.transports.terminal import chat
    from storage import Database

    features = Features(translation_service=settings.translation_service, transcription=bool(settings.transcribe_url))
    return chat(
        Database(settings.database_url), user=args.user, language=args.lang, role=args.role, code=args.workshop, features=features
    )


def _summary(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.summary import summary_text
    from bot.translation import provider_from_settings, translate_missing
    from storage import Database, Workshop
    from storage import repository as repo

    db = Database(settings.database_url)
    t = translations(args.lang)
    with db.session() as session:
        workshop = repo.workshop_by_code(session, args.code)
        if workshop is None:
            print(t.gettext("No workshop has this code. Please check it."), file=sys.stderr)
            return 2
        workshop_id = workshop.id
    # Typed answers in other languages are translated first when a provider is configured.
    asyncio.run(translate_missing(db, workshop_id, args.lang, provider_from_settings(settings)))
    with db.session() as session:
        workshop = session.get(Workshop, workshop_id)
        data = repo.workshop_answers(session, workshop, translated_to=args.lang)
        recordings = repo.audio_data(session, data.audio) if args.out else {}
    print(strip_isolates(summary_text(data, t, args.lang)))
    if args.out:
        from bot.pack import write_pack

        for path in write_pack(data, args.out, args.lang, recordings):
            print(path, file=sys.stderr)
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.token:
        print(translations(language_from_environment()).gettext(
            "No Telegram bot token is set. To get one, open Telegram, talk to @BotFather, send /newbot and "
            "follow the steps; it gives you a token. Put it in the TELEGRAM_BOT_TOKEN environment variable "
            "(or in a .env file) and run this command again. Without a token you can try every exercise in "
            "the terminal with: python -m bot chat"
        ), file=sys.stderr)
        return 2
    from bot.transports.telegram.runtime import run_polling, run_webhook

    if args.command == "webhook":
        run_webhook(settings)
    else:
        run_polling(settings)
    return 0


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    """Bring the schema to the newest revision. ``run`` and ``webhook`` do it too, but a deployment
    runs this once before starting (or replacing) its workers."""
    from sqlalchemy.engine import make_url

    from storage import Database

    db = Database(settings.database_url)  # upgrades under the migration lock
    where = make_url(db.url).render_as_string(hide_password=True)
    print(f"{where}: schema at revision {db.revision()} (head {db.head()})")
    db.dispose()
    return 0


def _start(args: argparse.Namespace, settings: Settings) -> int:
    """The main job: the Telegram bot when a token is set, else the terminal chat."""
    if settings.token:
        args.command = "run"
        return _run(args, settings)
    for name, default in (("user", None), ("lang", None), ("role", None), ("workshop", None)):
        setattr(args, name, getattr(args, name, default))
    return _chat(args, settings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Vruchtbare Bodem workshop bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("start", help="Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal chat (default)")
    chat = sub.add_parser("chat", help="walk through the exercises in the terminal")
    chat.add_argument("--lang", choices=LANGUAGES, help="language (default: from $LANG, else Dutch)")
    chat.add_argument("--role", choices=["formal", "informal", "volunteer", "keyfigure", "selforg"])
    chat.add_argument("--user", help="who you are in the demo workshop (default: your login name)")
    chat.add_argument("--workshop", metavar="CODE", help="join this workshop instead of the demo one")
    summary = sub.add_parser("summary", help="print a workshop's collected answers")
    summary.add_argument("code")
    summary.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    summary.add_argument("--out", metavar="DIR", help="also write the meeting pack (HTML, CSV, pictures) here")
    sub.add_parser("run", help="run the Telegram bot with long polling")
    sub.add_parser("webhook", help="run the Telegram bot behind an HTTPS webhook")
    sub.add_parser("migrate", help="create or upgrade the database schema (Alembic), then exit")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return 2
    quiet = args.command in (None, "start", "chat", "summary") and not settings.token
    configure(logging.WARNING if quiet else settings.log_level, secrets=[settings.token, settings.deepl_api_key, settings.translate_api_key, settings.transcribe_api_key])
    handlers = {"chat": _chat, "summary": _summary, "run": _run, "webhook": _run, "migrate": _migrate}
    return handlers.get(args.command or "start", _start)(args, settings)


if __name__ == "__main__":
    sys.exit(main())
