"""The meeting pack as one self-contained HTML document: the views, the pictures, every answer.

The page comes from the Jinja2 templates in ``templates/`` with autoescaping on, so every piece of
text (answers, names, titles, translations) is escaped unless a template says otherwise; this
module only gathers plain values and the translated words. No external resources (pictures are
data: URIs, the style sheet is inline), so it can be sent as one file, opened on a phone and
printed on A4. User text is marked ``dir="auto"`` with its language, so Arabic and Persian
answers read right to left inside a Dutch page and Latin names stay left to right in an Arabic one.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

import jinja2
from babel.support import NullTranslations

from bot.engine.model import FORMAL, INFORMAL, side_for_role
from bot.engine.voice import MIC, VOICE, duration, is_voice
from bot.flows import all_flows
from bot.i18n import is_rtl
from bot.pack import labels
from bot.pack.answers import Reader, by_question
from bot.pack.readable import MARK, Reading, market_comparison, not_compared
from bot.pack.views import NAMES as NAME_KEYS
from bot.pack.views import SIDES, Views, other_side
from bot.timefmt import format_meeting
from storage.models import Participant

TOP = 15  # items per list in a view; the last section has them all
NAMES = 12  # names per list
MATCHES = 300
WORDS_ONLY = 8  # words "only one side mentions" per card
BOOKKEEPING = frozenset({"intro.consent", "intro.pack"})  # consent and the name choice: not answers to read


@functools.cache
def environment() -> jinja2.Environment:
    # autoescape=True for every template, whatever its name: escaping is never opt-in.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.pack", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["voice"] = lambda value: isinstance(value, Voice)
    return env


@dataclass(frozen=True)
class Person:
    """A participant as the page shows them."""

    name: str
    language: str
    organisation: str | None
    side: str  # "formal", "informal" or "" (role not given yet)


@dataclass(frozen=True)
class Figure:
    """One picture: the print (A4) version, a narrow one for phones and a 16:9 one for a wide
    screen such as a projector, when there are."""

    name: str
    caption: str
    src: str
    phone_src: str | None
    wide_src: str | None = None


class Typed(NamedTuple):
    """One item of an answer as the page shows it: as written, its machine translation into the
    reader's language, or else its language named (both None in the reader's language or a choice)."""

    text: str
    translation: str | None
    named: str | None


@dataclass(frozen=True)
class Voice:
    """A voice answer as the page shows it: its length, a player when its file is beside the page,
    the line typed with it, the automatic transcript (read like a typed answer in the language spoken:
    its stored machine translation beside it, or that language named)."""

    length: str
    src: str | None
    text: str | None
    transcript: str | None
    transcript_language: str | None = None


def _voice(item: Mapping[str, object], names: Mapping[str, str], reading: Reading, t: NullTranslations) -> Voice:
    ref = str(item[VOICE])
    seconds = int(item.get("seconds", 0))  # type: ignore[call-overload]
    length = t.gettext("voice message ({duration})").format(duration=duration(seconds))
    spoken, transcript = reading.answers.spoken.get(ref, (None, None))
    return Voice(length, names.get(ref), str(item["text"]) if item.get("text") else None, transcript, spoken)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _figure(name: str, images: dict[str, bytes], phone: dict[str, bytes], caption: str) -> Figure | None:
    if name not in images:
        return None
    narrow, wide = phone.get(name), images.get(name.replace(".png", "-16x9.png"))
    return Figure(
        name, caption, _data_uri(images[name]), _data_uri(narrow) if narrow else None, _data_uri(wide) if wide else None
    )


def _words(t: NullTranslations) -> dict[str, str]:
    """Every fixed text of the page in the reader's language."""
    _ = t.gettext
    return {
        "title": _("Meeting pack"),
        "none": _("(none)"),
        "no_answers": _("(no answers yet)"),
        "no_name": _("(no name yet)"),
        "formal": _("formal"),
        "informal": _("informal"),
        "no_role": _("role not given yet"),
        "not_started_heading": _("Not started"),
        "participant": _("Participant"),
        "status": _("Status"),
        "finished": _("finished"),
        "not_started": _("not started"),
        "board_intro": _(
            "What each side wrote about the strength of the other, next to what that side wrote about its own "
            "strength. Does it fit, according to them? Words both sides used are where the views meet."
        ),
        "board_intro_others": _(
            "What each side wrote about the strength of the other. At the meeting each side says whether it fits, "
            "and what its own strength is."
        ),
        "according_informal": _("According to informal workers"),
        "according_formal": _("According to formal workers"),
        "themselves": _("According to themselves"),
        "meet_words": _("Where the views meet"),
        "only_others": _("Only the other side mentions"),
        "only_themselves": _("Only they themselves mention"),
        "fruits": _("Fruits: goals"),
        "roots": _("Roots: what we bring"),
        "sun": _("Sun: conditions for success"),
        "can": _("Watering can: what we need from others"),
        "trunk": _("Trunk: roles"),
        "roles_intro": _("Which roles people take on themselves, and which they expect from the other side."),
        "meet": _("They meet"),
        "meet_means": _("taken on and expected"),
        "gap": _("Gap"),
        "gap_means": _("expected, but nobody takes it on"),
        "roles_formal": _("Roles of formal workers"),
        "roles_informal": _("Roles of informal workers"),
        "role": _("Role"),
        "taken_by": _("Taken on by"),
        "expected_by": _("Expected by"),
        "in_trunk": _("In the trunk"),
        "nobody_asked": _("nobody asked for it"),
        "joined_only": _("Joined, no answers yet: {names}"),
        "named_by_nobody": _("Not taken on, expected or put in the trunk by anyone: {roles}"),
        "suggested": _("Suggested conversations"),
        "market_intro": _(
            "A role one person expects that someone of the other side takes on, or a need whose words occur in "
            "what someone of the other side offers: a start for a conversation, not a verdict."
        ),
        "roles_reason": _("roles: {roles}"),
        "words_reason": _("words: {words}"),
        "per_participant": _("Per participant"),
        "looks_for": _("Looks for"),
        "offers": _("Offers"),
        "pitfall": _("Pitfall"),
        "recognised_by": _("Recognised by"),
        "formal_workers": _("Formal workers"),
        "informal_workers": _("Informal workers"),
        "transcript": _("automatic transcript:"),
        "machine_translation": _("machine translation"),
    }


def document(
    views: Views,
    images: dict[str, bytes],
    t: NullTranslations,
    language: str,
    phone_images: dict[str, bytes] | None = None,
    audio_names: Mapping[str, str] | None = None,
) -> str:
    """The whole page. ``phone_images``: narrow versions of some pictures, by the name of the print
    one; ``audio_names``: the voice answers' files beside the page, when there are any (a player each)."""
    _ = t.gettext
    phone = phone_images or {}
    answers = views.answers
    data = answers.data
    workshop = data.workshop
    flows = {f.id: f for f in all_flows()}
    people: dict[int, Person] = {}

    def who(p: Participant) -> Person:
        """The templates look people up by participant; those who joined without answering too."""
        found = people.get(p.id)
        if found is None:
            side = answers.side.get(p.id) or side_for_role(p.role) or ""
            found = people[p.id] = Person(labels.wall_name(p, t), p.language, labels.organisation(p), side)  # the name choice
        return found

    sections = ["progress"]
    if "b" in views.exercises:
        sections.append("board")
    if "e" in views.exercises:
        sections += ["tree", "roles"] if views.tree.asked else ["roles"]
    if views.exercises & {"a", "b", "e"}:
        sections.append("market")
    if "e" in views.exercises:
        sections.append("pitfalls")
    sections.append("answers")

    sides = answers.side.values()
    facts = [
        labels.people_count(len(data.participants), t),
        _("formal: {formal}, informal: {informal}").format(
            formal=sum(s == FORMAL for s in sides), informal=sum(s == INFORMAL for s in sides)
        ),
    ]
    if workshop.meeting_at is not None:
        facts.insert(0, _("Meeting: {when}").format(when=format_meeting(workshop.meeting_at, language)))

    p = views.progress
    progress = {
        "summary": labels.people_count(len(p.rows), t)
        + " · "
        + _("finished: {finished}, not started: {not_started}").format(
            finished=len(p.finished), not_started=len(p.waiting)  # who joined without answering: said apart
        ),
        "exercises": [
            (
                flows[e].letter or e,
                _("{letter}: {done} of {total} finished").format(
                    letter=flows[e].letter, done=p.done[e], total=len(p.rows)
                ),
                flows[e].title.translate(t),
            )
            for e in p.exercises
        ],
        "rows": [(row, _status(row, flows, t)) for row in p.rows],
    }

    reading = Reading(answers, t, language)
    names = audio_names or {}
    reader = Reader(t, names, data.transcripts)
    all_answers = []  # (exercise, question, rows), exercise None when it is the same as the one before
    current = None
    for _flow, _step, key, all_rows in by_question(data):
        if key in BOOKKEEPING:
            continue
        rows = [row for row in all_rows if labels.shown_on_wall(row.person, key)]
        if not rows:
            continue
        exercise, question = reader.names(rows[0])
        shown = []
        for row in rows:
            # Glossed here, once per item: the longest part of the page has no macro call per answer.
            values: list[Typed | Voice]
            if row.typed:  # a voice answer: its own line with a player, not its text
                lang = row.answer.language
                values = [
                    _voice(r, names, reading, t) if is_voice(r) else Typed(v, *reading.gloss(v, lang))  # type: ignore[arg-type]
                    for v, r in zip(reader.values(row), reader.items(row), strict=False)
                ]
                values = _named_once(values, key)
            else:
                lang = None
                values = [Typed(v, None, None) for v in reader.values(row)]
            shown.append((row.person.id, values, lang, isinstance(row.answer.value, list)))
        all_answers.append((exercise if exercise != current else None, question, shown))
        current = exercise

    pit = views.pitfalls
    return (
        environment()
        .get_template("pack.html")
        .render(
            language=language,
            direction="rtl" if is_rtl(language) else "ltr",
            words=_words(t),
            # Each side's own view is there once somebody wrote it (beforehand only in the full hand-out's past,
            # now at the meeting): else the board says only what it shows.
            own_view=any(c.own_asked for cells in views.board.values() for c in cells),
            workshop_title=workshop.title,
            facts=" · ".join(facts),
            made=_("Made on {when}").format(when=format_meeting(datetime.now(UTC), language)),
            sections=[(view, labels.view_title(view, t)) for view in sections],
            views=views,
            person_of=who,
            side_of=lambda person: who(person).side,
            sides=SIDES,
            other_side=other_side,
            side_strength=lambda side: labels.side_strength(side, t),
            category=lambda c: labels.category_label(c, t),
            role=lambda r: labels.role_label(r, t),
            pitfall=lambda x: labels.pitfall_label(x, t),
            people_count=lambda n: labels.people_count(n, t),
            more=lambda n: labels.more(n, t),
            language_of=answers.language,
            progress=progress,
            board_figures={
                side: _figure(f"board-{side}.png", images, phone, labels.side_strength(side, t)) for side in SIDES
            },
            tree_figure=_figure("tree.png", images, phone, labels.view_title("tree", t)),
            pitfalls_answered=_("{answered} answered the question which pitfalls apply.").format(
                answered=labels.people_count(pit.answered, t)
            ),
            all_answers=all_answers,
            mic=MIC,
            mt_mark=MARK,
            reader_language=language,
            gloss=reading.gloss,
            not_compared=lambda codes, whole: not_compared(codes, whole, t, language),
            market_notes=market_comparison(views.market, t, language),
            legend=reading.legend(),
            TOP=TOP,
            NAMES=NAMES,
            MATCHES=MATCHES,
            WORDS_ONLY=WORDS_ONLY,
        )
    )


def _named_once(values: list[Typed | Voice], key: str) -> list[Typed | Voice]:
    """An answer's language named once, after its last item that needs it, not after each; never
    after a name or an organisation (a name is in no language)."""
    last = -1 if key in NAME_KEYS else max((i for i, v in enumerate(values) if isinstance(v, Typed) and v.named), default=-1)
    return [v._replace(named=None) if isinstance(v, Typed) and v.named and i != last else v for i, v in enumerate(values)]


def _status(row, flows, t: NullTranslations) -> str:
    _ = t.gettext
    if row.finished:
        return _("finished")
    if not row.started:
        return _("not started")
    current = flows.get(row.current or "")
    return _("now at: {exercise}").format(exercise=(current.letter or current.title.translate(t)) if current else "–")
