"""The views as short plain-text chat messages: the most frequent items, counts, and "+N more"."""

from __future__ import annotations

from collections.abc import Sequence

from babel.support import NullTranslations

from bot.engine.model import FORMAL
from bot.flows import all_flows
from bot.i18n import isolate
from bot.pack import labels
from bot.pack.views import Tally, Views
from bot.summary import participant_label

LIMIT = 3500  # Telegram allows 4096 characters; leave room for what a transport adds
TOP = 5  # items per list
SHORT = 90  # characters of one typed item
MATCHES = 12


def shorten(text: str, length: int = SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def listing(texts: Sequence[str], total: int, t: NullTranslations, separator: str = "; ") -> str:
    """Texts joined, with "+N more" when ``total`` is larger than what is shown."""
    shown = separator.join(texts)
    hidden = total - len(texts)
    return f"{shown} {labels.more(hidden, t)}".strip() if hidden > 0 else shown


def tally_line(tally: Tally, t: NullTranslations, top: int = TOP) -> str:
    if not tally.entries:
        return t.gettext("(none)")
    shown = [isolate(shorten(e.text)) + (f" ×{e.count}" if e.count > 1 else "") for e in tally.entries[:top]]
    return listing(shown, len(tally.entries), t)


def split(title: str, lines: Sequence[str]) -> list[str]:
    """Messages of at most LIMIT characters, cut between lines, each starting with the title."""
    messages: list[str] = []
    current = title
    for line in lines:
        line = line if len(line) <= LIMIT - len(title) - 10 else shorten(line, LIMIT - len(title) - 10)
        if len(current) + 1 + len(line) > LIMIT:
            messages.append(current)
            current = f"{title} (…)"
        current += "\n" + line
    messages.append(current)
    return messages


def progress_lines(views: Views, t: NullTranslations) -> list[str]:
    _ = t.gettext
    p = views.progress
    total = len(p.rows)
    lines = [
        labels.people_count(total, t)
        + " · "
        + _("finished: {finished}, not started: {not_started}").format(
            finished=len(p.finished), not_started=len(p.not_started)
        )
    ]
    flows = {f.id: f for f in all_flows()}
    for exercise in p.exercises:
        flow = flows[exercise]
        lines.append(
            _("{letter}: {done} of {total} finished").format(letter=flow.letter, done=p.done[exercise], total=total)
        )
    if p.not_started:
        names = [participant_label(person, t) for person in p.not_started[:30]]
        lines.append(_("Not started: {names}").format(names=listing(names, len(p.not_started), t, ", ")))
    busy = [r for r in p.rows if r.started and not r.finished]
    if busy:
        shown = []
        for row in busy[:30]:
            letters = " ".join(flows[e].letter or e for e in row.completed) or "–"
            shown.append(f"{participant_label(row.person, t)} ({letters})")
        lines.append(_("Busy (exercises done): {names}").format(names=listing(shown, len(busy), t, ", ")))
    return lines


def board_lines(views: Views, side: str, t: NullTranslations) -> list[str]:
    _ = t.gettext
    according = (
        _("According to informal workers: {items}") if side == FORMAL else _("According to formal workers: {items}")
    )
    lines = [labels.side_strength(side, t)]
    for cell in views.board[side]:
        lines.append("")
        lines.append(labels.category_label(cell.category, t))
        lines.append("• " + according.format(items=tally_line(cell.by_others, t, 4)))
        lines.append("• " + _("According to themselves: {items}").format(items=tally_line(cell.by_themselves, t, 4)))
        if cell.shared:
            shared = [isolate(w) for w, _n, _m in cell.shared[:8]]
            lines.append(
                "• " + _("Both sides mention: {words}").format(words=listing(shared, len(cell.shared), t, ", "))
            )
        elif cell.by_others.entries and cell.by_themselves.entries:
            lines.append("• " + _("No words in common yet: talk about where the views differ."))
    return lines


def tree_lines(views: Views, t: NullTranslations) -> list[str]:
    _ = t.gettext
    tree = views.tree
    trunk = [f"{labels.role_label(role, t)} ×{n}" for role, n in tree.trunk[:6]]
    return [
        _("Fruits (goals): {items}").format(items=tally_line(tree.fruits, t)),
        _("Trunk (essential roles): {items}").format(items=listing(trunk, len(tree.trunk), t) or _("(none)")),
        _("Roots (what we bring): {items}").format(items=tally_line(tree.roots, t)),
        _("Sun (conditions for success): {items}").format(items=tally_line(tree.sun, t)),
        _("Watering can (what we need from others): {items}").format(items=tally_line(tree.can, t)),
    ]


def roles_lines(views: Views, t: NullTranslations) -> list[str]:
    _ = t.gettext
    lines = []
    meets = [r for r in views.roles if r.meets]
    gaps = [r for r in views.roles if r.gap]
    unasked = [r for r in views.roles if r.taken_by and not r.expected_by]
    if meets:
        lines.append(_("Where they meet (taken on / expected):"))
        lines += [f"• {labels.role_label(r.role, t)}: {len(r.taken_by)} / {len(r.expected_by)}" for r in meets]
    if gaps:
        lines.append(_("Expected, but nobody takes it on:"))
        for r in gaps:
            names = listing([participant_label(p, t) for p in r.expected_by[:5]], len(r.expected_by), t, ", ")
            lines.append(f"• {labels.role_label(r.role, t)} ({names})")
    if unasked:
        lines.append(_("Taken on, but nobody asked for it:"))
        lines.append(listing([f"{labels.role_label(r.role, t)} ×{len(r.taken_by)}" for r in unasked], len(unasked), t))
    return lines or [_("(no answers yet)")]


def market_lines(views: Views, t: NullTranslations) -> list[str]:
    _ = t.gettext
    matches = views.market.matches
    if not matches:
        return [_("No suggestions yet: they appear when both sides said what they look for and offer.")]
    lines = [_("Suggested conversations (who looks for what, and who offers it):")]
    for m in matches[:MATCHES]:
        reasons = []
        if m.roles:
            reasons.append(_("roles: {roles}").format(roles=", ".join(f"“{labels.role_label(r, t)}”" for r in m.roles)))
        if m.words:
            reasons.append(_("words: {words}").format(words=", ".join(isolate(w) for w in m.words[:5])))
        lines.append(f"• {participant_label(m.seeker, t)} → {participant_label(m.offerer, t)}: {'; '.join(reasons)}")
    if len(matches) > MATCHES:
        lines.append(labels.more(len(matches) - MATCHES, t))
    return lines


def pitfalls_lines(views: Views, t: NullTranslations) -> list[str]:
    _ = t.gettext
    pit = views.pitfalls
    lines = [_("{answered} answered; recognised by:").format(answered=labels.people_count(pit.answered, t))]
    for row in sorted(pit.rows, key=lambda r: -len(r.people)):
        lines.append(f"• {labels.pitfall_label(row.pitfall, t)} ({len(row.people)})")
        for person, text, _lang in row.explanations[:2]:
            lines.append(f"   – {participant_label(person, t)}: {isolate(shorten(text))}")
        if len(row.explanations) > 2:
            lines.append("   " + labels.more(len(row.explanations) - 2, t))
    return lines


def messages(views: Views, t: NullTranslations) -> list[str]:
    title = labels.view_title
    out = split(title("progress", t), progress_lines(views, t))
    if "b" in views.exercises:
        for side in views.board:
            out += split(title("board", t), board_lines(views, side, t))
    if "e" in views.exercises:
        out += split(title("tree", t), tree_lines(views, t))
        out += split(title("roles", t), roles_lines(views, t))
    if views.exercises & {"a", "b", "e"}:
        out += split(title("market", t), market_lines(views, t))
    if "e" in views.exercises:
        out += split(title("pitfalls", t), pitfalls_lines(views, t))
    return out
