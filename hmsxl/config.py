"""The unit configuration (`unit.toml`): loading, checking and the example file.

Every mistake is collected with its key path and what is allowed, and raised together
as one `ConfigError`; nothing here lets a traceback reach the user.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import ConfigError
from .labels import DEFAULT_LISTS, MAIL_TEXT
from .xmltext import utf16_len

# Excel's limits that the config can break (checked before anything is written).
LIST_ITEM_MAX = 255
LIST_MAX_ITEMS = 500
NAME_MAX = 255

SECTION_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
EMAIL_RE = re.compile(r"^[^@\s<>,;\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
MONTH_DAY_RE = re.compile(r"^(\d{1,2})-(\d{1,2})$")
# Characters that would let a configured value inject a mail header or break a cell.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Code points that are not characters at all: no XML, and so no workbook, can hold them.
NONCHARACTER_RE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def text_problem(value: str, max_len: int = NAME_MAX, one_line: bool = True, limit: str = "") -> str | None:
    """What is wrong with a configured text for Excel, or None. Lengths are counted as
    Excel counts them, in UTF-16 units (an emoji is two)."""
    bad = NONCHARACTER_RE.search(value)
    if bad:
        return f"holds U+{ord(bad.group(0)):04X}, which is not a character a workbook can hold; remove it"
    if CONTROL_RE.search(value) or (one_line and ("\n" in value or "\r" in value)):
        return "must be one line without control characters" if one_line else "must be text without control characters"
    length = utf16_len(value)
    if length > max_len:
        return f"is {length} characters long; {limit or f'at most {max_len} are allowed'}"
    return None

# What each status means is configured by the lists that name them, never read from a
# status's wording: a list is a subset of the list it qualifies.
# A unit that renames its statuses must say which mean "done"; "cancelled" and "not
# applicable" may simply not exist in its lists.
MEANING_LISTS = {
    "done_statuses": ("statuses", True),  # closing an action: never overdue
    "cancelled_statuses": ("done_statuses", False),  # closed without being carried out
    "wheel_done_statuses": ("wheel_statuses", True),  # the activity was carried out
    "wheel_na_statuses": ("wheel_statuses", False),  # the activity does not apply this year
}

REPEATS = ("quarterly", "monthly")


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


MAIL_PLACEHOLDERS = ("unit", "year", "section", "leader", "deadline", "advisor", "advisor_email", "details")


@dataclass(frozen=True)
class Mail:
    """How workbooks are mailed. Subjects and bodies are templates with {placeholders}."""

    subject: str = MAIL_TEXT["subject"]
    body: str = MAIL_TEXT["body"]
    reminder_subject: str = MAIL_TEXT["reminder_subject"]
    reminder_body: str = MAIL_TEXT["reminder_body"]
    smtp_host: str = ""
    smtp_port: int = 587
    starttls: bool = True
    reminder_days: int = 7  # calendar reminders, days before a deadline


@dataclass(frozen=True)
class Unit:
    name: str
    year: int
    advisor: Advisor
    return_deadline: dt.date
    sections: tuple[Section, ...]
    wheel: tuple[WheelActivity, ...]
    categories: tuple[str, ...] = DEFAULT_LISTS["categories"]
    priorities: tuple[str, ...] = DEFAULT_LISTS["priorities"]
    statuses: tuple[str, ...] = DEFAULT_LISTS["statuses"]
    done_statuses: tuple[str, ...] = DEFAULT_LISTS["done_statuses"]
    cancelled_statuses: tuple[str, ...] = DEFAULT_LISTS["cancelled_statuses"]
    wheel_statuses: tuple[str, ...] = DEFAULT_LISTS["wheel_statuses"]
    wheel_done_statuses: tuple[str, ...] = DEFAULT_LISTS["wheel_done_statuses"]
    wheel_na_statuses: tuple[str, ...] = DEFAULT_LISTS["wheel_na_statuses"]
    action_rows: int = 40
    source: str = ""
    mail: Mail = Mail()

    @functools.cached_property
    def _by_id(self) -> dict[str, Section]:
        return {s.id: s for s in self.sections}

    def has_section(self, section_id) -> bool:
        return section_id in self._by_id

    def section(self, section_id: str) -> Section:
        if section_id in self._by_id:
            return self._by_id[section_id]
        known = ", ".join(s.id for s in self.sections)
        raise ConfigError(self.source or "unit.toml", [f"no section with id {section_id!r} (known: {known})"])

    def lists(self) -> dict[str, tuple[str, ...]]:
        """The validation lists written to the hidden sheet, by name."""
        from .labels import YES_NO

        return {**{key: getattr(self, key) for key in DEFAULT_LISTS}, "yes_no": YES_NO}


# --------------------------------------------------------------------------- checking


class _Checker:
    """Collects problems while reading a parsed TOML document."""

    def __init__(self):
        self.problems: list[str] = []

    def add(self, path: str, msg: str) -> None:
        self.problems.append(f"{path}: {msg}")

    def table(self, doc, path: str, allowed: dict, required=()):
        """Check a TOML table: it is a table, has no unknown keys and has the required ones."""
        if not isinstance(doc, dict):
            self.add(path, f"must be a table ([{path}]), not {_tname(doc)}")
            return {}
        for key in doc:
            if key not in allowed:
                self.add(f"{path}.{key}", f"unknown key (allowed: {', '.join(allowed)})")
        for key in required:
            if key not in doc:
                self.add(f"{path}.{key}", f"missing ({allowed[key]})")
        return doc

    def text(self, doc, key, path, required=False, default="", max_len=NAME_MAX):
        if key not in doc:
            return default
        value = doc[key]
        where = f"{path}.{key}"
        if not isinstance(value, str):
            self.add(where, f"must be text in quotes, not {_tname(value)}")
            return default
        value = value.strip()
        if required and not value:
            self.add(where, "must not be empty")
        problem = text_problem(value, max_len)
        if problem:
            self.add(where, problem)
        return value

    def email(self, doc, key, path, required=False):
        value = self.text(doc, key, path, required=required)
        if value and not EMAIL_RE.match(value):
            self.add(f"{path}.{key}", f"{value!r} is not an e-mail address (expected name@domain.no)")
        return value

    def integer(self, doc, key, path, lo, hi, default=None):
        if key not in doc:
            return default
        value = doc[key]
        where = f"{path}.{key}"
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(where, f"must be a whole number from {lo} to {hi}, not {_tname(value)}")
            return default
        if not lo <= value <= hi:
            self.add(where, f"is {value}; allowed is a whole number from {lo} to {hi}")
            return default
        return value

    def str_list(self, doc, key, path, default, allow_empty=False):
        if key not in doc:
            return tuple(default)
        value = doc[key]
        where = f"{path}.{key}"
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(where, "must be a list of texts, e.g. [\"Høy\", \"Lav\"]")
            return tuple(default)
        items = [v.strip() for v in value]
        if (not items and not allow_empty) or any(not v for v in items):
            self.add(where, "must hold at least one value and no empty ones")
        if len(items) > LIST_MAX_ITEMS:
            self.add(where, f"has {len(items)} values; at most {LIST_MAX_ITEMS} are allowed")
        for i, v in enumerate(items):
            problem = _list_item_problem(v)
            if problem:
                self.add(f"{where}[{i}]", problem)
        seen = set()
        for v in items:
            if v.casefold() in seen:
                self.add(where, f"has {v!r} twice")
            seen.add(v.casefold())
        return tuple(items)


def _list_item_problem(value: str) -> str | None:
    return text_problem(value, LIST_ITEM_MAX, limit=f"Excel lists allow at most {LIST_ITEM_MAX}")


def _tname(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {
        str: "text", int: "a number", float: "a number", list: "a list", dict: "a table",
        dt.date: "a date", dt.datetime: "a date and time", dt.time: "a time",
    }.get(type(value), type(value).__name__)


def _month_day(ck: _Checker, value, where: str, year: int | None):
    """Parse a wheel date: "MM-DD" text (any year) or a TOML date inside the unit's year."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if year is not None and value.year != year:
            ck.add(where, f"{value.isoformat()} is outside the year {year}; write \"MM-DD\" or a date in {year}")
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
    ck.add(where, f"{value!r} is not a month and day; write \"MM-DD\", e.g. \"07-01\"")
    return None


TOP_KEYS = {
    "unit": "table with name, year, return_deadline",
    "advisor": "table with name, email",
    "sections": "one [[sections]] table per section",
    "lists": "table of value lists",
    "wheel": "one [[wheel]] table per årshjul activity",
    "mail": "table: subject, body, reminder texts, SMTP server, calendar reminders",
}
MAIL_KEYS = {
    "subject": "the e-mail subject, a template",
    "body": "the e-mail text, a template",
    "reminder_subject": "the reminder's subject, a template",
    "reminder_body": "the reminder's text, a template",
    "smtp_host": "the SMTP server's name",
    "smtp_port": "the SMTP server's port",
    "starttls": "true or false",
    "reminder_days": "calendar reminder, days before a deadline",
}
UNIT_KEYS = {
    "name": "the unit's name, text",
    "year": "the year, e.g. 2026",
    "return_deadline": "a date, e.g. 2026-12-01",
    "action_rows": "number of empty action-plan rows, 5 to 1000",
}
ADVISOR_KEYS = {"name": "the advisor's name", "email": "the advisor's e-mail", "phone": "phone number"}
SECTION_KEYS = {
    "id": "short id: a-z, 0-9, - and _",
    "name": "the section's name",
    "leader": "the leader's name",
    "email": "the leader's e-mail",
    "vo": "the safety representative's name",
    "vo_email": "the safety representative's e-mail",
}
LIST_KEYS = {k: "list of texts" for k in DEFAULT_LISTS}
WHEEL_KEYS = {
    "id": "short id: a-z, 0-9, - and _",
    "name": "the activity's name",
    "who": "who is responsible",
    "due": "deadline \"MM-DD\"",
    "repeat": "\"quarterly\" or \"monthly\"",
    "start": "start of a period \"MM-DD\"",
    "end": "end of a period \"MM-DD\"",
    "every_years": "every N years, e.g. 3",
    "base_year": "a year the activity takes place, e.g. 2024",
    "sections": "list of section ids, or \"all\"",
    "note": "a note shown with the activity",
}


def _check_wheel(ck: _Checker, raw, year, section_ids) -> tuple[WheelActivity, ...]:
    if not isinstance(raw, list):
        ck.add("wheel", "must be a list of [[wheel]] tables")
        return ()
    out = []
    seen = set()
    for i, item in enumerate(raw):
        path = f"wheel[{i}]"
        item = ck.table(item, path, WHEEL_KEYS, required=("id", "name"))
        if not item:
            continue
        wid = ck.text(item, "id", path, required=True)
        if wid and not SECTION_ID_RE.match(wid):
            ck.add(f"{path}.id", f"{wid!r} may only hold a-z, 0-9, - and _ (at most 30, starting with a letter or digit)")
        if wid in seen:
            ck.add(f"{path}.id", f"{wid!r} is used twice")
        seen.add(wid)
        name = ck.text(item, "name", path, required=True)
        who = ck.text(item, "who", path)
        note = ck.text(item, "note", path, max_len=1000)
        kinds = [k for k in ("due", "repeat", "start") if k in item]
        if "end" in item and "start" not in item:
            kinds.append("end")
        if len(kinds) != 1:
            ck.add(path, "needs exactly one rule: due = \"MM-DD\", repeat = \"quarterly\"/\"monthly\", "
                   "or start = \"MM-DD\" with end = \"MM-DD\"")
        due = _month_day(ck, item["due"], f"{path}.due", year) if "due" in item else None
        start = _month_day(ck, item["start"], f"{path}.start", year) if "start" in item else None
        end = None
        if "start" in item:
            if "end" not in item:
                ck.add(f"{path}.end", "missing: a period needs both start and end")
            else:
                end = _month_day(ck, item["end"], f"{path}.end", None)
        repeat = None
        if "repeat" in item:
            repeat = item["repeat"]
            if repeat not in REPEATS:
                ck.add(f"{path}.repeat", f"{repeat!r} is not allowed (allowed: {', '.join(REPEATS)})")
                repeat = None
        every = ck.integer(item, "every_years", path, 1, 50, default=1)
        base = ck.integer(item, "base_year", path, 1900, 2200, default=None)
        if every > 1 and base is None:
            ck.add(f"{path}.base_year", "missing: every_years needs a base_year (a year it takes place)")
        sections = None
        if "sections" in item:
            sv = item["sections"]
            if sv == "all":
                sections = None
            elif isinstance(sv, list) and all(isinstance(s, str) for s in sv):
                for s in sv:
                    if s not in section_ids:
                        ck.add(f"{path}.sections", f"{s!r} is not a section id (known: {', '.join(sorted(section_ids))})")
                sections = tuple(sv)
            else:
                ck.add(f"{path}.sections", "must be \"all\" or a list of section ids")
        out.append(WheelActivity(
            id=wid, name=name, who=who, due=due, repeat=repeat, start=start, end=end,
            every_years=every, base_year=base, sections=sections, note=note,
        ))
    return tuple(out)


def default_wheel_text() -> str:
    return resources.files("hmsxl").joinpath("default_wheel.toml").read_text(encoding="utf-8")


def parse_config(doc: dict, source: str = "unit.toml") -> Unit:
    """Check a parsed TOML document and build the `Unit`; raise `ConfigError` with every mistake."""
    ck = _Checker()
    ck.table(doc, "(top level)", TOP_KEYS, required=("unit", "advisor", "sections"))
    unit = ck.table(doc.get("unit", {}), "unit", UNIT_KEYS, required=("name", "year", "return_deadline"))
    name = ck.text(unit, "name", "unit", required=True)
    year = ck.integer(unit, "year", "unit", 2000, 2100)
    rows = ck.integer(unit, "action_rows", "unit", 5, 1000, default=40)
    deadline = None
    if "return_deadline" in unit:
        d = unit["return_deadline"]
        if isinstance(d, dt.datetime):
            d = d.date()
        if not isinstance(d, dt.date):
            ck.add("unit.return_deadline", f"must be a date without quotes, e.g. {year or 2026}-12-01, not {_tname(d)}")
        elif year is not None and d.year != year:
            ck.add("unit.return_deadline", f"{d.isoformat()} is outside the year {year}")
        else:
            deadline = d

    adv = ck.table(doc.get("advisor", {}), "advisor", ADVISOR_KEYS, required=("name", "email"))
    advisor = Advisor(
        name=ck.text(adv, "name", "advisor", required=True),
        email=ck.email(adv, "email", "advisor", required=True),
        phone=ck.text(adv, "phone", "advisor"),
    )

    sections = []
    raw_sections = doc.get("sections", [])
    if not isinstance(raw_sections, list):
        ck.add("sections", "must be a list of [[sections]] tables")
        raw_sections = []
    if "sections" in doc and not raw_sections:
        ck.add("sections", "must hold at least one [[sections]] table")
    ids = set()
    for i, raw in enumerate(raw_sections):
        path = f"sections[{i}]"
        raw = ck.table(raw, path, SECTION_KEYS, required=("id", "name", "leader", "email"))
        if not raw:
            continue
        sid = ck.text(raw, "id", path, required=True)
        if sid and not SECTION_ID_RE.match(sid):
            ck.add(f"{path}.id", f"{sid!r} may only hold a-z, 0-9, - and _ (at most 30, starting with a letter or "
                   "digit): it names the file and the sheet data")
        if sid in ids:
            ck.add(f"{path}.id", f"{sid!r} is used by another section; section ids must be unique")
        ids.add(sid)
        sections.append(Section(
            id=sid,
            name=ck.text(raw, "name", path, required=True),
            leader=ck.text(raw, "leader", path, required=True),
            email=ck.email(raw, "email", path, required=True),
            vo=ck.text(raw, "vo", path),
            vo_email=ck.email(raw, "vo_email", path),
        ))

    lists_raw = ck.table(doc.get("lists", {}), "lists", LIST_KEYS)
    lists = {k: ck.str_list(lists_raw, k, "lists", v, allow_empty=k in MEANING_LISTS and not MEANING_LISTS[k][1])
             for k, v in DEFAULT_LISTS.items()}
    for key, (within, required) in MEANING_LISTS.items():
        if key not in lists_raw and not required:
            # The unit renamed its statuses: the defaults' meanings that still apply stay.
            lists[key] = tuple(v for v in lists[key] if v in lists[within])
        for extra in lists[key]:
            if extra not in lists[within]:
                ck.add(f"lists.{key}", f"{extra!r} is not in lists.{within} ({', '.join(lists[within])}); "
                       f"name the values of lists.{within} that mean this")

    if "wheel" in doc:
        wheel = _check_wheel(ck, doc["wheel"], year, ids)
    else:
        wheel_doc = tomllib.loads(default_wheel_text())
        wheel = _check_wheel(ck, wheel_doc["wheel"], year, ids)

    mail = _check_mail(ck, doc.get("mail", {}))
    if ck.problems:
        raise ConfigError(source, ck.problems)
    return Unit(
        name=name, year=year, advisor=advisor, return_deadline=deadline,
        sections=tuple(sections), wheel=wheel, action_rows=rows, source=source, mail=mail, **lists,
    )


def check_unit(unit: Unit) -> None:
    """Check a `Unit` built in Python as `unit.toml` is checked: every text one line, without
    control characters or noncharacters, within Excel's limits; section ids that can name a
    file. Raises `ConfigError` naming each key path, so `generate()` never writes a file that
    Excel would have to repair."""
    problems = []

    def text(path, value, max_len=NAME_MAX):
        if not isinstance(value, str):
            problems.append(f"{path}: must be text, not {_tname(value)}")
            return
        problem = text_problem(value, max_len)
        if problem:
            problems.append(f"{path}: {problem}")

    text("unit.name", unit.name)
    for key in ("name", "email", "phone"):
        text(f"advisor.{key}", getattr(unit.advisor, key))
    for i, s in enumerate(unit.sections):
        if not isinstance(s.id, str) or not SECTION_ID_RE.match(s.id):
            problems.append(f"sections[{i}].id: {s.id!r} may only hold a-z, 0-9, - and _ (at most 30, starting "
                            "with a letter or digit): it names the file and the sheet data")
        for key in ("name", "leader", "email", "vo", "vo_email"):
            text(f"sections[{i}].{key}", getattr(s, key))
    for key in DEFAULT_LISTS:
        for i, v in enumerate(getattr(unit, key)):
            problem = _list_item_problem(v) if isinstance(v, str) else f"must be text, not {_tname(v)}"
            if problem:
                problems.append(f"lists.{key}[{i}]: {problem}")
    for i, a in enumerate(unit.wheel):
        for key in ("id", "name", "who"):
            text(f"wheel[{i}].{key}", getattr(a, key))
        text(f"wheel[{i}].note", a.note, max_len=1000)
    if problems:
        raise ConfigError(unit.source or "unit", problems)


def _check_mail(ck: _Checker, raw) -> Mail:
    import string

    raw = ck.table(raw, "mail", MAIL_KEYS)
    default = Mail()
    values = {}
    for key in ("subject", "reminder_subject"):
        values[key] = ck.text(raw, key, "mail", default=getattr(default, key), max_len=200)
    for key in ("body", "reminder_body"):
        if key in raw:
            if not isinstance(raw[key], str):
                ck.add(f"mail.{key}", "must be text in quotes")
            elif text_problem(raw[key], 10000, one_line=False):
                ck.add(f"mail.{key}", "must be text without control characters, at most 10,000 characters")
            else:
                values[key] = raw[key]
    for key in ("subject", "body", "reminder_subject", "reminder_body"):
        template = values.get(key, getattr(default, key))
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        except ValueError as exc:
            ck.add(f"mail.{key}", f"is not a valid template ({exc}); write {{{{ and }}}} for literal braces")
            continue
        unknown = names - set(MAIL_PLACEHOLDERS)
        if unknown:
            ck.add(f"mail.{key}", f"unknown placeholder(s) {', '.join(sorted(unknown))} "
                   f"(allowed: {', '.join(MAIL_PLACEHOLDERS)})")
    values["smtp_host"] = ck.text(raw, "smtp_host", "mail", default="")
    values["smtp_port"] = ck.integer(raw, "smtp_port", "mail", 1, 65535, default=default.smtp_port)
    if "starttls" in raw and not isinstance(raw["starttls"], bool):
        ck.add("mail.starttls", "must be true or false (without quotes)")
    values["starttls"] = raw.get("starttls", default.starttls) is not False
    values["reminder_days"] = ck.integer(raw, "reminder_days", "mail", 0, 365, default=default.reminder_days)
    return Mail(**values)


def load_config(path) -> Unit:
    """Read and check `unit.toml`. Raises `ConfigError` naming each wrong key."""
    path = Path(path)
    if path.is_dir():
        path = path / "unit.toml"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, ["file not found (create one with: hmsxl init)"]) from None
    except IsADirectoryError:
        raise ConfigError(path, ["is a folder, not a file"]) from None
    except OSError as exc:
        raise ConfigError(path, [f"cannot be read ({exc.strerror})"]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(path, ["is not UTF-8 text; save it as UTF-8"]) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"is not valid TOML: {exc}"]) from None
    return parse_config(doc, source=str(path))


# --------------------------------------------------------------------------- example


def example_config_text(year: int) -> str:
    """The commented example `unit.toml` that `hmsxl init` writes (invented unit and people)."""
    lists = "\n".join(
        f"# {key} = [{', '.join(repr_toml(v) for v in values)}]" for key, values in DEFAULT_LISTS.items()
    )
    template = resources.files("hmsxl").joinpath("example_unit.toml").read_text(encoding="utf-8")
    return template.format(year=year, lists=lists, wheel=default_wheel_text().strip())


def repr_toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_example_config(directory, year: int | None = None, force: bool = False) -> Path:
    """Write DIR/unit.toml; refuse to overwrite an existing one unless `force`."""
    from .errors import OutputExistsError
    from .fileio import atomic_write_bytes

    directory = Path(directory)
    target = directory / "unit.toml"
    if target.exists() and not force:
        raise OutputExistsError(f"{target} exists already; not overwriting it (use --force to replace it)")
    if directory.exists() and not directory.is_dir():
        raise OutputExistsError(f"{directory} is a file, not a folder")
    directory.mkdir(parents=True, exist_ok=True)
    year = year or dt.date.today().year
    atomic_write_bytes(target, example_config_text(year).encode("utf-8"))
    return target
