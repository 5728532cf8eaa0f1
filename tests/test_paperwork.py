"""The rounds' paperwork: vernerunde findings, brannvernrunder, risk factors and sign-off.

Three sections fill their workbooks through LibreOffice and save them as xlsx, ods and
xls; the report must show what they typed (the findings with their risk, the risk matrix,
the brannvern grid, the overview's columns) and flag exactly the inconsistencies planted:
a proposal the plan does not take up, a high risk left open past its deadline, a round
done in the årshjul but not recorded (and the reverse), a priority far from its factors.
"""

import datetime as dt
import tomllib

import openpyxl
import pytest

from hmsxl import consolidate, generate
from hmsxl.config import example_config_text, parse_config
from hmsxl.schema import ANNUAL_ITEMS

from conftest import GENERATED_AT, YEAR
from ooxml_check import check_package

pytestmark = pytest.mark.libreoffice

TODAY = dt.date(YEAR, 10, 1)
H, W, V, B, A = "Handlingsplan", "Årshjul", "Vernerunde", "Brannvernrunder", "Årsrapport"
# What every answer has in a workbook this early in the year: notes, not problems.
BASELINE = {"wheel_not_done", "godbht_empty", "sheet_empty"}  # notes any half-filled workbook has


def s(sheet, cell, value, typ="string"):
    return {"op": "set", "sheet": sheet, "cell": cell, "value": value, "type": typ}


def d(sheet, cell, day):
    return s(sheet, cell, day.isoformat(), "date")


def annual(key):
    return f"D{5 + [it.key for it in ANNUAL_ITEMS].index(key)}"


def action(row, challenge, measure, priority="Høy", deadline=dt.date(YEAR, 12, 1)):
    return [s(H, f"A{row}", "Vernerunde/brannvernrunde"), s(H, f"B{row}", challenge), s(H, f"D{row}", measure),
            s(H, f"E{row}", priority), s(H, f"F{row}", "Leder"), d(H, f"G{row}", deadline),
            s(H, f"H{row}", "Påbegynt")]


@pytest.fixture(scope="module")
def returned(lo_fill, tmp_path_factory):
    unit = parse_config(tomllib.loads(example_config_text(YEAR)), source="unit.toml")
    tmp = tmp_path_factory.mktemp("paperwork")
    sent = dict(zip(("samling", "drift", "adm"),
                    generate(unit, tmp / "sent", sections=["samling", "drift", "adm"], generated_at=GENERATED_AT)))
    wheel = openpyxl.load_workbook(sent["samling"])[W]
    row = {wheel.cell(r, 1).value: r for r in range(5, 40) if wheel.cell(r, 1).value}
    fire = {f"brannvernrunde-k{q}": 4 + q for q in range(1, 5)}  # the brannvern sheet's rows
    done = "Gjennomført"
    jobs = {
        # Careful, but one finding's proposal is not in the plan, and the serious one is late.
        "samling": [
            s(V, "A5", "Lager"), s(V, "B5", "Blokkert rømningsvei ved lageret"), s(V, "C5", 4, "number"),
            s(V, "D5", 5, "number"), s(V, "F5", "Rydde rømningsveien"), s(V, "G5", "Vaktmester"),
            d(V, "H5", dt.date(YEAR, 8, 1)),
            s(V, "A6", "Kontor"), s(V, "B6", "Løse ledninger over gulvet"), s(V, "C6", 2, "number"),
            s(V, "D6", 2, "number"), s(V, "F6", "Kabelkanal langs veggen"), d(V, "I6", dt.date(YEAR, 9, 1)),
            # Not in the plan either, and still open: this one is flagged, the closed one above not.
            s(V, "A7", "Kjøkken"), s(V, "B7", "Glatt gulv ved oppvaskmaskinen"), s(V, "C7", 1, "number"),
            s(V, "D7", 1, "number"), s(V, "F7", "Sklisikre matter"),
            *action(5, "Blokkert rømningsvei ved lageret", "Rydde rømningsveien"),
            s(W, f"H{row['vernerunde']}", done), d(W, f"G{row['vernerunde']}", dt.date(YEAR, 6, 10)),
            s(W, f"H{row['brannvernrunde-k1']}", done), s(W, f"H{row['brannvernrunde-k2']}", done),
            d(B, f"D{fire['brannvernrunde-k1']}", dt.date(YEAR, 3, 20)), s(B, f"E{fire['brannvernrunde-k1']}", "Ola"),
            s(B, f"F{fire['brannvernrunde-k1']}", "Ja"), s(B, f"G{fire['brannvernrunde-k1']}", "Nei"),
            s(A, annual("safety_round_held"), "Ja"), d(A, annual("safety_round_date"), dt.date(YEAR, 6, 10)),
            s(A, annual("signed_leader"), "Siri Samling"), d(A, annual("signed_leader_date"), dt.date(YEAR, 9, 30)),
            s(A, annual("signed_vo"), "Vidar Vern"), d(A, annual("signed_vo_date"), dt.date(YEAR, 9, 30)),
        ],
        # The round done in the wheel, recorded nowhere; a fire round recorded, though the
        # wheel says it does not apply.
        "drift": [
            s(W, f"H{row['vernerunde']}", done), s(W, f"H{row['brannvernrunde-k1']}", "Ikke aktuelt"),
            d(B, f"D{fire['brannvernrunde-k1']}", dt.date(YEAR, 3, 25)), s(B, f"F{fire['brannvernrunde-k1']}", "Nei"),
            s(A, annual("signed_leader"), "Dina Drift"),
        ],
        # A priority far from what its factors say.
        "adm": [
            *action(5, "Tunge løft i arkivet", "Løftehjelpemidler", priority="Lav"),
            s(H, "K5", 3, "number"), s(H, "L5", 3, "number"), s(H, "M5", 3, "number"),
        ],
    }
    formats = {"samling": ("xlsx", "Calc MS Excel 2007 XML"), "drift": ("ods", "calc8"), "adm": ("xls", "MS Excel 97")}
    back = tmp / "back"
    back.mkdir()
    # Each also as xlsx aside, to see what LibreOffice computed (an .xls file's cached text
    # results are not read back reliably).
    lo_fill([{"input": str(sent[sid]), "ops": ops,
              "outputs": [[str(back / f"{sid}.{formats[sid][0]}"), formats[sid][1]],
                          [str(tmp / f"computed-{sid}.xlsx"), "Calc MS Excel 2007 XML"]]}
             for sid, ops in jobs.items()], tmp)
    result = consolidate([back], config=unit, today=TODAY)
    return result, back, result.write_excel(tmp / "rapport.xlsx")


def test_the_planted_inconsistencies_are_found_and_nothing_else(returned):
    result, _, _ = returned
    p = result.problems
    found = {(sid, code, cell) for sid, code, cell in zip(p["section_id"], p["code"], p["cell"])
             if code not in BASELINE}
    assert found == {
        ("samling", "high_risk_overdue", "H5"),
        ("samling", "finding_no_action", "F7"),
        ("samling", "fire_round_not_recorded", "D6"),  # k2 done in the wheel, no date
        ("drift", "safety_round_not_recorded", f"H{_wheel_row(result, 'vernerunde')}"),
        ("drift", "fire_round_not_in_wheel", "D5"),
        ("adm", "priority_far", "E5"),
        ("drift", "signoff_incomplete", annual("signed_leader_date")),  # a name, no date
    }


def test_the_findings_reach_the_report_with_their_risk(returned):
    result, _, path = returned
    assert check_package(path) == []
    wb = openpyxl.load_workbook(path)
    rows = _table(wb["Vernerunder"])
    assert [(r["Funn"], r["Risiko"], r["Risikonivå"], r["Åpent"], r["Forfalt"]) for r in rows] == [
        ("Blokkert rømningsvei ved lageret", 20, "Høy", "Ja", "Ja"),
        ("Løse ledninger over gulvet", 4, "Lav", "Nei", "Nei"),
        ("Glatt gulv ved oppvaskmaskinen", 1, "Lav", "Ja", "Nei"),
    ]
    # High risk is red where LAMU reads the list too.
    ws = wb["Vernerunder"]
    level = next(c.column_letter for c in ws[4] if c.value == "Risikonivå")
    rules = {(str(cf.sqref), rule.formula[0]) for cf in ws.conditional_formatting for rule in cf.rules}
    assert (f"{level}5:{level}7", '"Høy"') in rules
    matrix = wb["Risikomatrise"]
    grid = {(matrix.cell(r, 1).value, matrix.cell(4, c).value): matrix.cell(r, c).value
            for r in range(5, 10) for c in range(2, 7)}
    assert grid[4, 5] == 1 and grid[1, 1] == 1 and sum(v or 0 for v in grid.values()) == 2  # open findings only


def test_the_fire_rounds_grid_and_the_overview(returned):
    result, _, path = returned
    wb = openpyxl.load_workbook(path)
    fire = wb["Brannvernrunder"]
    header = [c.value for c in fire[4]]
    cells = {fire.cell(r, 1).value: dict(zip(header, [c.value for c in fire[r]])) for r in range(5, fire.max_row + 1)}
    q1, q2, q4 = (f"Brannvernrunde, {q}. kvartal" for q in (1, 2, 4))
    assert cells["Samlingsseksjonen"][q1] == "Gjennomført 20.03.2026\navvik, ikke meldt"
    assert cells["Samlingsseksjonen"][q2] == "Mangler" and cells["Samlingsseksjonen"][q4] == "Ikke gjennomført ennå"
    assert cells["Drift og sikkerhet"][q1] == "Gjennomført 25.03.2026"
    ov = {r["Seksjon-ID"]: r for r in _table(wb["Oversikt"]) if r.get("Seksjon-ID")}
    samling, drift = ov["samling"], ov["drift"]
    assert (samling["Vernerunde holdt"], samling["Åpne funn"], samling["Åpne funn med høy risiko"]) == ("Ja", 2, 1)
    assert (samling["Brannvernrunder gjennomført"], samling["Brannvernrunder med frist passert"]) == (1, 3)
    assert (samling["Signert av leder"], samling["Gjennomgått med verneombud"]) == ("Ja", "Ja")
    assert (drift["Signert av leder"], drift["Gjennomgått med verneombud"], drift["Åpne funn"]) == ("Nei", "Nei", 0)
    assert drift["Vernerunde holdt"] == "Ja"  # not answered in the year report; done in the årshjul
    # A section that did not answer has not said no.
    silent = [r for r in ov.values() if r["Svart"] == "Nei"]
    assert silent and all(r["Signert av leder"] is None and r["Vernerunde holdt"] is None for r in silent)


def test_the_workbook_computes_the_risk_and_the_suggested_priority_as_hmsxl_does(returned):
    result, back, _ = returned
    computed = back.parent
    wb = openpyxl.load_workbook(computed / "computed-samling.xlsx", data_only=True)  # as LibreOffice computed them
    assert wb[V]["E5"].value == 20 and wb[V]["E6"].value == 4
    adm = openpyxl.load_workbook(computed / "computed-adm.xlsx", data_only=True)[H]
    assert adm["N4"].value == "Foreslått prioritet" and adm["N5"].value == "Høy"
    # hmsxl computes the same from the values read back from the .xls file.
    actions = result.actions
    row = actions[(actions["section_id"] == "adm")].iloc[0]
    assert row["suggested_priority"] == "Høy" and row["priority"] == "Lav"


def _wheel_row(result, key):
    w = result.wheel
    return int(w.loc[(w["section_id"] == "drift") & (w["key"] == key), "source"].iloc[0].split("!")[1][1:])


def _table(ws, header_row=4):
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def test_a_report_in_another_language_reads_the_rounds_as_the_workbooks_wrote_them(returned, tmp_path):
    from hmsxl import labels

    _, back, _ = returned
    with labels.language("en"):
        path = consolidate([back], today=TODAY).write_excel(tmp_path / "report.xlsx")
    fire = openpyxl.load_workbook(path)["Fire safety rounds"]
    samling = next(row for row in fire.iter_rows(min_row=5, values_only=True) if row[0] == "Samlingsseksjonen")
    assert "Done 20.03.2026\ndeviations, not reported" in samling


def test_the_lamu_meeting_is_in_the_report_in_the_right_tense(returned, tmp_path):
    import dataclasses

    _, back, _ = returned
    unit = dataclasses.replace(parse_config(tomllib.loads(example_config_text(YEAR)), source="unit.toml"),
                               lamu_meeting=dt.date(YEAR, 12, 15))
    for today, said in ((TODAY, "Behandles i LAMU 15.12.2026."), (dt.date(YEAR, 12, 20), "Behandlet i LAMU 15.12.2026.")):
        path = consolidate([back], config=unit, today=today).write_excel(tmp_path / f"r-{today}.xlsx")
        assert said in openpyxl.load_workbook(path)["Oversikt"]["A2"].value


def test_the_terminal_names_the_sections_with_serious_findings_left_open(returned, tmp_path):
    from click.testing import CliRunner

    from hmsxl.cli import main

    _, back, _ = returned
    config = tmp_path / "unit.toml"
    config.write_text(example_config_text(YEAR), encoding="utf-8")
    result = CliRunner().invoke(main, ["consolidate", str(back), "-o", str(tmp_path / "r.xlsx"), "--config",
                                       str(config), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Funn fra vernerunden med høy risiko, åpne etter fristen: Samlingsseksjonen (1)" in result.output
