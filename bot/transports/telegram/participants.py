"""Participants on Telegram: join by link, answer with buttons and text, navigate with commands."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import people, throttle
from bot.conversation import AlreadyHandled, Reply
from bot.engine import (
    Back,
    Done,
    Event,
    Keep,
    NonText,
    OpenAnswers,
    Restart,
    Resume,
    Show,
    Skip,
    TextInput,
    UnknownCommand,
)
from bot.engine.runner import BACK, DONE, KEEP, NEXT, RESUME, SKIP
from bot.engine.voice import refs
from bot.i18n import LANGUAGES, is_reviewed, language_name, translations
from bot.people import Join
from bot.progress import describe
from bot.transcripts import transcribe_missing
from bot.transports.telegram.context import BotContext, services, user_key
from bot.transports.telegram.delivery import Blocked, Undelivered, remove_keyboard, send_html, with_retries
from bot.transports.telegram.dispatch import finished, finishing
from bot.transports.telegram.presses import acknowledge
from bot.transports.telegram.rendering import (
    decode,
    encode,
    keyboard,
    old_buttons_go,
    pack_messages,
    render_view,
    text_messages,
)
from bot.transports.telegram.voice import play_back, receive
from storage import repository as repo
from storage.models import utcnow

log = logging.getLogger(__name__)
CONTROL_EVENTS = {NEXT: Done, DONE: Done, KEEP: Keep, SKIP: Skip, BACK: Back, RESUME: Resume}


async def account_language(svc: BotContext, update: Update) -> str:
    """The person's language (looked up off the event loop)."""
    user = update.effective_user
    assert user is not None
    return await asyncio.to_thread(people.language_of, svc.db, user_key(user), user.language_code)


async def present(update: Update, context: ContextTypes.DEFAULT_TYPE, participant_id: int, reply: Reply) -> None:
    """Show the outcome of one event: after it was committed, never before."""
    svc = services(context)
    chat = update.effective_chat
    assert chat is not None
    query = update.callback_query
    outcome = reply.outcome
    view = outcome.view
    if query is not None and not reply.owes_prompt:
        if outcome.stale or not outcome.accepted:
            await acknowledge(update, context, view.notice, language=reply.language)
        else:
            # A tick or untick: only the check marks change, on the page the button was on.
            await acknowledge(update, context)
            if query.message is not None:
                await edit_keyboard(query, view, reply.language, _page_of(query))
        done = finishing()
        later = context.application.bot_data.get("shown_later")
        if later is not None and done is not None:  # no transaction of its own: see shown.py
            later.done(participant_id, done)
            finished()
        return
    if query is not None and outcome.play:
        # The recordings again, then the same question below them, so the person carries on there.
        await acknowledge(update, context)
        await play_back(context.bot, svc.db, chat.id, outcome.play, translations(reply.language))
        await show(context, svc, chat.id, participant_id, reply)
        return
    if query is not None:
        await acknowledge(update, context)
        await show(context, svc, chat.id, participant_id, reply)
        return
    await show(context, svc, chat.id, participant_id, reply, typed=update.effective_message is not None)


async def show(
    context: ContextTypes.DEFAULT_TYPE,
    svc: BotContext,
    chat_id: int,
    participant_id: int,
    reply: Reply,
    *,
    typed: bool = False,
) -> None:
    """Send the view as a new prompt and take the buttons off the previous one where they must go (both at once).

    Once delivered, the prompt's message id is stored (the owed reply is paid); when delivery fails
    it stays owed and the outbox sends it again later. A prompt is the last thing a handler sends, so
    the update it answers is marked handled in the same transaction."""
    rendered = render_view(reply.outcome.view, reply.language)
    old = reply.prompt_message_id if old_buttons_go(reply.previous_kind, typed=typed) else None
    try:
        if old is None:  # most answers: no gather, whose two tasks cost more than the send itself here
            message = await send_html(context.bot, chat_id, rendered.messages, rendered.keyboard)
        else:
            _removed, message = await asyncio.gather(
                remove_keyboard(context.bot, chat_id, old),
                send_html(context.bot, chat_id, rendered.messages, rendered.keyboard),
            )
    except Blocked:
        await mark_blocked(svc, participant_id)
        return
    except Undelivered:
        log.warning("prompt for participant %d not delivered; it stays owed", participant_id)
        await asyncio.to_thread(svc.conversation.prompt_failed, participant_id)
        return
    if message is not None:
        done = finishing()
        later = context.application.bot_data.get("shown_later")
        # Kept for later (shown.py) only with the update's done mark: until both are written no process
        # takes the chat's next update. A prompt written after that update's own prompt would leave
        # the earlier step on record, and the person's typed answer would be refused as late for it.
        # A prompt outside an update (outbox, reminders) is written at once for the same reason.
        if later is not None and done is not None:
            later.record(participant_id, message.message_id, reply.outcome.view.key, done)
        else:
            await asyncio.to_thread(
                svc.conversation.prompt_shown, participant_id, message.message_id, reply.outcome.view.key, done_update=done
            )
        if done is not None:
            finished()


async def mark_blocked(svc: BotContext, participant_id: int) -> None:
    """The participant blocked the bot (403): remember it for /status; send nothing more."""
    await asyncio.to_thread(people.mark_blocked, svc.db, participant_id, utcnow())


def _page_of(query: CallbackQuery) -> int:
    """The keyboard page a button was on (its last part when the keyboard is paged)."""
    decoded = decode(query.data)
    if decoded is None:
        return 0
    kind, parts = decoded
    page = parts[-1] if (kind == "a" and len(parts) == 3) or kind == "p" else "0"
    return int(page) if page.isdigit() else 0


async def edit_keyboard(query: CallbackQuery, view, language: str, page: int) -> None:
    try:
        await with_retries(
            lambda: query.edit_message_reply_markup(reply_markup=keyboard(view, language, page)),
            "editMessageReplyMarkup",
        )
    except BadRequest:
        pass  # unchanged markup


async def turn_page(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    """Another page of a long keyboard: only the buttons of that message change."""
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    reply = await asyncio.to_thread(svc.conversation.peek, user_key(user))
    if reply is None:
        await acknowledge(update, context)
        return
    view = reply.outcome.view
    if view.key != key:  # a page of an earlier question: the current one, saying so
        await handle_event(update, context, Show(at=key))
        return
    await acknowledge(update, context)
    await edit_keyboard(query, view, reply.language, _page_of(query))


async def handle_event(update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event) -> bool:
    """Run the event for the person's active workshop; False (and nothing done) when there is none."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    message = update.message
    typed_id = message.message_id if message is not None and isinstance(event, TextInput) else None
    try:
        reply = await asyncio.to_thread(
            svc.conversation.handle_for, user_key(user), event, update_id=update.update_id, message_id=typed_id
        )
    except AlreadyHandled:
        log.info("update %d was already handled", update.update_id)
        return True
    if reply is None:
        return False
    if reply.erased:
        await erased_notice(update, context, reply)
        return True
    await present(update, context, reply.participant_id, reply)
    return True


async def erased_notice(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    """Consent taken back: say what happened; the buttons of the last prompt go."""
    chat = update.effective_chat
    assert chat is not None
    _ = translations(reply.language).gettext
    log.info("a participant withdrew consent; their data was erased")
    await acknowledge(update, context)
    await remove_keyboard(context.bot, chat.id, reply.prompt_message_id)
    await _reply(
        update,
        context,
        _("You said no: everything you gave in “{title}” is erased. You can join again with the link at any time.").format(
            title=await asyncio.to_thread(people.workshop_title, services(context).db, reply.workshop_id)
        ),
    )


async def handle_or_ask(update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event) -> None:
    if not await handle_event(update, context, event):
        await ask_for_code(update, context)


# --- joining --------------------------------------------------------------------------


async def ask_for_code(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    _ = translations(await account_language(svc, update)).gettext
    text = _(
        "Hello! This bot helps participants prepare for the workshop on collaboration between formal and informal "
        "parenting support: it asks the questions of the workshop hand-out step by step and keeps your answers "
        "for the facilitator.\n\nTo take part, open the link the facilitator gave you, or send the join code here."
    )
    await _reply(update, context, text)


async def _reply(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, keyboard: InlineKeyboardMarkup | None = None, language: str | None = None
) -> None:
    chat = update.effective_chat
    assert chat is not None
    await acknowledge(update, context)
    language = language or await account_language(services(context), update)
    try:
        await send_html(context.bot, chat.id, text_messages(text, language), keyboard)
    except Blocked:
        log.info("chat blocked the bot")


async def join_with_code(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
    """A join code typed or in the link. Someone new reads what is stored and answers the consent
    first: until they say yes nothing about them is written (the code travels in the buttons)."""
    svc = services(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    language = await account_language(svc, update)
    _ = translations(language).gettext
    code = code.strip()
    key = user_key(user)
    if not throttle.looks_like_code(code):
        await _reply(update, context, _(
            "To take part, open the link the facilitator gave you, or send the join code: 16 letters and digits. "
            "/help shows what this bot can do."
        ))
        return
    attempt = await asyncio.to_thread(people.attempt_join, svc.db, key, code, language=language, chat_id=chat.id, now=utcnow())
    refusals = {
        Join.UNKNOWN: _("That code is not known. Please check it with the facilitator."),
        Join.CLOSED: _("This workshop is closed: it takes no new participants."),
        Join.WAIT: translations(language).ngettext(
            "Too many wrong codes. Please wait {n} minute and try again.",
            "Too many wrong codes. Please wait {n} minutes and try again.",
            attempt.wait_minutes,
        ).format(n=attempt.wait_minutes),
    }
    if attempt.outcome in refusals:
        log.info("join refused")
        await _reply(update, context, refusals[attempt.outcome], language=language)
        return
    if attempt.outcome is Join.CONTINUE:
        assert attempt.participant_id is not None
        reply = await asyncio.to_thread(svc.conversation.handle, attempt.participant_id, Show())
        await show(context, svc, chat.id, attempt.participant_id, reply)
        return
    assert attempt.workshop is not None
    await show_consent(update, context, attempt.workshop, code, language)


async def show_consent(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop: repo.Workshop, code: str, language: str) -> None:
    """The consent step with the language choice under it, for someone not in the workshop yet: nothing is
    stored. One message (two only when the consent text is that long): the step that opens the link is the
    busiest moment of a workshop, and each extra message queues again behind everyone under Telegram's
    overall limit (issue 12)."""
    svc = services(context)
    _ = translations(language).gettext
    intro = _("Workshop “{title}”. The bot speaks {language}; choose another language below.").format(
        title=workshop.title, language=language_name(language)
    )
    view = svc.conversation.consent_view(workshop, language)
    rendered = render_view(view, language, pending=code)
    messages = pack_messages([*text_messages(intro, language), *rendered.messages])
    consent_rows = list(rendered.keyboard.inline_keyboard) if rendered.keyboard else []
    keyboard = InlineKeyboardMarkup(consent_rows + list(language_keyboard(language, pending=code).inline_keyboard))
    chat = update.effective_chat
    assert chat is not None
    try:
        await send_html(context.bot, chat.id, messages, keyboard)
    except Blocked:
        log.info("chat blocked the bot")


async def pending_consent(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str, language: str, answer: str) -> None:
    """The consent buttons of someone not yet in the workshop: yes stores them, no stores nothing."""
    svc = services(context)
    user, chat, query = update.effective_user, update.effective_chat, update.callback_query
    assert user is not None and chat is not None and query is not None
    _ = translations(language).gettext
    await acknowledge(update, context)
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)
    key = user_key(user)
    if answer != "yes":
        await asyncio.to_thread(svc.conversation.consent_declined, key)
        log.info("consent declined; nothing stored")
        await _reply(update, context, _(
            "You said no. Nothing about you is stored. If you change your mind, open the link again."
        ))
        return
    reply = await asyncio.to_thread(svc.conversation.consent_given, code, key, chat.id, language)
    if reply is None:
        await _reply(update, context, _("This workshop is closed: it takes no new participants."))
        return
    log.info("participant %d joined", reply.participant_id)
    await show(context, svc, chat.id, reply.participant_id, reply)


def language_keyboard(current: str, *, pending: str | None = None) -> InlineKeyboardMarkup:
    """``pending``: the join code whose consent is shown again in the chosen language (nothing stored)."""
    rows = []
    for code in LANGUAGES:
        label = language_name(code) + ("" if is_reviewed(code) else " *")
        if code == current:
            label = "✅ " + label
        data = encode("l", code, pending) if pending else encode("l", code)
        rows.append(InlineKeyboardButton(label, callback_data=data))
    return InlineKeyboardMarkup([rows[i : i + 3] for i in range(0, len(rows), 3)])


# --- handlers ---------------------------------------------------------------------------


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    if not await handle_event(update, context, TextInput(message.text)):
        await join_with_code(update, context, message.text)  # not in a workshop yet: the text is a join code


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edit of a message sent earlier never answers the current question: say so, ask again."""
    svc = services(context)
    language = await account_language(svc, update)
    note = translations(language).gettext(
        "You changed a message you sent earlier. Changes are not saved: to change an answer, use /back or "
        "/myanswers. Here is the current question."
    )
    chat = update.effective_chat
    assert chat is not None
    try:
        await send_html(context.bot, chat.id, text_messages(note, language))
    except (Blocked, Undelivered):
        return
    await handle_event(update, context, Show())


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    video = message is not None and (message.video is not None or message.video_note is not None)
    await handle_or_ask(update, context, NonText(video=video))


async def on_voice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A voice note or audio file: stored with the answer it gives, then transcribed if configured."""
    svc = services(context)
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    incoming = await receive(context.bot, message)
    try:
        reply = await asyncio.to_thread(svc.conversation.handle_voice, user_key(user), incoming, update_id=update.update_id)
    except AlreadyHandled:
        return
    if reply is None:
        await ask_for_code(update, context)
        return
    await present(update, context, reply.participant_id, reply)
    transcriber = svc.settings.transcriber()
    new = [ref for value in reply.outcome.changes.values() for ref in refs(value)]
    if transcriber is not None and reply.outcome.accepted and new:
        # After the answer is committed and confirmed; whatever does not finish is made at the summary.
        context.application.create_task(transcribe_missing(svc.db, transcriber, refs=new), update=update)


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    command = (message.text or "").split()[0] if message is not None else "/"
    await handle_or_ask(update, context, UnknownCommand(command))


async def on_back(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await handle_or_ask(update, context, Back())


async def on_skip(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await handle_or_ask(update, context, Skip())


async def on_restart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await handle_or_ask(update, context, Restart())


async def on_progress(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user = update.effective_user
    assert user is not None
    active = await asyncio.to_thread(people.active_of, svc.db, user_key(user))
    if active is None:
        await ask_for_code(update, context)
        return
    t = translations(active.language)
    reply = await asyncio.to_thread(svc.conversation.handle, active.participant_id, Show())
    header = reply.outcome.view.header
    text = t.gettext("You are at: {where}").format(where=header) + "\n" + describe(active.flows, active.progress.position, t)
    left = await asyncio.to_thread(svc.conversation.time_left, active.participant_id)
    if left.interactions:
        text += "\n" + t.ngettext("About {n} minute left.", "About {n} minutes left.", left.minutes).format(n=left.minutes)
    await _reply(update, context, text)


async def on_my_answers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every answer, each one changeable in one step, then back to where the person was."""
    await handle_or_ask(update, context, OpenAnswers())


async def on_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    language = await account_language(svc, update)
    _ = translations(language).gettext
    await _reply(update, context, _("Choose your language. (* = not yet checked by a native speaker)"), language_keyboard(language))


async def on_workshops(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user = update.effective_user
    assert user is not None
    language = await account_language(svc, update)
    _ = translations(language).gettext
    mine = await asyncio.to_thread(people.workshops_of, svc.db, user_key(user))
    taking_part, facilitating = mine.taking_part, mine.facilitating
    lines: list[str] = []
    rows = []
    if taking_part:
        lines.append(_("You take part in:"))
        for participant, workshop in taking_part:
            mark = "✅ " if participant.id == mine.active_id else ""
            lines.append(f"• {mark}{workshop.title}")
            rows.append([InlineKeyboardButton(mark + workshop.title[:40], callback_data=encode("w", str(participant.id)))])
        if len(taking_part) > 1:
            lines.append(_("Press a workshop to continue with it."))
    if facilitating:
        lines.append(_("You facilitate:"))
        lines += [f"• {w.title}: /status {w.code}" for w in facilitating]
    if not lines:
        await ask_for_code(update, context)
        return
    await _reply(update, context, "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user = update.effective_user
    assert user is not None
    _ = translations(await account_language(svc, update)).gettext
    text = _(
        "The bot asks the workshop's questions one at a time. Answer with the buttons or by typing.\n\n"
        "/back: the previous question (your answer is shown and can be changed)\n"
        "/skip: skip a question that is optional\n"
        "/restart: start the current exercise again (your answers stay)\n"
        "/progress: how far you are\n"
        "/myanswers: everything you answered\n"
        "/language: choose your language\n"
        "/workshops: your workshops, and switch between them\n\n"
        "You can stop at any moment: next time you continue where you left off."
    )
    text += "\n\n" + _("Where you answer in your own words, you can also send a voice message instead of typing.")
    text += "\n\n" + _("Your data: /mydata sends you everything the bot stores about you, /forget erases it.")
    facilitator = user.id in svc.settings.admins or await asyncio.to_thread(people.facilitates_any, svc.db, user_key(user))
    if facilitator:
        text += "\n\n" + _(
            "For facilitators:\n"
            "/new title: create a workshop\n"
            "/settings [code]: meeting time, exercises, reminders\n"
            "/meeting [code] 2026-12-03 19:30: set the meeting time (Amsterdam time)\n"
            "/timing [code] 48 24: hours before the meeting for the reminder and for the summary\n"
            "/status [code]: who joined and how far each one is\n"
            "/summary [code]: all answers now\n"
            "/invite [code]: a one-time link for a co-facilitator"
        )
        text += "\n" + _(
            "/facilitators [code]: who facilitates; remove a co-facilitator\n"
            "/revoke [code]: open invitations stop working (they end by themselves after 7 days)\n"
            "/retention [code] days: erase the answers sooner after the meeting\n"
            "/close [code], /open [code]: stop or allow new participants\n"
            "/delete code: delete a workshop and everything in it now"
        )
    await _reply(update, context, text)


async def pending_language(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str, code: str) -> None:
    """Another language before joining: the consent again in it; the choice travels in the buttons."""
    svc = services(context)
    query = update.callback_query
    assert query is not None
    await acknowledge(update, context)  # the consent that follows names the language
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)
    workshop = await asyncio.to_thread(people.workshop_by_code, svc.db, code)
    if workshop is None:
        return
    await show_consent(update, context, workshop, code, language)


async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> None:
    svc = services(context)
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    pid = await asyncio.to_thread(people.choose_language, svc.db, user_key(user), language)
    await acknowledge(update, context)  # what follows is in the language chosen
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)
    if pid is not None:
        reply = await asyncio.to_thread(svc.conversation.handle, pid, Show())  # the step again, in the new language
        chat = update.effective_chat
        assert chat is not None
        await show(context, svc, chat.id, pid, reply)
    else:
        await ask_for_code(update, context)


async def switch_workshop(update: Update, context: ContextTypes.DEFAULT_TYPE, participant_id: int) -> None:
    svc = services(context)
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    if not await asyncio.to_thread(people.switch_to, svc.db, user_key(user), participant_id):
        language = await account_language(svc, update)
        await acknowledge(update, context, translations(language).gettext("This button is not valid."), language=language)
        return
    await acknowledge(update, context)
    reply = await asyncio.to_thread(svc.conversation.handle, participant_id, Show())
    chat = update.effective_chat
    assert chat is not None
    await show(context, svc, chat.id, participant_id, reply)
