"""Generate -> fill through LibreOffice (UNO) -> save as xlsx, ods, xls -> read back.

Every value typed is recovered, every planted mistake is reported at its cell, and
nothing else is reported.
"""

import datetime as dt

import openpyxl
import pytest

from hmsxl import read_workbook
from hmsxl.schema import ANNUAL_ITEMS

pytestmark = pytest.mark.libreoffice

TODAY = dt.date(2026, 1, 10)
FORMATS = {"xlsx": "Calc MS Excel 2007 XML", "ods": "calc8", "xls": "MS Excel 97"}


def s(sheet, cell, value, typ="string"):
    return {"op": "set", "sheet": sheet, "cell": cell, "value": value, "type": typ}


def wheel_row(path, key):
    ws = openpyxl.load_workbook(path)["Årshjul"]
    return next(r for r in range(5, 40) if ws.cell(r, 1).value == key)


def annual_row(key):
    return 5 + [it.key for it in ANNUAL_ITEMS].index(key)


@pytest.fixture(scope="module")
def returned(generated, lo_fill, tmp_path_factory):
    unit, paths = generated
    src = paths[0]  # samling
    tmp = tmp_path_factory.mktemp("roundtrip")
    vr = wheel_row(src, "vernerunde")
    k1 = wheel_row(src, "brannvernrunde-k1")
    H = "Handlingsplan"
    ops = [
        # Row 5: a clean action; the comment starts with "=" and must stay text.
        s(H, "A5", "ARK-tiltak"), s(H, "B5", "Lite informasjon om ARK-resultatene"),
        s(H, "C5", "Bedre medvirkning"), s(H, "D5", "Gjennomgang på allmøte"), s(H, "E5", "Høy"),
        s(H, "F5", "Siri Samling"), s(H, "G5", "2026-09-15", "date"), s(H, "H5", "Påbegynt"),
        s(H, "I5", "2026-10-01", "date"), s(H, "J5", "=SUM(A1) er ikke en formel"),
        # Row 6: mistakes, typed past the validation.
        s(H, "A6", "Fokusomrade"), s(H, "B6", "Tunge løft på lageret"), s(H, "D6", "Løftehjelpemidler"),
        s(H, "E6", "høy"), s(H, "G6", "31.02.2026"), s(H, "H6", "ferdig"),
        # Row 7: a date typed as text, which is read but reported.
        s(H, "A7", "Vernerunde/brannvernrunde"), s(H, "B7", "Rømningsvei sperret"),
        s(H, "D7", "Rydde korridor"), s(H, "E7", "Middels"), s(H, "F7", "Vaktmester"),
        s(H, "G7", "15.9.2026"), s(H, "H7", "Iverksatt"),
        # Then a row is inserted above row 6 and filled, and the status column moved first.
        {"op": "insert_rows", "sheet": H, "row": 6, "count": 1},
        s(H, "A6", "Annet"), s(H, "B6", "Støy i åpent landskap"), s(H, "D6", "Stillerom"),
        s(H, "E6", "Lav"), s(H, "F6", "Leder"), s(H, "G6", "2026-12-01", "date"), s(H, "H6", "Ikke påbegynt"),
        {"op": "move_column", "sheet": H, "from": 7, "to": 0},
        # Årshjul: one done, one planned date that is not a date.
        s("Årshjul", f"H{vr}", "Gjennomført"), s("Årshjul", f"G{vr}", "2026-06-20", "date"),
        s("Årshjul", f"F{k1}", "snart"),
        # God BHT: a level, a level out of range, a level typed as text.
        s("God BHT", "E5", 3, "number"), s("God BHT", "F5", 5, "number"), s("God BHT", "E6", "2"),
        s("God BHT", "G5", "Godt samarbeid"),
        # Årsrapport.
        s("Årsrapport", f"D{annual_row('fire_rounds')}", 4, "number"),
        s("Årsrapport", f"D{annual_row('safety_round_held')}", "Ja"),  # the round in the wheel, recorded
        s("Årsrapport", f"D{annual_row('last_goals_reached')}", "Delvis"),
        s("Årsrapport", f"E{annual_row('last_goals_reached')}", "Sykefraværet gikk ned"),
        s("Årsrapport", f"D{annual_row('focus_next')}", "Psykososialt arbeidsmiljø"),
        {"op": "add_sheet", "name": "Notater", "cell": "A1", "value": "Husk møtet"},
    ]
    outputs = [[str(tmp / f"Handlingsplan.{ext}"), filt] for ext, filt in FORMATS.items()]
    lo_fill([{"input": str(src), "ops": ops, "outputs": outputs}], tmp)
    return unit, {ext: tmp / f"Handlingsplan.{ext}" for ext in FORMATS}, vr, k1


EXPECTED = {
    # After the inserted row and the moved column: status is A, category B, ... deadline H.
    ("Handlingsplan", "B7", "not_in_list_suggest"),
    ("Handlingsplan", "F7", "choice_corrected"),
    ("Handlingsplan", "G7", "required"),
    ("Handlingsplan", "H7", "not_a_date"),
    ("Handlingsplan", "A7", "choice_by_meaning"),  # «ferdig»: read as the list's done status
    ("Handlingsplan", "H8", "date_from_text"),
    ("God BHT", "F5", "out_of_range"),
    ("God BHT", "E6", "number_from_text"),
    ("God BHT", "", "godbht_few"),  # three of thirty levels
    ("Notater", "", "unknown_sheet"),
    ("Årsrapport", f"D{annual_row('fire_rounds')}", "fire_rounds_count_differs"),  # four said, none dated in Brannvernrunder
}


@pytest.mark.parametrize("ext", list(FORMATS))
def test_every_planted_problem_at_its_cell_and_nothing_else(returned, ext):
    unit, files, vr, k1 = returned
    data = read_workbook(files[ext], config=unit, today=TODAY)
    found = {(p.sheet, p.cell, p.code) for p in data.problems}
    assert found == EXPECTED | {("Årshjul", f"F{k1}", "not_a_date")}, data.problems
    assert data.section_id == "samling" and data.kind == ("xls" if ext == "xls" else ext)


@pytest.mark.parametrize("ext", list(FORMATS))
def test_every_value_typed_is_recovered(returned, ext):
    unit, files, vr, k1 = returned
    data = read_workbook(files[ext], config=unit, today=TODAY)
    actions = {a["challenge"]: a for a in data.actions}
    assert len(data.actions) == 4
    clean = actions["Lite informasjon om ARK-resultatene"]
    assert clean["category"] == "ARK-tiltak" and clean["priority"] == "Høy"
    assert clean["deadline"] == dt.date(2026, 9, 15) and clean["next_review"] == dt.date(2026, 10, 1)
    assert clean["status"] == "Påbegynt" and clean["comment"] == "=SUM(A1) er ikke en formel"
    assert clean["_row"] == 5
    bad = actions["Tunge løft på lageret"]
    assert bad["category"] == "Fokusomrade" and bad["deadline"] == "31.02.2026" and bad["status"] == "Iverksatt"
    assert bad["priority"] == "Høy" and bad["_row"] == 7  # corrected, and reported
    assert bad["_orig"]["status"] == "ferdig"  # the leader's word, kept
    assert actions["Rømningsvei sperret"]["deadline"] == dt.date(2026, 9, 15)
    assert actions["Støy i åpent landskap"]["deadline"] == dt.date(2026, 12, 1)
    wheel = {w["key"]: w for w in data.wheel}
    assert wheel["vernerunde"]["status"] == "Gjennomført"
    assert wheel["vernerunde"]["done_date"] == dt.date(2026, 6, 20)
    assert wheel["brannvernrunde-k1"]["planned"] == "snart"
    gb = {g["key"]: g for g in data.godbht}
    assert (gb["e01"]["level_bht"], gb["e01"]["level_org"], gb["e02"]["level_bht"]) == (3, 5, 2)
    assert gb["e01"]["notes"] == "Godt samarbeid"
    assert data.annual["fire_rounds"]["answer"] == 4
    assert data.annual["last_goals_reached"]["answer"] == "Delvis"
    assert data.annual["last_goals_reached"]["comment"] == "Sykefraværet gikk ned"
    assert data.annual["focus_next"]["answer"] == "Psykososialt arbeidsmiljø"
