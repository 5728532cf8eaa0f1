"""hmsxl consolidate: the LAMU report from real returns, numbers checked against what was filled in."""

import csv
import datetime as dt
import email.message
import shutil
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from hmsxl import consolidate, generate
from hmsxl.cli import main
from hmsxl.simulate import simulated_fill

from conftest import GENERATED_AT, YEAR
from zipparts import pack, saved_at

TODAY = dt.date(YEAR, 6, 1)


def overdue_count(actions, unit):
    return sum(1 for a in actions if a["deadline"] < TODAY and a["status"] not in unit.done_statuses)


@pytest.fixture(scope="module")
def returns(tmp_path_factory, lo_fill):
    """Returned files as an advisor gets them: LibreOffice-saved, .ods, in a mail, a duplicate,
    a broken file, a stray note; one section (adm) has not answered."""
    import tomllib

    from hmsxl.config import example_config_text, parse_config

    unit = parse_config(tomllib.loads(example_config_text(YEAR)), source="unit.toml")
    tmp = tmp_path_factory.mktemp("returns")
    fills = {sid: simulated_fill(unit, sid, seed=3) for sid in ("samling", "formidling", "drift")}
    sent = generate(unit, tmp / "sent", sections=list(fills), fills=fills, generated_at=GENERATED_AT)
    by_id = {p.name.split("-", 1)[1][:-5]: p for p in sent}
    back = tmp / "returned"
    (back / "mail").mkdir(parents=True)
    jobs = [
        # samling: a wrong status typed past the validation, saved as .ods.
        {"input": str(by_id["samling"]), "outputs": [[str(back / "samling-svar.ods"), "calc8"]],
         "ops": [{"op": "set", "sheet": "Handlingsplan", "cell": "H5", "value": "ferdig"}]},
        # formidling: saved by LibreOffice, returned by e-mail below.
        {"input": str(by_id["formidling"]), "outputs": [[str(tmp / "formidling.xlsx"), "Calc MS Excel 2007 XML"]],
         "ops": []},
        # drift: a newer version with one more action; the older one is returned too.
        {"input": str(by_id["drift"]), "outputs": [[str(back / "Handlingsplan.xlsx"), "Calc MS Excel 2007 XML"]],
         "ops": [{"op": "set", "sheet": "Handlingsplan", "cell": f"{col}{5 + len(fills['drift']['actions'])}",
                  "value": value, "type": typ} for col, value, typ in (
             ("A", "Annet", "string"), ("B", "=HYPERLINK(\"http://example.org\")", "string"),
             ("D", "Nytt tiltak", "string"), ("E", "Lav", "string"), ("F", "Leder", "string"),
             ("G", f"{YEAR}-03-01", "date"), ("H", "Påbegynt", "string"))]},
    ]
    lo_fill(jobs, tmp)
    shutil.copy(by_id["drift"], back / "drift-gammel.xlsx")
    msg = email.message.EmailMessage()
    msg["From"] = "Frode Formidler <frode.formidler@example.no>"
    msg["To"] = "hms@example.no"
    msg["Subject"] = "SV: HMS 2026"
    msg["Date"] = "Mon, 01 Jun 2026 10:00:00 +0200"
    msg.set_content("Her er arbeidsboka.")
    msg.add_attachment((tmp / "formidling.xlsx").read_bytes(), maintype="application",
                       subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="Handlingsplan.xlsx")
    (back / "mail" / "svar.eml").write_bytes(msg.as_bytes())
    (back / "broken.xlsx").write_bytes(by_id["samling"].read_bytes()[:3000])
    (back / "notater.txt").write_text("husk å purre")
    return unit, fills, back


@pytest.fixture(scope="module")
def result(returns):
    unit, fills, back = returns
    return consolidate([back], config=unit, today=TODAY)


pytestmark = pytest.mark.libreoffice


def test_overview_numbers_match_what_was_filled_in(returns, result):
    unit, fills, back = returns
    ov = result.overview.set_index("section_id")
    assert list(ov.index) == ["samling", "formidling", "drift", "adm"]
    assert list(ov["answered"]) == [True, True, True, False]
    drift_actions = fills["drift"]["actions"]
    assert ov.loc["samling", "actions"] == len(fills["samling"]["actions"])
    assert ov.loc["drift", "actions"] == len(drift_actions) + 1  # the newer file was used
    for sid in ("formidling", "drift"):
        statuses = [a["status"] for a in fills[sid]["actions"]]
        assert ov.loc[sid, "completed"] == statuses.count("Iverksatt")  # not «Avbrutt», which also closes
        assert ov.loc[sid, "cancelled"] == statuses.count("Avbrutt")
    expected_overdue = overdue_count(fills["formidling"]["actions"], unit)
    assert ov.loc["formidling", "overdue"] == expected_overdue
    assert ov.loc["drift", "overdue"] == overdue_count(drift_actions, unit) + 1  # the new action is late
    levels = [v for e in fills["formidling"]["godbht"].values() for v in (e["level_bht"], e["level_org"])]
    assert ov.loc["formidling", "godbht_mean"] == pytest.approx(sum(levels) / len(levels))
    assert ov.loc["formidling", "godbht_filled"] == 30
    # «ferdig» in H5, read as «Iverksatt»: a warning, counted done, not an error.
    statuses = [a["status"] for a in fills["samling"]["actions"]]
    assert ov.loc["samling", "errors"] == 0 and ov.loc["samling", "warnings"] >= 1
    assert ov.loc["samling", "completed"] == statuses[1:].count("Iverksatt") + 1
    assert ov.loc["formidling", "file"].endswith("svar.eml → Handlingsplan.xlsx")


def test_missing_sources_and_duplicates(result):
    assert list(result.missing["section_id"]) == ["adm"]
    src = result.sources.set_index(result.sources["file"].str.rsplit("/", n=1).str[-1])
    assert src.loc["drift-gammel.xlsx", "status"] == "duplikat"
    assert "Handlingsplan.xlsx" in src.loc["drift-gammel.xlsx", "reason"]
    assert src.loc["Handlingsplan.xlsx", "status"] == "brukt"
    assert src.loc["broken.xlsx", "status"] == "avvist" and "skadet" in src.loc["broken.xlsx", "reason"]
    assert src.loc["notater.txt", "status"] == "hoppet over"
    mail = src.loc["svar.eml → Handlingsplan.xlsx"]
    assert mail["sender"] == "Frode Formidler <frode.formidler@example.no>" and len(mail["sha256"]) == 64


def test_nothing_lost_rows_reconcile(returns, result):
    unit, fills, back = returns
    rec = result.reconciliation
    old = len(fills["drift"]["actions"])
    assert rec["rows_read"] == sum(len(f["actions"]) for f in fills.values()) + 1 + old
    assert rec["rows_rejected"] == old and rec["balanced"]
    assert rec["rows_read"] == rec["rows_reported"] + rec["rows_rejected"]
    for key, t in rec["tables"].items():
        assert t["read"] == t["reported"] + t["rejected"], key
    # The older duplicate's rows are listed with their values: its actions, and the keyed
    # rows its leader wrote in (årshjul, God BHT, årsrapport).
    rejected = result.problems[result.problems["code"] == "row_rejected"]
    assert rejected["file"].str.endswith("drift-gammel.xlsx").all()
    assert (rejected["sheet"] == "Handlingsplan").sum() == old
    assert {"Årshjul", "God BHT", "Årsrapport"} <= set(rejected["sheet"])


def test_problems_from_every_file(result):
    p = result.problems
    # «ferdig» is no status, but it means one: the one the unit's lists say is done. Read
    # as that, the leader's word kept beside it; not overdue, not carried over.
    meant = p[(p["code"] == "choice_by_meaning") & (p["section_id"] == "samling")]
    assert list(meant["cell"]) == ["H5"] and list(meant["value"]) == ["ferdig"]
    assert list(meant["severity"]) == ["warning"] and "«Iverksatt»" in meant["message"].iloc[0]
    a = result.actions
    (row,) = a[(a["section_id"] == "samling") & a["source"].str.endswith("5") & a["original"].notna()].itertuples()
    assert row.status == "Iverksatt" and "«ferdig»" in row.original and not row.overdue
    broken = p[p["file"].str.endswith("broken.xlsx")]
    assert list(broken["severity"]) == ["error"]


def test_wheel_godbht_and_annual(returns, result):
    unit, fills, back = returns
    w = result.wheel[result.wheel["section_id"] == "formidling"].set_index("key")
    for key, values in fills["formidling"]["wheel"].items():
        assert (w.loc[key, "state"] == "Gjennomført") == (values["status"] == "Gjennomført")
        assert w.loc[key, "planned"] == values["planned"]
    due = [k for k in w.index if w.loc[k, "due"] <= TODAY]
    ov = result.overview.set_index("section_id")
    assert ov.loc["formidling", "wheel_due"] == len(due)
    assert ov.loc["formidling", "wheel_done"] == sum(w.loc[k, "state"] == "Gjennomført" for k in due)
    g = result.godbht.set_index("key")
    used = [fills["samling"], fills["formidling"]]  # drift's newer file has the same levels
    for key in ("e01", "e08", "e15"):
        values = [f["godbht"][key]["level_bht"] for f in used] + [fills["drift"]["godbht"][key]["level_bht"]]
        assert g.loc[key, "mean_bht"] == pytest.approx(sum(values) / 3)
        assert g.loc[key, "spread_bht"] == max(values) - min(values)
    a = result.annual[result.annual["key"] == "focus_next"].set_index("section_id")
    assert a.loc["drift", "answer"] == fills["drift"]["annual"]["focus_next"]["answer"]


def test_report_workbook(result, tmp_path):
    path = result.write_excel(tmp_path / "rapport.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Oversikt", "Handlingsplan", "Forfalt", "Årshjul", "Årshjul-aktiviteter", "Vernerunder",
                             "Risikomatrise", "Brannvernrunder", "Brannvernrunder-rader", "God BHT",
                             "God BHT per seksjon", "Årsrapport", "Problemer", "Mangler", "Kilder"]
    ws = wb["Handlingsplan"]
    assert len(ws.tables) == 1
    assert ws.max_row - 4 == len(result.actions)
    evil = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert evil and all(c.data_type == "s" for c in evil)
    assert wb["Mangler"]["A5"].value == "adm"
    assert wb["Forfalt"].max_row - 4 == len(result.overdue)
    # The same inputs give the same bytes.
    again = result.write_excel(tmp_path / "igjen.xlsx")
    assert again.read_bytes() == path.read_bytes()
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None


def test_report_opens_in_libreoffice(result, soffice, tmp_path):
    path = result.write_excel(tmp_path / "rapport.xlsx")
    out = soffice("--convert-to", "pdf", "--outdir", tmp_path, path)
    assert out.returncode == 0 and (tmp_path / "rapport.pdf").read_bytes().startswith(b"%PDF")


def test_cli_consolidate_with_csv(returns, tmp_path):
    unit, fills, back = returns
    config = tmp_path / "unit.toml"
    from hmsxl.config import example_config_text

    config.write_text(example_config_text(YEAR), encoding="utf-8")
    out = tmp_path / "rapport.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(back), "-o", str(out), "--config", str(config),
                                       "--csv", str(tmp_path / "csv"), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "3 av 4 svart" in result.output and "Ikke svart: Administrasjonen" in result.output
    strict = CliRunner().invoke(main, ["consolidate", str(back), "-o", str(out), "--strict"])
    assert strict.exit_code == 1
    with open(tmp_path / "csv" / "actions.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert any(r["challenge"] == "'=HYPERLINK(\"http://example.org\")" for r in rows)
    assert len(rows) == len(fills["samling"]["actions"]) + len(fills["formidling"]["actions"]) + \
        len(fills["drift"]["actions"]) + 1
    # The problems worst first, as in the report; a section that did not answer has no counts.
    with open(tmp_path / "csv" / "problems.csv", encoding="utf-8-sig") as fh:
        severities = [r["severity"] for r in csv.DictReader(fh)]
    rank = {"error": 0, "warning": 1, "info": 2}
    assert "error" in severities and severities == sorted(severities, key=rank.get)
    with open(tmp_path / "csv" / "overview.csv", encoding="utf-8-sig") as fh:
        overview = {r["section_id"]: r for r in csv.DictReader(fh)}
    assert overview["adm"]["actions"] == "" and overview["samling"]["actions"].isdigit()
    # Again for a unit without God BHT, into the same folder beside a file of the advisor's:
    # last export's God BHT tables are gone (they would look current), the advisor's file stays.
    (tmp_path / "csv" / "mine-notater.txt").write_text("egne notater")
    (tmp_path / "csv" / "discussion.csv").write_text("mine egne drøftinger")  # a name hmsxl may write, not written here
    config.write_text(example_config_text(YEAR).replace("[unit]\n", "[unit]\ngodbht = false\n", 1), encoding="utf-8")
    again = CliRunner().invoke(main, ["consolidate", str(back), "-o", str(out), "--config", str(config),
                                      "--csv", str(tmp_path / "csv"), "--today", TODAY.isoformat()])
    assert again.exit_code == 0, again.output
    names = {p.name for p in (tmp_path / "csv").iterdir()}
    assert "mine-notater.txt" in names and "actions.csv" in names
    assert not names & {"godbht.csv", "godbht_profile.csv"}
    assert (tmp_path / "csv" / "discussion.csv").read_text() == "mine egne drøftinger"


def test_unwritable_report_path_is_one_clear_line(tmp_path, generated):
    unit, paths = generated
    (tmp_path / "en-fil").write_text("x")
    result = CliRunner().invoke(main, ["consolidate", str(paths[0]), "-o", str(tmp_path / "en-fil" / "r.xlsx")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and "en-fil" in result.output
    nothing = CliRunner().invoke(main, ["consolidate", str(tmp_path / "tom"), "-o", str(tmp_path / "r.xlsx")])
    assert nothing.exit_code == 2 and "ingen slik fil eller mappe" in nothing.output
    (tmp_path / "tom").mkdir()
    empty = CliRunner().invoke(main, ["consolidate", str(tmp_path / "tom"), "-o", str(tmp_path / "r.xlsx")])
    assert empty.exit_code == 2 and "fant ingen filer" in empty.output


def test_strict_fails_on_a_file_not_used_though_the_counts_are_oversikts(generated, tmp_path):
    """The summary counts errors as Oversikt does, in the files used; --strict still fails
    on a damaged file beside them."""
    unit, paths = generated
    back = tmp_path / "svar"
    back.mkdir()
    shutil.copy(paths[0], back / "svar.xlsx")
    (back / "skadet.xlsx").write_bytes(b"PK\x03\x04 ikke et regneark")
    args = ["consolidate", str(back), "-o", str(tmp_path / "r.xlsx"), "--today", TODAY.isoformat()]
    plain = CliRunner().invoke(main, args)
    assert plain.exit_code == 0 and "0 feil" in plain.output, plain.output
    assert CliRunner().invoke(main, [*args, "--strict"]).exit_code == 1


def test_progress_is_reported_per_file(generated):
    unit, paths = generated
    calls = []
    consolidate(paths, config=unit, today=TODAY, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, len(paths)) for i in range(1, len(paths) + 1)]


def test_an_older_file_not_used_keeps_the_words_of_the_leaders_own_column(generated, tmp_path):
    """A row whose only text is in a column the leader added is listed with it when the
    file is not used (here: a newer one came)."""
    import re

    unit, _ = generated
    (old,) = generate(unit, tmp_path / "old", sections=["samling"], generated_at=GENERATED_AT)
    with zipfile.ZipFile(old) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    part = "xl/worksheets/sheet2.xml"  # Handlingsplan
    for row, text in ((4, "Mine notater"), (5, "Husk stigen på lageret")):
        cell = f'<c r="T{row}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()
        members[part], n = re.subn(rf'(<row r="{row}"[^>]*>.*?)(</row>)'.encode(), lambda m: m.group(1) + cell + m.group(2),
                                   members[part], count=1, flags=re.S)
        assert n == 1
    back = tmp_path / "back"
    back.mkdir()
    (back / "gammel.xlsx").write_bytes(pack(members))
    later = GENERATED_AT + dt.timedelta(days=30)
    generate(unit, back / "ny", sections=["samling"], generated_at=later, fills={"samling": {"godbht": {"e01": {"level_bht": 3}}}})
    result = consolidate([back], config=unit, today=TODAY)
    rejected = result.problems[result.problems["code"] == "row_rejected"]
    assert any("Mine notater: «Husk stigen på lageret»" in v for v in rejected["value"]), list(rejected["value"])


def test_a_workbook_returned_as_it_was_sent_is_no_answer(generated, tmp_path):
    """The leader replied with the blank attachment: the section has not answered (Mangler,
    a reminder), and the file is listed with why. Sent later than the filled one, the blank
    one does not replace it."""
    unit, _ = generated
    back = tmp_path / "svar"
    generate(unit, back / "blank", sections=["drift", "adm"], generated_at=GENERATED_AT)
    (filled,) = generate(unit, back / "fylt", sections=["adm"], generated_at=GENERATED_AT,
                         fills={"adm": {"godbht": {"e01": {"level_bht": 2}}}})
    saved_at(filled, "2026-03-01T10:00:00Z")
    saved_at(back / "blank" / f"{YEAR}-adm.xlsx", "2026-05-01T10:00:00Z")
    result = consolidate([back], config=unit, today=TODAY)
    assert "drift" in set(result.missing["section_id"]) and "adm" not in set(result.missing["section_id"])
    src = result.sources.set_index("file")
    for sid in ("drift", "adm"):
        assert tuple(src.loc[f"svar/blank/{YEAR}-{sid}.xlsx", ["status", "reason"]]) == (
            "avvist", "Ingenting er fylt ut i den")
    assert src.loc[f"svar/fylt/{YEAR}-adm.xlsx", "status"] == "brukt"
    said = result.problems[result.problems["code"] == "workbook_empty"]
    assert sorted(said["section_id"]) == ["adm", "drift"]
    assert said["message"].iloc[0].startswith("Ingenting er fylt ut i arbeidsboka")


def test_of_files_saved_at_the_same_time_or_not_saying_when_the_one_most_filled_in_is_used(unit, tmp_path):
    """A draft and the final copy saved in the same second, an older save, and one that
    does not say when it was saved: the older save is older; of the others (none is known
    to be newer) the one with most in it is the answer, whatever the names. Two as full
    are told to be looked at."""
    action = {"category": "Annet", "challenge": "Trekk", "measure": "Tetting", "priority": "Lav",
              "responsible": "Leder", "deadline": dt.date(YEAR, 12, 1), "status": "Påbegynt"}

    def sent(name, n, when):
        (path,) = generate(unit, tmp_path / "laget" / name, sections=["drift"],
                           fills={"drift": {"actions": [{**action, "challenge": name}] * n}})
        (tmp_path / name).parent.mkdir(exist_ok=True)
        saved_at(path, when).rename(tmp_path / name)

    for name, n, when in (("a/endelig.xlsx", 4, "2026-05-01T10:00:00Z"), ("a/kladd.xlsx", 1, "2026-05-01T10:00:00Z"),
                          ("a/eldre.xlsx", 9, "2026-04-01T10:00:00Z"), ("a/udatert.xlsx", 6, None)):
        sent(name, n, when)
    result = consolidate([tmp_path / "a"], config=unit, today=TODAY)
    reason = result.sources.set_index("file")["reason"].to_dict()
    assert reason["a/udatert.xlsx"] == "" and len(result.actions) == 6
    tie = "Seksjonen har sendt flere filer uten en nyere lagringstid; den med mest fylt ut er brukt: a/udatert.xlsx"
    assert reason["a/endelig.xlsx"] == tie and reason["a/kladd.xlsx"] == tie
    assert reason["a/eldre.xlsx"] == "Seksjonen har sendt en nyere fil: a/udatert.xlsx"
    # As much filled in, values apart: input order chose, and Kilder says to look.
    sent("b/en.xlsx", 2, "2026-05-01T10:00:00Z"), sent("b/to.xlsx", 2, "2026-05-01T10:00:00Z")
    result = consolidate([tmp_path / "b"], config=unit, today=TODAY)
    reason = result.sources.set_index("file")["reason"].to_dict()
    assert reason["b/en.xlsx"] == ("Seksjonen har sendt flere filer uten en nyere lagringstid, like mye fylt ut; "
                                   "b/to.xlsx er brukt. Sjekk at det er den riktige")


def test_a_year_report_with_no_question_answered_is_said(unit, tmp_path):
    fills = {"drift": {"godbht": {"e01": {"level_bht": 2}}}}
    generate(unit, tmp_path / "svar", sections=["drift"], fills=fills)
    result = consolidate([tmp_path / "svar"], config=unit, today=TODAY)
    (said,) = result.problems[result.problems["code"] == "sheet_empty"].itertuples()
    assert (said.sheet, said.severity, said.message) == ("Årsrapport", "info", "Ingen av spørsmålene i arket er besvart.")
