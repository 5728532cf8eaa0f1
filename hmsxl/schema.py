"""The sheet schemas: the one description of every sheet that writer, reader and validator use.

Adding a column is one line in a sheet's `columns` (plus its Norwegian label in `labels.COLUMN`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from . import labels
from .fields import Choice, Count, Date, Field, Label, Level, LongText, Marker, Number, Text

# Bump TEMPLATE_VERSION when the layout changes, SCHEMA_VERSION when the data read back changes.
TEMPLATE_VERSION = 1
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Column:
    key: str
    field: Field
    width: float
    required: bool = False
    input: bool = True  # the leader fills it: unlocked and validated
    hidden: bool = False
    sheet: str = ""

    @property
    def label(self) -> str:
        if isinstance(self.field, Marker):
            return labels.MONTHS[int(self.key[1:]) - 1]
        return labels.COLUMN[self.sheet][self.key][0]

    @property
    def header(self) -> str:
        """The header cell text: the label, with a mark when the field is required."""
        return self.label + (labels.TEXT["required_mark"] if self.required else "")

    @property
    def help(self) -> str:
        if isinstance(self.field, Marker):
            return ""
        return labels.COLUMN[self.sheet][self.key][1]


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
class Sheet:
    """A table sheet: a title, an intro line, a header row and one record per row."""

    key: str
    columns: tuple[Column, ...]
    header_row: int = 3  # 0-based: title, intro, blank, header
    key_column: str | None = None  # the column that identifies a pre-filled row

    def __post_init__(self):
        cols = tuple(Column(**{**c.__dict__, "sheet": self.key}) for c in self.columns)
        object.__setattr__(self, "columns", cols)

    @property
    def name(self) -> str:
        return labels.SHEET[self.key]

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def index(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)

    @functools.cached_property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.input)

    @functools.cached_property
    def input_keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.input_columns)


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
))

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
), key_column="key")

GODBHT = Sheet("godbht", (
    Column("key", Label(), 6, input=False, hidden=True),
    Column("group", Label(), 20, input=False),
    Column("number", Number(), 5, input=False),
    Column("element", Label(), 32, input=False),
    Column("level_bht", Level(), 16),
    Column("level_org", Level(), 22),
    Column("notes", LongText(), 34),
    Column("improvement", LongText(), 34),
), key_column="key")

ANNUAL = Sheet("annual", (
    Column("key", Label(), 10, input=False, hidden=True),
    Column("part", Label(), 24, input=False),
    Column("question", Label(), 48, input=False),
    Column("answer", Field(), 40),  # typed per item: see ANNUAL_ITEMS
    Column("comment", LongText(), 40),
), key_column="key")

ANNUAL_ITEMS = (
    Item("safety_round_held", Choice(list_name="yes_no")),
    Item("safety_round_date", Date()),
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
)

SHEETS = (ACTIONS, WHEEL, GODBHT, ANNUAL)

# The hidden identity sheet: key -> value rows, then the validation lists in columns.
IDENTITY_KEYS = (
    "template_version", "schema_version", "unit", "year", "section_id", "section_name",
    "leader", "generated_at", "generator",
)
IDENTITY_LIST_FIRST_COLUMN = 3  # column D


def godbht_rows():
    """The 15 God BHT elements as pre-filled rows."""
    return [
        {"key": f"e{n:02d}", "group": labels.GODBHT_GROUPS[group], "number": n, "element": name}
        for n, (group, name) in enumerate(labels.GODBHT_ELEMENTS, start=1)
    ]


def annual_rows():
    return [{"key": it.key, "part": it.part, "question": it.question} for it in ANNUAL_ITEMS]
