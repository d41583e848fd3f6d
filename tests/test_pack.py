"""The facilitator's meeting pack: views that count right, every answer in the HTML and the CSV,
text of every script intact, pictures that are real PNGs, nothing from another workshop."""

from __future__ import annotations

import base64
import csv
import importlib.util
import io
import sys
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image, ImageFont

from bot.engine.render import option_label
from bot.flows import all_flows
from bot.i18n import strip_isolates, translations
from bot.pack import Pack, build_pack, labels, write_pack
from bot.pack.csv_export import FORMULA_STARTS, safe_cell
from bot.pack.messages import LIMIT
from bot.pack.pictures import board, tree
from bot.pack.pictures.bidi import visual
from bot.pack.pictures.drawing import LEVELS, Style, font, hyphenating, width, wrap
from bot.pack.pictures.shaping import runs
from bot.pack.views import compute
from bot.progress import split_answered
from storage import Database
from storage import repository as repo
from storage.repository import WorkshopAnswers

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The hand-made workshop: two formal and two informal workers, Fatima answers in Arabic, Yusuf
# has one answer in Tigrinya and some that a spreadsheet would take for formulas; Piet joined
# but did nothing yet. The right counts are written in the tests below.
PEOPLE = {
    "Anne": (
        "formal",
        "Wijkteam Zuid",
        "nl",
        {
            "intro.consent": "yes",
            "a.seek": "Contact met moeders in de wijk",
            "a.offer": "Kennis van de sociale kaart",
            "a.focus": "both",
            "a.goals": ["fg1", "cg2"],
            "b.other_knowledge": ["Kennis van de cultuur", "Vertrouwen van ouders"],
            "b.own_knowledge": ["Kennis van opvoeding"],
            "b.other_skills": ["Luisteren"],
            "b.own_skills": ["Gespreksvoering"],
            "d.power_recognise": "yes",
            "e.need": "Sleutelpersonen die meedenken",
            "e.fruits": ["Kleine problemen blijven klein", "Ouders vinden de weg"],
            "e.roots": ["Pedagogische kennis"],
            "e.sun": ["Tijd van het management"],
            "e.can": ["Tolken"],
            "e.roles_own": ["f_coord", "f_expert"],
            "e.roles_other": ["i_confidant", "i_interpreter"],
            "e.trunk": ["f_coord", "i_confidant"],
            "e.pitfalls": ["p_structure", "p_diversity"],
            "e.p_structure": "Alleen overleg als er brand is",
        },
    ),
    "Bram": (
        "formal",
        None,
        "nl",
        {
            "b.other_knowledge": ["kennis van de  cultuur!"],
            "b.own_knowledge": ["Kennis van de sociale kaart"],
            "e.fruits": ["Kleine problemen blijven klein"],
            "e.roles_own": ["f_coord"],
            "e.roles_other": ["i_confidant", "i_referrer"],
            "e.trunk": ["f_coord", "i_referrer"],
            "e.pitfalls": ["p_structure"],
            "e.p_structure": "We zien elkaar te weinig",
        },
    ),
    "فاطمة": (
        "keyfigure",
        "جمعية الأمل",
        "ar",
        {
            "a.seek": "معلومات عن المدارس (للأمهات)",
            "a.offer": "الوصول إلى الأمهات",
            "b.other_knowledge": ["معرفة بالقوانين"],
            "b.own_knowledge": ["معرفة الثقافة"],
            "e.fruits": ["أمهات يتحدثن عن التربية"],
            "e.roots": ["ثقة العائلات"],
            "e.sun": ["تمويل ثابت"],
            "e.roles_own": ["i_confidant", "i_interpreter"],
            "e.roles_other": ["f_coord", "f_guard"],
            "e.trunk": ["i_confidant", "f_coord"],
            "e.pitfalls": ["p_balance"],
            "e.p_balance": "المتطوعون يتعبون بسرعة",
        },
    ),
    "Yusuf": (
        "volunteer",
        "Buurtvaders",
        "nl",
        {
            "a.seek": "Uitleg over de sociale kaart",
            "a.offer": "Vertalen voor moeders",
            "b.own_knowledge": ["De cultuur van de wijk"],
            "e.need": "=1+2",
            "e.sun": ["ግዜን ቦታን", "+31 6 1234"],
            "e.can": ["-meer tijd", "Tolken"],
            "e.roots": ["@buurt"],
            "e.roles_own": ["i_confidant"],
            "e.roles_other": ["f_coord"],
            "e.trunk": ["i_confidant", "f_coord"],
            "e.pitfalls": ["p_balance", "p_structure"],
        },
    ),
    "Piet": (None, None, "nl", {}),
}
POSITIONS = {  # completed flows, finished
    "Anne": (["intro", "a", "b", "c", "d", "e"], True),
    "Bram": (["intro", "a", "b"], False),
    "فاطمة": (["intro", "a", "b", "c", "d", "e"], False),
}


def make_workshop(db: Database, title: str = "Werkplaats Oost", people: dict = PEOPLE) -> str:
    with db.session() as session:
        workshop = repo.create_workshop(session, title, "term:facilitator", length="full")
        for index, (name, (role, org, language, answers)) in enumerate(people.items()):
            person = repo.join(session, workshop, f"term:{title}:{index}", language=language)
            person.display_name, person.role, person.organisation = name, role, org
            person.pack_named = True  # they chose their name on the wall
            session.add(person)
            profile = {
                "intro.name": name,
                **({"intro.role": role} if role else {}),
                **({"intro.org": org} if org else {}),
            }
            repo.save_answers(session, person.id, {**profile, **answers}, language)
            if name in POSITIONS:
                completed, finished = POSITIONS[name]
                repo.save_position(session, person.id, "review", "overview", completed, finished)
        return workshop.code


def load(db: Database, code: str) -> WorkshopAnswers:
    with db.session() as session:
        workshop = repo.workshop_by_code(session, code)
        assert workshop is not None
        return repo.workshop_answers(session, workshop)


@pytest.fixture
def data(db: Database) -> WorkshopAnswers:
    return load(db, make_workshop(db))


@pytest.fixture
def pack(data: WorkshopAnswers) -> Pack:
    return build_pack(data, "en")


def read_csv(pack: Pack) -> list[list[str]]:
    assert pack.csv.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(pack.csv.decode("utf-8-sig"), newline="")))


def names(people) -> set[str]:
    return {p.display_name for p in people}


def expected_texts(data: WorkshopAnswers, language: str = "en") -> list[tuple[str, str, list[str]]]:
    """(participant, answer key, texts as the pack must show them) for every stored answer."""
    t = translations(language)
    steps = {flow.key(step): step for flow in all_flows() for step in flow.steps}
    found = []
    for person in data.participants:
        for key, answer in data.answers[person.id].items():
            step = steps[key]
            items = answer.value if isinstance(answer.value, list) else [answer.value]
            if step.options or step.kind.value == "yesno":
                items = [option_label(step, v, t) for v in items]
                if len(items) > 1:  # option sentences joined without their full stops
                    items = [item.rstrip(" .") for item in items]
            found.append((person.display_name, key, items))
    return found


# --- the views count right --------------------------------------------------------------------


def test_roles_meet_and_gaps(data: WorkshopAnswers) -> None:
    rows = {r.role: r for r in compute(data).roles}
    assert names(rows["f_coord"].taken_by) == {"Anne", "Bram"}
    assert names(rows["f_coord"].expected_by) == {"فاطمة", "Yusuf"}
    assert names(rows["i_confidant"].taken_by) == {"فاطمة", "Yusuf"}
    assert names(rows["i_confidant"].expected_by) == {"Anne", "Bram"}
    assert {r.role for r in rows.values() if r.meets} == {"f_coord", "i_confidant", "i_interpreter"}
    assert {r.role for r in rows.values() if r.gap} == {"f_guard", "i_referrer"}
    assert names(rows["f_expert"].taken_by) == {"Anne"} and not rows["f_expert"].expected_by
    assert rows["f_coord"].side == "formal" and rows["i_referrer"].side == "informal"
    assert (rows["f_coord"].in_trunk, rows["i_confidant"].in_trunk, rows["i_referrer"].in_trunk) == (4, 3, 1)


def test_tree_counts(data: WorkshopAnswers) -> None:
    t = compute(data).tree
    assert t.trunk == (("f_coord", 4), ("i_confidant", 3), ("i_referrer", 1))
    assert t.trunk_people == 4
    fruits = [(e.text, e.count) for e in t.fruits.entries]
    assert fruits == [
        ("Kleine problemen blijven klein", 2),
        ("Ouders vinden de weg", 1),
        ("أمهات يتحدثن عن التربية", 1),
    ]
    assert t.fruits.people == 3 and t.fruits.mentions == 4
    assert [e.text for e in t.sun.entries] == ["Tijd van het management", "تمويل ثابت", "ግዜን ቦታን", "+31 6 1234"]
    assert [(e.text, e.count) for e in t.can.entries] == [("Tolken", 2), ("-meer tijd", 1)]
    assert t.fruits.entries[2].language == "ar"


def test_strength_board_where_views_meet(data: WorkshopAnswers) -> None:
    board = compute(data).board
    informal = {cell.category: cell for cell in board["informal"]}["knowledge"]
    # What formal workers wrote about informal workers: the same item twice, spelled differently.
    assert [(e.text, e.count) for e in informal.by_others.entries] == [
        ("Kennis van de cultuur", 2),
        ("Vertrouwen van ouders", 1),
    ]
    assert [e.text for e in informal.by_themselves.entries] == ["معرفة الثقافة", "De cultuur van de wijk"]
    assert informal.shared == (("cultuur", 2, 1),)
    assert informal.only_others == (("Kennis", 2), ("ouders", 1), ("Vertrouwen", 1))
    # Like with like: Fatima's untranslated Arabic words are not "only named by themselves", since no
    # formal worker wrote Arabic; the cell names the language it could not compare.
    assert {w for w, _n in informal.only_themselves} == {"wijk"}
    assert informal.compared == ("nl",) and informal.uncompared == ("ar",)
    formal = {cell.category: cell for cell in board["formal"]}["knowledge"]
    assert [e.text for e in formal.by_others.entries] == ["معرفة بالقوانين"]
    assert formal.by_themselves.people == 2 and formal.shared == ()
    assert not formal.comparable and formal.only_others == () and formal.only_themselves == ()
    skills = {cell.category: cell for cell in board["informal"]}["skills"]
    assert [e.text for e in skills.by_others.entries] == ["Luisteren"] and skills.by_themselves.entries == ()


def test_market_suggests_matches_between_the_sides(data: WorkshopAnswers) -> None:
    market = compute(data).market
    found = {(m.seeker.display_name, m.offerer.display_name, m.roles, m.words) for m in market.matches}
    assert found == {
        ("Anne", "فاطمة", ("i_confidant", "i_interpreter"), ()),
        ("Anne", "Yusuf", ("i_confidant",), ("moeders", "wijk")),
        ("Bram", "فاطمة", ("i_confidant",), ()),
        ("Bram", "Yusuf", ("i_confidant",), ()),
        ("فاطمة", "Anne", ("f_coord",), ()),
        ("فاطمة", "Bram", ("f_coord",), ()),
        ("Yusuf", "Anne", ("f_coord",), ("kaart", "sociale")),
        ("Yusuf", "Bram", ("f_coord",), ("kaart", "sociale")),
    }
    assert market.matches[0].score == 4
    wishes = {w.person.display_name: w for w in market.wishes}
    assert "Piet" not in wishes
    assert wishes["Anne"].seeks == (
        ("a.seek", "Contact met moeders in de wijk"),
        ("e.need", "Sleutelpersonen die meedenken"),
        ("e.can", "Tolken"),
    )
    assert ("a.offer", "Kennis van de sociale kaart") in wishes["Anne"].offers
    assert wishes["فاطمة"].expects == ("f_coord", "f_guard") and wishes["فاطمة"].takes == (
        "i_confidant",
        "i_interpreter",
    )


def test_pitfalls_counts(data: WorkshopAnswers) -> None:
    pit = compute(data).pitfalls
    rows = {r.pitfall: r for r in pit.rows}
    assert pit.answered == 4
    assert {k: len(r.people) for k, r in rows.items()} == {
        "p_diversity": 1,
        "p_informal": 0,
        "p_balance": 2,
        "p_structure": 3,
        "p_management": 0,
        "p_coordination": 0,
    }
    assert rows["p_structure"].by_side == {"formal": 2, "informal": 1}
    assert [(p.display_name, text) for p, text, _lang in rows["p_structure"].explanations] == [
        ("Anne", "Alleen overleg als er brand is"),
        ("Bram", "We zien elkaar te weinig"),
    ]
    assert [lang for _p, _text, lang in rows["p_balance"].explanations] == ["ar"]


def test_progress(data: WorkshopAnswers) -> None:
    p = compute(data).progress
    assert p.exercises == ("a", "b", "c", "d", "e")
    assert p.done == {"a": 3, "b": 3, "c": 2, "d": 2, "e": 2}
    assert names(p.finished) == {"Anne", "فاطمة"}  # Fatima finished every exercise without pressing "finish"
    assert names(p.not_started) == {"Piet"}
    rows = {r.person.display_name: r for r in p.rows}
    assert rows["Bram"].completed == ("a", "b") and rows["Bram"].current == "review"
    assert rows["Yusuf"].started and not rows["Yusuf"].completed  # answers, but no position saved


# --- every answer in both files ---------------------------------------------------------------


def test_every_answer_is_in_the_html(data: WorkshopAnswers, pack: Pack) -> None:
    expected = expected_texts(data)
    assert len(expected) == sum(len(a) for a in data.answers.values()) > 50
    for _name, key, texts in expected:
        for text in texts:
            assert escape(text) in pack.html, (key, text)
    for person in data.participants:
        assert escape(person.display_name) in pack.html


def test_every_answer_is_in_the_csv_once(data: WorkshopAnswers, pack: Pack) -> None:
    rows = read_csv(pack)
    header, body = rows[0], rows[1:]
    assert header == [
        "Workshop",
        "Participant",
        "Role",
        "Organisation",
        "Language",
        "Exercise",
        "Question",
        "Answer",
        "Machine translation",
        "Time (Europe/Amsterdam)",
    ]
    assert all(len(row) == 10 for row in body)
    assert {row[8] for row in body} == {""}  # nothing translated: no provider
    assert not [row for row in body if ".; " in row[7]]  # chosen sentences are joined without ".;"
    expected = expected_texts(split_answered(data))  # Piet joined but never answered: not in the answers
    assert "Piet" not in {row[1] for row in body}
    assert len(body) == len(expected)
    # A cell that starts like a formula has an apostrophe before it; the text after it is unchanged.
    cells = [(row[1], row[7][1:] if row[7].startswith("'") else row[7]) for row in body]
    for name, key, texts in expected:
        assert (name, "; ".join(texts)) in cells, key
    assert {row[0] for row in body} == {"Werkplaats Oost"}


def test_csv_guards_against_formulas(pack: Pack) -> None:
    answers = {row[7] for row in read_csv(pack)[1:]}
    assert {"'=1+2", "'@buurt", "'-meer tijd; Tolken"} <= answers
    assert "ግዜን ቦታን; '+31 6 1234" not in answers and "ግዜን ቦታን; +31 6 1234" in answers  # only the cell's start counts
    assert not [a for a in answers if a.startswith(FORMULA_STARTS)]
    for value in ("=SUM(A1)", "+1", "-2", "@x", "\tx", "\rx"):
        assert safe_cell(value) == "'" + value
    assert safe_cell("gewoon") == "gewoon" and safe_cell("") == ""


def test_csv_round_trips_awkward_text(db: Database) -> None:
    awkward = 'Zegt "ja", dan; nee\nnieuwe regel, ‏سلام‏'
    code = make_workshop(db, people={'Eva, "de" tester': ("formal", "A;B", "nl", {"a.seek": awkward})})
    rows = read_csv(build_pack(load(db, code), "nl"))
    seek = [row for row in rows[1:] if row[7] == awkward]
    assert len(seek) == 1 and seek[0][1] == 'Eva, "de" tester' and seek[0][3] == "A;B"


def test_choices_show_in_the_facilitators_language(data: WorkshopAnswers, pack: Pack) -> None:
    rows = {(row[1], row[6]): row for row in read_csv(pack)[1:]}
    assert rows["Anne", "Roles I take on myself"][7] == "Coordinator; Expert"
    assert rows["فاطمة", "Role"][2] == "Informal worker: key figure in a community"
    assert rows["Anne", "Family focus or community focus"][7] == "Both"


# --- scripts and directions -------------------------------------------------------------------


def test_rtl_and_ethiopic_answers_survive(data: WorkshopAnswers, pack: Pack) -> None:
    csv_text = pack.csv.decode("utf-8-sig")
    for text in ("معلومات عن المدارس (للأمهات)", "المتطوعون يتعبون بسرعة", "ግዜን ቦታን", "جمعية الأمل", "فاطمة"):
        assert text in csv_text
        assert text in pack.html
    # Not translated (no provider): the language is named in the reader's language.
    assert (
        '<li><span dir="auto" lang="ar" class="answer">أمهات يتحدثن عن التربية</span> '
        '<span class="lang">(Arabic)</span></li>'
    ) in pack.html
    assert 'lang="nl" class="answer">Tolken</span>' in pack.html
    assert '<html lang="en" dir="ltr">' in pack.html


def test_arabic_facilitator_gets_a_right_to_left_document(data: WorkshopAnswers) -> None:
    for language in ("ar", "fa"):
        html = build_pack(data, language).html
        assert f'<html lang="{language}" dir="rtl">' in html
        assert 'dir="auto" lang="nl"' in html  # Dutch answers keep their own direction inside


def test_html_is_self_contained_and_escapes_user_text(db: Database) -> None:
    people = {"<b>Eve</b>": ("formal", "<script>x</script>", "nl", {"a.seek": "<img src=x onerror=alert(1)>"})}
    html = build_pack(load(db, make_workshop(db, title="<i>T</i>", people=people)), "nl").html
    for raw in ("<b>Eve</b>", "<script>x</script>", "<img src=x", "<i>T</i>"):
        assert raw not in html
    assert escape("<img src=x onerror=alert(1)>") in html and escape("<b>Eve</b>") in html
    assert "http://" not in html and "https://" not in html and "<link" not in html and "<script" not in html
    assert "@media print" in html and "@page" in html and 'name="viewport"' in html


def _hostile(tag: str) -> str:
    return f"""<script>alert("{tag}")</script>&'q'</li></ul>"""  # short: the title goes into a user key


def test_participant_text_in_every_field_arrives_escaped(db: Database) -> None:
    """Every typed answer, the name, the organisation and the workshop's title carry markup,
    quotes and ampersands: the page shows each of them as text and contains no markup of theirs."""
    from markupsafe import escape as markup_escape

    from bot.engine.model import Kind

    answers: dict[str, str | list[str]] = {}
    for flow in all_flows():
        for step in flow.steps:
            if step.kind is Kind.TEXT:
                answers[flow.key(step)] = _hostile(flow.key(step))
            elif step.kind is Kind.LIST:
                answers[flow.key(step)] = [_hostile(flow.key(step) + ":1"), _hostile(flow.key(step) + ":2")]
    assert len(answers) > 30
    people = {
        _hostile("name"): ("formal", _hostile("org"), "nl", answers),
        "Ahmed": ("keyfigure", None, "ar", answers),
    }
    html = build_pack(load(db, make_workshop(db, title=_hostile("title"), people=people)), "nl").html
    assert "<script" not in html and "</script>&" not in html
    for tag in ("name", "org", "title", *(k for k in answers)):
        for suffix in (":1", ":2") if isinstance(answers.get(tag), list) else ("",):
            assert str(markup_escape(_hostile(tag + suffix))) in html, tag + suffix
    parser = _Nesting()
    parser.feed(html)
    assert parser.wrong == [] and parser.open == []  # no "</li></ul>" of theirs closed an element


def test_the_templates_escape_by_default() -> None:
    """Fails if autoescaping were turned off: a value printed by a template, with no filter or
    call asking for it, comes out escaped."""
    from bot.pack.html import environment

    env = environment()
    assert env.autoescape is True
    assert env.from_string("<p>{{ x }}</p>").render(x="<b>&\"'") == "<p>&lt;b&gt;&amp;&#34;&#39;</p>"
    macros = env.get_template("macros.html").make_module({"words": {}, "more": str, "person_of": None})
    assert str(macros.user("<script>x</script>", "ar")) == (
        '<span dir="auto" lang="ar">&lt;script&gt;x&lt;/script&gt;</span>'
    )


class _Nesting(HTMLParser):
    """Records every end tag that does not close the element opened last."""

    VOID = frozenset({"meta", "img", "br", "hr", "link", "source"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.wrong: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.wrong.append(tag)


def test_html_elements_are_properly_nested(pack: Pack) -> None:
    parser = _Nesting()
    parser.feed(pack.html)
    assert parser.wrong == [] and parser.open == []
    assert pack.html.count("<section") == 7  # every view of a workshop with all exercises, and all answers


def test_bidi_orders_and_mirrors_right_to_left_text() -> None:
    assert visual("abc") == "abc"
    assert visual("سلام") == "مالس"
    assert visual("Amina: سلام") == "Amina: مالس"
    assert visual("سلام (دنیا)") == "(ایند) مالس"  # brackets turn to face what they enclose
    assert visual("سلام 123") == "123 مالس"  # numbers stay left to right
    assert visual("\u2068Utrecht – سلام\u2069 · 5 people") == "Utrecht – مالس · 5 people"
    assert visual("سلام: \u2068Amina (x)\u2069") == "Amina (x) :مالس"


def test_widths_added_up_letter_by_letter_match_whole_runs() -> None:
    """The pictures measure text letter by letter (drawing.width); with basic layout that must
    equal what FreeType measures for the whole run, or wrapped lines would overflow."""
    for text in ("Coördinatie en helderheid, ×2 +3 meer", "الشبكة مساعدة الحي (للأمهات)", "ወለዲ ሓገዝ ብግዜ", "Батьки ґ є ї"):
        for size, bold in ((21, False), (28, True)):
            whole = sum(font(script, size, bold).getlength(piece) for piece, script in runs(text))
            assert abs(width(text, size, bold) - whole) < 0.01, (text, size)


def test_each_script_gets_a_font_with_its_letters() -> None:
    samples = {
        "arabic": "أمهات يتحدثن عن التربية (المدارس) ١٢",
        "persian": "پدر و مادرها درباره تربیت صحبت می‌کنند ۱۵",
        "tigrinya": "ወለዲ ሓገዝ ብግዜ ይረኽቡ።",
        "ukrainian": "Батьки знаходять дорогу до CJG, ґ є ї",
        "dutch": "Ouders vinden de weg: één café",
    }
    seen = set()
    for text in samples.values():
        for piece, script in runs(text):
            seen.add(script)
            face = font(script, 24)
            missing = bytes(face.getmask("\uffff"))  # what the font draws for a letter it lacks
            for char in piece.replace(" ", "").replace("\u200c", ""):
                assert bytes(face.getmask(char)) != missing, (script, char)
    assert seen == {"latin", "arabic", "ethiopic"}
    shaped = "".join(piece for piece, _script in runs("سلام"))
    assert all(0xFE70 <= ord(c) <= 0xFEFF for c in shaped)  # joined letter forms, not isolated ones
    assert isinstance(font("arabic", 20, bold=True), ImageFont.FreeTypeFont)


# --- pictures and messages --------------------------------------------------------------------


def test_pictures_are_png_of_the_expected_size(pack: Pack) -> None:
    sizes = {
        "tree.png": tree.SIZE,
        "tree-16x9.png": tree.WIDE,
        "board-informal.png": (board.SIZE[0], None),  # as tall as its content
        "board-formal.png": (board.SIZE[0], None),
        "board-informal-16x9.png": board.WIDE,
        "board-formal-16x9.png": board.WIDE,
    }
    assert set(pack.images) == set(sizes)
    for name, content in pack.images.items():
        assert content.startswith(PNG_SIGNATURE)
        image = Image.open(io.BytesIO(content))
        image.verify()
        image = Image.open(io.BytesIO(content))
        width, height = sizes[name]
        assert image.format == "PNG" and image.size[0] == width and image.size[1] == (height or image.size[1])
        assert len(image.convert("L").getcolors(256) or []) > 20  # drawn on, not a blank page
        if "16x9" not in name:  # the print versions are in the page; the projector ones are files
            assert f"data:image/png;base64,{base64.b64encode(content).decode()[:60]}" in pack.html
    wide_tree = Image.open(io.BytesIO(pack.images["tree-16x9.png"]))
    assert wide_tree.size[0] * 9 == wide_tree.size[1] * 16


def test_boards_are_as_tall_as_their_content(data: WorkshopAnswers, db: Database) -> None:
    """A small workshop's board is short (no fixed-height, mostly white boxes); a large one
    still fits an A4 page. The phone version is narrow."""
    small = build_pack(data, "nl").images["board-informal.png"]
    small_height = Image.open(io.BytesIO(small)).size[1]
    assert small_height < 0.65 * board.SIZE[1]
    workshop = generated(db, 60)
    with db.session() as session:
        big = build_pack(repo.workshop_answers(session, workshop), "nl")
    big_height = Image.open(io.BytesIO(big.images["board-informal.png"])).size[1]
    assert small_height < big_height <= board.SIZE[1]
    views = compute(data)
    phone = board.render("informal", views.board["informal"], translations("nl"), "nl", "x", "phone")
    assert phone.size[0] == board.PHONE_WIDTH and phone.size[1] < board.PHONE_MOST


def _parts_shown(drawing) -> dict[str, tuple[int, str]]:
    """Per part of a tree layout: (items shown, the "+N more" text)."""
    found = {}
    for part, placed, _top in drawing.texts:
        shown = sum(len(column) for column in placed.laid.columns)
        if part.items:
            found[part.heading or part.items[0][0]] = (shown, placed.laid.more)
    return found


@pytest.mark.parametrize("shape", ["a4", "wide", "phone"])
def test_tree_shows_everything_when_there_is_room(data: WorkshopAnswers, shape: str) -> None:
    views = compute(data)
    t = translations("nl")
    pitfalls = [(labels.pitfall_label(r.pitfall, t), len(r.people)) for r in views.pitfalls.rows]
    drawing = tree.layout(views.tree, pitfalls, t, "nl", "x", shape)
    shown = _parts_shown(drawing)
    assert len(shown) >= 6
    assert all(more == "" for _n, more in shown.values()), shown
    lines = [line for _p, placed, _t in drawing.texts for column in placed.laid.columns for ls, _b in column for line in ls]
    assert not [line for line in lines if line.endswith("…")]  # nothing shortened either


@pytest.mark.parametrize("shape", ["a4", "wide", "phone"])
def test_a_full_tree_is_shortened_evenly(db: Database, shape: str) -> None:
    """With more than fits, every part that has to give up items keeps about the same number
    (the crown is not half empty while others say "+N more")."""
    workshop = generated(db, 30)
    with db.session() as session:
        views = compute(repo.workshop_answers(session, workshop))
    t = translations("nl")
    pitfalls = [(labels.pitfall_label(r.pitfall, t), len(r.people)) for r in views.pitfalls.rows]
    drawing = tree.layout(views.tree, pitfalls, t, "nl", "x", shape)
    shown = _parts_shown(drawing)
    cut = {name: n for name, (n, more) in shown.items() if more}
    assert cut, "30 people write more than one picture holds"
    # A part in a column of its own may show more than one that shares its room; none is starved.
    assert max(cut.values()) <= (3.5 if shape == "wide" else 2.5) * min(cut.values()) and min(cut.values()) >= 5, shown
    if shape == "phone":  # narrow, and as tall as a phone's reader may scroll
        assert drawing.size[0] == tree.PHONE_WIDTH and drawing.size[1] <= tree.PHONE_MOST


def test_lines_are_cut_between_words(db: Database) -> None:
    style = Style(22)
    text = "Coördinatie en helderheid over verantwoordelijkheden in de samenwerking"
    room = width("Coördinatie en helderheid over verantwoordelijk", 22)
    lines = wrap(text, room, style, 1)
    assert lines == ["Coördinatie en helderheid over…"]
    assert wrap(text, room, style, 3)[-1].endswith("samenwerking")  # room enough: nothing cut
    # A word wider than the room is hyphenated as the picture's language does (pyphen's patterns), or
    # broken after a slash.
    with hyphenating("nl"):
        assert wrap("Vertrouwenspersoon", width("Vertrouwens-", 22) + 1, style, 2) == ["Vertrouwens-", "persoon"]
        assert wrap("Organisator/faciliterende", width("Organisator/facili", 22), style, 2) == ["Organisator/", "faciliterende"]
        assert wrap("Kinderopvang", width("Kinderop", 22), style, 2) == ["Kinder-", "opvang"]  # not Kinde-ropvang
    with hyphenating("uk"):
        assert wrap("відповідальність", width("відповідаль-", 22) + 1, style, 2)[0].endswith("-")


@pytest.mark.parametrize("language", ["nl", "uk"])
def test_the_wide_tree_breaks_words_only_where_they_may_break(
    db: Database, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 16:9 tree whose trunk holds "Organisator/faciliterende" and "Vertrouwenspersoon", wider
    than the trunk's lines: every line ends with a whole word, a hyphen or a slash, never in the
    middle of a word."""
    drawn: list[tuple[str, list[str]]] = []

    def recording(text: str, room: float, style: Style, max_lines: int) -> list[str]:
        lines = wrap(text, room, style, max_lines)
        drawn.append((text, lines))
        return lines

    monkeypatch.setattr(tree, "wrap", recording)
    monkeypatch.setattr("bot.pack.pictures.drawing.wrap", recording)
    trunk = {"e.trunk": ["f_organiser", "f_sparring", "i_confidant", "i_interpreter"]}
    views = compute(split_answered(_seven(db, {"Sanne": trunk, "Emre": trunk, "Ayşe": trunk})), language)
    tree.render(views.tree, [], translations(language), language, "x", "wide")


    def breaks(text: str, lines: list[str]) -> list[str]:
        """How each line but the last ends: "space", "slash", "dash" (as written), "hyphen" (added) or "letter"."""
        text, pos, found = " ".join(text.split()), 0, []
        for line in lines[:-1]:
            added = line.endswith("-") and not text.startswith(line, pos)
            piece = line[:-1] if added else line
            assert text.startswith(piece, pos), (text, lines)
            pos += len(piece)
            if pos < len(text) and text[pos] == " ":
                found.append("space")
                pos += 1
            else:
                found.append("hyphen" if added else {"/": "slash", "-": "dash"}.get(piece[-1], "letter"))
        return found

    ends = [(text, lines, breaks(text, lines)) for text, lines in drawn if not lines or not lines[-1].endswith("…")]
    assert not [found for found in ends if "letter" in found[2]], [found for found in ends if "letter" in found[2]]
    assert any({"slash", "dash", "hyphen"} & set(found) for _text, _lines, found in ends), drawn  # a word was too wide


@pytest.mark.parametrize("shape", ["a4", "wide", "phone"])
def test_root_lines_do_not_cross_the_roots_words(db: Database, shape: str) -> None:
    workshop = generated(db, 12)
    with db.session() as session:
        views = compute(repo.workshop_answers(session, workshop))
    t = translations("nl")
    drawing = tree.layout(views.tree, [], t, "nl", "x", shape)
    image = tree.render(views.tree, [], t, "nl", "x", shape).convert("RGB")
    roots_top = next(top for part, _placed, top in drawing.texts if part.items and part.bullet == tree.BARK)
    below = image.crop((0, int(roots_top) - 4, image.size[0], image.size[1]))
    assert tree.ROOT not in {colour for _n, colour in below.getcolors(1 << 20)}
    above = image.crop((0, int(drawing.ground), image.size[0], int(roots_top) - 4))
    assert tree.ROOT in {colour for _n, colour in above.getcolors(1 << 20)}  # the roots are there


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_right_to_left_pictures_start_on_the_right(data: WorkshopAnswers, language: str) -> None:
    views = compute(data)
    t = translations(language)
    for shape in ("a4", "phone"):
        drawing = tree.layout(views.tree, [], t, language, "x", shape)
        assert drawing.sun[0] > drawing.size[0] / 2  # the sun (the first part read) stands on the right
        fruits = next(placed for part, placed, _top in drawing.texts if part.bullet == tree.FRUIT)
        assert fruits.align == "right"


def test_the_briefing_is_one_screen(pack: Pack) -> None:
    assert 0 < len(pack.briefing) <= LIMIT
    text = strip_isolates(pack.briefing)
    assert text.count("\n") + 1 <= 40
    # Who comes, per side, with how far each one is.
    assert "Formal workers (2): Anne ✓, Bram (A B)" in text
    assert "Joined, no answers yet: Piet" in text  # named apart, not counted as a participant
    # Each side's strength as the other side sees it, next to its own view, and where they meet.
    assert "According to formal workers: Kennis van de cultuur (Dutch) ×2" in text
    assert "According to themselves: معرفة الثقافة (Arabic)" in text
    assert "Both sides mention: cultuur" in text
    # Formal workers' strength: Arabic against Dutch, untranslated: no false "no words in common".
    assert "Not compared: the two sides wrote in different languages (Arabic, Dutch) and there is no translation." in text
    assert text.count("No words in common") == 0
    # Roles that meet and roles nobody takes on; the best matches; the pitfalls recognised most.
    assert "Coordinator 2/2" in text and "Guardian ×1" in text and "Referrer ×1" in text
    assert "• Yusuf → Anne: roles: Coordinator; words: kaart, sociale" in text
    assert "• 3× A lasting connection needs structural forms of consultation\n" in text
    # No bookkeeping: consent, the long role descriptions, every answer are in the documents.
    assert "consent" not in text.casefold() and "Kennis van opvoeding (Dutch)" in text


def test_answers_per_question_say_each_thing_once(pack: Pack) -> None:
    text = strip_isolates("\n\n".join(pack.sections))
    lines = text.splitlines()
    # Each question once, then one line per person with only their name: no repeated labels.
    assert lines.count("What I look for in the other") == 1
    # Who is who names each one's language once, at the top: their answers are not tagged with it again.
    assert "• Anne: Contact met moeders in de wijk" in lines
    assert "• Anne (Wijkteam Zuid) · Formal worker · Dutch" in lines
    assert not [line for line in lines if line.startswith("• Anne (")][1:]
    # No "?:" after a question, no ".;" between items, no consent or name blocks.
    assert "?:" not in text and ".;" not in text
    assert "Theme 1: an unequal power relation: recognised?" in lines
    assert "• Anne: Both" in lines  # an option's label alone, not repeating the question
    for bookkeeping in ("Consent", "Your name", "Organisation"):
        assert not [line for line in lines if line.startswith(bookkeeping)]
    assert "• Bram: Alleen overleg als er brand is" not in lines
    assert "• Anne: Alleen overleg als er brand is" in lines and "(Dutch)" not in text[text.index("== A.") :]


def test_write_pack_writes_every_file(data: WorkshopAnswers, tmp_path: Path) -> None:
    paths = write_pack(data, tmp_path / "out", "nl")
    pictures = {"tree.png", "board-informal.png", "board-formal.png"}
    wide = {name.replace(".png", "-16x9.png") for name in pictures}
    assert {p.name for p in paths} == {"pack.html", "answers.csv", *pictures, *wide}
    assert all(p.stat().st_size > 0 for p in paths)
    assert (tmp_path / "out" / "pack.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_only_the_workshops_exercises(db: Database) -> None:
    with db.session() as session:
        workshop = repo.create_workshop(session, "Alleen A", "term:f", exercises=["a"])
        person = repo.join(session, workshop, "term:x", language="nl")
        repo.save_answers(session, person.id, {"a.seek": "iets"}, "nl")
        code = workshop.code
    pack = build_pack(load(db, code), "en")
    assert pack.images == {}
    assert 'id="tree"' not in pack.html and 'id="market"' in pack.html and "iets" in pack.html


# --- isolation and scale ----------------------------------------------------------------------


def test_nothing_leaks_from_another_workshop(db: Database) -> None:
    other = {
        "Indringer": (
            "formal",
            "Geheim BV",
            "nl",
            {"a.seek": "GEHEIM-7731", "e.roles_own": ["f_guard"], "e.sun": ["GEHEIM-7732"]},
        )
    }
    make_workshop(db, title="Andere werkplaats", people=other)
    code = make_workshop(db)
    make_workshop(db, title="Nog een werkplaats", people=other)
    data = load(db, code)
    pack = build_pack(data, "nl")
    everything = pack.html + pack.csv.decode("utf-8-sig") + pack.text
    for secret in ("GEHEIM-7731", "GEHEIM-7732", "Indringer", "Geheim BV", "Andere werkplaats"):
        assert secret not in everything
    assert not {r.role for r in compute(data).roles if r.taken_by} & {"f_guard"}


def generated(db: Database, people: int) -> repo.Workshop:
    """A full-length workshop of ``people`` generated as the benchmark does (every question answered)."""
    with db.session() as session:
        workshop = repo.create_workshop(session, "Groot", "term:f", length="full")
    _benchmark().populate(db, workshop, people)
    return workshop


def _benchmark():
    """The benchmark's generator, so the test and the benchmark build the same kind of workshop."""
    spec = importlib.util.spec_from_file_location("benchmark_summary", ROOT / "benchmarks" / "summary.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_a_workshop_of_300_produces_the_whole_pack(db: Database) -> None:
    workshop = generated(db, 300)
    with db.session() as session:
        data = repo.workshop_answers(session, workshop)
    assert len(data.participants) == 300
    pack = build_pack(data, "nl")
    body = read_csv(pack)[1:]
    assert len(body) == sum(len(a) for a in data.answers.values()) > 300 * 40
    assert set(pack.images) == {
        "tree.png",
        "board-informal.png",
        "board-formal.png",
        "tree-16x9.png",
        "board-informal-16x9.png",
        "board-formal-16x9.png",
    }
    assert 0 < len(pack.briefing) <= LIMIT
    views = compute(data)
    assert sum(views.progress.done.values()) > 0 and views.market.matches
    assert all(len([m for m in views.market.matches if m.seeker.id == p.id]) <= 3 for p in data.participants)
    named = next(p for p in reversed(data.participants) if p.pack_named)
    hidden = next(p for p in reversed(data.participants) if not p.pack_named)
    assert f">{escape(named.display_name)}<" in pack.html
    assert f">{escape(hidden.display_name)}<" not in pack.html  # they chose their answers without their name


def _market_text(db: Database, people: dict, title: str) -> tuple[str, str, Pack]:
    """(the briefing's needs and offers block, the HTML's market section, the pack) in English."""
    pack = build_pack(load(db, make_workshop(db, title, people)), "en")
    text = strip_isolates(pack.briefing)
    block = text[text.index("What we look for and what we offer") :].split("\n\n")[0]
    section = pack.html[pack.html.index('<section id="market">') :]
    return block, section[: section.index("</section>")], pack


def test_needs_and_offers_in_different_languages_are_not_called_unmatched(db: Database) -> None:
    """Issue 10 point 3: where the matcher cannot compare (a need in Arabic, offers only in Dutch,
    no translation), the pack says so and why, instead of "no suggestions yet"."""
    people = {
        "Anne": ("formal", "CJG", "nl", {"a.offer": "Kennis van opvoeding en scholen"}),
        "Yusuf": ("keyfigure", None, "ar", {"a.seek": "معلومات عن المدارس"}),
    }
    block, section, _pack = _market_text(db, people, "Twee talen")
    expected = (
        "No suggestions: what the two sides look for and offer is written in different languages "
        "(Arabic, Dutch) and there is no translation, so it could not be compared."
    )
    assert expected in block and "No suggestions yet" not in block
    assert escape(expected, quote=False) in section and "No suggestions yet" not in section


def test_needs_and_offers_compared_without_a_match_say_so(db: Database) -> None:
    people = {
        "Anne": ("formal", "CJG", "nl", {"a.offer": "Kennis van opvoeding"}),
        "Sanne": ("volunteer", None, "nl", {"a.seek": "Een ruimte voor bijeenkomsten"}),
    }
    block, section, _pack = _market_text(db, people, "Geen match")
    expected = "No suggestions: nothing one side looks for meets what the other side offers."
    assert expected in block and expected in section
    assert "No suggestions yet" not in block and "Not compared" not in block


def test_suggestions_name_the_languages_they_could_not_compare(db: Database) -> None:
    """Some needs and offers meet in Dutch; the Tigrinya ones could not be compared: said beside the
    suggestions, naming the untranslated language only (not the reader's own)."""
    people = {
        "Anne": ("formal", "CJG", "nl", {"a.offer": "Informatie over scholen"}),
        "Sanne": ("volunteer", None, "nl", {"a.seek": "Informatie over scholen"}),
        "Kidane": ("selforg", None, "ti", {"a.seek": "ወለዲ CJG ይፈልጡ"}),
    }
    block, section, _pack = _market_text(db, people, "Deels")
    note = "Not compared: answers in Tigrinya have no translation and the other side did not write in it."
    assert "• Sanne → Anne: words: Informatie, scholen" in block
    assert note in block and note in section


def test_the_strength_board_says_what_it_could_not_compare(db: Database) -> None:
    """Shared words in Dutch, and besides them Arabic answers no one on the other side wrote in:
    the briefing, the page and the picture say the Arabic ones were not compared."""
    people = {
        "Anne": ("formal", "CJG", "nl", {"b.other_knowledge": ["Ze kennen de cultuur"]}),
        "Sanne": ("volunteer", None, "nl", {"b.own_knowledge": ["Kennis van de cultuur"]}),
        "Yusuf": ("keyfigure", None, "ar", {"b.own_knowledge": ["أعرف اللغة والثقافة"]}),
    }
    pack = build_pack(load(db, make_workshop(db, "Kracht", people)), "en")
    note = "Not compared: answers in Arabic have no translation and the other side did not write in it."
    text = strip_isolates(pack.briefing)
    assert "Both sides mention: cultuur" in text and note in text
    assert note in pack.html
    views = compute(load(db, make_workshop(db, "Kracht 2", people)), "en")
    cards = board._cards("informal", views.board["informal"], translations("en"), "en", LEVELS[0], 600, True)
    knowledge = next(card for card in cards if card.shared)
    assert "cultuur" in knowledge.shared and knowledge.note == note


def test_the_page_spares_the_facilitator_noise(pack: Pack) -> None:
    """Who joined without answering is named apart (not counted as "not started"), roles nobody
    named are one line instead of rows of zeros, and consent is not listed as an answer."""
    page = strip_isolates(pack.html)
    progress = page[page.index('<section id="progress">') : page.index("</section>")]
    assert "4 people · finished: 2, not started: 0" in progress
    assert "Joined, no answers yet: " in progress and "Piet" in progress
    assert "<h3>Not started</h3>" not in progress
    roles = page[page.index('<section id="roles">') :]
    roles = roles[: roles.index("</section>")]
    unnamed = "Not taken on, expected or put in the trunk by anyone: "
    assert roles.count(unnamed) == 2  # under each side's table
    listed = roles[roles.index(unnamed) :].split("</p>")[0]
    assert "Fixer" in listed and "<strong>Fixer</strong>" not in roles  # a line, not a row of zeros
    assert "<strong>Coordinator</strong>" in roles  # a role people named keeps its row
    answers = page[page.index('<section id="answers">') :]
    assert "Consent" not in answers and "consent" not in answers


def test_the_briefing_names_a_point_written_under_two_categories_once() -> None:
    from bot.pack.messages import _top
    from bot.pack.views import Entry, StrengthCell, Tally

    def cell(category: str, *texts: str) -> StrengthCell:
        others = Tally(tuple(Entry(text, 1, "nl") for text in texts), 1)
        return StrengthCell("informal", category, others, Tally((), 0), (), (), ())

    cells = [cell("knowledge", "Ze kennen de gezinnen", "Ze spreken de taal"), cell("skills", "ze kennen  de gezinnen")]
    top, total = _top(cells, True)
    assert [(e.text, e.count) for e in top] == [("Ze kennen de gezinnen", 2), ("Ze spreken de taal", 1)]
    assert total == 2


# --- the reviewer's reading as a Dutch facilitator of a mixed group (tests/seven.py) ------------


def _seven(db: Database, extra: dict[str, dict[str, object]] | None = None, named: bool = True) -> WorkshopAnswers:
    """The seven of tests/seven.py, with ``extra`` answers per name (in their own language)."""
    from tests.seven import PEOPLE as SEVEN
    from tests.seven import make_seven

    workshop_id = make_seven(db)
    with db.session() as session:
        workshop = session.get(repo.Workshop, workshop_id)
        workshop.length = "full"
        session.add(workshop)
        for person in repo.workshop_answers(session, workshop).participants:
            person.pack_named = named
            session.add(person)
            if person.display_name in (extra or {}):
                language = SEVEN[person.display_name][2]
                repo.save_answers(session, person.id, extra[person.display_name], language)  # type: ignore[index]
    with db.session() as session:
        return repo.workshop_answers(session, session.get(repo.Workshop, workshop_id))


def test_a_sentence_carried_forward_is_sought_or_offered_once(db: Database) -> None:
    """A's offer carried into B's offer and E's roots, A's need into E's watering can, kept there
    (give or take case and spacing): one thing said, listed once per participant."""
    data = _seven(
        db,
        {
            "Sanne": {
                "b.offer": "Kennis van opvoeding en de sociale kaart",
                "e.roots": ["Kennis van opvoeding en ontwikkeling", "kennis van opvoeding en de  sociale kaart "],
                "e.can": ["Contact met moeders die wij niet bereiken", "Sleutelpersonen die signalen doorgeven", "Tolken"],
            },
            "فاطمة": {"b.offer": "الوصول إلى الأمهات", "e.can": ["معلومات عن المدارس للأمهات"]},
        },
    )
    wishes = {w.person.display_name: w for w in compute(data, "nl").market.wishes}
    sanne, fatima = wishes["Sanne"], wishes["فاطمة"]
    assert [text for _key, text in sanne.seeks] == [
        "Contact met moeders die wij niet bereiken",
        "Sleutelpersonen die signalen doorgeven",
        "Tolken",
    ]
    assert [text for _key, text in sanne.offers] == [
        "Kennis van opvoeding en de sociale kaart",
        "Kennis van opvoeding en ontwikkeling",
    ]
    assert [text for _key, text in fatima.offers] == ["الوصول إلى الأمهات", "أعرف اللغة والثقافة"]
    assert [text for _key, text in fatima.seeks] == ["معلومات عن المدارس للأمهات", "اجتماع منتظم"]
    page = build_pack(data, "nl").html
    table = page[page.index("<h3>Per deelnemer</h3>") :]
    table = table[: table.index("</table>")]
    assert table.count(">Kennis van opvoeding en de sociale kaart<") == 1
    assert table.count(">Contact met moeders die wij niet bereiken<") == 1
    assert table.count(">الوصول إلى الأمهات<") == 1


def test_answers_in_another_language_are_announced_only_when_there_are_some(db: Database) -> None:
    """The line saying answers in another language are shown as written stands only where some are."""
    said = "Antwoorden in een andere taal staan er zoals ze geschreven zijn, met de naam van de taal erbij."
    dutch = {name: PEOPLE[name] for name in ("Anne", "Bram", "Yusuf")}
    dutch["Yusuf"] = ("volunteer", "Buurtvaders", "nl", {"a.seek": "Uitleg over de sociale kaart", "e.roles_own": ["i_confidant"]})
    all_dutch = load(db, make_workshop(db, "Alleen Nederlands", dutch))
    pack = build_pack(all_dutch, "nl")
    assert said not in pack.briefing and said not in pack.html
    # The same answers read by an English facilitator are in another language: said.
    assert "Answers in another language are shown as written, with the language named." in build_pack(all_dutch, "en").html
    mixed = build_pack(_seven(db), "nl")
    assert said in mixed.briefing and said in mixed.html


def test_a_goal_kept_among_the_fruits_is_the_goal_in_the_readers_language(db: Database) -> None:
    """E's fruits start from the goals chosen in A (Box 2), filled in with their labels in each
    participant's language (as the bot does). Kept there, such a fruit is that goal: shown in the
    reader's language and counted once with everyone who kept it, whatever language they answered in."""
    goals = next(s for f in all_flows() if f.id == "a" for s in f.steps if s.id == "goals")
    chosen = {"Sanne": ("nl", ["fg1", "fg4"]), "Emre": ("tr", ["fg1"]), "فاطمة": ("ar", ["fg1", "fg4"])}
    extra: dict[str, dict[str, object]] = {
        name: {
            "a.focus": "family",
            "a.goals": ids,
            "e.fruits": [option_label(goals, i, translations(language)) for i in ids] + (["Ouders vinden de weg naar het CJG"] if name == "Sanne" else []),
        }
        for name, (language, ids) in chosen.items()
    }
    data = _seven(db, extra)
    nl = translations("nl")
    early, way = option_label(goals, "fg1", nl), option_label(goals, "fg4", nl)
    fruits = compute(data, "nl").tree.fruits
    assert [(e.text, e.count, e.language, e.translation) for e in fruits.entries] == [
        (early, 3, "nl", None),
        (way, 2, "nl", None),
        ("Ouders vinden de weg naar het CJG", 1, "nl", None),
    ]
    assert fruits.people == 3
    turkish = option_label(goals, "fg1", translations("tr"))
    pack = build_pack(data, "nl")
    page = strip_isolates(pack.html)
    assert turkish not in page and option_label(goals, "fg4", translations("ar")) not in page
    answers = page[page.index('<section id="answers">') :]
    fruit_answers = answers[answers.index("Vruchten") :].split("</ul>\n<h4>")[0]
    assert fruit_answers.count(early) == 3 and "(Turks)" not in fruit_answers and "(Arabisch)" not in fruit_answers
    text = strip_isolates(pack.text)
    assert turkish not in text
    fruit_lines = text[text.index("Vruchten: doelstellingen\n") :].split("\n\n")[0]
    assert fruit_lines.count(early.rstrip(".")) == 3 and "(Turks)" not in fruit_lines and "(Arabisch)" not in fruit_lines
    # An Arabic reader sees the same goals in Arabic, counted the same way.
    arabic = compute(data, "ar").tree.fruits
    assert [(e.text, e.count) for e in arabic.entries[:2]] == [
        (option_label(goals, "fg1", translations("ar")), 3),
        (option_label(goals, "fg4", translations("ar")), 2),
    ]


def test_an_answers_language_is_named_once_where_it_helps(db: Database) -> None:
    """A name or an organisation is in no language: never tagged (Jeugdgezondheidszorg is no Turkish).
    A list in another language is tagged once, not after each item; the summary's lines are not
    tagged at all where "who is who" already names the person's language."""
    data = _seven(db, {"فاطمة": {"e.can": ["معلومات عن المدارس للأمهات", "اجتماع منتظم"]}})
    pack = build_pack(data, "nl")
    page = strip_isolates(pack.html)
    answers = page[page.index('<section id="answers">') :]
    names = answers[answers.index("<h4>Naam</h4>") : answers.index("<h4>Rol</h4>")]
    organisations = answers[answers.index("<h4>Organisatie</h4>") :].split("</ul>")[0]
    assert "Emre" in names and "Jeugdgezondheidszorg" in organisations
    assert 'class="lang"' not in names and 'class="lang"' not in organisations
    can = answers[answers.index("<h4>Gieter") :].split("<h4>")[1]
    assert "اجتماع منتظم" in can and can.count("(Arabisch)") == 1
    table = page[page.index("<h3>Per deelnemer</h3>") :].split("</table>")[0]
    ayse = table[table.index(">Ayşe<") :].split("</tr>")[0]
    assert ayse.count("Anneler bana güveniyor") == 1 and ayse.count("(Turks)") == 1
    text = strip_isolates(pack.text)
    who = text[text.index("Wie is wie") :].split("\n\n")[0]
    assert "Emre (Jeugdgezondheidszorg) · Formele werker · Turks" in who
    after = text[text.index("Wie is wie") + len(who) :]
    assert "• Emre: Annelerle güvenilir iletişim\n" in after and "(Turks)" not in after and "(Arabisch)" not in after
