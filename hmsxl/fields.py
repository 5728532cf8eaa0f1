"""Field types: each knows its Excel validation, number format and the rule a leader sees.

The writer asks a field for its data validation and cell format; the reader (later) asks
the same field to parse a returned value. A field never knows which sheet it is on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .labels import VALIDATION

DATE_FORMAT = "dd.mm.yyyy"


def _fmt_date(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class Field:
    """Base: free text of bounded length."""

    kind = "text"
    num_format = "@"  # text format: a typed "1/2" or "=..." stays as the leader wrote it
    wrap = True

    def validation(self, unit) -> dict | None:
        """xlsxwriter data-validation options (without the messages), or None."""
        return None

    def rule(self, unit) -> str:
        """What is allowed, in Norwegian, for the error alert and the problem list."""
        return ""


@dataclass(frozen=True)
class Text(Field):
    max_len: int = 500

    def validation(self, unit):
        return {"validate": "length", "criteria": "<=", "value": self.max_len}

    def rule(self, unit):
        return VALIDATION["text"].format(max=self.max_len)


@dataclass(frozen=True)
class LongText(Text):
    max_len: int = 4000


@dataclass(frozen=True)
class Date(Field):
    """A date between `years_before` years before and `years_after` after the unit's year."""

    kind = "date"
    num_format = DATE_FORMAT
    wrap = False
    years_before: int = 1
    years_after: int = 3

    def bounds(self, unit) -> tuple[dt.date, dt.date]:
        return dt.date(unit.year - self.years_before, 1, 1), dt.date(unit.year + self.years_after, 12, 31)

    def validation(self, unit):
        lo, hi = self.bounds(unit)
        return {"validate": "date", "criteria": "between", "minimum": lo, "maximum": hi}

    def rule(self, unit):
        lo, hi = self.bounds(unit)
        example = dt.date(unit.year, 9, 15)
        return VALIDATION["date"].format(min=_fmt_date(lo), max=_fmt_date(hi), example=_fmt_date(example))


@dataclass(frozen=True)
class Choice(Field):
    """One value of a configured list, offered as a dropdown from the hidden sheet."""

    kind = "choice"
    list_name: str = ""
    num_format = None
    wrap = True

    def options(self, unit) -> tuple[str, ...]:
        return unit.lists()[self.list_name]

    def validation(self, unit):
        return {"validate": "list", "source": "=" + list_range_name(self.list_name)}

    def rule(self, unit):
        return VALIDATION["choice"]


@dataclass(frozen=True)
class Count(Field):
    """A whole number in a range (e.g. how many rounds were held)."""

    kind = "count"
    num_format = "0"
    wrap = False
    minimum: int = 0
    maximum: int = 100000

    def validation(self, unit):
        return {"validate": "integer", "criteria": "between", "minimum": self.minimum, "maximum": self.maximum}

    def rule(self, unit):
        return VALIDATION["count"].format(min=self.minimum, max=self.maximum)


@dataclass(frozen=True)
class Level(Count):
    """A God BHT level, 1 (ikke startet) to 4 (fullt oppnådd)."""

    kind = "level"
    minimum: int = 1
    maximum: int = 4

    def rule(self, unit):
        return VALIDATION["level"]


@dataclass(frozen=True)
class Label(Field):
    """Text that hmsxl fills in and the leader only reads (activity names, questions)."""

    kind = "label"
    num_format = None


@dataclass(frozen=True)
class Number(Label):
    """A number that hmsxl fills in (an element's number)."""

    kind = "number"
    wrap = False


@dataclass(frozen=True)
class Marker(Label):
    """A month cell in the årshjul grid."""

    kind = "marker"
    wrap = False


def list_range_name(list_name: str) -> str:
    """The defined name of a validation list on the hidden sheet."""
    return f"hmsxl_{list_name}"
