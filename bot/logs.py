"""Logging that keeps secrets out: the bot token is replaced in every record, at every level.

At INFO and above the bot itself never logs answers, names, codes or tokens; libraries may, at
DEBUG (python-telegram-bot logs whole updates, httpx request URLs with the token in them): this
filter takes the token out of those, but the answers stay (see the README on DEBUG)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HIDDEN = "[hidden]"


class Redact(logging.Filter):
    """Replaces each secret in the message, its arguments and any traceback with [hidden]."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg = self._clean(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        record.exc_info = None  # the cleaned text is what gets printed
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def configure(level: str | int, secrets: Iterable[str | None] = (), stream: TextIO | None = None) -> logging.Handler:
    """One root handler with the redacting filter; returns it (tests read what it writes)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(Redact(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every request URL at INFO
    return handler
