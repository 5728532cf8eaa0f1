"""The unit configuration (`unit.toml`): loading, checking and the example file.

Every mistake is collected with its key path and what is allowed, and raised together
as one `ConfigError`; nothing here lets a traceback reach the user. The messages are in
the language in force (the advisor's; see `peek_language`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from . import labels
from .errors import ConfigError
from .xmltext import utf16_len

C = labels.section("CONFIG")

# Excel's limits that the config can break (checked before anything is written).
LIST_ITEM_MAX = 255
LIST_MAX_ITEMS = 500
WHEEL_MAX_OCCURRENCES = 2000  # a year's activities for one section; the reader reads 5000 rows
NAME_MAX = 255

SECTION_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
EMAIL_RE = re.compile(r"^[^@\s<>,;\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
MONTH_DAY_RE = re.compile(r"^(\d{1,2})-(\d{1,2})$")
# Characters that would let a configured value inject a mail header or break a cell.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Code points that are not characters at all: no XML, and so no workbook, can hold them.
NONCHARACTER_RE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")

# The list names, in order; their default values are each language's (catalog DEFAULT_LISTS).
LIST_NAMES = ("categories", "priorities", "statuses", "done_statuses", "cancelled_statuses", "wheel_statuses",
              "wheel_done_statuses", "wheel_na_statuses")
# What each status means is configured by the lists that name them, never read from a
# status's wording: a list is a subset of the list it qualifies.
# A unit that renames its statuses must say which of them mean each thing (an empty list
# where none does: `cancelled_statuses = []`).
MEANING_LISTS = {
    "done_statuses": ("statuses", True),  # closing an action: never overdue
    "cancelled_statuses": ("done_statuses", False),  # closed without being carried out
    "wheel_done_statuses": ("wheel_statuses", True),  # the activity was carried out
    "wheel_na_statuses": ("wheel_statuses", False),  # the activity does not apply this year
}
REPEATS = ("quarterly", "monthly")
# The yearly cycle a unit follows: the Norwegian one of seed 004 (handlingsplan, årshjul,
# God BHT, HMS-årsrapport) or the Danish one of seed 002 (the yearly arbejdsmiljødrøftelse,
# APV, the kompetenceplan). A Danish unit follows the Danish cycle.
CYCLES = ("no", "dk")


def text_problem(value: str, max_len: int = NAME_MAX, one_line: bool = True, limit_key: str = "too_long") -> str | None:
    """What is wrong with a configured text for Excel, or None. Lengths are counted as
    Excel counts them, in UTF-16 units (an emoji is two)."""
    bad = NONCHARACTER_RE.search(value)
    if bad:
        return C["noncharacter"].format(code=f"{ord(bad.group(0)):04X}")
    if CONTROL_RE.search(value) or (one_line and ("\n" in value or "\r" in value)):
        return C["one_line"] if one_line else C["no_control"]
    length = utf16_len(value)
    if length > max_len:
        return C[limit_key].format(length=length, max=max_len)
    return None


@dataclass(frozen=True)
class Advisor:
    name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class Section:
    id: str
    name: str
    leader: str
    email: str
    vo: str = ""
    vo_email: str = ""
    language: str = ""  # the section's own language; "" for the unit's


@dataclass(frozen=True)
class WheelActivity:
    """One årshjul activity and its rule. Exactly one of `due`, `repeat`, (`start`, `end`) is set.

    Month-days are (month, day) pairs; `every_years`/`base_year` restrict any rule to every
    Nth year counted from `base_year`. `sections` is None for all sections.
    """

    id: str
    name: str
    who: str = ""
    due: tuple[int, int] | None = None
    repeat: str | None = None
    start: tuple[int, int] | None = None
    end: tuple[int, int] | None = None
    every_years: int = 1
    base_year: int | None = None
    sections: tuple[str, ...] | None = None
    note: str = ""

    def concerns(self, section_id: str) -> bool:
        return self.sections is None or section_id in self.sections


MAIL_PLACEHOLDERS = ("unit", "year", "section", "leader", "deadline", "advisor", "advisor_email", "details",
                     "deadline_line", "contents")


@dataclass(frozen=True)
class Mail:
    """How workbooks are mailed. Subjects and bodies are templates with {placeholders}; an
    empty one is the catalog's, in the section's language."""

    subject: str = ""
    body: str = ""
    reminder_subject: str = ""
    reminder_body: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    starttls: bool = True
    reminder_days: int = 7  # calendar reminders, days before a deadline


def default_lists(language: str = labels.DEFAULT_LANGUAGE) -> dict[str, tuple[str, ...]]:
    return dict(labels.catalog(language).DEFAULT_LISTS)


_NB = default_lists()


# The årshjul activities whose paperwork the workbook has, unless the unit names others.
SAFETY_ROUND, FIRE_ROUND = "vernerunde", "brannvernrunde"


def safety_round_activity(unit) -> str:
    """The vernerunde's activity id: the unit's, or the default when there is no unit."""
    return unit.safety_round_activity if unit is not None else SAFETY_ROUND


@dataclass(frozen=True)
class Unit:
    name: str
    year: int
    advisor: Advisor
    return_deadline: dt.date
    sections: tuple[Section, ...]
    wheel: tuple[WheelActivity, ...]
    categories: tuple[str, ...] = _NB["categories"]
    priorities: tuple[str, ...] = _NB["priorities"]
    statuses: tuple[str, ...] = _NB["statuses"]
    done_statuses: tuple[str, ...] = _NB["done_statuses"]
    cancelled_statuses: tuple[str, ...] = _NB["cancelled_statuses"]
    wheel_statuses: tuple[str, ...] = _NB["wheel_statuses"]
    wheel_done_statuses: tuple[str, ...] = _NB["wheel_done_statuses"]
    wheel_na_statuses: tuple[str, ...] = _NB["wheel_na_statuses"]
    action_rows: int = 40
    source: str = ""
    mail: Mail = Mail()
    language: str = labels.DEFAULT_LANGUAGE
    godbht: bool = True  # the God BHT self-assessment (a Norwegian standard) is in the workbooks
    lamu_meeting: dt.date | None = None  # when LAMU dealt with the year, for the report
    # A finding's risk (probability x consequence, 1-25): from `risk_medium` it is medium,
    # from `risk_high` high.
    risk_medium: int = 5
    risk_high: int = 10
    # The wheel's activities whose records the workbook keeps: the vernerunde's findings,
    # a row per brannvernrunde.
    safety_round_activity: str = SAFETY_ROUND
    fire_round_activity: str = FIRE_ROUND

    @property
    def cycle(self) -> str:
        return "dk" if self.language == "da" else "no"

    @property
    def has_fire_rounds(self) -> bool:
        return any(a.id == self.fire_round_activity for a in self.wheel)

    @property
    def risk(self) -> tuple[int, int]:
        return self.risk_medium, self.risk_high

    @functools.cached_property
    def _by_id(self) -> dict[str, Section]:
        return {s.id: s for s in self.sections}

    def has_section(self, section_id) -> bool:
        return section_id in self._by_id

    def section(self, section_id: str) -> Section:
        if section_id in self._by_id:
            return self._by_id[section_id]
        known = ", ".join(s.id for s in self.sections)
        raise ConfigError(self.source or "unit.toml", [C["no_section"].format(value=section_id, known=known)])

    def language_of(self, section: Section | str) -> str:
        """The language a section's workbook and mails are in."""
        if isinstance(section, str):
            section = self._by_id.get(section)
        return (section.language if section is not None and section.language else self.language)

    def lists(self) -> dict[str, tuple[str, ...]]:
        """The validation lists written to the hidden sheet, by name: the unit's, in its
        language (one set for all sections, so that answers can be counted together)."""
        return {**{key: getattr(self, key) for key in LIST_NAMES}, "yes_no": labels.catalog(self.language).YES_NO}


# --------------------------------------------------------------------------- checking


class _Checker:
    """Collects problems while reading a parsed TOML document."""

    def __init__(self):
        self.problems: list[str] = []

    def add(self, path: str, msg: str) -> None:
        self.problems.append(C["problem"].format(path=path, msg=msg))

    def table(self, doc, path: str, allowed: dict, required=()):
        """Check a TOML table: it is a table, has no unknown keys and has the required ones."""
        if not isinstance(doc, dict):
            self.add(path, C["not_table"].format(path=path, type=_tname(doc)))
            return {}
        for key in doc:
            if key not in allowed:
                self.add(f"{path}.{key}", C["unknown_key"].format(allowed=", ".join(allowed)))
        for key in required:
            if key not in doc:
                self.add(f"{path}.{key}", C["missing"].format(what=allowed[key]))
        return doc

    def text(self, doc, key, path, required=False, default="", max_len=NAME_MAX):
        if key not in doc:
            return default
        value = doc[key]
        where = f"{path}.{key}"
        if not isinstance(value, str):
            self.add(where, C["not_text"].format(type=_tname(value)))
            return default
        value = value.strip()
        if required and not value:
            self.add(where, C["empty"])
        problem = text_problem(value, max_len)
        if problem:
            self.add(where, problem)
        return value

    def email(self, doc, key, path, required=False):
        value = self.text(doc, key, path, required=required)
        if value and not EMAIL_RE.match(value):
            self.add(f"{path}.{key}", C["not_email"].format(value=value))
        return value

    def integer(self, doc, key, path, lo, hi, default=None):
        if key not in doc:
            return default
        value = doc[key]
        where = f"{path}.{key}"
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(where, C["not_whole"].format(lo=lo, hi=hi, type=_tname(value)))
            return default
        if not lo <= value <= hi:
            self.add(where, C["out_of_range"].format(value=value, lo=lo, hi=hi))
            return default
        return value

    def date(self, doc, key, path, year) -> dt.date | None:
        """An optional date in the year or the next (a year is dealt with after its end)."""
        if key not in doc:
            return None
        value = doc[key]
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            self.add(f"{path}.{key}", C["deadline_not_date"].format(example=f"{(year or 2026) + 1}-02-10",
                                                                      type=_tname(value)))
            return None
        if year is not None and value.year not in (year, year + 1):
            self.add(f"{path}.{key}", C["date_outside_years"].format(date=value.isoformat(), year=year,
                                                                       next=year + 1))
            return None
        return value

    def boolean(self, doc, key, path, default: bool) -> bool:
        if key not in doc:
            return default
        if not isinstance(doc[key], bool):
            self.add(f"{path}.{key}", C["true_false"])
            return default
        return doc[key]

    def language(self, doc, key, path, default=""):
        value = self.text(doc, key, path, default=default)
        if value and value not in labels.LANGUAGES:
            self.add(f"{path}.{key}", C["language_unknown"].format(value=value, allowed=", ".join(labels.LANGUAGES)))
            return default
        return value

    def str_list(self, doc, key, path, default, allow_empty=False):
        if key not in doc:
            return tuple(default)
        value = doc[key]
        where = f"{path}.{key}"
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(where, C["not_text_list"])
            return tuple(default)
        items = [v.strip() for v in value]
        if (not items and not allow_empty) or any(not v for v in items):
            self.add(where, C["list_empty"])
        if len(items) > LIST_MAX_ITEMS:
            self.add(where, C["list_too_many"].format(count=len(items), max=LIST_MAX_ITEMS))
        for i, v in enumerate(items):
            problem = _list_item_problem(v)
            if problem:
                self.add(f"{where}[{i}]", problem)
        seen = set()
        for v in items:
            if v.casefold() in seen:
                self.add(where, C["list_twice"].format(value=v))
            seen.add(v.casefold())
        return tuple(items)


def _list_item_problem(value: str) -> str | None:
    return text_problem(value, LIST_ITEM_MAX, limit_key="list_item_too_long")


def _tname(value) -> str:
    """A TOML value's type, as the error message names it."""
    types = labels.CONFIG_TYPES
    if isinstance(value, bool):
        return types["bool"]
    kind = {str: "text", int: "number", float: "number", list: "list", dict: "table", dt.date: "date",
            dt.datetime: "datetime", dt.time: "time"}.get(type(value))
    return types[kind] if kind else type(value).__name__


def _item_path(table: str, i: int, item) -> str:
    """A [[table]] entry's place as people count: "sections nr. 6 (id «skule»)"."""
    ident = item.get("id") if isinstance(item, dict) else None
    if isinstance(ident, str) and ident.strip():
        return C["item_path"].format(table=table, n=i + 1, id=ident.strip())
    return C["item_path_no_id"].format(table=table, n=i + 1)


def _month_day(ck: _Checker, value, where: str, year: int | None):
    """Parse a wheel date: "MM-DD" text (any year) or a TOML date inside the unit's year."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if year is not None and value.year != year:
            ck.add(where, C["date_outside_year"].format(date=value.isoformat(), year=year))
            return None
        return (value.month, value.day)
    if isinstance(value, str):
        m = MONTH_DAY_RE.match(value.strip())
        if m:
            month, day = int(m.group(1)), int(m.group(2))
            try:
                dt.date(2024, month, day)  # a leap year: 02-29 is allowed and clamped per year
                return (month, day)
            except ValueError:
                pass
    ck.add(where, C["not_month_day"].format(value=value))
    return None


def _keys(table: str) -> dict[str, str]:
    """A table's allowed keys with what each holds, as error messages name them."""
    return dict(labels.CONFIG_KEYS[table])


def _check_wheel(ck: _Checker, raw, year, section_ids) -> tuple[WheelActivity, ...]:
    if not isinstance(raw, list):
        ck.add("wheel", C["wheel_not_list"])
        return ()
    out = []
    seen = set()
    for i, item in enumerate(raw):
        path = _item_path("wheel", i, item)
        item = ck.table(item, path, _keys("wheel"), required=("id", "name"))
        if not item:
            continue
        wid = ck.text(item, "id", path, required=True)
        if wid and not SECTION_ID_RE.match(wid):
            ck.add(f"{path}.id", C["bad_id"].format(value=wid))
        if wid in seen:
            ck.add(f"{path}.id", C["id_twice"].format(value=wid))
        seen.add(wid)
        name = ck.text(item, "name", path, required=True)
        who = ck.text(item, "who", path)
        note = ck.text(item, "note", path, max_len=1000)
        kinds = [k for k in ("due", "repeat", "start") if k in item]
        if "end" in item and "start" not in item:
            kinds.append("end")
        if len(kinds) != 1:
            ck.add(path, C["one_rule"])
        due = _month_day(ck, item["due"], f"{path}.due", year) if "due" in item else None
        start = _month_day(ck, item["start"], f"{path}.start", year) if "start" in item else None
        end = None
        if "start" in item:
            if "end" not in item:
                ck.add(f"{path}.end", C["period_needs_end"])
            else:
                end = _month_day(ck, item["end"], f"{path}.end", None)
        repeat = None
        if "repeat" in item:
            repeat = item["repeat"]
            if repeat not in REPEATS:
                ck.add(f"{path}.repeat", C["repeat_unknown"].format(value=repeat, allowed=", ".join(REPEATS)))
                repeat = None
        every = ck.integer(item, "every_years", path, 1, 50, default=1)
        base = ck.integer(item, "base_year", path, 1900, 2200, default=None)
        if every > 1 and base is None and "base_year" not in item:  # (a wrong one is told as such)
            ck.add(f"{path}.base_year", C["base_year_missing"])
        sections = None
        if "sections" in item:
            sv = item["sections"]
            if sv == "all":
                sections = None
            elif isinstance(sv, list) and all(isinstance(s, str) for s in sv):
                for s in sv:
                    if s not in section_ids:
                        ck.add(f"{path}.sections", C["not_section"].format(value=s, known=", ".join(sorted(section_ids))))
                sections = tuple(sv)
            else:
                ck.add(f"{path}.sections", C["sections_all_or_list"])
        out.append(WheelActivity(
            id=wid, name=name, who=who, due=due, repeat=repeat, start=start, end=end,
            every_years=every, base_year=base, sections=sections, note=note,
        ))
    return tuple(out)


def default_wheel_text(language: str = labels.DEFAULT_LANGUAGE) -> str:
    """The default årshjul as `[[wheel]]` tables: the rules of the language's cycle (seed 004,
    or seed 002 for Danish), the names in the language."""
    cycle = "dk" if language == "da" else "no"
    rules = tomllib.loads(resources.files("hmsxl").joinpath(f"default_wheel_{cycle}.toml").read_text(encoding="utf-8"))
    cat = labels.catalog(language)
    out = [cat.EXAMPLE["wheel_comment"].rstrip(), ""]
    for activity in rules["wheel"]:
        name, who, note = cat.WHEEL_DEFAULT[activity["id"]]
        out.append("[[wheel]]")
        out.append(f"id = {repr_toml(activity['id'])}")
        out.append(f"name = {repr_toml(name)}")
        if who:
            out.append(f"who = {repr_toml(who)}")
        for key, value in activity.items():
            if key != "id":
                out.append(f"{key} = {_toml_value(value)}")
        if note:
            out.append(f"note = {repr_toml(note)}")
        out.append("")
    return "\n".join(out)


def _toml_value(value) -> str:
    if isinstance(value, str):
        return repr_toml(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def parse_config(doc: dict, source: str = "unit.toml") -> Unit:
    """Check a parsed TOML document and build the `Unit`; raise `ConfigError` with every mistake."""
    ck = _Checker()
    ck.table(doc, C["top_level"], _keys("top"), required=("unit", "advisor", "sections"))
    unit = ck.table(doc.get("unit", {}), "unit", _keys("unit"), required=("name", "year", "return_deadline"))
    name = ck.text(unit, "name", "unit", required=True)
    year = ck.integer(unit, "year", "unit", 2000, 2100)
    rows = ck.integer(unit, "action_rows", "unit", 5, 1000, default=40)
    language = ck.language(unit, "language", "unit", default=labels.DEFAULT_LANGUAGE) or labels.DEFAULT_LANGUAGE
    godbht = ck.boolean(unit, "godbht", "unit", default=language != "da")
    lamu_meeting = ck.date(unit, "lamu_meeting", "unit", year)
    activities = {key: ck.text(unit, key, "unit", default=default)
                  for key, default in (("safety_round_activity", SAFETY_ROUND),
                                       ("fire_round_activity", FIRE_ROUND))}
    risk_raw = ck.table(doc.get("risk", {}), "risk", _keys("risk"))
    risk_medium = ck.integer(risk_raw, "medium", "risk", 1, 25, default=5)
    risk_high = ck.integer(risk_raw, "high", "risk", 1, 25, default=10)
    if risk_medium is not None and risk_high is not None and risk_medium >= risk_high:
        ck.add("risk.medium", C["risk_order"].format(medium=risk_medium, high=risk_high))
    deadline = None
    if "return_deadline" in unit:
        d = unit["return_deadline"]
        if isinstance(d, dt.datetime):
            d = d.date()
        if not isinstance(d, dt.date):
            ck.add("unit.return_deadline", C["deadline_not_date"].format(example=f"{year or 2026}-12-01",
                                                                          type=_tname(d)))
        elif year is not None and d.year != year:
            ck.add("unit.return_deadline", C["deadline_outside_year"].format(date=d.isoformat(), year=year))
        else:
            deadline = d

    adv = ck.table(doc.get("advisor", {}), "advisor", _keys("advisor"), required=("name", "email"))
    advisor = Advisor(
        name=ck.text(adv, "name", "advisor", required=True),
        email=ck.email(adv, "email", "advisor", required=True),
        phone=ck.text(adv, "phone", "advisor"),
    )

    sections = []
    raw_sections = doc.get("sections", [])
    if not isinstance(raw_sections, list):
        ck.add("sections", C["sections_not_list"])
        raw_sections = []
    if "sections" in doc and not raw_sections:
        ck.add("sections", C["sections_empty"])
    ids = set()
    for i, raw in enumerate(raw_sections):
        path = _item_path("sections", i, raw)
        raw = ck.table(raw, path, _keys("sections"), required=("id", "name", "leader", "email"))
        if not raw:
            continue
        sid = ck.text(raw, "id", path, required=True)
        if sid and not SECTION_ID_RE.match(sid):
            ck.add(f"{path}.id", C["bad_id"].format(value=sid))
        if sid in ids:
            ck.add(f"{path}.id", C["section_id_twice"].format(value=sid))
        ids.add(sid)
        sections.append(Section(
            id=sid,
            name=ck.text(raw, "name", path, required=True),
            leader=ck.text(raw, "leader", path, required=True),
            email=ck.email(raw, "email", path, required=True),
            vo=ck.text(raw, "vo", path),
            vo_email=ck.email(raw, "vo_email", path),
            language=ck.language(raw, "language", path),
        ))
        name_ = sections[-1].name
        if name_ and any(s.name.casefold() == name_.casefold() for s in sections[:-1]):
            ck.add(f"{path}.name", C["section_name_twice"].format(value=name_))

    defaults = default_lists(language)
    lists_raw = ck.table(doc.get("lists", {}), "lists", {k: labels.CONFIG_KEYS["lists"]["any"] for k in LIST_NAMES})
    lists = {k: ck.str_list(lists_raw, k, "lists", defaults[k],
                            allow_empty=k in MEANING_LISTS and not MEANING_LISTS[k][1])
             for k in LIST_NAMES}
    for key, (within, required) in MEANING_LISTS.items():
        stray = [v for v in lists[key] if v not in lists[within]]
        if stray and key not in lists_raw and isinstance(lists_raw, dict) and within in lists_raw:
            # The unit renamed its statuses but did not say which of its own mean this: a
            # report counting nothing as cancelled would be wrong without a word.
            ck.add(f"lists.{key}", C["meaning_missing"].format(key=key, within=within, default=", ".join(lists[key]),
                                                                values=", ".join(lists[within])))
            continue
        for extra in stray:
            ck.add(f"lists.{key}", C["meaning_not_in"].format(value=extra, within=within,
                                                               values=", ".join(lists[within])))

    if "wheel" in doc:
        wheel = _check_wheel(ck, doc["wheel"], year, ids)
    else:
        wheel_doc = tomllib.loads(default_wheel_text(language))
        wheel = _check_wheel(ck, wheel_doc["wheel"], year, ids)

    known = [w.id for w in wheel or ()]
    for key, value in activities.items():
        # A mistyped id would quietly take the sheet and its checks away from every workbook.
        if key in unit and value is not None and wheel is not None and value not in known:
            ck.add(f"unit.{key}", C["activity_unknown"].format(value=value, ids=", ".join(known)))
    mail = _check_mail(ck, doc.get("mail", {}))
    if ck.problems:
        raise ConfigError(source, ck.problems)
    unit = Unit(
        name=name, year=year, advisor=advisor, return_deadline=deadline, sections=tuple(sections), wheel=wheel,
        action_rows=rows, source=source, mail=mail, language=language, godbht=godbht, **lists,
        lamu_meeting=lamu_meeting, risk_medium=risk_medium, risk_high=risk_high, **activities,
    )
    _check_wheel_size(ck, unit)
    if ck.problems:
        raise ConfigError(source, ck.problems)
    return unit


def _check_wheel_size(ck: _Checker, unit: Unit) -> None:
    """A wheel whose year would not fit the sheet the reader reads (monthly times hundreds)."""
    from .wheel import year_occurrences

    most = max((len(year_occurrences(unit, s.id)) for s in unit.sections), default=0)
    if most > WHEEL_MAX_OCCURRENCES:
        ck.add("wheel", C["wheel_too_many"].format(count=most, max=WHEEL_MAX_OCCURRENCES))
        return
    # An id like "brannvernrunde-k1" beside a quarterly "brannvernrunde": two rows with one
    # key, and the reader could not tell which the leader filled in.
    seen: set = set()
    for s in unit.sections:
        keys = [o.key for o in year_occurrences(unit, s.id)]
        for key in {k for k in keys if keys.count(k) > 1} - seen:
            seen.add(key)
            ck.add("wheel", C["wheel_key_twice"].format(key=key))


def check_unit(unit: Unit) -> None:
    """Check a `Unit` built in Python as `unit.toml` is checked: every text one line, without
    control characters or noncharacters, within Excel's limits; section ids that can name a
    file; known languages. Raises `ConfigError` naming each key path, so `generate()` never
    writes a file that Excel would have to repair."""
    problems = []

    def text(path, value, max_len=NAME_MAX):
        if not isinstance(value, str):
            problems.append(C["problem"].format(path=path, msg=C["not_text_type"].format(type=_tname(value))))
            return
        problem = text_problem(value, max_len)
        if problem:
            problems.append(C["problem"].format(path=path, msg=problem))

    def language(path, value, allow_empty):
        if not (value in labels.LANGUAGES or (allow_empty and value == "")):
            problems.append(C["problem"].format(path=path, msg=C["language_unknown"].format(
                value=value, allowed=", ".join(labels.LANGUAGES))))

    def whole(path, value, lo, hi):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(C["problem"].format(path=path, msg=C["not_whole"].format(lo=lo, hi=hi, type=_tname(value))))
        elif not lo <= value <= hi:
            problems.append(C["problem"].format(path=path, msg=C["out_of_range"].format(value=value, lo=lo, hi=hi)))

    text("unit.name", unit.name)
    language("unit.language", unit.language, False)
    whole("unit.year", unit.year, 2000, 2100)
    whole("unit.action_rows", unit.action_rows, 5, 1000)
    deadline = unit.return_deadline
    if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
        problems.append(C["problem"].format(path="unit.return_deadline", msg=C["deadline_not_date"].format(
            example="2026-12-01", type=_tname(deadline))))
    elif isinstance(unit.year, int) and deadline.year != unit.year:
        problems.append(C["problem"].format(path="unit.return_deadline", msg=C["deadline_outside_year"].format(
            date=deadline.isoformat(), year=unit.year)))
    for key in ("name", "email", "phone"):
        text(f"advisor.{key}", getattr(unit.advisor, key))
    for i, s in enumerate(unit.sections):
        path = _item_path("sections", i, {"id": s.id} if isinstance(s.id, str) else {})
        if not isinstance(s.id, str) or not SECTION_ID_RE.match(s.id):
            problems.append(C["problem"].format(path=f"{path}.id", msg=C["bad_id"].format(value=s.id)))
        for key in ("name", "leader", "email", "vo", "vo_email"):
            text(f"{path}.{key}", getattr(s, key))
        language(f"{path}.language", s.language, True)
    for key in LIST_NAMES:
        for i, v in enumerate(getattr(unit, key)):
            problem = _list_item_problem(v) if isinstance(v, str) else C["not_text_type"].format(type=_tname(v))
            if problem:
                problems.append(C["problem"].format(path=f"lists.{key}[{i}]", msg=problem))
    for i, a in enumerate(unit.wheel):
        path = _item_path("wheel", i, {"id": a.id} if isinstance(a.id, str) else {})
        for key in ("id", "name", "who"):
            text(f"{path}.{key}", getattr(a, key))
        text(f"{path}.note", a.note, max_len=1000)
    if not problems:
        ck = _Checker()
        _check_wheel_size(ck, unit)
        problems = ck.problems
    if problems:
        raise ConfigError(unit.source or "unit", problems)


def _check_mail(ck: _Checker, raw) -> Mail:
    import string

    raw = ck.table(raw, "mail", _keys("mail"))
    default = Mail()
    values = {}
    for key in ("subject", "reminder_subject"):
        values[key] = ck.text(raw, key, "mail", default="", max_len=200)
    for key in ("body", "reminder_body"):
        if key in raw:
            if not isinstance(raw[key], str):
                ck.add(f"mail.{key}", C["mail_not_text"])
            elif text_problem(raw[key], 10000, one_line=False):
                ck.add(f"mail.{key}", C["mail_body"])
            else:
                values[key] = raw[key]
    for key in ("subject", "body", "reminder_subject", "reminder_body"):
        template = values.get(key) or ""
        try:
            fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(template) if f is not None]
        except ValueError as exc:
            ck.add(f"mail.{key}", C["bad_template"].format(error=exc))
            continue
        names = {f for f, _, _ in fields}
        # "{unit:>99999999}" or "{unit!r}" would fail, or fill a mail with spaces, when sent.
        fancy = next(((f, spec, conv) for f, spec, conv in fields if spec or conv), None)
        if fancy:
            f, spec, conv = fancy
            found = "{" + f + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
            ck.add(f"mail.{key}", C["plain_placeholder"].format(found=found, plain="{" + f + "}"))
            continue
        unknown = names - set(MAIL_PLACEHOLDERS)
        if unknown:
            ck.add(f"mail.{key}", C["unknown_placeholder"].format(names=", ".join(sorted(unknown)),
                                                                  allowed=", ".join(MAIL_PLACEHOLDERS)))
    values["smtp_host"] = ck.text(raw, "smtp_host", "mail", default="")
    values["smtp_port"] = ck.integer(raw, "smtp_port", "mail", 1, 65535, default=default.smtp_port)
    values["starttls"] = ck.boolean(raw, "starttls", "mail", default=default.starttls)
    values["reminder_days"] = ck.integer(raw, "reminder_days", "mail", 0, 365, default=default.reminder_days)
    return Mail(**values)


# What a TOML syntax error most often is in a unit.toml: a date or a text written as in a
# letter. The hint is added to the parser's own message.
_TOML_DATE_LIKE = re.compile(r"=\s*\d{1,2}[./]\d{1,2}[./]\d{2,4}")
_TOML_BARE_TEXT = re.compile(r"=\s*[^\s\"'\[\]{}\d#tf-]")


def _toml_hint(text: str, exc: tomllib.TOMLDecodeError) -> str:
    line = getattr(exc, "lineno", None)
    if line is None:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) if m else None
    source = text.splitlines()[line - 1] if line and 0 < line <= len(text.splitlines()) else ""
    if _TOML_DATE_LIKE.search(source):
        return C["toml_hint_date"]
    if _TOML_BARE_TEXT.search(source):
        return C["toml_hint_text"]
    return C["toml_hint"]


def _read_toml(path: Path) -> tuple[str, dict]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, [C["not_found"]]) from None
    except IsADirectoryError:
        raise ConfigError(path, [C["is_folder"]]) from None
    except OSError as exc:
        raise ConfigError(path, [C["cannot_read"].format(error=exc.strerror)]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(path, [C["not_utf8"]]) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Where, in words; the reader's own words (English) after.
        m = re.search(r"\s*\(at line (\d+), column (\d+)\)", str(exc))
        error = str(exc)[:m.start()] + str(exc)[m.end():] if m else str(exc)
        hint = _toml_hint(text, exc)
        said = (C["not_toml"].format(line=m.group(1), column=m.group(2), error=error, hint=hint) if m
                else C["not_toml_somewhere"].format(error=error, hint=hint))
        raise ConfigError(path, [said]) from None
    except RecursionError:  # tables or lists nested thousands deep: no unit.toml is
        raise ConfigError(path, [C["too_deep"]]) from None


def _config_path(path) -> Path:
    path = Path(path)
    return path / "unit.toml" if path.is_dir() else path


def load_config(path) -> Unit:
    """Read and check `unit.toml`. Raises `ConfigError` naming each wrong key."""
    path = _config_path(path)
    _, doc = _read_toml(path)
    return parse_config(doc, source=str(path))


def peek_language(path) -> str | None:
    """The language a unit.toml names for its unit, if it can be read at all: the language
    its own mistakes are told in. None when it cannot be told."""
    try:
        _, doc = _read_toml(_config_path(path))
    except ConfigError:
        return None
    lang = doc.get("unit", {}).get("language") if isinstance(doc.get("unit"), dict) else None
    return lang if lang in labels.LANGUAGES else None


# --------------------------------------------------------------------------- example


def example_config_text(year: int, language: str = labels.DEFAULT_LANGUAGE) -> str:
    """The commented example `unit.toml` that `hmsxl init` writes (invented unit and people),
    in `language`: its comments, names, lists and årshjul."""
    cat = labels.catalog(language)
    lists = "\n".join(f"# {key} = [{', '.join(repr_toml(v) for v in cat.DEFAULT_LISTS[key])}]" for key in LIST_NAMES)
    return cat.EXAMPLE["unit_toml"].format(year=year, language=language, lists=lists,
                                           wheel=default_wheel_text(language).strip())


def repr_toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_example_config(directory, year: int | None = None, force: bool = False,
                         language: str = labels.DEFAULT_LANGUAGE) -> Path:
    """Write DIR/unit.toml; refuse to overwrite an existing one unless `force`."""
    from .errors import OutputExistsError
    from .fileio import atomic_write_bytes

    directory = Path(directory)
    target = directory / "unit.toml"
    if target.exists() and not force:
        raise OutputExistsError(C["exists"].format(target=target))
    if directory.exists() and not directory.is_dir():
        raise OutputExistsError(C["is_file"].format(path=directory))
    directory.mkdir(parents=True, exist_ok=True)
    year = year or dt.date.today().year
    atomic_write_bytes(target, example_config_text(year, language).encode("utf-8"))
    return target
