"""The årshjul model: turns each activity's rule into the dated occurrences of one year."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from .config import Unit, WheelActivity
from . import labels


@dataclass(frozen=True)
class Occurrence:
    """One dated instance of a wheel activity in a year.

    `start` is None for a plain deadline; `due` is the deadline or the end of the period.
    `key` is stable across runs (activity id plus period), so a returned row can be matched.
    """

    key: str
    activity: WheelActivity
    name: str
    start: dt.date | None
    due: dt.date
    period: str

    def months(self, year: int) -> tuple[int, ...]:
        """The months (1-12) of `year` this occurrence touches, for the month grid."""
        first = self.start or self.due
        out = []
        for m in range(1, 13):
            lo = dt.date(year, m, 1)
            hi = dt.date(year, m, calendar.monthrange(year, m)[1])
            if first <= hi and self.due >= lo:
                out.append(m)
        return tuple(out)


def _date(year: int, md: tuple[int, int]) -> dt.date:
    month, day = md
    # 02-29 in a year without it becomes 02-28: the last day of the month was meant.
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _short(d: dt.date) -> str:
    return labels.TEXT["date_short"].format(day=d.day, month=labels.MONTHS[d.month - 1])


def _with_year(d: dt.date) -> str:
    return labels.TEXT["date_year"].format(day=d.day, month=labels.MONTHS[d.month - 1], year=d.year)


def occurs_in(activity: WheelActivity, year: int) -> bool:
    if activity.every_years <= 1:
        return True
    return (year - activity.base_year) % activity.every_years == 0


def occurrences(activity: WheelActivity, year: int) -> list[Occurrence]:
    """The occurrences of one activity in `year`, in date order (none if not its year)."""
    if not occurs_in(activity, year):
        return []
    a = activity
    if a.due is not None:
        due = _date(year, a.due)
        return [Occurrence(a.id, a, a.name, None, due, labels.TEXT["period_due"].format(date=_short(due)))]
    if a.repeat == "quarterly":
        out = []
        for q in range(4):
            start = dt.date(year, 3 * q + 1, 1)
            end = _date(year, (3 * q + 3, 31))
            period = labels.TEXT["period_quarter"].format(n=q + 1, start=labels.MONTHS[3 * q], end=labels.MONTHS[3 * q + 2])
            name = f"{a.name}, {labels.TEXT['fire_quarter'].format(n=q + 1)}"
            out.append(Occurrence(f"{a.id}-k{q + 1}", a, name, start, end, period))
        return out
    if a.repeat == "monthly":
        out = []
        for m in range(1, 13):
            start = dt.date(year, m, 1)
            end = _date(year, (m, 31))
            out.append(Occurrence(
                f"{a.id}-m{m:02d}", a, f"{a.name}, {labels.MONTHS[m - 1]}", start, end,
                labels.TEXT["period_month"].format(month=labels.MONTHS[m - 1]),
            ))
        return out
    start = _date(year, a.start)
    end = _date(year, a.end)
    if end < start:  # the period wraps the year end, e.g. Dec-Jan
        end = _date(year + 1, a.end)
        period = labels.TEXT["period_range"].format(start=_with_year(start), end=_with_year(end))
    else:
        period = labels.TEXT["period_range"].format(start=_short(start), end=_short(end))
    return [Occurrence(a.id, a, a.name, start, end, period)]


def year_occurrences(unit: Unit, section_id: str | None = None) -> list[Occurrence]:
    """All occurrences of the unit's wheel in its year, for one section or (None) the unit, by date."""
    concerned = tuple(a for a in unit.wheel if section_id is None or a.concerns(section_id))
    return list(_sorted_occurrences(concerned, unit.year, labels.current().language))


@functools.lru_cache(maxsize=64)
def _sorted_occurrences(activities: tuple, year: int, language: str) -> tuple[Occurrence, ...]:
    """The occurrences of `activities` in `year`, by date, named in `language` (the one in
    force): most sections of a unit share one årshjul, worked out once for them all."""
    out = [o for activity in activities for o in occurrences(activity, year)]
    return tuple(sorted(out, key=lambda o: (o.start or o.due, o.due, o.key)))


_REPEATED = re.compile(r"-(?:k[1-4]|m(?:0[1-9]|1[0-2]))")  # the keys' suffixes above


def occurrence_of(key: str, activity: str) -> bool:
    """Whether an årshjul row's key is `activity`, or one of its quarters or months
    ("vernerunde-k1"), not another activity whose id starts the same ("vernerunde-oppfolging")."""
    return key == activity or (key.startswith(activity) and bool(_REPEATED.fullmatch(key, len(activity))))
