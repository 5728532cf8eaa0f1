"""Writes the section workbooks with xlsxwriter, from the sheet schemas and the unit config.

`generate` writes one workbook per section, atomically, in a process pool when there are many.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from . import colours, labels, xmltext
from .config import Section, Unit, check_unit
from .arguments import unit_arg
from .errors import OutputExistsError
from .fileio import atomic_write_bytes
from .meaning import Meaning
from .fields import Field, Label, Level, LongText, Marker, Number, list_range_name
from .schema import (
    GENERATOR, IDENTITY_KEYS, IDENTITY_LIST_FIRST_COLUMN, filled_with, made_with, SCHEMA_VERSION, TEMPLATE_VERSION, Schema,
    Sheet, schema_for,
)
from .wheel import year_occurrences

# Rows below the formatted action-plan rows that stay unlocked and validated, for leaders
# who type past the table.
SPARE_ROWS = 200

PROTECT_OPTIONS = {
    "format_cells": False,
    "format_columns": True,
    "format_rows": True,
    "insert_rows": True,
    "autofilter": True,
    "sort": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


def fmt_date_long(d: dt.date) -> str:
    """A date in words, in the language in force: "1. desember 2026", "December 1, 2026"."""
    return labels.current().date(d)


class _Formats:
    """The workbook's cell formats, made once and shared by all sheets."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self._cache: dict = {}
        base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        self.base = base
        self.title = wb.add_format({**base, "bold": True, "font_size": 15, "font_color": colours.HEADER})
        self.intro = wb.add_format({**base, "italic": True, "font_color": colours.INTRO_FONT})
        self.heading = wb.add_format({**base, "bold": True, "font_size": 12})
        self.text = wb.add_format({**base, "text_wrap": True})
        self.base_fmt = wb.add_format(base)
        self.label = wb.add_format({**base, "bold": True})
        self.header = wb.add_format({
            **base, "bold": True, "text_wrap": True, "font_color": colours.HEADER_FONT,
            "bg_color": colours.HEADER, "border": 1, "border_color": colours.BORDER,
        })
        self.overdue = wb.add_format({"bg_color": colours.RED})
        self.done = wb.add_format({"bg_color": colours.GREEN})
        self.started = wb.add_format({"bg_color": colours.YELLOW})
        self.levels = {n: wb.add_format({"bg_color": c}) for n, c in colours.LEVEL.items()}
        self.risk = {k: wb.add_format({"bg_color": c}) for k, c in colours.RISK.items()}
        self.marker_on = wb.add_format({
            **base, "align": "center", "bg_color": colours.MARKER, "border": 1,
            "border_color": colours.BORDER, "font_color": colours.HEADER,
        })
        self._spare = {}

    def cell(self, field: Field, editable: bool):
        """The format of a table cell of this field type, locked or not."""
        key = (type(field).__name__, field.num_format, field.wrap, editable)
        if key not in self._cache:
            props = {**self.base, "border": 1, "border_color": colours.BORDER, "locked": not editable}
            if field.num_format:
                props["num_format"] = field.num_format
            if field.wrap:
                props["text_wrap"] = True
            if not editable:
                props["bg_color"] = colours.LOCKED
            if isinstance(field, (Marker, Number)):
                props["align"] = "center"
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

    def spare(self, field: Field):
        """An unlocked cell format without borders, for the spare rows below a table."""
        key = (field.num_format, field.wrap)
        if key not in self._spare:
            props = {**self.base, "locked": False}
            if field.num_format:
                props["num_format"] = field.num_format
            if field.wrap:
                props["text_wrap"] = True
            self._spare[key] = self.wb.add_format(props)
        return self._spare[key]


def _write_value(ws, row, col, value, fmt):
    """Write one cell by Python type; text always as a string, never a formula."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()) if not isinstance(value, dt.datetime) else value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _validation(unit: Unit, field: Field, help_text: str, title: str) -> dict | None:
    opts = field.validation(unit)
    if opts is None:
        return None
    opts = dict(opts)
    opts.update({
        "ignore_blank": True,
        "error_type": "stop",
        "error_title": labels.VALIDATION["error_title"],
        "error_message": labels.render(field.rule(unit)),
    })
    if help_text:
        opts["input_title"] = _shorten(title, 32)
        # Examples in the messages are dates of the workbook's own year.
        opts["input_message"] = help_text.format(year=unit.year)[:255]
    return opts


class _SheetWriter:
    """Writes one schema sheet: title, intro, header, rows, spare rows, validation, protection."""

    def __init__(self, book: SectionWorkbook, sheet: Sheet):
        self.book = book
        self.sheet = sheet

    def write(self, rows: list[dict], spare: int = 0):
        """The sheet with `rows`; `spare` unlocked, validated rows below for leaders who type past it."""
        book, sheet, f = self.book, self.sheet, self.book.f
        ws = book.wb.add_worksheet(sheet.name)
        unit, section = book.unit, book.section
        visible = next(c for c, col in enumerate(sheet.columns) if not col.hidden)
        ws.write_string(0, visible, labels.TEXT[f"{sheet.key}_title"].format(year=unit.year, section=section.name),
                        f.title)
        ws.write_string(1, visible, labels.TEXT[f"{sheet.key}_intro"], f.intro)
        ws.set_row(0, 22)
        hr, first = sheet.header_row, sheet.first_data_row
        last = first + max(len(rows), 1) - 1
        for c, col in enumerate(sheet.columns):
            ws.set_column(c, c, col.width, None, {"hidden": True} if col.hidden else None)
            ws.write_string(hr, c, col.header, f.header)
        ws.set_row(hr, 45)
        computed = [(c, col) for c, col in enumerate(sheet.columns) if col.computed]
        for r, row in enumerate(rows):
            fields = [sheet.field_for(col, row.get("key")) for col in sheet.columns]
            for c, col in enumerate(sheet.columns):
                if col.computed:
                    continue
                value = row.get(col.key)
                fmt = f.marker_on if (isinstance(col.field, Marker) and value) else f.cell(fields[c], col.input)
                _write_value(ws, first + r, c, value, fmt)
            height = _row_height(sheet, row, fields)
            if height:
                ws.set_row(first + r, height)
        # Spare rows below the table stay editable for leaders who type past it: only their
        # input cells are unlocked, never a whole column (the title above would be too).
        spare_formats = [f.spare(col.field) if col.input else None for col in sheet.columns]
        for r in range(last + 1, last + spare + 1):
            for c, fmt in enumerate(spare_formats):
                if fmt is not None:
                    ws.write_blank(r, c, None, fmt)
        # What the workbook computes, on the table's rows (hmsxl computes it again for any
        # row, the spare ones too: a formula on every spare row would make each returned
        # file hundreds of cells longer to check, for rows hardly anyone fills).
        for c, col in computed:
            fmt = f.cell(col.field, False)
            for r, row in enumerate(rows + [{}] * (last + 1 - first - len(rows))):
                self.formula(ws, first + r, c, col, row, fmt)
        self.validation(ws, rows, first, last + spare)
        ws.freeze_panes(first, 0)
        ws.protect("", PROTECT_OPTIONS)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(hr)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer(footer(section.name))
        return ws, first, last

    def formula(self, ws, r: int, c: int, col, row: dict, fmt):
        """A computed cell: its formula over the row's cells, its value as hmsxl computes it
        (shown until the spreadsheet program recalculates)."""
        refs = {k.key: f"{xl_col_to_name(i)}{r + 1}" for i, k in enumerate(self.sheet.columns)}
        formula = col.field.excel(refs, self.book.unit)
        if formula is None:
            ws.write_blank(r, c, None, fmt)
            return
        value = col.field.compute(row, self.book.meaning)
        ws.write_formula(r, c, formula, fmt, "" if value is None else value)

    def validation(self, ws, rows, first, last):
        """One range per input column, or one per cell where the type differs by row."""
        sheet, unit = self.sheet, self.book.unit
        items = {it.key: it for it in sheet.items}
        for c, col in enumerate(sheet.columns):
            if not col.input:
                continue
            if col.key in sheet.per_row_keys:
                for r, row in enumerate(rows):
                    item = items.get(row.get("key"))
                    if item:
                        opts = _validation(unit, item.field, item.help, item.question)
                        if opts:
                            ws.data_validation(first + r, c, first + r, c, opts)
                continue
            opts = _validation(unit, col.field, col.help, col.label)
            if opts:
                ws.data_validation(first, c, last, c, opts)


class SectionWorkbook:
    """Builds the workbook for one section; `build()` returns the xlsx bytes.

    `fill` holds values to pre-fill, e.g. last year's unfinished actions carried over:
    {sheet key: [row, ...]} for a sheet of the leader's own rows (the action plan), and
    {sheet key: {row key: {column: value}}} for a sheet of pre-filled rows. With
    `carried`, the fill is the workbook's own (not a leader's answer): it records what its
    input cells were filled with, so that one returned untouched is known as no answer.
    """

    def __init__(self, unit: Unit, section: Section, generated_at: dt.datetime, occurrences=None,
                 fill: dict | None = None, schema: Schema | None = None, carried: bool = False):
        self.unit = unit
        self.section = section
        self.generated_at = generated_at
        self.fill = fill or {}
        self.carried = carried
        self.schema = schema or schema_for(unit)
        self.language = unit.language_of(section)
        if occurrences is None:
            with labels.language(self.language):
                occurrences = year_occurrences(unit, section.id)
        self.occurrences = occurrences
        self.meaning = Meaning.of(unit.lists(), dt.date(unit.year, 12, 31), unit.risk)
        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buf, {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        })
        self.f = _Formats(self.wb)

    def rows(self, sheet: Sheet) -> list[dict]:
        """The rows a sheet starts with: its pre-filled rows with their fills, or the
        leader's rows carried over and then empty formatted rows."""
        fill = self.fill.get(sheet.key)
        if sheet.key_column:
            fill = fill or {}
            return [{**row, **{k: v for k, v in fill.get(row["key"], {}).items() if k in sheet.input_keys}}
                    for row in sheet.rows(sheet, self.unit, self.occurrences) or ()]
        filled = [dict(row) for row in fill or ()]
        return filled + [{} for _ in range(max(self.unit.action_rows - len(filled), 10))]

    def build(self) -> bytes:
        """The workbook, in the section's language."""
        with labels.language(self.language):
            return self._build()

    def _build(self) -> bytes:
        u, s = self.unit, self.section
        _guide(self)
        for sheet in self.schema.sheets:
            spare = 0 if sheet.key_column else SPARE_ROWS
            rows = self.rows(sheet)
            ws, first, last = _SheetWriter(self, sheet).write(rows, spare)
            touch = SHEET_TOUCHES.get(sheet.key)
            if touch and rows:
                touch(self, sheet, ws, first, last + spare)
        _identity(self)
        self.wb.set_properties({
            "title": labels.GUIDE["title"].format(year=u.year, section=s.name),
            "subject": "HMS",
            "author": u.advisor.name,
            "company": u.name,
            "created": self.generated_at.replace(tzinfo=None),
        })
        for key, value in (("hmsxl_unit", u.name), ("hmsxl_year", u.year), ("hmsxl_section_id", s.id),
                           ("hmsxl_template_version", TEMPLATE_VERSION),
                           ("hmsxl_schema_version", SCHEMA_VERSION)):
            self.wb.set_custom_property(key, value)
        self.wb.close()
        return self.buf.getvalue()


def _col(sheet: Sheet, key: str) -> str:
    return xl_col_to_name(sheet.index(key))


GUIDE_TEXT_WIDTH = 100  # characters: the Veiledning sheet's text column


def _fit_height(ws, row: int, text: str, width: int) -> None:
    """A wrapped text's row made tall enough for its lines: LibreOffice does not grow a row
    on its own, and prints the lines over the next one."""
    per_line = int(width * 1.15)  # a column's width counts "0"s; running text is narrower
    lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
    if lines > 1:
        ws.set_row(row, 15 * lines)


def _guide(book: SectionWorkbook):
    """The Veiledning sheet: who the workbook is for, the deadline, how to fill it in and return it."""
    ws = book.wb.add_worksheet(labels.SHEET["guide"])
    f, u, s, g = book.f, book.unit, book.section, labels.GUIDE
    ws.set_column(0, 0, 2)
    # The labels' column as wide as its longest label ("Arbejdsmiljørepræsentant").
    ws.set_column(1, 1, min(40, max(18, *(1.1 * len(g[k]) + 2 for k in (
        "label_unit", "label_section", "label_leader", "label_vo", "label_year", "label_deadline")))))
    ws.set_column(2, 2, GUIDE_TEXT_WIDTH)
    ws.hide_gridlines(2)
    fill = {
        "year": u.year, "section": s.name, "unit": u.name, "leader": s.leader,
        "deadline": fmt_date_long(u.return_deadline), "advisor_name": u.advisor.name,
        "advisor_email": u.advisor.email,
        "advisor_phone": g["phone"].format(phone=u.advisor.phone) if u.advisor.phone else "",
    }
    r = 0
    ws.write_string(r, 1, g["title"].format(**fill), f.title)
    r += 2
    facts = [
        ("label_unit", u.name), ("label_section", s.name), ("label_leader", s.leader),
        ("label_vo", s.vo), ("label_year", str(u.year)),
        ("label_deadline", fmt_date_long(u.return_deadline)),
    ]
    for key, value in facts:
        if not value:
            continue
        ws.write_string(r, 1, g[key], f.label)
        ws.write_string(r, 2, value, f.text)
        r += 1
    r += 1
    ws.write_string(r, 1, g["deadline"].format(**fill), f.heading)
    ws.write_string(r + 1, 1, g["return"].format(**fill), f.base_fmt)
    r += 3
    steps = [g["step"].format(n=n, sheet=sheet.name, what=g["steps"][sheet.key])
             for n, sheet in enumerate(book.schema.sheets, start=1)]
    for heading, lines in (("steps_heading", steps), ("tips_heading", g["tips"])):
        ws.write_string(r, 1, g[heading], f.heading)
        r += 1
        for line in lines:
            text = line.format(**fill)
            ws.write_string(r, 1, "•" if heading == "tips_heading" else "", f.text)
            ws.write_string(r, 2, text, f.text)
            _fit_height(ws, r, text, GUIDE_TEXT_WIDTH)
            r += 1
        r += 1
    ws.write_string(r, 1, g["contact_heading"], f.heading)
    ws.write_string(r + 1, 2, g["contact"].format(**fill), f.text)
    ws.protect("", {"select_locked_cells": True})
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.activate()


# Each sheet's own touches after its table is written: colours by meaning, the God BHT
# legend and live profile. A sheet without an entry needs none.

def _touch_actions(book, sheet, ws, first, last):
    u, f = book.unit, book.f
    ws.autofilter(sheet.header_row, 0, last, len(sheet.columns) - 1)
    d, st = _col(sheet, "deadline"), _col(sheet, "status")
    top = first + 1
    not_done = ",".join(f'${st}{top}<>"{_q(v)}"' for v in u.done_statuses)
    ws.conditional_format(first, sheet.index("deadline"), last, sheet.index("deadline"), {
        "type": "formula",
        "criteria": f"=AND(ISNUMBER(${d}{top}),${d}{top}<TODAY(),{not_done})",
        "format": f.overdue,
    })
    sc = sheet.index("status")
    for v in u.statuses:
        fmt = f.done if v in u.done_statuses else (None if v == u.statuses[0] else f.started)
        if fmt is not None:
            ws.conditional_format(first, sc, last, sc, {
                "type": "cell", "criteria": "==", "value": f'"{_q(v)}"', "format": fmt,
            })


def _touch_wheel(book, sheet, ws, first, last):
    u, f = book.unit, book.f
    d, st = _col(sheet, "due"), _col(sheet, "status")
    kept = [*u.wheel_done_statuses, *u.wheel_na_statuses]
    not_done = ",".join(f'${st}{first + 1}<>"{_q(v)}"' for v in kept)
    dc = sheet.index("due")
    ws.conditional_format(first, dc, last, dc, {
        "type": "formula",
        "criteria": f"=AND(${d}{first + 1}<TODAY(){',' + not_done if not_done else ''})",
        "format": f.overdue,
    })
    sc = sheet.index("status")
    for v in kept:
        ws.conditional_format(first, sc, last, sc, {
            "type": "cell", "criteria": "==", "value": f'"{_q(v)}"', "format": f.done,
        })


def _touch_godbht(book, sheet, ws, first, last):
    f = book.f
    levels = [col.key for col in sheet.input_columns if isinstance(col.field, Level)]
    for key in levels:
        c = sheet.index(key)
        for level, fmt in f.levels.items():
            ws.conditional_format(first, c, last, c, {"type": "cell", "criteria": "==", "value": level, "format": fmt})
    # Level descriptions under the table.
    r = last + 2
    ws.write_string(r, sheet.index("element"), labels.TEXT["godbht_levels_heading"], f.heading)
    for level, text in labels.GODBHT_LEVELS.items():
        r += 1
        ws.write_number(r, sheet.index("number"), level, f.cell(Label(), False))
        ws.write_string(r, sheet.index("element"), text, f.cell(Label(), False))
    # The live profile: a bar chart of both levels per element.
    name = sheet.name.replace("'", "''")
    chart = book.wb.add_chart({"type": "bar"})
    element = _col(sheet, "element")
    cats = f"='{name}'!${element}${first + 1}:${element}${last + 1}"
    for key, series, colour in zip(levels, ("godbht_series_bht", "godbht_series_org"), colours.SERIES):
        col = _col(sheet, key)
        chart.add_series({
            "name": labels.TEXT[series],
            "categories": cats,
            "values": f"='{name}'!${col}${first + 1}:${col}${last + 1}",
            "fill": {"color": colour},
            "gap": 60,
        })
    chart.set_title({"name": labels.TEXT["godbht_chart_title"]})
    chart.set_x_axis({"min": 0, "max": 4, "major_unit": 1})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 620, "height": 560})
    ws.insert_chart(sheet.header_row, len(sheet.columns) + 1, chart, {"x_offset": 10})


def _touch_safety_round(book, sheet, ws, first, last):
    """The risk coloured on the usual scale, from the unit's thresholds."""
    f, (medium, high) = book.f, book.unit.risk
    ws.autofilter(sheet.header_row, 0, last, len(sheet.columns) - 1)
    c = sheet.index("risk")
    for level, criteria in (("high", {"criteria": ">=", "value": high}),
                            ("medium", {"criteria": "between", "minimum": medium, "maximum": high - 1}),
                            ("low", {"criteria": "between", "minimum": 1, "maximum": medium - 1})):
        if level == "medium" and medium >= high or level == "low" and medium <= 1:
            continue
        ws.conditional_format(first, c, last, c, {"type": "cell", **criteria, "format": f.risk[level]})


def _touch_fire_rounds(book, sheet, ws, first, last):
    """A round past its deadline without a date: red, as in the årshjul."""
    d, date = _col(sheet, "due"), _col(sheet, "date")
    dc = sheet.index("due")
    ws.conditional_format(first, dc, last, dc, {
        "type": "formula",
        "criteria": f"=AND(${d}{first + 1}<TODAY(),${date}{first + 1}=\"\")",
        "format": book.f.overdue,
    })


SHEET_TOUCHES = {"actions": _touch_actions, "wheel": _touch_wheel, "godbht": _touch_godbht,
                 "safety_round": _touch_safety_round, "fire_rounds": _touch_fire_rounds}


def _identity(book: SectionWorkbook):
    """The hidden sheet: who the workbook is for (read back to find the section), and the
    lists behind the dropdowns."""
    ws = book.wb.add_worksheet(labels.SHEET["identity"])
    u, s = book.unit, book.section
    values = {
        "template_version": TEMPLATE_VERSION,
        "schema_version": SCHEMA_VERSION,
        "unit": u.name,
        "year": u.year,
        "section_id": s.id,
        "section_name": s.name,
        "leader": s.leader,
        "generated_at": book.generated_at.isoformat(),
        "generator": GENERATOR,
        "language": book.language,
        "sheets": ",".join(sheet.key for sheet in book.schema.sheets),
        "risk_medium": u.risk_medium,
        "risk_high": u.risk_high,
        # What each sheet of pre-filled rows was made with, so that words typed over them
        # are told from a unit changed since.
        "made": ",".join(f"{sheet.key}:{made_with(sheet, rows)}" for sheet in book.schema.sheets if sheet.key_column
                         for rows in [sheet.rows(sheet, u, book.occurrences) or []]),
        # What its input cells were filled with when it was made (last year's actions).
        "filled": filled_with((sheet, book.rows(sheet)) for sheet in book.schema.sheets) if book.carried else "",
    }
    ws.write_string(0, 0, labels.IDENTITY_HEADING[0])
    ws.write_string(0, 1, labels.IDENTITY_HEADING[1])
    for r, key in enumerate(IDENTITY_KEYS, start=1):
        ws.write_string(r, 0, key)
        _write_value(ws, r, 1, values[key], None)
    sheet = labels.SHEET["identity"]
    for i, (name, values_) in enumerate(u.lists().items()):
        c = IDENTITY_LIST_FIRST_COLUMN + i
        ws.write_string(0, c, labels.LIST_NAMES[name])
        for r, v in enumerate(values_, start=1):
            ws.write_string(r, c, v)
        if values_:
            col = xl_col_to_name(c)
            book.wb.define_name(list_range_name(name), f"='{sheet}'!${col}$2:${col}${len(values_) + 1}")
    ws.hide()
    ws.protect("")


LINE_HEIGHT = 15


def _row_height(sheet: Sheet, row: dict, fields: list[Field]) -> float | None:
    """A row height that shows the pre-filled text whole.

    Not every client grows a row for wrapped text on its own (LibreOffice does not), so
    the writer estimates the lines from the text length and the column width; a long
    answer's cell gets room for three lines.
    """
    lines = 1
    for col, field in zip(sheet.columns, fields):
        if col.input and isinstance(field, LongText) and field is not col.field:
            lines = max(lines, 3)
        value = row.get(col.key)
        if col.hidden or not isinstance(value, str) or not col.field.wrap:
            continue
        per_line = max(1.0, col.width * 1.1)
        lines = max(lines, -(-len(value) // int(per_line)))
    return LINE_HEIGHT * lines if lines > 1 else None


def _shorten(text: str, limit: int) -> str:
    """Cut at a word boundary to fit one of Excel's length limits."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _q(value: str) -> str:
    """Quote a text for use inside an Excel formula string literal."""
    return value.replace('"', '""')


# The printed footer: the section's name, the sheet's name, page of pages.
FOOTER = "&L{}&C&A&R&P / &N"


def footer(section_name: str) -> str:
    """The footer text, the name shortened with "…" if the whole would pass Excel's 255."""
    return xmltext.header_footer(FOOTER, section_name)


def section_workbook_bytes(unit: Unit, section: Section, generated_at: dt.datetime,
                           schema: Schema | None = None) -> bytes:
    """The xlsx bytes of one section's workbook, written directly by xlsxwriter."""
    return SectionWorkbook(unit, section, generated_at, schema=schema).build()


# --------------------------------------------------------------------------- templates
#
# Sections of one unit differ only in a few strings (the section's name, id, leader and
# VO) and in which årshjul activities concern them. So the workbook is built once per
# distinct wheel with placeholder strings, and each section's copy is that package with
# the placeholders replaced in the few parts that hold them: five times faster than
# building every workbook, for the same content (a test compares the two ways).

_PLACEHOLDER = {
    "id": "\u27e6hmsxl:id\u27e7",
    "name": "\u27e6hmsxl:name\u27e7",
    "leader": "\u27e6hmsxl:leader\u27e7",
    "vo": "\u27e6hmsxl:vo\u27e7",
}


_TOKEN = re.compile("\u27e6hmsxl:(id|name|leader|vo)\u27e7")
_TOKEN_START = "\u27e6hmsxl:".encode()
# A shared string holding a placeholder, and any other element text holding one.
_SI_WITH_TOKEN = re.compile(rb'<si><t(?: xml:space="preserve")?>([^<]*' + re.escape(_TOKEN_START) + rb"[^<]*)</t></si>")
_TEXT_WITH_TOKEN = re.compile(rb">([^<]*" + re.escape(_TOKEN_START) + rb"[^<]*)<")
_SI_TEXT = re.compile(rb"<si><t[^>]*>([^<]*)</t></si>")


class _Template:
    """One unit's workbook with placeholders, as (zip member info, bytes) pairs.

    Each part that holds a placeholder is kept as pieces: bytes to copy, and the text
    (a Python string) of each element that holds a placeholder. A section's copy fills
    the placeholders in those texts and writes them through `xmltext`, the same rules
    XlsxWriter follows, so the copy is what building the section's workbook would give.
    """

    def __init__(self, unit: Unit, occurrences, has_vo: bool, generated_at: dt.datetime, fill=None,
                 schema: Schema | None = None, language: str = "", carried: bool = False):
        self.build_args = (unit, generated_at, occurrences, fill, schema, carried)
        placeholder = Section(
            id=_PLACEHOLDER["id"], name=_PLACEHOLDER["name"], leader=_PLACEHOLDER["leader"],
            email="placeholder@example.org", vo=_PLACEHOLDER["vo"] if has_vo else "", language=language,
        )
        data = SectionWorkbook(unit, placeholder, generated_at, occurrences, fill, schema, carried).build()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.members = [(info, z.read(info)) for info in z.infolist()]
        self.pieces: dict[str, list] = {}
        self.fixed_strings: set[str] = set()
        for info, body in self.members:
            if _TOKEN_START not in body:
                continue
            name = info.filename
            if name == "xl/sharedStrings.xml":
                kind, pattern = "si", _SI_WITH_TOKEN
                self.fixed_strings = {xmltext.unescape(m.decode()) for m in _SI_TEXT.findall(body)
                                      if _TOKEN_START not in m}
            else:
                # In a worksheet part a section string can only be in the footer.
                kind, pattern = ("footer" if name.startswith("xl/worksheets/") else "text"), _TEXT_WITH_TOKEN
            pieces = []
            at = 0
            for m in pattern.finditer(body):
                text = xmltext.unescape(m.group(1).decode())
                if kind == "footer" and text != footer(_PLACEHOLDER["name"]):
                    raise AssertionError(f"unexpected placeholder in {name}: {text!r}")
                pieces.append(body[at:m.start(1) if kind != "si" else m.start()])
                pieces.append((kind, text))
                at = m.end(1) if kind != "si" else m.end()
            pieces.append(body[at:])
            if any(_TOKEN_START in piece for piece in pieces if isinstance(piece, bytes)):
                raise AssertionError(f"a placeholder in {name} outside element text")
            self.pieces[name] = pieces

    def render(self, section: Section) -> bytes:
        values = {"id": section.id, "name": section.name, "leader": section.leader, "vo": section.vo}

        def fill(text: str) -> str:
            return _TOKEN.sub(lambda m: values[m.group(1)], text)

        strings = [fill(p[1]) for p in self.pieces.get("xl/sharedStrings.xml", ()) if isinstance(p, tuple)]
        if len(set(strings)) < len(strings) or not self.fixed_strings.isdisjoint(strings):
            # Two strings became one: the shared-string table must hold it once, and the
            # cells that use it must say so. Rare (a leader named like the section, a name
            # equal to a list value): build this workbook directly.
            unit, generated_at, occurrences, fill_values, schema, carried = self.build_args
            return SectionWorkbook(unit, section, generated_at, occurrences, fill_values, schema, carried).build()
        rendered = {
            "si": lambda text: xmltext.si(fill(text)),
            "text": lambda text: xmltext.escape(fill(text)),
            "footer": lambda text: xmltext.escape(footer(section.name)),
        }
        buf = io.BytesIO()
        # Compressing is most of the time a copy takes; the fastest level costs a tenth in size.
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as out:
            for info, body in self.members:
                pieces = self.pieces.get(info.filename)
                if pieces is not None:
                    body = b"".join(p if isinstance(p, bytes) else rendered[p[0]](p[1]).encode() for p in pieces)
                out.writestr(info, body, compresslevel=1)
        return buf.getvalue()


_templates: dict = {}


def _templated_bytes(unit: Unit, section: Section, generated_at: dt.datetime, fill=None,
                     schema: Schema | None = None, carried: bool = False) -> bytes:
    language = unit.language_of(section)
    with labels.language(language):  # the activities' names are the section's language's
        occurrences = year_occurrences(unit, section.id)
    fill_key = json.dumps(fill, sort_keys=True, default=str) if fill else ""
    key = (id(unit), id(schema), generated_at, tuple(o.key for o in occurrences), bool(section.vo), fill_key,
           language, carried)
    cached = _templates.get(key)
    # The unit and schema are kept with their template so that their ids are not reused.
    if cached is None or cached[0] is not unit or cached[1] is not schema:
        if len(_templates) > 64:
            _templates.clear()
        template = _Template(unit, occurrences, bool(section.vo), generated_at, fill, schema, language, carried)
        cached = _templates[key] = (unit, schema, template)
    return cached[2].render(section)


# Below this many workbooks a process pool costs more than it saves.
PARALLEL_MIN = 24


def workbook_name(unit: Unit, section_id: str) -> str:
    return f"{unit.year}-{section_id}.xlsx"


def workbook_paths(config, out_dir="workbooks", sections=None) -> list[Path]:
    """The files `generate` writes, with the same arguments."""
    return _targets(unit_arg(config), Path(out_dir), sections)[1]


def _targets(unit: Unit, out_dir: Path, sections) -> tuple[list[str], list[Path]]:
    if isinstance(sections, str):  # one section id given alone
        sections = [sections]
    wanted = list(dict.fromkeys(sections or [s.id for s in unit.sections]))
    for sid in wanted:
        unit.section(sid)  # raises ConfigError for an unknown id
    return wanted, [out_dir / workbook_name(unit, sid) for sid in wanted]


_worker_args: tuple = ()


def _init_worker(unit: Unit, schema: Schema) -> None:
    # The unit is sent once per worker process, not once per workbook: with a thousand
    # sections, pickling it per job would cost more than writing the workbooks.
    global _worker_args
    _worker_args = (unit, schema)


def _write_one(job, args: tuple = ()) -> str:
    section_id, target, generated_at, fill, carried = job
    unit, schema = args or _worker_args
    atomic_write_bytes(target, _templated_bytes(unit, unit.section(section_id), generated_at, fill, schema, carried))
    return target


def generate(config, out_dir="workbooks", sections=None, force=False, generated_at=None,
             workers=None, fills: dict | None = None, schema: Schema | None = None, carried: bool = False) -> list[Path]:
    """Write one workbook per section (or per id in `sections`) into `out_dir`.

    `config` is a `Unit` or a path to unit.toml. Refuses to overwrite any existing file
    unless `force`; then nothing is written at all. Returns the paths written, in
    section order. `generated_at` (default: now) is recorded in each workbook's identity.
    `fills` maps section ids to values to pre-fill (see `SectionWorkbook`), e.g. the
    actions carried over from last year; `carried` says they are (the workbooks' own, so
    that one returned untouched is no answer), not a leader's answers filled in.
    """
    unit = unit_arg(config)
    check_unit(unit)  # a Unit built in Python is held to the rules unit.toml is
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputExistsError(labels.ERRORS["is_file"].format(path=out_dir))
    wanted, targets = _targets(unit, out_dir, sections)
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        names = ", ".join(t.name for t in existing[:5]) + (" …" if len(existing) > 5 else "")
        raise OutputExistsError(labels.current().plural("errors", "workbooks_exist", len(existing), folder=out_dir,
                                                        names=names))
    out_dir.mkdir(parents=True, exist_ok=True)
    if generated_at is None:
        generated_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    fills = fills or {}
    jobs = [(sid, str(t), generated_at, fills.get(sid), carried) for sid, t in zip(wanted, targets)]
    if workers is None:
        workers = os.cpu_count() or 1
    if workers > 1 and len(jobs) >= PARALLEL_MIN:
        chunk = max(1, len(jobs) // (workers * 8))
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(unit, schema)) as pool:
            list(pool.map(_write_one, jobs, chunksize=chunk))
    else:
        for job in jobs:
            _write_one(job, (unit, schema))
    return targets



