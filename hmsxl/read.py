"""Reads a returned section workbook back: values typed by the sheet schemas, and problems.

Values come from python-calamine (fast; xlsx, xlsm, xlsb, xls and ods alike). The section
is found from the hidden identity sheet, not the file name; columns by their header
labels (or the labels they had before), not their position; pre-filled rows by their key.
Every problem is data (`Problem`): file, sheet, cell, field, value, code, severity and a
Norwegian message. A value that was corrected (a date typed as text) is still reported,
as a warning, and the leader's words are kept with the row (`_orig`); a value that could
not be used is kept as text and reported as an error, never dropped.

The work is split by job: `_Book` holds the open file and the problems found, `_identity`
reads who the workbook is for, `_Locator` finds each schema sheet and its header row,
`_TableReader` reads one sheet's rows, and `_cross_checks` looks across cells.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from pathlib import Path

import python_calamine as pc

from . import labels
from .config import LIST_MAX_ITEMS, Unit, safety_round_activity
from .meaning import DEFAULT_RISK, Meaning
from .fields import Date, Level, Marker, as_text, col_letter, is_empty
from .problems import AS_SENT, PROBLEMS_PER_KIND, SEVERITIES, SEVERITY, Problem, left_out, problem, severity_counts
from .safety import MAX_ROWS as SAFETY_MAX_ROWS
from .safety import UnreadableFile, check_file
from .safety import shown as noted_text
from .schema import (GENERATOR, IDENTITY_KEYS, IDENTITY_LIST_FIRST_COLUMN, SCHEMA_VERSION, TEMPLATE_VERSION, Schema, Sheet,
                     filled_with, row_made, schema_for, schema_of)
from .wheel import occurrence_of, year_occurrences

__all__ = ["Problem", "SEVERITIES", "WorkbookData", "read_checked", "read_workbook"]

# Rows read per sheet: every row the safety check lets through (the rest is cut there,
# with the cell named), so nothing written within the grid a section workbook can hold
# is left unread. More (an .xls or .ods sheet declaring more) is reported, not read.
MAX_ROWS = SAFETY_MAX_ROWS
# Problems whose value is the leader's words and has no other home (no row keeps them):
# past the problems listed, their words are kept in the one that counts the rest.
WORDS_ONLY_HERE = frozenset({"value_outside_table", "unknown_sheet_more", "row_extra", "row_unknown",
                             "row_duplicate", "computed_changed", "cell_note", "problem_reply"})
UNKNOWN_SHEET_CELLS = 200  # cells of a sheet of the leader's own shown in its problem
# Sheets that are not the workbook's own read per workbook (for a renamed sheet's header,
# for their text): each costs a read, and a file of a few hundred KB can hold thousands.
# The rest are named in one problem.
MAX_OTHER_SHEETS = 50
HEADER_SCAN = 40  # rows searched for a sheet's header row
YEARS = range(2000, 2101)  # the years a unit can have (as in unit.toml)

CALAMINE_ERRORS = tuple(
    getattr(pc, name) for name in ("CalamineError", "PasswordError", "XmlError", "ZipError", "WorksheetNotFound")
    if hasattr(pc, name)
)


@dataclass
class WorkbookData:
    """What one returned workbook holds: one list of records per schema sheet in `tables`.

    A record is a dict of the sheet's column keys, plus `_row` (the Excel row number),
    `_orig` ({column: the leader's text} where the reader corrected a value) and `_extra`
    ({header: text} written in columns that are not in the schema).
    """

    path: str
    kind: str
    identity: dict = field(default_factory=dict)
    section_id: str | None = None
    unit: str | None = None
    year: int | None = None
    tables: dict[str, list[dict]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    saved_at: str = ""
    columns: dict[str, dict[str, int]] = field(default_factory=dict)  # per sheet: column key -> index found
    sheets: dict[str, str] = field(default_factory=dict)  # per sheet key: its name in the workbook
    rows: dict | None = None  # the consolidated tables' rows, when read for a consolidation (then no `tables`)
    language: str = labels.DEFAULT_LANGUAGE  # the language the workbook was made in
    lists: dict = field(default_factory=dict)  # the lists that applied: the unit's, else the workbook's own
    risk: tuple = DEFAULT_RISK  # where a finding's risk becomes medium and high: the unit's, else the workbook's
    # (sheet, cell) of the errors past those listed in `problems` (counted there in one
    # problem each kind): the report's «Feil i raden» names them in their rows too.
    errors_left_out: list = field(default_factory=list)

    @property
    def actions(self) -> list[dict]:
        return self.tables.get("actions", [])

    @property
    def wheel(self) -> list[dict]:
        return self.tables.get("wheel", [])

    @property
    def godbht(self) -> list[dict]:
        return self.tables.get("godbht", [])

    @property
    def annual(self) -> dict[str, dict]:
        return {rec["key"]: rec for rec in self.tables.get("annual", [])}

    def count(self, severity: str) -> int:
        """How many problems of `severity`, with those left out of the list."""
        return severity_counts(self.problems)[severity]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def cell(self, sheet: Sheet, key: str, row: int) -> str:
        """The A1 reference of a column's cell in an Excel row, where the column was found."""
        index = self.columns.get(sheet.key, {}).get(key)
        return f"{col_letter(sheet.index(key) if index is None else index)}{row}"


class ListsContext:
    """What field parsing needs of a unit: the year and the value lists."""

    def __init__(self, year: int, lists: dict):
        self.year = year
        self._lists = lists

    def lists(self):
        return self._lists


@functools.lru_cache(maxsize=4096)
def _norm(text) -> str:
    """A header label as compared: case, spacing and the required mark do not matter."""
    return " ".join(str(text).replace("*", " ").casefold().split())


_HEADER_INDEX: dict[int, tuple] = {}


def header_index(sheet: Sheet) -> dict[str, str]:
    """Normalised header label (current or earlier) -> column key, worked out once per sheet
    schema (by identity: hashing a schema means hashing every column of it)."""
    cached = _HEADER_INDEX.get(id(sheet))
    if cached is None or cached[0] is not sheet:
        cached = _HEADER_INDEX[id(sheet)] = (sheet, _header_index(sheet))
    return cached[1]


header_index.cache_clear = _HEADER_INDEX.clear  # labels changed (tests): work them out again


def _header_index(sheet: Sheet) -> dict[str, str]:
    """Every language's label of each column, and the labels it had before: a workbook is
    read back whatever language it was made in."""
    index = {}
    for cat in labels.all_catalogs():
        with labels.language(cat.language):
            for c in sheet.columns:
                for label in c.aliases:
                    index.setdefault(_norm(label), c.key)
            for c in sheet.columns:
                index.setdefault(_norm(c.label), c.key)
    with labels.language(labels.DEFAULT_LANGUAGE):  # where languages disagree, bokmål's label wins
        index.update({_norm(c.label): c.key for c in sheet.columns})
    return index


@functools.cache
def sheet_names(key: str) -> frozenset[str]:
    """A sheet's name in every language."""
    return frozenset(cat.SHEET[key] for cat in labels.all_catalogs())


@functools.cache
def _list_keys() -> dict[str, str]:
    """A validation list's heading on the hidden sheet, in any language -> the list's name."""
    return {label: key for cat in labels.all_catalogs() for key, label in cat.LIST_NAMES.items()}


def _cell(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


def _first_line(exc) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def read_workbook(path, config: Unit | None = None, today: dt.date | None = None,
                  password: str | None = None, schema: Schema | None = None) -> WorkbookData:
    """Read one returned workbook. Raises `UnreadableFile` (one clear line) when the file
    cannot be read at all; every other problem is in the result's `.problems`.

    With `config`, the workbook must belong to that unit and year and the config's lists
    apply; without, the lists the workbook carries in its hidden sheet do. `today`
    (default: the real today) decides what is overdue. The sheets expected are `schema`'s,
    else the unit's, else those the workbook's hidden sheet names. The workbook may be in
    any language hmsxl writes; `data.language` says which.
    """
    from .arguments import day_arg, unit_arg

    return read_checked(check_file(path, password), config=unit_arg(config), today=day_arg(today), schema=schema)


def read_checked(checked, config: Unit | None = None, today: dt.date | None = None,
                 name: str | None = None, schema: Schema | None = None) -> WorkbookData:
    """Read a file that passed `safety.check_file`/`check_bytes`; `name` is shown in problems."""
    path = Path(checked.path)
    try:
        calamine = pc.CalamineWorkbook.from_filelike(io.BytesIO(checked.data))
        names = list(calamine.sheet_names)
    except CALAMINE_ERRORS as exc:
        raise UnreadableFile(path, "unreadable", detail=_first_line(exc)) from None
    if _is_report(names):
        raise UnreadableFile(path, "own_report")
    twice = next((n for n, k in Counter(names).items() if k > 1), None)
    if twice is not None:  # the native reader gives one of them only: the other's values would be lost unsaid
        raise UnreadableFile(path, "duplicate_part", part=f"«{twice}»")
    book = _Book(path, calamine, names, name or path.name, checked.cell_errors, checked.formula_cells)
    data = WorkbookData(path=str(path), kind=checked.kind, saved_at=checked.saved_at)
    data.problems = book.problems
    for sheet, cell, code, params in checked.problems:  # what the safety check cut away
        book.problem(code, sheet=sheet, cell=cell, **params)
    for sheet, cell, text in checked.notes:  # the native reader gives values only: a note is kept here
        book.problem("cell_note", sheet=sheet, cell=cell, value=text, shown=text)
    today = today or dt.date.today()
    ctx = _identity(book, data, config, today)
    if schema is None:
        schema = schema_for(config) if config else schema_of(data.identity.get("sheets", "").split(","))
    data.language = _language_of(data, names)
    # The problems name the workbook's own columns and rows, in its language.
    with labels.language(data.language):
        _read_sheets(book, data, schema, config, ctx, today)
    book.count_left_out()
    data.errors_left_out = book.errors_left_out
    return data


PROBLEM_LIST_COLUMNS = ("severity", "sheet", "cell", "field", "value", "message", "code")
_PROBLEM_LIST_HEAD = PROBLEM_LIST_COLUMNS[:6]  # what every annotated copy's list has begun with


@functools.cache
def _problem_list_headers() -> frozenset:
    return frozenset(tuple(cat.REPORT_COLUMNS[k] for k in _PROBLEM_LIST_HEAD) for cat in labels.all_catalogs())


def _is_problem_list(rows: list[list]) -> bool:
    """The list of problems an annotated copy carries (in any language): returned with the
    workbook, it is hmsxl's own earlier answer, not something the leader wrote."""
    return bool(rows) and tuple(as_text(v) for v in rows[0][:len(_PROBLEM_LIST_HEAD)]) in _problem_list_headers()


def _is_report(names: list[str]) -> bool:
    """A LAMU report of hmsxl's (in any language), not a section's workbook: its overview
    and its list of sources, and no hidden identity sheet."""
    present = set(names)
    return not (present & sheet_names("identity")) and any(
        {cat.REPORT_SHEETS["overview"], cat.REPORT_SHEETS["sources"]} <= present for cat in labels.all_catalogs())


def _language_of(data: WorkbookData, names: list[str]) -> str:
    """The workbook's language: as its hidden sheet says, else the language most of its
    sheet names are in."""
    said = as_text(data.identity.get("language", ""))
    if said in labels.LANGUAGES:
        return said
    present = set(names)
    counts = {cat.language: sum(n in present for n in cat.SHEET.values()) for cat in labels.all_catalogs()}
    best = max(counts, key=lambda lang: (counts[lang], lang == labels.DEFAULT_LANGUAGE))
    return best if counts[best] else labels.DEFAULT_LANGUAGE


def _read_sheets(book, data, schema, config, ctx, today):
    path = book.path
    locator = _Locator(book)
    found = locator.locate(schema)
    if not any(found.values()):
        raise UnreadableFile(path, "no_sheets")
    if not data.section_id and labels.SHEET["identity"] not in book.names:
        _guess_section(book, data, config, found)
    occurrences = _occurrences(config, data)
    # A workbook made before a sheet was added to the unit's is not missing it.
    sheets_made = set(filter(None, as_text(data.identity.get("sheets", "")).split(",")))
    # What each sheet's pre-filled rows were made with, row by row (see schema.made_with).
    made = {key: set(rows.split(".")) for key, _, rows in (
        part.partition(":") for part in as_text(data.identity.get("made", "")).split(",")) if rows}
    ours = as_text(data.identity.get("generator", "")) == GENERATOR
    for sheet in schema.sheets:
        name_found = found[sheet.key]
        if name_found is None:
            if not sheets_made or sheet.key in sheets_made:
                book.problem("sheet_missing", sheet=sheet.name, sheet_name=sheet.name)
            continue
        if name_found not in sheet_names(sheet.key):
            book.problem("sheet_renamed", sheet=name_found, sheet_name=sheet.name, found=name_found)
        header = locator.header(sheet, name_found)
        if header is None:
            book.problem("header_missing", sheet=name_found)
            continue
        reader = _TableReader(book, sheet, name_found, header, ctx)
        expected = None
        if sheet.key_column:
            expected = sheet.rows(sheet, config, occurrences) if sheet.rows else None
            # The workbook's own texts are known row by row where it says what it was made
            # with (the unit may have changed since); where it does not, if this version made
            # it from rows of its own (God BHT's, the year report's). Without the rows it was
            # made from, the workbook's rows are read as they are now: nothing to compare.
            if expected is None:
                expected, reader.made_as = reader.written_rows(), "written"
            elif sheet.key in made:
                reader.made_rows = made[sheet.key]
            elif ours and sheet.rows(sheet, None, None) is not None:
                reader.made_as = "known"
        if ours:  # the title and intro this version writes above the table
            reader.heading = (labels.TEXT[f"{sheet.key}_title"].format(
                year=data.year, section=as_text(data.identity.get("section_name", ""))),
                labels.TEXT[f"{sheet.key}_intro"])
        data.tables[sheet.key] = reader.read(expected)
        data.columns[sheet.key] = header[1]
        data.sheets[sheet.key] = name_found
    _unknown_sheets(book, found)
    meaning = Meaning.of(ctx.lists(), today, data.risk)  # what the values mean, for every check below
    _fire_rounds_into_wheel(data, meaning)
    _cross_checks(book, data, meaning, schema)
    _round_checks(book, data, ctx, meaning, schema, config)
    _empty_checks(book, data, schema)


def _empty_checks(book: _Book, data: WorkbookData, schema: Schema) -> None:
    """A workbook returned as it was sent out is no answer: said once, not as a problem of
    every sheet. Otherwise a sheet of questions with none answered (the year report) is said.
    As sent out means: its input cells hold what it was made with (nothing, or last year's
    actions, as its hidden sheet says), and every problem found is one such a workbook has
    (a deadline passed, a required cell empty, God BHT not filled in). Any other (a value
    outside the tables, a sheet or a column of the leader's, a cell written over) is
    something the leader did: then it is an answer."""
    answered = {}
    for sheet in schema.sheets:
        records = data.tables.get(sheet.key)
        if records is not None:
            keys = [c.key for c in sheet.input_columns]
            answered[sheet.key] = any(rec.get("_extra") or rec.get("_orig") or
                                      any(not is_empty(rec.get(k)) for k in keys) for rec in records)
    if not answered:
        return
    made = as_text(data.identity.get("filled", ""))
    if made:  # as the leader wrote them: a value read from words is those words
        tables = [(sheet, [{**rec, **rec.get("_orig", {})} for rec in data.tables.get(sheet.key, ())])
                  for sheet in schema.sheets]
        as_made = filled_with(tables) == made and not any(rec.get("_extra") for _, recs in tables for rec in recs)
    else:
        as_made = not any(answered.values())
    if as_made and all(p.code in AS_SENT for p in book.problems):
        book.problem("workbook_empty")
        return
    for sheet in schema.sheets:
        if sheet.items and answered.get(sheet.key) is False:
            book.problem("sheet_empty", sheet=data.sheets.get(sheet.key, sheet.name))


class _Book:
    """The open workbook: its sheet names, each sheet's rows (read once), the problems found."""

    def __init__(self, path: Path, calamine, names: list[str], name: str, cell_errors: dict | None = None,
                 formula_cells: dict | None = None):
        self.path = path
        self.name = name
        self.calamine = calamine
        self.names = names
        # Per sheet: {(row, column): what a cell the native reader gives as empty shows}.
        self.cell_errors = cell_errors or {}
        self.formula_cells = formula_cells or {}  # per sheet: {(row, column)} holding a formula
        self.problems: list[Problem] = []
        self._rows: dict[str, list[list]] = {}
        self._heads: dict[str, list[list]] = {}
        self._kinds: dict[tuple[str, str], int] = {}  # (sheet, code) -> problems found
        self._first_left_out: dict[tuple[str, str], Problem] = {}
        self._words_left_out: dict[tuple[str, str], list[str]] = {}  # see WORDS_ONLY_HERE
        self.errors_left_out: list[tuple[str, str]] = []  # (sheet, cell) of errors not listed

    def problem(self, code, sheet="", cell="", field="", value=None, **params):
        """A problem found; past `PROBLEMS_PER_KIND` of its kind on its sheet, only counted
        (a sheet filled to the edge would give hundreds of thousands, and the report holds
        a million rows)."""
        n = self._kinds[sheet, code] = self._kinds.get((sheet, code), 0) + 1
        if n > PROBLEMS_PER_KIND:
            if cell and SEVERITY[code] == "error":  # its row still says it has an error
                self.errors_left_out.append((sheet, cell))
            if n == PROBLEMS_PER_KIND + 1:
                self._first_left_out[sheet, code] = problem(code, file=self.name, sheet=sheet, cell=cell,
                                                            field=field, value=value, **params)
            if code in WORDS_ONLY_HERE and not is_empty(value):
                self._words_left_out.setdefault((sheet, code), []).append(f"{cell}: {as_text(value)}" if cell
                                                                          else as_text(value))
            return
        self.problems.append(problem(code, file=self.name, sheet=sheet, cell=cell, field=field, value=value,
                                     **params))

    def count_left_out(self):
        """One problem for each kind on a sheet that had more than are listed: how many more,
        and the first of them."""
        for (sheet, code), first in self._first_left_out.items():
            said = left_out(first, self._kinds[sheet, code] - PROBLEMS_PER_KIND, PROBLEMS_PER_KIND)
            words = self._words_left_out.get((sheet, code))
            self.problems.append(said._replace(value="; ".join(words)) if words else said)

    def _sheet(self, name: str):
        try:
            return self.calamine.get_sheet_by_name(name)
        except CALAMINE_ERRORS as exc:
            raise UnreadableFile(self.path, "unreadable", detail=_first_line(exc)) from None

    def _too_many_rows(self, name: str):
        self.problem("too_many_rows", sheet=name, count=labels.msg("problem_words", "over", n=MAX_ROWS), max=MAX_ROWS)

    def rows(self, name: str) -> list[list]:
        if name not in self._rows:
            rows = self._sheet(name).to_python(skip_empty_area=False, nrows=MAX_ROWS + 1)
            if len(rows) > MAX_ROWS:
                self._too_many_rows(name)
                rows = rows[:MAX_ROWS]
            self._rows[name] = rows
            self._heads.pop(name, None)
        return self._rows[name]

    def head(self, name: str) -> list[list]:
        """A sheet's first `HEADER_SCAN` rows, where its header row is looked for: a sheet
        that turns out not to be the one looked for is not read whole."""
        if name in self._rows:
            return self._rows[name][:HEADER_SCAN]
        if name not in self._heads:
            self._heads[name] = self._sheet(name).to_python(skip_empty_area=False, nrows=HEADER_SCAN)
        return self._heads[name]

    def written(self, name: str):
        """(first row, first column, rows) of the part of a sheet that holds values, up to
        row `MAX_ROWS`: a sheet of the leader's own is read only where something is written
        (a value at CV5000 is one cell, not half a million), and not kept."""
        sheet = self._sheet(name)
        top, left = sheet.start or (0, 0)
        room = MAX_ROWS - top
        rows = sheet.to_python(skip_empty_area=True, nrows=room + 1) if room > 0 and sheet.height else []
        if len(rows) > room or (room <= 0 and sheet.height):
            self._too_many_rows(name)
            rows = rows[:max(room, 0)]
        return top, left, rows


# --------------------------------------------------------------------------- identity


def _identity(book: _Book, data: WorkbookData, config: Unit | None, today: dt.date) -> ListsContext:
    """Who the workbook is for (the hidden sheet), checked against the unit; the lists that apply."""
    lists = dict(config.lists()) if config else {k: tuple(v) for k, v in labels.DEFAULT_LISTS.items()}
    lists.setdefault("yes_no", labels.YES_NO)
    name = labels.SHEET["identity"]
    if name in book.names:
        rows = book.rows(name)
        ident = {}
        for row in rows[1:len(IDENTITY_KEYS) + 1]:
            if len(row) > 1 and row[0] in IDENTITY_KEYS:
                ident[row[0]] = row[1]
        data.identity = ident
        data.section_id = as_text(ident.get("section_id", "")) or None
        data.unit = as_text(ident.get("unit", "")) or None
        year = _int(ident.get("year"))
        if year is not None and year not in YEARS:
            # No date can be made in such a year: the year is reported, then not used. With the
            # unit's config it is another year's workbook, to be rejected as such.
            if config:
                book.problem("wrong_year", sheet=name, cell="B5", value=year, found=year, expected=config.year)
            else:
                book.problem("year_invalid", sheet=name, cell="B5", value=year, found=year, min=YEARS[0],
                             max=YEARS[-1])
            year = None
        data.year = year
        if not config:
            by_label = _list_keys()
            header = rows[0] if rows else []
            for c, label in enumerate(header):
                if label in by_label:
                    # No longer than a unit's list may be: a value past that is not a valid choice.
                    values = tuple(as_text(r[c]) for r in rows[1:] if c < len(r) and not is_empty(r[c]))
                    values = values[:LIST_MAX_ITEMS]
                    if values or by_label[label] not in ("categories", "priorities", "statuses", "wheel_statuses"):
                        lists[by_label[label]] = values
        for key, cell, current in (("template_version", "B2", TEMPLATE_VERSION),
                                   ("schema_version", "B3", SCHEMA_VERSION)):
            version = _int(ident.get(key))
            if version is not None and version > current:
                book.problem("template_too_new", sheet=name, cell=cell, value=version, found=version, current=current)
            elif key == "template_version" and version is not None and version < current:
                book.problem("template_too_old", sheet=name, cell=cell, value=version, found=version, current=current)
    if config:
        if data.unit and data.unit != config.name:
            book.problem("wrong_unit", sheet=name, cell="B4", value=data.unit, found=data.unit, expected=config.name)
        if data.year and data.year != config.year:
            book.problem("wrong_year", sheet=name, cell="B5", value=data.year, found=data.year, expected=config.year)
        if data.section_id and not config.has_section(data.section_id):
            book.problem("unknown_section", sheet=name, cell="B6", value=data.section_id, found=data.section_id)
    year = data.year or (config.year if config else today.year)
    data.lists = lists
    data.risk = config.risk if config else _risk_of(data.identity)
    return ListsContext(year, lists)


def _risk_of(identity: dict) -> tuple[int, int]:
    """The risk thresholds a workbook carries, if they make sense; else the default."""
    medium, high = _int(identity.get("risk_medium")), _int(identity.get("risk_high"))
    if medium is not None and high is not None and 1 <= medium <= high <= 25:
        return medium, high
    return DEFAULT_RISK


TITLE_RE = re.compile(r"(\d{4}) – (.+)$")


def _guess_section(book: _Book, data: WorkbookData, config: Unit | None, found: dict):
    """Without the identity sheet: the section's name is in the sheet titles we wrote."""
    title_sheet = found.get("actions") or found.get("wheel")
    section_name = year = None
    if title_sheet:
        for row in book.rows(title_sheet)[:3]:
            for value in row:
                m = TITLE_RE.search(str(value))
                if m:
                    year, section_name = int(m.group(1)), m.group(2).strip()
                    break
            if section_name:
                break
    if section_name and config:
        match = [s for s in config.sections if s.name.casefold() == section_name.casefold()]
        if match:
            data.section_id, data.unit = match[0].id, config.name
            data.year = year if year in YEARS else None
            book.problem("identity_missing", how=labels.msg("problem_words", "from_title", name=section_name))
            if year != config.year:
                book.problem("wrong_year", value=year, found=year, expected=config.year)
            return
    book.problem("identity_unknown")


_OCCURRENCES: dict = {}


def _occurrences(config: Unit | None, data: WorkbookData):
    """The årshjul rows this section's workbook was made with, when the unit is known
    (worked out once per unit, year and section: a worker reads many of the same unit)."""
    if not (config and data.section_id and config.has_section(data.section_id)):
        return None
    key = (id(config), data.year, data.section_id)
    cached = _OCCURRENCES.get(key)
    if cached is None or cached[0] is not config:
        unit = config
        if data.year and data.year != unit.year:
            unit = dataclasses.replace(unit, year=data.year)
        if len(_OCCURRENCES) > 4096:
            _OCCURRENCES.clear()
        cached = _OCCURRENCES[key] = (config, year_occurrences(unit, data.section_id))
    return cached[1]


def _int(value) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


# --------------------------------------------------------------------------- sheets and headers


class _Locator:
    """Finds each schema sheet in the file (by name, a looser name, or its headers) and its header row."""

    def __init__(self, book: _Book):
        self.book = book
        self._headers: dict = {}
        self._named: set = set()  # sheets found by their name: read whole anyway, so not twice

    def locate(self, schema: Schema) -> dict[str, str | None]:
        out = {}
        taken = set()
        ours = {name for cat in labels.all_catalogs() for name in cat.SHEET.values()}
        names = self.book.names
        # A renamed sheet is looked for by its headers among the first sheets not ours.
        others = [n for n in names if n not in ours][:MAX_OTHER_SHEETS]
        for sheet in schema.sheets:
            wanted = sheet_names(sheet.key)
            name = next((n for n in names if n in wanted and n not in taken), None)
            if name is None:
                loose = {_norm(w) for w in wanted}
                name = next((n for n in names if _norm(n) in loose and n not in taken), None)
            if name is None:
                name = next((n for n in others if n not in taken and self.header(sheet, n) is not None), None)
            else:
                self._named.add(name)
            if name:
                taken.add(name)
            out[sheet.key] = name
        return out

    def header(self, sheet: Sheet, name: str):
        """(row index, {column key: column index}) of the sheet's header row, or None."""
        cache_key = (id(sheet), name)
        if cache_key not in self._headers:
            self._headers[cache_key] = self._find_header(sheet, name)
        return self._headers[cache_key]

    def _find_header(self, sheet: Sheet, name: str):
        wanted = header_index(sheet)
        need = max(2, len(sheet.input_columns) // 2)
        best = None
        rows = self.book.rows(name)[:HEADER_SCAN] if name in self._named else self.book.head(name)
        for r, row in enumerate(rows):
            found = {}
            for c, value in enumerate(row):
                if isinstance(value, str) and value:
                    key = wanted.get(_norm(value))
                    if key and key not in found:
                        found[key] = c
            if len(found) < need:
                continue
            score = sum(1 for k in found if sheet.column(k).input or k == sheet.key_column)
            if score >= need and (best is None or len(found) > len(best[1])):
                best = (r, found)
                if len(found) == len(sheet.columns):
                    break
        return best


def _guide_extras(book: _Book) -> str | None:
    """What a leader wrote in the guide sheet beside its text: in a column it leaves empty (the
    first, and past the third) or below its last line (the advisor's contact, after
    «Spørsmål?»). Said as outside the tables, so that it reaches the report."""
    # The guide is the sheet of its name in the workbook's language: another of a guide's
    # name (the leader's own «Guide») is theirs.
    name = labels.SHEET["guide"]
    if name not in book.names:
        return None
    rows = book.rows(name)
    headings = {cat.GUIDE["contact_heading"] for cat in labels.all_catalogs()}
    # Past the contact line nothing is ours; without it (edited), only the columns tell.
    last = next((r + 1 for r, row in enumerate(rows) if len(row) > 1 and as_text(row[1]) in headings), len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            # Ours: the title in B1 (the row under it is empty), then columns B and C.
            theirs = c == 0 or c > 2 or r > last or (r == 0 and c != 1) or r == 1
            if theirs and not is_empty(value):
                book.problem("value_outside_table", sheet=name, cell=_cell(r, c), value=value, shown=as_text(value))
    return name


def _identity_extras(book: _Book) -> str | None:
    """The hidden sheet holds its keys and values (columns A and B) and the lists (from D);
    what else is written in it (protected without a password, unhidden with a click) is
    the leader's, and reaches the report."""
    name = labels.SHEET["identity"]
    if name not in book.names:
        return None
    rows = book.rows(name)
    headings = {as_text(h) for cat in labels.all_catalogs() for h in cat.LIST_NAMES.values()}
    # A list's column: its heading, then its values down to the first empty cell.
    ends = {c: next((r for r, row in enumerate(rows) if r and (c >= len(row) or is_empty(row[c]))), len(rows))
            for c, v in enumerate(rows[0] if rows else ()) if c >= IDENTITY_LIST_FIRST_COLUMN and as_text(v) in headings}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ours = (c < 2 and r <= len(IDENTITY_KEYS)) or r < ends.get(c, 0)
            if not ours and not is_empty(value):
                book.problem("value_outside_table", sheet=name, cell=_cell(r, c), value=value, shown=as_text(value))
    return name


def _problem_list_words(book: _Book, name: str, rows: list[list]) -> None:
    """An annotated copy's list of problems is hmsxl's own; what a leader wrote in it (an
    answer beside a problem, a note under the list) is not, and reaches the report: every
    cell right of the list's columns, and every cell of a row that is not one of its
    problems (its code is none of hmsxl's)."""
    headers = {labels.render(cat.REPORT_COLUMNS[k]) for cat in labels.all_catalogs() for k in PROBLEM_LIST_COLUMNS}
    width = next((c for c, v in enumerate(rows[0]) if as_text(v) not in headers), len(rows[0]))
    coded = width == len(PROBLEM_LIST_COLUMNS)  # older copies have no code column: only the columns tell
    replies = {labels.render(cat.REPORT_COLUMNS["reply"]) for cat in labels.all_catalogs()}
    reply = width if width < len(rows[0]) and as_text(rows[0][width]) in replies else None
    for r, row in enumerate(rows):
        ours = r == 0 or not coded or (len(row) >= width and as_text(row[width - 1]) in SEVERITY)
        for c, value in enumerate(row):
            if is_empty(value) or (c < width and ours) or (r == 0 and c == reply):
                continue
            if c == reply and ours:  # an answer to the problem in its row
                where = "!".join(as_text(v) for v in row[1:3] if not is_empty(v))
                book.problem("problem_reply", sheet=name, cell=_cell(r, c), value=value, shown=as_text(value),
                             where=where)
            else:
                book.problem("value_outside_table", sheet=name, cell=_cell(r, c), value=value, shown=as_text(value))


def _unknown_sheets(book: _Book, found: dict):
    known = set(found.values()) | {_guide_extras(book), _identity_extras(book)}
    unknown = [name for name in book.names if name not in known]
    for name in unknown[:MAX_OTHER_SHEETS]:
        top, left, rows = book.written(name)
        if (top, left) == (0, 0) and _is_problem_list(rows):
            _problem_list_words(book, name, rows)
            continue
        shown = [(_cell(r, c), as_text(v)) for r, row in enumerate(rows, start=top)
                 for c, v in enumerate(row, start=left) if not is_empty(v)]
        # What the leader wrote there, cell by cell, so that it reaches the report: a
        # problem for each UNKNOWN_SHEET_CELLS of them, the first saying how many there are.
        for first in range(0, len(shown), UNKNOWN_SHEET_CELLS):
            part = shown[first:first + UNKNOWN_SHEET_CELLS]
            written = "; ".join(f"{ref}: {text}" for ref, text in part)
            if first == 0:
                book.problem("unknown_sheet", sheet=name, sheet_name=name, count=len(shown), value=written)
            else:
                book.problem("unknown_sheet_more", sheet=name, cell=part[0][0], sheet_name=name, count=len(shown),
                             first=first + 1, last=first + len(part), value=written)
    rest = unknown[MAX_OTHER_SHEETS:]
    if rest:
        book.problem("sheets_not_read", count=len(rest), max=MAX_OTHER_SHEETS,
                     names=", ".join(rest), value="; ".join(rest))


# --------------------------------------------------------------------------- one sheet


class _TableReader:
    """Reads the rows of one schema sheet under its header row, typed by the schema."""

    def __init__(self, book: _Book, sheet: Sheet, name: str, header, ctx: ListsContext):
        self.book = book
        self.sheet = sheet
        self.name = name
        self.hr, self.columns = header
        self.ctx = ctx
        self.rows = book.rows(name)
        self.body = list(enumerate(self.rows[self.hr + 1:], start=self.hr + 1))
        known = set(self.columns.values())
        # Header cells we do not know: text in them is kept with its row and reported. A
        # column inserted into the table without a header is one too.
        header = self.rows[self.hr]
        self.extra_cols = {c: as_text(v) if not is_empty(v) else
                           labels.msg("problem_words", "unnamed_column", letter=col_letter(c)).render()
                           for c, v in enumerate(header)
                           if c not in known and (not is_empty(v) or c < max(known, default=-1))}
        # The input columns found, each with what parsing it needs: worked out once per
        # sheet, not per row (a consolidation reads a few hundred thousand rows).
        self.inputs = [(col, self.columns[col.key], col.key in sheet.per_row_keys)
                       for col in sheet.input_columns if col.key in self.columns]
        self.required = [(col, c) for col, c, _ in self.inputs if col.required]
        # The cells the native reader gives as empty that show an error or hold a formula
        # without its result (found by the safety check): {(row, column): what they show}.
        self.errors = book.cell_errors.get(name, {})
        # What the workbook computes (a finding's risk, the suggested priority): computed
        # again here; a value written over the formula is reported and kept.
        # (A column the workbook lacks is computed all the same: the report has it.)
        self.formulas = [(col, self.columns.get(col.key)) for col in sheet.columns if col.computed]
        self.meaning = Meaning.of(ctx.lists(), None) if self.formulas else None
        self.formula_cells = book.formula_cells.get(name, set())
        # The workbook's own cells of a pre-filled row (a name, a question, the month grid):
        # compared with what it was made with, where that is known (see `made_as`).
        self.own = [(col, self.columns[col.key]) for col in sheet.own_columns if col.key in self.columns]
        # How the pre-filled rows expected compare with what the workbook was made with:
        # "rows" (a row is, if its fingerprint is in `made_rows`: none there, none is),
        # "known" (they are), or "written" (they are the workbook's rows as they are now).
        self.made_as = "rows"
        self.made_rows: set[str] = set()  # the fingerprints of the rows the workbook was made with
        self.heading: tuple[str, str] | None = None  # the title and intro it was made with, where known

    def value(self, row: list, key: str):
        """The value of a schema column in a row, or None where the column or cell is missing."""
        c = self.columns.get(key)
        return row[c] if c is not None and c < len(row) else None

    def read(self, expected: list[dict] | None) -> list[dict]:
        self.missing_columns()
        self.values_above_header()
        records = self.free_rows() if expected is None else self.keyed_rows(expected)
        self.extra_columns()
        self.values_right_of_table()
        return records

    def missing_columns(self):
        sheet = self.sheet
        for col in sheet.columns:
            if col.key not in self.columns and (col.input or col.key == sheet.key_column):
                self.book.problem("column_missing" if col.required else "optional_column_missing", sheet=self.name,
                                  cell=_cell(self.hr, 0), field=col.label, column=col.label)

    def values_above_header(self):
        """Above the header are only our title and intro, in the sheet's first visible
        column as the workbook was made; report the rest, and either of them written over
        where what the workbook was made with is known."""
        first = next(c for c, col in enumerate(self.sheet.columns) if not col.hidden)
        # Moved as the table's first column was, by columns inserted before it.
        ours = self.columns.get(self.sheet.columns[first].key, first)
        for r in range(self.hr):
            for c, value in enumerate(self.rows[r]):
                if is_empty(value):
                    continue
                if r > 1 or c != ours:
                    self.book.problem("value_outside_table", sheet=self.name, cell=_cell(r, c), value=value,
                                      shown=as_text(value))
                elif self.heading is not None and not _same(value, self.heading[r]):
                    self.book.problem("own_changed", sheet=self.name, cell=_cell(r, c), value=value,
                                      expected=self.heading[r])

    def extra_columns(self):
        header = self.rows[self.hr]
        for c, header_text in self.extra_cols.items():
            count = sum(1 for _, row in self.body if c < len(row) and not is_empty(row[c]))
            if count:
                self.book.problem("unknown_column", sheet=self.name, cell=_cell(self.hr, c), field=header_text,
                                  column=header_text, count=count, where=labels.msg("report_columns", "original"))
            elif not is_empty(header[c]):  # a heading over nothing: the words are all there is to keep
                self.book.problem("value_outside_table", sheet=self.name, cell=_cell(self.hr, c), value=header[c],
                                  shown=header_text)

    def values_right_of_table(self):
        table = set(self.columns.values()) | set(self.extra_cols)
        width = max(table)
        # Right of the table, and between it and a heading typed further right.
        gaps = [c for c in range(width) if c not in table]
        for r, row in self.body:
            for c in itertools.chain(gaps, range(width + 1, len(row))):
                if c < len(row) and not is_empty(row[c]):
                    self.book.problem("value_outside_table", sheet=self.name, cell=_cell(r, c), value=row[c],
                                      shown=as_text(row[c]))

    def parse_row(self, r: int, row: list, row_key: str | None = None, row_name: str | None = None) -> dict:
        """One row's input values, parsed by their field types; problems at their cells,
        named by the row's own name where the row says what its answer is ("Leder: dato",
        not "Svar")."""
        record = {"_row": r + 1}
        width = len(row)
        for col, c, per_row in self.inputs:
            raw = row[c] if c < width else None
            if raw is None or raw == "":  # most cells: nothing to parse
                shown = noted_text(self.errors.get((r, c))) if self.errors else None
                record[col.key] = shown
                if shown is not None:  # not empty: a formula that does not give a value
                    code = "formula_no_value" if shown.startswith("=") else "cell_error"
                    self.book.problem(code, sheet=self.name, cell=_cell(r, c),
                                      field=row_name if per_row and row_name else col.label, value=shown, shown=shown)
                continue
            field = self.sheet.field_for(col, row_key) if per_row else col.field
            value, issue = field.parse(raw, self.ctx)
            record[col.key] = value
            if issue:
                label = row_name if per_row and row_name else col.label
                self.book.problem(issue.code, sheet=self.name, cell=_cell(r, c), field=label, value=raw,
                                  **issue.params)
                if isinstance(raw, str) and as_text(value) != as_text(raw):
                    record.setdefault("_orig", {})[col.key] = as_text(raw)
        for col, c in self.formulas:
            # Computed here, once, for the checks and the report alike.
            record[col.key] = expected = col.field.compute(record, self.meaning)
            raw = row[c] if c is not None and c < width else None
            if raw is None or raw == "" or is_empty(raw) or (r, c) in self.formula_cells:
                continue  # a formula: what it shows is the program's, stale or not
            if as_text(raw) != ("" if expected is None else as_text(expected)):
                self.book.problem("computed_changed", sheet=self.name, cell=_cell(r, c), field=col.label, value=raw,
                                  expected=_as_made(expected))
                record.setdefault("_orig", {})[col.key] = as_text(raw)
        for col, c in self.required:
            if record[col.key] is None:
                self.book.problem("required", sheet=self.name, cell=_cell(r, c), field=col.label, label=col.label)
        if self.extra_cols:
            extras = {h: as_text(row[c]) for c, h in self.extra_cols.items() if c < width and not is_empty(row[c])}
            if extras:
                record["_extra"] = extras
        return record

    def free_rows(self) -> list[dict]:
        """A sheet of the leader's own rows (the action plan): every row with an input value,
        or a value in a column of the leader's own."""
        cols = [c for _, c, _ in self.inputs] + list(self.extra_cols)
        errors = self.errors
        out = []
        for r, row in self._with_error_rows():
            width = len(row)
            for c in cols:
                v = row[c] if c < width else None
                if (v is not None and v != "" and not is_empty(v)) or (errors and (r, c) in errors):
                    out.append(self.parse_row(r, row))
                    break
            else:
                self.computed_alone(r, row)
        return out

    def computed_alone(self, r: int, row: list) -> None:
        """A value written over a computed cell in a row with nothing else in it: no record
        to keep it in, so the problem does."""
        width = len(row)
        for col, c in self.formulas:
            if c is not None and c < width and not is_empty(row[c]) and (r, c) not in self.formula_cells:
                self.book.problem("computed_changed", sheet=self.name, cell=_cell(r, c), field=col.label,
                                  value=row[c], expected=_as_made(None))

    def _with_error_rows(self):
        """The rows under the header, and after them any row below the last the native
        reader gives that holds only a formula without its result (which it counts as empty)."""
        yield from self.body
        if self.errors:
            last = self.body[-1][0] if self.body else self.hr
            inputs = {c for _, c, _ in self.inputs}
            for r in sorted({r for r, c in self.errors if r > last and c in inputs}):
                if r < MAX_ROWS:
                    yield r, []

    def keyed_rows(self, expected: list[dict]) -> list[dict]:
        """A sheet of pre-filled rows, matched by key (or by their visible name if the key is gone)."""
        sheet, book = self.sheet, self.book
        by_key: dict = {}
        for row in expected:  # the first of a key (read from the workbook, a copied row comes second)
            by_key.setdefault(row["key"], row)
        name_col = sheet.name_column
        by_name = {_norm(row[name_col]): row["key"] for row in expected}
        seen = set()
        out = []
        for r, row in self.body:
            key_value = self.value(row, sheet.key_column)
            key = as_text(key_value) if not is_empty(key_value) else None
            if key not in by_key:
                label = self.value(row, name_col)
                key = by_name.get(_norm(label)) if not is_empty(label) else None
                if key in by_key and key not in seen and key_value is not None and not is_empty(key_value) \
                        and not self._made_here(row, key_value):  # words over the hidden key: the row is known by its name
                    c = self.columns[sheet.key_column]
                    book.problem("own_changed", sheet=self.name, cell=_cell(r, c),
                                 field=sheet.column(sheet.key_column).label, value=key_value, expected=key)
            if key in by_key and key not in seen:  # the usual row: nothing to report about it
                seen.add(key)
                record = {**by_key[key], **self.parse_row(r, row, key,
                                                          as_text(by_key[key].get(name_col) or "") or None)}
                self.own_changed(r, row, by_key[key], record)
                out.append(record)
                continue
            has_input = any(not is_empty(self.value(row, c.key)) for c in sheet.input_columns)
            shown = "; ".join(as_text(v) for v in row if not is_empty(v))  # whole: it is the leader's
            if key is None:
                if has_input:
                    said = as_text(self.value(row, name_col) or key_value or "")
                    if said:
                        book.problem("row_unknown", sheet=self.name, cell=_cell(r, 0), value=shown, key=said)
                    else:
                        book.problem("row_extra", sheet=self.name, cell=_cell(r, 0), value=shown)
                elif shown and not self._ours(r, row) and (is_empty(key_value) or not self._made_here(row, key_value)):
                    # A new activity of their own. (A row with a key the workbook was made
                    # with is its own, of a unit changed since; one with a key typed is not.)
                    book.problem("row_extra", sheet=self.name, cell=_cell(r, 0), value=shown)
                continue
            # A second row with a key already read: with something typed in it, or a name of
            # its own (a row copied and renamed as a new activity).
            if has_input or any(not is_empty(self.value(row, col.key)) and not _same(self.value(row, col.key),
                                                                                     by_key[key].get(col.key))
                                for col, _ in self.own):
                book.problem("row_duplicate", sheet=self.name, cell=_cell(r, 0), value=shown,
                             name=by_key[key][name_col])
        for row in expected:
            if row["key"] not in seen:
                book.problem("row_missing", sheet=self.name, name=row[name_col])
        return out

    def _made_here(self, row: list, key_value) -> bool:
        """Whether a row whose key the unit no longer has is one the workbook was made with
        (its fingerprint is among the workbook's); where the workbook does not say, it is."""
        if not self.made_rows:
            return True
        made = {"key": key_value, **{col.key: None if is_empty(v := self.value(row, col.key)) else v
                                     for col, _ in self.own}}
        return row_made(self.sheet, made) in self.made_rows

    def _ours(self, r: int, row: list) -> bool:
        """Whether a row under the pre-filled ones holds only what the workbook writes there
        itself: its formulas, and the legend under God BHT («Nivåer», 1 «Ikke startet» ...)."""
        return all(is_empty(v) or (r, c) in self.formula_cells or _legend_word(v) for c, v in enumerate(row))

    def own_changed(self, r: int, row: list, made: dict, record: dict) -> None:
        """The workbook's own cells in a pre-filled row that hold something else than it was
        made with: reported, and the leader's words kept beside the workbook's. Where what it
        was made with is not known (the row is the unit's, changed since the workbook was
        made), only what it never writes there: a text in a date's cell, or in a month's
        anything but its mark."""
        width = len(row)
        known = None
        for col, c in self.own:
            raw = row[c] if c < width else None
            was = made.get(col.key)
            if raw is None or raw == "" or (raw == was and self.made_as != "written") or is_empty(raw):
                continue  # as made (the usual case), or emptied: nothing typed
            if known is None:  # worked out only for a row with something to compare
                known = self.made_as == "known" or (self.made_as == "rows" and row_made(self.sheet, made)
                                                    in self.made_rows)
            changed = not _same(raw, was) if known else _never_written(col.field, raw)
            if not changed:
                continue
            self.book.problem("own_changed", sheet=self.name, cell=_cell(r, c), field=col.label, value=raw,
                              expected=_as_made(was))
            record.setdefault("_orig", {})[col.key] = as_text(raw)

    def written_rows(self) -> list[dict]:
        """Without the unit, the pre-filled rows are the ones the workbook itself holds."""
        sheet = self.sheet
        fixed = [c for c in sheet.columns if not c.input]
        out = []
        for _, row in self.body:
            key, name = self.value(row, sheet.key_column), self.value(row, sheet.name_column)
            if is_empty(key) or is_empty(name):
                continue
            rec = {}
            for col in fixed:
                v = self.value(row, col.key)
                rec[col.key] = v if isinstance(v, dt.date) or col.field.report_kind == "num" else (
                    None if is_empty(v) else as_text(v))
            out.append(rec)
        return out


@functools.cache
def _legend_words() -> frozenset:
    return frozenset(_norm(w) for cat in labels.all_catalogs()
                     for w in (*cat.GODBHT_LEVELS.values(), cat.TEXT["godbht_levels_heading"]))


def _legend_word(value) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value in (1, 2, 3, 4)
    return _norm(as_text(value)) in _legend_words()


def _as_made(value):
    """What the workbook puts in a cell, as a message says it: the value, or «tomt»."""
    return labels.msg("problem_words", "computed_empty") if is_empty(value) else as_text(value)


def _never_written(field, value) -> bool:
    """Whether the workbook never writes `value` in a cell of `field`, whatever unit made it."""
    if isinstance(field, Marker):
        return as_text(value).strip() != labels.TEXT["wheel_marker"]
    if isinstance(field, Date):
        return not isinstance(value, dt.date)
    return False


def _same(found, made) -> bool:
    """Whether a cell holds what the workbook was made with: the same day, number, or text
    (whitespace aside: a program may break a line where another did not)."""
    if is_empty(made):
        return False
    if isinstance(made, dt.date) or isinstance(found, dt.date):
        day = lambda v: v.date() if isinstance(v, dt.datetime) else v  # noqa: E731
        return day(found) == day(made)
    if isinstance(made, (int, float)) and isinstance(found, (int, float)):
        return float(found) == float(made)
    return "".join(as_text(found).split()) == "".join(as_text(made).split())


# --------------------------------------------------------------------------- across cells


def _level(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4


def _fire_rounds_into_wheel(data: WorkbookData, meaning: Meaning) -> None:
    """A brannvernrunde with its date in the Brannvernrunder sheet is done in the årshjul too:
    the leader records it once. Its årshjul row gets that date as the date done, unless the
    row has one or says the round does not apply (which stays a contradiction to report)."""
    rounds = data.tables.get("fire_rounds")
    if not rounds or "wheel" not in data.tables:
        return
    by_key = {rec.get("key"): rec for rec in data.wheel}
    for rec in rounds:
        wheel = by_key.get(rec.get("key"))
        if wheel is not None and Meaning.round_done(rec) and not wheel.get("done_date") \
                and meaning.wheel_state(wheel) != "na":
            wheel["done_date"] = rec["date"]


def _fire_count_check(book: _Book, data: WorkbookData, annual_sheet, name) -> None:
    """The year report's number of brannvernrunder against the rounds of the year dated in
    their sheet; not where the section has no rounds to date, nor for an answer that is
    wrong in itself (said at its cell already)."""
    rounds = data.tables.get("fire_rounds")
    said = data.annual.get("fire_rounds") if annual_sheet is not None and "annual" in data.tables else None
    if not rounds or said is None or not isinstance(said.get("answer"), int) or isinstance(said.get("answer"), bool):
        return
    sheet, cell = name(annual_sheet), data.cell(annual_sheet, "answer", said["_row"])
    if any(p.sheet == sheet and p.cell == cell for p in book.problems):
        return
    dated = sum(Meaning.round_done(rec) for rec in rounds)
    if said["answer"] != dated:
        book.problem("fire_rounds_count_differs", sheet=sheet, value=said["answer"], cell=cell,
                     field=said.get("question", ""), said=said["answer"], dated=dated)


def _cross_checks(book: _Book, data: WorkbookData, meaning: Meaning, schema: Schema):
    """What no single cell shows: overdue actions and activities, a half-filled God BHT."""
    sheets = {s.key: s for s in schema.sheets}
    actions, wheel, godbht = sheets.get("actions"), sheets.get("wheel"), sheets.get("godbht")
    if actions is not None:
        label = actions.column("deadline").label
        for rec in data.actions:
            if meaning.action_overdue(rec):
                deadline = rec["deadline"]
                # The leader's words where the deadline was read from them («veke 12»).
                said = rec.get("_orig", {}).get("deadline", deadline)
                book.problem("overdue", sheet=actions.name, cell=data.cell(actions, "deadline", rec["_row"]),
                             field=label, value=said, deadline=deadline.strftime("%d.%m.%Y"),
                             status=rec.get("status") or labels.msg("problem_words", "empty_status"))
    if wheel is not None:
        for rec in data.wheel:
            if meaning.wheel_state(rec) == "overdue":
                book.problem("wheel_not_done", sheet=wheel.name, cell=data.cell(wheel, "status", rec["_row"]),
                             field=rec.get("activity", ""), deadline=rec["due"].strftime("%d.%m.%Y"))
    if godbht is not None and "godbht" in data.tables:
        levels = [c.key for c in godbht.input_columns if isinstance(c.field, Level) and c.key in data.columns["godbht"]]
        total = len(data.godbht) * len(levels)
        # Filled means a level: a wrong value is an error of its own, as in the report's count.
        filled = sum(_level(rec.get(k)) for rec in data.godbht for k in levels)
        if total and not filled:
            book.problem("godbht_empty", sheet=godbht.name)
        elif filled < total:
            code = "godbht_partial" if 2 * filled >= total else "godbht_few"
            book.problem(code, sheet=godbht.name, filled=filled, total=total)


WORD_RE = re.compile(r"[^\W\d_]{4,}")  # words that say what a text is about: four letters or more


def _words(*texts) -> set[str]:
    return {w.casefold() for t in texts if isinstance(t, str) for w in WORD_RE.findall(t)}


def plan_words(actions) -> list[set[str]]:
    """Each action's words, as `in_plan` compares a finding with them."""
    return [_words(a.get("challenge"), a.get("purpose"), a.get("measure")) for a in actions]


def in_plan(finding: dict, plan: list[set[str]]) -> bool:
    """Whether an action of the plan takes up a vernerunde finding: it shares two of the
    finding's words (its one, if it has one). A finding of no words is taken as in it."""
    words = _words(finding.get("finding"), finding.get("proposal"))
    need = min(2, len(words))
    return not need or any(len(words & p) >= need for p in plan)


def _round_checks(book: _Book, data: WorkbookData, ctx: ListsContext, meaning: Meaning, schema: Schema, config):
    """The rounds' records against the plan and the wheel: a finding with a proposal the
    plan does not take up, a round done in the wheel but not recorded (or the reverse),
    a high risk left open past its deadline, a priority far from what its factors say."""
    lists, sheets = ctx.lists(), {s.key: s for s in schema.sheets}
    findings_sheet, fire, wheel, actions = (sheets.get(k) for k in ("safety_round", "fire_rounds", "wheel", "actions"))

    def name(sheet):  # as the workbook calls it
        return data.sheets.get(sheet.key, sheet.name)

    findings = data.tables.get("safety_round", [])
    if findings_sheet is not None:
        plan = plan_words(data.actions)
        for rec in findings:
            # The finding as the leader named it; a row with none is named by its number.
            text = as_text(rec.get("finding") or rec.get("area") or rec.get("proposal")
                           or labels.msg("problem_words", "row_n", n=rec["_row"]))
            closed = isinstance(rec.get("closed"), dt.date)
            if rec.get("proposal") and not closed:  # a finding already put right needs no action
                if not in_plan(rec, plan):
                    book.problem("finding_no_action", sheet=name(findings_sheet), field=text,
                                 cell=data.cell(findings_sheet, "proposal", rec["_row"]), finding=text)
            risk = rec.get("risk")
            if meaning.risk_level(risk) == "high" and meaning.finding_overdue(rec):
                book.problem("high_risk_overdue", sheet=name(findings_sheet), field=text,
                             cell=data.cell(findings_sheet, "deadline", rec["_row"]), finding=text, risk=risk,
                             deadline=rec["deadline"].strftime("%d.%m.%Y"))
    if wheel is not None and "wheel" in data.tables:
        by_key = {rec.get("key"): rec for rec in data.wheel}
        done = {k for k, rec in by_key.items() if meaning.wheel_state(rec) == "done"}
        safety_id = safety_round_activity(config)
        # The vernerunde's occurrences: one, or one per quarter or month ("vernerunde-k1").
        rounds = [k for k in by_key if isinstance(k, str) and occurrence_of(k, safety_id)]
        annual = data.annual
        if findings_sheet is not None and rounds and "annual" in data.tables:
            yes_no = lists.get("yes_no") or ("", "", "")
            held = annual.get("safety_round_held", {}).get("answer")
            recorded = bool(findings) or isinstance(annual.get("safety_round_date", {}).get("answer"), dt.date) \
                or (held is not None and held == yes_no[0])
            first = by_key[rounds[0]]
            cell = data.cell(wheel, "status", first["_row"])
            done_any = any(k in done for k in rounds)
            said_no = len(yes_no) > 2 and held == yes_no[2]  # then said once, below: the year report says no
            if done_any and not recorded and not said_no:
                book.problem("safety_round_not_recorded", sheet=name(wheel), cell=cell, field=first.get("activity", ""))
            elif recorded and not done_any:
                book.problem("safety_round_not_in_wheel", sheet=name(wheel), cell=cell, field=first.get("activity", ""))
            annual_sheet = sheets.get("annual")
            if annual_sheet is not None and said_no and (findings or done_any):
                # The year report says no vernerunde was held; the wheel or the findings say one was.
                book.problem("safety_round_said_not_held", sheet=name(annual_sheet), value=held,
                             cell=data.cell(annual_sheet, "answer", annual["safety_round_held"]["_row"]),
                             field=annual["safety_round_held"].get("question", ""))
        if fire is not None:
            for rec in data.tables.get("fire_rounds", []):
                key, dated = rec.get("key"), isinstance(rec.get("date"), dt.date)
                round_ = as_text(rec.get("round") or by_key.get(key, {}).get("activity") or key)
                if dated and rec["date"].year != data.year and data.year:
                    book.problem("fire_round_other_year", sheet=name(fire), field=round_, value=rec["date"],
                                 cell=data.cell(fire, "date", rec["_row"]), round=round_, year=data.year)
                if key not in by_key:
                    continue
                if key in done and not dated:
                    book.problem("fire_round_not_recorded", sheet=name(fire), field=round_,
                                 cell=data.cell(fire, "date", rec["_row"]), round=round_)
                elif Meaning.round_done(rec) and key not in done:  # a date in another year is said above
                    book.problem("fire_round_not_in_wheel", sheet=name(fire), field=round_,
                                 cell=data.cell(fire, "date", rec["_row"]), round=round_)
    if fire is not None:
        _fire_count_check(book, data, sheets.get("annual"), name)
    annual_sheet = sheets.get("annual")
    if annual_sheet is not None and "annual" in data.tables:
        # A sign-off is a name and a date: one without the other is said at the empty cell.
        answers = data.annual
        for name_key, date_key in (("signed_leader", "signed_leader_date"), ("signed_vo", "signed_vo_date")):
            name_rec, date_rec = answers.get(name_key), answers.get(date_key)
            if name_rec is None or date_rec is None:
                continue
            has_name, has_date = not is_empty(name_rec.get("answer")), not is_empty(date_rec.get("answer"))
            if has_name != has_date:
                empty = date_rec if has_name else name_rec
                book.problem("signoff_incomplete", sheet=name(annual_sheet), field=empty.get("question", ""),
                             cell=data.cell(annual_sheet, "answer", empty["_row"]))
    suggest = actions.column("suggested_priority").field \
        if actions is not None and "suggested_priority" in actions._by_key else None
    # Only where the workbook shows the suggestion (a list too long for its formula has none).
    if suggest is not None and meaning.priorities and suggest.excel(
            {k: "A1" for k in suggest.factors}, SimpleNamespace(priorities=meaning.priorities)):
        order = {p: i for i, p in enumerate(meaning.priorities)}
        for rec in data.actions:
            suggested, chosen = rec.get("suggested_priority"), rec.get("priority")
            if suggested is not None and chosen in order and abs(order[chosen] - order[suggested]) >= 2:
                book.problem("priority_far", sheet=name(actions), field=actions.column("priority").label,
                             cell=data.cell(actions, "priority", rec["_row"]), value=chosen, chosen=chosen,
                             suggested=suggested)
