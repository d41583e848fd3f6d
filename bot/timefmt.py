"""Meeting times: stored in UTC, shown in Europe/Amsterdam in the reader's locale (Babel)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format

WORKSHOP_TZ = ZoneInfo("Europe/Amsterdam")


def format_meeting(when: datetime, language: str) -> str:
    local = when.astimezone(WORKSHOP_TZ)
    # The locale's own way of joining a long date and a short time ("{1} 'om' {0}", "{1}، {0}").
    pattern = get_datetime_format("long", locale=language).replace("'", "")
    date = format_date(local.date(), format="full", locale=language)
    time = format_time(local, format="short", tzinfo=WORKSHOP_TZ, locale=language)
    return pattern.replace("{1}", date).replace("{0}", time)


def parse_meeting(text: str) -> datetime | None:
    """``2026-12-03 19:30`` in Amsterdam time; None when it is not a date and time."""
    for fmt in ("%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=WORKSHOP_TZ)
        except ValueError:
            continue
    return None
