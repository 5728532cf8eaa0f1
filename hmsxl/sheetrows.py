"""The XML of a report table's rows, written directly: a report for a thousand sections has
over a million cells, which xlsxwriter would write at some 150,000 a second.

Kept apart from the report so that the processes that render rows in parallel start
with little to import. Every text goes through the one escaping seam (`xmltext`).
"""

from __future__ import annotations

import datetime as dt
import math

from . import xmltext
from .fields import as_text, col_letter
from . import labels

R = labels.section("REPORT")

EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def is_missing(value) -> bool:
    """None, NaN or NaT: an empty cell."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT
    except (TypeError, ValueError):
        return False


class _CellWriter:
    """Turns a value into cell XML: the part after the cell reference (`<c r="A1`)."""

    def __init__(self, styles: dict):
        self.styles = styles
        # Looked up once, not per value (a report has a hundred thousand distinct texts).
        self.yes, self.no, self.cut_mark = R["yes"], R["no"], R["cut_mark"]
        self.text_head = {kind: f'" s="{styles["plain" if kind == "plain" else "text"]}" t="inlineStr">'
                          for kind in ("plain", "text")}

    def tail(self, value, kind: str) -> str:
        """The cell XML after `<c r="A1`, or "" for an empty cell."""
        if value.__class__ is str:  # most values: no other question to ask
            if not value:
                return ""
            text = value
        else:
            styles = self.styles
            if value is None or value == "" or is_missing(value):
                return ""
            if isinstance(value, bool):
                value = self.yes if value else self.no
            elif isinstance(value, dt.datetime):
                return f'" s="{styles["date"]}"><v>{(value - EXCEL_EPOCH).total_seconds() / 86400!r}</v></c>'
            elif isinstance(value, dt.date):
                return f'" s="{styles["date"]}"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'
            elif isinstance(value, (int, float)):
                number = _spreadsheet_number(value)
                if number is None:  # no spreadsheet holds it: shown as text
                    value = _number_text(value)
                else:
                    style = styles["dec"] if (kind == "dec" or not number.is_integer()) else styles["num"]
                    return f'" s="{style}"><v>{value!r}</v></c>'
            text = value if isinstance(value, str) else as_text(value)
        text = xmltext.fit(text, xmltext.CELL_MAX, self.cut_mark)  # _Book.cut_cells lists what is cut
        return self.text_head["plain" if kind == "plain" else "text"] + xmltext.inline_string(text) + "</c>"


def _spreadsheet_number(value) -> float | None:
    """The number as a spreadsheet holds it (a double), or None if it cannot: infinite, or
    a whole number past a double's range (a sum can be)."""
    try:
        number = float(value)
    except OverflowError:
        return None
    return None if math.isinf(number) else number


def _number_text(value) -> str:
    """A number no spreadsheet holds, as text: its digits, or its size when it has more
    digits than Python prints."""
    try:
        return str(value)
    except ValueError:
        return f"≈{'-' if value < 0 else ''}1e{int(abs(value).bit_length() * math.log10(2))}"


def rows_xml(first: int, rows: list, kinds: list, widths: list, styles: dict) -> bytes:
    """The rows' sheet XML, made a column at a time: what a value becomes (its XML and the
    lines it wraps to) is worked out once per distinct value of the column (a report repeats
    the same categories, statuses, names and files many times), and the cells are put
    together by comprehensions and joins rather than a statement per cell."""
    tail = _CellWriter(styles).tail
    numbers = [str(i) for i in range(first + 1, first + 1 + len(rows))]
    columns, wraps = [], []
    by_column = list(zip(*rows)) if rows else [()] * len(kinds)
    for c, (kind, width) in enumerate(zip(kinds, widths)):
        values = by_column[c] if c < len(by_column) else [None] * len(rows)
        classes = set(map(type, values)) - {type(None)}
        # int 1, float 1.0 and True are one key to a dict: where a column holds more than
        # one kind of value, each is keyed with its class (a tuple, taken apart below).
        mixed = len(classes) > 1 or tuple in classes
        keys = [v if v.__class__ is str or v is None else (v.__class__, v) for v in values] if mixed else values
        kind = "plain" if kind == "bool" else kind
        made = {key: tail(key[1] if mixed and key.__class__ is tuple else key, kind) for key in dict.fromkeys(keys)}
        tails = list(map(made.__getitem__, keys))
        prefix = '<c r="' + col_letter(c)
        columns.append([prefix + n + t if t else "" for n, t in zip(numbers, tails)])
        # Wrapped text needs a row height: not every client grows the row itself.
        per = max(1, int(width * 1.1)) if kind in ("text", "auto") else 0
        if per:
            lines = {key: -(-len(key) // per) + key.count("\n") for key in made if key.__class__ is str and made[key]}
            if any(n > 1 for n in lines.values()):
                wraps.append([lines.get(key, 1) if key.__class__ is str else 1 for key in keys])
    cells = map("".join, zip(*columns)) if columns else ("" for _ in numbers)
    heights = map(max, zip(*wraps)) if wraps else None
    if heights is None:
        out = ['<row r="' + n + '">' + row + "</row>" for n, row in zip(numbers, cells)]
    else:
        out = [(f'<row r="{n}" ht="{15 * min(h, 20)}" customHeight="1">' if h > 1 else '<row r="' + n + '">')
               + row + "</row>" for n, row, h in zip(numbers, cells, heights)]
    return "".join(out).encode("utf-8")
