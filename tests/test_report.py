"""The LAMU report: every value a leader typed reaches it, and every number in it is right.

Each test pins something an advisor would see in the report: a leader's note, a date typed
as words, a count that must not include cancelled actions, a mean that must not look
best because it is almost empty.
"""

import csv
import dataclasses
import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from hmsxl import consolidate, generate, labels
from hmsxl.cli import main
from hmsxl.fields import nordic_key

from conftest import YEAR
from ooxml_check import check_package

TODAY = dt.date(YEAR, 10, 1)
ACTION = {"category": "Annet", "challenge": "Støy i kantina", "measure": "Lyddemping", "priority": "Lav",
          "responsible": "Leder", "deadline": dt.date(YEAR, 12, 1), "status": "Påbegynt"}


def returned(unit, tmp_path, fills, edit=None, name="svar"):
    """Workbooks as the sections return them: filled, and optionally edited with openpyxl."""
    paths = generate(unit, tmp_path / name, sections=list(fills), fills=fills, force=True)
    if edit:
        for path in paths:
            wb = openpyxl.load_workbook(path)
            edit(path.name.split("-", 1)[1][:-5], wb)
            wb.save(path)
    return tmp_path / name


def sheet_rows(path, sheet, header_row=4):
    """A report sheet's table as dicts by header label."""
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:] if any(v is not None for v in r)]


def report(result, tmp_path):
    return result.write_excel(tmp_path / "rapport.xlsx")


def test_godbht_notes_and_wheel_comments_reach_the_report_and_csv(unit, tmp_path):
    fill = {"godbht": {"e04": {"level_bht": 2, "notes": "Planen er ikke kjent", "improvement": "Felles møte i mars"}},
            "wheel": {"vernerunde": {"planned": dt.date(YEAR, 6, 3), "comment": "Flyttet etter ferien"}}}
    folder = returned(unit, tmp_path, {"drift": fill})
    result = consolidate([folder], config=unit, today=TODAY)
    path = report(result, tmp_path)
    godbht = {r["Nr"]: r for r in sheet_rows(path, "God BHT per seksjon")}
    assert godbht[4]["Egne notater"] == "Planen er ikke kjent"
    assert godbht[4]["Forslag til forbedring"] == "Felles møte i mars"
    wheel = {r["Aktivitet"]: r for r in sheet_rows(path, "Årshjul-aktiviteter")}
    assert wheel["Vernerunde"]["Kommentar"] == "Flyttet etter ferien"
    assert wheel["Vernerunde"]["Planlagt dato"] == dt.datetime(YEAR, 6, 3)
    result.to_csv(tmp_path / "csv")
    with open(tmp_path / "csv" / "godbht.csv", encoding="utf-8-sig") as fh:
        assert "Felles møte i mars" in {r["improvement"] for r in csv.DictReader(fh)}
    with open(tmp_path / "csv" / "wheel.csv", encoding="utf-8-sig") as fh:
        assert "Flyttet etter ferien" in {r["comment"] for r in csv.DictReader(fh)}


def test_a_deadline_typed_as_words_shows_the_leaders_words(unit, tmp_path):
    def edit(sid, wb):
        wb["Handlingsplan"]["G5"] = "høst 2027"
        wb["Handlingsplan"]["H5"] = "påbegynt"

    folder = returned(unit, tmp_path, {"drift": {"actions": [ACTION]}}, edit)
    result = consolidate([folder], config=unit, today=TODAY)
    (row,) = sheet_rows(report(result, tmp_path), "Handlingsplan")
    assert row["Frist"] == dt.datetime(2027, 12, 31)
    assert row["Status"] == "Påbegynt"
    words = row["Lederens egne ord"]
    assert "Frist: «høst 2027»" in words and "Status: «påbegynt»" in words
    assert row["Feil i raden"] is None  # corrected, not wrong


def test_a_row_with_errors_says_which_columns_beside_its_values(unit, tmp_path):
    def edit(sid, wb):
        wb["Handlingsplan"]["G6"] = "snart"
        wb["Handlingsplan"]["H6"] = "Kanskje"
        wb["Handlingsplan"]["D6"] = None

    folder = returned(unit, tmp_path, {"drift": {"actions": [ACTION, {**ACTION, "challenge": "Trekk"}]}}, edit)
    result = consolidate([folder], config=unit, today=TODAY)
    clean, wrong = sheet_rows(report(result, tmp_path), "Handlingsplan")
    assert clean["Feil i raden"] is None
    assert wrong["Feil i raden"] == "Tiltak (hvordan), Frist, Status"
    assert (wrong["Frist"], wrong["Status"]) == ("snart", "Kanskje")  # the leader's values, kept


def test_a_wheel_status_not_in_the_list_stays_visible(unit, tmp_path):
    folder = returned(unit, tmp_path, {"drift": {"wheel": {"vernerunde": {"status": "Halvveis"}}}})
    result = consolidate([folder], config=unit, today=TODAY)
    ws = openpyxl.load_workbook(report(result, tmp_path))["Årshjul"]
    header = [c.value for c in ws[4]]
    cell = ws.cell(5, header.index("Vernerunde") + 1).value
    assert "«Halvveis»" in cell and cell.startswith("Forfalt")


def test_carry_over_finds_a_workbook_whose_hidden_sheet_was_deleted(unit, tmp_path, config_file):
    last_year = dataclasses.replace(unit, year=YEAR - 1, return_deadline=dt.date(YEAR - 1, 12, 1))
    old = {**ACTION, "deadline": dt.date(YEAR - 1, 5, 1)}
    (path,) = generate(last_year, tmp_path / "fjor", sections=["drift"], fills={"drift": {"actions": [old]}})
    wb = openpyxl.load_workbook(path)
    wb.remove(wb["_hmsxl"])
    wb.save(tmp_path / "fjor" / "Handlingsplan.xlsx")
    path.unlink()
    result = CliRunner().invoke(main, ["generate", str(config_file), "-o", str(tmp_path / "nye"),
                                       "--carry-over", str(tmp_path / "fjor")])
    assert result.exit_code == 0, result.output
    assert "Førte videre 1 tiltak som ikke er avsluttet, for 1 seksjon" in result.output
    assert "Handlingsplan.xlsx: brukt" in result.output


def test_carry_over_says_why_a_file_was_not_used(unit, tmp_path, config_file):
    generate(unit, tmp_path / "feil-aar", sections=["drift"], fills={"drift": {"actions": [ACTION]}})
    result = CliRunner().invoke(main, ["generate", str(config_file), "-o", str(tmp_path / "nye"),
                                       "--carry-over", str(tmp_path / "feil-aar")])
    assert result.exit_code == 0, result.output
    assert f"{YEAR}-drift.xlsx: avvist (Gjelder ikke denne enheten eller dette året)" in result.output
    assert "Førte videre 0 tiltak" in result.output


def test_completed_and_cancelled_are_counted_apart(unit, tmp_path):
    statuses = ["Iverksatt", "Iverksatt", "Avbrutt", "Påbegynt"]
    actions = [{**ACTION, "challenge": f"Sak {i}", "status": s} for i, s in enumerate(statuses)]
    result = consolidate([returned(unit, tmp_path, {"drift": {"actions": actions}})], config=unit, today=TODAY)
    row = next(r for r in sheet_rows(report(result, tmp_path), "Oversikt") if r["Seksjon-ID"] == "drift")
    assert (row["Tiltak"], row["Fullført"], row["Avbrutt"]) == (4, 2, 1)


def test_a_sheet_taken_out_of_a_workbook_is_no_sheet_of_nothing_due(unit, tmp_path):
    """Oversikt's counts of a sheet the section's workbook lacks are empty, not zeros: LAMU
    would read «0 of 0 fire rounds due» as nothing due, where nothing is known."""
    def edit(sid, wb):
        if sid == "drift":
            del wb["Brannvernrunder"]

    answers = {sid: {"godbht": {"e01": {"level_bht": 2}}} for sid in ("drift", "adm")}
    result = consolidate([returned(unit, tmp_path, answers, edit)], config=unit, today=TODAY)
    rows = {r["Seksjon-ID"]: r for r in sheet_rows(report(result, tmp_path), "Oversikt")}
    fire = ("Brannvernrunder gjennomført", "Brannvernrunder med frist passert")
    assert [rows["drift"][c] for c in fire] == [None, None]
    assert rows["adm"][fire[0]] == 0 and rows["adm"][fire[1]] >= 1
    assert rows["drift"]["Tiltak"] == 0  # the sheets it has are counted as ever
    assert "sheet_missing" in set(result.problems[result.problems["section_id"] == "drift"]["code"])


def test_a_nearly_empty_godbht_has_no_mean_and_says_so(unit, tmp_path):
    few = {"e01": {"level_bht": 4, "level_org": 4}, "e02": {"level_bht": 4, "level_org": 3}}
    full = {f"e{n:02d}": {"level_bht": 2, "level_org": 3} for n in range(1, 16)}
    result = consolidate([returned(unit, tmp_path, {"drift": {"godbht": few}, "adm": {"godbht": full}})],
                         config=unit, today=TODAY)
    rows = {r["Seksjon-ID"]: r for r in sheet_rows(report(result, tmp_path), "Oversikt")}
    assert rows["drift"]["God BHT snitt"] is None and rows["drift"]["God BHT utfylt (av 30)"] == 4
    assert rows["adm"]["God BHT snitt"] == 2.5 and rows["adm"]["God BHT utfylt (av 30)"] == 30
    partial = result.problems[result.problems["code"] == "godbht_few"]
    assert list(partial["section_id"]) == ["drift"] and "4 av 30" in partial["message"].iloc[0]


def test_godbht_gaps_and_weakest_come_from_unrounded_means(unit, tmp_path):
    # BHT 3, 3, 2 (mean 2.667) against the organisation 2, 2, 3 (2.333): the gap is 0.333,
    # where rounded means would give 0.34.
    # Element 6: the organisation sees itself far stronger than the BHT does (gap −2).
    fills = {sid: {"godbht": {"e05": {"level_bht": b, "level_org": o}, "e06": {"level_bht": 1, "level_org": 3}}}
             for sid, b, o in (("samling", 3, 2), ("drift", 3, 2), ("adm", 2, 3))}
    result = consolidate([returned(unit, tmp_path, fills)], config=unit, today=TODAY)
    g = result.godbht.set_index("key")
    assert g.loc["e05", "gap"] == pytest.approx(1 / 3) and g.loc["e06", "gap"] == -2
    path = report(result, tmp_path)
    rows = {r["Nr"]: r for r in sheet_rows(path, "God BHT")}
    gap = "Forskjell (BHT − virksomheten)"
    assert rows[5][gap] == pytest.approx(1 / 3) and rows[5]["Snitt BHT"] == pytest.approx(8 / 3)
    # The largest differences, either way, first; shown with their sign.
    ws = openpyxl.load_workbook(path)["God BHT"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == "Største forskjeller mellom BHT og virksomheten"]
    first = ws.cell(cells[0].row + 1, cells[0].column).value, ws.cell(cells[0].row + 1, cells[0].column + 3).value
    assert first[0].startswith("6.") and first[1] == -2


def test_wheel_done_status_comes_from_the_units_lists(tmp_path, config_file):
    from hmsxl import load_config

    text = config_file.read_text(encoding="utf-8").replace(
        "[lists]", '[lists]\nwheel_statuses = ["Ikke startet", "Utført", "Ikke relevant"]\n'
                   'wheel_done_statuses = ["Utført"]\nwheel_na_statuses = ["Ikke relevant"]', 1)
    config_file.write_text(text, encoding="utf-8")
    unit = load_config(config_file)
    fill = {"wheel": {"vernerunde": {"status": "Utført"}, "brannvernrunde-k1": {"status": "Ikke relevant"}}}
    result = consolidate([returned(unit, tmp_path, {"drift": fill})], config=unit, today=TODAY)
    state = result.wheel.set_index("key")["state"]
    assert state["vernerunde"] == "Gjennomført" and state["brannvernrunde-k1"] == "Ikke aktuelt"
    not_done = result.problems[result.problems["code"] == "wheel_not_done"]
    assert not ({"Vernerunde", "Brannvernrunde, 1. kvartal"} & set(not_done["field"]))
    assert result.overview.set_index("section_id").loc["drift", "wheel_done"] == 1


def test_a_status_list_that_loses_its_done_value_is_a_clear_config_error(config_file):
    from hmsxl import ConfigError, load_config

    text = config_file.read_text(encoding="utf-8").replace(
        "[lists]", '[lists]\nwheel_statuses = ["Ikke startet", "Utført"]\nwheel_na_statuses = []', 1)
    config_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(config_file)
    assert "lists.wheel_done_statuses: er ikke oppgitt" in str(err.value)
    assert "(Ikke startet, Utført)" in str(err.value)
    config_file.write_text(text.replace("[lists]", '[lists]\nwheel_done_statuses = ["Gjennomført"]', 1),
                           encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(config_file)
    assert "lists.wheel_done_statuses: «Gjennomført» står ikke i lists.wheel_statuses" in str(err.value)


def test_annual_report_numbers_are_numbers_with_totals_and_comments_apart(unit, tmp_path):
    fills = {sid: {"annual": {"employees": {"answer": n, "comment": f"Per 1. okt ({sid})"},
                              "safety_round_held": {"answer": yn}}}
             for sid, n, yn in (("samling", 12, "Ja"), ("drift", 30, "Ja"), ("adm", 5, "Nei"))}
    result = consolidate([returned(unit, tmp_path, fills)], config=unit, today=TODAY)
    ws = openpyxl.load_workbook(report(result, tmp_path))["Årsrapport"]
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    header = rows[0]
    employees = next(r for r in rows if r[1] == "Antall ansatte i seksjonen")
    assert employees[header.index("Sum / fordeling")] == 47
    assert [employees[header.index(s)] for s in ("Samlingsseksjonen", "Drift og sikkerhet", "Administrasjonen")] \
        == [12, 30, 5]
    comment = rows[rows.index(employees) + 1]
    assert comment[1] == "Kommentar" and "Per 1. okt (drift)" in comment
    held = next(r for r in rows if r[1] == "Er årets vernerunde gjennomført?")
    assert held[header.index("Sum / fordeling")] == "Ja 2 · Nei 1"


def test_overdue_actions_sorted_in_norwegian_order(unit, tmp_path):
    leaders = {"samling": "Åse Ås", "formidling": "Øyvind Ø", "drift": "Zara Z", "adm": "Ærlig Æ"}
    sections = tuple(dataclasses.replace(s, leader=leaders[s.id]) for s in unit.sections)
    unit = dataclasses.replace(unit, sections=sections)
    late = {**ACTION, "deadline": dt.date(YEAR, 2, 1)}
    result = consolidate([returned(unit, tmp_path, {sid: {"actions": [late]} for sid in leaders})],
                         config=unit, today=TODAY)
    rows = sheet_rows(report(result, tmp_path), "Forfalt")
    assert [r["Leder"] for r in rows] == ["Zara Z", "Ærlig Æ", "Øyvind Ø", "Åse Ås"]
    assert sorted(leaders.values(), key=nordic_key) == ["Zara Z", "Ærlig Æ", "Øyvind Ø", "Åse Ås"]


def test_overview_keeps_numbers_in_their_own_columns(unit, tmp_path):
    result = consolidate([returned(unit, tmp_path, {"drift": {"actions": [ACTION]}})], config=unit, today=TODAY)
    path = report(result, tmp_path)
    ws = openpyxl.load_workbook(path)["Oversikt"]
    header = [c.value for c in ws[4]]
    assert "Årshjul gjennomført" in header and "Årshjul med frist passert" in header
    row = next(r for r in sheet_rows(path, "Oversikt") if r["Seksjon-ID"] == "drift")
    assert isinstance(row["Årshjul gjennomført"], int) and isinstance(row["Årshjul med frist passert"], int)
    assert ws.row_dimensions[4].height >= 45 and ws["A4"].alignment.wrap_text


def test_without_unit_toml_the_workbooks_own_lists_and_names_decide(unit, tmp_path):
    own = dataclasses.replace(
        unit, name="Oppdiktet etat", statuses=("Ikke startet", "I gang", "Utført", "Droppet"),
        done_statuses=("Utført", "Droppet"), cancelled_statuses=("Droppet",))
    late = dt.date(YEAR, 3, 1)
    fills = {"drift": {"actions": [{**ACTION, "deadline": late, "status": "Utført"},
                                   {**ACTION, "challenge": "Trekk", "deadline": late, "status": "Droppet"},
                                   {**ACTION, "challenge": "Lys", "deadline": late, "status": "I gang"}]}}
    result = consolidate([returned(own, tmp_path, fills)], today=TODAY)
    row = result.overview.set_index("section_id").loc["drift"]
    assert (row["actions"], row["completed"], row["cancelled"], row["overdue"]) == (3, 1, 1, 1)
    assert list(result.overdue["challenge"]) == ["Lys"]
    assert result.unit_name == "Oppdiktet etat"
    ws = openpyxl.load_workbook(report(result, tmp_path)).worksheets[0]
    assert "Oppdiktet etat" in ws["A1"].value


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_report_among_the_returns_is_skipped_not_read_as_an_answer(unit, tmp_path, lang):
    unit = dataclasses.replace(unit, language=lang)
    folder = returned(unit, tmp_path, {"drift": {"actions": [ACTION]}})
    first = consolidate([folder], config=unit, today=TODAY)
    first.write_excel(folder / "lamu-rapport.xlsx")  # saved where the returns are
    again = consolidate([folder], config=unit, today=TODAY)
    assert len(again.actions) == 1 and again.reconciliation["skipped"] == 1
    source = again.sources.set_index("file").loc["svar/lamu-rapport.xlsx"]
    assert source["status"] == labels.catalog(lang).REPORT["status_skipped"]
    assert "LAMU" in source["reason"] and not len(again.problems[again.problems["file"] == "svar/lamu-rapport.xlsx"])
    out = CliRunner().invoke(main, ["validate", str(folder / "lamu-rapport.xlsx")])
    assert out.exit_code == 0 and "LAMU" in out.output


def test_no_report_sheet_runs_past_the_rows_or_columns_a_sheet_holds(unit, tmp_path, monkeypatch):
    """A table too long or too wide for a sheet is cut where it must be, and says so above
    it and in Problemer (here with a sheet of 100 rows and 6 columns)."""
    from hmsxl import report as rep

    actions = [dict(ACTION, challenge=f"Støy {i}", deadline=dt.date(YEAR, 3, 1)) for i in range(300)]
    folder = returned(unit, tmp_path, {s.id: {"actions": actions} for s in unit.sections})
    result = consolidate([folder], config=unit, today=TODAY)
    monkeypatch.setattr(rep, "EXCEL_ROWS", 100)
    monkeypatch.setattr(rep, "EXCEL_COLUMNS", 6)
    path = report(result, tmp_path)
    assert check_package(path) == []
    wb = openpyxl.load_workbook(path)
    for name in ("Handlingsplan", "Forfalt", "Problemer", "Årshjul", "Årsrapport"):
        ws = wb[name]
        assert ws.max_row <= 100, name
        assert ws["A3"].value and "får plass i et Excel-ark" in ws["A3"].value, name
    assert wb["Årshjul"].max_column == 6 and wb["Årsrapport"].max_column == 6
    assert wb["Problemer"].auto_filter.ref == "A4:I100"
    listed = {(r[3], r[8]) for r in wb["Problemer"].iter_rows(min_row=5, values_only=True)}
    assert {("Handlingsplan", "table_rows_cut"), ("Forfalt", "table_rows_cut"), ("Årshjul", "table_columns_cut"),
            ("Årsrapport", "table_columns_cut")} <= listed


ONE_LEVEL = {"samling": {"godbht": {"e01": {"level_bht": 2}}}}  # an answer: a workbook as sent is none


def test_a_wheel_of_more_activities_than_a_sheet_has_columns_says_where_it_stops(unit, tmp_path):
    import pandas as pd

    result = consolidate([returned(unit, tmp_path, ONE_LEVEL)], config=unit, today=TODAY)
    w = result.tables["wheel"]
    first = dict(zip(w.columns, w.iloc[0]))
    rows = [{**first, "key": f"k{i}", "activity": f"Aktivitet {i}"} for i in range(20_000)]
    result.tables["wheel"] = pd.DataFrame(rows, columns=w.columns, dtype=object)
    wb = openpyxl.load_workbook(report(result, tmp_path), read_only=True)
    header = next(wb["Årshjul"].iter_rows(min_row=4, max_row=4, values_only=True))
    assert len(header) == 16_384 and header[-1] == "Aktivitet 16382"
    note = next(wb["Årshjul"].iter_rows(min_row=3, max_row=3, values_only=True))[0]
    assert "20001 kolonner" in note and "16384" in note
    cut = [r for r in wb["Problemer"].iter_rows(min_row=5, values_only=True) if r[8] == "table_columns_cut"]
    assert [(r[3], r[7]) for r in cut] == [("Årshjul", note)]
    assert wb["Årshjul-aktiviteter"].max_row == 4 + 20_000  # every activity is in the table


def test_a_pivot_header_too_long_for_a_cell_is_cut_visibly_and_listed(unit, tmp_path):
    """An activity's or a section's name heads a pivot column: past what a cell holds it
    was cut without a word."""
    result = consolidate([returned(unit, tmp_path, ONE_LEVEL)], config=unit, today=TODAY)
    long_name = "Vernerunde i alle bygg " * 2000  # 46,000 characters
    wheel, annual = result.tables["wheel"], result.tables["annual"]
    wheel.loc[wheel.index[0], "activity"] = long_name
    annual["section"] = long_name
    path = report(result, tmp_path)
    assert check_package(path) == []
    wb = openpyxl.load_workbook(path)
    for sheet, cell in (("Årshjul", "B4"), ("Årsrapport", "D4")):
        shown = wb[sheet][cell].value
        assert shown.startswith("Vernerunde i alle bygg") and shown.endswith(" … [avkortet]"), sheet
        assert len(shown) <= 32767
    cut = {(r[3], r[4]) for r in wb["Problemer"].iter_rows(min_row=5, values_only=True) if r[8] == "text_cut"}
    assert {("Årshjul", "B4"), ("Årsrapport", "D4")} <= cut


def test_a_count_no_spreadsheet_could_hold_is_a_problem_at_its_cell_and_the_report_is_written(unit, tmp_path):
    """Two sections answering 1.7e308 employees: their sum is past what a spreadsheet
    number holds, and writing it stopped the report."""
    from hmsxl.schema import DEFAULT

    fills = {sid: {"annual": {"employees": {"answer": 1.7e308}, "fire_rounds": {"answer": n}}}
             for sid, n in (("samling", 2), ("drift", 3))}
    result = consolidate([returned(unit, tmp_path, fills)], config=unit, today=TODAY)
    p = result.problems
    big = p[p["code"] == "number_too_large"]
    assert sorted(big["section_id"]) == ["drift", "samling"]
    assert all("for stort til å være et antall" in m for m in big["message"])
    path = report(result, tmp_path)
    assert check_package(path) == []
    ws = openpyxl.load_workbook(path)["Årsrapport"]
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    header = rows[0]
    employees = next(r for r in rows if r[1] == "Antall ansatte i seksjonen")
    assert employees[header.index("Sum / fordeling")] == "2 svar"  # nothing to add up
    assert employees[header.index("Drift og sikkerhet")] == "1.7e+308"  # the leader's number, as text
    question = next(it.question for it in DEFAULT["annual"].items if it.key == "fire_rounds")
    rounds = next(r for r in rows if r[1] == question)  # still summed where the answers are counts
    assert rounds[header.index("Sum / fordeling")] == 5


def test_a_number_past_what_a_spreadsheet_holds_is_written_as_text():
    from hmsxl.sheetrows import rows_xml

    styles = {"num": 1, "dec": 2, "text": 3, "plain": 4, "date": 5}
    xml = rows_xml(0, [(2 * int(1.7e308), 10 ** 5000, float("inf"), 7)], ["auto"] * 4, [10] * 4, styles).decode()
    assert "<t>3399999999999999" in xml and "<t>≈1e5000</t>" in xml and "<t>inf</t>" in xml
    assert '<c r="D1" s="1"><v>7</v></c>' in xml


def test_equal_values_of_different_kinds_in_one_column_are_each_written_as_themselves():
    """A column's distinct values are written once each: 1, 1.0 and True are one key to a
    dict, and must not come out as whichever came first."""
    from hmsxl import labels
    from hmsxl.sheetrows import rows_xml

    styles = {"num": 1, "dec": 2, "text": 3, "plain": 4, "date": 5}
    rows = [(1,), (True,), (1.5,), (None,), ("1",), (1,)]
    xml = rows_xml(0, rows, ["auto"], [10], styles).decode()
    assert xml.count('s="1"><v>1</v>') == 2 and f"<t>{labels.REPORT['yes']}</t>" in xml
    assert 's="2"><v>1.5</v>' in xml and '<c r="A4"' not in xml and '<c r="A5" s="3" t="inlineStr"><is><t>1</t>' in xml


def test_a_total_says_how_many_answers_it_could_not_add(unit, tmp_path):
    """Words, and a number the reader reports as out of range («-3» appraisals), are not
    added up: they are counted beside the sum."""
    fills = {sid: {"annual": {"employees": {"answer": n}}}
             for sid, n in (("samling", 12), ("drift", 30), ("adm", 5), ("formidling", 7))}

    def edit(sid, wb):
        if sid in ("adm", "formidling"):
            ws = wb["Årsrapport"]
            cell = next(c for row in ws.iter_rows() for c in row if c.value in (5, 7))
            cell.value = "ca. fem" if sid == "adm" else -3

    result = consolidate([returned(unit, tmp_path, fills, edit)], config=unit, today=TODAY)
    ws = openpyxl.load_workbook(report(result, tmp_path))["Årsrapport"]
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    employees = next(r for r in rows if r[1] == "Antall ansatte i seksjonen")
    assert employees[rows[0].index("Sum / fordeling")] == "42 (+2 svar som ikke er gyldige antall: se Problemer)"
    assert "ca. fem" in employees and -3 in employees


def test_two_sections_of_one_name_keep_a_row_each_in_the_wheel_grid(unit, tmp_path):
    # Without unit.toml each file names its own section: two may share a name.
    twin = dataclasses.replace(unit, sections=tuple(
        dataclasses.replace(s, name="Driften") if s.id in ("drift", "adm") else s for s in unit.sections))
    fills = {"drift": {"wheel": {"vernerunde": {"status": "Gjennomført"}}},
             "adm": {"wheel": {"vernerunde": {"status": "Ikke aktuelt"}}}}
    folder = tmp_path / "svar"
    generate(twin, folder, sections=list(fills), fills=fills, force=True)
    result = consolidate([folder], today=TODAY)
    ws = openpyxl.load_workbook(report(result, tmp_path))["Årshjul"]
    header = [c.value for c in ws[4]]
    col = header.index("Vernerunde") + 1
    grid = [(ws.cell(r, 1).value, ws.cell(r, col).value) for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value]
    assert grid == [("Driften", "Ikke aktuelt"), ("Driften", "Gjennomført")]


def test_an_overdue_action_with_a_status_not_in_the_list_says_why_in_forfalt(unit, tmp_path):
    def edit(sid, wb):
        wb["Handlingsplan"]["H5"] = "Halvveis"

    late = {**ACTION, "deadline": dt.date(YEAR, 2, 1)}
    result = consolidate([returned(unit, tmp_path, {"drift": {"actions": [late]}}, edit)], config=unit, today=TODAY)
    (row,) = sheet_rows(report(result, tmp_path), "Forfalt")
    assert row["Status"] == "Halvveis" and row["Feil i raden"] == "Status"


def test_without_unit_toml_next_years_blank_workbooks_are_not_newer_answers(unit, tmp_path):
    folder = returned(unit, tmp_path, {"drift": {"actions": [ACTION]}, "adm": {"actions": [ACTION]}})
    next_year = dataclasses.replace(unit, year=YEAR + 1, return_deadline=dt.date(YEAR + 1, 12, 1))
    generate(next_year, tmp_path / "neste", sections=["drift"])  # generated later: a newer save
    result = consolidate([folder, tmp_path / "neste"], today=TODAY)
    assert len(result.actions) == 2 and result.year == YEAR
    blank = result.sources.set_index("file").loc[f"neste/{YEAR + 1}-drift.xlsx"]
    assert blank["status"] == "avvist" and f"{YEAR + 1}" in blank["reason"] and "de fleste" in blank["reason"]


def test_rows_written_in_many_pieces_give_the_same_report_as_in_one(unit, tmp_path, monkeypatch):
    """The rows are rendered a piece at a time, each deflated while the next is made: cut
    every few rows, the report is byte for byte what one piece per sheet gives."""
    from hmsxl import report as report_module
    from hmsxl.sheetrows import rows_xml

    fills = {s.id: {"actions": [dict(ACTION, challenge=f"Utfordring {s.id} {i}") for i in range(7)]}
             for s in unit.sections}
    result = consolidate([returned(unit, tmp_path, fills)], config=unit, today=TODAY)
    whole = report_module.build_report(result)
    rendered = []
    monkeypatch.setattr(report_module, "rows_xml", lambda first, rows, *a: rendered.append(len(rows))
                        or rows_xml(first, rows, *a))
    monkeypatch.setattr(report_module, "PIECE_ROWS", 3)
    assert report_module.build_report(result) == whole
    assert max(rendered) == 3 and sum(rendered) >= 7 * len(unit.sections)
    rows = sheet_rows(report(result, tmp_path), "Handlingsplan")
    typed = [v for r in rows for v in r.values() if str(v).startswith("Utfordring ")]
    assert len(set(typed)) == len(typed) == 7 * len(unit.sections)


def test_no_csv_field_starts_a_formula_when_excel_splits_at_semicolons(unit, tmp_path):
    """Excel with Norwegian or Danish settings splits a .csv at ";": a leader's «Se
    notat;=1+2» would there be a cell of its own, and a formula, and a line of a comment a
    row of its own. No piece is one, whether the line is split at "," or at ";"; the
    leader's words are all still there."""
    from hmsxl.report import FORMULA_START

    said = ['Se notat;=1+2;', 'Se lenke;=HYPERLINK("http://example.org/x";"klikk")', 'a;"@SUM(1)"', "b;;-3+4",
            "Plan:\n=1+2\n- bytte lamper"]  # a line break ends the row where the field is not quoted
    fills = {"drift": {"actions": [dict(ACTION, challenge=f"Utfordring {i}", comment=text)
                                   for i, text in enumerate(said)]}}
    result = consolidate([returned(unit, tmp_path, fills)], config=unit, today=TODAY)
    result.to_csv(tmp_path / "csv")
    text = (tmp_path / "csv" / "actions.csv").read_text(encoding="utf-8-sig")
    for delimiter in (",", ";"):
        for row in csv.reader(text.splitlines(), delimiter=delimiter):
            for field in row:
                assert not field.strip('"').startswith(FORMULA_START), (delimiter, field)
    comments = [r["comment"] for r in csv.DictReader(text.splitlines(keepends=True))]
    for words in said:
        assert any(words.replace(";", "") == c.replace(";", "").replace("'", "") for c in comments), words


def test_a_problems_text_longer_than_a_cell_is_said_to_be_cut(unit, tmp_path):
    """The words past the problems listed are kept in one problem; longer than a cell holds,
    its cell in Problemer is cut with the mark, and a problem says so (the CSV has it all)."""
    def notes(sid, wb):
        for r in range(5, 1005):
            wb["Handlingsplan"][f"R{r}"] = f"Notat {r} " + "x" * 90

    result = consolidate([returned(unit, tmp_path, {"drift": {"actions": [ACTION]}}, notes)], config=unit, today=TODAY)
    rows = sheet_rows(report(result, tmp_path), "Problemer")
    (cut,) = [r for r in rows if r["Kode"] == "text_cut"]
    assert cut["Ark"] == "Problemer"
    (whole,) = [r for r in rows if r["Kode"] == "problems_left_out"]
    assert cut["Celle"] == f"G{4 + 1 + rows.index(whole)}" and whole["Verdi"].endswith(labels.REPORT["cut_mark"])
    result.to_csv(tmp_path / "csv")
    with open(tmp_path / "csv" / "problems.csv", encoding="utf-8-sig") as fh:
        (left,) = [r for r in csv.DictReader(fh) if r["code"] == "problems_left_out"]
    assert "Notat 1004" in left["value"]


def test_an_open_finding_the_risk_matrix_cannot_place_is_said_under_it(unit, tmp_path):
    findings = [{"area": "Kjøkken", "finding": "Glatt gulv", "probability": 6, "consequence": 3},
                {"area": "Lager", "finding": "Tunge esker", "probability": 2, "consequence": 3},
                {"area": "Gang", "finding": "Løs list", "probability": None, "consequence": 2,
                 "closed": dt.date(YEAR, 5, 1)}]  # closed: not in the matrix anyway
    result = consolidate([returned(unit, tmp_path, {"drift": {"safety_round": findings}})], config=unit, today=TODAY)
    ws = openpyxl.load_workbook(report(result, tmp_path))["Risikomatrise"]
    said = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "matrisen" in c.value]
    assert said == ["1 åpent funn står ikke i matrisen: sannsynlighet eller konsekvens mangler eller er ugyldig "
                    "(se Vernerunder)."]


def test_a_table_too_wide_for_one_page_prints_pages_wide_with_whose_rows_they_are(unit, tmp_path):
    """The joint action plan on one A4 page was type too small to read: three pages wide,
    the section's columns on each. A narrow list stays one page wide."""
    result = consolidate([returned(unit, tmp_path, {"drift": {"actions": [ACTION]}})], config=unit, today=TODAY)
    wb = openpyxl.load_workbook(report(result, tmp_path))
    plan, missing = wb["Handlingsplan"], wb["Mangler"]
    assert (plan.page_setup.fitToWidth, plan.page_setup.orientation, plan.print_title_cols) == (3, "landscape", "$A:$C")
    assert wb["Kilder"].print_title_cols == "$A:$A"  # the file on every page of the list of files
    assert plan.print_title_rows == "$4:$4"
    assert missing.page_setup.fitToWidth in (None, 1) and missing.print_title_cols is None  # 1 is the default, left out
