"""Reads a returned section workbook back: values typed by the sheet schemas, and problems.

Values come from python-calamine (fast; xlsx, xlsm, xlsb, xls and ods alike). The section
is found from the hidden identity sheet, not the file name; columns by their header
labels, not their position; pre-filled rows by their key. Every problem is data
(`Problem`): file, sheet, cell, field, value, code, severity and a Norwegian message. A
value that was corrected (a date typed as text) is still reported, as a warning; a value
that could not be used is kept as text and reported as an error, never dropped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import python_calamine as pc

from . import labels
from .config import DEFAULT_LISTS, WHEEL_DONE_DEFAULT, Unit
from .fields import Field, as_text, col_letter, is_empty
from .safety import UnreadableFile, check_file
from .schema import (
    ACTIONS, ANNUAL, ANNUAL_ITEMS, GODBHT, IDENTITY_KEYS, SCHEMA_VERSION, SHEETS, TEMPLATE_VERSION,
    WHEEL, Sheet, annual_rows, godbht_rows,
)
from .wheel import year_occurrences

MAX_ROWS = 5000  # rows read per sheet; more is reported, not read
HEADER_SCAN = 40  # rows searched for a sheet's header row
SEVERITIES = ("error", "warning", "info")
YEARS = (2000, 2100)  # the years a unit.toml allows, so the years a workbook can be made for

CALAMINE_ERRORS = tuple(
    getattr(pc, name) for name in ("CalamineError", "PasswordError", "XmlError", "ZipError", "WorksheetNotFound")
    if hasattr(pc, name)
)


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str
    cell: str
    field: str
    value: str
    code: str
    severity: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class WorkbookData:
    """What one returned workbook holds. Rows carry `_row` (the Excel row number) and,
    where a leader wrote into columns that are not in the schema, `_extra`."""

    path: str
    kind: str
    identity: dict = field(default_factory=dict)
    section_id: str | None = None
    unit: str | None = None
    year: int | None = None
    actions: list[dict] = field(default_factory=list)
    wheel: list[dict] = field(default_factory=list)
    godbht: list[dict] = field(default_factory=list)
    annual: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    saved_at: str = ""

    def count(self, severity: str) -> int:
        return sum(p.severity == severity for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class _Lists:
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


def header_index(sheet: Sheet) -> dict[str, str]:
    return {_norm(c.label): c.key for c in sheet.columns}


_HEADER_INDEX = {sheet.key: header_index(sheet) for sheet in SHEETS}


def _cell(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


def read_workbook(path, config: Unit | None = None, today: dt.date | None = None,
                  password: str | None = None) -> WorkbookData:
    """Read one returned workbook. Raises `UnreadableFile` (one clear line) when the file
    cannot be read at all; every other problem is in the result's `.problems`.

    With `config`, the workbook must belong to that unit and year and the config's lists
    apply; without, the lists the workbook carries in its hidden sheet do. `today`
    (default: the real today) decides what is overdue.
    """
    return read_checked(check_file(path, password), config=config, today=today)


def read_checked(checked, config: Unit | None = None, today: dt.date | None = None,
                 name: str | None = None) -> WorkbookData:
    """Read a file that passed `safety.check_file`/`check_bytes`; `name` is shown in problems."""
    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(checked.data))
        names = list(book.sheet_names)
    except CALAMINE_ERRORS as exc:
        raise UnreadableFile(checked.path, "unreadable", detail=_first_line(exc)) from None
    reader = _Reader(Path(checked.path), checked.kind, book, names, config, today or dt.date.today(), name)
    reader.data.saved_at = checked.saved_at
    for sheet, cell, code, params in checked.problems:  # what the safety check cut away
        reader.problem(code, "error", sheet=sheet, cell=cell, **params)
    return reader.run()


def _first_line(exc) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


class _Reader:
    def __init__(self, path: Path, kind: str, book, names, config, today, name=None):
        self.path = path
        self.name = name or path.name
        self.book = book
        self.names = names
        self.config = config
        self.today = today
        self.data = WorkbookData(path=str(path), kind=kind)
        self._rows: dict[str, list[list]] = {}
        self._columns: dict[str, dict] = {}  # per schema sheet: column key -> index found
        self._headers: dict = {}
        self._found: dict[str, str | None] = {}

    # -- helpers --------------------------------------------------------------------------

    def problem(self, code, severity, sheet="", cell="", field="", value=None, **params):
        message = labels.PROBLEM[code].format(**params)
        self.data.problems.append(Problem(
            file=self.name, sheet=sheet, cell=cell, field=field,
            value="" if value is None else as_text(value), code=code, severity=severity, message=message,
        ))

    def rows(self, name: str) -> list[list]:
        if name not in self._rows:
            try:
                rows = self.book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=MAX_ROWS + 1)
            except CALAMINE_ERRORS as exc:
                raise UnreadableFile(self.path, "unreadable", detail=_first_line(exc)) from None
            if len(rows) > MAX_ROWS:
                self.problem("too_many_rows", "error", sheet=name, count=f"over {MAX_ROWS}", max=MAX_ROWS)
                rows = rows[:MAX_ROWS]
            self._rows[name] = rows
        return self._rows[name]

    # -- the whole workbook -----------------------------------------------------------------

    def run(self) -> WorkbookData:
        ctx = self.identity()
        found = self._found = self.locate_sheets()
        if not any(found.values()):
            raise UnreadableFile(self.path, "no_sheets")
        if not self.data.section_id and "_hmsxl" not in self.names:
            self.guess_section(found)
        for sheet in SHEETS:
            name = found[sheet.key]
            if name is None:
                self.problem("sheet_missing", "error", sheet=sheet.name, sheet_name=sheet.name)
                continue
            if name != sheet.name:
                self.problem("sheet_renamed", "warning", sheet=name, sheet_name=sheet.name, found=name)
            self.read_sheet(sheet, name, ctx)
        self.unknown_sheets(found)
        self.overdue(ctx)
        return self.data

    def identity(self) -> _Lists:
        config, data = self.config, self.data
        lists = dict(config.lists()) if config else {k: tuple(v) for k, v in DEFAULT_LISTS.items()}
        lists.setdefault("yes_no", labels.YES_NO)
        name = labels.SHEET["identity"]
        if name in self.names:
            rows = self.rows(name)
            ident = {}
            for row in rows[1:len(IDENTITY_KEYS) + 1]:
                if len(row) > 1 and row[0] in IDENTITY_KEYS:
                    ident[row[0]] = row[1]
            data.identity = ident
            data.section_id = as_text(ident.get("section_id", "")) or None
            data.unit = as_text(ident.get("unit", "")) or None
            data.year = _int(ident.get("year"))
            if data.year is not None and not YEARS[0] <= data.year <= YEARS[1]:
                # No date can be made in such a year: the year is reported, then not used.
                if config:
                    self.problem("wrong_year", "error", sheet=name, cell="B5", value=data.year,
                                 found=data.year, expected=config.year)
                else:
                    self.problem("year_invalid", "error", sheet=name, cell="B5", value=data.year,
                                 found=data.year, min=YEARS[0], max=YEARS[1])
                data.year = None
            if not config:
                by_label = {v: k for k, v in labels.LIST_NAMES.items()}
                header = rows[0] if rows else []
                for c, label in enumerate(header):
                    if label in by_label:
                        values = tuple(as_text(r[c]) for r in rows[1:] if c < len(r) and not is_empty(r[c]))
                        if values:
                            lists[by_label[label]] = values
            version = _int(ident.get("template_version"))
            if version is not None and version > TEMPLATE_VERSION:
                self.problem("template_too_new", "error", sheet=name, cell="B2", value=version,
                             found=version, current=TEMPLATE_VERSION)
            elif version is not None and version < TEMPLATE_VERSION:
                self.problem("template_too_old", "warning", sheet=name, cell="B2", value=version,
                             found=version, current=TEMPLATE_VERSION)
            schema = _int(ident.get("schema_version"))
            if schema is not None and schema > SCHEMA_VERSION:
                self.problem("template_too_new", "error", sheet=name, cell="B3", value=schema,
                             found=schema, current=SCHEMA_VERSION)
        if config:
            if data.unit and data.unit != config.name:
                self.problem("wrong_unit", "error", sheet=name, cell="B4", value=data.unit,
                             found=data.unit, expected=config.name)
            if data.year and data.year != config.year:
                self.problem("wrong_year", "error", sheet=name, cell="B5", value=data.year,
                             found=data.year, expected=config.year)
            if data.section_id and not config.has_section(data.section_id):
                self.problem("unknown_section", "error", sheet=name, cell="B6", value=data.section_id,
                             found=data.section_id)
        year = data.year or (config.year if config else self.today.year)
        return _Lists(year, lists)

    def guess_section(self, found):
        """Without the identity sheet: the section's name is in the sheet titles we wrote."""
        title_sheet = found.get("actions") or found.get("wheel")
        section_name = year = None
        if title_sheet:
            for row in self.rows(title_sheet)[:3]:
                for value in row:
                    m = re.search(r"(\d{4}) – (.+)$", str(value))
                    if m:
                        year, section_name = int(m.group(1)), m.group(2).strip()
                        break
                if section_name:
                    break
        if section_name and self.config:
            match = [s for s in self.config.sections if s.name.casefold() == section_name.casefold()]
            if match:
                self.data.section_id = match[0].id
                self.data.year = year if YEARS[0] <= year <= YEARS[1] else None
                self.data.unit = self.config.name
                self.problem("identity_missing", "warning", how=f"tittelen («{section_name}»)")
                return
        self.problem("identity_unknown", "error")

    def locate_sheets(self) -> dict[str, str | None]:
        """Each schema sheet's name in this file: by name, by a looser name, or by its headers."""
        out = {}
        taken = set()
        for sheet in SHEETS:
            name = sheet.name if sheet.name in self.names else None
            if name is None:
                loose = [n for n in self.names if _norm(n) == _norm(sheet.name)]
                name = loose[0] if loose else None
            if name is None:
                for n in self.names:
                    if n in taken or n in labels.SHEET.values():
                        continue
                    if self.find_header(sheet, n) is not None:
                        name = n
                        break
            if name:
                taken.add(name)
            out[sheet.key] = name
        return out

    def unknown_sheets(self, found):
        known = set(found.values()) | {labels.SHEET["guide"], labels.SHEET["identity"]}
        for name in self.names:
            if name in known:
                continue
            filled = sum(not is_empty(v) for row in self.rows(name) for v in row)
            if filled:
                self.problem("unknown_sheet", "warning", sheet=name, sheet_name=name, count=filled)

    # -- one sheet ------------------------------------------------------------------------

    def find_header(self, sheet: Sheet, name: str):
        """(row index, {column key: column index}) of the sheet's header row, or None."""
        cache_key = (sheet.key, name)
        if cache_key not in self._headers:
            self._headers[cache_key] = self._find_header(sheet, name)
        return self._headers[cache_key]

    def _find_header(self, sheet: Sheet, name: str):
        wanted = _HEADER_INDEX[sheet.key]
        need = max(2, len(sheet.input_columns) // 2)
        best = None
        for r, row in enumerate(self.rows(name)[:HEADER_SCAN]):
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

    def read_sheet(self, sheet: Sheet, name: str, ctx):
        header = self.find_header(sheet, name)
        if header is None:
            self.problem("header_missing", "error", sheet=name)
            return
        hr, columns = header
        rows = self.rows(name)
        for col in sheet.columns:
            if col.key not in columns and (col.input or col.key == sheet.key_column):
                self.problem("column_missing", "error" if col.required else "warning", sheet=name,
                             cell=_cell(hr, 0), field=col.label, column=col.label)
        known_cols = set(columns.values())
        extra_cols = {}
        for c, value in enumerate(rows[hr]):
            if c not in known_cols and not is_empty(value):
                extra_cols[c] = as_text(value)
        self.values_above_header(name, rows, hr)
        body = list(enumerate(rows[hr + 1:], start=hr + 1))
        if sheet is ACTIONS:
            self.read_actions(name, body, columns, extra_cols, ctx)
        else:
            self.read_keyed(sheet, name, body, columns, extra_cols, ctx)
        # Text in columns without a header, right of the table: a note beside a row.
        for c, header_text in extra_cols.items():
            count = sum(1 for _, row in body if c < len(row) and not is_empty(row[c]))
            if count:
                self.problem("unknown_column", "warning", sheet=name, cell=_cell(hr, c), field=header_text,
                             column=header_text, count=count)
        self._columns[sheet.key] = columns
        width = max(known_cols | set(extra_cols))
        for r, row in body:
            for c in range(width + 1, len(row)):
                if not is_empty(row[c]):
                    self.problem("value_outside_table", "warning", sheet=name, cell=_cell(r, c), value=row[c],
                                 shown=as_text(row[c]))

    def values_above_header(self, name, rows, hr):
        """Above the header are only our title and intro (first two columns); report the rest."""
        for r in range(hr):
            for c, value in enumerate(rows[r]):
                if c > 1 and not is_empty(value):
                    self.problem("value_outside_table", "warning", sheet=name, cell=_cell(r, c),
                                 value=value, shown=as_text(value))

    def parse_row(self, sheet, name, r, row, columns, ctx, field_for=None) -> dict:
        record = {"_row": r + 1}
        for col in sheet.columns:
            if not col.input or col.key not in columns:
                continue
            c = columns[col.key]
            raw = row[c] if c < len(row) else None
            if raw is None or raw == "":  # most cells: nothing to parse
                record[col.key] = None
                continue
            fld: Field = field_for(col) if field_for else col.field
            value, issue = fld.parse(raw, ctx)
            record[col.key] = value
            if issue:
                self.problem(issue.code, issue.severity, sheet=name, cell=_cell(r, c), field=col.label,
                             value=raw, **issue.params)
        return record

    def read_actions(self, name, body, columns, extra_cols, ctx):
        inputs = [c for c in ACTIONS.columns if c.key in columns]
        for r, row in body:
            cells = [row[columns[c.key]] if columns[c.key] < len(row) else None for c in inputs]
            extras = {h: row[c] for c, h in extra_cols.items() if c < len(row) and not is_empty(row[c])}
            if all(is_empty(v) for v in cells):
                continue
            record = self.parse_row(ACTIONS, name, r, row, columns, ctx)
            if extras:
                record["_extra"] = {h: as_text(v) for h, v in extras.items()}
            for col in ACTIONS.columns:
                if col.required and col.key in columns and record.get(col.key) is None:
                    self.problem("required", "error", sheet=name, cell=_cell(r, columns[col.key]),
                                 field=col.label, label=col.label)
            self.data.actions.append(record)

    def read_keyed(self, sheet, name, body, columns, extra_cols, ctx):
        expected = self.expected_rows(sheet)
        by_key = {row["key"]: row for row in expected}
        # Without the key column, rows are matched by their visible name.
        name_col = {"wheel": "activity", "godbht": "element", "annual": "question"}[sheet.key]
        by_name = {_norm(row[name_col]): row["key"] for row in expected}
        seen = {}
        out = []
        items = {it.key: it for it in ANNUAL_ITEMS}
        for r, row in body:
            def cell(key, row=row):
                return _get(row, columns, key)

            key = as_text(cell(sheet.key_column)) if not is_empty(cell(sheet.key_column)) else None
            if key not in by_key:
                label = cell(name_col)
                key = by_name.get(_norm(label)) if not is_empty(label) else None
            inputs = [cell(c.key) for c in sheet.input_columns]
            if key is None:
                if any(not is_empty(v) for v in inputs):
                    shown = "; ".join(as_text(v) for v in row if not is_empty(v))[:200]
                    self.problem("row_unknown", "warning", sheet=name, cell=_cell(r, 0),
                                 key=as_text(cell(name_col) or cell(sheet.key_column) or ""), values=shown)
                continue
            if key in seen:
                if any(not is_empty(v) for v in inputs):
                    self.problem("row_duplicate", "warning", sheet=name, cell=_cell(r, 0),
                                 name=by_key[key][name_col])
                continue
            seen[key] = r
            field_for = None
            if sheet is ANNUAL:
                field_for = (lambda col, it=items[key]: it.field if col.key == "answer" else col.field)
            record = self.parse_row(sheet, name, r, row, columns, ctx, field_for)
            record = {**{k: v for k, v in by_key[key].items()}, **record}
            extras = {h: as_text(row[c]) for c, h in extra_cols.items() if c < len(row) and not is_empty(row[c])}
            if extras:
                record["_extra"] = extras
            out.append(record)
        for row in expected:
            if row["key"] not in seen:
                self.problem("row_missing", "warning", sheet=name, name=row[name_col])
        if sheet is WHEEL:
            self.data.wheel = out
        elif sheet is GODBHT:
            self.data.godbht = out
        else:
            self.data.annual = {rec["key"]: rec for rec in out}

    def expected_rows(self, sheet) -> list[dict]:
        if sheet is GODBHT:
            return godbht_rows()
        if sheet is ANNUAL:
            return annual_rows()
        return self.expected_wheel()

    def expected_wheel(self) -> list[dict]:
        """The årshjul rows this section's workbook was made with."""
        if self.config and self.data.section_id and self.config.has_section(self.data.section_id):
            unit = self.config
            if self.data.year and self.data.year != unit.year:
                unit = dataclasses.replace(unit, year=self.data.year)
            return [{"key": o.key, "activity": o.name, "due": o.due} for o in year_occurrences(unit, self.data.section_id)]
        # Without the config, the rows that were written are what is expected.
        name = self._found.get("wheel")
        header = self.find_header(WHEEL, name) if name else None
        if header is None:
            return []
        hr, columns = header
        out = []
        for row in self.rows(name)[hr + 1:]:
            key, activity, due = (_get(row, columns, k) for k in ("key", "activity", "due"))
            if not is_empty(key) and not is_empty(activity):
                out.append({"key": as_text(key), "activity": as_text(activity),
                            "due": due if isinstance(due, dt.date) else None})
        return out

    # -- cross-field checks -----------------------------------------------------------------

    def overdue(self, ctx):
        done = set(ctx.lists().get("done_statuses", ()))
        col = {c.key: c for c in ACTIONS.columns}
        letter = col_letter(self._columns.get("actions", {}).get("deadline", ACTIONS.index("deadline")))
        for rec in self.data.actions:
            deadline, status = rec.get("deadline"), rec.get("status")
            if isinstance(deadline, dt.date) and deadline < self.today and status not in done:
                self.problem("overdue", "warning", sheet=ACTIONS.name, cell=f"{letter}{rec['_row']}",
                             field=col["deadline"].label, value=deadline,
                             deadline=deadline.strftime("%d.%m.%Y"), status=status or "tom")
        status_letter = col_letter(self._columns.get("wheel", {}).get("status", WHEEL.index("status")))
        for rec in self.data.wheel:
            due = rec.get("due")
            if isinstance(due, dt.datetime):
                due = due.date()
            if isinstance(due, dt.date) and due < self.today and rec.get("status") not in WHEEL_DONE_DEFAULT \
                    and not rec.get("done_date"):
                self.problem("wheel_not_done", "info", sheet=WHEEL.name, cell=f"{status_letter}{rec['_row']}",
                             field=rec.get("activity", ""), deadline=due.strftime("%d.%m.%Y"))


def _get(row: list, columns: dict, key: str):
    """The value of a schema column in a row, or None where the column or cell is missing."""
    c = columns.get(key)
    return row[c] if c is not None and c < len(row) else None


def _int(value) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
