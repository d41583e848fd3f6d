"""Build step for the wheel: the gettext catalogs, compiled into the package (``bot/locales``).

Everything else is declared in pyproject.toml. The top-level ``locales/`` folder holds the ``.po``
sources; the built package carries them together with their ``.mo`` files, so an installed bot
never compiles or writes anything at run time. An editable install reads the sources directly.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "locales"
TARGET = ("bot", "locales")  # inside the built package; bot/i18n.py looks here first
DOMAIN = "messages"


class build_py_with_catalogs(build_py):  # noqa: N801 - setuptools' command naming
    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            self.compile_catalogs(Path(self.build_lib).joinpath(*TARGET))

    def compile_catalogs(self, target: Path) -> None:
        # Babel's API rather than its compile_catalog command: that one compiles next to the sources.
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        sources = sorted(SOURCE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        if not sources:
            raise SystemExit(f"no catalogs in {SOURCE}: the wheel would speak English only")
        for po in sources:
            language = po.parent.parent.name
            folder = target / language / "LC_MESSAGES"
            folder.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=language)
            with (folder / f"{DOMAIN}.mo").open("wb") as fh:
                write_mo(fh, catalog, use_fuzzy=False)
            self.copy_file(str(po), str(folder / po.name))  # the review mark lives in its header comment


setup(cmdclass={"build_py": build_py_with_catalogs})
