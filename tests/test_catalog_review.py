"""The translation review of issue 10: each finding stays fixed in the catalogs."""

from __future__ import annotations

import gettext
import re

import pytest
from babel.messages.pofile import read_po

from bot.flows.e_core import ALL_ROLES
from bot.i18n import LOCALES_DIR, translations
from bot.pack import labels
from bot.transports.terminal import ensure_demo_workshop
from storage import Database
from storage import repository as repo


def catalog(language: str) -> dict[str, object]:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(fh, locale=language) if m.id}


def strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_turkish_facilitator_is_not_a_manager() -> None:
    tr = catalog("tr")
    about = [m for msgid, m in tr.items() if "facilitator" in msgid.lower()]
    assert len(about) > 10
    for message in about:
        for text in strings(message):
            assert "yönetici" not in text.lower(), text
    assert any("moderatör" in text for m in about for text in strings(m))
    managers = [m for msgid, m in tr.items() if "manager" in msgid.lower() and "facilitator" not in msgid.lower()]
    assert managers and all("yönetici" in strings(m)[0] for m in managers)  # a manager stays a manager


def test_tigrinya_writes_bot_in_geez_and_its_own_words() -> None:
    ti = catalog("ti")
    for msgid, message in ti.items():
        for text in strings(message):
            assert not re.search(r"(?<!-m )\bbot\b", text), (msgid, text)  # "python -m bot" is a command
    help_text = next(strings(m)[0] for msgid, m in ti.items() if msgid.startswith("For facilitators:"))
    assert "title" not in help_text and "[code]" not in help_text and "[ኮድ]" in help_text
    assert "ቦት" in strings(ti["How this bot works"])[0]
    safe = strings(ti["Creator of the safe space"])[0]
    assert "ፈጣሪ" not in safe and "ዝፈጥር" in safe  # not "the Creator"


def test_arabic_pitfall_is_not_exercise_ds_obstacle() -> None:
    ar = catalog("ar")
    pitfalls = [m for msgid, m in ar.items() if re.search(r"\bpitfalls?\b", msgid, re.I)]
    assert len(pitfalls) >= 6
    for message in pitfalls:
        for text in strings(message):
            assert "عقب" not in text and "مطب" in text, text
    assert "عقبة" not in strings(ar["Pitfall"])[0]


# The count's word in the dual: "two people" is شخصان, never "2 شخص".
@pytest.mark.parametrize(
    ("msgid", "dual"),
    [
        ("{n} person", "شخصان"),
        ("{n} participant", "مشاركان"),
        ("{n} item from {people}", "عنصران"),
        ("Please add at least {n} item.", "عنصرين"),
        ("You can choose at most {n} option.", "خيارين"),
    ],
)
def test_arabic_dual_forms(msgid: str, dual: str) -> None:
    ar = catalog("ar")
    forms = strings(ar[msgid])
    assert len(forms) == 6
    assert dual in forms[2] and "{n}" not in forms[2] and "2" not in forms[2], forms[2]
    t = translations("ar")
    singular = msgid
    assert dual in t.ngettext(singular, singular, 2)


def test_the_arabic_plural_rule_picks_the_dual_for_two() -> None:
    with (LOCALES_DIR / "ar" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        rule = gettext.c2py(read_po(fh, locale="ar").plural_expr)
    assert [rule(n) for n in (0, 1, 2, 3, 11, 100)] == [0, 1, 2, 3, 4, 5]


def test_somali_signaller_picks_signals_up() -> None:
    name = strings(catalog("so")["Signaller"])[0]
    assert "bixiye" not in name and "qaade" in name


def test_ukrainian_roles_are_people() -> None:
    uk = catalog("uk")
    assert strings(uk["Aftercare provider"])[0] == "Помічник після завершення допомоги"
    assert "Джерело" not in strings(uk["Giver of recognition"])[0]


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_both_catalyst_roles_are_named_alike_as_the_hand_out_does(language: str) -> None:
    t = translations(language)
    labels_ = [r.label.translate(t) for r in ALL_ROLES if r.id in ("f_catalyst", "i_catalyst")]
    names = {label.split(":")[0].strip() for label in labels_}  # the role's name, before what it does
    assert len(labels_) == 2 and len(names) == 1, labels_


def test_persian_adds_no_dutch_name_where_english_has_none() -> None:
    assert "Boom van" not in strings(catalog("fa")["The tree of collaboration"])[0]


def test_dutch_has_no_bracketed_repetition_and_no_made_up_hand_out_name() -> None:
    nl = catalog("nl")
    for msgid in ("The strength of formal workers (De kracht van de ander)", "The strength of informal workers (De kracht van de ander)"):
        assert "(" not in strings(nl[msgid])[0]
    for language in ("nl", "en", "ar"):
        title = labels.view_title("market", translations(language))
        assert "Vraag en aanbod" not in title


@pytest.mark.parametrize("language", ["nl", "ar", "uk"])
def test_the_demo_workshop_is_titled_in_the_language_of_who_starts_it(db: Database, language: str) -> None:
    code = ensure_demo_workshop(db, language)
    with db.session() as session:
        workshop = repo.workshop_by_code(session, code)
        assert workshop is not None
        title = workshop.title
    assert title == translations(language).gettext("Demo workshop") != "Demo workshop"
