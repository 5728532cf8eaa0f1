"""Nothing a leader writes is lost: a value typed into every input cell of every sheet,
through LibreOffice, saved as xlsx, ods and xls, is found in the LAMU report in the
sheet meant for it.

The cells and values come from the sheet schemas, so a column or sheet added to the
schema is covered here without a new line.
"""

import datetime as dt

import openpyxl
import pytest

from hmsxl import consolidate, generate, labels
from hmsxl.fields import Choice, Count, Date, Level
from hmsxl.schema import DEFAULT
from hmsxl.wheel import year_occurrences

from conftest import GENERATED_AT, YEAR

pytestmark = pytest.mark.libreoffice

FORMATS = {"samling": ("xlsx", "Calc MS Excel 2007 XML"), "drift": ("ods", "calc8"), "adm": ("xls", "MS Excel 97")}
ACTION_ROWS = 3


def typed_value(field, unit, sid, sheet, key, n):
    """A value for one cell: distinct per cell where the field allows it; (value, UNO type)."""
    if isinstance(field, Date):
        return (dt.date(unit.year, 1, 1) + dt.timedelta(days=n % 700)).isoformat(), "date"
    if isinstance(field, Level):
        return 1 + n % 4, "number"
    if isinstance(field, Count):
        return field.minimum + n % (field.maximum - field.minimum + 1), "number"
    if isinstance(field, Choice):
        options = field.options(unit)
        return options[n % len(options)], "string"
    return f"{sid} {sheet.key} {key} {n} – skrevet av lederen", "string"


def rows_of(sheet, unit, sid):
    """(row key or None, 1-based Excel row) of every row a leader fills on a sheet."""
    first = sheet.first_data_row + 1
    if not sheet.key_column:
        return [(None, first + i) for i in range(ACTION_ROWS)]
    expected = sheet.rows(sheet, unit, year_occurrences(unit, sid))
    return [(row["key"], first + i) for i, row in enumerate(expected)]


@pytest.fixture(scope="module")
def typed(tmp_path_factory, lo_fill):
    import tomllib

    from hmsxl.config import example_config_text, parse_config

    unit = parse_config(tomllib.loads(example_config_text(YEAR)), source="unit.toml")
    tmp = tmp_path_factory.mktemp("nothing-lost")
    sent = generate(unit, tmp / "sent", sections=list(FORMATS), generated_at=GENERATED_AT)
    expected = {}  # (sid, sheet key, row key or excel row, column key) -> value
    jobs = []
    n = 0
    for path in sent:
        sid = path.name.split("-", 1)[1][:-5]
        ops = []
        for sheet in DEFAULT.sheets:
            for row_key, excel_row in rows_of(sheet, unit, sid):
                for col in sheet.input_columns:
                    n += 1
                    value, kind = typed_value(sheet.field_for(col, row_key), unit, sid, sheet, col.key, n)
                    ref = f"{openpyxl.utils.get_column_letter(sheet.index(col.key) + 1)}{excel_row}"
                    ops.append({"op": "set", "sheet": sheet.name, "cell": ref, "value": value, "type": kind})
                    typed_back = dt.datetime.fromisoformat(value) if kind == "date" else value
                    expected[(sid, sheet.key, row_key or excel_row, col.key)] = typed_back
        ext, filt = FORMATS[sid]
        jobs.append({"input": str(path), "ops": ops, "outputs": [[str(tmp / "back" / f"{sid}.{ext}"), filt]]})
    (tmp / "back").mkdir()
    lo_fill(jobs, tmp)
    result = consolidate([tmp / "back"], config=unit, today=dt.date(YEAR, 1, 1))
    path = result.write_excel(tmp / "rapport.xlsx")
    return unit, expected, result, openpyxl.load_workbook(path)


def table_rows(ws):
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def test_every_section_was_read(typed):
    unit, expected, result, wb = typed
    used = result.sources[result.sources["status"] == "brukt"]
    assert sorted(used["section_id"]) == sorted(FORMATS)


@pytest.mark.parametrize("sheet", [s for s in DEFAULT.sheets if s.key != "annual"], ids=lambda s: s.key)
def test_every_typed_value_is_in_the_sheets_table(typed, sheet):
    unit, expected, result, wb = typed
    report_sheet = labels.REPORT_SHEETS.get(f"{sheet.key}_table", sheet.name)
    rows = table_rows(wb[report_sheet])
    source_label = labels.REPORT_COLUMNS["source"]
    by_source = {(r[labels.REPORT_COLUMNS["section_id"]], r[source_label].split("!")[1]): r for r in rows}
    first_input = sheet.input_columns[0]
    letter = openpyxl.utils.get_column_letter(sheet.index(first_input.key) + 1)
    missing = []
    for sid in FORMATS:
        for row_key, excel_row in rows_of(sheet, unit, sid):
            row = by_source.get((sid, f"{letter}{excel_row}"))
            for col in sheet.input_columns:
                want = expected[(sid, sheet.key, row_key or excel_row, col.key)]
                got = row.get(col.label) if row else None
                if got != want:
                    missing.append((sid, excel_row, col.label, want, got))
    assert missing == []


def test_every_typed_annual_answer_and_comment_is_side_by_side(typed):
    unit, expected, result, wb = typed
    sheet = DEFAULT["annual"]
    rows = [list(r) for r in wb[labels.REPORT_SHEETS["annual"]].iter_rows(min_row=4, values_only=True)]
    header = rows[0]
    names = {s.id: s.name for s in unit.sections}
    missing = []
    for item in sheet.items:
        i = next(i for i, r in enumerate(rows) if r[1] == item.question)
        answers, comments = rows[i], rows[i + 1]
        assert comments[1] == sheet.column("comment").label
        for sid in FORMATS:
            c = header.index(names[sid])
            if answers[c] != expected[(sid, "annual", item.key, "answer")]:
                missing.append((sid, item.key, "answer", answers[c]))
            if expected[(sid, "annual", item.key, "comment")] not in str(comments[c]):
                missing.append((sid, item.key, "comment", comments[c]))
    assert missing == []


def test_nothing_typed_was_flagged_except_what_the_typing_broke(typed):
    """Every value typed was allowed, so nothing but notes may be reported."""
    unit, expected, result, wb = typed
    p = result.problems
    assert list(p.loc[p["severity"] == "error", "message"]) == []
