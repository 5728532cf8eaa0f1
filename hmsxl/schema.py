"""The sheet schemas: the one description of every sheet that writer, reader, validator,
consolidation, report and CSV use.

Adding a column to a sheet is one line in its `columns` (plus its Norwegian label in
`labels.COLUMN`): the writer gives it a validated input cell, the reader parses it with
its field type and reports its problems, consolidation carries it into the unit's table,
and the report and the CSV show it with its field type's format.

A consolidated table is: context columns (which section) + the sheet's own columns +
derived columns (overdue, the leader's words where the reader corrected a value, the
file, the source cell), each with its label, width and kind (`TableColumn`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from . import __version__, labels
from .fields import (Choice, Count, Date, Field, Formula, Label, Level, LongText, Marker, Number, PerRow, Product,
                     SuggestedPriority, Text, as_text, is_empty)

# Bump TEMPLATE_VERSION when the layout changes, SCHEMA_VERSION when the data read back changes.
GENERATOR = f"hmsxl {__version__}"  # what the workbooks this version makes say made them
TEMPLATE_VERSION = 2
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Column:
    key: str
    field: Field
    width: float
    required: bool = False
    input: bool = True  # the leader fills it: unlocked and validated
    hidden: bool = False
    sheet: str = ""

    def _text(self) -> tuple[str, str]:
        """(label, help) in the language in force; a column a catalog lacks (one just added
        to the schema) has bokmål's."""
        for cat in (labels.current(), labels.catalog(labels.DEFAULT_LANGUAGE)):
            entry = cat.COLUMN.get(self.sheet, {}).get(self.key)
            if entry is not None:
                return entry
        raise KeyError(f"no label for column {self.sheet}.{self.key} in the catalogs")

    @property
    def label(self) -> str:
        if isinstance(self.field, Marker):
            return labels.MONTHS[int(self.key[1:]) - 1]
        return self._text()[0]

    @property
    def aliases(self) -> tuple[str, ...]:
        """Labels this column had before: workbooks already sent still read back."""
        return labels.COLUMN_ALIASES.get(self.sheet, {}).get(self.key, ())

    @property
    def header(self) -> str:
        """The header cell text: the label, with a mark when the field is required."""
        return self.label + (labels.TEXT["required_mark"] if self.required else "")

    @property
    def help(self) -> str:
        if isinstance(self.field, Marker):
            return ""
        return self._text()[1]

    @property
    def in_report(self) -> bool:
        """Month markers are the wheel's picture, not data: they stay out of the tables."""
        return not isinstance(self.field, Marker)

    @property
    def computed(self) -> bool:
        """A formula in the workbook, computed again from the row when it is read."""
        return isinstance(self.field, Formula)


@dataclass(frozen=True)
class Item:
    """One question of a form sheet (Årsrapport); its answer has its own field type."""

    key: str
    field: Field

    @property
    def part(self) -> str:
        return labels.ANNUAL_PARTS[labels.ANNUAL[self.key][0]]

    @property
    def question(self) -> str:
        return labels.ANNUAL[self.key][1]

    @property
    def help(self) -> str:
        return labels.ANNUAL[self.key][2]


@dataclass(frozen=True)
class TableColumn:
    """A column of a consolidated table: in the report (label, width, kind) and the CSV (key).

    `text` is the header: a literal text, or where the catalog has it (("column", sheet,
    key) for a sheet's own column, ("report_columns", key) for the report's), so that the
    header is in the language in force when the report is written."""

    key: str
    text: str | tuple
    width: float
    kind: str  # see fields.Field.report_kind
    in_xlsx: bool = True  # False: an id that only the CSV carries
    needs: str = ""  # a summary's column about one sheet: shown when the workbooks have that sheet

    @property
    def label(self) -> str:
        if isinstance(self.text, str):
            return self.text
        if self.text[0] == "column":
            return Column(self.text[2], Field(), 0, sheet=self.text[1]).label
        return getattr(labels.current(), self.text[0].upper())[self.text[1]]


def _summary(*columns) -> tuple[TableColumn, ...]:
    """A summary table's columns, (key, width, kind[, needs[, in_xlsx]]) each; labels in
    labels.REPORT_COLUMNS."""
    return tuple(TableColumn(key, ("report_columns", key), width, kind, *rest[1:], needs=rest[0] if rest else "")
                 for key, width, kind, *rest in columns)


# The summary tables: the consolidation makes them with these columns (in this order, as
# the CSV has them), the report shows them.
PROBLEMS_TABLE = _summary(
    ("severity", 11, "plain"), ("file", 34, "text"), ("section_id", 14, "plain"), ("sheet", 14, "plain"),
    ("cell", 7, "plain"), ("field", 22, "text"), ("value", 24, "text"), ("message", 70, "text"),
    ("code", 18, "plain"))
MISSING_TABLE = _summary(("section_id", 14, "plain"), ("section", 30, "text"), ("leader", 24, "text"),
                         ("email", 30, "plain"))
SOURCES_TABLE = _summary(
    ("file", 44, "text"), ("status", 10, "plain"), ("reason", 44, "text"), ("section_id", 14, "plain"),
    ("unit", 20, "text"), ("year", 6, "num"), ("sender", 28, "text"), ("saved_at", 20, "plain"),
    ("kind", 6, "plain"), ("size", 12, "num"), ("sha256", 66, "plain"))
OVERVIEW_TABLE = _summary(
    ("section_id", 14, "plain"), ("section", 26, "text"), ("leader", 20, "text"), ("answered", 8, "bool"),
    ("file", 32, "text"), ("actions", 8, "num", "actions"), ("completed", 9, "num", "actions"),
    ("cancelled", 9, "num", "actions"), ("overdue", 9, "num", "actions"), ("wheel_done", 11, "num", "wheel"),
    ("wheel_due", 11, "num", "wheel"), ("safety_round_held", 10, "text", "annual"),
    ("findings_open", 9, "num", "safety_round"), ("findings_high", 11, "num", "safety_round"),
    ("fire_done", 12, "num", "fire_rounds"), ("fire_due", 12, "num", "fire_rounds"),
    ("godbht_mean", 9, "dec", "godbht"), ("godbht_filled", 10, "num", "godbht"),
    ("godbht_levels", 10, "num", "godbht", False), ("signed_leader", 10, "bool", "annual"),
    ("signed_vo", 12, "bool", "annual"), ("errors", 7, "num"), ("warnings", 9, "num"))


# Columns every consolidated table starts and ends with. Labels are in labels.REPORT_COLUMNS.
CONTEXT_COLUMNS = (("section_id", 14, "plain"), ("section", 22, "text"), ("leader", 18, "text"))
# After a row's own and derived columns: the columns with an error in that row (details in
# the problems), the leader's own words, and where the row came from.
SOURCE_COLUMNS = (("row_errors", 18, "text"), ("original", 30, "text"), ("file", 30, "text"),
                  ("source", 16, "plain"))
# Columns derived from a row and the unit (computed in consolidation.DERIVE).
DERIVED_COLUMNS = {
    "overdue": (9, "bool"),
    "days_late": (9, "num"),
    "state": (16, "text"),
    "risk_level": (10, "text"),
    "finding_open": (9, "bool"),
    "finding_overdue": (9, "bool"),
}


def _report_column(key: str, width: float, kind: str) -> TableColumn:
    return TableColumn(key, ("report_columns", key), width, kind)


@dataclass(frozen=True)
class Sheet:
    """A table sheet: a title, an intro line, a header row and one record per row."""

    key: str
    columns: tuple[Column, ...]
    header_row: int = 3  # 0-based: title, intro, blank, header
    key_column: str | None = None  # the column that identifies a pre-filled row
    name_column: str | None = None  # the visible name of a pre-filled row (matched when the key is gone)
    derived: tuple[str, ...] = ()  # DERIVED_COLUMNS the consolidated table adds
    items: tuple[Item, ...] = ()  # a form sheet's questions: the type of a PerRow column by row
    # The pre-filled rows of a keyed sheet: (sheet, unit, wheel occurrences) -> [row dict],
    # or None when they cannot be known without the unit (then the workbook's own are used).
    rows: Callable | None = None

    def __post_init__(self):
        cols = tuple(dataclasses.replace(c, sheet=self.key) for c in self.columns)
        object.__setattr__(self, "columns", cols)

    @property
    def name(self) -> str:
        return labels.SHEET[self.key]

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    def column(self, key: str) -> Column:
        return self._by_key[key]

    def index(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)

    @functools.cached_property
    def _by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    @functools.cached_property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.input)

    @functools.cached_property
    def own_columns(self) -> tuple[Column, ...]:
        """The columns of a pre-filled row that the workbook fills itself (a name, a question,
        a due date, the month grid): not the key, not an input, not computed."""
        return tuple(c for c in self.columns if not c.input and not c.computed and c.key != self.key_column)

    @functools.cached_property
    def input_keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.input_columns)

    @functools.cached_property
    def per_row_keys(self) -> frozenset[str]:
        """Columns whose field type is each row's item's (see `field_for`)."""
        return frozenset(c.key for c in self.columns if isinstance(c.field, PerRow))

    @functools.cached_property
    def item_fields(self) -> dict[str, Field]:
        return {it.key: it.field for it in self.items}

    def field_for(self, column: Column, row_key: str | None) -> Field:
        """The field type of a cell: the column's, or for a PerRow column the row's item's."""
        if isinstance(column.field, PerRow) and row_key in self.item_fields:
            return self.item_fields[row_key]
        return column.field

    @functools.cached_property
    def table_columns(self) -> tuple[TableColumn, ...]:
        """The consolidated table of this sheet: context, own, derived and source columns."""
        own = tuple(TableColumn(c.key, ("column", self.key, c.key), c.width, c.field.report_kind, in_xlsx=not c.hidden)
                    for c in self.columns if c.in_report)
        derived = tuple(_report_column(k, *DERIVED_COLUMNS[k]) for k in self.derived)
        return (tuple(_report_column(*c) for c in CONTEXT_COLUMNS) + own + derived
                + tuple(_report_column(*c) for c in SOURCE_COLUMNS))


_WHEEL_ROWS: dict = {}


def _wheel_rows(sheet, unit, occurrences):
    """The årshjul's pre-filled rows (the same for every section with the same activities:
    kept, as a reader of a thousand workbooks asks for them a thousand times). Callers
    copy a row before they change it."""
    if unit is None or occurrences is None:
        return None
    key = (id(unit), unit.year, labels.current().language, tuple(o.key for o in occurrences),
           tuple(o.name for o in occurrences))
    cached = _WHEEL_ROWS.get(key)
    if cached is not None and cached[0] is unit:
        return cached[1]
    if len(_WHEEL_ROWS) > 1024:
        _WHEEL_ROWS.clear()
    rows = []
    for o in occurrences:
        row = {"key": o.key, "activity": o.name, "who": o.activity.who, "period": o.period, "due": o.due}
        for m in o.months(unit.year):  # the month grid is the picture of the wheel
            row[f"m{m:02d}"] = labels.TEXT["wheel_marker"]
        rows.append(row)
    _WHEEL_ROWS[key] = (unit, rows)
    return rows


def _godbht_rows(sheet, unit, occurrences):
    return [dict(row) for row in _rows_in(labels.current().language, "godbht", None)]


def _item_rows(sheet, unit, occurrences):
    return [dict(row) for row in _rows_in(labels.current().language, sheet.key, sheet.items)]


@functools.lru_cache(maxsize=64)
def _rows_in(language: str, key: str, items) -> tuple[dict, ...]:
    """A sheet's own pre-filled rows in a language, made once: a consolidation asks for
    them for every file. (Callers get copies.)"""
    with labels.language(language):
        if items is None:
            return tuple(godbht_rows())
        return tuple({"key": it.key, "part": it.part, "question": it.question} for it in items)


ACTIONS = Sheet("actions", (
    Column("category", Choice(list_name="categories"), 20, required=True),
    Column("challenge", Text(1000), 34, required=True),
    Column("purpose", Text(1000), 28),
    Column("measure", Text(1000), 34, required=True),
    Column("priority", Choice(list_name="priorities"), 11, required=True),
    Column("responsible", Text(200), 18, required=True),
    Column("deadline", Date(), 12, required=True),
    Column("status", Choice(list_name="statuses"), 14, required=True),
    Column("next_review", Date(), 12),
    Column("comment", LongText(), 30),
    # How often, how many affected, how serious (each 1-3): a suggested priority beside the
    # leader's own, which stays theirs.
    Column("frequency", Count(minimum=1, maximum=3), 13),
    Column("affected", Count(minimum=1, maximum=3), 13),
    Column("severity", Count(minimum=1, maximum=3), 13),
    Column("suggested_priority", SuggestedPriority(factors=("frequency", "affected", "severity")), 13,
           input=False),
), derived=("overdue", "days_late"))

WHEEL = Sheet("wheel", (
    Column("key", Label(), 10, input=False, hidden=True),
    Column("activity", Label(), 34, input=False),
    Column("who", Label(), 26, input=False),
    Column("period", Label(), 20, input=False),
    Column("due", Date(), 12, input=False),
    Column("planned", Date(), 13),
    Column("done_date", Date(), 13),
    Column("status", Choice(list_name="wheel_statuses"), 14),
    Column("comment", LongText(), 30),
    *(Column(f"m{m:02d}", Marker(), 4.6, input=False) for m in range(1, 13)),
), key_column="key", name_column="activity", derived=("state",), rows=_wheel_rows)

GODBHT = Sheet("godbht", (
    Column("key", Label(), 6, input=False, hidden=True),
    Column("group", Label(), 20, input=False),
    Column("number", Number(), 5, input=False),
    Column("element", Label(), 32, input=False),
    Column("level_bht", Level(), 16),
    Column("level_org", Level(), 22),
    Column("notes", LongText(), 34),
    Column("improvement", LongText(), 34),
), key_column="key", name_column="element", rows=_godbht_rows)

ANNUAL_ITEMS = (
    Item("safety_round_held", Choice(list_name="yes_no")),
    Item("safety_round_date", Date()),
    Item("safety_round_participants", LongText()),
    Item("fire_rounds", Count(maximum=52)),
    Item("ark_followup", Choice(list_name="yes_no")),
    Item("employees", Count(maximum=10000)),
    Item("appraisals", Count(maximum=10000)),
    Item("incidents", Count(maximum=10000)),
    Item("other_activities", LongText()),
    Item("bht_help", LongText()),
    Item("focus_next", LongText()),
    Item("cooperation", LongText()),
    Item("goals", LongText()),
    Item("last_goals_reached", Choice(list_name="yes_no")),
    Item("plan_review", LongText()),
    # Signed: the leader, and the verneombud who went through it with them.
    Item("signed_leader", Text(200)),
    Item("signed_leader_date", Date()),
    Item("signed_vo", Text(200)),
    Item("signed_vo_date", Date()),
)

def _questions(key: str, items: tuple) -> Sheet:
    """A sheet of questions (the year report, the arbejdsmiljødrøftelse): one row per item,
    its answer typed by the item's field, and a comment."""
    return Sheet(key, (
        Column("key", Label(), 10, input=False, hidden=True),
        Column("part", Label(), 24, input=False),
        Column("question", Label(), 48, input=False),
        Column("answer", PerRow(), 40),
        Column("comment", LongText(), 40),
    ), key_column="key", name_column="question", items=items, rows=_item_rows)


ANNUAL = _questions("annual", ANNUAL_ITEMS)

# The vernerunde's findings (one row each): where, what, how likely and how serious (the
# risk is their product, on the usual 5 x 5 scale), what to do, by whom, by when, closed.
SAFETY_ROUND = Sheet("safety_round", (
    Column("area", Text(200), 18, required=True),
    Column("finding", Text(1000), 34, required=True),
    Column("probability", Count(minimum=1, maximum=5), 13, required=True),
    Column("consequence", Count(minimum=1, maximum=5), 13, required=True),
    Column("risk", Product(a="probability", b="consequence"), 9, input=False),
    Column("proposal", Text(1000), 30),
    Column("responsible", Text(200), 16),
    Column("deadline", Date(), 12),
    Column("closed", Date(), 12),
    Column("comment", LongText(), 26),
), derived=("risk_level", "finding_open", "finding_overdue"))


def _fire_rows(sheet, unit, occurrences):
    """One row per brannvernrunde of the section's year, from the wheel's rule."""
    if unit is None or occurrences is None:
        return None
    return [{"key": o.key, "round": o.name, "due": o.due} for o in occurrences
            if o.activity.id == unit.fire_round_activity]


# The brannvernrunder: one row per round the wheel gives (a quarter each by default).
FIRE_ROUNDS = Sheet("fire_rounds", (
    Column("key", Label(), 10, input=False, hidden=True),
    Column("round", Label(), 30, input=False),
    Column("due", Date(), 12, input=False),
    Column("date", Date(), 12),
    Column("done_by", Text(200), 22),
    Column("deviations", Choice(list_name="yes_no"), 12),
    Column("reported", Choice(list_name="yes_no"), 14),
    Column("comment", LongText(), 30),
), key_column="key", name_column="round", rows=_fire_rows)

# The Danish cycle (seed 002): the yearly arbejdsmiljødrøftelse with its four questions and
# the status of the handleplan, in place of the Norwegian year report.
DISCUSSION_ITEMS = (
    Item("dk_date", Date()),
    Item("dk_participants", LongText()),
    Item("dk_focus", LongText()),
    Item("dk_cooperation", LongText()),
    Item("dk_goals", LongText()),
    Item("dk_last_goals_reached", Choice(list_name="yes_no")),
    Item("dk_plan_planned", LongText()),
    Item("dk_plan_why", LongText()),
    Item("dk_plan_worked", Choice(list_name="yes_no")),
    Item("dk_apv_current", Choice(list_name="yes_no")),
)

DISCUSSION = _questions("discussion", DISCUSSION_ITEMS)

# The kompetenceplan for the members of the arbejdsmiljøorganisation (seed 002): which tasks,
# which competences they need, and how they get them.
COMPETENCE = Sheet("competence", (
    Column("member", Text(200), 20, required=True),
    Column("task", Text(1000), 32, required=True),
    Column("competence", Text(1000), 30, required=True),
    Column("how", Text(1000), 30),
    Column("deadline", Date(), 12),
    Column("status", Choice(list_name="statuses"), 14),
    Column("comment", LongText(), 30),
))

SHEETS = (ACTIONS, WHEEL, SAFETY_ROUND, FIRE_ROUNDS, GODBHT, ANNUAL)
# Every sheet hmsxl knows, by key: what a workbook's hidden sheet can name.
ALL_SHEETS = {s.key: s for s in (ACTIONS, WHEEL, SAFETY_ROUND, FIRE_ROUNDS, GODBHT, ANNUAL, DISCUSSION,
                                 COMPETENCE)}


@dataclass(frozen=True)
class Schema:
    """The workbook's table sheets, in order. `DEFAULT` is hmsxl's; tests build others."""

    sheets: tuple[Sheet, ...] = SHEETS

    def __getitem__(self, key: str) -> Sheet:
        return self._by_key[key]

    @functools.cached_property
    def _by_key(self) -> dict[str, Sheet]:
        return {s.key: s for s in self.sheets}

    def with_column(self, sheet_key: str, column: Column, after: str | None = None) -> Schema:
        """This schema with one more column in a sheet (after `after`, else at the end)."""
        sheets = []
        for sheet in self.sheets:
            if sheet.key == sheet_key:
                cols = list(sheet.columns)
                at = len(cols) if after is None else sheet.index(after) + 1
                cols.insert(at, column)
                sheet = dataclasses.replace(sheet, columns=tuple(cols))
            sheets.append(sheet)
        return Schema(tuple(sheets))


DEFAULT = Schema()


def schema_for(unit) -> Schema:
    """The sheets of a unit's workbooks: the action plan and the årshjul; God BHT when the
    unit has it; then the year report of the Norwegian cycle, or the arbejdsmiljødrøftelse
    and the kompetenceplan of the Danish one."""
    if unit is None:
        return DEFAULT
    sheets = [ACTIONS, WHEEL]
    if unit.cycle != "dk":  # the paperwork of the Norwegian cycle: the rounds' own records
        sheets += [SAFETY_ROUND] + ([FIRE_ROUNDS] if unit.has_fire_rounds else [])
    sheets += [GODBHT] if unit.godbht else []
    sheets += [DISCUSSION, COMPETENCE] if unit.cycle == "dk" else [ANNUAL]
    schema = Schema(tuple(sheets))
    return DEFAULT if schema == DEFAULT else _SCHEMAS.setdefault(schema.sheets, schema)


_SCHEMAS: dict = {}


def schema_of(keys) -> Schema:
    """The schema a workbook says it was made with (its hidden sheet lists the sheets)."""
    sheets = tuple(ALL_SHEETS[k] for k in keys if k in ALL_SHEETS)
    if not sheets or sheets == DEFAULT.sheets:
        return DEFAULT
    return _SCHEMAS.setdefault(sheets, Schema(sheets))

# The hidden identity sheet: key -> value rows, then the validation lists in columns.
IDENTITY_KEYS = (
    "template_version", "schema_version", "unit", "year", "section_id", "section_name",
    "leader", "generated_at", "generator", "language", "sheets", "risk_medium", "risk_high", "made", "filled",
)


def made_with(sheet: Sheet, rows: list[dict]) -> str:
    """A fingerprint of what each of a sheet's pre-filled rows holds in the workbook's own
    cells: the reader compares a row's with the row it would make, to know whether it is
    what the workbook was made with (the unit may have changed since)."""
    return ".".join(row_made(sheet, row) for row in rows)


def row_made(sheet: Sheet, row: dict) -> str:
    """One row's fingerprint (see `made_with`)."""
    text = "\x1f".join([as_text(row.get("key", "")), *(
        "" if is_empty(row.get(c.key)) else as_text(row.get(c.key)) for c in sheet.own_columns)])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def filled_with(tables) -> str:
    """A fingerprint of what a workbook's input cells hold, [(sheet, rows)] in the schema's
    order: written where the workbook was made with rows of its own (last year's actions),
    and compared by the reader to tell a workbook returned untouched."""
    digest = hashlib.sha256()
    for sheet, rows in tables:
        for row in rows:
            values = [fill_text(row.get(c.key)) for c in sheet.input_columns]
            if any(values):
                digest.update("\x1f".join([sheet.key, *values, "\x1e"]).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


def fill_text(value) -> str:
    """A value as `filled_with` counts it: a day, a number, or its words (spacing aside)."""
    if is_empty(value):
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(float(value))
    return " ".join(as_text(value).split())


IDENTITY_LIST_FIRST_COLUMN = 3  # column D


def godbht_rows():
    """The 15 God BHT elements as pre-filled rows."""
    return [
        {"key": f"e{n:02d}", "group": labels.GODBHT_GROUPS[group], "number": n, "element": name}
        for n, (group, name) in enumerate(labels.GODBHT_ELEMENTS, start=1)
    ]


def annual_rows():
    return _item_rows(ANNUAL, None, None)
