"""The terminal chat: the same flows and database as Telegram, typed at a prompt.

Options are numbered; commands start with a slash. Nothing here decides what comes next:
it only turns lines into engine events and views into printed text.
"""

from __future__ import annotations

import getpass
import re
import sys
from typing import TextIO

from bot.conversation import Conversation
from bot.engine import (
    Back,
    Done,
    Event,
    Keep,
    Kind,
    Pick,
    PickMany,
    Restart,
    Show,
    Skip,
    TextInput,
    UnknownCommand,
    View,
)
from bot.engine.runner import BACK, CLEAR, DONE, KEEP, NEXT, PLAY, SKIP
from bot.i18n import LANGUAGES, language_from_environment, strip_isolates, translations
from storage import Database
from storage import repository as repo

DEMO_FACILITATOR = "term:demo-facilitator"
ROLE_ALIASES = {"formal": "formal", "informal": "volunteer", "volunteer": "volunteer", "keyfigure": "keyfigure", "selforg": "selforg"}
_NUMBERS = re.compile(r"^\s*\d+(\s*[, ]\s*\d+)*\s*$")
_COMMANDS: dict[str, Event] = {
    "/back": Back(),
    "/skip": Skip(),
    "/done": Done(),
    "/next": Done(),
    "/keep": Keep(),
    "/restart": Restart(),
    "/show": Show(),
}
_CONTROL_COMMAND = {
    NEXT: "/next", DONE: "/done", KEEP: "/keep", SKIP: "/skip", BACK: "/back", CLEAR: "/clear", PLAY: "/listen",
}


def ensure_demo_workshop(db: Database) -> str:
    """The demo workshop's join code, creating the workshop on first use."""
    with db.session() as session:
        found = repo.workshops_of(session, DEMO_FACILITATOR)
        if found:
            return found[0].code
        return repo.create_workshop(session, "Demo workshop", DEMO_FACILITATOR).code


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
    if command is not None:
        return _COMMANDS.get(command, UnknownCommand(command))
    if view.kind is Kind.INFO and not text:
        return Done()
    if view.kind in (Kind.CHOICE, Kind.YESNO, Kind.REVIEW, Kind.MULTI) and _NUMBERS.match(text):
        numbers = [int(n) for n in re.split(r"[,\s]+", text.strip())]
        ids = [view.options[n - 1].id if 0 < n <= len(view.options) else f"#{n}" for n in numbers]
        if view.kind is Kind.MULTI and len(ids) > 1:
            return PickMany(tuple(ids))
        return Pick(ids[0])
    return TextInput(line)


def render(view: View, language: str) -> str:
    _ = translations(language).gettext
    lines = ["", "─" * 60, view.header, ""]
    if view.notice:
        lines += ["! " + view.notice, ""]
    lines.append(view.text)
    if view.options:
        lines.append("")
        for number, option in enumerate(view.options, start=1):
            mark = "[x] " if option.selected and view.kind is Kind.MULTI else ("(•) " if option.selected else "")
            lines.append(f"  {number}) {mark}{option.label}")
    if view.controls:
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
        lines.append(_("Type one item and press Enter; /done when the list is complete."))
    else:
        lines.append(_("Type your answer and press Enter."))
    if view.voice:
        lines.append(_("Voice answers need Telegram: here in the terminal, please type."))
    lines.append(_("/back goes back, /restart starts this exercise again, /quit stops (your answers are saved)."))
    return strip_isolates("\n".join(lines))


def chat(
    db: Database,
    *,
    user: str | None = None,
    language: str | None = None,
    role: str | None = None,
    code: str | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    user_key = f"term:{user or getpass.getuser()}"
    wanted = language if language in LANGUAGES else language_from_environment()
    code = code or ensure_demo_workshop(db)
    with db.session() as session:
        workshop = repo.workshop_by_code(session, code)
        if workshop is None:
            stdout.write(translations(wanted).gettext("No workshop has this code. Please check it.") + "\n")
            return 2
        participant = repo.join(session, workshop, user_key, language=wanted)
        if language is not None:
            participant.language = wanted
        participant_id = participant.id
        title, lang = workshop.title, participant.language
    assert participant_id is not None
    _ = translations(lang).gettext
    stdout.write(_("Workshop “{title}”, join code {code}.").format(title=title, code=code) + "\n")
    stdout.write(_("The facilitator reads the answers with: python -m bot summary {code}").format(code=code) + "\n")

    conversation = Conversation(db)
    reply = conversation.handle(participant_id, Show())
    preset = ROLE_ALIASES.get(role or "")
    while True:
        view = reply.outcome.view
        if preset and view.key == "intro.role" and not any(o.selected for o in view.options):
            reply = conversation.handle(participant_id, Pick(preset, at=view.key))
            continue
        stdout.write(render(view, reply.language) + "\n> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            break
        event = parse_line(line.rstrip("\n"), view)
        if event is None:
            break
        reply = conversation.handle(participant_id, event)
        if reply.outcome.play:  # recordings are given and heard on Telegram only
            stdout.write(translations(reply.language).gettext("Voice answers can only be heard on Telegram.") + "\n")
    stdout.write("\n" + translations(reply.language).gettext("Goodbye. Your answers are saved; run the same command to continue where you left off.") + "\n")
    return 0


