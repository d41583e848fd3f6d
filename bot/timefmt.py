"""Meeting times: stored in UTC, shown in Europe/Amsterdam in the reader's locale, as CLDR writes them.

The nine languages' long date and short time (the weekday, day, month, year, and the hour on a 12- or
24-hour clock) are written out below from Babel's CLDR data (tests/test_timefmt.py compares every
month, weekday and hour with Babel's own formatting). Asking Babel at run time loads and keeps each
reader's whole locale data (territory, currency and time zone names: 1-3 MB a language) to show a
meeting time: up to ~13 MB held for nine languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

WORKSHOP_TZ = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class _Written:
    """One language's way: ``form`` with {weekday} {day} {month} {year} {hour} {minute} {period}."""

    form: str
    weekdays: tuple[str, ...]  # Monday first
    months: tuple[str, ...]  # January first, as in a date ("3 grudnia")
    periods: tuple[str, str] | None = None  # a.m., p.m. on a 12-hour clock; None: 24 hours
    two_digit_hour: bool = True  # 24 hours: "09:05" or "9:05"


_WRITTEN: dict[str, _Written] = {
    "nl": _Written(
        "{weekday} {day} {month} {year}, {hour}:{minute}",
        ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
         "november", "december"),
    ),
    "en": _Written(
        "{weekday}, {month} {day}, {year}, {hour}:{minute}\u202f{period}",
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"),
        ("AM", "PM"),
    ),
    "tr": _Written(
        "{day} {month} {year} {weekday} {hour}:{minute}",
        ("Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar"),
        ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım",
         "Aralık"),
    ),
    "ar": _Written(
        "{weekday}، {day} {month} {year}، {hour}:{minute} {period}",
        ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
        ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر",
         "ديسمبر"),
        ("ص", "م"),
    ),
    "fa": _Written(
        "{weekday} {day} {month} {year}، ساعت {hour}:{minute}",
        ("دوشنبه", "سه\u200cشنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه"),
        ("ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن", "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر", "دسامبر"),
        two_digit_hour=False,
    ),
    "pl": _Written(
        "{weekday}, {day} {month} {year} {hour}:{minute}",
        ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
        ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
         "października", "listopada", "grudnia"),
    ),
    "uk": _Written(
        "{weekday}, {day} {month} {year}\u202fр., {hour}:{minute}",
        ("понеділок", "вівторок", "середа", "четвер", "пʼятниця", "субота", "неділя"),
        ("січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня",
         "листопада", "грудня"),
    ),
    "so": _Written(
        "{weekday}, {month} {day}, {year} {hour}:{minute}\u202f{period}",
        ("Isniin", "Talaado", "Arbaco", "Khamiis", "Jimco", "Sabti", "Axad"),
        ("Janaayo", "Febraayo", "Maarso", "Abriil", "Maayo", "Juun", "Luulyo", "Agosto", "Sebtembar", "Oktoobar",
         "Noofeembar", "Diseembar"),
        ("GH", "GD"),
    ),
    "ti": _Written(
        "{weekday}፣ {day} {month} {year} {hour}:{minute} {period}",
        ("ሰኑይ", "ሰሉስ", "ረቡዕ", "ሓሙስ", "ዓርቢ", "ቀዳም", "ሰንበት"),
        ("ጥሪ", "ለካቲት", "መጋቢት", "ሚያዝያ", "ጉንበት", "ሰነ", "ሓምለ", "ነሓሰ", "መስከረም", "ጥቅምቲ", "ሕዳር", "ታሕሳስ"),
        ("ቅ.ቀ.", "ድ.ቀ."),
    ),
}  # fmt: skip


def format_meeting(when: datetime, language: str) -> str:
    """The long date and short time, joined the locale's own way ("donderdag 3 december 2026, 19:30")."""
    local = when.astimezone(WORKSHOP_TZ)
    written = _WRITTEN.get(language)
    if written is None:  # not an offered language: Babel knows it
        return babel_meeting(local, language)
    if written.periods is not None:
        hour = str(local.hour % 12 or 12)
        period = written.periods[local.hour >= 12]
    else:
        hour = f"{local.hour:02d}" if written.two_digit_hour else str(local.hour)
        period = ""
    return written.form.format(
        weekday=written.weekdays[local.weekday()],
        day=local.day,
        month=written.months[local.month - 1],
        year=local.year,
        hour=hour,
        minute=f"{local.minute:02d}",
        period=period,
    )


def babel_meeting(when: datetime, language: str) -> str:
    """What the table above writes, from Babel's CLDR data (loaded and kept for ``language``)."""
    from babel.dates import format_date, format_time, get_datetime_format

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
