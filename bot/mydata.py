"""/mydata: everything stored about one person, as a readable document and as JSON. Knows no transport."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from babel.support import NullTranslations

from bot.engine import State
from bot.engine.render import review_text
from bot.flows import workshop_flows
from bot.i18n import isolate
from bot.timefmt import format_meeting
from storage import Database, Workshop
from storage.erasure import erase_person
from storage.export import personal_data

Rows = dict[str, list[dict[str, Any]]]
Titles = dict[int, tuple[str, list[str]]]  # workshop id: (title, exercises)


def collect(db: Database, user_key: str) -> tuple[Rows, Titles]:
    """What is stored about the person, and the workshops it belongs to (to name them)."""
    with db.session() as session:
        data = personal_data(session, user_key)
        workshops: Titles = {}
        for p in data.get("participants", []):
            workshop = session.get(Workshop, p["workshop_id"])
            if workshop is not None and workshop.id is not None:
                workshops[workshop.id] = (workshop.title, list(workshop.exercises))
    return data, workshops


def forget(db: Database, user_key: str) -> None:
    """/forget confirmed: everything about the person as a participant goes, in one transaction."""
    with db.session() as session:
        erase_person(session, user_key)


def as_json(data: Rows) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode("utf-8")


def readable(
    data: Rows, workshops: dict[int, tuple[str, list[str]]], t: NullTranslations, language: str, *, local: bool = False
) -> str:
    """``workshops``: id -> (title, exercises) of the workshops the person takes part in. ``local``: the
    terminal chat, which has no Telegram ids and sends no JSON file."""
    _ = t.gettext
    accounts = data.get("accounts", [])
    lines = [_("Everything this bot stores about you"), ""]
    if accounts and not local:
        lines.append(_("Your Telegram user id: {id}").format(id=accounts[0]["user_key"].removeprefix("tg:")))
    if accounts and accounts[0].get("language"):
        lines.append(_("Language: {language}").format(language=accounts[0]["language"]))
    answers_of: dict[int, dict[str, Any]] = {}
    for row in data.get("answers", []):
        answers_of.setdefault(row["participant_id"], {})[f"{row['exercise']}.{row['step']}"] = row["value"]
    for p in data.get("participants", []):
        title, exercises = workshops.get(p["workshop_id"], ("?", []))
        lines += ["", "== " + _("Workshop: {title}").format(title=isolate(title)) + " =="]
        lines.append(_("Name: {name}").format(name=isolate(p.get("display_name") or "–")))
        lines.append(_("Organisation: {organisation}").format(organisation=isolate(p.get("organisation") or "–")))
        if not local:
            lines.append(_("Telegram chat id: {id}").format(id=p.get("chat_id") or "–"))
        lines.append(_("Name on the wall in the meeting: {choice}").format(choice=_("Yes") if p.get("pack_named") else _("No")))
        if p.get("consent_at"):
            lines.append(_("Consent given: {when}").format(when=format_meeting(_parse(p["consent_at"]), language)))
        flows = workshop_flows(exercises)
        answers = answers_of.get(p["id"], {})
        lines += ["", review_text(flows, answers, State(flows=flows, answers=answers).side, t)]
    if data.get("facilitators"):
        n = len(data["facilitators"])
        lines += ["", t.ngettext("You are a facilitator of {n} workshop.", "You are a facilitator of {n} workshops.", n).format(n=n)]
    if not local:
        lines += ["", _("The attached JSON file holds the same, as stored. /forget erases it (not your facilitator role).")]
    return "\n".join(lines)


def _parse(value: str) -> datetime:
    when = datetime.fromisoformat(value)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)  # SQLite keeps no zone
