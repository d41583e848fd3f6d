"""Meeting times as CLDR writes them, in every language, without loading Babel's locale data."""

from __future__ import annotations

from datetime import datetime, timedelta

import babel.localedata
import pytest

from bot.i18n import LANGUAGES
from bot.timefmt import WORKSHOP_TZ, babel_meeting, format_meeting

# Every month and weekday, every hour of the day, midnight and noon, both sides of a clock change.
MOMENTS = [
    datetime(2026, 1, 5, 0, 0, tzinfo=WORKSHOP_TZ) + timedelta(days=31 * n + n % 7, hours=5 * n, minutes=7 * n)
    for n in range(60)
]
MOMENTS += [datetime(2026, 12, 3, 12, 0, tzinfo=WORKSHOP_TZ), datetime(2026, 3, 29, 1, 59, tzinfo=WORKSHOP_TZ)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_meeting_time_reads_as_babel_writes_it(language: str) -> None:
    assert {m.month for m in MOMENTS} == set(range(1, 13)) and {m.weekday() for m in MOMENTS} == set(range(7))
    assert {m.hour for m in MOMENTS} == set(range(24))
    assert [format_meeting(m, language) for m in MOMENTS] == [babel_meeting(m, language) for m in MOMENTS]


def test_a_meeting_time_loads_no_locale_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Babel keeps every locale it loaded for the process's life (1-3 MB each)."""
    loaded: list[str] = []
    real = babel.localedata.load
    monkeypatch.setattr(babel.localedata, "load", lambda name, *a, **k: loaded.append(str(name)) or real(name, *a, **k))
    for language in LANGUAGES:
        format_meeting(MOMENTS[0], language)
    assert loaded == []
