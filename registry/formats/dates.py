"""What a time a person types means: one reading for the command line, the API and the web page.

People type `2026-05-01`, `2026-05-01 14:00`, `2026-05-01T14:00Z`, `2026-05-01T14:00+02:00`,
`2026-05-01 14:00 UTC`. A time without an offset is UTC, the registry's clock, in which every time
the tool prints is written. A bare date asked about ("was it valid on 1 May 2026?") means the END
of that day, UTC (23:59:59Z): the standing once everything recorded that day is in, so a
revocation or a suspension made that day counts, as does an accreditation granted that day. That
is also what "today" means (now: the latest that is known), and it reads a date the way an
expiry date is read ("valid until 1 May" includes 1 May). The day is UTC's, not the reader's, so
two people asking the same question in two time zones get the same answer. One date is read the
other way: the date a revocation for cause reaches back to (`registry trust revoke
--for-cause-from`, `since_time`) is the START of that day, UTC (00:00:00Z): "void from 1 May"
includes 1 May, so whatever was issued that day is refused, as "valid until 1 May" keeps it. docs/TRUST-LISTS.md
("Dates") says so for users; tests/formats/test_dates.py reads the forms, and
tests/cli/test_accreditation_history.py proves the CLI and the page's API agree.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from registry.errors import InputError
from registry.formats.credential import unix_seconds

DAY_S = 24 * 3600
FORMATS_HELP = "e.g. 2026-05-01 (the end of that day, UTC), 2026-05-01 14:00 (UTC), 2026-05-01T14:00+02:00"


def parse_moment(text: str) -> tuple[int, bool]:
    """(Unix seconds, whether only a date was given): a bare date is its END, 23:59:59 UTC."""
    value = text.strip()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is not None:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return unix_seconds(start + timedelta(seconds=DAY_S - 1), text), True
    upper = value.upper()
    for suffix in (" UTC", "UTC", " Z"):
        if upper.endswith(suffix):
            upper = upper.removesuffix(suffix) + "Z"
    try:
        moment = datetime.fromisoformat(upper)
    except ValueError as exc:
        raise InputError(f"not an ISO 8601 date/time: {text[:40]!r} ({FORMATS_HELP})") from exc
    return unix_seconds(moment, text), False


def asked_time(text: str | None, now: int | None = None) -> int | None:
    """The moment a question ("was it valid at ...?", `--at`, the API's `at`) is about; None is now.

    A bare date is the end of that day, UTC; today's date is now (its end has not come yet)."""
    if text is None or not text.strip():
        return None
    seconds, date_only = parse_moment(text)
    now = int(time.time()) if now is None else now
    if date_only and seconds - DAY_S < now <= seconds:
        return None
    return seconds


def until_time(text: str) -> int:
    """An end of validity (`--valid-until`): a bare date includes that whole day, as asked times do."""
    return parse_moment(text)[0]


def since_time(text: str) -> int:
    """A first moment (`--for-cause-from`: void from this date on): a bare date is the START of that
    day, UTC, so that the whole day is included, as an end of validity includes its whole day."""
    seconds, date_only = parse_moment(text)
    return seconds - (DAY_S - 1) if date_only else seconds
