"""The meeting pack where people look at it: in a real browser (Debian's chromium, headless), on a
phone, on a wide screen and printed on A4, in Dutch and in Arabic.

Skipped only when no chromium can be found (``.ci/run`` installs Debian's package when missing).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.pack import write_pack
from storage import Database
from storage import repository as repo
from tests.test_pack import _benchmark, load, make_workshop

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium found (Debian: apt-get install chromium; .ci/run does that)"
)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PHONE = {"width": 375, "height": 800}
WIDE = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def browser() -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra installs playwright")
    with sync_api.sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield found
        found.close()


@pytest.fixture
def packs(db: Database, tmp_path: Path) -> dict[str, Path]:
    """pack.html of the hand-made workshop (an Arabic answer among Dutch ones) in Dutch and in
    Arabic, and of a generated workshop of 30 in six languages, in Dutch."""
    data = load(db, make_workshop(db))
    with db.session() as session:
        workshop = repo.create_workshop(session, "Wijk Noord, 3 december", "term:f")
    _benchmark().populate(db, workshop, 30)
    with db.session() as session:
        thirty = repo.workshop_answers(session, workshop)
    folders = {"nl": (data, "nl"), "ar": (data, "ar"), "30": (thirty, "nl")}
    for name, (answers, language) in folders.items():
        write_pack(answers, tmp_path / name, language)
    return {name: tmp_path / name / "pack.html" for name in folders}


def _open(browser, path: Path, viewport: dict[str, int]):
    page = browser.new_page(viewport=viewport)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def _no_sideways_scrolling(page) -> None:
    scroll, client = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert scroll <= client, f"the page is {scroll} px wide in a {client} px window"
    wider = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
              .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
              .map(e => e.tagName + '.' + e.className)"""
    )
    assert wider == [], f"boxes that scroll sideways: {wider}"


def _shown(page, selector: str) -> list[bool]:
    """For each element found: whether it takes room on the page (not hidden by the style sheet)."""
    return page.evaluate(
        f"[...document.querySelectorAll('{selector}')].map(e => e.getClientRects().length > 0 && e.offsetHeight > 0)"
    )


def _pictures_load(page) -> list[dict]:
    images = page.evaluate(
        "[...document.images].map(i => ({complete: i.complete, natural: i.naturalWidth, shown: i.clientWidth,"
        " src: i.currentSrc.slice(0, 40), right: i.getBoundingClientRect().right}))"
    )
    assert images and all(i["complete"] and i["natural"] > 0 for i in images), images
    return images


@pytest.mark.parametrize("name", ["nl", "ar", "30"])
def test_the_pack_reads_on_a_phone(browser, packs: dict[str, Path], name: str) -> None:
    page = _open(browser, packs[name], PHONE)
    _no_sideways_scrolling(page)
    images = _pictures_load(page)
    assert all(i["shown"] <= PHONE["width"] and i["right"] <= PHONE["width"] for i in images)
    # The tree comes in its narrow version: text on it stays readable when shown this wide.
    narrow = page.evaluate("[...document.querySelectorAll('#tree img')].map(i => [i.naturalWidth, i.clientWidth])")
    assert len(narrow) == 1 and all(natural <= 800 and shown / natural > 0.45 for natural, shown in narrow), narrow
    # Each board once: as cards (the four categories of each side), not as a picture too.
    assert _shown(page, "#board figure") == [False, False]
    assert _shown(page, "#board .card") == [True] * 8
    # Progress and the other tables are stacked lists, one block per participant.
    display = page.evaluate("getComputedStyle(document.querySelector('#progress tbody tr')).display")
    assert display == "block"
    hidden_head = page.evaluate("getComputedStyle(document.querySelector('#progress thead')).display")
    assert hidden_head == "none"
    page.close()


@pytest.mark.parametrize("name", ["nl", "ar", "30"])
def test_the_pack_on_a_wide_screen(browser, packs: dict[str, Path], name: str) -> None:
    page = _open(browser, packs[name], WIDE)
    _no_sideways_scrolling(page)
    images = _pictures_load(page)
    # The 16:9 versions, each whole on the screen and wider than the text column (a projector).
    assert [i["natural"] for i in images] == [1920, 1920, 1920], images
    boxes = page.evaluate("[...document.images].map(i => i.getBoundingClientRect().toJSON())")
    assert all(b["left"] >= 0 and b["right"] <= WIDE["width"] and b["height"] <= WIDE["height"] for b in boxes), boxes
    assert all(b["width"] > 1200 for b in boxes), boxes
    # The picture to project, and the cards: they say more (words shared, words only one side gave).
    assert _shown(page, "#board figure") == [True, True] and _shown(page, "#board .card") == [True] * 8
    assert page.evaluate("getComputedStyle(document.querySelector('#progress tbody tr')).display") == "table-row"
    page.close()


def test_the_pack_prints_on_a4(browser, packs: dict[str, Path]) -> None:
    page = _open(browser, packs["30"], {"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    _no_sideways_scrolling(page)
    assert page.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages >= 7, pages  # each view starts on a page of its own
    page.close()
    # Printed from a wide screen, the pictures are the A4 versions.
    page = _open(browser, packs["30"], WIDE)
    page.emulate_media(media="print")
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth === 1240)")
    assert _shown(page, "#board figure") == [True, True] and _shown(page, "#board .card") == [True] * 8
    page.close()


def test_an_arabic_answer_reads_right_to_left(browser, packs: dict[str, Path]) -> None:
    """Inside a Dutch page, the Arabic answer runs right to left: its first letter is drawn to the
    right of its last one. In the Arabic page, lines start at the right edge."""
    page = _open(browser, packs["nl"], PHONE)
    found = page.evaluate(
        """() => {
            const span = [...document.querySelectorAll('span.answer[lang=ar]')]
                .find(s => s.textContent.trim() === 'المتطوعون يتعبون بسرعة');
            const text = span.firstChild, range = document.createRange();
            range.setStart(text, 0); range.setEnd(text, 1);
            const first = range.getBoundingClientRect();
            range.setStart(text, text.length - 1); range.setEnd(text, text.length);
            const last = range.getBoundingClientRect();
            return {direction: getComputedStyle(span).direction, first: first.left, last: last.left};
        }"""
    )
    assert found["direction"] == "rtl"
    assert found["first"] > found["last"], found
    page.close()

    page = _open(browser, packs["ar"], PHONE)
    edges = page.evaluate(
        """() => {
            const item = [...document.querySelectorAll('#pitfalls li')]
                .find(li => li.textContent.includes('المتطوعون يتعبون بسرعة'));
            const range = document.createRange();
            range.selectNodeContents(item);
            const box = item.getBoundingClientRect(), style = getComputedStyle(item);
            return {direction: style.direction, text: range.getBoundingClientRect().right,
                    edge: box.right - parseFloat(style.paddingRight)};
        }"""
    )
    assert edges["direction"] == "rtl"
    assert abs(edges["edge"] - edges["text"]) < 2, edges  # the line hugs the right edge
    page.close()
