"""Adding a column to a sheet is one line in the schema (and its label in the catalog):
the writer gives it a validated, unlocked input cell, the reader parses it and reports its
problems at their cells, and the report and the CSV show it. Tried on every table sheet.
"""

import csv
import datetime as dt

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from hmsxl import consolidate, generate, labels, read_workbook
from hmsxl.fields import Count
from hmsxl.schema import DEFAULT, Column
from hmsxl.wheel import year_occurrences

from conftest import GENERATED_AT, YEAR

TODAY = dt.date(YEAR, 1, 10)


@pytest.fixture
def with_column(monkeypatch):
    """A schema with a whole-number column «Timer brukt» added to one sheet."""

    def make(sheet_key):
        monkeypatch.setitem(labels.COLUMN[sheet_key], "hours", ("Timer brukt", "Hvor mange timer gikk med?"))
        return DEFAULT.with_column(sheet_key, Column("hours", Count(maximum=500), 10), after=None
                                   if sheet_key == "actions" else DEFAULT[sheet_key].input_columns[-1].key)

    return make


def first_rows(sheet, unit, sid, n=2):
    first = sheet.first_data_row + 1
    if not sheet.key_column:
        return [(None, first + i) for i in range(n)]
    rows = sheet.rows(sheet, unit, year_occurrences(unit, sid))
    return [(row["key"], first + i) for i, row in enumerate(rows[:n])]


@pytest.mark.parametrize("sheet_key", [s.key for s in DEFAULT.sheets])
def test_a_column_added_to_the_schema_is_written_read_and_reported(sheet_key, with_column, unit, tmp_path):
    schema = with_column(sheet_key)
    sheet = schema[sheet_key]
    (path,) = generate(unit, tmp_path / "sendt", sections=["drift"], schema=schema, generated_at=GENERATED_AT)
    letter = get_column_letter(sheet.index("hours") + 1)
    (k1, r1), (k2, r2) = first_rows(sheet, unit, "drift")

    # Written: a header, an unlocked input cell, a whole-number validation with its message.
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet.name]
    assert ws[f"{letter}{sheet.header_row + 1}"].value == "Timer brukt"
    assert not ws[f"{letter}{r1}"].protection.locked
    (dv,) = [dv for dv in ws.data_validations.dataValidation if letter in str(dv.sqref).split(":")[0]
             and dv.type == "whole"]
    assert (dv.formula1, dv.formula2, dv.prompt) == ("0", "500", "Hvor mange timer gikk med?")

    # A leader fills it in: a good value, and a word where a number belongs.
    if not sheet.key_column:  # the action plan: a whole row
        for c, value in zip("ABDEFGH", ("Annet", "Støy", "Demping", "Lav", "Leder", dt.datetime(YEAR, 9, 1),
                                        "Påbegynt")):
            ws[f"{c}{r1}"] = value
            ws[f"{c}{r2}"] = value
    ws[f"{letter}{r1}"] = 12
    ws[f"{letter}{r2}"] = "mange"
    (tmp_path / "svar").mkdir()
    back = tmp_path / "svar" / "drift.xlsx"
    wb.save(back)

    # Read back with the value typed and the problem at its cell.
    data = read_workbook(back, today=TODAY, schema=schema)
    records = data.tables[sheet_key]
    assert records[0]["hours"] == 12 and records[1]["hours"] == "mange"
    assert (sheet.name, f"{letter}{r2}", "not_a_number") in {(p.sheet, p.cell, p.code) for p in data.problems}

    # In the report, in the sheet meant for it, and in the CSV.
    result = consolidate([tmp_path / "svar"], today=TODAY, schema=schema)
    report = openpyxl.load_workbook(result.write_excel(tmp_path / "rapport.xlsx"))
    if sheet_key == "annual":
        rows = [list(r) for r in report[labels.REPORT_SHEETS["annual"]].iter_rows(min_row=4, values_only=True)]
        shown = [r for r in rows if r[1] == "Timer brukt"]
        assert [r[3] for r in shown] == [12, "mange"]
    else:
        ws = report[labels.REPORT_SHEETS.get(f"{sheet_key}_table", sheet.name)]
        header = [c.value for c in ws[4]]
        values = [row[header.index("Timer brukt")] for row in ws.iter_rows(min_row=5, values_only=True)]
        assert values[:2] == [12, "mange"]
    result.to_csv(tmp_path / "csv")
    with open(tmp_path / "csv" / f"{sheet_key}.csv", encoding="utf-8-sig") as fh:
        assert [r["hours"] for r in csv.DictReader(fh)][:2] == ["12", "mange"]


def test_a_problem_s_row_is_in_the_order_of_the_problems_table():
    from hmsxl.problems import problem
    from hmsxl.schema import PROBLEMS_TABLE

    p = problem("required", file="f.xlsx", sheet="Handlingsplan", cell="B7", field="Frist", label="Frist")
    row = dict(zip((c.key for c in PROBLEMS_TABLE), p.table_row("seksjon-a")))
    assert row == {"severity": "error", "file": "f.xlsx", "section_id": "seksjon-a", "sheet": "Handlingsplan",
                   "cell": "B7", "field": "Frist", "value": p.value, "message": p.message, "code": "required"}
