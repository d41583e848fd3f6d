"""Facilitators on Telegram: create, configure, follow and receive their workshops."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import logging
from collections.abc import Awaitable, Callable

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes
from telegram.helpers import create_deep_linked_url

from bot import facilitation, planning, retention
from bot.engine.model import FULL, LENGTHS, SHORT, side_for_role
from bot.facilitation import Toggle
from bot.flows import exercises, workshop_flows
from bot.i18n import translations
from bot.progress import describe, joined_only_line, participant_label
from bot.timefmt import format_meeting, parse_meeting
from bot.transports.telegram.context import services, user_key
from bot.transports.telegram.delivery import with_retries
from bot.transports.telegram.participants import _reply, account_language
from bot.transports.telegram.presses import acknowledge
from bot.transports.telegram.rendering import MAX_CAPTION, encode, text_messages
from bot.transports.telegram.worker import worker_of
from storage import Workshop
from storage import repository as repo
from storage.models import utcnow

log = logging.getLogger(__name__)
MAX_TITLE = 200


async def _language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    return await account_language(services(context), update)


def _refusal(language: str) -> str:
    # The same words whether the code does not exist or belongs to someone else's workshop.
    return translations(language).gettext(
        "This is only for the facilitators of a workshop. Check the code, or ask the facilitator to invite you."
    )


FacilitatorHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Workshop, list[str], str], Awaitable[None]]


def for_own_workshop(handler: FacilitatorHandler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """A facilitator command about one of the user's workshops: resolved, or refused revealing nothing.
    The handler gets the workshop, the remaining arguments and the facilitator's language."""

    @functools.wraps(handler)
    async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        assert user is not None
        found = await asyncio.to_thread(facilitation.resolve, services(context).db, user_key(user), list(context.args or []))
        language = await _language(update, context)
        if found.workshop is None:
            await _refuse_or_ask(update, context, found.mine, language)
            return
        await handler(update, context, found.workshop, found.args, language)

    return command


async def _refuse_or_ask(update: Update, context: ContextTypes.DEFAULT_TYPE, mine: list[Workshop], language: str) -> None:
    if len(mine) > 1 and not context.args:
        _ = translations(language).gettext
        lines = [_("You facilitate several workshops. Add the code, for example:")]
        lines += [f"• {w.title}: {w.code}" for w in mine]
        await _reply(update, context, "\n".join(lines))
    else:
        log.info("facilitator command refused")
        await _reply(update, context, _refusal(language))


def join_link(context: ContextTypes.DEFAULT_TYPE, code: str) -> str:
    return create_deep_linked_url(context.bot.username, code)


def qr_png(data: str) -> bytes:
    import qrcode  # with Pillow ~4 MB: only /new needs it, not a bot that serves participants

    image = qrcode.make(data, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def on_new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    language = await _language(update, context)
    _ = translations(language).gettext
    if user.id not in svc.settings.admins:
        log.info("workshop creation refused")
        await _reply(update, context, _("Only the organisers named in BOT_ADMINS can create workshops. Ask one of them to invite you."))
        return
    title = " ".join(context.args or []).strip()[:MAX_TITLE]
    if not title:
        await _reply(update, context, _("Give the workshop a title, for example: /new Wijk Noord, 3 December"))
        return
    workshop = await asyncio.to_thread(facilitation.create, svc.db, title, user_key(user), chat_id=chat.id, language=language)
    code, workshop_id = workshop.code, workshop.id
    log.info("workshop %d created", workshop_id)
    link = join_link(context, code)
    text = "\n\n".join(
        [
            _(
                "Workshop “{title}” is ready.\n\nJoin link for participants:\n{link}\n\nParticipants get the short "
                "preparation; the buttons switch to the full hand-out or leave exercises out."
            ).format(title=title, link=link),
            _("No meeting time is set yet.")
            + "\n"
            + _("Set the meeting time (Amsterdam time): /meeting {code} 2026-12-03 19:30").format(code=code),
        ]
    )
    await _reply(update, context, text, settings_keyboard(workshop_id, [f.id for f in exercises()], language, SHORT))
    caption = text_messages(_("Scan to join “{title}”: {link}").format(title=title, link=link), language, limit=MAX_CAPTION)[0]
    png = await asyncio.to_thread(qr_png, link)  # the first one imports qrcode and Pillow: off the event loop
    await with_retries(
        lambda: context.bot.send_photo(chat.id, InputFile(png, filename="join.png"), caption=caption, parse_mode=ParseMode.HTML),
        "sendPhoto",
        idempotent=False,
    )


def settings_keyboard(workshop_id: int, included: list[str], language: str, length: str) -> InlineKeyboardMarkup:
    t = translations(language)
    names = {SHORT: t.gettext("Short preparation"), FULL: t.gettext("Full hand-out")}
    rows = [
        [
            InlineKeyboardButton(("✅ " if length == choice else "⬜ ") + names[choice], callback_data=encode("x", str(workshop_id), choice))
            for choice in LENGTHS
        ]
    ]
    for flow in exercises():
        if facilitation.asked(flow.id, length):
            label = f"{'✅' if flow.id in included else '⬜'} {flow.letter}. {flow.title.translate(t)}"[:60]
        else:  # what this length asks: the exercise is not part of it, whatever is stored for the other length
            note = " — " + t.gettext("full hand-out only")
            label = f"➖ {flow.letter}. {flow.title.translate(t)}"[: 60 - len(note)] + note
        rows.append([InlineKeyboardButton(label, callback_data=encode("x", str(workshop_id), flow.id))])
    return InlineKeyboardMarkup(rows)


def settings_text(workshop: Workshop, language: str) -> str:
    t = translations(language)
    _ = t.gettext
    when = format_meeting(workshop.meeting_at, language) if workshop.meeting_at else _("not set")
    return "\n".join(
        [
            _("Settings of “{title}”").format(title=workshop.title),
            _("Meeting: {when}").format(when=when),
            t.ngettext(
                "Reminder to participants who have not finished: {n} hour before the meeting",
                "Reminder to participants who have not finished: {n} hours before the meeting",
                workshop.reminder_hours,
            ).format(n=workshop.reminder_hours),
            t.ngettext(
                "Summary to the facilitators: {n} hour before the meeting",
                "Summary to the facilitators: {n} hours before the meeting",
                workshop.summary_hours,
            ).format(n=workshop.summary_hours),
            t.ngettext(
                "Answers and participants are erased {n} day after the meeting",
                "Answers and participants are erased {n} days after the meeting",
                workshop.retention_days,
            ).format(n=workshop.retention_days),
            _("Closed: no new participants can join.") if workshop.closed_at else _("Open: the join link works."),
            "",
            _("Set the meeting time (Amsterdam time): /meeting {code} 2026-12-03 19:30").format(code=workshop.code),
            _("Set the hours for reminder and summary: /timing {code} 48 24").format(code=workshop.code),
            _("Keep the answers for fewer days after the meeting: /retention {code} 7").format(code=workshop.code),
            _("Close or open the workshop for new participants: /close {code}, /open {code}").format(code=workshop.code),
            _("The buttons choose the short preparation or the full hand-out, and switch exercises on or off:"),
        ]
    )


@for_own_workshop
async def on_settings(
    update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, _args: list[str], language: str
) -> None:
    await _reply(update, context, settings_text(workshop, language), settings_keyboard(workshop.id, workshop.exercises, language, workshop.length))


async def toggle_exercise(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop_id: str, exercise: str) -> None:
    svc = services(context)
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    language = await _language(update, context)
    _ = translations(language).gettext
    outcome, workshop = await asyncio.to_thread(
        facilitation.toggle_setting, svc.db, user_key(user), int(workshop_id) if workshop_id.isdigit() else 0, exercise
    )
    if outcome is not Toggle.DONE or workshop is None:
        notes = {
            Toggle.LAST_EXERCISE: _("A workshop needs at least one exercise."),
            Toggle.NOT_ASKED: _("The short preparation does not ask this exercise. To use it, choose the full hand-out first."),
        }
        await acknowledge(update, context, notes.get(outcome, _("This button is not valid.")), language=language)
        return
    included, wid, length = list(workshop.exercises), workshop.id, workshop.length
    await acknowledge(update, context)
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=settings_keyboard(wid, included, language, length))


async def change_workshop(
    context: ContextTypes.DEFAULT_TYPE, workshop_id: int, apply: Callable[[Session, Workshop], None]
) -> Workshop:
    """Apply a change to the workshop's settings. Every bot process reads the new timing from the
    database at its next tick; this one looks at once, in case a reminder is due now."""
    stored = await asyncio.to_thread(facilitation.change, services(context).db, workshop_id, apply)
    worker_of(context.application).wake()
    return stored


@for_own_workshop
async def on_meeting(
    update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, args: list[str], language: str
) -> None:
    _ = translations(language).gettext
    when = parse_meeting(" ".join(args))
    if when is None:
        await _reply(update, context, _("Please give date and time like this: /meeting {code} 2026-12-03 19:30").format(code=workshop.code))
        return
    workshop = await change_workshop(context, workshop.id, lambda session, stored: repo.set_meeting(session, stored, when))
    await _reply(update, context, settings_text(workshop, language), settings_keyboard(workshop.id, workshop.exercises, language, workshop.length))


@for_own_workshop
async def on_timing(
    update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, args: list[str], language: str
) -> None:
    _ = translations(language).gettext
    if len(args) != 2 or not all(a.isdigit() and 0 < int(a) <= 24 * 14 for a in args):
        await _reply(update, context, _("Please give two numbers of hours, for example: /timing {code} 48 24").format(code=workshop.code))
        return
    reminder, summary = int(args[0]), int(args[1])

    def set_hours(session: Session, stored: Workshop) -> None:
        stored.reminder_hours, stored.summary_hours = reminder, summary
        session.add(stored)

    workshop = await change_workshop(context, workshop.id, set_hours)
    await _reply(update, context, settings_text(workshop, language))


@for_own_workshop
async def on_status(
    update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, _args: list[str], language: str
) -> None:
    svc = services(context)
    t = translations(language)
    _ = t.gettext
    data = await asyncio.to_thread(facilitation.status, svc.db, workshop)
    flows = workshop_flows(workshop.exercises, workshop.length)
    lines = [
        _("Status of “{title}”").format(title=workshop.title),
        t.ngettext("{n} participant", "{n} participants", len(data.participants)).format(n=len(data.participants)),
        "",
    ]
    roles = {"formal": _("formal"), "informal": _("informal"), None: _("role not given yet")}
    for p in data.participants:
        line = f"• {participant_label(p, t)} ({roles[side_for_role(p.role)]}): {describe(flows, data.positions.get(p.id), t)}"
        if p.blocked_at is not None:
            line += " — " + _("has blocked the bot")
        lines.append(line)
    if data.joined_only:
        blocked = {p.id: " — " + _("has blocked the bot") for p in data.joined_only if p.blocked_at is not None}
        lines += ["", joined_only_line(data, t, blocked)]
    await _reply(update, context, "\n".join(lines))


@for_own_workshop
async def on_summary(
    update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, _args: list[str], language: str
) -> None:
    """Acknowledged at once, then recorded as a job that a worker delivers (this process's, woken now).
    The acknowledgement goes first: once the job is recorded, any process may deliver the summary, and
    the facilitator should not read "being prepared" after it."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    await _reply(update, context, translations(language).gettext("The summary is being prepared; it arrives in a moment."))
    await asyncio.to_thread(planning.request_summary, services(context).db, workshop.id, user_key(user), chat.id, language, utcnow())
    worker_of(context.application).wake()


@for_own_workshop
async def on_invite(
    update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, _args: list[str], language: str
) -> None:
    user = update.effective_user
    assert user is not None
    token = await asyncio.to_thread(facilitation.invite, services(context).db, workshop.id, user_key(user))
    _ = translations(language).gettext
    link = create_deep_linked_url(context.bot.username, token)
    await _reply(
        update,
        context,
        _(
            "Send this link to your co-facilitator. It works once, for one person, for 7 days:\n{link}\n\n"
            "/revoke {code} makes every open invitation of this workshop stop working."
        ).format(link=link, code=workshop.code),
    )


async def accept_invite(update: Update, context: ContextTypes.DEFAULT_TYPE, token: str) -> None:
    svc = services(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    language = await _language(update, context)
    _ = translations(language).gettext
    title = await asyncio.to_thread(facilitation.redeem, svc.db, token, user_key(user), chat_id=chat.id, language=language)
    if title is None:
        log.info("invite refused")
        await _reply(update, context, _("This invitation is not valid: it expired, was withdrawn, or someone else already used it."))
        return
    await _reply(update, context, _("You are now a facilitator of “{title}”. /help shows what you can do.").format(title=title))


@for_own_workshop
async def on_retention(
    update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, args: list[str], language: str
) -> None:
    """Shorten how long answers are kept after the meeting (never longer than the default)."""
    _ = translations(language).gettext
    if len(args) != 1 or not args[0].isdigit() or int(args[0]) > retention.DEFAULT_DAYS:
        await _reply(
            update,
            context,
            _("Please give a number of days from 0 to {max}, for example: /retention {code} 7").format(
                max=retention.DEFAULT_DAYS, code=workshop.code
            ),
        )
        return
    days = int(args[0])

    def set_days(session: Session, stored: Workshop) -> None:
        stored.retention_days = days
        stored.retention_warned_at = None  # the warning is due again for the new date
        session.add(stored)

    workshop = await change_workshop(context, workshop.id, set_days)
    await _reply(update, context, settings_text(workshop, language))


async def _set_closed(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, language: str, closed: bool) -> None:
    workshop = await change_workshop(context, workshop.id, lambda session, stored: repo.set_closed(session, stored, closed))
    log.info("workshop %d %s", workshop.id, "closed" if closed else "opened")
    await _reply(update, context, settings_text(workshop, language))


@for_own_workshop
async def on_close(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, _args: list[str], language: str) -> None:
    await _set_closed(update, context, workshop, language, True)


@for_own_workshop
async def on_open(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, _args: list[str], language: str) -> None:
    await _set_closed(update, context, workshop, language, False)


@for_own_workshop
async def on_revoke(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, _args: list[str], language: str) -> None:
    n = await asyncio.to_thread(facilitation.revoke, services(context).db, workshop.id)
    t = translations(language)
    await _reply(
        update,
        context,
        t.ngettext("{n} open invitation no longer works.", "{n} open invitations no longer work.", n).format(n=n),
    )


@for_own_workshop
async def on_delete(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, _args: list[str], language: str) -> None:
    _ = translations(language).gettext
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Yes, delete it now"), callback_data=encode("d", str(workshop.id), "1")),
          InlineKeyboardButton(_("No, keep it"), callback_data=encode("d", str(workshop.id), "0"))]]
    )
    text = _(
        "Delete “{title}” now? All answers, participants, invitations and the workshop itself are erased "
        "for good. It cannot be undone."
    ).format(title=workshop.title)
    await _reply(update, context, text, keyboard)


async def confirm_delete(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop_id: int, yes: int) -> None:
    svc = services(context)
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    _ = translations(await _language(update, context)).gettext
    allowed, title = await asyncio.to_thread(facilitation.delete, svc.db, user_key(user), workshop_id, confirmed=bool(yes))
    await acknowledge(update, context)
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)
    if not allowed:
        await _reply(update, context, _("This button is not valid."))
        return
    if not yes:
        await _reply(update, context, _("Nothing was deleted."))
        return
    log.info("workshop %d deleted", workshop_id)
    await _reply(update, context, _("“{title}” and everything in it are deleted.").format(title=title))


@for_own_workshop
async def on_facilitators(
    update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: Workshop, _args: list[str], language: str
) -> None:
    """The workshop's facilitators (by Telegram id: no names are stored) with a button to remove a co-facilitator."""
    user = update.effective_user
    assert user is not None
    t = translations(language)
    _ = t.gettext
    found = await asyncio.to_thread(facilitation.team, services(context).db, workshop.id, utcnow())
    team, invites = found.members, found.open_invites
    lines = [_("Facilitators of “{title}”:").format(title=workshop.title)]
    rows = []
    for index, member in enumerate(team):
        who = _("you") if member.user_key == user_key(user) else _("Telegram user {id}").format(id=member.user_key.removeprefix("tg:"))
        what = _("created the workshop") if index == 0 else _("co-facilitator")
        lines.append(f"{index + 1}. {who} ({what})")
        if index > 0:
            label = _("Remove {n}").format(n=index + 1)
            rows.append([InlineKeyboardButton(label, callback_data=encode("m", str(workshop.id), str(member.id)))])
    lines.append(t.ngettext("{n} open invitation", "{n} open invitations", invites).format(n=invites))
    await _reply(update, context, "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)


async def confirm_remove(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop_id: int, facilitator_id: int) -> None:
    svc = services(context)
    user, query = update.effective_user, update.callback_query
    assert user is not None and query is not None
    _ = translations(await _language(update, context)).gettext
    removed = await asyncio.to_thread(facilitation.remove, svc.db, user_key(user), workshop_id, facilitator_id)
    await acknowledge(update, context)
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)
    await _reply(update, context, _("The co-facilitator is removed.") if removed else _("This button is not valid."))
