"""Maintain the gettext catalogs: ``python scripts/catalogs.py update|fill-en|check``.

update   extract messages from the code into locales/messages.pot and merge into every messages.po
fill-en  English is the source language: copy every msgid into the English catalog
check    report untranslated and fuzzy entries per language (exit 1 if any)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"


def update() -> None:
    extract = [
        "pybabel", "extract", "-F", "babel.cfg", "-k", "N_", "-k", "NP_:1c,2", "--add-location=file", "--add-comments=TRANSLATORS:",
        "--sort-output", "--width=100", "--project=Vruchtbare Bodem", "--copyright-holder=Vruchtbare Bodem contributors",
        "-o", str(POT), ".",
    ]  # fmt: skip
    subprocess.run(extract, cwd=ROOT, check=True)
    subprocess.run(["pybabel", "update", "-i", str(POT), "-d", str(LOCALES), "--no-fuzzy-matching", "--ignore-obsolete", "--width=100"], cwd=ROOT, check=True)
    fill_en()


def fill_en() -> None:
    path = LOCALES / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if not message.id:
            continue
        message.string = tuple(message.id) if message.pluralizable else message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100)


def check() -> int:
    problems = 0
    for path in sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=path.parent.parent.name)
        missing = [m.id for m in catalog if m.id and (not m.string or (m.pluralizable and not all(m.string)))]
        fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
        print(f"{path.parent.parent.name}: {len(catalog)} messages, {len(missing)} untranslated, {len(fuzzy)} fuzzy")
        problems += len(missing) + len(fuzzy)
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "fill-en":
        fill_en()
    else:
        sys.exit(check())
