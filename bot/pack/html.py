"""The meeting pack as one self-contained HTML document: the views, the pictures, every answer.

No external resources (pictures are data: URIs, the style sheet is inline), so it can be sent as
one file, opened on a phone and printed on A4. Every piece of user text is escaped and marked
``dir="auto"`` with its language, so Arabic and Persian answers read right to left inside a
Dutch page and Latin names stay left to right inside an Arabic one.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from html import escape

from babel.support import NullTranslations

from bot.engine.model import FORMAL
from bot.engine.voice import MIC, VOICE, duration, is_voice
from bot.flows import all_flows
from bot.i18n import is_rtl
from bot.pack import labels
from bot.pack.answers import Reader, by_question
from bot.pack.readable import MARK, Reading
from bot.pack.views import SIDES, Tally, Views, other_side
from bot.timefmt import format_meeting
from storage.models import Participant

TOP = 15  # items per list in a view; the last section has them all
NAMES = 12  # names per list
MATCHES = 300

STYLE = """
:root{--ink:#1e281e;--muted:#5d685f;--line:#d8ddd4;--leaf:#2f7d32;--formal:#1f5f99;--informal:#a1542a;--soft:#f5f7f2}
*{box-sizing:border-box}
body{margin:0;color:var(--ink);background:#fff;font:16px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans",
"Noto Sans Arabic","Noto Sans Ethiopic",Tahoma,Arial,sans-serif;overflow-wrap:break-word}
main{max-width:62rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0}
h2{font-size:1.35rem;border-bottom:3px solid var(--leaf);padding-bottom:.2rem;margin-top:2.5rem}
h3{font-size:1.1rem;margin:1.2rem 0 .4rem}
h4{font-size:1rem;margin:.9rem 0 .3rem}
p,ul,ol{margin:.3rem 0 .6rem}
ul{padding-inline-start:1.3rem}
.muted,.more{color:var(--muted)}
.more{font-style:italic}
.n{font-weight:700;font-variant-numeric:tabular-nums}
.side{font-size:.8em;border-radius:.6em;padding:0 .45em;color:#fff;background:var(--muted);white-space:nowrap}
.side.formal{background:var(--formal)}.side.informal{background:var(--informal)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:.8rem}
.card{border:1px solid var(--line);border-radius:.6rem;padding:.5rem .8rem;background:var(--soft);break-inside:avoid}
.card h4{margin-top:.2rem}
.meet{color:var(--leaf);font-weight:600}
.gap{color:#a33;font-weight:600}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95em}
th,td{text-align:start;vertical-align:top;padding:.3rem .45rem;border-bottom:1px solid var(--line)}
th{background:var(--soft)}
.bar{display:inline-block;height:.7em;background:var(--leaf);border-radius:.2em;vertical-align:middle}
figure{margin:1rem 0;text-align:center}
figure img{max-width:100%;height:auto;border:1px solid var(--line)}
figcaption{color:var(--muted);font-size:.9em}
.answer{white-space:pre-line}
.mt{display:block;color:var(--muted);font-style:italic}
.lang{color:var(--muted);font-size:.85em}
nav ol{columns:2;padding-inline-start:1.3rem}
@page{size:A4;margin:14mm 12mm}
@media print{
body{font-size:10pt}
main{max-width:none;padding:0}
nav{display:none}
section{break-before:page}
section:first-of-type{break-before:auto}
h2,h3,h4{break-after:avoid}
figure{break-inside:avoid}
figure img{max-height:200mm;width:auto;border:0}
.card,tr{break-inside:avoid}
a{color:inherit;text-decoration:none}
}
"""


def _user(text: str, language: str | None, tag: str = "span", cls: str = "") -> str:
    """Text someone typed: escaped, its direction taken from its own first letter, its language named."""
    lang = f' lang="{escape(language)}"' if language else ""
    klass = f' class="{cls}"' if cls else ""
    return f'<{tag} dir="auto"{lang}{klass}>{escape(text)}</{tag}>'


def _typed(text: str, language: str | None, reading: Reading | None, tag: str = "span", cls: str = "") -> str:
    """A typed answer with its machine translation beside it (marked), or its language named."""
    body = _user(text, language, tag, cls)
    if reading is None:
        return body
    translation, named = reading.gloss(text, language)
    if translation is not None:
        mark = reading.t.gettext("machine translation")
        return body + (
            f'<span class="mt" lang="{escape(reading.language)}" dir="auto" title="{escape(mark)}">'
            f"{MARK} {escape(translation)}</span>"
        )
    if named is not None:
        return body + f' <span class="lang">({escape(named)})</span>'
    return body


def _paragraph(text: str, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f"<p{klass}>{escape(text)}</p>"


def _who(person: Participant, t: NullTranslations) -> str:
    name = f'<bdi lang="{escape(person.language)}">{escape(labels.name(person, t))}</bdi>'
    if person.organisation:
        name += f' <span class="muted">(<bdi>{escape(person.organisation)}</bdi>)</span>'
    return name


def _side(side: str | None, t: NullTranslations) -> str:
    _ = t.gettext
    word = {FORMAL: _("formal"), "informal": _("informal")}.get(side or "", _("role not given yet"))
    return f'<span class="side {escape(side or "")}">{escape(word)}</span>'


def _more(hidden: int, t: NullTranslations, tag: str = "li") -> str:
    return f'<{tag} class="more">{escape(labels.more(hidden, t))}</{tag}>' if hidden > 0 else ""


def _tally(tally: Tally, t: NullTranslations, top: int = TOP, reading: Reading | None = None) -> str:
    if not tally.entries:
        none = t.gettext("(none)")
        return f'<p class="muted">{escape(none)}</p>'
    items = [
        f"<li>{_typed(e.text, e.language, reading)}" + (f' <span class="n">×{e.count}</span>' if e.count > 1 else "")
        + "</li>"
        for e in tally.entries[:top]
    ]
    return "<ul>" + "".join(items) + _more(len(tally.entries) - top, t) + "</ul>"


def _names(people: Sequence[Participant], t: NullTranslations) -> str:
    shown = ", ".join(_who(p, t) for p in people[:NAMES])
    hidden = len(people) - NAMES
    return shown + (f' <span class="more">{escape(labels.more(hidden, t))}</span>' if hidden > 0 else "")


def _words(pairs: Iterable[str], total: int, t: NullTranslations, top: int = TOP) -> str:
    shown = list(pairs)[:top]
    text = ", ".join(f"<bdi>{escape(w)}</bdi>" for w in shown)
    hidden = total - len(shown)
    return text + (f' <span class="more">{escape(labels.more(hidden, t))}</span>' if hidden > 0 else "")


def _figure(name: str, data: bytes, caption: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{encoded}" alt="{escape(caption)}">'
        f"<figcaption>{escape(caption)} · {escape(name)}</figcaption></figure>"
    )


def _progress(views: Views, t: NullTranslations) -> str:
    _ = t.gettext
    p = views.progress
    flows = {f.id: f for f in all_flows()}
    out = [f"<p>{escape(labels.people_count(len(p.rows), t))} · "]
    out.append(
        escape(
            _("finished: {finished}, not started: {not_started}").format(
                finished=len(p.finished), not_started=len(p.not_started)
            )
        )
        + "</p><ul>"
    )
    for exercise in p.exercises:
        flow = flows[exercise]
        line = _("{letter}: {done} of {total} finished").format(
            letter=flow.letter, done=p.done[exercise], total=len(p.rows)
        )
        out.append(f'<li>{escape(line)} <span class="muted">{escape(flow.title.translate(t))}</span></li>')
    out.append("</ul>")
    if p.not_started:
        heading = _("Not started")
        out.append(f"<h3>{escape(heading)}</h3><p>{', '.join(_who(x, t) for x in p.not_started)}</p>")
    head = "".join(f"<th>{escape(flows[e].letter or e)}</th>" for e in p.exercises)
    participant, status = _("Participant"), _("Status")
    out.append(f'<div class="scroll"><table><thead><tr><th>{escape(participant)}</th><th></th>{head}')
    out.append(f"<th>{escape(status)}</th></tr></thead><tbody>")
    sides = views.answers.side
    for row in p.rows:
        cells = "".join("<td>✓</td>" if e in row.completed else '<td class="muted">–</td>' for e in p.exercises)
        if row.finished:
            status = _("finished")
        elif not row.started:
            status = _("not started")
        else:
            current = flows.get(row.current or "")
            status = _("now at: {exercise}").format(
                exercise=(current.letter or current.title.translate(t)) if current else "–"
            )
        out.append(
            f"<tr><td>{_who(row.person, t)}</td><td>{_side(sides[row.person.id], t)}</td>"
            f"{cells}<td>{escape(status)}</td></tr>"
        )
    out.append("</tbody></table></div>")
    return "".join(out)


def _board(views: Views, images: dict[str, bytes], t: NullTranslations, reading: Reading) -> str:
    _ = t.gettext
    out = [
        _paragraph(
            _(
                "What each side wrote about the strength of the other, next to what that side wrote about its own "
                "strength. Does it fit, according to them? Words both sides used are where the views meet."
            )
        )
    ]
    for side in SIDES:
        out.append(f"<h3>{escape(labels.side_strength(side, t))}</h3>")
        if f"board-{side}.png" in images:
            out.append(_figure(f"board-{side}.png", images[f"board-{side}.png"], labels.side_strength(side, t)))
        according = _("According to informal workers") if side == FORMAL else _("According to formal workers")
        out.append('<div class="grid">')
        for cell in views.board[side]:
            out.append(f'<div class="card"><h4>{escape(labels.category_label(cell.category, t))}</h4>')
            out.append(
                f"<p><strong>{escape(according)}</strong> {_side(other_side(side), t)}</p>"
                f"{_tally(cell.by_others, t, reading=reading)}"
            )
            themselves = _("According to themselves")
            out.append(
                f"<p><strong>{escape(themselves)}</strong> {_side(side, t)}</p>"
                f"{_tally(cell.by_themselves, t, reading=reading)}"
            )
            if cell.shared:
                words = _words((w for w, _o, _s in cell.shared), len(cell.shared), t)
                meet = _("Where the views meet")
                out.append(f'<p><span class="meet">{escape(meet)}:</span> {words}</p>')
            if cell.uncompared and (cell.by_others.entries and cell.by_themselves.entries):
                named = ", ".join(reading.named(lang) for lang in cell.uncompared)
                note = _("Not compared: answers in {languages} have no translation and the other side did not write in it.")
                out.append(f'<p class="muted">{escape(note.format(languages=named))}</p>')
            if cell.only_others:
                words = _words((w for w, _n in cell.only_others), len(cell.only_others), t, 8)
                only = _("Only the other side mentions")
                out.append(f"<p><strong>{escape(only)}:</strong> {words}</p>")
            if cell.only_themselves:
                words = _words((w for w, _n in cell.only_themselves), len(cell.only_themselves), t, 8)
                only = _("Only they themselves mention")
                out.append(f"<p><strong>{escape(only)}:</strong> {words}</p>")
            out.append("</div>")
        out.append("</div>")
    return "".join(out)


def _tree(views: Views, images: dict[str, bytes], t: NullTranslations, reading: Reading) -> str:
    _ = t.gettext
    tree = views.tree
    out = [_figure("tree.png", images["tree.png"], labels.view_title("tree", t))] if "tree.png" in images else []
    out.append('<div class="grid">')
    parts = (
        (_("Fruits: goals"), tree.fruits),
        (_("Roots: what we bring"), tree.roots),
        (_("Sun: conditions for success"), tree.sun),
        (_("Watering can: what we need from others"), tree.can),
    )
    for title, tally in parts:
        count = labels.people_count(tally.people, t)
        out.append(
            f'<div class="card"><h4>{escape(title)} <span class="muted">({escape(count)})</span></h4>'
            f"{_tally(tally, t, reading=reading)}</div>"
        )
    rows = "".join(
        f'<li>{escape(labels.role_label(role, t))} <span class="n">×{n}</span></li>' for role, n in tree.trunk
    )
    people = labels.people_count(tree.trunk_people, t)
    trunk, none = _("Trunk: roles"), _("(none)")
    out.append(f'<div class="card"><h4>{escape(trunk)} <span class="muted">({escape(people)})</span></h4>')
    out.append(f"<ul>{rows}</ul></div>" if rows else f'<p class="muted">{escape(none)}</p></div>')
    out.append("</div>")
    return "".join(out)


def _roles(views: Views, t: NullTranslations) -> str:
    _ = t.gettext
    intro = _("Which roles people take on themselves, and which they expect from the other side.")
    meet, meet_means = _("They meet"), _("taken on and expected")
    gap, gap_means = _("Gap"), _("expected, but nobody takes it on")
    out = [f"<p>{escape(intro)} "]
    out.append(
        f'<span class="meet">{escape(meet)}</span>: {escape(meet_means)}. '
        f'<span class="gap">{escape(gap)}</span>: {escape(gap_means)}.</p>'
    )
    for side in (FORMAL, "informal"):
        title = _("Roles of formal workers") if side == FORMAL else _("Roles of informal workers")
        out.append(f'<h3>{escape(title)}</h3><div class="scroll"><table><thead><tr>')
        for head in (_("Role"), _("Taken on by"), _("Expected by"), _("In the trunk"), _("Status")):
            out.append(f"<th>{escape(head)}</th>")
        out.append("</tr></thead><tbody>")
        for row in (r for r in views.roles if r.side == side):
            if row.meets:
                status = f'<span class="meet">{escape(meet)}</span>'
            elif row.gap:
                status = f'<span class="gap">{escape(gap)}</span>'
            elif row.taken_by:
                status = escape(_("nobody asked for it"))
            else:
                status = ""
            out.append(
                f"<tr><td>{escape(labels.role_label(row.role, t))}</td>"
                f'<td><span class="n">{len(row.taken_by)}</span> {_names(row.taken_by, t)}</td>'
                f'<td><span class="n">{len(row.expected_by)}</span> {_names(row.expected_by, t)}</td>'
                f'<td class="n">{row.in_trunk}</td><td>{status}</td></tr>'
            )
        out.append("</tbody></table></div>")
    return "".join(out)


def _market(views: Views, t: NullTranslations, reading: Reading) -> str:
    _ = t.gettext
    market = views.market
    answers = views.answers
    heading = _("Suggested conversations")
    out = [f"<h3>{escape(heading)}</h3>"]
    out.append(
        _paragraph(
            _(
                "A role one person expects that someone of the other side takes on, or a need whose words occur in "
                "what someone of the other side offers: a start for a conversation, not a verdict."
            )
        )
    )
    if not market.matches:
        out.append(
            _paragraph(_("No suggestions yet: they appear when both sides said what they look for and offer."), "muted")
        )
    else:
        out.append("<ul>")
        for m in market.matches[:MATCHES]:
            reasons = []
            if m.roles:
                roles = ", ".join(f"“{labels.role_label(r, t)}”" for r in m.roles)
                reasons.append(escape(_("roles: {roles}").format(roles=roles)))
            if m.words:
                words = ", ".join(f"<bdi>{escape(w)}</bdi>" for w in m.words)
                reasons.append(escape(_("words: {words}")).format(words=words))
            out.append(f"<li>{_who(m.seeker, t)} → {_who(m.offerer, t)}: {'; '.join(reasons)}</li>")
        out.append(_more(len(market.matches) - MATCHES, t) + "</ul>")
    per_participant = _("Per participant")
    out.append(f'<h3>{escape(per_participant)}</h3><div class="scroll"><table><thead><tr>')
    for head in (_("Participant"), _("Looks for"), _("Offers")):
        out.append(f"<th>{escape(head)}</th>")
    out.append("</tr></thead><tbody>")
    for w in market.wishes:
        person = w.person

        def cell(pairs: Sequence[tuple[str, str]], roles: Sequence[str], person: Participant = person) -> str:
            items = [
                f"<li>{_typed(text, answers.language(person, key), reading, cls='answer')}</li>" for key, text in pairs
            ]
            items += [f"<li>{escape(labels.role_label(r, t))}</li>" for r in roles]
            return f"<ul>{''.join(items)}</ul>" if items else ""

        out.append(
            f"<tr><td>{_who(person, t)} {_side(w.side, t)}</td><td>{cell(w.seeks, w.expects)}</td>"
            f"<td>{cell(w.offers, w.takes)}</td></tr>"
        )
    out.append("</tbody></table></div>")
    return "".join(out)


def _pitfalls(views: Views, t: NullTranslations, reading: Reading) -> str:
    _ = t.gettext
    pit = views.pitfalls
    out = [
        _paragraph(
            _("{answered} answered the question which pitfalls apply.").format(
                answered=labels.people_count(pit.answered, t)
            )
        )
    ]
    out.append('<div class="scroll"><table><thead><tr>')
    for head in (_("Pitfall"), _("Recognised by"), _("Formal workers"), _("Informal workers")):
        out.append(f"<th>{escape(head)}</th>")
    out.append("</tr></thead><tbody>")
    for row in pit.rows:
        share = 100 * len(row.people) / pit.answered if pit.answered else 0
        out.append(
            f"<tr><td>{escape(labels.pitfall_label(row.pitfall, t))}</td>"
            f'<td><span class="n">{len(row.people)}</span> '
            f'<span class="bar" style="width:{share * 0.6:.0f}px"></span></td>'
            f'<td class="n">{row.by_side.get(FORMAL, 0)}</td><td class="n">{row.by_side.get("informal", 0)}</td></tr>'
        )
    out.append("</tbody></table></div>")
    for row in pit.rows:
        if not row.explanations:
            continue
        out.append(f"<h4>{escape(labels.pitfall_label(row.pitfall, t))}</h4><ul>")
        for person, text, language in row.explanations:
            out.append(f"<li>{_who(person, t)}: {_typed(text, language, reading, cls='answer')}</li>")
        out.append("</ul>")
    return "".join(out)


def _voice(item: Mapping[str, object], lang: str | None, t: NullTranslations, names: Mapping[str, str], transcripts: Mapping[str, str]) -> str:
    """A voice answer: a player for its file beside the page (when written there), length, typed line, transcript."""
    _ = t.gettext
    ref = str(item[VOICE])
    length = _("voice message ({duration})").format(duration=duration(int(item.get("seconds", 0))))  # type: ignore[call-overload]
    out = [f'<span class="voice">{MIC} {escape(length)}</span>']
    if ref in names:
        out.append(f'<audio controls preload="none" src="{escape(names[ref])}"></audio>')
    if item.get("text"):
        out.append(_user(str(item["text"]), lang, cls="answer"))
    if ref in transcripts:
        marked = _("automatic transcript:")
        out.append(f'<span class="muted">{escape(marked)}</span> {_user(transcripts[ref], None, cls="answer")}')
    return " ".join(out)


def _all_answers(
    views: Views, t: NullTranslations, reading: Reading, audio_names: Mapping[str, str] | None = None
) -> str:
    """Every answer of every participant, by question: nothing the views summarise is lost."""
    data = views.answers.data
    names = audio_names or {}
    reader = Reader(t, names, data.transcripts)
    sides = {side: _side(side, t) for side in (FORMAL, "informal", None)}
    who = {p.id: _who(p, t) + " " + sides[views.answers.side[p.id]] for p in data.participants}
    out = []
    current = None
    for _flow, _step, _key, rows in by_question(data):
        exercise, question = reader.names(rows[0])
        if exercise != current:
            out.append(f"<h3>{escape(exercise)}</h3>")
            current = exercise
        out.append(f"<h4>{escape(question)}</h4><ul>")
        for row in rows:
            items = reader.values(row)
            lang = row.answer.language if row.typed else None
            raw = reader.items(row)
            shown = [
                _voice(r, lang, t, names, data.transcripts)  # type: ignore[arg-type]
                if row.typed and is_voice(r)
                else _typed(v, lang, reading, cls="answer")
                for v, r in zip(items, raw, strict=False)
            ]
            if isinstance(row.answer.value, list):
                inner = "".join(f"<li>{s}</li>" for s in shown)
                none = t.gettext("(none)")
                body = f"<ul>{inner}</ul>" if items else f'<span class="muted">{escape(none)}</span>'
            else:
                body = shown[0] if shown else _user("", lang, cls="answer")
            out.append(f"<li>{who[row.person.id]}: {body}</li>")
        out.append("</ul>")
    nothing = t.gettext("(no answers yet)")
    return "".join(out) or f'<p class="muted">{escape(nothing)}</p>'


def document(
    views: Views, images: dict[str, bytes], t: NullTranslations, language: str, audio_names: Mapping[str, str] | None = None
) -> str:
    _ = t.gettext
    data = views.answers.data
    workshop = data.workshop
    reading = Reading(views.answers, t, language)
    sections: list[tuple[str, str]] = [("progress", _progress(views, t))]
    if "b" in views.exercises:
        sections.append(("board", _board(views, images, t, reading)))
    if "e" in views.exercises:
        sections.append(("tree", _tree(views, images, t, reading)))
        sections.append(("roles", _roles(views, t)))
    if views.exercises & {"a", "b", "e"}:
        sections.append(("market", _market(views, t, reading)))
    if "e" in views.exercises:
        sections.append(("pitfalls", _pitfalls(views, t, reading)))
    sections.append(("answers", _all_answers(views, t, reading, audio_names)))

    sides = views.answers.side.values()
    facts = [
        labels.people_count(len(data.participants), t),
        _("formal: {formal}, informal: {informal}").format(
            formal=sum(s == FORMAL for s in sides), informal=sum(s == "informal" for s in sides)
        ),
    ]
    if workshop.meeting_at is not None:
        facts.insert(0, _("Meeting: {when}").format(when=format_meeting(workshop.meeting_at, language)))
    made = _("Made on {when}").format(when=format_meeting(datetime.now(UTC), language))
    title = _("Meeting pack")
    toc = "".join(f'<li><a href="#{view}">{escape(labels.view_title(view, t))}</a></li>' for view, _body in sections)
    body = "".join(
        f'<section id="{view}"><h2>{escape(labels.view_title(view, t))}</h2>{html}</section>' for view, html in sections
    )
    direction = "rtl" if is_rtl(language) else "ltr"
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}" dir="{direction}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}: {escape(workshop.title)}</title><style>{STYLE}</style></head><body><main>"
        f"<header><h1>{escape(title)}: <bdi>{escape(workshop.title)}</bdi></h1>"
        f'<p>{escape(" · ".join(facts))}</p><p class="muted">{escape(made)}</p>'
        f'<p class="muted">{escape(reading.legend())}</p>'
        f"<nav><ol>{toc}</ol></nav></header>{body}</main></body></html>\n"
    )
