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

    def tail(self, value, kind: str) -> str:
        """The cell XML after `<c r="A1`, or "" for an empty cell."""
        styles = self.styles
        if value is None or value == "" or is_missing(value):
            return ""
        if isinstance(value, bool):
            value = R["yes"] if value else R["no"]
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
        text = xmltext.fit(text, xmltext.CELL_MAX, R["cut_mark"])  # _Book.cut_cells lists what is cut
        style = styles["plain"] if kind == "plain" else styles["text"]
        return f'" s="{style}" t="inlineStr">{xmltext.inline_string(text)}</c>'


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


CACHE_MAX = 50000  # distinct values remembered per column


def rows_xml(first: int, rows: list, kinds: list, widths: list, styles: dict) -> bytes:
    """The rows' sheet XML. What a value becomes (its XML and the lines it wraps to) is kept
    per column: a report repeats the same categories, statuses, names and files many times."""
    tail = _CellWriter(styles).tail
    columns = []
    for c, (kind, width) in enumerate(zip(kinds, widths)):
        # Wrapped text needs a row height: not every client grows the row itself.
        per = max(1, int(width * 1.1)) if kind in ("text", "auto") else 0
        columns.append((c, '<c r="' + col_letter(c), "plain" if kind == "bool" else kind, {}, per))
    out = []
    append = out.append
    for i, row in enumerate(rows, start=first + 1):
        n = str(i)
        cells = []
        lines = 1
        for c, prefix, kind, cache, per in columns:
            v = row[c]
            if v is None:
                continue
            key = v if v.__class__ is str else (v.__class__, v)
            hit = cache.get(key)
            if hit is None:
                wraps = -(-len(v) // per) + v.count("\n") if per and v.__class__ is str else 1
                hit = (tail(v, kind), wraps)
                if len(cache) < CACHE_MAX:
                    cache[key] = hit
            if hit[0]:
                cells.append(prefix + n + hit[0])
                if hit[1] > lines:
                    lines = hit[1]
        if lines > 1:
            append(f'<row r="{n}" ht="{15 * min(lines, 20)}" customHeight="1">')
        else:
            append('<row r="' + n + '">')
        append("".join(cells))
        append("</row>")
    return "".join(out).encode("utf-8")
