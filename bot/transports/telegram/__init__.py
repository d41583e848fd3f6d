"""The Telegram transport (python-telegram-bot v22): updates in, engine events out, views back as messages."""
