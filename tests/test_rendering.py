"""Views as Telegram messages: limits, escaping, splitting, right-to-left."""

from __future__ import annotations

import html

from bot.engine import Kind, View, ViewOption
from bot.transports.telegram.rendering import (
    MAX_CALLBACK_DATA,
    RLM,
    CallbackDataTooLongError,
    decode,
    encode,
    render_view,
    split_paragraphs,
    text_messages,
)


def test_long_text_is_split_at_paragraphs_within_the_limit() -> None:
    paragraphs = [f"Alinea {n}: " + "woord " * 150 for n in range(20)]
    messages = text_messages("\n\n".join(paragraphs), "nl")
    assert len(messages) > 1
    assert all(len(m) <= 4096 for m in messages)
    assert "\n\n".join(messages) == "\n\n".join(html.escape(p, quote=False) for p in paragraphs)


def test_one_huge_paragraph_full_of_entities_is_cut_safely() -> None:
    text = "<&>" * 5000
    pieces = split_paragraphs(text, 4096)
    assert all(len(html.escape(p, quote=False)) <= 4096 for p in pieces)
    assert "".join(pieces) == text


def test_user_text_is_escaped() -> None:
    view = View(key="a.who", kind=Kind.TEXT, header="A", text="Jouw antwoord: <script>&", notice=None, options=(), controls=())
    rendered = render_view(view, "nl")
    assert "&lt;script&gt;&amp;" in rendered.messages[0]


def test_callback_data_within_64_bytes_and_forgery_rejected() -> None:
    assert decode(encode("a", "e.trunk", "f_organiser")) == ("a", ["e.trunk", "f_organiser"])
    for forged in (None, "", "zz|x", "a||x", "a|" + "x" * 70):
        assert decode(forged) is None
    try:
        encode("a", "x" * 70)
    except CallbackDataTooLongError:
        pass
    else:
        raise AssertionError("callback data over 64 bytes was accepted")
    assert MAX_CALLBACK_DATA == 64


def test_rtl_lines_start_right_to_left_and_long_options_are_numbered() -> None:
    options = (ViewOption("fg1", "أن تحصل الأسر على المساعدة في مرحلة مبكرة عندما تكون غير متأكدة من التربية"), ViewOption("fg2", "قصير"))
    view = View(key="a.goals", kind=Kind.MULTI, header="التمرين A", text="• Ahmed\nسؤال", notice=None, options=options, controls=(ViewOption("_done", "تم"),))
    rendered = render_view(view, "ar")
    assert all(line.startswith(RLM) or line.startswith("<b>" + RLM) for line in rendered.messages[0].split("\n") if line)
    labels = [b.text for row in rendered.keyboard.inline_keyboard for b in row]
    assert labels[0].startswith(RLM + "1. ") and len(labels[0]) <= len(RLM + "1. ") + 32
    assert "1. أن تحصل" in rendered.messages[0]  # the whole label is in the text


def test_a_last_page_of_one_or_two_buttons_goes_on_the_page_before() -> None:
    """The trunk offers the roles named before it: seven of them were six buttons and a page turn to one."""
    from bot.engine import Position, Show, State, run
    from bot.flows import workshop_flows
    from bot.i18n import translations
    from bot.transports.telegram.rendering import PAGE_SIZE
    from bot.wording import BUTTONS

    en = translations("en")
    flows = workshop_flows("abcde", "full")
    answers = {"intro.consent": "yes", "intro.role": "formal", "e.roles_own": ["f_coord", "f_fixer", "f_link", "f_network"]}
    answers["e.roles_other"] = ["i_confidant", "i_contact", "i_model"]
    trunk = run(State(flows, answers, Position("e", "trunk"), "full"), Show(), en, BUTTONS).view
    assert trunk.key == "e.trunk" and len(trunk.options) == PAGE_SIZE + 1
    data = [b.callback_data for row in render_view(trunk, "en").keyboard.inline_keyboard for b in row]
    assert len([d for d in data if d.split("|")[2][:1] != "_"]) == PAGE_SIZE + 1 and not [d for d in data if d.startswith("p|")]
    # Longer lists still turn pages, each page full but the last.
    answers["e.roles_other"] = ["i_confidant", "i_contact", "i_model", "i_informer", "i_driver", "i_catalyst"]
    trunk = run(State(flows, answers, Position("e", "trunk"), "full"), Show(), en, BUTTONS).view
    assert len(trunk.options) == 10
    data = [b.callback_data for row in render_view(trunk, "en").keyboard.inline_keyboard for b in row]
    assert [d for d in data if d.startswith("p|")] == ["p|e.trunk|0", "p|e.trunk|1"]
