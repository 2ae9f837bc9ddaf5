"""What a learner types into `registry logbook add`, read as she means it: hours with a decimal
comma, a day in the forms the other commands read (formats/dates.py)."""

from __future__ import annotations

from registry.errors import InputError


def hours_of(given: str) -> float:
    """Hours as a learner types them: 2.5, or 2,5 with a decimal comma (French, Arabic keyboards)."""
    import math

    text = given.strip().replace(",", ".") if given.count(",") == 1 and "." not in given else given.strip()
    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not math.isfinite(hours):
        raise InputError(f"--hours must be a number of hours, such as 2.5 or 2,5, not {given[:20]!r}")
    return hours


def day_of(given: str) -> str:
    """The day of the work, YYYY-MM-DD, as a learner types it: 2026-03-02, 2 March 2026, 2 mars 2026,
    25/12/2026 (read only when it cannot be the other way round), today, yesterday (UTC)."""
    import re
    from datetime import UTC, datetime, timedelta

    from registry.formats.dates import NOW_WORDS, YESTERDAY_WORDS, parse_moment

    text = given.strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return text  # checked as an entry's date is (formats/logbook/records.py)
    now = datetime.now(UTC)
    if text.lower() in NOW_WORDS + YESTERDAY_WORDS:
        return (now - timedelta(days=text.lower() in YESTERDAY_WORDS)).strftime("%Y-%m-%d")
    seconds, bare = parse_moment(text)
    if not bare:
        raise InputError(f"a day must be YYYY-MM-DD, not {given[:20]!r}")
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")
