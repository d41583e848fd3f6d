"""How much a participant has to read, tap and type: the short preparation and the full hand-out.

    python benchmarks/burden.py [--readme]

A scripted participant walks each length in every shipped language, as a formal and as an informal
worker, through the real conversation engine on a temporary SQLite database (bot.conversation),
answering every step the usual way: a short typed answer, two ticks in a multiple choice, one item in
a list, an earlier answer kept with one tap where a step shows it filled in. Per exercise it counts
the bot's messages, the words to read (every message as Telegram sends it: a step's text once, then
what a follow-up sends, such as "Added" with the list so far; a tick only edits the buttons), the taps
and the typed answers, and estimates the time with the model of bot/engine/estimate.py (120 words a
minute, 10 s a tap, 40 s a typed answer).

Goals (issue 9): short <= 15 minutes and <= 35 interactions for every language and role; full <= 40 minutes.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.conversation import Conversation
from bot.engine import Done, Effort, Event, Keep, Kind, Pick, Show, TextInput, View
from bot.engine.estimate import TYPICAL_ITEMS, TYPICAL_TICKS, count_words
from bot.engine.model import FULL, SHORT
from bot.engine.runner import ABOUT, FINISH, REMOVE
from bot.i18n import LANGUAGES
from bot.transports.telegram.rendering import SHORT_LABEL, render_view
from storage import Database
from storage import repository as repo

ROLES = {"formal": "formal", "informal": "volunteer"}
GOALS = {SHORT: (15, 35), FULL: (40, None)}  # minutes, interactions
ANSWER = "Ouders in de wijk beter bereiken"  # a typical short typed answer (six words)


def typical(view: View, side: str) -> list[tuple[Event, str]]:
    """The usual answer to one step: events with what each costs ("tap" or "typed")."""
    key = view.key
    if view.kind is Kind.INFO:
        return [(Done(at=key), "tap")]
    if view.kind is Kind.TEXT:
        if any(c.id == "_keep" for c in view.controls):
            return [(Keep(at=key), "keep")]  # an earlier answer filled in: kept with one tap
        return [(TextInput(ANSWER), "typed")]
    if view.kind is Kind.YESNO:
        return [(Pick("yes", at=key), "tap")]
    if view.kind is Kind.CHOICE:
        option = ROLES[side] if key == "intro.role" else view.options[0].id
        return [(Pick(option, at=key), "tap")]
    if view.kind is Kind.MULTI:
        if any(o.selected for o in view.options):
            return [(Done(at=key), "tap")]
        return [*((Pick(o.id, at=key), "tick") for o in view.options[:TYPICAL_TICKS]), (Done(at=key), "tap")]
    if view.kind is Kind.LIST:
        if any(o.id.startswith(REMOVE) for o in view.options):
            return [(Done(at=key), "tap")]
        return [*((TextInput(f"{ANSWER} {n}"), "typed") for n in range(1, TYPICAL_ITEMS + 1)), (Done(at=key), "tap")]
    if view.kind is Kind.REVIEW:
        return [(Pick(FINISH, at=key), "tap")]
    raise AssertionError(view.kind)


def view_words(view: View, language: str) -> int:
    """The words of the step as Telegram actually sends it: the message text and the buttons' labels
    (numbered buttons of options already listed in the text are counted once, in the text)."""
    rendered = render_view(view, language)
    text = html.unescape(re.sub(r"<[^>]+>", " ", " ".join(rendered.messages)))
    buttons = [b.text for row in (rendered.keyboard.inline_keyboard if rendered.keyboard else ()) for b in row]
    if view.kind is not Kind.LIST and any(len(o.label) > SHORT_LABEL for o in view.options):
        buttons = [c.label for c in view.controls]  # "1. (Gebrek aan) diversit…": read in the text above
    return count_words(text + " " + " ".join(buttons))


def walk(db: Database, length: str, language: str, side: str, curious: bool = False) -> dict[str, Effort]:
    """One participant from the welcome to the closing message; effort per exercise (flow id).
    ``curious``: also opens everything offered on demand (D's quotes, C's examples, Box 1, what the
    roles mean) before answering: the upper bound of the reading."""
    with db.session() as session:
        workshop = repo.create_workshop(session, "Burden", "term:bench", length=length)
        pid = repo.join(session, workshop, f"term:{length}-{language}-{side}-{curious}", language=language).id
    conversation = Conversation(db)
    per: dict[str, Effort] = defaultdict(Effort)
    view = conversation.handle(pid, Show()).outcome.view
    per[view.key.split(".")[0]] += Effort(messages=1, words=view_words(view, language))
    for _ in range(500):
        if view.finished:
            return dict(per)
        if curious and any(c.id == ABOUT for c in view.controls):
            view = conversation.handle(pid, Pick(ABOUT, at=view.key)).outcome.view
            per[view.key.split(".")[0]] += Effort(taps=1, messages=1, words=view_words(view, language))
        for event, cost in typical(view, side):
            flow = view.key.split(".")[0]
            before = view.key
            view = conversation.handle(pid, event).outcome.view
            assert view.notice is None or view.key == before or view.notice_kind == "success", view.notice
            per[flow] += Effort(taps=0 if cost == "typed" else 1, typed=1 if cost == "typed" else 0)
            shown = view.key.split(".")[0]
            if view.key != before or view.finished:
                per[shown] += Effort(messages=1, words=view_words(view, language))  # a new step: read it once
            elif cost != "tick":  # a tick only edits the buttons; anything else is a new message, as sent
                per[shown] += Effort(messages=1, words=view_words(view, language))
    raise AssertionError("the walk did not reach the end")


def measure() -> dict[tuple[str, str, str], dict[str, Effort]]:
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'burden.sqlite3'}")
        for length in (SHORT, FULL):
            for language in LANGUAGES:
                for side in ROLES:
                    results[length, language, side] = walk(db, length, language, side)
        for language in LANGUAGES:
            results["curious", language, "informal"] = walk(db, FULL, language, "informal", curious=True)
        db.dispose()
    return results


def total(per: dict[str, Effort]) -> Effort:
    result = Effort()
    for effort in per.values():
        result += effort
    return result


def report(results: dict[tuple[str, str, str], dict[str, Effort]]) -> str:
    order = ["intro", "a", "b", "c", "d", "e", "review"]
    names = {"intro": "Welcome", "review": "Review + end"}
    lines = []
    for length in (SHORT, FULL):
        lines += [f"### {length.capitalize()} — per exercise (Dutch, informal worker)", ""]
        lines += ["| Exercise | Messages | Words | Taps | Typed | Minutes |", "|---|---:|---:|---:|---:|---:|"]
        per = results[length, "nl", "informal"]
        for flow in order:
            if flow in per:
                e = per[flow]
                lines.append(f"| {names.get(flow, flow.upper())} | {e.messages} | {e.words} | {e.taps} | {e.typed} | {e.seconds / 60:.1f} |")
        e = total(per)
        lines += [f"| **Total** | {e.messages} | {e.words} | {e.taps} | {e.typed} | **{e.seconds / 60:.1f}** |", ""]
        minutes_goal, interactions_goal = GOALS[length]
        goal = f"≤ {minutes_goal} min" + (f", ≤ {interactions_goal} interactions" if interactions_goal else "")
        lines += [f"### {length.capitalize()} — every language and role (goal {goal})", ""]
        lines += ["| Language | Role | Messages | Words | Interactions | Minutes | Goal met |", "|---|---|---:|---:|---:|---:|:-:|"]
        for language in LANGUAGES:
            for side in ROLES:
                e = total(results[length, language, side])
                met = e.seconds / 60 <= minutes_goal and (interactions_goal is None or e.interactions <= interactions_goal)
                lines.append(
                    f"| {language} | {side} | {e.messages} | {e.words} | {e.interactions} | {e.seconds / 60:.1f} | {'yes' if met else 'NO'} |"
                )
        lines.append("")
    lines += ["### Full, opening everything offered on demand too (informal worker)", ""]
    lines += ["| Language | Words | Taps | Minutes | Typical walk |", "|---|---:|---:|---:|---:|"]
    for language in LANGUAGES:
        e, usual = total(results["curious", language, "informal"]), total(results[FULL, language, "informal"])
        lines.append(f"| {language} | {e.words} | {e.taps} | {e.seconds / 60:.1f} | {usual.seconds / 60:.1f} |")
    lines.append("")
    return "\n".join(lines)


def compact(results: dict[tuple[str, str, str], dict[str, Effort]]) -> str:
    """The README's table: per exercise (Dutch, informal worker) and per language and role."""
    order = ["intro", "a", "b", "c", "d", "e", "review"]
    names = {"intro": "Welcome", "review": "Review / end"}
    lines = [
        "| Exercise (nl, informal) | Short: messages · words · taps · typed · min | Full: messages · words · taps · typed · min |",
        "|---|---|---|",
    ]

    def cell(e: Effort | None) -> str:
        return "–" if e is None else f"{e.messages} · {e.words} · {e.taps} · {e.typed} · {e.seconds / 60:.1f}"

    short, full = results[SHORT, "nl", "informal"], results[FULL, "nl", "informal"]
    for flow in order:
        lines.append(f"| {names.get(flow, flow.upper())} | {cell(short.get(flow))} | {cell(full.get(flow))} |")
    lines.append(f"| **Total** | **{cell(total(short))}** | **{cell(total(full))}** |")
    lines += ["", "| Language | Short, formal | Short, informal | Full, formal | Full, informal |", "|---|---|---|---|---|"]
    for language in LANGUAGES:
        cells = [
            f"{total(results[length, language, side]).seconds / 60:.1f} min · {total(results[length, language, side]).interactions}"
            for length in (SHORT, FULL)
            for side in ROLES
        ]
        lines.append(f"| {language} | " + " | ".join(cells) + " |")
    curious = [total(results["curious", language, "informal"]).seconds / 60 for language in LANGUAGES]
    lines += ["", f"Opening everything offered on demand too (full, informal): {min(curious):.1f}–{max(curious):.1f} minutes."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", action="store_true", help="only the compact table of the README")
    args = parser.parse_args()
    results = measure()
    print(compact(results) if args.readme else report(results))
    failed = [
        key
        for key, per in results.items()
        if key[0] in GOALS
        and (total(per).seconds / 60 > GOALS[key[0]][0] or bool(GOALS[key[0]][1] and total(per).interactions > GOALS[key[0]][1]))
    ]
    if failed:
        print("Goals not met:", ", ".join("/".join(k) for k in failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
