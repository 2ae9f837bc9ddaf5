"""What a typed time means (registry/formats/dates.py), the same for `--at`, the API's `at` and the
web page: a bare date is the END of that day, UTC; today's date is now; no offset means UTC; the
forms people type are read. The CLI and the page's API agreeing on a real chain:
tests/cli/test_accreditation_history.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from registry.errors import InputError
from registry.formats.dates import asked_time, parse_moment, since_time, until_time


def utc(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())  # type: ignore[misc]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2026-05-01", utc(2026, 5, 1, 23, 59, 59)),
        ("  2026-05-01 ", utc(2026, 5, 1, 23, 59, 59)),
        ("2026-05-01 14:00", utc(2026, 5, 1, 14)),
        ("2026-05-01T14:00", utc(2026, 5, 1, 14)),
        ("2026-05-01T14:00Z", utc(2026, 5, 1, 14)),
        ("2026-05-01t14:00z", utc(2026, 5, 1, 14)),
        ("2026-05-01 14:00 UTC", utc(2026, 5, 1, 14)),
        ("2026-05-01T14:00:30+02:00", utc(2026, 5, 1, 12, 0, 30)),
        ("2026-05-01 14:00 +02:00", utc(2026, 5, 1, 12)),
        ("2026-05-01T14:00-0330", utc(2026, 5, 1, 17, 30)),
        # What people type beside ISO 8601: month names, slashes and dots, no zero padding.
        ("1 May 2026", utc(2026, 5, 1, 23, 59, 59)),
        ("May 1, 2026", utc(2026, 5, 1, 23, 59, 59)),
        ("1-may-2026", utc(2026, 5, 1, 23, 59, 59)),
        ("September 30 2026 9:15", utc(2026, 9, 30, 9, 15)),
        ("7 Dec 2026 14:00 +02:00", utc(2026, 12, 7, 12)),
        ("2026/05/01", utc(2026, 5, 1, 23, 59, 59)),
        ("2026-5-1 14:00 UTC", utc(2026, 5, 1, 14)),
        ("1.5.2026", utc(2026, 5, 1, 23, 59, 59)),  # dots: day first
        ("25/12/2026", utc(2026, 12, 25, 23, 59, 59)),  # a slash date read only when it cannot be both
        ("12/25/2026", utc(2026, 12, 25, 23, 59, 59)),
        # French month names, with their accents or without, and the French "1er".
        ("1er mai 2026", utc(2026, 5, 1, 23, 59, 59)),
        ("15 août 2026 14:00", utc(2026, 8, 15, 14)),
        ("15 aout 2026", utc(2026, 8, 15, 23, 59, 59)),
        ("3 Févr. 2026", utc(2026, 2, 3, 23, 59, 59)),
        ("25 décembre 2026", utc(2026, 12, 25, 23, 59, 59)),
        ("1 juil 2026", utc(2026, 7, 1, 23, 59, 59)),
    ],
)
def test_the_forms_people_type(typed: str, meant: int) -> None:
    assert asked_time(typed, now=utc(2026, 12, 6)) == meant
    assert until_time(typed) == meant


def test_today_is_now_and_other_days_their_end() -> None:
    now = utc(2026, 12, 6, 9, 30)
    assert asked_time("2026-12-06", now=now) is None  # the end of today has not come: now
    assert asked_time("2026-12-05", now=now) == utc(2026, 12, 5, 23, 59, 59)
    assert asked_time("2026-12-07", now=now) == utc(2026, 12, 7, 23, 59, 59)  # the future, answered as such
    assert asked_time(None) is None and asked_time("") is None
    assert parse_moment("2026-12-06") == (utc(2026, 12, 6, 23, 59, 59), True)
    assert until_time("2026-12-06") == utc(2026, 12, 6, 23, 59, 59)  # an end of validity keeps the whole day


def test_the_date_a_revocation_for_cause_reaches_back_to_is_the_start_of_that_day() -> None:
    """`--for-cause-from 2026-05-01`: void from 00:00:00Z, so the whole day is included, as `--valid-until`
    includes its whole day; a time given is that time."""
    assert since_time("2026-05-01") == utc(2026, 5, 1)
    assert since_time("2026-05-01 14:00") == since_time("2026-05-01T16:00+02:00") == utc(2026, 5, 1, 14)
    now = utc(2026, 12, 6, 9, 30)
    assert since_time("today", now=now) == utc(2026, 12, 6) and since_time("yesterday", now=now) == utc(2026, 12, 5)
    assert since_time("now", now=now) == now
    with pytest.raises(InputError):
        since_time("last tuesday")


def test_words_for_today_and_yesterday() -> None:
    now = utc(2026, 12, 6, 9, 30)
    assert asked_time("today", now=now) is None and asked_time(" Now ", now=now) is None
    assert asked_time("yesterday", now=now) == utc(2026, 12, 5, 23, 59, 59)
    assert asked_time("Aujourd'hui", now=now) is None and asked_time("hier", now=now) == utc(2026, 12, 5, 23, 59, 59)
    assert since_time("hier", now=now) == utc(2026, 12, 5) and since_time("maintenant", now=now) == now


def test_a_day_and_month_that_could_be_either_way_round_is_refused_naming_both() -> None:
    with pytest.raises(InputError) as raised:
        asked_time("01/05/2026")
    assert "could be 1 May 2026 or 5 January 2026" in str(raised.value) and "2026-05-01 or 2026-01-05" in str(
        raised.value
    )


@pytest.mark.parametrize(
    "typed",
    ["last tuesday", "2026-13-01", "01/05/2026", "2026-05-01 25:00", "10000-01-01", "31 Feb 2026", "7 Foo 2026"],
)
def test_what_is_not_a_time_is_one_line(typed: str) -> None:
    with pytest.raises(InputError) as raised:
        asked_time(typed)
    assert "\n" not in str(raised.value) and repr(typed[:40]) in str(raised.value)
