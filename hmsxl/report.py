"""Writes the consolidated LAMU report (xlsxwriter) and its CSV export.

Every text from a returned file is written as a string, never as a formula; the same
inputs give byte-identical output (no wall-clock time is written).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from . import labels
from .fields import as_text
from .fileio import atomic_write_bytes, atomic_write_files
from .schema import ACTIONS, ANNUAL_ITEMS

R, C, S = labels.REPORT, labels.REPORT_COLUMNS, labels.REPORT_SHEETS
HEADER = "#1F4E79"
FILLS = {"error": "#F4B6B6", "warning": "#FFEB9C", "info": "#DDEBF7", "done": "#C6EFCE", "overdue": "#F4B6B6",
         "open": "#FFEB9C", "na": "#EDEDED"}


def _action_label(key: str) -> str:
    return ACTIONS.column(key).label


def _records(frame) -> list[dict]:
    """A DataFrame's rows as dicts of plain Python values (faster than to_dict("records"))."""
    cols = list(frame.columns)
    return [dict(zip(cols, values)) for values in zip(*(frame[c].tolist() for c in cols))]


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT
    except (TypeError, ValueError):
        return False


class _Report:
    def __init__(self, result):
        self.r = result
        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buf, {
            "in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "default_date_format": "dd.mm.yyyy",
        })
        wb = self.wb
        base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        self.f = {
            "title": wb.add_format({**base, "bold": True, "font_size": 15, "font_color": HEADER}),
            "sub": wb.add_format({**base, "italic": True, "font_color": "#404040"}),
            "header": wb.add_format({**base, "bold": True, "text_wrap": True, "font_color": "#FFFFFF",
                                     "bg_color": HEADER, "border": 1}),
            "text": wb.add_format({**base, "text_wrap": True}),
            "plain": wb.add_format(base),
            "date": wb.add_format({**base, "num_format": "dd.mm.yyyy"}),
            "num": wb.add_format({**base, "num_format": "0"}),
            "dec": wb.add_format({**base, "num_format": "0.00"}),
            "bold": wb.add_format({**base, "bold": True}),
            "wheel": {k: wb.add_format({**base, "bg_color": v, "border": 1, "text_wrap": True})
                      for k, v in FILLS.items()},
        }
        # Table rows are written by _BulkRows straight into the sheet XML; it needs the
        # style index of each format, which xlsxwriter gives out on first use.
        self.bulk: dict[int, tuple] = {}
        self.table_refs: dict[str, str] = {}
        self.styles = {kind: self.f[kind]._get_xf_index() for kind in ("text", "plain", "date", "num", "dec")}

    def table(self, name, title, columns, rows, subtitle="", excel_table=False, first_col=0):
        """A sheet with a title, a header and rows; `columns` is [(label, width, kind)]."""
        ws = self.wb.add_worksheet(name)
        ws.write_string(0, 0, title, self.f["title"])
        if subtitle:
            ws.write_string(1, 0, subtitle, self.f["sub"])
        hr = 3
        for c, (label, width, _) in enumerate(columns):
            ws.set_column(c, c, width)
        if excel_table and rows:
            # The table is declared over its first row and widened in the package afterwards:
            # xlsxwriter checks every cell of a table range one by one.
            full = f"A{hr + 1}:{xl_col_to_name(len(columns) - 1)}{hr + 1 + len(rows)}"
            short = f"A{hr + 1}:{xl_col_to_name(len(columns) - 1)}{hr + 2}"
            self.table_refs[short] = full
            ws.add_table(hr, 0, hr + 1, len(columns) - 1, {
                "name": "Tiltak", "style": "Table Style Light 9",
                "columns": [{"header": label, "header_format": self.f["header"]} for label, _, _ in columns],
            })
        else:
            for c, (label, _, _) in enumerate(columns):
                ws.write_string(hr, c, label, self.f["header"])
            if rows:
                ws.autofilter(hr, 0, hr + len(rows), len(columns) - 1)
        if rows:
            self.bulk[len(self.wb.worksheets())] = (hr + 1, rows, [kind for _, _, kind in columns],
                                                    [width for _, width, _ in columns])
        ws.freeze_panes(hr + 1, first_col)
        ws.set_row(hr, 32)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(hr)
        return ws, hr

    # -- sheets ---------------------------------------------------------------------------

    def overview(self):
        r, rec = self.r, self.r.reconciliation
        unit = r.unit
        title = R["title"].format(year=unit.year, unit=unit.name) if unit else R["title_no_unit"]
        sub = R["subtitle"].format(files=rec["files"], answered=rec["answered"], sections=rec["sections"],
                                   today=r.today.strftime("%d.%m.%Y"))
        cols = [(C["section_id"], 14, "plain"), (C["section"], 28, "text"), (C["leader"], 20, "text"),
                (C["answered"], 8, "plain"), (C["file"], 34, "text"), (C["actions"], 8, "num"),
                (C["done"], 9, "num"), (C["overdue"], 8, "num"), (C["wheel"], 17, "plain"),
                (C["godbht_mean"], 10, "dec"), (C["errors"], 7, "num"), (C["warnings"], 9, "num")]
        rows = [[o.section_id, o.section, o.leader, bool(o.answered), o.file, o.actions, o.done, o.overdue,
                 f"{o.wheel_done} / {o.wheel_due}" if o.answered else "", o.godbht_mean, o.errors, o.warnings]
                for o in r.overview.itertuples()]
        ws, hr = self.table(S["overview"], title, cols, rows, sub)
        no = self.wb.add_format({"bg_color": FILLS["error"]})
        if rows:
            ws.conditional_format(hr + 1, 3, hr + len(rows), 3, {"type": "cell", "criteria": "==",
                                                                  "value": f'"{R["no"]}"', "format": no})
            ws.conditional_format(hr + 1, 7, hr + len(rows), 7, {"type": "cell", "criteria": ">", "value": 0,
                                                                  "format": no})
        at = hr + len(rows) + 3
        ws.write_string(at, 1, R["reconciliation"], self.f["bold"])
        for i, key in enumerate(("rows_read", "rows_reported", "rows_rejected")):
            ws.write_string(at + 1 + i, 1, R[key], self.f["plain"])
            ws.write_number(at + 1 + i, 2, rec[key], self.f["num"])
        ws.write_string(at + 4, 1, R["balanced"] if rec["balanced"] else R["not_balanced"], self.f["bold"])
        ws.activate()

    def actions(self):
        keys = [c.key for c in ACTIONS.columns]
        widths = {"challenge": 34, "purpose": 26, "measure": 34, "comment": 30, "responsible": 18, "category": 18}
        cols = [(C["section"], 22, "text")] + [
            (_action_label(k), widths.get(k, 12), "plain" if k in ("deadline", "next_review", "priority") else "text")
            for k in keys] + [(C["overdue"], 8, "plain"), (C["file"], 30, "text"), (C["source"], 18, "plain")]
        rows = [[a["section"], *[a[k] for k in keys], bool(a["overdue"]), a["file"], a["source"]]
                for a in _records(self.r.actions)]
        ws, hr = self.table(S["actions"], R["actions_title"], cols, rows, excel_table=True, first_col=1)
        if rows:
            d = 1 + keys.index("deadline")
            ov = len(cols) - 3
            ws.conditional_format(hr + 1, d, hr + len(rows), d, {
                "type": "formula", "criteria": f'=${xl_col_to_name(ov)}{hr + 2}="{R["yes"]}"',
                "format": self.wb.add_format({"bg_color": FILLS["overdue"]})})

    def overdue(self):
        cols = [(C["leader"], 20, "text"), (C["section"], 24, "text"), (_action_label("challenge"), 34, "text"),
                (_action_label("measure"), 34, "text"), (_action_label("responsible"), 18, "text"),
                (_action_label("deadline"), 12, "plain"), (C["days_late"], 10, "num"),
                (_action_label("status"), 14, "text"), (C["source"], 18, "plain")]
        rows = [[a["leader"], a["section"], a["challenge"], a["measure"], a["responsible"], a["deadline"],
                 a["days_late"], a["status"], a["source"]] for a in _records(self.r.overdue)]
        self.table(S["overdue"], R["overdue_title"], cols, rows)

    def wheel(self):
        w = self.r.wheel
        ws = self.wb.add_worksheet(S["wheel"])
        ws.write_string(0, 0, R["wheel_title"], self.f["title"])
        ws.write_string(1, 0, R["wheel_legend"], self.f["sub"])
        keys = list(dict.fromkeys(w["key"])) if len(w) else []
        names = {row["key"]: row["activity"] for row in _records(w)}
        hr = 3
        ws.set_column(0, 0, 26)
        ws.set_column(1, max(1, len(keys)), 16)
        ws.write_string(hr, 0, C["section"], self.f["header"])
        for c, key in enumerate(keys, start=1):
            ws.write_string(hr, c, as_text(names.get(key) or key), self.f["header"])
        ws.set_row(hr, 45)
        sections = list(dict.fromkeys(w["section"])) if len(w) else []
        cells = {(row["section"], row["key"]): row for row in _records(w)}
        for i, section in enumerate(sections, start=hr + 1):
            ws.set_row(i, 30)  # room for the status and its date on two lines
            ws.write_string(i, 0, as_text(section), self.f["text"])
            for c, key in enumerate(keys, start=1):
                row = cells.get((section, key))
                if row is None:
                    continue
                if row["not_applicable"]:
                    text, kind = R["wheel_na"], "na"
                elif row["kept"]:
                    done = row["done_date"]
                    text = R["wheel_done"] + (f" {done.strftime('%d.%m.%Y')}" if isinstance(done, dt.date) else "")
                    kind = "done"
                elif row["overdue"]:
                    text, kind = R["wheel_overdue"], "overdue"
                else:
                    text, kind = R["wheel_open"], "open"
                ws.write_string(i, c, text, self.f["wheel"][kind])
        ws.freeze_panes(hr + 1, 1)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)

    def godbht(self):
        g = self.r.godbht
        cols = [(C["number"], 5, "num"), (C["group"], 18, "text"), (C["element"], 30, "text"),
                (C["mean_bht"], 9, "dec"), (C["min"] + " BHT", 8, "num"), (C["max"] + " BHT", 8, "num"),
                (C["spread"] + " BHT", 10, "num"), (C["mean_org"], 11, "dec"), (C["min"] + " virks.", 9, "num"),
                (C["max"] + " virks.", 9, "num"), (C["spread"] + " virks.", 10, "num"), (C["gap"], 10, "dec"),
                (C["n"], 8, "num")]
        rows = [[e["number"], e["group"], e["element"], e["mean_bht"], e["min_bht"], e["max_bht"], e["spread_bht"],
                 e["mean_org"], e["min_org"], e["max_org"], e["spread_org"], e["gap"], e["n_bht"]]
                for e in _records(g)]
        ws, hr = self.table(S["godbht"], R["godbht_title"], cols, rows)
        first, last = hr + 1, hr + len(rows)
        if rows:
            chart = self.wb.add_chart({"type": "bar"})
            name = S["godbht"].replace("'", "''")
            for col, label, colour in ((3, labels.TEXT["godbht_series_bht"], "#2E75B6"),
                                       (7, labels.TEXT["godbht_series_org"], "#ED7D31")):
                chart.add_series({
                    "name": label, "categories": [name, first, 2, last, 2], "values": [name, first, col, last, col],
                    "fill": {"color": colour}, "gap": 60,
                })
            chart.set_title({"name": R["godbht_chart"]})
            chart.set_x_axis({"min": 0, "max": 4, "major_unit": 1})
            chart.set_y_axis({"reverse": True})
            chart.set_legend({"position": "bottom"})
            chart.set_size({"width": 620, "height": 520})
            ws.insert_chart(last + 3, 2, chart)
        # The weakest elements and the largest gaps, for the discussion in LAMU.
        at = last + 3
        col = 9
        scored = [e for e in _records(g) if not (_is_missing(e["mean_bht"]) and _is_missing(e["mean_org"]))]

        def mean_of(e):
            vals = [v for v in (e["mean_bht"], e["mean_org"]) if not _is_missing(v)]
            return sum(vals) / len(vals)

        ws.write_string(at, col, R["godbht_weakest"], self.f["bold"])
        for i, e in enumerate(sorted(scored, key=lambda e: (mean_of(e), e["number"]))[:5], start=1):
            ws.write_string(at + i, col, f"{e['number']}. {e['element']}", self.f["plain"])
            ws.write_number(at + i, col + 3, round(mean_of(e), 2), self.f["dec"])
        at += 8
        ws.write_string(at, col, R["godbht_gaps"], self.f["bold"])
        gaps = [e for e in scored if not _is_missing(e["gap"])]
        for i, e in enumerate(sorted(gaps, key=lambda e: (-e["gap"], e["number"]))[:5], start=1):
            ws.write_string(at + i, col, f"{e['number']}. {e['element']}", self.f["plain"])
            ws.write_number(at + i, col + 3, e["gap"], self.f["dec"])

    def annual(self):
        a = self.r.annual
        sections = list(dict.fromkeys(a["section"])) if len(a) else []
        cols = [(C["part"], 22, "text"), (C["question"], 40, "text")] + [(as_text(s), 30, "text") for s in sections]
        by = {(row["section"], row["key"]): row for row in _records(a)}
        rows = []
        for it in ANNUAL_ITEMS:
            row = [it.part, it.question]
            for s in sections:
                rec = by.get((s, it.key), {})
                answer, comment = rec.get("answer"), rec.get("comment")
                text = "" if _is_missing(answer) else as_text(answer)
                if not _is_missing(comment) and comment:
                    text = f"{text} – {comment}" if text else as_text(comment)
                row.append(text)
            rows.append(row)
        self.table(S["annual"], R["annual_title"], cols, rows, first_col=2)

    def problems(self):
        p = self.r.problems
        cols = [(C["severity"], 11, "plain"), (C["file"], 34, "text"), (C["section_id"], 14, "plain"),
                (C["sheet"], 14, "plain"), (C["cell"], 7, "plain"), (C["field"], 22, "text"),
                (C["value"], 24, "text"), (C["message"], 70, "text"), (C["code"], 18, "plain")]
        order = {"error": 0, "warning": 1, "info": 2}
        records = sorted(_records(p), key=lambda x: (order.get(x["severity"], 3), x["file"], x["sheet"]))
        rows = [[labels.SEVERITY.get(x["severity"], x["severity"]), x["file"], x["section_id"], x["sheet"], x["cell"],
                 x["field"], x["value"], x["message"], x["code"]] for x in records]
        ws, hr = self.table(S["problems"], R["problems_title"], cols, rows)
        for sev, fill in (("error", "error"), ("warning", "warning")):
            if rows:
                ws.conditional_format(hr + 1, 0, hr + len(rows), 0, {
                    "type": "cell", "criteria": "==", "value": f'"{labels.SEVERITY[sev]}"',
                    "format": self.wb.add_format({"bg_color": FILLS[fill]})})

    def missing(self):
        m = self.r.missing
        cols = [(C["section_id"], 14, "plain"), (C["section"], 30, "text"), (C["leader"], 24, "text"),
                (C["email"], 30, "plain")]
        rows = [[x["section_id"], x["section"], x["leader"], x["email"]] for x in _records(m)]
        note = R["missing_no_config"] if self.r.unit is None else ("" if rows else R["missing_none"])
        self.table(S["missing"], R["missing_title"], cols, rows, note)

    def sources(self):
        s = self.r.sources
        cols = [(C["file"], 44, "text"), (C["status"], 10, "plain"), (C["reason"], 44, "text"),
                (C["section_id"], 14, "plain"), (C["unit"], 20, "text"), (C["year"], 6, "num"),
                (C["sender"], 28, "text"), (C["saved_at"], 20, "plain"), (C["kind"], 6, "plain"),
                (C["size"], 12, "num"), (C["sha256"], 66, "plain")]
        rows = [[x["file"], x["status"], x["reason"], x["section_id"], x["unit"], x["year"], x["sender"],
                 x["saved_at"], x["kind"], x["size"], x["sha256"]] for x in _records(s)]
        self.table(S["sources"], R["sources_title"], cols, rows)

    def build(self) -> bytes:
        for sheet in (self.overview, self.actions, self.overdue, self.wheel, self.godbht, self.annual,
                      self.problems, self.missing, self.sources):
            sheet()
        unit = self.r.unit
        fixed = dt.datetime(unit.year if unit else self.r.today.year, 1, 1)
        self.wb.set_properties({
            "title": R["title"].format(year=unit.year, unit=unit.name) if unit else R["title_no_unit"],
            "author": unit.advisor.name if unit else "", "company": unit.name if unit else "",
            "created": fixed,  # no wall-clock time: the same inputs give the same bytes
        })
        self.wb.close()
        return _insert_bulk_rows(self.buf.getvalue(), self.bulk, self.styles, self.table_refs)


# --------------------------------------------------------------------------- bulk rows
#
# xlsxwriter writes some 150,000 cells a second here; a report for a thousand sections has
# over half a million. The table rows are therefore written as sheet XML directly (inline
# strings, the workbook's own styles) and put into the package xlsxwriter made, which
# holds everything else: headers, tables, filters, formats, charts. A test reads the
# result back with openpyxl and LibreOffice.

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_ROW_RE = re.compile(rb'<row r="(\d+)"')
_DIM_RE = re.compile(rb'<dimension ref="([A-Z]+)?\d*:?([A-Z]+)?(\d+)?"/>')


def _escape_control(m) -> str:
    # Excel's own escape for characters XML cannot hold; a literal "_x0041_" is escaped too.
    return f"_x{ord(m.group(0)):04X}_"


_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x|^\s|\s$")


class _CellWriter:
    """Turns values into cell XML. The part after the cell reference is cached per value:
    a report repeats the same categories, statuses, names and file names many times."""

    def __init__(self, styles: dict):
        self.styles = styles
        self.cache: dict = {}

    def tail(self, value, kind: str) -> str:
        """The cell XML after `<c r="A1`, or "" for an empty cell."""
        key = (type(value), value, kind)
        try:
            return self.cache[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value
            return self._tail(value, kind)
        out = self._tail(value, kind)
        if len(self.cache) < 200000:
            self.cache[key] = out
        return out

    def _tail(self, value, kind: str) -> str:
        styles = self.styles
        if value is None or value == "" or _is_missing(value):
            return ""
        if isinstance(value, bool):
            value = R["yes"] if value else R["no"]
        elif isinstance(value, dt.datetime):
            return f'" s="{styles["date"]}"><v>{(value - EXCEL_EPOCH).total_seconds() / 86400!r}</v></c>'
        elif isinstance(value, dt.date):
            return f'" s="{styles["date"]}"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'
        elif isinstance(value, (int, float)):
            if isinstance(value, float) and math.isinf(value):
                value = str(value)
            else:
                style = styles["dec"] if (kind == "dec" or not float(value).is_integer()) else styles["num"]
                return f'" s="{style}"><v>{value!r}</v></c>'
        text = value if isinstance(value, str) else as_text(value)
        text = text[:32767]
        space = ""
        if _NEEDS_ESCAPE.search(text):
            text = _CONTROL.sub(_escape_control, text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        style = styles["text"] if kind == "text" else styles["plain"]
        return f'" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _rows_xml(first: int, rows: list, kinds: list, widths: list, styles: dict) -> bytes:
    letters = [xl_col_to_name(c) for c in range(len(kinds))]
    # Wrapped text needs a row height: not every client grows the row itself.
    wrapped = [(c, max(1, int(w * 1.1))) for c, (k, w) in enumerate(zip(kinds, widths)) if k == "text"]
    tail = _CellWriter(styles).tail
    columns = list(enumerate(zip(letters, kinds)))
    out = []
    for i, row in enumerate(rows, start=first + 1):
        n = str(i)
        cells = []
        for c, (letter, kind) in columns:
            t = tail(row[c], kind)
            if t:
                cells.append('<c r="' + letter + n + t)
        lines = 1
        for c, per in wrapped:
            v = row[c]
            if isinstance(v, str) and len(v) > per:
                lines = max(lines, -(-len(v) // per))
        height = f' ht="{15 * min(lines, 20)}" customHeight="1"' if lines > 1 else ""
        out.append(f'<row r="{n}"{height}>{"".join(cells)}</row>')
    return "".join(out).encode("utf-8")


def _insert_bulk_rows(package: bytes, bulk: dict, styles: dict, table_refs: dict) -> bytes:
    if not bulk:
        return package
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            level = None
            if info.filename.startswith("xl/tables/"):
                for short, full in table_refs.items():
                    body = body.replace(f'ref="{short}"'.encode(), f'ref="{full}"'.encode())
            for number, (first, rows, kinds, widths) in bulk.items():
                if info.filename == f"xl/worksheets/sheet{number}.xml":
                    body = _merge_rows(body, first, _rows_xml(first, rows, kinds, widths, styles),
                                       first + len(rows), len(kinds))
                    level = 1  # large and written once: fast compression
            dst.writestr(info, body, compresslevel=level)
    return out.getvalue()


def _merge_rows(sheet: bytes, first: int, rows: bytes, last_row: int, ncols: int) -> bytes:
    """Put `rows` (0-based rows first..) into a sheet's XML, keeping the rows in order."""
    if b"<sheetData/>" in sheet:
        sheet = sheet.replace(b"<sheetData/>", b"<sheetData></sheetData>")
    at = sheet.index(b"</sheetData>")
    for m in _ROW_RE.finditer(sheet):
        if int(m.group(1)) > first:
            at = m.start()
            break
    sheet = sheet[:at] + rows + sheet[at:]
    m = _DIM_RE.search(sheet)
    if m:
        old_last = int(m.group(3)) if m.group(3) else 1
        old_col = m.group(2) or m.group(1) or b"A"
        col = max(old_col.decode(), xl_col_to_name(ncols - 1), key=lambda c: (len(c), c))
        ref = f'<dimension ref="A1:{col}{max(old_last, last_row)}"/>'.encode()
        sheet = sheet[:m.start()] + ref + sheet[m.end():]
    return sheet


def write_report(result, path) -> Path:
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True)
    return atomic_write_bytes(path, _Report(result).build())


# --------------------------------------------------------------------------- CSV

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A value for CSV that a spreadsheet will not run as a formula."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if not isinstance(value, str):
        return as_text(value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(result, directory) -> list[Path]:
    """Every table as CSV, written as a set: an interruption leaves the old set or the new."""
    files = {}
    for name in ("overview", "actions", "overdue", "wheel", "godbht", "annual", "problems", "missing", "sources"):
        frame = getattr(result, name)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(list(frame.columns))
        for row in frame.itertuples(index=False):
            w.writerow([csv_safe(v) for v in row])
        files[f"{name}.csv"] = buf.getvalue().encode("utf-8-sig")
    return atomic_write_files(directory, files)
