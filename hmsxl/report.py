"""Writes the consolidated LAMU report (xlsxwriter) and its CSV export.

Every consolidated table is rendered from its columns' spec (`schema.TableColumn`: label,
width, kind), the same spec the CSV export follows, so a column added to a sheet's schema
appears in both without code here. Only the pivots are written by hand: Oversikt, the
årshjul grid, the God BHT profile and the Årsrapport side by side.

Every text from a returned file is written as a string, never as a formula; the same
inputs give byte-identical output (no wall-clock time is written).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import os
import re
import stat
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from . import colours, labels, xmltext
from .fields import as_text
from .consolidation import OVERDUE_KEYS
from .fileio import atomic_write_bytes, atomic_write_files
from .meaning import Meaning
from .sheetrows import is_missing as _is_missing, rows_xml
from .problems import problem, text_cut
from .safety import EXCEL_COLUMNS, EXCEL_ROWS
from .schema import ALL_SHEETS, MISSING_TABLE, OVERVIEW_TABLE, PROBLEMS_TABLE, SOURCES_TABLE, TableColumn

R, C, S = labels.section("REPORT"), labels.section("REPORT_COLUMNS"), labels.section("REPORT_SHEETS")
PRINT_WIDTH = 170  # column widths (characters) an A4 landscape page shows at a size still read
HEADER_ROW = 3  # 0-based: a table's header, under its title and subtitle
NOTE_ROW = 2  # 0-based: why a table is cut, between the subtitle and the header
KINDS = ("text", "plain", "date", "num", "dec")  # the styles of table cells ("bool" and "auto" map onto them)


def _godbht_dims():
    """God BHT's two dimensions: (key suffix, name in the chart, short name in column headers)."""
    t = labels.TEXT
    return (("bht", t["godbht_series_bht"], t["godbht_short_bht"]), ("org", t["godbht_series_org"], t["godbht_short_org"]))


def _value(value):
    """A DataFrame cell as a plain Python value (NaN and NaT as None)."""
    return None if _is_missing(value) else value


def _rows(frame, columns: list[TableColumn]) -> list[tuple]:
    """The rows of `frame` in the order of `columns`, a yes/no column as Ja/Nei (column by
    column, then zipped: faster than to_dict("records") or a loop over the rows)."""
    if not len(frame):
        return []
    values = []
    for c in columns:
        column = frame[c.key].tolist()
        if c.kind == "bool":
            column = [_yes_no(v) for v in column]
        values.append(column)
    return list(zip(*values))


def _cut_problem(sheet: str, cell: str, text: str) -> list:
    return _problem_cells(text_cut(text, sheet=sheet, cell=cell))


def _problem_cells(p) -> list:
    """A problem found while writing the report, as a row of PROBLEMS_TABLE."""
    return list(p.table_row())


def _yes_no(value) -> str | None:
    """Ja/Nei; nothing where nothing is known (a section that did not answer has not said no)."""
    if value is None:
        return None
    return R["yes"] if value else R["no"]


class _Styles:
    """The report's formats, made once."""

    def __init__(self, wb):
        base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        cell = {**base, "border": 1, "border_color": colours.BORDER}
        self.title = wb.add_format({**base, "bold": True, "font_size": 15, "font_color": colours.HEADER})
        self.sub = wb.add_format({**base, "italic": True, "font_color": colours.INTRO_FONT})
        self.header = wb.add_format({**base, "bold": True, "text_wrap": True, "font_color": colours.HEADER_FONT,
                                     "bg_color": colours.HEADER, "border": 1, "border_color": colours.BORDER})
        self.bold = wb.add_format({**base, "bold": True})
        self.plain = wb.add_format(base)
        self.kinds = {
            "text": wb.add_format({**cell, "text_wrap": True}),
            "plain": wb.add_format(cell),
            "date": wb.add_format({**cell, "num_format": "dd.mm.yyyy"}),
            "num": wb.add_format({**cell, "num_format": "0"}),
            "dec": wb.add_format({**cell, "num_format": "0.00"}),
        }
        self.state = {k: wb.add_format({**cell, "bg_color": v, "text_wrap": True}) for k, v in colours.STATE.items()}
        self.risk = {k: wb.add_format({**cell, "bg_color": v, "align": "center", "num_format": "0"})
                     for k, v in colours.RISK.items()}
        self.fill = {name: wb.add_format({"bg_color": colour}) for name, colour in (
            ("red", colours.RED), ("yellow", colours.YELLOW), ("green", colours.GREEN), ("grey", colours.GREY))}


class _Book:
    """The report's workbook: its formats, table sheets written by their columns' spec, the
    bulk rows, and the texts cut to fit a cell."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buf, {
            "in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "default_date_format": "dd.mm.yyyy",
        })
        self.f = _Styles(self.wb)
        self.bulk = _BulkRows()
        self.cuts: list[list] = []  # problems for texts cut outside the tables (rows of PROBLEMS_TABLE)
        self.notes: dict[str, str] = {}  # sheet name -> why its table is cut, shown above the table

    def text(self, ws, row: int, col: int, text: str, fmt):
        """A leader's text in a pivot cell, cut with a visible mark (and listed) past Excel's limit."""
        fitted = xmltext.fit(text, xmltext.CELL_MAX, R["cut_mark"])
        if fitted is not text:
            self.cuts.append(_cut_problem(ws.name, f"{xl_col_to_name(col)}{row + 1}", text))
        ws.write_string(row, col, fitted, fmt)

    # -- what fits in a sheet ------------------------------------------------------------------

    def fit_rows(self, name: str, rows: list, first: int, below: int = 0) -> list:
        """As many of `rows` as fit in a sheet from 0-based row `first` on, leaving `below`
        rows free under them. A cut is noted on the sheet and in Problemer."""
        room = EXCEL_ROWS - first - below
        if len(rows) <= room:
            return rows
        self._cut(name, "table_rows_cut", count=len(rows), shown=room)
        return rows[:room]

    def fit_columns(self, name: str, columns: list, first: int) -> list:
        """As many of `columns` as fit in a sheet from 0-based column `first` on; a cut is noted."""
        room = EXCEL_COLUMNS - first
        if len(columns) <= room:
            return columns
        self._cut(name, "table_columns_cut", count=first + len(columns), shown=EXCEL_COLUMNS)
        return columns[:room]

    def _cut(self, name: str, code: str, **params):
        p = problem(code, sheet=name, cell=f"A{NOTE_ROW + 1}", **params)
        self.notes[name] = p.message
        self.cuts.append(_problem_cells(p))

    def note(self, ws):
        """Why the sheet's table is cut, if it is: above the table, where it is seen."""
        if ws.name in self.notes:
            ws.write_string(NOTE_ROW, 0, self.notes[ws.name], self.f.bold)

    # -- the table machinery ----------------------------------------------------------------

    def table(self, name, title, columns: list[TableColumn], rows: list[list], subtitle="", excel_table=False,
              first_col=0):
        """A sheet with a title, a header and rows, each cell formatted by its column's kind;
        the rows that do not fit in a sheet are left out, and that is noted."""
        ws = self.wb.add_worksheet(name)
        self.text(ws, 0, 0, title, self.f.title)
        if subtitle:
            self.text(ws, 1, 0, subtitle, self.f.sub)
        hr = HEADER_ROW
        rows = self.fit_rows(name, rows, hr + 1)
        self.note(ws)
        # Wide enough for the header's longest word, tall enough for all of it.
        lines = 3
        for c, col in enumerate(columns):
            label = col.label
            width = max(col.width, 1.1 * max((len(w) for w in label.split()), default=0) + 1)
            lines = max(lines, -(-int(1.1 * len(label)) // int(width)))
            ws.set_column(c, c, width)
        if excel_table and rows:
            ws.add_table(hr, 0, hr + 1, len(columns) - 1, {
                "name": re.sub(r"\W", "_", name), "style": "Table Style Light 9",
                "columns": [{"header": col.label, "header_format": self.f.header} for col in columns],
            })
            self.bulk.widen_table(hr, len(columns), len(rows))
        else:
            for c, col in enumerate(columns):
                self.text(ws, hr, c, col.label, self.f.header)
            if rows:
                ws.autofilter(hr, 0, hr + len(rows), len(columns) - 1)
        if rows:
            self.bulk.add(len(self.wb.worksheets()), ws, hr + 1, rows, columns, self.f)
        self.highlight(ws, hr, columns, len(rows))
        ws.freeze_panes(hr + 1, first_col)
        ws.set_row(hr, 15 * min(lines, 8))
        self.print_setup(ws, hr, sum(c.width for c in columns), first_col)
        return ws, hr

    @staticmethod
    def print_setup(ws, header_row, width: float = 0, first_col: int = 0):
        """A4 landscape, the header on every page; as many pages wide as the table needs to
        be read (up to three: the joint action plan), the columns that say whose a row is
        on each."""
        ws.set_landscape()
        ws.set_paper(9)  # A4
        pages = min(3, max(1, math.ceil(width / PRINT_WIDTH)))
        ws.fit_to_pages(pages, 0)
        ws.repeat_rows(header_row)
        if pages > 1 and first_col:
            ws.repeat_columns(0, first_col - 1)

    def highlight(self, ws, hr, columns, n):
        """Colours by a column's meaning, wherever that column is: (key, kind) -> [(criteria, value, fill)]."""
        if not n:
            return
        fill = self.f.fill
        rules = {
            ("overdue", "bool"): [("==", f'"{R["yes"]}"', "red")],
            ("overdue", "num"): [(">", 0, "red")],
            ("answered", "bool"): [("==", f'"{R["no"]}"', "red")],
            ("state", "text"): [("==", f'"{R[k]}"', c) for k, c in (
                ("wheel_done", "green"), ("wheel_overdue", "red"), ("wheel_open", "yellow"), ("wheel_na", "grey"))],
            ("risk_level", "text"): [("==", f'"{R[k]}"', c) for k, c in (
                ("risk_high", "red"), ("risk_medium", "yellow"), ("risk_low", "green"))],
            ("finding_overdue", "bool"): [("==", f'"{R["yes"]}"', "red")],
            ("severity", "plain"): [("==", f'"{labels.SEVERITY[k]}"', c) for k, c in (("error", "red"),
                                                                                       ("warning", "yellow"))],
        }
        for c, col in enumerate(columns):
            for criteria, value, colour in rules.get((col.key, col.kind), ()):
                ws.conditional_format(hr + 1, c, hr + n, c, {"type": "cell", "criteria": criteria, "value": value,
                                                             "format": fill[colour]})
            if col.key == "original":  # a value the reader corrected: the leader's words are here
                ws.conditional_format(hr + 1, c, hr + n, c, {"type": "no_blanks", "format": fill["yellow"]})

    def cut_cells(self) -> list[list]:
        """The table cells so far whose text is longer than a cell holds, as problems (rows of
        PROBLEMS_TABLE): the rows are written cut, with a visible mark (sheetrows)."""
        out = list(self.cuts)
        for number, (first, rows, _, _) in self.bulk.sheets.items():
            longest = max(map(len, filter(str.__instancecheck__, itertools.chain.from_iterable(rows))), default=0)
            if longest <= xmltext.CELL_MAX // 2:  # fits whatever the characters: the usual case, checked in C
                continue
            sheet = self.wb.worksheets()[number - 1].name
            for i, row in enumerate(rows):
                for c, v in enumerate(row):
                    if v.__class__ is str and len(v) > xmltext.CELL_MAX // 2 and xmltext.fit(v) is not v:
                        out.append(_cut_problem(sheet, f"{xl_col_to_name(c)}{first + i + 1}", v))
        return out


# --------------------------------------------------------------------------- sheets
#
# Each sheet of the report is a function of the workbook, the consolidation and, for the
# sheets that come from a schema sheet, that sheet. Tables are written from their
# columns' spec; the overview and the pivots are written by hand.


def _table_sheet(book: _Book, r, sheet):
    """A schema sheet's consolidated table: every row of every section that answered."""
    columns = [c for c in sheet.table_columns if c.in_xlsx]
    rows = _rows(r.tables[sheet.key], columns)
    name = S.get(f"{sheet.key}_table", sheet.name)
    title = R.get(f"{sheet.key}_table_title", name)
    book.table(name, title, columns, rows, excel_table=True, first_col=3)


def _overdue_sheet(book: _Book, r, sheet):
    spec = {c.key: c for c in sheet.table_columns}
    columns = [spec[k] for k in OVERDUE_KEYS]
    book.table(S["overdue"], R["overdue_title"], columns, _rows(r.overdue, columns))


def _problems_sheet(book: _Book, r):
    """Every problem, worst first, then by file and sheet."""
    order = {"error": 0, "warning": 1, "info": 2}
    rows = _rows(r.problems, PROBLEMS_TABLE) + [tuple(row) for row in book.cut_cells()]
    rows.sort(key=lambda x: (order.get(x[0], 3), x[1], x[3]))
    # A problem's own text longer than a cell (the leader's words past those listed, a sheet
    # of their own) is cut in its row too: said below, where the rows stay where they are.
    rows += [_cut_problem(S["problems"], f"{xl_col_to_name(c)}{HEADER_ROW + 2 + i}", v)
             for i, row in enumerate(rows) for c, v in enumerate(row)
             if v.__class__ is str and len(v) > xmltext.CELL_MAX // 2 and xmltext.fit(v) is not v]
    shown = {k: labels.SEVERITY.get(k, k) for k in {row[0] for row in rows}}
    rows = [(shown[row[0]], *row[1:]) for row in rows]
    book.table(S["problems"], R["problems_title"], PROBLEMS_TABLE, rows, first_col=2)  # how bad, and in which file


def _missing_sheet(book: _Book, r):
    rows = _rows(r.missing, MISSING_TABLE)
    note = R["missing_no_config"] if r.unit is None else ("" if rows else R["missing_none"])
    book.table(S["missing"], R["missing_title"], MISSING_TABLE, rows, note)


def _sources_sheet(book: _Book, r):
    book.table(S["sources"], R["sources_title"], SOURCES_TABLE, _rows(r.sources, SOURCES_TABLE), first_col=1)


def _title(r) -> str:
    """The unit's name and year: from its config, else as the workbooks used say."""
    return R["title"].format(year=r.year, unit=r.unit_name) if r.unit_name and r.year else R["title_no_unit"]


def _overview_sheet(book: _Book, r):
    rec = r.reconciliation
    title = _title(r)
    sub = labels.current().plural("report", "subtitle", rec["files"], answered=rec["answered"],
                                  sections=rec["sections"], today=r.today.strftime("%d.%m.%Y"))
    if r.unit is not None and r.unit.lamu_meeting:
        meeting = r.unit.lamu_meeting
        said = R["lamu_meeting"] if meeting < r.today else R["lamu_meeting_future"]  # "dealt with" or "to be"
        sub += " " + said.format(date=meeting.strftime("%d.%m.%Y"))
    ov = r.overview
    levels = int(ov["godbht_levels"].max()) if len(ov) else 0
    present = {s.key for s in r.schema.sheets} | {""}
    columns = [TableColumn(c.key, R["godbht_filled_of"].format(n=levels), c.width, c.kind)
               if c.key == "godbht_filled" else c for c in OVERVIEW_TABLE if c.needs in present and c.in_xlsx]
    rows = _rows(ov, columns)  # a section that did not answer has no counts, not zeros
    # Room under the table for the reconciliation: a heading, a header and a row per sheet.
    rows = book.fit_rows(S["overview"], rows, HEADER_ROW + 1, below=len(r.schema.sheets) + 4)
    ws, hr = book.table(S["overview"], title, columns, rows, sub, first_col=2)
    at = hr + len(rows) + 3
    ws.write_string(at, 1, R["reconciliation"], book.f.bold)
    for c, text in enumerate((R["table"], R["rows_read"], R["rows_reported"], R["rows_rejected"]), start=1):
        ws.write_string(at + 1, c, text, book.f.header)
    ws.set_row(at + 1, 45)
    for i, sheet in enumerate(r.schema.sheets, start=at + 2):
        t = rec["tables"][sheet.key]
        ws.write_string(i, 1, sheet.name, book.f.kinds["plain"])
        for c, key in enumerate(("read", "reported", "rejected"), start=2):
            ws.write_number(i, c, t[key], book.f.kinds["num"])
        ok = t["read"] == t["reported"] + t["rejected"]
        ws.write_string(i, 5, R["balanced"] if ok else R["not_balanced"], book.f.bold)
    ws.activate()

def _grid(book: _Book, name: str, title: str, legend: str, frame, name_key: str, cell):
    """Section x keyed row (an årshjul activity, a brannvernrunde): a row per section, a
    column per key, each cell `cell(row) -> (text, state)` coloured by its state."""
    ws = book.wb.add_worksheet(name)
    ws.write_string(0, 0, title, book.f.title)
    ws.write_string(1, 0, legend, book.f.sub)
    records = [dict(zip(frame.columns, values)) for values in zip(*(frame[c].tolist() for c in frame.columns))]
    hr = HEADER_ROW
    # A key per column, a section per row: as many as fit in a sheet (the rest is in the table).
    keys = book.fit_columns(ws.name, list(dict.fromkeys(row["key"] for row in records)), 1)
    names = {row["key"]: row[name_key] for row in records}
    # Keyed by id: two sections may share a name (without unit.toml, each file names its own).
    sections = book.fit_rows(ws.name, list(dict.fromkeys((row["section_id"], row["section"]) for row in records)),
                             hr + 1)
    book.note(ws)
    ws.set_column(0, 0, 26)
    ws.set_column(1, max(1, len(keys)), 16)
    ws.write_string(hr, 0, C["section"], book.f.header)
    for c, key in enumerate(keys, start=1):
        book.text(ws, hr, c, as_text(names.get(key) or key), book.f.header)
    ws.set_row(hr, 45)
    cells = {(row["section_id"], row["key"]): row for row in records}
    for i, (sid, section) in enumerate(sections, start=hr + 1):
        ws.set_row(i, 45)  # room for the state, its date and the leader's own word
        book.text(ws, i, 0, as_text(section), book.f.kinds["text"])
        for c, key in enumerate(keys, start=1):
            row = cells.get((sid, key))
            if row is not None:
                text, state = cell(row)
                book.text(ws, i, c, text, book.f.state[state])
    ws.freeze_panes(hr + 1, 1)
    book.print_setup(ws, hr)


def _wheel_sheet(book: _Book, r, sheet):
    """Section x activity: done (with its date), overdue, open, not applicable."""
    known = set(r.lists.get("wheel_statuses", ()))
    kind_of = {R["wheel_done"]: "done", R["wheel_overdue"]: "overdue", R["wheel_open"]: "open",
               R["wheel_na"]: "na"}

    def cell(row):
        text = row["state"]
        done = _value(row["done_date"])
        if text == R["wheel_done"] and isinstance(done, dt.date):
            text += f" {done.strftime('%d.%m.%Y')}"
        status = _value(row["status"])
        if status and status not in known:  # the leader's own word stays visible
            text += "\n" + labels.quote(as_text(status))
        return text, kind_of.get(row["state"], "open")

    _grid(book, S["wheel"], R["wheel_title"], R["wheel_legend"], r.wheel, "activity", cell)


def _fire_sheet(book: _Book, r, sheet):
    """Section x brannvernrunde: done (its date, and any deviations, reported or not),
    missing (past its deadline without a date), or not yet done."""
    # Yes as each workbook's language says it: a report in English still reads "Ja".
    yes = {(r.lists.get("yes_no") or labels.YES_NO)[0]} | {cat.YES_NO[0] for cat in labels.all_catalogs()}

    def cell(row):
        date, due = _value(row["date"]), _value(row["due"])
        if Meaning.round_done({"date": date, "due": due}):
            text, state = f"{R['fire_done']} {date.strftime('%d.%m.%Y')}", "done"
            if _value(row["deviations"]) in yes:
                said = R["fire_reported"] if _value(row["reported"]) in yes else R["fire_not_reported"]
                text += f"\n{R['fire_deviations']}, {said}"
            return text, state
        if isinstance(due, dt.date) and due < r.today:
            text, state = R["fire_missing"], "overdue"
        else:
            text, state = R["fire_open"], "open"
        if isinstance(date, dt.date):  # dated in another year (the reader says so): shown as written
            text += f"\n{date.strftime('%d.%m.%Y')}"
        return text, state

    _grid(book, S["fire_rounds"], R["fire_title"], R["fire_legend"], r.tables[sheet.key], "round", cell)


def _risk_matrix_sheet(book: _Book, r, sheet):
    """The unit's open findings on the 5 x 5 scale: how many in each cell, coloured by the
    risk (probability x consequence) that cell stands for."""
    f = r.tables[sheet.key]
    medium, high = r.risk
    counts: dict = {}
    unplaced = 0  # open findings without a valid probability and consequence: said under the grid
    for p, c, is_open in zip(f["probability"], f["consequence"], f["finding_open"]):
        if is_open and isinstance(p, int) and isinstance(c, int) and 1 <= p <= 5 and 1 <= c <= 5:
            counts[p, c] = counts.get((p, c), 0) + 1
        elif is_open:
            unplaced += 1
    ws = book.wb.add_worksheet(S["risk_matrix"])
    ws.write_string(0, 0, R["risk_matrix_title"], book.f.title)
    ws.write_string(1, 0, R["risk_matrix_legend"].format(medium=medium, below_high=high - 1, high=high), book.f.sub)
    hr = HEADER_ROW
    ws.set_column(0, 0, 18)
    ws.set_column(1, 5, 12)
    ws.write_string(hr, 0, f"{R['probability']} \\ {R['consequence']}", book.f.header)
    for c in range(1, 6):
        ws.write_number(hr, c, c, book.f.header)
    ws.set_row(hr, 30)
    meaning = Meaning(r.today, risk=(medium, high))
    for i, p in enumerate(range(5, 0, -1), start=hr + 1):  # the most likely on top
        ws.write_number(i, 0, p, book.f.header)
        ws.set_row(i, 30)
        for c in range(1, 6):
            n = counts.get((p, c))
            fmt = book.f.risk[meaning.risk_level(p * c)]
            if n:
                ws.write_number(i, c, n, fmt)
            else:
                ws.write_blank(i, c, None, fmt)
    if unplaced:
        ws.write_string(hr + 7, 0, labels.current().plural("report", "risk_matrix_unplaced", unplaced,
                                                            sheet=S["safety_round_table"]), book.f.bold)
    book.print_setup(ws, hr)


def _godbht_sheet(book: _Book, r, sheet):
    """The unit's profile per element; means unrounded until the number format shows them."""
    g = r.godbht
    cols = [TableColumn("number", C["number"], 5, "num"), TableColumn("group", C["group"], 18, "text"),
            TableColumn("element", C["element"], 30, "text")]
    for dim, _, short in _godbht_dims():
        cols += [TableColumn(f"mean_{dim}", f"{C['mean']} {short}", 10, "dec"),
                 TableColumn(f"min_{dim}", f"{C['min']} {short}", 9, "num"),
                 TableColumn(f"max_{dim}", f"{C['max']} {short}", 9, "num"),
                 TableColumn(f"spread_{dim}", f"{C['spread']} {short}", 11, "num"),
                 TableColumn(f"n_{dim}", f"{C['n']} {short}", 10, "num")]
    cols.append(TableColumn("gap", C["gap"], 10, "dec"))
    rows = _rows(g, cols)
    ws, hr = book.table(S["godbht"], R["godbht_title"], cols, rows)
    first, last = hr + 1, hr + len(rows)
    records = [dict(zip([c.key for c in cols], row)) for row in rows]
    at, col = last + 3, 3
    if rows:
        chart = book.wb.add_chart({"type": "bar"})
        sheet = S["godbht"].replace("'", "''")
        for (dim, name, _), colour in zip(_godbht_dims(), colours.SERIES):
            c = [x.key for x in cols].index(f"mean_{dim}")
            chart.add_series({"name": name, "categories": [sheet, first, 2, last, 2],
                              "values": [sheet, first, c, last, c], "fill": {"color": colour}, "gap": 60})
        chart.set_title({"name": R["godbht_chart"]})
        chart.set_x_axis({"min": 0, "max": 4, "major_unit": 1})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 520})
        ws.insert_chart(at, 0, chart)
        col = 9

    def mean_of(e):
        values = [_value(e[f"mean_{dim}"]) for dim, _, _ in _godbht_dims()]
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    scored = [(mean_of(e), e) for e in records if mean_of(e) is not None]
    ws.write_string(at, col, R["godbht_weakest"], book.f.bold)
    for i, (mean, e) in enumerate(sorted(scored, key=lambda x: (x[0], x[1]["number"]))[:5], start=1):
        ws.write_string(at + i, col, f"{e['number']}. {e['element']}", book.f.plain)
        ws.write_number(at + i, col + 3, mean, book.f.kinds["dec"])
    at += 8
    ws.write_string(at, col, R["godbht_gaps"], book.f.bold)
    gaps = [e for e in records if _value(e["gap"]) is not None]
    for i, e in enumerate(sorted(gaps, key=lambda e: (-abs(e["gap"]), e["number"]))[:5], start=1):
        ws.write_string(at + i, col, f"{e['number']}. {e['element']}", book.f.plain)
        ws.write_number(at + i, col + 3, e["gap"], book.f.kinds["dec"])

def _items_sheet(book: _Book, r, sheet):
    """A form sheet's answers side by side (the year report, the arbejdsmiljødrøftelse): for
    each question the typed answers and their total, then a row for each other column a
    leader wrote in (comment, ...) and for the leader's own words where an answer was
    corrected."""
    a = r.tables[sheet.key]
    # A section per column after the three of the question: as many as fit in a sheet.
    sections = book.fit_columns(S[sheet.key], list(dict.fromkeys(zip(a["section_id"], a["section"]))), 3)
    main = [c for c in sheet.input_columns if c.key in sheet.per_row_keys]
    others = [c for c in sheet.input_columns if c.key not in sheet.per_row_keys]
    keys = [c.key for c in main + others] + ["original"]
    by = {(sid, key): values for sid, key, *values in zip(a["section_id"], a["key"], *(a[k] for k in keys))}
    cols = [TableColumn("part", C["part"], 22, "text"), TableColumn("question", C["question"], 40, "text"),
            TableColumn("total", C["total"], 16, "auto")]
    cols += [TableColumn(sid, as_text(name), 30, "auto") for sid, name in sections]
    rows = []
    for it in sheet.items:
        cells = [[_value(v) for v in by.get((sid, it.key), (None,) * len(keys))] for sid, _ in sections]
        for i, col in enumerate(main + others):
            values = [c[i] for c in cells]
            if col in main:
                rows.append([it.part, it.question, it.field.summarize(values), *values])
            elif any(v is not None for v in values):
                rows.append([it.part, col.label, None, *values])
        words = [c[-1] for c in cells]
        if any(words):
            rows.append([it.part, C["original"], None, *words])
    book.table(S[sheet.key], R[f"{sheet.key}_title"], cols, rows, first_col=3)

# What each schema sheet becomes in the report, in order; any other sheet: its table.
PARTS = {"actions": (_table_sheet, _overdue_sheet), "wheel": (_wheel_sheet, _table_sheet),
         "safety_round": (_table_sheet, _risk_matrix_sheet), "fire_rounds": (_fire_sheet, _table_sheet),
         "godbht": (_godbht_sheet, _table_sheet)}


def _parts(sheet):
    """What a schema sheet becomes in the report: its pivot, its table, or both. A form
    sheet (one with questions) is shown side by side; any other sheet as its table."""
    return PARTS.get(sheet.key) or ((_items_sheet,) if sheet.items else (_table_sheet,))


def build_report(result) -> bytes:
    """The report's xlsx bytes: the overview, each schema sheet's parts, the lists of problems,
    missing sections and sources."""
    book = _Book()
    _overview_sheet(book, result)
    for sheet in result.schema.sheets:
        for part in _parts(sheet):
            part(book, result, sheet)
    for part in (_problems_sheet, _missing_sheet, _sources_sheet):
        part(book, result)
    # Printed (and as PDF): each page names the report, its sheet and its number.
    footer = xmltext.header_footer("&L{}&C&A&R" + R["page_footer"], _title(result), R["cut_mark"])
    for ws in book.wb.worksheets():
        ws.set_footer(footer)
    unit = result.unit
    book.wb.set_properties({
        "title": _title(result),
        "author": unit.advisor.name if unit else "", "company": unit.name if unit else "",
        # No wall-clock time: the same inputs give the same bytes.
        "created": dt.datetime(unit.year if unit else result.today.year, 1, 1),
    })
    book.wb.close()
    return book.bulk.finish(book.buf.getvalue())


# --------------------------------------------------------------------------- bulk rows
#
# xlsxwriter writes some 150,000 cells a second here; a report for a thousand sections has
# over half a million. The table rows are therefore written as sheet XML directly (inline
# strings, the workbook's own styles) and put into the package xlsxwriter made, which
# holds everything else: headers, tables, filters, formats, charts. The style index of
# each kind of cell is read from a probe row that xlsxwriter writes in the first table
# and the bulk rows replace. A test reads the result back with openpyxl and LibreOffice.

_ROW_RE = re.compile(rb'<row r="(\d+)"')
_DIM_RE = re.compile(rb'<dimension ref="([A-Z]+)?\d*:?([A-Z]+)?(\d+)?"/>')
_CELL_STYLE_RE = re.compile(rb'<c r="([A-Z]+)\d+" s="(\d+)"')


class _BulkRows:
    """The table rows of each sheet, merged into xlsxwriter's package after it is written."""

    def __init__(self):
        self.sheets: dict[int, tuple] = {}  # sheet number -> (first row, rows, kinds, widths)
        self.table_refs: dict[str, str] = {}
        self.probe: tuple | None = None  # (sheet number, 0-based row) of the style probe

    def add(self, number: int, ws, first: int, rows: list, columns: list[TableColumn], styles: _Styles):
        self.sheets[number] = (first, rows, [c.kind for c in columns], [c.width for c in columns])
        if self.probe is None:
            # One cell per kind of style, in the row the bulk rows will replace.
            for c, kind in enumerate(KINDS):
                ws.write_blank(first, c, None, styles.kinds[kind])
            self.probe = (number, first)

    def widen_table(self, header_row: int, ncols: int, nrows: int):
        # The table is declared over its first row and widened in the package afterwards:
        # xlsxwriter checks every cell of a table range one by one.
        last = xl_col_to_name(ncols - 1)
        self.table_refs[f"A{header_row + 1}:{last}{header_row + 2}"] = f"A{header_row + 1}:{last}{header_row + 1 + nrows}"

    def styles(self, sheet_xml: bytes) -> dict[str, int]:
        row = self.probe[1] + 1
        m = re.search(rb'<row r="%d"[^>]*>(.*?)</row>' % row, sheet_xml, re.S)
        found = {col.decode(): int(s) for col, s in _CELL_STYLE_RE.findall(m.group(1))} if m else {}
        out = {kind: found.get(xl_col_to_name(c)) for c, kind in enumerate(KINDS)}
        if None in out.values():
            raise RuntimeError("the report's style probe was not written as expected")
        return out

    def finish(self, package: bytes) -> bytes:
        """xlsxwriter's package with the table rows in their sheets: each sheet part is
        written as it streams, its rows rendered (in parallel where it pays) piece by piece."""
        if not self.sheets:
            return package
        src = zipfile.ZipFile(io.BytesIO(package))
        out = io.BytesIO()
        parts = {f"xl/worksheets/sheet{number}.xml": number for number in self.sheets}
        # Large and written once: the fastest compression.
        # A piece is deflated in a thread while the next is rendered: zlib lets go of the
        # interpreter while it works, so the two share the time of two cores.
        with src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst, \
                ThreadPoolExecutor(1) as deflater:
            styles = self.styles(src.read(f"xl/worksheets/sheet{self.probe[0]}.xml"))
            pieces = _render(self.sheets, styles)
            count = Counter(number for number, _, _ in _pieces(self.sheets))
            for info in src.infolist():
                body = src.read(info)
                if info.filename.startswith("xl/tables/"):
                    for short, full in self.table_refs.items():
                        body = body.replace(f'ref="{short}"'.encode(), f'ref="{full}"'.encode())
                number = parts.get(info.filename)
                if number is None:
                    dst.writestr(info, body)
                    continue
                first, rows, kinds, _ = self.sheets[number]
                head, tail = _split_rows(body, first, first + len(rows), len(kinds))
                with dst.open(_deflated(info), "w") as fh:
                    written = deflater.submit(fh.write, head)
                    for piece in itertools.islice(pieces, count[number]):
                        written.result()
                        written = deflater.submit(fh.write, piece)
                    written.result()
                    fh.write(tail)
        return out.getvalue()


def _deflated(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A member like `info` (same name and time: the same inputs give the same bytes),
    compressed at the fastest level: large, and written once."""
    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    out.compress_type = zipfile.ZIP_DEFLATED
    # The level is public as `compress_level` from Python 3.13, `_compresslevel` before.
    setattr(out, "compress_level" if hasattr(out, "compress_level") else "_compresslevel", 1)
    return out


PIECE_ROWS = 2500  # rows rendered and written at a time: the report's XML is never all in memory


def _pieces(sheets: dict) -> list[tuple[int, int, int]]:
    """(sheet number, first row, end row) of each piece of rows, sheets in order."""
    return [(number, start, min(start + PIECE_ROWS, len(rows)))
            for number, (first, rows, kinds, widths) in sorted(sheets.items())
            for start in range(0, len(rows), PIECE_ROWS)]


def _render(sheets: dict, styles: dict):
    """The XML of every piece of rows (bytes), in the order of `_pieces`, made as it is written.

    Not spread over processes: a forked one keeps a copy of every page the parent goes on
    writing to, a started one runs the caller's main module again; either costs more than
    the second core saves."""
    for number, start, end in _pieces(sheets):
        first, rows, kinds, widths = sheets[number]
        yield rows_xml(first + start, rows[start:end], kinds, widths, styles)


def _split_rows(sheet: bytes, first: int, last_row: int, ncols: int) -> tuple[bytes, bytes]:
    """A sheet's XML from xlsxwriter cut where the rows (0-based first..) go, in place of the
    style probe if it is there; the dimension widened to hold them."""
    if b"<sheetData/>" in sheet:
        sheet = sheet.replace(b"<sheetData/>", b"<sheetData></sheetData>")
    at = sheet.index(b"</sheetData>")
    end = at
    for m in _ROW_RE.finditer(sheet):
        number = int(m.group(1))
        if number == first + 1:  # the style probe: replaced by the rows
            at = m.start()
            end = sheet.index(b"</row>", at) + len(b"</row>")
            break
        if number > first + 1:
            at = end = m.start()
            break
    head, tail = sheet[:at], sheet[end:]
    m = _DIM_RE.search(head)
    if m:
        old_last = int(m.group(3)) if m.group(3) else 1
        old_col = m.group(2) or m.group(1) or b"A"
        col = max(old_col.decode(), xl_col_to_name(ncols - 1), key=lambda c: (len(c), c))
        ref = f'<dimension ref="A1:{col}{max(old_last, last_row)}"/>'.encode()
        head = head[:m.start()] + ref + head[m.end():]
    return head, tail


def write_report(result, path) -> Path:
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True)
    return atomic_write_bytes(path, build_report(result))


# --------------------------------------------------------------------------- CSV

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel with Nordic settings splits a .csv at ";", not at ",": a text's ";" starts a cell
# there, and its line break a row (the field it is in is no quoted one there), neither of
# which may start a formula either.
_AFTER_SEMICOLON = re.compile(r'([;\n\r])("*)(?=[=+\-@\t\r])')


def csv_safe(value) -> str:
    """A value for CSV that a spreadsheet will not run as a formula, whether it splits the
    line at "," or at ";"."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if not isinstance(value, str):
        return as_text(value)
    if ";" in value or "\n" in value or "\r" in value:
        value = _AFTER_SEMICOLON.sub(r"\1\2'", value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_tables(result) -> dict[str, tuple[list[str], object]]:
    """Every table of the result as (CSV name, columns, frame): the schema sheets' tables by
    their spec, then the pivots and lists."""
    out = {}
    for sheet in result.schema.sheets:
        out[sheet.key] = ([c.key for c in sheet.table_columns], result.tables[sheet.key])
    # The overdue view and the God BHT profile exist when their sheets do.
    for name in CSV_SUMMARIES:
        frame = getattr(result, "godbht" if name == "godbht_profile" else name)
        if frame is not None:
            out[name] = (list(frame.columns), frame)
    return out


CSV_SUMMARIES = ("overdue", "overview", "godbht_profile", "problems", "missing", "sources")
# Every file an export may hold.
CSV_NAMES = frozenset(f"{name}.csv" for name in (*ALL_SHEETS, *CSV_SUMMARIES))
# What an export wrote, so that the next one removes its files it has not (a unit that
# turned God BHT off), and no file of the same name that hmsxl did not write.
CSV_MANIFEST = ".hmsxl-csv"


def write_csv(result, directory) -> list[Path]:
    """Every table as CSV, written as a set: an interruption leaves the old set or the new."""
    files = {}
    for name, (columns, frame) in csv_tables(result).items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for row in zip(*(frame[c].tolist() for c in columns)) if len(frame) else ():
            w.writerow([csv_safe(v) for v in row])
        files[f"{name}.csv"] = buf.getvalue().encode("utf-8-sig")
    manifest = Path(directory) / CSV_MANIFEST
    earlier = _exported(manifest)
    names = sorted(files)
    if not os.path.lexists(manifest) or manifest.is_file() and not manifest.is_symlink():  # else not ours: let be
        files[CSV_MANIFEST] = "".join(f"{name}\n" for name in names).encode("utf-8")
    replaces = earlier | ({CSV_MANIFEST} if CSV_MANIFEST in files else set())
    return [p for p in atomic_write_files(directory, files, replaces=replaces) if p.name in names]


def _exported(manifest: Path) -> frozenset:
    """The CSV files an earlier export into the folder wrote, as it said; none if it did not
    (or if what is there is no file of ours: a folder, a pipe, a link)."""
    try:
        st = os.lstat(manifest)
        if not stat.S_ISREG(st.st_mode):
            return frozenset()
        with open(manifest, "rb") as fh:
            said = fh.read(4096).decode("utf-8", "replace").splitlines()
    except OSError:
        return frozenset()
    return frozenset(said) & CSV_NAMES
