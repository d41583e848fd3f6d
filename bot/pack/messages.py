"""The one-screen briefing that opens the chat summary: who comes, how each side sees the other's
strength next to its own view, roles that meet and roles nobody takes on, the best needs↔offers
matches and the pitfalls recognised most. Plain text; everything else is in the documents."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from babel.support import NullTranslations

from bot.engine.model import FORMAL, INFORMAL
from bot.engine.render import separator
from bot.flows import all_flows
from bot.i18n import isolate
from bot.pack import labels
from bot.pack.readable import Reading, market_comparison, not_compared
from bot.pack.views import SIDES, Entry, StrengthCell, Views
from bot.timefmt import format_meeting

LIMIT = 3500  # Telegram allows 4096 characters; leave room for what a transport adds
TOP = 3  # points per list
SHORT = 48  # characters of one typed point (and of its translation)
NAMES = 20  # names per side in "who comes"
MATCHES = 3
WORDS = 6


def listing(texts: Sequence[str], total: int, t: NullTranslations, between: str | None = None) -> str:
    """Texts joined (by the language's "; " unless ``between`` says otherwise), with "+N more" when
    ``total`` is larger than what is shown."""
    shown = (separator(t) if between is None else between).join(texts)
    hidden = total - len(texts)
    return f"{shown} {labels.more(hidden, t)}".strip() if hidden > 0 else shown


def _who(views: Views, t: NullTranslations) -> list[str]:
    _ = t.gettext
    flows = {f.id: f for f in all_flows()}
    rows = {r.person.id: r for r in views.progress.rows}
    lines = [_("Who is coming")]
    for side in (FORMAL, INFORMAL, None):
        people = list(views.answers.on_side(side))
        if not people:
            continue
        shown = []
        for person in people[:NAMES]:
            row = rows[person.id]
            if row.finished:
                state = "✓"
            elif not row.started:
                state = "–"
            else:
                state = "(" + " ".join(flows[e].letter or e for e in row.completed) + ")" if row.completed else "(…)"
            shown.append(f"{isolate(labels.name(person, t))} {state}")
        lines.append(f"{labels.side_name(side, t)} ({len(people)}): {listing(shown, len(people), t, ', ')}")
    joined = views.progress.joined_only  # opened the link, answered nothing: named apart, not counted
    if joined:
        names = [isolate(labels.name(person, t)) for person in joined[:NAMES]]
        lines.append(_("Joined, no answers yet: {names}").format(names=listing(names, len(joined), t, ", ")))
    lines.append(_("✓ finished · letters: exercises done · – not started"))
    return lines


def _top(cells: Sequence[StrengthCell], others: bool) -> tuple[list[Entry], int]:
    """The points most named over the four categories: (entries, how many points in all). The same
    point written under two categories is one point, named as often as both together."""
    merged: dict[str, Entry] = {}
    for cell in cells:
        for e in (cell.by_others if others else cell.by_themselves).entries:
            key = " ".join(e.text.casefold().split())
            first = merged.get(key)
            merged[key] = e if first is None else replace(first, count=first.count + e.count)
    entries = list(merged.values())
    ranked = sorted(enumerate(entries), key=lambda pair: (-pair[1].count, pair[0]))
    return [e for _i, e in ranked[:TOP]], len(entries)


def _points(entries: Sequence[Entry], total: int, reading: Reading, t: NullTranslations) -> str:
    if not entries:
        return t.gettext("(none)")
    shown = [reading.line(e.text, e.language, SHORT) + (f" ×{e.count}" if e.count > 1 else "") for e in entries]
    return listing(shown, total, t)


def _strength(views: Views, side: str, reading: Reading, t: NullTranslations) -> list[str]:
    _ = t.gettext
    cells = views.board[side]
    according = (
        _("According to informal workers: {items}") if side == FORMAL else _("According to formal workers: {items}")
    )
    by_others, others_total = _top(cells, True)
    by_themselves, own_total = _top(cells, False)
    lines = [
        labels.side_strength(side, t),
        "• " + according.format(items=_points(by_others, others_total, reading, t)),
    ]
    if any(c.own_asked for c in cells):  # the short preparation never asks one's own view
        lines.append("• " + _("According to themselves: {items}").format(items=_points(by_themselves, own_total, reading, t)))
    shared: Counter[str] = Counter()
    for cell in cells:
        for word, n, m in cell.shared:
            shared[word] += n + m
    both = [c for c in cells if c.by_others.entries and c.by_themselves.entries]
    comparable = any(c.comparable for c in both)
    if shared:
        words = [isolate(w) for w, _n in shared.most_common(WORDS)]
        lines.append("• " + _("Both sides mention: {words}").format(words=listing(words, len(shared), t, ", ")))
    elif comparable:
        lines.append("• " + _("No words in common yet: talk about where the views differ."))
    # Where some answers could not be compared, say so, rather than let "in common" or "not in
    # common" stand for them too.
    uncompared = sorted({lang for c in both for lang in c.uncompared})
    if uncompared:
        lines.append("• " + not_compared(uncompared, not comparable, t, reading.language))
    return lines


def _roles(views: Views, t: NullTranslations) -> list[str]:
    _ = t.gettext
    meets = sorted((r for r in views.roles if r.meets), key=lambda r: -(len(r.taken_by) + len(r.expected_by)))
    gaps = sorted((r for r in views.roles if r.gap), key=lambda r: -len(r.expected_by))
    lines = [labels.view_title("roles", t)]
    if meets:
        shown = [f"{labels.role_label(r.role, t)} {len(r.taken_by)}/{len(r.expected_by)}" for r in meets[:6]]
        lines.append("• " + _("Where they meet (taken on / expected):") + " " + listing(shown, len(meets), t, ", "))
    if gaps:
        shown = [f"{labels.role_label(r.role, t)} ×{len(r.expected_by)}" for r in gaps[:6]]
        lines.append("• " + _("Expected, but nobody takes it on:") + " " + listing(shown, len(gaps), t, ", "))
    if len(lines) == 1:
        lines.append(_("(no answers yet)"))
    return lines


def _market(views: Views, reading: Reading, t: NullTranslations) -> list[str]:
    _ = t.gettext
    matches = views.market.matches
    lines = [labels.view_title("market", t)]
    notes = ["• " + note for note in market_comparison(views.market, t, reading.language)]
    if not matches:
        return lines + notes
    for m in matches[:MATCHES]:
        reasons = []
        if m.roles:
            reasons.append(_("roles: {roles}").format(roles=", ".join(labels.role_label(r, t) for r in m.roles)))
        if m.words:
            reasons.append(_("words: {words}").format(words=", ".join(isolate(w) for w in m.words[:4])))
        seeker, offerer = isolate(labels.name(m.seeker, t)), isolate(labels.name(m.offerer, t))
        lines.append(f"• {seeker} → {offerer}: {'; '.join(reasons)}")
    if len(matches) > MATCHES:
        lines.append(labels.more(len(matches) - MATCHES, t))
    return lines + notes


def short_label(label: str, stops: Sequence[str] = (": ", " (")) -> str:
    """A hand-out sentence's first clause: "Balance between burden and capacity", not its explanation."""
    for stop in stops:
        at = label.find(stop)
        if at > 0:
            label = label[:at]
    return label.rstrip(" .")


def _pitfalls(views: Views, t: NullTranslations) -> list[str]:
    rows = sorted((r for r in views.pitfalls.rows if r.people), key=lambda r: -len(r.people))
    lines = [labels.view_title("pitfalls", t)]
    lines += [f"• {len(r.people)}× {short_label(labels.pitfall_label(r.pitfall, t))}" for r in rows[:TOP]]
    if len(rows) > TOP:
        lines.append(labels.more(len(rows) - TOP, t))
    if not rows:
        lines.append(t.gettext("(none)"))
    return lines


def briefing(views: Views, reading: Reading, t: NullTranslations, language: str) -> str:
    """One message of at most LIMIT characters."""
    _ = t.gettext
    data = views.answers.data
    head = [_("Workshop: {title}").format(title=isolate(data.workshop.title))]
    if data.workshop.meeting_at is not None:
        head.append(_("Meeting: {when}").format(when=format_meeting(data.workshop.meeting_at, language)))
    p = views.progress
    head.append(
        t.ngettext("{n} participant", "{n} participants", len(p.rows)).format(n=len(p.rows))
        + " · "
        + _("finished: {finished}, not started: {not_started}").format(
            finished=len(p.finished), not_started=len(p.waiting)  # who joined without answering: a line of its own
        )
    )
    if legend := reading.legend():
        head.append(legend)
    blocks = [head, _who(views, t)]
    if "b" in views.exercises:
        blocks += [_strength(views, side, reading, t) for side in SIDES]
    if "e" in views.exercises:
        blocks.append(_roles(views, t))
    if views.exercises & {"a", "b", "e"}:
        blocks.append(_market(views, reading, t))
    if "e" in views.exercises:
        blocks.append(_pitfalls(views, t))
    text = "\n\n".join("\n".join(block) for block in blocks)
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"
