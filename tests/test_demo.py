"""hmsxl demo: the whole cycle in one folder, offline, touching nothing outside it."""

import datetime as dt
import os

import openpyxl
from click.testing import CliRunner

from hmsxl.cli import main
from hmsxl.demo import MISSING, TWICE, run_demo


def test_demo_runs_the_cycle_inside_its_folder(tmp_path):
    before = set(os.listdir(tmp_path))
    result = run_demo(tmp_path / "demo", today=dt.date(2026, 10, 1))
    assert set(os.listdir(tmp_path)) == before | {"demo"}
    names = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert names == ["lamu-rapport-2026.xlsx", "returned", "unit.toml", "workbooks"]
    assert len(result.workbooks) == 6
    c = result.consolidation
    ov = c.overview.set_index("section_id")
    assert not ov.loc[MISSING, "answered"] and ov["answered"].sum() == 5
    assert list(c.missing["section_id"]) == [MISSING]
    assert (c.sources["status"] == "duplikat").sum() == 1
    assert c.sources[c.sources["status"] == "duplikat"]["section_id"].tolist() == [TWICE]
    assert c.reconciliation["balanced"] and c.reconciliation["rows_rejected"] == 2
    codes = set(c.problems["code"])
    assert {"not_a_date", "not_in_list_suggest", "out_of_range", "date_from_text", "choice_corrected", "choice_by_meaning", "overdue"} <= codes
    assert c.sources["sender"].str.contains("@example.no").any()  # the e-mailed answer
    assert openpyxl.load_workbook(result.report).sheetnames[0] == "Oversikt"
    # One section's vernerunde found a serious risk, still open past its deadline.
    (late,) = c.problems[c.problems["code"] == "high_risk_overdue"].itertuples()
    answering = [s.id for s in c.unit.sections if s.id != MISSING]
    assert (late.section_id, late.sheet, late.cell) == (answering[1], "Vernerunde", "H5")
    assert late.field == "Manglende rekkverk i trappen til kjelleren"
    findings = c.tables["safety_round"]
    (level,) = findings.loc[(findings["section_id"] == late.section_id)
                            & (findings["source"] == f"Vernerunde!{late.cell.replace('H', 'A')}"), "risk_level"]
    assert level == "Høy"
    assert ov.loc[late.section_id, "findings_high"] == 1
    assert c.serious_findings() == {ov.loc[late.section_id, "section"]: 1}  # and the terminal says so


def test_demo_command_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "mine.txt").write_text("keep")
    runner = CliRunner()
    refused = runner.invoke(main, ["demo", str(tmp_path / "x")])
    assert refused.exit_code == 1 and "er ikke tom" in refused.output
    ok = runner.invoke(main, ["demo", str(tmp_path / "x"), "--force"])
    assert ok.exit_code == 0, ok.output
    assert "LAMU-rapport" in ok.output and "Ikke svart: Administrasjonen" in ok.output
    # The leader's value is said once on its line, not also before a message that quotes it.
    (line,) = [line for line in ok.output.splitlines() if "Handlingsplan!H6" in line]
    assert line.count("«Påbgynt»") == 1 and "Mente du «Påbegynt»?" in line
    assert (tmp_path / "x" / "mine.txt").read_text() == "keep"
