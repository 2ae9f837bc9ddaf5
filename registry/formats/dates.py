"""What a time a person types means: one reading for the command line, the API and the web page.

People type `2026-05-01`, `2026-05-01 14:00`, `2026-05-01T14:00Z`, `2026-05-01T14:00+02:00`,
`2026-05-01 14:00 UTC`, and also `1 May 2026`, `May 1, 2026`, `2026/05/01`, `1.5.2026`, `today`,
`yesterday`; month names and those words in French too (`1er mai 2026`, `hier`). A time without an
offset is UTC, the registry's clock, in which every time the tool prints is written. A bare date
asked about ("was it valid on 1 May 2026?") means the END of that day, UTC (23:59:59Z): the
standing once everything recorded that day is in, so a revocation or a suspension made that day
counts, as does an accreditation granted that day. That is also what "today" means (now: the latest
that is known), and it reads a date the way an expiry date is read ("valid until 1 May" includes 1
May). The day is UTC's, not the reader's, so two people asking the same question in two time zones
get the same answer. A day and month written with slashes are read only when they cannot be the
other way round (`25/12/2026`); `01/05/2026` is refused, naming both readings. One date is read the
other way: the date a revocation for cause reaches back to (`registry trust revoke
--for-cause-from`, `since_time`) is the START of that day, UTC (00:00:00Z): "void from 1 May"
includes 1 May, so whatever was issued that day is refused, as "valid until 1 May" keeps it.
docs/TRUST-LISTS.md ("Dates") says so for users; tests/formats/test_dates.py reads the forms, and
tests/cli/test_accreditation_history.py proves the CLI and the page's API agree.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta

from registry.errors import InputError
from registry.formats.credential import unix_seconds

DAY_S = 24 * 3600
FORMATS_HELP = (
    "e.g. 2026-05-01 or 1 May 2026 (the end of that day, UTC), 2026-05-01 14:00 (UTC), "
    "2026-05-01T14:00+02:00, today, yesterday"
)
# English and French month names, whole or short, French with its accents or without.
MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january", "janv", "janvier"), ("feb", "february", "fév", "fev", "févr", "fevr", "février",
         "fevrier"), ("mar", "march", "mars"), ("apr", "april", "avr", "avril"), ("may", "mai"), ("jun", "june",
         "juin"), ("jul", "july", "juil", "juillet"), ("aug", "august", "août", "aout"), ("sep", "sept", "september",
         "septembre"), ("oct", "october", "octobre"), ("nov", "november", "novembre"), ("dec", "december", "déc",
         "décembre", "decembre")),
        1,
    )
    for name in names
}  # fmt: skip
# Now and the day before, in English and French.
NOW_WORDS = ("now", "today", "maintenant", "aujourd'hui", "aujourd\u2019hui")
YESTERDAY_WORDS = ("yesterday", "hier")
# A date, then optionally a time (hours:minutes[:seconds]) and a zone (Z, UTC, +02:00, +0200, +02).
_WITH_TIME = re.compile(
    r"(?P<day>.+?)(?:[ T,]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?P<zone>Z|UTC|[+-]\d{2}(?::?\d{2})?)?)?",
    re.I,
)
_NUMERIC = re.compile(r"(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})")
# `1 May 2026`, `1er mai 2026`, `1-May-2026`, `May 1, 2026`, `May 1st 2026` (a month name in any letters).
_NAMED = re.compile(
    r"(?:(\d{1,2})(?:er)?[ -]([^\W\d_]+)\.?[ -](\d{4})|([^\W\d_]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4}))", re.I
)


def _error(text: str) -> InputError:
    return InputError(f"not a date/time: {text[:40]!r} ({FORMATS_HELP})")


def _numeric_day(text: str, first: str, sep: str, middle: str, last: str) -> date:
    """2026-5-1, 2026/05/01, 1.5.2026, 25/12/2026 (a slash day-month only when it is not ambiguous)."""
    a, b, c = int(first), int(middle), int(last)
    if len(first) == 4:
        return date(a, b, c)
    if len(last) != 4:
        raise _error(text)
    if sep == "." or a > 12 or a == b:  # 1.5.2026: day first, as everywhere dots are written
        return date(c, b, a)
    if b > 12:
        return date(c, a, b)
    raise InputError(
        f"{text[:40]!r} could be {_words(date(c, b, a))} or {_words(date(c, a, b))}: "
        f"write it as year-month-day ({date(c, b, a).isoformat()} or {date(c, a, b).isoformat()})"
    )


def _words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _day(text: str, value: str) -> date:
    """The date part of what was typed, in any of the forms the module names."""
    value = value.strip()
    try:
        if numeric := _NUMERIC.fullmatch(value):
            return _numeric_day(text, *numeric.groups())
        if named := _NAMED.fullmatch(value):
            day_, month, year = named.group(1, 2, 3) if named.group(1) else named.group(5, 4, 6)
            if month.lower() not in MONTHS:
                raise _error(text)
            return date(int(year), MONTHS[month.lower()], int(day_))
    except ValueError as exc:
        raise _error(text) from exc
    raise _error(text)


def _end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=DAY_S - 1)


def parse_moment(text: str) -> tuple[int, bool]:
    """(Unix seconds, whether only a date was given): a bare date is its END, 23:59:59 UTC."""
    value = text.strip()
    try:
        return unix_seconds(_end_of(date.fromisoformat(value)), text), True
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.upper().removesuffix(" UTC").removesuffix("UTC").rstrip())
        return unix_seconds(moment, text), False
    except ValueError:
        pass
    match = _WITH_TIME.fullmatch(value)
    if match is None:
        raise _error(text)
    day = _day(text, match["day"])
    if match["time"] is None:
        return unix_seconds(_end_of(day), text), True
    zone = (match["zone"] or "Z").upper().replace("UTC", "Z")
    hours, _, rest = match["time"].partition(":")
    try:
        moment = datetime.fromisoformat(f"{day.isoformat()}T{int(hours):02d}:{rest}{zone}")
    except ValueError as exc:
        raise _error(text) from exc
    return unix_seconds(moment, text), False


def asked_time(text: str | None, now: int | None = None) -> int | None:
    """The moment a question ("was it valid at ...?", `--at`, the API's `at`) is about; None is now.

    A bare date is the end of that day, UTC; today's date (or `today`, `now`) is now; `yesterday`
    is the end of the day before today, UTC."""
    if text is None or not text.strip():
        return None
    now = int(time.time()) if now is None else now
    word = text.strip().lower()
    if word in NOW_WORDS:
        return None
    if word in YESTERDAY_WORDS:
        return now // DAY_S * DAY_S - 1
    seconds, date_only = parse_moment(text)
    if date_only and seconds - DAY_S < now <= seconds:
        return None
    return seconds


def until_time(text: str) -> int:
    """An end of validity (`--valid-until`): a bare date includes that whole day, as asked times do."""
    return parse_moment(text)[0]


def since_time(text: str, now: int | None = None) -> int:
    """A first moment (`--for-cause-from`: void from this date on): a bare date is the START of that
    day, UTC, so that the whole day is included, as an end of validity includes its whole day;
    `today` and `yesterday` are those days' starts, `now` is now."""
    word = text.strip().lower()
    now = int(time.time()) if now is None else now
    if word in (*NOW_WORDS, *YESTERDAY_WORDS):
        start = now // DAY_S * DAY_S
        return now if word in ("now", "maintenant") else start - (DAY_S if word in YESTERDAY_WORDS else 0)
    seconds, date_only = parse_moment(text)
    return seconds - (DAY_S - 1) if date_only else seconds
