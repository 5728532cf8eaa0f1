"""Field types: each knows its Excel validation, number format, the rule a leader sees,
and how to parse a returned value.

The writer asks a field for its data validation and cell format; the reader asks the same
field to parse what came back. A field never knows which sheet it is on. `unit` is
anything with `.year` and `.lists()`: the unit config, or what a workbook says of itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import functools
import re
from dataclasses import dataclass

from . import labels

DATE_FORMAT = "dd.mm.yyyy"
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _fmt_date(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class Issue:
    """What parsing a value found: a problem code and the message's details."""

    code: str
    params: dict

    @property
    def severity(self) -> str:
        from .problems import SEVERITY

        return SEVERITY[self.code]


def _issue(code, **params) -> Issue:
    return Issue(code, params)


def col_letter(index: int) -> str:
    """The column letter of a 0-based column index: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_index(ref: str) -> tuple[int, int]:
    """An A1 reference as (0-based column index, Excel row number): "AB7" -> (27, 7)."""
    letters = ref.rstrip("0123456789")
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    digits = ref[len(letters):]
    return col - 1, int(digits) if digits else 0


# Norwegian and Danish alphabetical order: ... x y z æ ø å (ä and ö sort as æ and ø).
_NORDIC = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}",
                         "é": "e", "è": "e", "ê": "e", "á": "a", "à": "a", "ó": "o", "ü": "y", "ç": "c"})


def nordic_key(value) -> str:
    """A sort key that puts text in Norwegian alphabetical order (Python's puts Å before Æ and Ø)."""
    if not isinstance(value, str):
        return "" if value is None or value != value else as_text(value).casefold().translate(_NORDIC)
    return value.casefold().translate(_NORDIC)


def is_empty(value) -> bool:
    if value is None or value == "":
        return True
    return value.__class__ is str and not value.strip()


def as_text(value) -> str:
    """A returned cell value as the text a leader sees."""
    if value.__class__ is str:
        return value.strip()
    if isinstance(value, bool):  # as the leader's spreadsheet program showed it
        return labels.BOOLEANS[0 if value else 1]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:  # past that, digits a double lacks
        return str(int(value))
    if isinstance(value, dt.datetime):
        return _fmt_date(value.date()) if value.time() == dt.time() else value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return _fmt_date(value)
    return str(value).strip()


@dataclass(frozen=True)
class Field:
    """Base: free text of bounded length."""

    kind = "text"
    num_format = "@"  # text format: a typed "1/2" or "=..." stays as the leader wrote it
    wrap = True
    # How the report shows a value: "text" (wrapped), "plain", "date", "num", "dec",
    # "bool" (Ja/Nei), or "auto" (by each value's type).
    report_kind = "text"

    def validation(self, unit) -> dict | None:
        """xlsxwriter data-validation options (without the messages), or None."""
        return None

    def rule(self, unit) -> labels.Msg | str:
        """What is allowed, for the error alert and the problem list (rendered where shown)."""
        return ""

    def parse(self, value, unit) -> tuple[object, Issue | None]:
        """A returned cell value as (typed value, issue or None); None for an empty cell.

        A value that cannot be parsed is kept as its text, never dropped.
        """
        if is_empty(value):
            return None, None
        return as_text(value), None

    def summarize(self, values):
        """The report's total over one value per section: here, how many answered."""
        answered = sum(not is_empty(v) for v in values)
        return labels.current().plural("report", "summary_answers", answered) if answered else None


@dataclass(frozen=True)
class PerRow(Field):
    """A column whose type differs by row (Årsrapport answers): each row's item says."""

    report_kind = "auto"


@dataclass(frozen=True)
class Text(Field):
    max_len: int = 500

    def validation(self, unit):
        return {"validate": "length", "criteria": "<=", "value": self.max_len}

    def rule(self, unit):
        return labels.msg("validation", "text", max=self.max_len)

    def parse(self, value, unit):
        if is_empty(value):
            return None, None
        text = as_text(value)
        if len(text) > self.max_len:
            return text, _issue("too_long", length=len(text), max=self.max_len)
        if self.short and isinstance(value, dt.date):  # kept as the text it shows
            return text, _issue("date_in_text", text=text)
        return text, None

    short = True  # a name, a place: a date there was typed in the wrong column, most likely


@dataclass(frozen=True)
class LongText(Text):
    max_len: int = 4000
    short = False  # a comment may well be a date


@dataclass(frozen=True)
class Date(Field):
    """A date between `years_before` years before and `years_after` after the unit's year."""

    kind = "date"
    num_format = DATE_FORMAT
    wrap = False
    report_kind = "date"
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
        return labels.msg("validation", "date", min=_fmt_date(lo), max=_fmt_date(hi), example=_fmt_date(example))

    def parse(self, value, unit):
        if is_empty(value):
            return None, None
        issue = None
        if isinstance(value, dt.datetime):
            date = value.date()
        elif isinstance(value, dt.date):
            date = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            # A date whose cell lost its date format reads as Excel's day number.
            if not 1 <= value < 2958466 or not float(value).is_integer():
                return as_text(value), _issue("not_a_date", rule=self.rule(unit))
            date = EXCEL_EPOCH + dt.timedelta(days=int(value))
            issue = _issue("date_from_number", date=_fmt_date(date))
        else:
            text = as_text(value)
            date, how = parse_date_text(text, unit.year)
            if date is None:
                return text, _issue("not_a_date", rule=self.rule(unit))
            issue = _issue("date_from_period" if how == "period" else "date_from_text",
                           text=text, date=_fmt_date(date))
        lo, hi = self.bounds(unit)
        if not lo <= date <= hi:
            return date, _issue("date_out_of_range", date=_fmt_date(date), rule=self.rule(unit))
        return date, issue


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
        return labels.msg("validation", "choice")

    def parse(self, value, unit):
        if is_empty(value):
            return None, None
        text = as_text(value)
        index = _ListIndex.of(self.options(unit))
        if text in index.members:
            return text, None
        fixed = index.folded.get(_fold(text))
        if fixed is not None:
            return fixed, _issue("choice_corrected", text=text, result=fixed)
        translated = _translated(text, self.list_name, index.options)
        if translated is not None:  # «Ikkje starta» in a bokmål unit: no misspelling, the same word
            return translated, _issue("choice_by_meaning", text=text, result=translated)
        meant, sure = _by_meaning(text, self.list_name, unit)
        if meant is not None and sure:  # «ferdig» for the list's own word for done: read as that, the words kept
            return meant, _issue("choice_by_meaning", text=text, result=meant)
        suggestion = index.close_match(text) or meant
        if suggestion:
            return text, _issue("not_in_list_suggest", text=text, suggestion=suggestion, allowed=index.allowed)
        return text, _issue("not_in_list", text=text, allowed=index.allowed)

    def summarize(self, values):
        """How many sections chose each value, in the list's order: "Ja 5 · Delvis 2"."""
        counts: dict[str, int] = {}
        for v in values:
            if not is_empty(v):
                counts[as_text(v)] = counts.get(as_text(v), 0) + 1
        ranked = sorted(counts.items(), key=lambda vn: (-vn[1], nordic_key(vn[0])))
        return " · ".join(f"{v} {n}" for v, n in ranked) or None


@functools.cache
def _default_lists(list_name: str) -> tuple[tuple[str, ...], ...]:
    """A list as each language has it by default (the yes/no answers, the priorities...)."""
    out = []
    for cat in labels.all_catalogs():
        values = cat.YES_NO if list_name == "yes_no" else cat.DEFAULT_LISTS.get(list_name)
        if values:
            out.append(tuple(values))
    return tuple(out)


def _translated(text: str, list_name: str, values: tuple[str, ...]) -> str | None:
    """A value of a default list in another language, where the unit uses a default list:
    a nynorsk leader's «Høg» in a bokmål unit is its «Høy» (the same place in the list)."""
    defaults = _default_lists(list_name)
    if tuple(values) not in defaults:
        return None
    folded = _fold(text)
    for other in defaults:
        if len(other) == len(values):
            for i, v in enumerate(other):
                if _fold(v) == folded:
                    return values[i]
    return None


SUGGEST_MAX = 100  # "did you mean" is looked for in lists this long, for texts this long
SUGGESTIONS_KEPT = 4096  # distinct texts whose suggestion is remembered per list


ALLOWED_SHOWN = 400  # characters of a list a message shows: every value of a unit's usual lists


def _whole_values(options, most: int) -> str:
    """The values, as many whole ones as `most` characters hold, then «…» if there are more."""
    shown, length = [], 0
    for option in options:
        length += len(option) + 2
        if length > most:
            return ", ".join(shown + ["…"]) if shown else option[:most] + "…"
        shown.append(option)
    return ", ".join(shown) + (", …" if len(shown) < len(options) else "")


class _ListIndex:
    """What checking values against one list needs, worked out once per list: its values,
    by their folded spelling, the allowed values as shown, and the suggestions made so far.

    A suggestion compares the text with every value (difflib: up to length x length
    each), so it is looked for only in a short list and for a short text, and once per
    distinct text: a workbook may carry a list of thousands and as many wrong values."""

    _cache: dict[int, tuple] = {}

    def __init__(self, options: tuple):
        self.options = options
        self.members = frozenset(options)
        self.folded = {_fold(o): o for o in options}
        self.allowed = _whole_values(options, ALLOWED_SHOWN)
        self.casefolded = [o.casefold() for o in options] if len(options) <= SUGGEST_MAX else None
        self.suggestions: dict[str, str | None] = {}

    @classmethod
    def of(cls, options) -> "_ListIndex":
        """The index of a list (by identity: the same tuple is asked for cell after cell)."""
        cached = cls._cache.get(id(options))
        if cached is None or cached[0] is not options:
            if len(cls._cache) > 64:
                cls._cache.clear()
            cached = cls._cache[id(options)] = (options, cls(tuple(options)))
        return cached[1]

    def close_match(self, text: str) -> str | None:
        """The list value `text` most likely means by its spelling, if the list is short."""
        if self.casefolded is None or len(text) > SUGGEST_MAX:
            return None
        if text in self.suggestions:
            return self.suggestions[text]
        close = difflib.get_close_matches(text.casefold(), self.casefolded, n=1, cutoff=0.6)
        found = next((o for o in self.options if close and o.casefold() == close[0]), None)
        if len(self.suggestions) < SUGGESTIONS_KEPT:
            self.suggestions[text] = found
        return found


# The lists whose values mean "not started", "started" and "done" (see config.MEANING_LISTS).
_MEANINGS = {"statuses": "done_statuses", "wheel_statuses": "wheel_done_statuses"}


@functools.cache
def _synonyms() -> dict[str, str]:
    """A word a leader writes for a status, in any language -> what it means."""
    return {word.casefold(): meaning for cat in labels.all_catalogs() for meaning, words in cat.SYNONYMS.items()
            for word in words}


def _by_meaning(text: str, list_name: str, unit) -> tuple[str | None, bool]:
    """The list value a word like «ferdig» or «pågår» most likely stands for, by what the
    unit's lists say its statuses mean; and whether that is sure. Done and not started
    are (the lists say which is done; the first open one is not started); started is a
    guess (the årshjul's second is «Planlagt», which «pågår» is not)."""
    meaning = _synonyms().get(" ".join(text.casefold().split()))
    if meaning is None or list_name not in _MEANINGS:
        return None, False
    lists = unit.lists()
    options, done = lists.get(list_name, ()), lists.get(_MEANINGS[list_name], ())
    cancelled = set(lists.get("cancelled_statuses", ())) | set(lists.get("wheel_na_statuses", ()))
    if meaning == "done":
        return next((v for v in done if v not in cancelled), None), True
    open_ = [v for v in options if v not in done and v not in cancelled]
    if meaning == "not_started":
        return (open_[0] if open_ else None), True
    return (open_[1] if len(open_) > 1 else None), False


COUNT_LIMIT = 1e9  # beyond any count of people, rounds or incidents: read as text, not as a number


@dataclass(frozen=True)
class Count(Field):
    """A whole number in a range (e.g. how many rounds were held)."""

    kind = "count"
    num_format = "0"
    wrap = False
    report_kind = "num"
    minimum: int = 0
    maximum: int = 100000

    def validation(self, unit):
        return {"validate": "integer", "criteria": "between", "minimum": self.minimum, "maximum": self.maximum}

    def rule(self, unit):
        return labels.msg("validation", "count", min=self.minimum, max=self.maximum)

    def parse(self, value, unit):
        if is_empty(value):
            return None, None
        issue = None
        if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime)):
            return as_text(value), _issue("not_a_number", rule=self.rule(unit))
        if isinstance(value, (int, float)):
            number = value
        else:
            text = as_text(value)
            m = NUMBER_TEXT_RE.match(text)
            if not m:
                return text, _issue("not_a_number", rule=self.rule(unit))
            number = float(m.group(1).replace(",", ".").replace(" ", "").replace("\u00a0", ""))
            issue = _issue("number_from_text", text=text, result=as_text(number))
        if number != number:  # NaN: no number at all, kept as what the cell said
            return as_text(value), _issue("not_a_number", rule=self.rule(unit))
        if abs(number) > COUNT_LIMIT:  # kept as text: no count is this large, nor is a sum of such a number
            shown = as_text(value)
            if number > 0:
                return shown, _issue("number_too_large", text=shown, rule=self.rule(unit))
            return shown, _issue("out_of_range", result=shown, rule=self.rule(unit))
        if not float(number).is_integer():
            return number, _issue("not_whole", rule=self.rule(unit))
        number = int(number)
        if not self.minimum <= number <= self.maximum:
            return number, _issue("out_of_range", result=number, rule=self.rule(unit))
        return number, issue

    def summarize(self, values):
        """The sum over the sections that gave a whole number in range; answers that are not
        one (kept as the leader wrote them, or out of range: both reported) are counted
        beside it, so the sum is not taken for the whole."""
        numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)
                   and self.minimum <= v <= self.maximum]
        others = sum(not is_empty(v) for v in values) - len(numbers)
        if others and not numbers:  # nothing to add up: how many answered
            return labels.current().plural("report", "summary_answers", others)
        if others:
            return labels.current().plural("report", "summary_sum_partial", others, sum=sum(numbers),
                                           sheet=labels.REPORT_SHEETS["problems"])
        return sum(numbers) if numbers else None


@dataclass(frozen=True)
class Level(Count):
    """A God BHT level, 1 (ikke startet) to 4 (fullt oppnådd)."""

    kind = "level"
    minimum: int = 1
    maximum: int = 4

    def rule(self, unit):
        return labels.msg("validation", "level")


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
    report_kind = "num"


@dataclass(frozen=True)
class Marker(Label):
    """A month cell in the årshjul grid."""

    kind = "marker"
    wrap = False
    report_kind = "plain"


class Formula(Label):
    """A cell the workbook computes from others in its row, and hmsxl computes again when
    it reads the row (the cell itself is never trusted: a leader may overwrite it, and a
    program that does not recalculate leaves it stale). Subclasses say how."""

    kind = "formula"
    wrap = False

    def excel(self, refs: dict[str, str], unit) -> str | None:
        """The formula, with `refs` the A1 reference of each column of the row."""
        raise NotImplementedError

    def compute(self, row: dict, meaning):
        """The value from the row's parsed values; None where an input is missing."""
        raise NotImplementedError


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Product(Formula):
    """Two scores multiplied: probability x consequence is a finding's risk. Computed only
    from scores within 1..`maximum`: a 6 the reader reported is not a risk of 30."""

    report_kind = "num"
    num_format = "0"
    a: str = ""
    b: str = ""
    maximum: int = 5

    def excel(self, refs, unit):
        a, b = refs[self.a], refs[self.b]
        return (f'=IF(AND(ISNUMBER({a}),ISNUMBER({b}),{a}>=1,{a}<={self.maximum},{b}>=1,{b}<={self.maximum}),'
                f'{a}*{b},"")')

    def compute(self, row, meaning):
        a, b = row.get(self.a), row.get(self.b)
        ok = all(_whole(v) and 1 <= v <= self.maximum for v in (a, b))
        return a * b if ok else None


@dataclass(frozen=True)
class SuggestedPriority(Formula):
    """The priority the three factors suggest: how often, how many, how serious (each 1-3).
    Their sum, 3 to 9, picks from the unit's priorities, highest first: with three, 7-9 the
    first, 5-6 the second, 3-4 the last."""

    report_kind = "text"
    num_format = "@"
    factors: tuple[str, ...] = ()

    @staticmethod
    def index(total: int, n: int) -> int:
        """The priority's place (0 = highest) among `n` for a sum of the three factors:
        whole-number arithmetic, the same in the workbook's formula."""
        return min(n - 1, (9 - total) * n // 7)

    def excel(self, refs, unit):
        values = unit.priorities
        if not values or len(values) > 254:  # CHOOSE takes at most 254 values
            return None
        cells = ",".join(refs[k] for k in self.factors)
        n = len(values)
        choices = ",".join('"' + v.replace('"', '""') + '"' for v in values)
        formula = (f'=IF(AND(COUNT({cells})={len(self.factors)},MIN({cells})>=1,MAX({cells})<=3),'
                   f'CHOOSE(MIN({n - 1},INT((9-SUM({cells}))*{n}/7))+1,{choices}),"")')
        return formula if len(formula) <= FORMULA_MAX else None

    def compute(self, row, meaning):
        values = [row.get(k) for k in self.factors]
        if not meaning.priorities or not all(_whole(v) and 1 <= v <= 3 for v in values):
            return None
        return meaning.priorities[self.index(sum(values), len(meaning.priorities))]


FORMULA_MAX = 8000  # Excel's limit is 8,192 characters


def list_range_name(list_name: str) -> str:
    """The defined name of a validation list on the hidden sheet."""
    return f"hmsxl_{list_name}"


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


# A number typed as text: "12", " 3 ", "4,0", "1 200", or a level with its name: "3 Betydelig framgang".
NUMBER_TEXT_RE = re.compile(r"^\s*([+-]?\d[\d \u00a0]*(?:[.,]\d+)?)(?:\s+[^\d\s].*)?\s*$")

NOT_A_MONTH = frozenset({"jul"})
_DMY = re.compile(r"^(\d{1,2})\s*[./\-]\s*(\d{1,2})\s*[./\-]\s*(\d{2}|\d{4})$")
_DM = re.compile(r"^(\d{1,2})\s*[./]\s*(\d{1,2})\.?$")  # "15.9": a day in the workbook's year
_DAY_MONTH = re.compile(r"^(\d{1,2})\.?\s+([a-zæøå]+)\.?$")  # "15. september"
_MONTH = re.compile(r"^([a-zæøå]+)\.?$")  # "desember"
_QUARTER = re.compile(r"^(?:q\s*([1-4])|([1-4])\.?\s*(?:kvartal|quarter|kvartal))\s*(\d{4})?$")
_WEEK = re.compile(r"^(?:uke|veke|uge|week|v\.?)\s*(\d{1,2})(?:\s*[-/,]?\s*(\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})\.?\s+([a-zæøå]+)\.?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([a-zæøå]+)\.?\s+(\d{4})$")
_SEASON = re.compile(r"^([a-zæøå]+)\s+(\d{4})(?:\s*[-–/]\s*(\d{2}|\d{4}))?$")


@functools.cache
def _month_words() -> tuple[tuple[int, str, str], ...]:
    """(month, short name, long name) in every language: a leader writes in their own."""
    return tuple((i, short.casefold().rstrip("."), long.casefold())
                 for cat in labels.all_catalogs()
                 for i, (short, long) in enumerate(zip(cat.MONTHS, cat.MONTHS_LONG), start=1))


@functools.cache
def _seasons() -> dict[str, tuple[int, int]]:
    """A season's word in every language -> (month, day) of its last day."""
    out = {}
    for cat in labels.all_catalogs():
        for word, end in cat.SEASONS.items():
            out.setdefault(word.casefold(), end)
    return out


def _month_number(word: str) -> int | None:
    word = word.casefold().rstrip(".")
    for i, short, long in _month_words():
        if word in (short, long) or (len(word) >= 3 and long.startswith(word)):
            return i
    return None


def _year(text: str, base: int) -> int:
    y = int(text)
    return y + 2000 if y < 100 else y


def parse_date_text(text: str, base_year: int) -> tuple[dt.date | None, str]:
    """A date typed as text, as people write it: "15.9.2025", "1/10-25", "2025-09-15",
    "15. sep 2025", and without a year, in `base_year`: "15.9", "15. september"; or a
    period, read as its last day: "mars 2026", "desember", "vår 2026", "høst 2026",
    "Q3 2026", "3. kvartal", "uke 38".

    Returns (date or None, "date" or "period").
    """
    t = " ".join(text.casefold().split())
    try:
        m = _DMY.match(t)
        if m:
            return dt.date(_year(m.group(3), base_year), int(m.group(2)), int(m.group(1))), "date"
        m = _DM.match(t)
        if m:
            return dt.date(base_year, int(m.group(2)), int(m.group(1))), "date"
        m = _DAY_MONTH.match(t)
        if m and _month_number(m.group(2)):
            return dt.date(base_year, _month_number(m.group(2)), int(m.group(1))), "date"
        m = _MONTH.match(t)
        # A month alone ("desember"), not "jul": in Norwegian and Danish that is Christmas.
        if m and _month_number(m.group(1)) and len(m.group(1)) >= 3 and m.group(1) not in NOT_A_MONTH:
            month = _month_number(m.group(1))
            return dt.date(base_year, month, calendar.monthrange(base_year, month)[1]), "period"
        m = _QUARTER.match(t)
        if m:
            quarter, year = int(m.group(1) or m.group(2)), int(m.group(3)) if m.group(3) else base_year
            month = 3 * quarter
            return dt.date(year, month, calendar.monthrange(year, month)[1]), "period"
        m = _WEEK.match(t)
        if m and 1 <= int(m.group(1)) <= 53:
            year = int(m.group(2)) if m.group(2) else base_year
            return dt.date.fromisocalendar(year, int(m.group(1)), 7), "period"
        m = _ISO.match(t)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), "date"
        m = _DAY_MONTH_NAME.match(t)
        if m and _month_number(m.group(2)):
            return dt.date(int(m.group(3)), _month_number(m.group(2)), int(m.group(1))), "date"
        m = _MONTH_YEAR.match(t)
        if m and _month_number(m.group(1)):
            year, month = int(m.group(2)), _month_number(m.group(1))
            return dt.date(year, month, calendar.monthrange(year, month)[1]), "period"
        m = _SEASON.match(t)
        if m and m.group(1) in _seasons():
            year = _year(m.group(3), base_year) if m.group(3) else int(m.group(2))
            month, day = _seasons()[m.group(1)]
            day = min(day, calendar.monthrange(year, month)[1])
            return dt.date(year, month, day), "period"
    except ValueError:
        pass
    return None, ""
