"""Views as Telegram messages: escaped HTML within 4096 characters, buttons with short callback data."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import CallbackQueryLimit, MessageLimit

from bot.engine import Kind, NoticeKind, View
from bot.i18n import RLM, directed  # noqa: F401 - RLM: tests and callers take it from here
from bot.transports.paging import pages

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096
MAX_CAPTION = MessageLimit.CAPTION_LENGTH  # 1024
MAX_CALLBACK = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH  # 200, for notices in answerCallbackQuery
MAX_CALLBACK_DATA = 64  # bytes
SHORT_LABEL = 32  # longer option labels are listed in the text and numbered on the buttons
SEP = "|"


class CallbackDataTooLongError(ValueError):
    pass


def encode(kind: str, *parts: str) -> str:
    data = SEP.join((kind, *parts))
    if len(data.encode()) > MAX_CALLBACK_DATA:
        raise CallbackDataTooLongError(data)
    return data


def decode(data: str | None) -> tuple[str, list[str]] | None:
    """Callback data split into its kind and parts; None when it is not ours (forged or garbled)."""
    if not data or len(data.encode()) > MAX_CALLBACK_DATA:
        return None
    kind, *parts = data.split(SEP)
    if kind not in ("a", "l", "w", "x", "p", "j", "f", "d", "m") or not all(parts):
        return None
    return kind, parts


def split_paragraphs(text: str, limit: int) -> list[str]:
    """Plain text in pieces of at most ``limit`` characters once escaped, cut at paragraph, then line,
    then word boundaries; never inside an HTML entity (each piece is escaped on its own)."""
    pieces: list[str] = []
    for paragraph in text.split("\n\n"):
        if len(html.escape(paragraph, quote=False)) <= limit:
            pieces.append(paragraph)
            continue
        for line in paragraph.split("\n"):
            while len(html.escape(line, quote=False)) > limit:
                cut = _cut_point(line, limit)
                pieces.append(line[:cut])
                line = line[cut:].lstrip()
            pieces.append(line)
    return pieces


def _cut_point(line: str, limit: int) -> int:
    # Escaping at most quintuples a character ("&amp;"), so this raw length always fits.
    size = limit
    while len(html.escape(line[:size], quote=False)) > limit:
        size -= max(1, (len(html.escape(line[:size], quote=False)) - limit) // 4)
    space = line.rfind(" ", size // 2, size)
    return space if space > 0 else size


def pack_messages(blocks: list[str], limit: int = MAX_TEXT) -> list[str]:
    """Already-escaped HTML blocks joined by blank lines into as few messages as fit."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages


def text_messages(text: str, language: str, *, limit: int = MAX_TEXT) -> list[str]:
    """Plain text (user text inside) as HTML messages within the limit."""
    blocks = [html.escape(p, quote=False) for p in split_paragraphs(directed(text, language), limit) if p.strip()]
    return pack_messages(blocks, limit)


def old_buttons_go(previous: Kind | None, *, typed: bool) -> bool:
    """Whether the previous prompt's buttons are taken off when the next prompt is sent.

    A typed answer to a free-text or list step leaves that prompt's Back/Skip/Done buttons: pressed
    later, the engine recognises them as belonging to an earlier step and answers with a notice (or,
    on the same step again, they mean what they say), so taking them off would cost one Bot API call
    per typed answer for nothing. Options of a choice go, so an answered question never looks open."""
    return not (typed and previous in (Kind.TEXT, Kind.LIST))


@dataclass(frozen=True)
class Rendered:
    messages: list[str]  # HTML; the keyboard goes with the last one
    keyboard: InlineKeyboardMarkup | None


def _short(label: str) -> str:
    return label if len(label) <= SHORT_LABEL else label[: SHORT_LABEL - 1].rstrip() + "…"


# Long keyboards are paged, a few buttons at a time with previous / next buttons, like
# aiogram-dialog's ScrollingGroup (python-telegram-bot has no such widget). The page travels in
# the callback data, so paging needs no memory in the process.
PAGE_SIZE = 6


def page_count(view: View) -> int:
    return len(pages(len(view.options), PAGE_SIZE)) if view.kind is not Kind.LIST else 1


def render_view(view: View, language: str, page: int = 0, *, pending: str | None = None) -> Rendered:
    """The view as HTML messages and a keyboard showing ``page`` of its options.

    ``pending``: the join code of a workshop the person has not joined yet (the consent step): its
    buttons carry the code and the language instead of an answer, because nothing is stored yet."""
    listing = view.kind is Kind.LIST  # list items: their numbers are in the text; buttons remove one
    long_labels = not listing and any(len(o.label) > SHORT_LABEL for o in view.options)
    body = view.text if view.again is None else view.again  # an item added: the list, not the question again
    if long_labels and not view.listed:
        body += "\n\n" + "\n".join(f"{n}. {o.label}" for n, o in enumerate(view.options, start=1))
    # A follow-up (an item added) sits under its question: no header again.
    blocks = [f"<b>{html.escape(directed(view.header, language), quote=False)}</b>"] if view.again is None else []
    if view.notice:
        mark = "✅ " if view.notice_kind is NoticeKind.SUCCESS else "⚠️ "
        blocks.append(f"<i>{html.escape(directed(mark + view.notice, language), quote=False)}</i>")
    blocks += [html.escape(p, quote=False) for p in split_paragraphs(directed(body, language), MAX_TEXT) if p.strip()]
    return Rendered(messages=pack_messages(blocks), keyboard=keyboard(view, language, page, pending=pending))


def keyboard(view: View, language: str, page: int = 0, *, pending: str | None = None) -> InlineKeyboardMarkup | None:
    """Only the buttons: a tick or a page turn edits these and nothing else. ``pending``: see render_view."""
    rows: list[list[InlineKeyboardButton]] = []
    if view.kind is Kind.LIST:
        removers = [
            InlineKeyboardButton(f"✖ {n}", callback_data=encode("a", view.key, o.id))
            for n, o in enumerate(view.options, start=1)
        ]
        rows += [removers[i : i + 5] for i in range(0, len(removers), 5)]
    else:
        long_labels = any(len(o.label) > SHORT_LABEL for o in view.options)
        paged = pages(len(view.options), PAGE_SIZE)  # a last page of one or two buttons goes on the page before
        count = len(paged)
        page = min(max(page, 0), count - 1)
        shown = [view.options[i] for i in paged[page]]
        extra = (str(page),) if count > 1 else ()
        for n, option in enumerate(shown, start=paged[page].start + 1):
            label = f"{n}. {_short(option.label)}" if long_labels else option.label
            if option.selected:
                label = "✅ " + label
            label = directed(label, language)
            data = encode("j", pending, language, option.id) if pending else encode("a", view.key, option.id, *extra)
            rows.append([InlineKeyboardButton(label, callback_data=data)])
        if view.kind is Kind.YESNO or (rows and not long_labels and all(len(o.label) <= 12 for o in view.options)):
            rows = [[button for row in rows for button in row]] if len(rows) <= 4 else rows
        if count > 1:
            turn = []
            if page > 0:
                turn.append(InlineKeyboardButton("◀", callback_data=encode("p", view.key, str(page - 1))))
            turn.append(InlineKeyboardButton(f"{page + 1}/{count}", callback_data=encode("p", view.key, str(page))))
            if page < count - 1:
                turn.append(InlineKeyboardButton("▶", callback_data=encode("p", view.key, str(page + 1))))
            rows.append(turn)
    controls = [
        InlineKeyboardButton(directed(c.label, language), callback_data=encode("a", view.key, c.id))
        for c in view.controls
        if not pending
    ]
    if controls:
        rows.append(controls)
    return InlineKeyboardMarkup(rows) if rows else None
