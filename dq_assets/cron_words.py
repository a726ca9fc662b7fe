"""A cron expression in words a person can read in a job or schedule name.

`*/30 * * * *` is `every_30_minutes`, `0 6 * * *` is `daily_at_06_00`, `0 6 * * 1-5` is
`weekdays_at_06_00`. The common shapes have words; any other cron falls back to a literal spelling
(`cron_0_6and18_x_x_x`), so every cron gets a name and two crons that mean different things never
share one. The words depend only on what the cron means: `0 6 * * 1` and `0 6 * * mon` read the same.
"""

from __future__ import annotations

import hashlib
import re

DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
DAY_NAMES = {name[:3]: index for index, name in enumerate(DAYS)}
WEEKDAYS = frozenset({1, 2, 3, 4, 5})
WEEKEND = frozenset({0, 6})
_LITERAL_WORDS = (("*/", "every"), ("*", "x"), (",", "and"), ("-", "to"), (" ", "_"))
_NUMBER = re.compile(r"\d+")
_STEP = re.compile(r"\*/(\d+)")


def cron_words(cron: str) -> str:
    """The name-safe words for a five-field cron (letters, digits and underscores only)."""
    fields = cron.split()
    if len(fields) == 5:
        words = _words(*fields)
        if words is not None:
            return words
    return literal_slug(cron)


def literal_slug(cron: str) -> str:
    """The fallback: the cron spelt out, plus a short hash when a character had no spelling."""
    slug = " ".join(cron.split())
    for symbol, word in _LITERAL_WORDS:
        slug = slug.replace(symbol, word)
    safe = re.sub(r"[^A-Za-z0-9_]", "_", slug)
    if safe != slug:  # '1#2' and '1/2' would both read '1_2': keep them apart
        safe += "_" + hashlib.sha1(cron.encode()).hexdigest()[:6]
    return f"cron_{safe}"


def _words(minute: str, hour: str, day: str, month: str, weekday: str) -> str | None:
    if (day, month) != ("*", "*"):
        return _monthly(minute, hour, day, month, weekday)
    every_minutes = _every(minute, 60)
    if every_minutes is not None and hour == "*" and weekday == "*":
        return "every_minute" if every_minutes == 1 else f"every_{every_minutes}_minutes"
    if not _NUMBER.fullmatch(minute):
        return None
    past = int(minute)
    if hour == "*" and weekday == "*":
        return "hourly" if past == 0 else f"hourly_at_minute_{past:02d}"
    every_hours = _every(hour, 24)
    if every_hours is not None and weekday == "*":
        base = "hourly" if every_hours == 1 else f"every_{every_hours}_hours"
        return base if past == 0 else f"{base}_at_minute_{past:02d}"
    if not _NUMBER.fullmatch(hour):
        return None
    at = f"at_{int(hour):02d}_{past:02d}"
    if weekday == "*":
        return f"daily_{at}"
    days = _weekdays(weekday)
    if days is None:
        return None
    if len(days) == len(DAYS):
        return f"daily_{at}"
    if days == WEEKDAYS:
        return f"weekdays_{at}"
    if days == WEEKEND:
        return f"weekends_{at}"
    return "_".join(DAYS[d] + "s" for d in sorted(days)) + f"_{at}"


def _monthly(minute: str, hour: str, day: str, month: str, weekday: str) -> str | None:
    """`M H D * *`: monthly on one day at one time; anything else has no words."""
    if month != "*" or weekday != "*" or not all(_NUMBER.fullmatch(f) for f in (minute, hour, day)):
        return None
    return f"monthly_on_day_{int(day)}_at_{int(hour):02d}_{int(minute):02d}"


def _every(field: str, cycle: int) -> int | None:
    """`*` is every 1, `*/N` every N when N divides the cycle evenly.

    `*/45` in the minute field fires at :00 and :45, not every 45 minutes: it has no such words.
    """
    if field == "*":
        return 1
    match = _STEP.fullmatch(field)
    step = int(match.group(1)) if match else 0
    return step if 0 < step < cycle and cycle % step == 0 else None


def _weekdays(field: str) -> frozenset[int] | None:
    """The days of `1`, `mon`, `1-5`, `mon-fri`, `1,3,5`; 7 is Sunday as 0 is. None for anything else."""
    days: set[int] = set()
    for part in field.lower().split(","):
        first, _, last = part.partition("-")
        start, end = _day(first), _day(last) if last else _day(first)
        if start is None or end is None or end < start:
            return None
        days.update(d % 7 for d in range(start, end + 1))
    return frozenset(days)


def _day(text: str) -> int | None:
    if _NUMBER.fullmatch(text) and int(text) <= 7:
        return int(text)
    return DAY_NAMES.get(text)
