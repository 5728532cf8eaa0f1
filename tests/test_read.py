"""Reading returned workbooks: values, problems at their cells, hostile files, validate."""

import datetime as dt
import hashlib
import io
import json
import shutil
import tomllib
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from hmsxl import UnreadableFile, consolidate, labels, read_workbook
from hmsxl.cli import main
from hmsxl.config import example_config_text, parse_config
from hmsxl.fields import Choice, Count, Date, Level, Text, parse_date_text
from hmsxl.read import ListsContext

from conftest import GENERATED_AT, YEAR
from zipparts import pack, rewritten

TODAY = dt.date(YEAR, 1, 10)


def filled(src, dst, cells, edit=None):
    """A copy of a generated workbook with `cells` {(sheet, ref): value} typed in (openpyxl)."""
    wb = openpyxl.load_workbook(src)
    for (sheet, ref), value in cells.items():
        wb[sheet][ref].value = value
        if isinstance(value, str) and value.startswith("="):
            wb[sheet][ref].data_type = "s"
    if edit:
        edit(wb)
    wb.save(dst)
    return dst


CLEAN = {
    ("Handlingsplan", "A5"): "Fokusområde", ("Handlingsplan", "B5"): "Høyt sykefravær",
    ("Handlingsplan", "D5"): "Nærværssamtaler", ("Handlingsplan", "E5"): "Høy",
    ("Handlingsplan", "F5"): "Leder", ("Handlingsplan", "G5"): dt.datetime(YEAR, 3, 1),
    ("Handlingsplan", "H5"): "Påbegynt",
}


@pytest.fixture
def workbook(generated):
    return generated[1][0]


NOTES = ("godbht_empty", "sheet_empty")  # God BHT and the year report not filled in: true of most tests' files


def codes(data):
    """Where and what, leaving out the notes that God BHT or the year report was not filled in."""
    return {(p.sheet, p.cell, p.code) for p in data.problems if p.code not in NOTES}


def kinds(data):
    return [p.code for p in data.problems if p.code not in NOTES]


def test_a_generated_workbook_read_back_untouched_is_said_to_be_no_answer(generated):
    unit, paths = generated
    for path in paths:
        data = read_workbook(path, config=unit, today=TODAY)
        # Nothing else: a blank God BHT is a note, nothing is wrong in it.
        assert [(p.code, p.severity) for p in data.problems] == [("godbht_empty", "info"), ("workbook_empty", "warning")]
        assert len(data.godbht) == 15 and len(data.annual) == 19 and data.actions == []


def test_section_comes_from_the_identity_not_the_file_name(workbook, tmp_path):
    renamed = tmp_path / "Handlingsplan.xlsx"
    shutil.copy(workbook, renamed)
    data = read_workbook(renamed, today=TODAY)
    assert (data.section_id, data.unit, data.year) == ("samling", "Eksempelmuseet", YEAR)


def test_overdue_depends_on_today_and_status(workbook, tmp_path):
    path = filled(workbook, tmp_path / "a.xlsx", CLEAN)
    assert not kinds(read_workbook(path, today=dt.date(YEAR, 2, 1)))
    late = read_workbook(path, today=dt.date(YEAR, 4, 1))
    assert codes(late) == {("Handlingsplan", "G5", "overdue"), ("Årshjul", "H5", "wheel_not_done")}
    assert {p.code: p.severity for p in late.problems if p.code in kinds(late)} == \
        {"overdue": "warning", "wheel_not_done": "info"}
    done = filled(workbook, tmp_path / "b.xlsx", {**CLEAN, ("Handlingsplan", "H5"): "Iverksatt"})
    assert set(kinds(read_workbook(done, today=dt.date(YEAR, 4, 1)))) == {"wheel_not_done"}


def test_planted_mistakes_are_reported_at_their_cells(workbook, tmp_path):
    cells = {
        **CLEAN,
        ("Handlingsplan", "A6"): "Fokusområde", ("Handlingsplan", "B6"): "Støy",
        ("Handlingsplan", "D6"): "Skjermvegger", ("Handlingsplan", "E6"): "Kritisk",
        ("Handlingsplan", "F6"): "Leder", ("Handlingsplan", "G6"): "neste uke",
        ("Handlingsplan", "H6"): "Pabegynt", ("Handlingsplan", "I6"): "vår 2026",
        ("Handlingsplan", "B7"): "Glemte resten av raden",
        ("God BHT", "E7"): 7, ("God BHT", "F7"): "tre",
        ("Årsrapport", "D8"): "fire",
    }
    data = read_workbook(filled(workbook, tmp_path / "x.xlsx", cells), today=TODAY)
    found = codes(data)
    assert ("Handlingsplan", "E6", "not_in_list") in found
    assert ("Handlingsplan", "G6", "not_a_date") in found
    assert ("Handlingsplan", "H6", "not_in_list_suggest") in found
    assert ("Handlingsplan", "I6", "date_from_period") in found
    for ref in ("A7", "D7", "E7", "F7", "G7", "H7"):
        assert ("Handlingsplan", ref, "required") in found
    assert ("God BHT", "E7", "out_of_range") in found and ("God BHT", "F7", "not_a_number") in found
    assert ("Årsrapport", "D8", "not_a_number") in found
    msg = next(p for p in data.problems if p.cell == "H6").message
    assert "Mente du «Påbegynt»" in msg
    row = data.actions[1]
    assert row["deadline"] == "neste uke" and row["next_review"] == dt.date(YEAR, 6, 30)  # kept, not dropped


def test_unknown_sheet_column_and_cells_outside_the_table(workbook, tmp_path):
    def edit(wb):
        wb["Handlingsplan"]["P4"] = "Budsjett"
        wb["Handlingsplan"]["P5"] = "20 000 kr"
        wb["Handlingsplan"]["R9"] = "notat i margen"
        wb.create_sheet("Mine notater")["B2"] = "husk"
        wb.create_sheet("Tomt ark")

    data = read_workbook(filled(workbook, tmp_path / "x.xlsx", CLEAN, edit), today=TODAY)
    assert codes(data) == {
        ("Handlingsplan", "P4", "unknown_column"),
        ("Handlingsplan", "R9", "value_outside_table"),
        ("Mine notater", "", "unknown_sheet"),
    }
    assert data.actions[0]["_extra"] == {"Budsjett": "20 000 kr"}
    # Nothing the leader wrote is dropped: the sheet's text is in its problem, the
    # column's values are under the leader's own words in the report.
    sheet = next(p for p in data.problems if p.code == "unknown_sheet")
    assert sheet.value == "B2: husk"
    column = next(p for p in data.problems if p.code == "unknown_column")
    assert column.message.endswith("står i rapporten under «Lederens egne ord».")


def test_identity_sheet_missing(workbook, tmp_path, unit):
    path = filled(workbook, tmp_path / "x.xlsx", CLEAN, lambda wb: wb.remove(wb["_hmsxl"]))
    with_config = read_workbook(path, config=unit, today=TODAY)
    assert with_config.section_id == "samling"
    assert kinds(with_config) == ["identity_missing"]
    alone = read_workbook(path, today=TODAY)
    assert alone.section_id is None and kinds(alone) == ["identity_unknown"]
    assert len(alone.actions) == 1  # still read


def test_other_units_and_years_and_newer_templates(workbook, tmp_path, unit):
    def edit(wb):
        ws = wb["_hmsxl"]
        ws["B2"], ws["B4"], ws["B5"] = 99, "Et annet museum", YEAR - 1

    data = read_workbook(filled(workbook, tmp_path / "x.xlsx", {}, edit), config=unit, today=TODAY)
    assert {p.code for p in data.problems} >= {"template_too_new", "wrong_unit", "wrong_year"}
    wrong = {"template_too_new", "wrong_unit", "wrong_year"}
    assert {p.severity for p in data.problems if p.code in wrong} == {"error"}


def test_sheets_and_rows_missing_or_renamed(workbook, tmp_path, unit):
    def edit(wb):
        wb.remove(wb["Årsrapport"])
        wb["God BHT"].title = "god bht "
        wb["Årshjul"].delete_rows(6, 1)

    data = read_workbook(filled(workbook, tmp_path / "x.xlsx", {}, edit), config=unit, today=TODAY)
    found = {p.code for p in data.problems}
    assert {"sheet_missing", "sheet_renamed", "row_missing"} <= found
    assert len(data.godbht) == 15


@pytest.mark.parametrize("text,expected", [
    ("15.9.2025", dt.date(2025, 9, 15)), ("1/10-25", dt.date(2025, 10, 1)), ("2025-09-15", dt.date(2025, 9, 15)),
    ("15. sep 2025", dt.date(2025, 9, 15)), ("15.09.25", dt.date(2025, 9, 15)), ("mars 2026", dt.date(2026, 3, 31)),
    ("vår 2026", dt.date(2026, 6, 30)), ("høst 2025", dt.date(2025, 12, 31)),
    ("vinter 2023-2024", dt.date(2024, 2, 29)), ("31.02.2026", None), ("snart", None), ("Årlig", None),
])
def test_dates_as_people_type_them(text, expected):
    assert parse_date_text(text, 2026)[0] == expected


def test_field_types_parse_what_they_write():
    ctx = ListsContext(YEAR, {"statuses": ("Ikke påbegynt", "Påbegynt", "Iverksatt")})
    assert Date().parse(dt.datetime(YEAR, 5, 1), ctx) == (dt.date(YEAR, 5, 1), None)
    assert Date().parse(46143.0, ctx)[1].code == "date_from_number"
    assert Date().parse(dt.date(1990, 1, 1), ctx)[1].code == "date_out_of_range"
    assert Choice(list_name="statuses").parse(" påbegynt ", ctx) == ("Påbegynt", Choice(list_name="statuses").parse(
        " påbegynt ", ctx)[1])
    assert Choice(list_name="statuses").parse("Påbegynt", ctx) == ("Påbegynt", None)
    assert Level().parse(4.0, ctx) == (4, None)
    assert Level().parse("3 Betydelig framgang", ctx)[0] == 3
    assert Level().parse(2.5, ctx)[1].code == "not_whole"
    assert Count(maximum=52).parse("12", ctx) == (12, Count(maximum=52).parse("12", ctx)[1])
    assert Text(5).parse("for lang tekst", ctx)[1].code == "too_long"
    assert Text().parse(12.0, ctx) == ("12", None)
    assert Text().parse("   ", ctx) == (None, None)


def test_a_long_list_and_many_wrong_values_are_checked_without_comparing_each_pair(workbook, tmp_path):
    """A "did you mean" compared every wrong value with every list value: a hidden sheet
    listing 5,000 statuses and 1,000 near misses took minutes, and the file came back as
    damaged. Each wrong value is still reported, as not in the list."""
    from hmsxl import labels
    from hmsxl.schema import DEFAULT

    plan = DEFAULT["actions"]
    col = openpyxl.utils.get_column_letter(plan.index("status") + 1)

    def edit(wb):
        ws = wb[labels.SHEET["identity"]]
        c = next(cell.column for cell in ws[1] if cell.value == labels.LIST_NAMES["statuses"])
        for i in range(5000):
            ws.cell(2 + i, c).value = f"Tiltaket er i fase nummer {i:05d}"
        for i in range(1000):
            wb["Handlingsplan"][f"{col}{plan.first_data_row + 1 + i}"].value = f"Tiltaket er i fase numer {i:05d}"

    data = read_workbook(filled(workbook, tmp_path / "lang-liste.xlsx", {}, edit), today=TODAY)
    wrong = [p for p in data.problems if p.code.startswith("not_in_list")]
    more = sum(p.params["count"] for p in data.problems
               if p.code == "problems_left_out" and p.params["first"].key == "not_in_list")
    assert {p.code for p in wrong} == {"not_in_list"} and len(wrong) + more == 1000
    assert [r["status"] for r in data.actions] == [f"Tiltaket er i fase numer {i:05d}" for i in range(1000)]


def test_a_short_list_still_suggests_the_value_meant():
    ctx = ListsContext(YEAR, {"statuses": ("Ikke påbegynt", "Påbegynt", "Iverksatt")})
    value, issue = Choice(list_name="statuses").parse("Iverksat", ctx)
    assert value == "Iverksat" and issue.code == "not_in_list_suggest" and issue.params["suggestion"] == "Iverksatt"
    assert issue.params["allowed"] == "Ikke påbegynt, Påbegynt, Iverksatt"


# ---------------------------------------------------------------------------- hostile files


def hostile(kind, tmp_path, workbook):
    path = tmp_path / "Handlingsplan.xlsx"
    original = workbook.read_bytes()
    if kind == "pdf":
        path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n")
    elif kind == "docx":
        path.write_bytes(pack({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_bytes("Kategori;Tiltak\nAnnet;Noe\n".encode())
    elif kind == "truncated":
        path.write_bytes(original[: len(original) // 2])
    elif kind == "zip_bomb":
        path.write_bytes(pack({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>",
                                    "xl/worksheets/sheet1.xml": b"\0" * (70 * 2**20)}))
    elif kind in ("entity_bomb", "entity_bomb_late"):
        # "late": a long comment first, so the DOCTYPE is far from the start of the part.
        pad = "<!--" + "x" * 20000 + "-->" if kind == "entity_bomb_late" else ""
        bomb = ('<?xml version="1.0"?>' + pad + '<!DOCTYPE lolz [<!ENTITY lol "lol">'
                + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'
                          for i in range(9)) + ']><workbook>&lol8;</workbook>')
        with zipfile.ZipFile(io.BytesIO(original)) as src:
            members = {i.filename: src.read(i) for i in src.infolist()}
        members["xl/workbook.xml"] = bomb.encode()
        path.write_bytes(pack(members))
    elif kind == "encrypted":
        from msoffcrypto.format.ooxml import OOXMLFile

        out = io.BytesIO()
        OOXMLFile(io.BytesIO(original)).encrypt("hemmelig", out)
        path.write_bytes(out.getvalue())
    elif kind == "missing":
        path = tmp_path / "finnes-ikke.xlsx"
    elif kind == "folder":
        path = tmp_path / "mappe.xlsx"
        path.mkdir()
    return path


HOSTILE = {
    "pdf": "er en PDF", "docx": "er et Word-dokument", "empty": "er tom", "text": "er ikke et regneark",
    "truncated": "er skadet eller ufullstendig", "zip_bomb": "mulig zip-bombe", "entity_bomb": "XML-bombe",
    "entity_bomb_late": "XML-bombe",
    "encrypted": "er passordbeskyttet", "missing": "finnes ikke", "folder": "er en mappe",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_file_exit_2_with_one_line(kind, tmp_path, workbook):
    path = hostile(kind, tmp_path, workbook)
    with pytest.raises(UnreadableFile) as err:
        read_workbook(path)
    assert HOSTILE[kind] in str(err.value)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and HOSTILE[kind] in result.output
    assert "Traceback" not in result.output


def test_password_opens_a_protected_workbook(tmp_path, workbook):
    path = hostile("encrypted", tmp_path, workbook)
    assert read_workbook(path, password="hemmelig").section_id == "samling"
    with pytest.raises(UnreadableFile, match="passordet var feil"):
        read_workbook(path, password="feil")


def test_a_million_rows_is_refused_or_cut_without_hanging(tmp_path, workbook):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 1_000_001))
    with zipfile.ZipFile(io.BytesIO(workbook.read_bytes())) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    sheet = members["xl/worksheets/sheet2.xml"].decode()
    start, end = sheet.index("<sheetData>") + len("<sheetData>"), sheet.index("</sheetData>")
    members["xl/worksheets/sheet2.xml"] = (sheet[:start] + rows + sheet[end:]).encode()
    path = tmp_path / "stor.xlsx"
    path.write_bytes(pack(members))
    try:
        data = read_workbook(path)
    except UnreadableFile as exc:
        assert "MB" in str(exc)
    else:
        # Rows past the grid a section workbook can hold are cut and reported, not read.
        assert {"far_cells", "too_many_rows"} & {p.code for p in data.problems}


# ---------------------------------------------------------------------------- hmsxl validate


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_validate_exit_codes_text_and_json(workbook, tmp_path):
    runner = CliRunner()
    clean = filled(workbook, tmp_path / "clean.xlsx", CLEAN)
    bad = filled(workbook, tmp_path / "bad.xlsx", {**CLEAN, ("Handlingsplan", "G5"): "31.02.2026"})
    ok = runner.invoke(main, ["validate", str(clean), "--today", f"{YEAR}-01-10"])
    assert ok.exit_code == 0 and "0 feil" in ok.output
    late = runner.invoke(main, ["validate", str(clean), "--today", f"{YEAR}-06-01"])
    assert late.exit_code == 0 and "Handlingsplan!G5" in late.output and "passert" in late.output
    strict = runner.invoke(main, ["validate", str(clean), "--today", f"{YEAR}-06-01", "--strict"])
    assert strict.exit_code == 1
    failed = runner.invoke(main, ["validate", str(bad), str(clean), "--today", f"{YEAR}-01-10"])
    assert failed.exit_code == 1 and "Handlingsplan!G5" in failed.output and "31.02.2026" in failed.output
    as_json = runner.invoke(main, ["validate", str(bad), "--format", "json", "--today", f"{YEAR}-01-10"])
    (report,) = json.loads(as_json.output)
    assert report["errors"] == 1 and report["section_id"] == "samling"
    (problem,) = [p for p in report["problems"] if p["severity"] != "info"]
    assert (problem["sheet"], problem["cell"], problem["code"], problem["value"]) == \
        ("Handlingsplan", "G5", "not_a_date", "31.02.2026")
    assert problem["field"] == "Frist" and problem["severity"] == "error"


def test_validate_with_config_flags_another_unit(workbook, tmp_path, config_file):
    text = config_file.read_text(encoding="utf-8").replace('name = "Eksempelmuseet"', 'name = "Annet museum"')
    config_file.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(workbook), "--config", str(config_file)])
    assert result.exit_code == 1 and "Eksempelmuseet" in result.output


def test_annotate_marks_cells_in_a_copy_and_never_touches_the_input(workbook, tmp_path):
    cells = {**CLEAN, ("Handlingsplan", "G5"): "31.02.2026", ("Handlingsplan", "J5"): "=HYPERLINK(\"x\")"}
    # Two returns with the same file name, as leaders send them.
    for folder in ("in", "in2"):
        (tmp_path / folder).mkdir()
    a = filled(workbook, tmp_path / "in" / "Handlingsplan.xlsx", cells)
    b = filled(workbook, tmp_path / "in2" / "Handlingsplan.xlsx", {**CLEAN, ("Handlingsplan", "H5"): "ferdig"})
    before = {p: sha(p) for p in (a, b)}
    out = tmp_path / "merket"
    result = CliRunner().invoke(main, ["validate", str(a), str(b), "--annotate", str(out), "--today", f"{YEAR}-01-10"])
    assert result.exit_code == 1
    assert {p: sha(p) for p in (a, b)} == before
    assert sorted(p.name for p in out.iterdir()) == ["samling-Handlingsplan-2.xlsx", "samling-Handlingsplan.xlsx"]
    wb = openpyxl.load_workbook(out / "samling-Handlingsplan.xlsx")
    assert wb.sheetnames[0] == "Problemer"
    cell = wb["Handlingsplan"]["G5"]
    assert cell.comment is not None and "Ikke en dato" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("F4B6B6")
    assert wb["Handlingsplan"]["J5"].data_type == "s"
    rows = list(wb["Problemer"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("Feil", "Handlingsplan", "G5")
    assert "ferdig" in str(list(openpyxl.load_workbook(out / "samling-Handlingsplan-2.xlsx")["Problemer"].values))


def test_what_we_write_we_read_for_every_field_type(unit, tmp_path):
    """Values of every field type, pre-filled by the writer, read back equal and without problems."""
    from hmsxl import generate
    from hmsxl.simulate import simulated_fill

    fill = simulated_fill(unit, "samling", seed=11, actions=12)
    fill["actions"][0]["comment"] = "=SUM(A1) – tekst, ikke formel; «sitat» & <tegn>"
    fill["annual"]["other_activities"] = {"answer": "Linje 1\nLinje 2", "comment": "  mellomrom  "}
    (path,) = generate(unit, tmp_path, sections=["samling"], fills={"samling": fill})
    data = read_workbook(path, config=unit, today=dt.date(YEAR, 1, 1))
    assert [p for p in data.problems if p.code != "wheel_not_done"] == []
    from hmsxl.schema import ACTIONS, SAFETY_ROUND

    # Every value written is read back under its key, and every input column is read.
    for sheet, records, written in ((ACTIONS, data.actions, fill["actions"]),
                                    (SAFETY_ROUND, data.tables["safety_round"], fill["safety_round"])):
        assert written and len(records) == len(written)
        assert all({c.key for c in sheet.input_columns} <= set(rec) for rec in records)
        assert [{k: rec.get(k, "not read") for k in row} for rec, row in zip(records, written)] == written
    for key, values in fill["fire_rounds"].items():
        rec = next(f for f in data.tables["fire_rounds"] if f["key"] == key)
        assert {k: rec[k] for k in values} == values
    for key, values in fill["wheel"].items():
        rec = next(w for w in data.wheel if w["key"] == key)
        assert {k: rec[k] for k in values} == values
    for key, values in fill["godbht"].items():
        rec = next(g for g in data.godbht if g["key"] == key)
        assert {k: rec[k] for k in values} == values
    for key, values in fill["annual"].items():
        assert data.annual[key]["answer"] == (values["answer"].strip() if isinstance(values["answer"], str)
                                              else values["answer"])
    assert data.annual["other_activities"]["comment"] == "mellomrom"


def test_a_renamed_column_label_still_reads_workbooks_already_sent(workbook, tmp_path, monkeypatch):
    from hmsxl import labels
    from hmsxl.read import header_index

    sent = filled(workbook, tmp_path / "sendt.xlsx", CLEAN)  # written with the label «Frist»
    for cat in labels.all_catalogs():  # renamed in every language
        monkeypatch.setitem(cat.COLUMN["actions"], "deadline", ("Tidsfrist", "Skriv en dato."))
    header_index.cache_clear()
    try:
        without = read_workbook(sent, today=TODAY)
        assert ("Handlingsplan", "A4", "column_missing") in codes(without)
        monkeypatch.setitem(labels.COLUMN_ALIASES["actions"], "deadline", ("Frist",))
        header_index.cache_clear()
        with_alias = read_workbook(sent, today=TODAY)
        assert kinds(with_alias) == [] and with_alias.actions[0]["deadline"] == dt.date(YEAR, 3, 1)
    finally:
        header_index.cache_clear()


def test_a_nynorsk_leaders_words_in_a_bokmal_workbook_are_read_as_the_lists_own(workbook, tmp_path, unit):
    cells = {**CLEAN, ("Handlingsplan", "E5"): "Høg", ("Handlingsplan", "H5"): "Sett i verk"}
    data = read_workbook(filled(workbook, tmp_path / "x.xlsx", cells), config=unit, today=TODAY)
    assert (data.actions[0]["priority"], data.actions[0]["status"]) == ("Høy", "Iverksatt")
    said = {(p.cell, p.code): p.message for p in data.problems if p.sheet == "Handlingsplan"}
    assert set(said) == {("E5", "choice_by_meaning"), ("H5", "choice_by_meaning")}
    assert "skrivemåten" not in said[("H5", "choice_by_meaning")]  # no misspelling: the same word


def test_text_the_reader_does_not_take_is_kept_whole_where_it_is_reported(workbook, tmp_path):
    long = "Ny rad om trapp " + "x" * 300 + " SLUTT"

    def edit(wb):
        ws = wb["Handlingsplan"]
        ws["P4"] = "Budsjett"
        ws["P8"] = "bare her"  # a row whose only text is in a column of the leader's own
        ws.insert_cols(3)  # a column without a header, inside the table
        ws["C5"] = "uten overskrift"
        wheel = wb["Årshjul"]
        wheel.insert_rows(6)
        wheel["I6"] = long  # a row of the leader's own under the årshjul's rows
        wheel["A7"], wheel["H8"] = wheel["A8"].value, "Gjennomført"  # a row twice
        wheel["B7"] = wheel["B8"].value

    data = read_workbook(filled(workbook, tmp_path / "x.xlsx", CLEAN, edit), today=TODAY)
    extras = [a.get("_extra") for a in data.actions]
    assert {"Budsjett": "bare her"} in extras
    assert any(e and e.get("Kolonne C (uten overskrift)") == "uten overskrift" for e in extras)
    extra_row = next(p for p in data.problems if p.code == "row_extra")
    assert extra_row.value.endswith("SLUTT") and extra_row.sheet == "Årshjul"
    twice = next(p for p in data.problems if p.code == "row_duplicate")
    assert "Gjennomført" in twice.value


# --------------------------------------------------------------------------- cells the native reader gives as empty


def with_cells(src, dst, part, cells):
    """A copy of `src` with cells of one sheet part replaced by XML as a spreadsheet program writes it."""
    import re

    def replaced(body):
        for ref, xml in cells.items():
            body, n = re.subn(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)'.encode(), xml.encode(), body)
            assert n == 1, ref
        return body

    return rewritten(src, part, replaced, dst)


# As LibreOffice saves formulas that fail: a text deadline plus 30 days, and a division by zero.
FAILING = {
    "B5": '<c r="B5" s="9" t="inlineStr"><is><t>Støy i verkstedet</t></is></c>',
    "G5": '<c r="G5" s="10" t="e"><f aca="false">1/0</f><v>#DIV/0!</v></c>',
    "I5": '<c r="I5" s="10" t="e"><f aca="false">F5+30</f><v>#VALUE!</v></c>',
}


def test_a_formula_that_fails_is_reported_at_its_cell_not_read_as_empty(workbook, tmp_path):
    from hmsxl import consolidate

    path = with_cells(workbook, tmp_path / "feil.xlsx", "xl/worksheets/sheet2.xml", FAILING)
    annual = openpyxl.load_workbook(workbook, read_only=True).sheetnames.index("Årsrapport") + 1
    path = with_cells(path, path, f"xl/worksheets/sheet{annual}.xml",
                      {"D6": '<c r="D6" s="10" t="e"><f aca="false">A1/0</f><v>#DIV/0!</v></c>'})
    result = CliRunner().invoke(main, ["validate", str(path), "--today", TODAY.isoformat()])
    lines = result.output.splitlines()
    assert result.exit_code == 1 and "Traceback" not in result.output

    def line(where):
        (found,) = [ln for ln in lines if f" {where} " in ln]
        return found

    assert "Cellen viser feilen #VALUE!" in line("Handlingsplan!I5")  # an optional field: no longer silent
    assert "Cellen viser feilen #DIV/0!" in line("Handlingsplan!G5")  # a required one: not "må fylles ut"
    assert "må fylles ut" not in line("Handlingsplan!G5")
    assert "Cellen viser feilen #DIV/0!" in line("Årsrapport!D6")
    # The report's row shows what the cell shows, and that the row has errors there.
    report = consolidate([path], today=TODAY)
    row = report.actions.iloc[0]
    assert (row["challenge"], row["deadline"], row["next_review"]) == ("Støy i verkstedet", "#DIV/0!", "#VALUE!")
    assert "Frist" in row["row_errors"] and "Neste evaluering" in row["row_errors"]
    assert report.annual.set_index("key").loc[report.annual["key"].iloc[1], "answer"] == "#DIV/0!"


def test_a_formula_saved_without_its_result_is_reported_with_the_formula(workbook, tmp_path):
    """A program that does not calculate (a script, a converter) saves the formula only."""
    path = tmp_path / "formel.xlsx"
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Handlingsplan"]
    ws["B5"], ws["G5"], ws["I5"] = "Støy i verkstedet", "=F5+30", '=IF(G5="","",G5+30)'
    wb["Årsrapport"]["D6"] = "=SUM(D7:D9)"
    wb.save(path)
    data = read_workbook(path, today=TODAY)
    found = {(p.sheet, p.cell): p for p in data.problems if p.code == "formula_no_value"}
    assert {k: p.value for k, p in found.items()} == {
        ("Handlingsplan", "G5"): "=F5+30", ("Handlingsplan", "I5"): '=IF(G5="","",G5+30)',
        ("Årsrapport", "D6"): "=SUM(D7:D9)"}
    assert "formelen «=F5+30», men ingen utregnet verdi" in found["Handlingsplan", "G5"].message
    assert ("Handlingsplan", "G5", "required") not in codes(data)
    assert data.actions[0]["deadline"] == "=F5+30"


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["f.xlsx", "f.ods", "f.xls"])
def test_formulas_that_fail_in_libreoffice_are_reported_in_every_format(saved_by_libreoffice, name):
    data = read_workbook(saved_by_libreoffice[name], today=TODAY)
    shown = {(p.sheet, p.cell): p.value for p in data.problems if p.code == "cell_error"}
    assert shown == {("Handlingsplan", "I5"): "#VALUE!", ("Handlingsplan", "G6"): "#DIV/0!",
                     ("Årsrapport", "D6"): "#DIV/0!"}
    assert ("Handlingsplan", "G6", "required") not in codes(data)
    assert data.actions[0]["next_review"] == "#VALUE!" and data.actions[1]["deadline"] == "#DIV/0!"


def _ods_with(source, tmp_path, name, change):
    """A copy of an ods with its content.xml changed by `change(bytes) -> bytes`."""
    return rewritten(source, "content.xml", change, tmp_path / name)


@pytest.mark.libreoffice
@pytest.mark.parametrize("lure", [
    b'<!--<table:table-row table:number-rows-repeated="2"/>-->', b"<![CDATA[<table:table-row/>]]>",
    b"<?x <table:table-row/>?>", b'<x:table-row xmlns:x="urn:x"/>',
    b'<table:table-row table:number-rows-repeated="1" x:number-rows-repeated="4"><table:table-cell/></table:table-row>',
], ids=["comment", "cdata", "instruction", "other-prefix", "attribute-twice"])
def test_an_ods_error_cell_stays_where_the_native_reader_puts_it(saved_by_libreoffice, tmp_path, lure):
    """A row in a comment, or a row the native reader does not count, moved every error
    found after it (#DIV/0! at G6 said at G8) or hid it."""
    def change(body):
        start = body.index(b'table:name="Handlingsplan"')
        at = body.index(b"<table:table-row", start)
        return body[:at] + lure + body[at:]

    data = read_workbook(_ods_with(saved_by_libreoffice["f.ods"], tmp_path, "lokk.ods", change), today=TODAY)
    shown = {(p.sheet, p.cell): p.value for p in data.problems if p.code == "cell_error" and p.sheet == "Handlingsplan"}
    assert shown == ({("Handlingsplan", "I6"): "#VALUE!", ("Handlingsplan", "G7"): "#DIV/0!"}
                     if lure.startswith(b"<table:table-row") else
                     {("Handlingsplan", "I5"): "#VALUE!", ("Handlingsplan", "G6"): "#DIV/0!"})


@pytest.mark.libreoffice
def test_an_ods_with_two_sheets_of_one_name_is_refused(saved_by_libreoffice, tmp_path):
    """The native reader keeps the last of two sheets named alike: the first one's values
    would be lost unsaid."""
    def change(body):
        return body.replace(b'table:name="Vernerunde"', b'table:name="Handlingspla&#110;"', 1)

    with pytest.raises(UnreadableFile) as err:
        read_workbook(_ods_with(saved_by_libreoffice["s.ods"], tmp_path, "to.ods", change), today=TODAY)
    assert "«Handlingsplan»" in str(err.value) and "to ganger" in str(err.value)


@pytest.mark.libreoffice
def test_tabs_and_line_breaks_in_an_ods_cell_are_kept(saved_by_libreoffice, tmp_path):
    """LibreOffice writes a tab and a line break in a cell's text as markup, which the
    native reader drops («før<tab>etter» read «føretter»): read as the characters they are,
    and not where a comment only looks like them."""
    def change(body):
        assert b"<text:p>halvveis</text:p>" in body
        return body.replace(b"<text:p>halvveis</text:p>",
                            b"<text:p>halv<text:tab/>veis<text:line-break/>ferdig<!-- <text:tab/> --></text:p>", 1)

    data = read_workbook(_ods_with(saved_by_libreoffice["s.ods"], tmp_path, "tab.ods", change), today=TODAY)
    (row,) = [a for a in data.actions if a["_row"] == 5]
    assert row["status"] == "halv\tveis\nferdig"


@pytest.mark.libreoffice
@pytest.mark.parametrize("kept", [b"", b' office:value-type="float" calcext:value-type="float"',
                                  b' office:value-type="date"'], ids=["no-type", "float-no-value", "date-no-value"])
def test_an_ods_formula_saved_without_its_result_is_said_not_read_as_empty(saved_by_libreoffice, tmp_path, kept):
    import re

    def change(body):  # G6's formula keeps its text (and perhaps its type), loses its result
        return re.sub(rb'<table:table-cell([^>]*)table:formula="of:=1/0"[^>]*>.*?</table:table-cell>',
                      rb'<table:table-cell table:formula="of:=1/0"' + kept + b"/>", body, count=1, flags=re.S)

    data = read_workbook(_ods_with(saved_by_libreoffice["f.ods"], tmp_path, "uten.ods", change), today=TODAY)
    (said,) = [p for p in data.problems if p.code == "formula_no_value" and p.sheet == "Handlingsplan"]
    assert said.cell == "G6" and said.value == "=1/0"


@pytest.mark.libreoffice
def test_tables_nested_in_ods_cells_are_scanned_in_one_pass(saved_by_libreoffice, tmp_path, monkeypatch):
    """5,000 tables opened in cells with a formula each: the text of every error-looking
    cell was looked for up to the next cell end, far away (11 s; 25,000 took the reader's
    two minutes). The text looked at in all is now about the part's size."""
    from hmsxl import safety

    n = 5_000
    nested = (b'<table:table-row><table:table-cell>' + b'<table:table table:name="n"><table:table-row>'
              b'<table:table-cell table:formula="of:=1" office:value-type="string" office:string-value="">' * n
              + b"</table:table-cell></table:table-row></table:table>" * n + b"</table:table-cell></table:table-row>")

    def change(body):
        start = body.index(b'table:name="Handlingsplan"')
        at = body.index(b"<table:table-row", start)
        return body[:at] + nested + body[at:]

    looked, markup = [0, 0], safety._ODS_MARKUP  # bytes, cells; the real pattern

    class Counted:
        def sub(self, repl, text):
            looked[0] += len(text)
            looked[1] += 1
            return markup.sub(repl, text)

    monkeypatch.setattr(safety, "_ODS_MARKUP", Counted())
    path = _ods_with(saved_by_libreoffice["s.ods"], tmp_path, "reir.ods", change)
    read_workbook(path, today=TODAY)
    assert looked[1] >= n and looked[0] < len(nested)  # every cell looked at, each only to its own end


def test_what_a_leader_writes_beside_the_guide_and_under_a_title_is_said(workbook, tmp_path):
    """The guide's own columns (B, C) and rows, and a sheet's title and intro, are ours:
    anything else written there reaches the report as a value outside the tables."""
    guide = openpyxl.load_workbook(workbook)["Veiledning"]
    below = guide.max_row + 3
    extra = {("Veiledning", "D12"): "Husk møtet", ("Veiledning", f"B{below}"): "Notat nederst",
             ("Veiledning", "C1"): "Ved tittelen", ("Veiledning", "B2"): "Under tittelen",
             ("Handlingsplan", "A3"): "Under tittelen", ("Vernerunde", "B2"): "Ved siden av",
             ("Årshjul", "A1"): "I den skjulte kolonnen"}  # Årshjul's title is in B1
    data = read_workbook(filled(workbook, tmp_path / "notater.xlsx", {**extra, ("Handlingsplan", "B5"): "Støy"}),
                         today=TODAY)
    said = {(p.sheet, p.cell): p.value for p in data.problems if p.code == "value_outside_table"}
    assert said == extra
    # The guide's last heading edited: what is outside its columns is said all the same.
    contact = next(f"B{r}" for r in range(1, guide.max_row + 1) if guide[f"B{r}"].value == "Spørsmål?")
    edited = {("Veiledning", contact): "Spørsmål? Ring meg", ("Veiledning", "D5"): "Notat"}
    data = read_workbook(filled(workbook, tmp_path / "endret.xlsx", edited), today=TODAY)
    assert {(p.sheet, p.cell) for p in data.problems if p.code == "value_outside_table"} == {("Veiledning", "D5")}


def test_sheets_of_the_leaders_own_past_fifty_are_named_not_read(workbook, tmp_path):
    def add_sheets(wb):
        for i in range(1, 61):
            wb.create_sheet(f"Notat {i}")["B2"] = f"notat nummer {i}"

    data = read_workbook(filled(workbook, tmp_path / "mange.xlsx", CLEAN, add_sheets), today=TODAY)
    unknown = [p for p in data.problems if p.code == "unknown_sheet"]
    assert [p.sheet for p in unknown] == [f"Notat {i}" for i in range(1, 51)]
    assert "B2: notat nummer 50" in unknown[-1].value
    (rest,) = [p for p in data.problems if p.code == "sheets_not_read"]
    assert rest.value == "; ".join(f"Notat {i}" for i in range(51, 61))
    assert "10 ark til" in rest.message and data.actions[0]["challenge"] == "Høyt sykefravær"


def test_a_row_whose_extra_texts_pass_a_cells_limit_is_cut_and_said_so(workbook, tmp_path):
    from hmsxl import consolidate

    def extra_columns(wb):
        ws = wb["Handlingsplan"]
        for col, letter in ((20, "T"), (21, "U")):
            ws.cell(row=4, column=col, value=f"Notat {letter}")
            ws.cell(row=5, column=col, value=letter * 20_000)

    path = filled(workbook, tmp_path / "lang.xlsx", CLEAN, extra_columns)
    report = consolidate([path], today=TODAY)
    original = report.actions.iloc[0]["original"]
    assert original.startswith("Notat T: «TTT") and len(original) <= 32_767
    cut = [p for p in report.problems.itertuples() if p.code == "text_cut"]
    assert len(cut) == 1 and cut[0].cell == "A5"  # the row, where the report points


@pytest.mark.libreoffice
def test_an_xls_files_last_save_is_read_from_its_summary(saved_by_libreoffice):
    import re

    saved = read_workbook(saved_by_libreoffice["s.xls"], today=TODAY).saved_at
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", saved) and saved[:4] >= "2020"


def test_a_finding_typed_far_below_the_table_is_read_at_its_row(workbook, tmp_path):
    cells = {("Vernerunde", "A9000"): "Loft", ("Vernerunde", "B9000"): "Løs takplate",
             ("Vernerunde", "C9000"): 4, ("Vernerunde", "D9000"): 5}
    data = read_workbook(filled(workbook, tmp_path / "langt-ned.xlsx", cells), today=TODAY)
    (finding,) = data.tables["safety_round"]
    assert (finding["finding"], finding["_row"]) == ("Løs takplate", 9000)  # the Excel row
    assert "too_many_rows" not in kinds(data)


def _wheel_row(workbook, key):
    ws = openpyxl.load_workbook(workbook)["Årshjul"]
    return next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == key)


def test_a_value_written_over_a_formula_is_reported_and_kept(workbook, tmp_path):
    from hmsxl import consolidate

    def overwrite(wb):
        wb["Vernerunde"]["E5"].value = "høy"  # the leader's own word where the workbook computes 20

    cells = {("Vernerunde", "A5"): "Lager", ("Vernerunde", "B5"): "Blokkert rømningsvei",
             ("Vernerunde", "C5"): 4, ("Vernerunde", "D5"): 5}
    path = filled(workbook, tmp_path / "over.xlsx", cells, overwrite)
    data = read_workbook(path, today=TODAY)
    (changed,) = [p for p in data.problems if p.code == "computed_changed"]
    assert (changed.sheet, changed.cell, changed.value) == ("Vernerunde", "E5", "høy") and "(20)" in changed.message
    row = consolidate([path], today=TODAY).tables["safety_round"].iloc[0]
    assert row["risk"] == 20 and "«høy»" in row["original"]


def test_a_value_written_over_a_formula_that_computes_nothing_says_so_in_words(workbook, tmp_path):
    cells = {("Vernerunde", "A5"): "Lager", ("Vernerunde", "B5"): "Blokkert rømningsvei", ("Vernerunde", "E5"): 0}
    data = read_workbook(filled(workbook, tmp_path / "null.xlsx", cells), today=TODAY)
    (changed,) = [p for p in data.problems if p.code == "computed_changed"]
    assert "utregnede (tomt)" in changed.message and "()" not in changed.message


def test_a_sheet_of_the_leaders_own_with_one_cell_is_told_in_good_words(workbook, tmp_path):
    data = read_workbook(filled(workbook, tmp_path / "eget.xlsx", {}, lambda wb: wb.create_sheet("Notat")
                                .__setitem__("B2", "Husk møtet")), today=TODAY)
    (extra,) = [p for p in data.problems if p.code == "unknown_sheet"]
    assert "Utfylte celler: 1;" in extra.message and "Husk møtet" in extra.value


def test_a_score_out_of_range_gives_no_risk(workbook, tmp_path):
    cells = {("Vernerunde", "B5"): "Løs takplate", ("Vernerunde", "C5"): 6, ("Vernerunde", "D5"): 5,
             ("Vernerunde", "H5"): dt.datetime(YEAR, 1, 2)}
    data = read_workbook(filled(workbook, tmp_path / "seks.xlsx", cells), today=TODAY)
    assert ("Vernerunde", "C5", "out_of_range") in codes(data)
    assert "high_risk_overdue" not in kinds(data)  # 6 x 5 is not a risk of 30
    from hmsxl.schema import SAFETY_ROUND

    (finding,) = data.tables["safety_round"]
    assert SAFETY_ROUND.column("risk").field.compute(finding, None) is None


def test_the_rounds_checks_name_what_they_mean(workbook, tmp_path):
    wheel = _wheel_row(workbook, "vernerunde")
    annual = openpyxl.load_workbook(workbook)["Årsrapport"]
    held = next(f"D{r}" for r in range(5, annual.max_row + 1) if annual.cell(r, 1).value == "safety_round_held")
    cells = {
        # A serious finding with no name, open past its deadline.
        ("Vernerunde", "C5"): 5, ("Vernerunde", "D5"): 5, ("Vernerunde", "H5"): dt.datetime(YEAR, 1, 2),
        ("Årshjul", f"H{wheel}"): "Gjennomført", ("Årsrapport", held): "Nei",
        ("Brannvernrunder", "D5"): dt.datetime(YEAR - 1, 3, 10),
    }
    data = read_workbook(filled(workbook, tmp_path / "runder.xlsx", cells), today=TODAY)
    found = {p.code: p for p in data.problems}
    assert "«rad 5»" in found["high_risk_overdue"].message
    assert (found["high_risk_overdue"].sheet, found["high_risk_overdue"].cell) == ("Vernerunde", "H5")
    said = found["safety_round_said_not_held"]
    assert (said.sheet, said.cell, said.value) == ("Årsrapport", held, "Nei")
    other = found["fire_round_other_year"]
    assert (other.sheet, other.cell) == ("Brannvernrunder", "D5") and str(YEAR) in other.message


@pytest.mark.parametrize("said", ["Lager", "Lager" + "?!" * 40], ids=["plain", "many-marks-first"])
def test_what_only_looks_like_a_formula_or_an_error_is_not_one(workbook, tmp_path, said):
    # "many-marks-first": more "!" and "?" before the comment than the quick look takes.
    part = "xl/worksheets/sheet{}.xml".format(openpyxl.load_workbook(workbook, read_only=True).sheetnames.index("Vernerunde") + 1)
    path = with_cells(workbook, tmp_path / "lure.xlsx", part, {
        "A5": f'<c r="A5" s="9" t="inlineStr"><is><t>{said}</t></is></c>',
        "B5": '<c r="B5" s="9" t="inlineStr"><is><t><![CDATA[Skriv <f>1</f> og t="e" her]]></t></is></c>',
        "C5": '<c r="C5" s="11"><!-- <f>x</f> --><v>3</v></c>',
        "D5": '<c r="D5" s="11"><?note <f>y</f>?><v>4</v></c>',
        # The risk typed over, its formula gone: a formula in a comment is no formula.
        "E5": '<c r="E5" s="11"><!-- <f>C5*D5</f> --><v>9</v></c>',
    })
    data = read_workbook(path, today=TODAY)
    assert not {"formula_no_value", "cell_error"} & set(kinds(data))
    assert [(p.sheet, p.cell) for p in data.problems if p.code == "computed_changed"] == [("Vernerunde", "E5")]
    (finding,) = data.tables["safety_round"]
    assert (finding["finding"], finding["probability"], finding["consequence"]) == (
        'Skriv <f>1</f> og t="e" her', 3, 4)
    assert finding["risk"] == 12 and finding["_orig"]["risk"] == "9"  # computed, the leader's 9 kept


def test_the_scan_for_formulas_is_linear_in_the_sheet_whatever_it_holds(monkeypatch):
    """A text that says ` t="e"` a hundred thousand times, formulas outside any cell, cells
    that never close: each costs one pass, not one per hint (that took minutes)."""
    from hmsxl import safety
    from hmsxl.safety import _CellErrors, _error_cells_plain, _plain_hints

    scanned = [0]

    class Measured(bytes):
        def rfind(self, sub, start=0, end=None):
            scanned[0] += (len(self) if end is None else end) - start
            return bytes.rfind(self, sub, start, end)

    class Searched:
        """A pattern whose searches count the bytes they may run over."""

        def __init__(self, pattern):
            self.pattern = pattern

        def search(self, body, pos=0, endpos=None):
            scanned[0] += (len(body) if endpos is None else endpos) - pos
            return self.pattern.search(body, pos, *(() if endpos is None else (endpos,)))

        def match(self, *args):
            return self.pattern.match(*args)

    for name in ("_CELL_END", "_FORMULA_TAG", "_VALUE_TAG"):
        monkeypatch.setattr(safety, name, Searched(getattr(safety, name)))
    bodies = [b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>' + b' t="e"' * 100_000 + b"</t></is></c></row>",
              b'<sheetData><row r="1"><c r="A1"><v>1</v></c>' + b"<f>x</f>" * 100_000 + b"</row></sheetData>",
              b"<sheetData><row r=\"1\">" + b'<c r="A1"><f>1</f>' * 20_000 + b"</c></row></sheetData>"]
    for raw in bodies:
        scanned[0] = 0
        _error_cells_plain("Ark", Measured(raw), _plain_hints(raw), _CellErrors())
        assert scanned[0] <= 4 * len(raw)


def test_an_activity_named_like_the_vernerunde_is_not_the_vernerunde(tmp_path):
    from hmsxl import generate

    text = example_config_text(YEAR).replace('id = "vernerunde"', 'id = "vernerunde"\nrepeat = "quarterly"', 1)
    text = text.replace('due = "07-01"\n', "", 1)
    text += '\n[[wheel]]\nid = "vernerunde-oppfolging"\nname = "Oppfølging av vernerunden"\ndue = "09-01"\n'
    unit = parse_config(tomllib.loads(text))
    (path,) = generate(unit, tmp_path / "wb", sections=["samling"], generated_at=GENERATED_AT)
    rows = {openpyxl.load_workbook(path)["Årshjul"].cell(r, 1).value: r for r in range(5, 60)}
    assert {"vernerunde-k1", "vernerunde-oppfolging"} <= set(rows)
    follow_up = filled(path, tmp_path / "oppfolging.xlsx", {("Årshjul", f"H{rows['vernerunde-oppfolging']}"): "Gjennomført"})
    data = read_workbook(follow_up, config=unit, today=dt.date(YEAR, 10, 1))
    assert not {"safety_round_not_recorded", "safety_round_said_not_held"} & set(kinds(data))
    # A quarter of the vernerunde done and nothing recorded: that one is said.
    quarter = filled(path, tmp_path / "kvartal.xlsx", {("Årshjul", f"H{rows['vernerunde-k1']}"): "Gjennomført"})
    data = read_workbook(quarter, config=unit, today=dt.date(YEAR, 10, 1))
    assert ("Årshjul", f"H{rows['vernerunde-k1']}", "safety_round_not_recorded") in codes(data)


def test_a_part_too_big_that_packs_like_text_is_too_big_not_a_bomb(tmp_path, workbook):
    """A sheet filled far outside its tables (a million cells saved by LibreOffice as .ods
    is 119 MB of XML) packs five- to twentyfold; a zip bomb a hundredfold or more."""
    import random

    rng = random.Random(1)
    words = [f"ord{i}".encode() for i in range(5000)]
    block = b" ".join(rng.choice(words) for _ in range(150_000))  # 1 MB: more than deflate's window
    path = tmp_path / "stor.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<sheetData>" + block * 70 + b"</sheetData>")
    with pytest.raises(UnreadableFile) as err:
        read_workbook(path)
    assert "langt utenfor tabellene" in str(err.value) and "zip-bombe" not in str(err.value)


def test_a_vernerunde_done_in_the_arshjul_that_the_year_report_says_was_not_held_is_said_once(workbook, tmp_path):
    annual = openpyxl.load_workbook(workbook)["Årsrapport"]
    held = next(f"D{r}" for r in range(5, annual.max_row + 1) if annual.cell(r, 1).value == "safety_round_held")
    path = filled(workbook, tmp_path / "nei.xlsx", {("Årshjul", f"H{_wheel_row(workbook, 'vernerunde')}"): "Gjennomført",
                                                    ("Årsrapport", held): "Nei"})
    found = [p.code for p in read_workbook(path, today=TODAY).problems if p.code.startswith("safety_round")]
    assert found == ["safety_round_said_not_held"]  # not also "neither the sheet nor the year report says"


def test_a_brannvernrunde_dated_in_its_sheet_is_done_in_the_arshjul_too(workbook, tmp_path):
    k1 = _wheel_row(workbook, "brannvernrunde-k1")
    path = filled(workbook, tmp_path / "brann.xlsx", {("Brannvernrunder", "D5"): dt.datetime(YEAR, 3, 20),
                                                      ("Brannvernrunder", "D6"): dt.datetime(YEAR - 1, 6, 20)})
    data = read_workbook(path, today=dt.date(YEAR, 9, 1))
    # Last year's date is not this year's round done: said, and the årshjul row left as it is.
    (k2,) = [rec for rec in data.wheel if rec["key"] == "brannvernrunde-k2"]
    assert not k2.get("done_date") and ("Brannvernrunder", "D6", "fire_round_other_year") in codes(data)
    # Said once: not also as a round done that the årshjul should be marked with.
    assert [code for sheet, cell, code in codes(data) if cell == "D6"] == ["fire_round_other_year"]
    assert not {p.code for p in data.problems if p.cell in (f"H{k1}", "D5")} & {
        "wheel_not_done", "fire_round_not_in_wheel"}
    (round_,) = [rec for rec in data.wheel if rec["key"] == "brannvernrunde-k1"]
    assert round_["done_date"] == dt.date(YEAR, 3, 20)
    # The report agrees: one round done, the other-year date shown where its round is not.
    result = consolidate([path], today=dt.date(YEAR, 9, 1))
    assert result.overview["fire_done"].tolist() == [1]
    report = openpyxl.load_workbook(result.write_excel(tmp_path / "rapport.xlsx"))
    grid = [c.value for row in report[labels.REPORT_SHEETS["fire_rounds"]].iter_rows() for c in row
            if isinstance(c.value, str) and "20.06." in c.value]
    assert grid == [f"{labels.REPORT['fire_missing']}\n20.06.{YEAR - 1}"]


def test_the_year_reports_count_of_brannvernrunder_is_checked_against_the_sheet(workbook, tmp_path):
    annual = openpyxl.load_workbook(workbook)["Årsrapport"]
    count = next(f"D{r}" for r in range(5, annual.max_row + 1) if annual.cell(r, 1).value == "fire_rounds")
    path = filled(workbook, tmp_path / "antall.xlsx", {("Årsrapport", count): 4,
                                                       ("Brannvernrunder", "D5"): dt.datetime(YEAR, 3, 20)})
    (said,) = [p for p in read_workbook(path, today=TODAY).problems if p.code == "fire_rounds_count_differs"]
    assert (said.sheet, said.cell) == ("Årsrapport", count) and "(4)" in said.message and "(1)" in said.message


def test_a_wrong_answer_in_the_year_report_is_named_by_its_question(workbook, tmp_path):
    annual = openpyxl.load_workbook(workbook)["Årsrapport"]
    row = {annual.cell(r, 1).value: r for r in range(5, annual.max_row + 1)}
    path = filled(workbook, tmp_path / "svar.xlsx", {("Årsrapport", f"D{row['employees']}"): "mange"})
    (wrong,) = [p for p in read_workbook(path, today=TODAY).problems if p.cell == f"D{row['employees']}"]
    assert wrong.field == "Antall ansatte i seksjonen"


def test_the_units_risk_thresholds_decide_the_level(tmp_path):
    from hmsxl import consolidate, generate

    text = example_config_text(YEAR).replace("[advisor]", "[risk]\nmedium = 3\nhigh = 6\n\n[advisor]", 1)
    unit = parse_config(tomllib.loads(text))
    assert unit.risk == (3, 6)
    (path,) = generate(unit, tmp_path / "wb", sections=["samling"], generated_at=GENERATED_AT)
    cells = {("Vernerunde", f"{col}{row}"): value for row, (a, b) in ((5, (2, 3)), (6, (1, 3)), (7, (1, 2)))
             for col, value in (("A", "Lager"), ("B", f"Funn {row}"), ("C", a), ("D", b))}
    back = filled(path, tmp_path / "back.xlsx", cells)
    levels = list(consolidate([back], config=unit, today=TODAY).tables["safety_round"]["risk_level"])
    assert levels == ["Høy", "Middels", "Lav"]  # 6, 3 and 2: with the defaults (5, 10) all three low


def test_every_cell_of_a_long_sheet_of_the_leaders_own_reaches_the_problems(workbook, tmp_path):
    """A copied sheet of 266 filled cells: all of them are in the problems, 200 at a time,
    the first problem saying how many there are."""
    def copy(wb):
        ws = wb.create_sheet("Handlingsplan (2)")
        for r in range(1, 39):
            for c in range(1, 8):
                ws.cell(r, c, f"MERKE-{r}-{c}")

    data = read_workbook(filled(workbook, tmp_path / "kopi.xlsx", {}, copy), today=TODAY)
    found = [p for p in data.problems if p.code.startswith("unknown_sheet")]
    assert [p.code for p in found] == ["unknown_sheet", "unknown_sheet_more"]
    assert "Utfylte celler: 266" in found[0].message and "celle 201–266 av de 266" in found[1].message
    assert found[1].cell == "E29"  # the 201st, row by row
    said = " ".join(p.value for p in found)
    assert all(f"MERKE-{r}-{c}" in said for r in range(1, 39) for c in range(1, 8))


def test_words_typed_over_the_workbooks_own_cells_are_kept_and_reported(workbook, tmp_path):
    """Protection has no password: a leader can type anywhere. Over a computed cell of an
    empty row, a heading beside the table, God BHT's element, the year report's question,
    a month of the årshjul or its deadline, a sheet's title or intro: each is reported at
    its cell with the words, and a pre-filled row keeps them beside the workbook's own text."""
    from hmsxl import consolidate

    annual = openpyxl.load_workbook(workbook)["Årsrapport"]
    question = next(r for r in range(5, annual.max_row + 1) if annual.cell(r, 1).value == "employees")
    cells = {("Handlingsplan", "N20"): "MERKE-N20", ("Handlingsplan", "O4"): "MERKE-O4",
             ("God BHT", "D6"): "MERKE-D6", ("Årsrapport", f"C{question}"): "MERKE-spørsmål",
             ("Årshjul", "M6"): "MERKE-måned", ("Årshjul", "E6"): "MERKE-frist",
             ("Vernerunde", "A1"): "MERKE-tittel", ("Brannvernrunder", "B2"): "MERKE-intro"}
    path = filled(workbook, tmp_path / "låst.xlsx", cells)
    data = read_workbook(path, today=TODAY)
    found = {(p.sheet, p.cell): p for p in data.problems if str(p.value).startswith("MERKE")}
    assert {(k, p.code) for k, p in found.items()} == {
        (("Handlingsplan", "N20"), "computed_changed"), (("Handlingsplan", "O4"), "value_outside_table"),
        (("God BHT", "D6"), "own_changed"), (("Årsrapport", f"C{question}"), "own_changed"),
        (("Årshjul", "M6"), "own_changed"), (("Årshjul", "E6"), "own_changed"),
        (("Vernerunde", "A1"), "own_changed"), (("Brannvernrunder", "B2"), "own_changed")}
    assert f"Vernerunde {YEAR} –" in found[("Vernerunde", "A1")].message
    assert "(tomt)" in found[("Handlingsplan", "N20")].message
    (element,) = [g for g in data.godbht if g["_row"] == 6]
    assert element["element"] != "MERKE-D6" and element["_orig"]["element"] == "MERKE-D6"
    assert found[("God BHT", "D6")].message.startswith(f"Cellen fylles av arbeidsboka ({element['element']})")
    report = consolidate([path], today=TODAY)
    assert "«MERKE-D6»" in report.tables["godbht"]["original"].dropna().str.cat()
    # The same workbook, untouched, says nothing of the kind.
    assert not [p for p in read_workbook(workbook, today=TODAY).problems
                if p.code in ("own_changed", "computed_changed", "value_outside_table")]


def test_a_status_in_other_words_is_read_only_where_its_meaning_is_sure(unit):
    """«ferdig» is the list's done value, «ikke startet» its first; «pågår» is a guess (the
    årshjul's second value is «Planlagt», which it is not): suggested, not read as that.
    Another language's word for a value is that value, not a misspelling."""
    from hmsxl.fields import Choice

    def parsed(list_name, text):
        value, issue = Choice(list_name=list_name).parse(text, unit)
        return value, issue.code, issue.params.get("suggestion")

    assert parsed("wheel_statuses", "ferdig") == ("Gjennomført", "choice_by_meaning", None)
    assert parsed("wheel_statuses", "pågår") == ("pågår", "not_in_list_suggest", "Planlagt")
    assert parsed("statuses", "venter") == ("Ikke påbegynt", "choice_by_meaning", None)
    assert parsed("statuses", "Ikkje starta") == ("Ikke påbegynt", "choice_by_meaning", None)
    assert parsed("statuses", "Påbegyndt") == ("Påbegynt", "choice_by_meaning", None)  # the Danish list's
    assert parsed("statuses", "påbegynt") == ("Påbegynt", "choice_corrected", None)  # the case: a spelling


def test_an_overdue_deadline_typed_as_words_is_listed_with_the_leaders_words(workbook, tmp_path):
    cells = {**CLEAN, ("Handlingsplan", "G5"): f"2.1.{YEAR}"}
    data = read_workbook(filled(workbook, tmp_path / "ord.xlsx", cells), today=TODAY)
    (late,) = [p for p in data.problems if p.code == "overdue"]
    assert late.value == f"2.1.{YEAR}" and "02.01." in late.message


def test_a_value_between_the_table_and_a_heading_further_right_is_reported(workbook, tmp_path):
    cells = {**CLEAN, ("Handlingsplan", "Q4"): "Merknad LAMU", ("Handlingsplan", "P6"): "Husk ventilasjonen"}
    data = read_workbook(filled(workbook, tmp_path / "glipe.xlsx", cells), today=TODAY)
    found = {(p.cell, p.code, p.value) for p in data.problems if p.sheet == "Handlingsplan"}
    assert ("P6", "value_outside_table", "Husk ventilasjonen") in found
    assert ("Q4", "value_outside_table", "Merknad LAMU") in found


def test_a_row_of_the_leaders_own_under_a_prefilled_table_is_reported(workbook, tmp_path):
    """A new årshjul activity, a God BHT element or a question of the leader's own, in the
    workbook's own columns only: reported with its words. The legend under God BHT is the
    workbook's, and says nothing."""
    cells = {("Årshjul", "B30"): "Egen aktivitet: brannøvelse", ("Årshjul", "C30"): "Vaktmester",
             ("God BHT", "D30"): "Eget element"}
    data = read_workbook(filled(workbook, tmp_path / "egne.xlsx", cells), today=TODAY)
    extra = {(p.sheet, p.cell): p.value for p in data.problems if p.code == "row_extra"}
    assert extra == {("Årshjul", "A30"): "Egen aktivitet: brannøvelse; Vaktmester", ("God BHT", "A30"): "Eget element"}


def test_words_past_the_problems_listed_are_kept_in_the_one_that_counts_them(workbook, tmp_path):
    """300 notes right of the action plan: 200 are listed one by one, and the one that counts
    the other hundred holds their words, each with its cell."""
    cells = {**CLEAN, **{("Handlingsplan", f"R{r}"): f"Notat {r}" for r in range(5, 305)}}
    data = read_workbook(filled(workbook, tmp_path / "notater.xlsx", cells), today=TODAY)
    listed = [p for p in data.problems if p.code == "value_outside_table" and p.sheet == "Handlingsplan"]
    (rest,) = [p for p in data.problems if p.code == "problems_left_out" and p.sheet == "Handlingsplan"]
    assert len(listed) == 200 and "100 til" in rest.message
    said = " ".join([p.value for p in listed] + [rest.value])
    assert all(f"Notat {r}" in said for r in range(5, 305)) and "R304: Notat 304" in rest.value


def test_words_over_the_arshjul_are_told_from_a_unit_changed_since(workbook, tmp_path, unit):
    """The workbook says what its årshjul was made with: with the unit unchanged, words typed
    over an activity's name are the leader's, reported and kept; with the unit changed since
    (the activity renamed), the workbook's old name is not taken for the leader's words."""
    import dataclasses

    wheel = openpyxl.load_workbook(workbook)["Årshjul"]
    row = next(r for r in range(5, wheel.max_row + 1) if wheel.cell(r, 1).value == "medarbeidersamtale")
    typed = filled(workbook, tmp_path / "hjul.xlsx", {("Årshjul", f"B{row}"): "Utsatt til januar"})
    data = read_workbook(typed, config=unit, today=TODAY)
    (said,) = [p for p in data.problems if p.code == "own_changed"]
    assert (said.sheet, said.cell, said.value) == ("Årshjul", f"B{row}", "Utsatt til januar")
    (rec,) = [w for w in data.wheel if w["key"] == "medarbeidersamtale"]
    assert rec["_orig"]["activity"] == "Utsatt til januar"
    renamed = dataclasses.replace(unit, wheel=tuple(
        dataclasses.replace(a, name="Samtaler med alle") if a.id == "medarbeidersamtale" else a for a in unit.wheel))
    untouched = read_workbook(workbook, config=renamed, today=TODAY)
    assert not [p for p in untouched.problems if p.code == "own_changed"]
    # Another activity changed since: this one is still known, row by row.
    other = dataclasses.replace(unit, wheel=tuple(
        dataclasses.replace(a, name=a.name + " (ny)") if a.id != "medarbeidersamtale" else a for a in unit.wheel))
    again = read_workbook(typed, config=other, today=TODAY)
    assert [(p.cell, p.value) for p in again.problems if p.code == "own_changed"] == [(f"B{row}", "Utsatt til januar")]


def test_the_workbooks_own_rows_are_no_rows_of_the_leaders_after_the_unit_changed(workbook, unit):
    """An activity removed from unit.toml after the workbooks went out: its row, with the
    workbook's own key, is no row the leader added."""
    import dataclasses

    fewer = dataclasses.replace(unit, wheel=tuple(a for a in unit.wheel if a.id != "medarbeidersamtale"))
    data = read_workbook(workbook, config=fewer, today=TODAY)
    assert not [p for p in data.problems if p.code in ("row_extra", "row_unknown")]


def test_a_row_with_a_key_of_its_own_or_a_key_read_already_is_reported(workbook, tmp_path, unit):
    """A row copied with its hidden key and renamed as a new activity, a key typed beside a
    name of the leader's, a question of the year report typed a second time: each is
    reported with its words, though nothing is in its input cells yet."""
    def edit(wb):
        wheel = wb["Årshjul"]
        for c in range(1, 12):
            wheel.cell(20, c).value = wheel.cell(6, c).value
        wheel["B20"] = "Egen aktivitet: kurs i førstehjelp"
        wheel["A21"], wheel["B21"] = "egen", "Egen aktivitet: brannøvelse"
        annual = wb["Årsrapport"]
        annual["A30"], annual["C30"] = "employees", "Hvor mange vikarer?"
        wb["Brannvernrunder"]["A12"], wb["Brannvernrunder"]["B12"] = "brannvernrunde-k9", "Ekstra runde"

    path = filled(workbook, tmp_path / "nokler.xlsx", {}, edit)
    data = read_workbook(path, config=unit, today=TODAY)
    said = " ".join(str(p.value) for p in data.problems if p.code in ("row_extra", "row_duplicate"))
    for words in ("kurs i førstehjelp", "brannøvelse", "Hvor mange vikarer?", "Ekstra runde"):
        assert words in said, said
    # Without the unit the årshjul is read as the workbook holds it: the copy is still a copy.
    alone = read_workbook(path, today=TODAY)
    (copy,) = [p for p in alone.problems if p.code == "row_duplicate" and p.sheet == "Årshjul"]
    assert copy.cell == "A20" and "kurs i førstehjelp" in copy.value


def test_a_sheet_of_the_leaders_named_as_a_guide_and_notes_in_the_hidden_sheet_are_kept(workbook, tmp_path):
    """The guide is the workbook's own sheet in its language; a leader's sheet named «Guide»
    (the English guide's name) is theirs. The hidden sheet's keys and lists are its own; a
    note beside them is not."""
    def edit(wb):
        wb.create_sheet("Guide")["A1"] = "Mine egne rutiner for HMS"
        hidden = wb["_hmsxl"]
        hidden["C3"] = "Notat i det skjulte arket"
        hidden["A40"] = "Enda et notat"
        hidden["Z1"], hidden["D40"] = "Langt til høyre", "Under en liste"

    data = read_workbook(filled(workbook, tmp_path / "guide.xlsx", CLEAN, edit), today=TODAY)
    said = {(p.sheet, p.code): p.value for p in data.problems if p.sheet in ("Guide", "_hmsxl")}
    assert said[("Guide", "unknown_sheet")] == "A1: Mine egne rutiner for HMS"
    assert {p.value for p in data.problems if p.sheet == "_hmsxl"} == {
        "Notat i det skjulte arket", "Enda et notat", "Langt til høyre", "Under en liste"}


def test_a_value_not_in_the_list_is_told_every_value_of_a_units_list(unit):
    """A unit's categories, two of its own added: the message (and the reminder quoting it)
    names them all. It named the first 160 characters' worth, the rest cut mid-word."""
    import dataclasses

    from hmsxl.fields import Choice

    unit = dataclasses.replace(unit, categories=(*unit.categories, "Vold og trusler", "Ergonomi og tunge løft"))
    _, issue = Choice(list_name="categories").parse("Kjemikalier", unit)
    allowed = issue.params["allowed"]
    assert allowed == ", ".join(unit.categories) and allowed.endswith("Ergonomi og tunge løft")
    many = dataclasses.replace(unit, categories=tuple(f"Kategori nummer {n}" for n in range(60)))
    shown = Choice(list_name="categories").parse("Kjemikalier", many)[1].params["allowed"]
    assert shown.endswith(", …") and all(v in many.categories for v in shown[:-3].split(", "))


def test_a_date_in_a_names_cell_is_asked_about_and_kept(workbook, tmp_path):
    """Two cells typed one column off: the date lands in «Ansvarlig» (read as its text, with a
    question), the name in «Frist» (not a date). A comment may be a date: nothing said."""
    cells = {**CLEAN, ("Handlingsplan", "F5"): dt.datetime(YEAR, 12, 31), ("Handlingsplan", "G5"): "Vaktmester",
             ("Handlingsplan", "J5"): dt.datetime(YEAR, 6, 1)}
    data = read_workbook(filled(workbook, tmp_path / "bytte.xlsx", cells), today=TODAY)
    said = {p.cell: p for p in data.problems if p.sheet == "Handlingsplan"}
    assert said["F5"].code == "date_in_text" and said["F5"].severity == "warning"
    assert said["F5"].message == "Cellen har en dato (31.12.2026), men her skal det stå tekst. Står den i riktig kolonne?"
    assert said["G5"].code == "not_a_date" and "J5" not in said
    assert data.actions[0]["responsible"] == "31.12.2026"


def test_words_over_a_rows_hidden_key_are_kept_and_the_row_read_by_its_name(workbook, tmp_path, unit):
    annual = openpyxl.load_workbook(workbook)["Årsrapport"]
    row = next(r for r in range(5, annual.max_row + 1) if annual.cell(r, 1).value == "employees")
    path = filled(workbook, tmp_path / "nokkel.xlsx", {("Årsrapport", f"A{row}"): "Notat om ansatte",
                                                       ("Årsrapport", f"D{row}"): 12})
    data = read_workbook(path, config=unit, today=TODAY)
    (said,) = [p for p in data.problems if p.code == "own_changed"]
    assert (said.cell, said.value) == (f"A{row}", "Notat om ansatte") and "(employees)" in said.message
    assert data.annual["employees"]["answer"] == 12


def test_a_note_on_a_cell_is_the_leaders_words_and_an_answer(workbook, tmp_path, soffice):
    """A note (comment) a leader puts on a cell: the native reader gives values only, and
    the note's words reach the report at its cell, in .xlsx, and in .ods and .xls as
    LibreOffice saves them. A workbook with nothing but a note is an answer."""
    from openpyxl.comments import Comment

    def edit(wb):
        wb["Handlingsplan"]["B5"].comment = Comment("Spør verneombudet om  stigen\nfør fredag", "Leder")

    path = filled(workbook, tmp_path / "merknad.xlsx", {}, edit)
    soffice("--convert-to", "ods", "--outdir", tmp_path, path)
    soffice("--convert-to", "xls", "--outdir", tmp_path, path)
    for name in ("merknad.xlsx", "merknad.ods", "merknad.xls"):
        data = read_workbook(tmp_path / name, today=TODAY)
        (note,) = [p for p in data.problems if p.code == "cell_note"]
        assert (note.sheet, note.cell) == ("Handlingsplan", "B5"), name
        assert " ".join(note.value.split()) == "Spør verneombudet om stigen før fredag", name
        assert "workbook_empty" not in {p.code for p in data.problems}
