"""The terminal chat driven through its standard input in a subprocess, and the summary command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.conversation import Conversation
from bot.engine import Kind, Pick, Show, View
from bot.transports.terminal import ensure_demo_workshop, parse_line
from storage import Database
from storage import repository as repo
from tests.walk import walk

ROOT = Path(__file__).resolve().parent.parent


def lines_for_walk(tmp_path: Path, side: str, tag: str) -> tuple[list[str], dict[str, object]]:
    """Play the walk in-process once, writing down the line a person would type at each step."""
    db = Database(f"sqlite:///{tmp_path / f'script-{tag}.sqlite3'}")
    with db.session() as session:
        workshop = repo.create_workshop(session, "script", "term:x")
        pid = repo.join(session, workshop, f"term:{tag}", language="en").id
    conversation = Conversation(db)
    lines: list[str] = []
    views: list[View] = []

    def handle(event) -> View:
        view = views[-1]
        lines.append(line_for(event, view))
        assert parse_line(lines[-1], view) is not None
        new = conversation.handle(pid, event).outcome.view
        views.append(new)
        return new

    views.append(conversation.handle(pid, Show()).outcome.view)
    given = walk(handle, views[0], side, tag)
    db.dispose()
    return lines, given


def line_for(event, view: View) -> str:
    from bot.engine import Done, Pick, TextInput

    if isinstance(event, TextInput):
        return event.text
    if isinstance(event, Done):
        return "" if view.kind is Kind.INFO else "/done"
    if isinstance(event, Pick):
        return str([o.id for o in view.options].index(event.option) + 1)
    raise AssertionError(event)


def run_cli(args: list[str], database_url: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def answers_of(database_url: str, user: str) -> dict[str, object]:
    db = Database(database_url)
    with db.session() as session:
        (participant, _workshop), *_ = repo.participations(session, f"term:{user}")
        answers = repo.load_progress(session, participant.id).answers
    db.dispose()
    return answers


def stored_for(database_url: str, user: str) -> tuple[list, object | None]:
    """A terminal user's participations and account, as stored."""
    db = Database(database_url)
    with db.session() as session:
        found = repo.participations(session, f"term:{user}"), session.get(repo.Account, f"term:{user}")
    db.dispose()
    return found


def demo_code(database_url: str) -> str:
    db = Database(database_url)
    with db.session() as session:
        code = repo.workshops_of(session, "term:demo-facilitator")[0].code
    db.dispose()
    return code


def test_terminal_walk_quit_halfway_resume_and_summary(database_url: str, tmp_path: Path) -> None:
    formal_lines, formal_given = lines_for_walk(tmp_path, "formal", "formeel")
    informal_lines, informal_given = lines_for_walk(tmp_path, "informal", "informeel")

    # The formal worker answers in one go.
    done = run_cli(["chat", "--user", "formeel", "--lang", "en"], database_url, "\n".join(formal_lines) + "\n")
    assert done.returncode == 0, done.stderr
    assert "Thank you!" in done.stdout
    assert answers_of(database_url, "formeel") == formal_given

    # The informal worker quits halfway with /quit, then resumes where they stopped.
    half = len(informal_lines) // 2
    first = run_cli(["chat", "--user", "informeel", "--lang", "en"], database_url, "\n".join(informal_lines[:half]) + "\n/quit\n")
    assert first.returncode == 0, first.stderr
    assert "Goodbye" in first.stdout
    partial = answers_of(database_url, "informeel")
    assert partial and len(partial) < len(informal_given)
    for key, value in partial.items():  # what was given so far; a list may be half typed
        full = informal_given[key]
        assert value == (full[: len(value)] if isinstance(value, list) else full), key
    last_header = first.stdout.rsplit("─" * 60, 1)[1].strip().splitlines()[0]

    second = run_cli(["chat", "--user", "informeel", "--lang", "en"], database_url, "\n".join(informal_lines[half:]) + "\n")
    assert second.returncode == 0, second.stderr
    assert second.stdout.split("─" * 60, 1)[1].strip().splitlines()[0] == last_header  # resumed at the same step
    assert answers_of(database_url, "informeel") == informal_given

    summary = run_cli(["summary", demo_code(database_url), "--lang", "en"], database_url, "")
    assert summary.returncode == 0, summary.stderr
    for given in (formal_given, informal_given):
        for key, value in given.items():
            if key.startswith("intro.") or not isinstance(value, str) or " antwoord" not in value:
                continue
            assert value in summary.stdout, key
    for value in formal_given["b.other_skills"] + informal_given["b.other_power"]:
        assert value in summary.stdout
    assert "Formal workers (1): formeel intro.name antwoord ✓" in summary.stdout  # the briefing first
    assert "Informal workers (1): informeel intro.name antwoord ✓" in summary.stdout


def test_terminal_bad_input_and_unknown_command(database_url: str) -> None:
    lines = ["", "1", "2", "", "/frobnicate", "Sam"]
    out = run_cli(["chat", "--user", "sam", "--lang", "en"], database_url, "\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    assert "The answer is empty." in out.stdout
    assert "I do not know that command." in out.stdout
    assert answers_of(database_url, "sam") == {"intro.consent": "yes", "intro.pack": "anonymous", "intro.name": "Sam"}


def test_summary_of_an_unknown_code_fails_clearly(database_url: str) -> None:
    out = run_cli(["summary", "no-such-code", "--lang", "en"], database_url, "")
    assert out.returncode == 2
    assert "No workshop has this code" in out.stderr


def test_run_without_a_token_explains_how_to_get_one(database_url: str) -> None:
    out = run_cli(["run"], database_url, "")
    assert out.returncode == 2
    assert "@BotFather" in out.stderr and "python -m bot chat" in out.stderr


def test_main_job_without_a_token_is_the_terminal_chat(database_url: str) -> None:
    out = run_cli([], database_url, "")
    assert out.returncode == 0, out.stderr
    assert "python -m bot summary" in out.stdout


def test_summary_writes_the_meeting_pack(database_url: str, tmp_path: Path) -> None:
    out = run_cli(["chat", "--user", "ahmad", "--lang", "ar"], database_url, "\n1\n1\nأحمد\n")
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "pack"
    summary = run_cli(["summary", demo_code(database_url), "--lang", "nl", "--out", str(folder)], database_url, "")
    assert summary.returncode == 0, summary.stderr
    pictures = {"board-formal.png", "board-informal.png"}  # the demo runs the short preparation: no tree
    wide = {name.replace(".png", "-16x9.png") for name in pictures}
    assert {p.name for p in folder.iterdir()} == {"pack.html", "answers.csv", *pictures, *wide}
    assert "أحمد" in (folder / "pack.html").read_text(encoding="utf-8")
    assert "أحمد" in summary.stdout
    # The answers of a whole group: readable by their owner only.
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {0o600}


def test_declining_in_the_terminal_stores_nothing(database_url: str) -> None:
    code = demo_code_created(database_url)
    out = run_cli(["chat", "--user", "nee", "--lang", "en", "--workshop", code], database_url, "2\n")
    assert out.returncode == 0, out.stderr
    assert "Nothing about you is stored" in out.stdout
    participations, account = stored_for(database_url, "nee")
    assert participations == [] and account is None


def test_terminal_consent_says_what_it_expects_after_other_input(database_url: str) -> None:
    code = demo_code_created(database_url)
    out = run_cli(["chat", "--user", "typt", "--lang", "en", "--workshop", code], database_url, "hello\n\n2\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("! Please choose one of the options.") == 2  # after "hello" and after an empty line
    assert "Nothing about you is stored" in out.stdout


def finished_in_demo(database_url: str, user: str, language: str, side: str) -> None:
    """A terminal user who walked the demo workshop (the short preparation) to its end."""
    db = Database(database_url)
    with db.session() as session:
        workshop = repo.workshop_by_code(session, ensure_demo_workshop(db, language))
        assert workshop is not None and workshop.length == "short"
        pid = repo.join(session, workshop, f"term:{user}", language=language).id
    conversation = Conversation(db)
    walk(lambda event: conversation.handle(pid, event).outcome.view, conversation.handle(pid, Show()).outcome.view, side, "k")
    db.dispose()


def demo_code_created(database_url: str) -> str:
    from bot.transports.terminal import ensure_demo_workshop

    db = Database(database_url)
    code = ensure_demo_workshop(db, "en")
    db.dispose()
    return code


def test_terminal_role_informal_asks_which_one_and_pages_long_lists(database_url: str) -> None:
    lines = ["1", "2", "Amina", "2", "contact", "vertalen"]  # consent, no name on the wall; 2: a key figure
    lines += [line for _ in range(4) for line in ("ze kennen de weg", "/done")]
    lines += ["samen een inloop", "/more", "12", "/prev", "/quit"]
    out = run_cli(["chat", "--user", "amina", "--role", "informal", "--lang", "en"], database_url, "\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    role_screen = out.stdout.split("What is your role?")[1].split("─" * 60)[0]
    assert "1) Informal worker: volunteer" in role_screen and "Formal worker" not in role_screen
    answers = answers_of(database_url, "amina")
    assert answers["intro.role"] == "keyfigure"
    # The prompts name the terminal's own controls, never a button.
    assert "type /done" in out.stdout and "press “Done”" not in out.stdout
    # 17 roles: ten a page, numbered on across pages; a number from page 2 ticks that role there.
    from bot.flows.e_core import INFORMAL_ROLES

    assert "Page 1 of 2: /more shows the next options." in out.stdout and "Page 2 of 2: /prev shows the previous options." in out.stdout
    assert "Page 2 of 2: /more" not in out.stdout  # nothing more after the last page: /more is not offered there
    page_two = out.stdout.split("Page 1 of 2")[1].split("Page 2 of 2")[0]
    assert "  11) " in page_two and "  1) " not in page_two
    assert f"  12) [x] {INFORMAL_ROLES[11].label.msgid}" in out.stdout
    assert answers["e.roles_own"] == [INFORMAL_ROLES[11].id]
    # Success and error notices look different.
    assert "✓ Added." in out.stdout and "! Added." not in out.stdout


def test_terminal_remove_with_a_number_not_on_the_list_says_which_numbers_there_are(database_url: str) -> None:
    lines = ["1", "2", "Amina", "2", "contact", "vertalen"]  # consent, no name on the wall; 2: a key figure
    lines += ["ze kennen de weg", "/remove 5", "/remove 1", "/remove 1", "/quit"]  # B's first list
    out = run_cli(["chat", "--user", "amina-rm", "--role", "informal", "--lang", "en"], database_url, "\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    assert "! There is no item 5: your list has only item 1." in out.stdout
    assert "✓ Removed: ze kennen de weg" in out.stdout
    assert "! Your list is empty: there is nothing to remove." in out.stdout
    assert "That option is not available" not in out.stdout
    assert answers_of(database_url, "amina-rm")["b.other_knowledge"] == []


def test_terminal_box_2_comes_on_one_page_not_with_one_option_left_for_more(database_url: str) -> None:
    """Box 2 for both focuses has 11 examples: ten and then one alone behind /more was a page turn for one
    option; a last page of a few goes on the page before."""
    from bot.flows.a_new_view import GOALS

    db = Database(database_url)
    with db.session() as session:
        workshop = repo.create_workshop(session, "Vol", "term:fac", length="full")
        code, pid = workshop.code, repo.join(session, workshop, "term:amina-goals", language="en").id
    conversation = Conversation(db)

    def handle(event) -> View:
        return conversation.handle(pid, event).outcome.view

    view = handle(Show())
    from tests.test_conversation import go_to

    view = go_to(handle, view, "a.focus", side="informal")
    assert handle(Pick("both", at="a.focus")).key == "a.goals"
    db.dispose()
    out = run_cli(["chat", "--user", "amina-goals", "--lang", "en", "--workshop", code], database_url, "/more\n11\n/quit\n")
    assert out.returncode == 0, out.stderr
    first = out.stdout.split("─" * 60)[1]
    assert f"  11) {GOALS[-1].label.msgid}" in first and "Page" not in first and "/more" not in first
    assert "There is nothing more: everything is shown." in out.stdout
    assert answers_of(database_url, "amina-goals")["a.goals"] == [GOALS[-1].id]


def test_terminal_says_things_once_reads_right_to_left_and_answers_more(database_url: str) -> None:
    from bot.i18n import translations

    ar = translations("ar").gettext
    lines = ["1", "2", "أمينة", "ما أبحث عنه", "/more", "ما أقدّمه", "/quit"]  # consent, no name on the wall
    out = run_cli(["chat", "--user", "amina-ar", "--role", "volunteer", "--lang", "ar"], database_url, "\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    # The voice hint under the first question that could take a voice answer, not under every one.
    assert out.stdout.count(ar("Voice answers need Telegram: here in the terminal, please type.")) == 1
    # /more with nothing more to show says so.
    assert ar("There is nothing more: everything is shown.") in out.stdout
    # Every printed line of a prompt starts right to left, like the Telegram messages.
    screen = out.stdout.split("─" * 60)[2]
    printed = [line for line in screen.split("\n") if line.strip() and not line.startswith(">")]
    assert printed and all(line.startswith("\u200f") for line in printed), printed
    assert answers_of(database_url, "amina-ar")["a.offer"] == "ما أقدّمه"


def test_terminal_after_the_end_back_restart_and_text_are_answered_kindly(database_url: str) -> None:
    finished_in_demo(database_url, "klaar", "en", "informal")
    # /restart, Enter, text and /skip at the end: a note, never an error or a crash; /quit is named.
    out = run_cli(["chat", "--user", "klaar", "--lang", "en"], database_url, "/restart\n\nhallo\n/skip\n/back\n/quit\n")
    assert out.returncode == 0, out.stderr
    assert "Type /quit to close the chat." in out.stdout
    assert "There is no exercise in progress" in out.stdout
    assert out.stdout.count("Thank you!") == 1  # the closing message once, then short notes
    assert out.stdout.count("You have finished the preparation.") == 1 + 3
    assert "cannot be skipped" not in out.stdout and "choose one of the options" not in out.stdout  # no errors
    assert "E · step 3 of 3" in out.stdout  # /back: the last question answered


def test_terminal_consent_screen_says_only_what_is_true_there(database_url: str) -> None:
    from bot.i18n import translations

    first = run_cli(["chat", "--user", "amal", "--lang", "ar"], database_url, "/quit\n")  # the demo is made in Arabic
    assert first.returncode == 0, first.stderr
    out = run_cli(["chat", "--user", "eva", "--lang", "nl"], database_url, "/quit\n")
    assert out.returncode == 0, out.stderr
    nl = translations("nl").gettext
    assert nl("Workshop “{title}”, join code {code}.").split("{title}")[0] + nl("Demo workshop") in out.stdout
    assert "ورشة" not in out.stdout  # the title follows the reader's language
    # Before consent nothing is stored: no "answers stay saved", nothing to go back to, no Telegram ids.
    assert nl("/quit stops (nothing is stored).") in out.stdout
    assert "/back" not in out.stdout and "/myanswers" not in out.stdout and "Telegram" not in out.stdout
    assert nl("Goodbye. Nothing was stored.") in out.stdout
    en = run_cli(["chat", "--user", "sam", "--lang", "en"], database_url, "1\n/quit\n")
    assert "your login name on this computer" in en.stdout and "chat id" not in en.stdout
    assert "/quit stops (your answers are saved)" in en.stdout.split("/quit stops (nothing is stored).")[1]  # after yes


def test_terminal_shows_option_labels_whole(database_url: str) -> None:
    from bot.flows.intro import ROLES
    from bot.i18n import translations

    finished_in_demo(database_url, "lang", "nl", "formal")
    # /myanswers, the welcome exercise: the role with its whole label, as the button could not.
    out = run_cli(["chat", "--user", "lang", "--lang", "nl"], database_url, "/myanswers\n1\n/quit\n")
    assert out.returncode == 0, out.stderr
    role = next(o.label for o in ROLES if o.id == "formal").translate(translations("nl"))
    assert len(role) > 40 and role in out.stdout and "…" not in out.stdout


def test_terminal_mydata_shows_and_forget_erases_what_the_consent_names(database_url: str) -> None:
    """The consent names /mydata and /forget; in the terminal they work too."""
    code = demo_code_created(database_url)
    shown = run_cli(["chat", "--user", "nadia", "--lang", "en", "--workshop", code], database_url, "1\n1\nNadia\n/mydata\n/quit\n")
    assert shown.returncode == 0, shown.stderr
    data = shown.stdout.split("Everything this bot stores about you")[-1]
    assert "Nadia" in data and "Unknown command" not in shown.stdout
    assert "Telegram" not in data and "JSON" not in data  # no ids it does not have, no file it does not send
    kept = run_cli(["chat", "--user", "nadia", "--lang", "en", "--workshop", code], database_url, "/forget\n2\n/quit\n")
    assert "It cannot be undone" in kept.stdout and "Telegram" not in kept.stdout and "Nothing was erased." in kept.stdout
    assert answers_of(database_url, "nadia")["intro.name"] == "Nadia"
    gone = run_cli(["chat", "--user", "nadia", "--lang", "en", "--workshop", code], database_url, "/forget\n1\n")
    assert gone.returncode == 0, gone.stderr
    assert "Everything about you is erased." in gone.stdout
    assert stored_for(database_url, "nadia")[0] == []
