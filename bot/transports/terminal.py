"""The terminal chat: the same flows and database as Telegram, typed at a prompt.

Options are numbered; commands start with a slash. Nothing here decides what comes next:
it only turns lines into engine events and views into printed text.
"""

from __future__ import annotations

import getpass
import re
import sys
from dataclasses import replace
from typing import TextIO

from bot.conversation import Conversation, Features, Reply
from bot.engine import (
    Back,
    Done,
    Event,
    Keep,
    Kind,
    NoticeKind,
    OpenAnswers,
    Pick,
    PickMany,
    Restart,
    Resume,
    Show,
    Skip,
    TextInput,
    UnknownCommand,
    View,
)
from bot.engine.model import ROLE_KEY
from bot.engine.runner import ABOUT, BACK, CLEAR, DONE, KEEP, NEXT, PLAY, REMOVE, RESUME, SKIP
from bot.i18n import LANGUAGES, directed, language_from_environment, strip_isolates, translations
from bot.mydata import collect, forget, readable
from bot.transports.paging import pages
from bot.wording import COMMANDS
from storage import Database, Workshop
from storage import repository as repo

DEMO_FACILITATOR = "term:demo-facilitator"
ROLE_ALIASES = {"formal": "formal", "volunteer": "volunteer", "keyfigure": "keyfigure", "selforg": "selforg"}
INFORMAL_ROLES = ("volunteer", "keyfigure", "selforg")  # --role informal: the person says which one
PAGE_SIZE = 10  # options shown at once; the numbers stay the same on every page
_NUMBERS = re.compile(r"^\s*\d+(\s*[, ]\s*\d+)*\s*$")
_COMMANDS: dict[str, Event] = {
    "/back": Back(),
    "/skip": Skip(),
    "/done": Done(),
    "/next": Done(),
    "/keep": Keep(),
    "/restart": Restart(),
    "/show": Show(),
    "/myanswers": OpenAnswers(),
    "/continue": Resume(),
}
_CONTROL_COMMAND = {
    NEXT: "/next", DONE: "/done", KEEP: "/keep", SKIP: "/skip", BACK: "/back", CLEAR: "/clear", PLAY: "/listen",
    RESUME: "/continue", ABOUT: "/about",
}
_PAGE_COMMANDS = {"/more": 1, "/prev": -1}


def ensure_demo_workshop(db: Database, language: str) -> str:
    """The demo workshop's join code, creating the workshop on first use, titled in the language
    of whoever starts it first."""
    with db.session() as session:
        found = repo.workshops_of(session, DEMO_FACILITATOR)
        if found:
            return found[0].code
        title = translations(language).gettext("Demo workshop")
        return repo.create_workshop(session, title, DEMO_FACILITATOR).code


def parse_line(line: str, view: View) -> Event | None:
    """One typed line as an engine event; None means quit."""
    text = line.strip()
    command = text.split(maxsplit=1)[0].lower() if text.startswith("/") else None
    if command in ("/quit", "/exit"):
        return None
    if command == "/clear":
        return Pick(CLEAR)
    if command == "/listen":
        return Pick(PLAY)
    if command == "/about":
        return Pick(ABOUT)
    if command == "/remove":
        number = text.split(maxsplit=1)[1].strip() if " " in text else ""
        return Pick(f"{REMOVE}{number}") if number.isdigit() else UnknownCommand(command)
    if command is not None:
        return _COMMANDS.get(command, UnknownCommand(command))
    if view.kind is Kind.INFO and not text:
        return Done()
    if view.kind in (Kind.CHOICE, Kind.YESNO, Kind.REVIEW, Kind.MULTI) and _NUMBERS.match(text) and view.options:
        numbers = [int(n) for n in re.split(r"[,\s]+", text.strip())]
        ids = [view.options[n - 1].id if 0 < n <= len(view.options) else f"#{n}" for n in numbers]
        if view.kind is Kind.MULTI and len(ids) > 1:
            return PickMany(tuple(ids))
        return Pick(ids[0])
    return TextInput(line)


def page_count(view: View) -> int:
    return 1 if view.kind is Kind.LIST else len(pages(len(view.options), PAGE_SIZE))


def render(view: View, language: str, page: int = 0, *, voice_hint: bool = True, consent: bool = False) -> str:
    """The view as terminal text; ``voice_hint``: say (once a session) that voice answers need Telegram;
    ``consent``: the question before joining, when nothing is stored yet."""
    return strip_isolates(directed(_render(view, language, page, voice_hint, consent), language))


def _render(view: View, language: str, page: int, voice_hint: bool, consent: bool = False) -> str:
    t = translations(language)
    _ = t.gettext
    lines = ["", "─" * 60, view.header, ""]
    if view.notice:
        mark = "✓ " if view.notice_kind is NoticeKind.SUCCESS else "! "
        lines += [mark + view.notice, ""]
    lines.append(view.text if view.again is None else view.again)  # an item added: the list, not the question again
    if view.options and view.kind is not Kind.LIST:  # list items are numbered in the text already
        lines.append("")
        paged = pages(len(view.options), PAGE_SIZE)
        page = min(max(page, 0), len(paged) - 1)
        for number in paged[page]:
            option = view.options[number]
            mark = "[x] " if option.selected and view.kind is Kind.MULTI else ("(•) " if option.selected else "")
            lines.append(f"  {number + 1}) {mark}{option.label}")
        if len(paged) > 1:  # only the page turns there are: no /more on the last page, no /prev on the first
            if page == 0:
                turns = _("Page {page} of {pages}: /more shows the next options.")
            elif page == len(paged) - 1:
                turns = _("Page {page} of {pages}: /prev shows the previous options.")
            else:
                turns = _("Page {page} of {pages}: /more shows the next options, /prev the previous ones.")
            lines += ["", turns.format(page=page + 1, pages=len(paged))]
    if view.kind is Kind.LIST and view.options:
        lines.append(_("/remove and a number takes that item off the list (for example /remove 2)."))
    if view.finished:  # nothing more to answer: say how to leave
        return "\n".join([*lines, "", _("Type /quit to close the chat."), ""])
    if view.controls and not consent:
        lines.append("")
        lines.append("   ".join(f"{_CONTROL_COMMAND[c.id]} {c.label}" for c in view.controls))
    lines.append("")
    if view.kind is Kind.MULTI:
        lines.append(_("Type a number to tick or untick it, several numbers (1 3 5) to choose them at once, /done when ready."))
    elif view.kind in (Kind.CHOICE, Kind.YESNO, Kind.REVIEW):
        lines.append(_("Type the number of your choice."))
    elif view.kind is Kind.INFO:
        lines.append(_("Press Enter to continue."))
    elif view.kind is Kind.LIST:
        pass  # the question itself says how a list is filled (Wording.each)
    else:
        lines.append(_("Type your answer and press Enter."))
    if view.voice and voice_hint:
        lines.append(_("Voice answers need Telegram: here in the terminal, please type."))
    if consent:  # not joined yet: nothing to go back to, nothing saved
        lines.append(_("/quit stops (nothing is stored)."))
        return "\n".join(lines)
    lines.append(_("/back goes back, /restart starts this exercise again, /myanswers shows your answers, /quit stops (your answers are saved)."))
    return "\n".join(lines)


def _consent(
    conversation: Conversation, workshop: Workshop, code: str, user_key: str, language: str, stdin: TextIO, stdout: TextIO
) -> Reply | None:
    """The consent step before joining; the participant is stored only after yes. None: no, or quit."""
    view = conversation.consent_view(workshop, language)
    first = view
    while True:
        stdout.write(render(view, language, consent=True) + "\n> ")
        stdout.flush()
        line = stdin.readline()
        event = parse_line(line.rstrip("\n"), view) if line else None
        if event is None:
            stdout.write("\n" + translations(language).gettext("Goodbye. Nothing was stored.") + "\n")
            return None
        if isinstance(event, Pick) and event.option == "yes":
            reply = conversation.consent_given(code, user_key, None, language)
            if reply is None:
                stdout.write(translations(language).gettext("This workshop is closed: it takes no new participants.") + "\n")
            return reply
        if isinstance(event, Pick) and event.option == "no":
            conversation.consent_declined(user_key)
            stdout.write(translations(language).gettext(
                "You said no. Nothing about you is stored. If you change your mind, open the link again."
            ) + "\n")
            return None
        # Anything else: the same question again, saying what is expected (nothing is stored).
        view = replace(first, notice=translations(language).gettext("Please choose one of the options."), notice_kind=NoticeKind.ERROR)


def _screen(view: View) -> tuple[str, str, tuple[str, ...]]:
    return view.key, view.header, tuple(o.id for o in view.options)


def _own_data(db: Database, command: str, user_key: str, language: str, stdin: TextIO, stdout: TextIO) -> bool:
    """/mydata prints what is stored about the person, /forget erases it after a yes (as on Telegram,
    where the consent names both). True when everything was erased."""
    t = translations(language)
    if command == "/mydata":
        data, workshops = collect(db, user_key)
        stdout.write((readable(data, workshops, t, language, local=True) if data else t.gettext("Nothing is stored about you.")) + "\n")
        return False
    question = t.gettext(
        "This erases everything the bot stores about you as a participant, in every workshop: your answers, "
        "your name, organisation and role. It cannot be undone. Are you sure?"
    )
    yes, no, how = t.gettext("Yes, erase everything"), t.gettext("No, keep it"), t.gettext("Type the number of your choice.")
    stdout.write(directed(f"{question}\n  1) {yes}\n  2) {no}\n{how}", language) + "\n> ")
    stdout.flush()
    if stdin.readline().strip() != "1":
        stdout.write(t.gettext("Nothing was erased.") + "\n")
        return False
    forget(db, user_key)
    stdout.write(t.gettext("Everything about you is erased. The facilitators only learn that someone left.") + "\n")
    return True


def chat(
    db: Database,
    *,
    user: str | None = None,
    language: str | None = None,
    role: str | None = None,
    code: str | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    features: Features | None = None,
) -> int:
    user_key = f"term:{user or getpass.getuser()}"
    wanted = language if language in LANGUAGES else language_from_environment()
    code = code or ensure_demo_workshop(db, wanted)
    with db.session() as session:
        workshop = repo.workshop_by_code(session, code)
        if workshop is None:
            stdout.write(translations(wanted).gettext("No workshop has this code. Please check it.") + "\n")
            return 2
        existing = repo.participation(session, workshop.id, user_key)
        if existing is not None:
            participant = repo.join(session, workshop, user_key, language=wanted)
            if language is not None:
                participant.language = wanted
            wanted = participant.language
        elif workshop.closed_at is not None:
            stdout.write(translations(wanted).gettext("This workshop is closed: it takes no new participants.") + "\n")
            return 2
        title = workshop.title
        if repo.is_facilitator(session, workshop.id, DEMO_FACILITATOR):  # the demo: named in the reader's language
            title = translations(wanted).gettext("Demo workshop")
    _ = translations(wanted).gettext
    stdout.write(_("Workshop “{title}”, join code {code}.").format(title=title, code=code) + "\n")
    stdout.write(_("The facilitator reads the answers with: python -m bot summary {code}").format(code=code) + "\n")

    conversation = Conversation(db, COMMANDS, features=features)
    if existing is None:
        # Nothing is stored until the consent is answered with yes.
        reply = _consent(conversation, workshop, code, user_key, wanted, stdin, stdout)
        if reply is None:
            return 0
    else:
        assert existing.id is not None
        reply = conversation.handle(existing.id, Show())
    participant_id = reply.participant_id
    preset = ROLE_ALIASES.get(role or "")
    page = 0
    redraw = True
    voice_hint = True  # said under the first question that could take a voice answer, then not again
    while True:
        view = reply.outcome.view
        if view.key == ROLE_KEY and not any(o.selected for o in view.options):
            if preset:
                reply = conversation.handle(participant_id, Pick(preset, at=view.key))
                continue
            if role == "informal":  # informal, but which: volunteer, key figure or self-organisation?
                view = replace(view, options=tuple(o for o in view.options if o.id in INFORMAL_ROLES))
        if redraw:
            stdout.write(render(view, reply.language, page, voice_hint=voice_hint) + "\n")
            voice_hint = voice_hint and not view.voice
        redraw = True
        stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            break
        if line.strip().lower() in ("/mydata", "/forget"):
            if _own_data(db, line.strip().lower(), user_key, reply.language, stdin, stdout):
                return 0
            redraw = False  # the question is just above; printed again it would scroll the data away
            continue
        turn = _PAGE_COMMANDS.get(line.strip().lower())
        if turn is not None:
            turned = min(max(page + turn, 0), page_count(view) - 1)
            if turned == page:  # nothing to turn to: say so rather than print the same page again
                t = translations(reply.language)
                nothing = t.gettext("There is nothing more: everything is shown.") if turn > 0 else t.gettext("This is the first page.")
                stdout.write(directed(nothing, reply.language) + "\n")
                redraw = False
            page = turned
            continue
        event = parse_line(line.rstrip("\n"), view)
        if event is None:
            break
        reply = conversation.handle(participant_id, event)
        if reply.erased:
            stdout.write("\n" + translations(reply.language).gettext(
                "You said no: everything you gave in “{title}” is erased. You can join again with the link at any time."
            ).format(title=title) + "\n")
            return 0
        if reply.outcome.play:  # recordings are given and heard on Telegram only
            stdout.write(translations(reply.language).gettext("Voice answers can only be heard on Telegram.") + "\n")
        if _screen(reply.outcome.view) != _screen(view):  # another question or list (the review's lists share a key)
            page = 0
    stdout.write("\n" + translations(reply.language).gettext("Goodbye. Your answers are saved; run the same command to continue where you left off.") + "\n")
    return 0


