"""Annotated copies: a file that was read keeps its result whatever happens to its copy,
and every copy is one Excel opens without repair.

Each test asserts what the advisor would notice: the exit code, the file's problems
listed, the copy there (or a one-line note why not), the copy's cells and sheets, and
the input untouched.
"""

import datetime as dt
import hashlib
import os
import re

import openpyxl
import pytest
from click.testing import CliRunner

from hmsxl import labels, read_workbook, xmltext
from hmsxl.cli import main
from hmsxl.fileio import atomic_write_bytes

from conftest import YEAR
from ooxml_check import check_package
from zipparts import rewritten, saved_at

TODAY = dt.date(YEAR, 1, 10)
ACTION = {"A5": "Fokusområde", "B5": "Høyt sykefravær", "D5": "Nærværssamtaler", "E5": "Høy", "F5": "Leder",
          "G5": "31.02.2026", "H5": "Påbegynt"}  # one wrong date in G5


@pytest.fixture
def workbook(generated):
    return generated[1][0]


def returned(src, dst, cells=None, edit=None):
    """A copy of a generated workbook with an action typed in (openpyxl), as a leader returns it."""
    wb = openpyxl.load_workbook(src)
    for ref, value in {**ACTION, **(cells or {})}.items():
        wb["Handlingsplan"][ref] = value
    if edit:
        edit(wb)
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


def validate(*args):
    return CliRunner().invoke(main, ["validate", *map(str, args), "--today", TODAY.isoformat()])


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listed(result, name):
    """The file was read and its problems listed (not "cannot be read"), exit 1 for its error."""
    assert result.exit_code == 1, result.output
    assert f"{name}: samling" in result.output and "Handlingsplan!G5" in result.output
    assert "kan ikke leses" not in result.output and "Traceback" not in result.output


def annotated(path, tmp_path):
    """validate --annotate on `path`: listed as read, and its marked copy a valid package.
    (the output, the copy)"""
    out = tmp_path / "merket"
    result = validate(path, "--annotate", out)
    listed(result, path.name)
    copy = out / f"samling-{path.name}"  # headed by the section: five «Handlingsplan.xlsx» are told apart
    assert check_package(copy) == []
    return result, copy


# --------------------------------------------------------------------------- the copy never makes a file unreadable


def test_a_problem_in_merged_cells_is_marked_on_the_range(workbook, tmp_path):
    def merge(wb):
        ws = wb["Handlingsplan"]
        ws.protection.sheet = False
        ws.merge_cells("G5:H5")  # H5's status is lost: a second problem inside the range

    path = returned(workbook, tmp_path / "in" / "merged.xlsx", edit=merge)
    result, copy = annotated(path, tmp_path)
    assert "Handlingsplan!H5" in result.output
    comment = openpyxl.load_workbook(copy)["Handlingsplan"]["G5"].comment.text
    assert "Ikke en dato" in comment and "H5: Feil: Feltet «Status» må fylles ut" in comment


def test_a_control_character_in_a_value_is_shown_escaped_in_the_copy(workbook, tmp_path):
    # A soft line break from Word, as Excel stores it.
    path = returned(workbook, tmp_path / "in" / "ctrl.xlsx", {"H5": "Iverksatt_x000B_(se notat)"})
    result, copy = annotated(path, tmp_path)
    assert "Handlingsplan!H5" in result.output
    rows = list(openpyxl.load_workbook(copy)["Problemer"].values)
    assert ("Handlingsplan", "H5", "Iverksatt\\x0b(se notat)") in [r[1:3] + r[4:5] for r in rows]


def test_a_copy_that_cannot_be_made_is_a_note_the_result_stands(workbook, tmp_path):
    # openpyxl cannot load a damaged chart; the reader never looks at it.
    path = rewritten(returned(workbook, tmp_path / "in" / "chart.xlsx"), "xl/charts/chart1.xml",
                     lambda body: body[: len(body) // 2])
    out = tmp_path / "merket"
    result = validate(path, "--annotate", out)
    listed(result, "chart.xlsx")
    notes = [line for line in result.output.splitlines() if "Ingen merket kopi" in line]
    assert len(notes) == 1 and "den kunne ikke lages" in notes[0]
    assert not out.exists() or list(out.iterdir()) == []


# --------------------------------------------------------------------------- file names and folders


def test_a_name_as_long_as_allowed_gets_its_copies(workbook, tmp_path):
    name = "Handlingsplan " + "x" * 236 + ".xlsx"
    assert len(os.fsencode(name)) == 255
    a = returned(workbook, tmp_path / "a" / name)
    b = returned(workbook, tmp_path / "b" / name, {"H5": "ferdig"})
    before = {p: sha(p) for p in (a, b)}
    out = tmp_path / "merket"
    result = validate(a, b, "--annotate", out)
    assert result.exit_code == 1, result.output
    assert result.output.count(": samling (") == 2 and result.output.count("  -> ") == 2
    copies = sorted(p.name for p in out.iterdir())
    assert len(copies) == 2 and all(c.endswith(".xlsx") and len(os.fsencode(c)) <= 255 for c in copies)
    assert copies[1] == f"samling-{name[:-5]}"[:250] + ".xlsx" and copies[0].endswith("-2.xlsx")
    assert {p: sha(p) for p in (a, b)} == before


def test_an_atomic_write_takes_a_name_as_long_as_allowed(tmp_path):
    target = tmp_path / ("y" * 255)
    atomic_write_bytes(target, b"data")
    assert target.read_bytes() == b"data" and [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_copy_that_cannot_be_written_is_a_note_the_others_are_written(workbook, tmp_path):
    a = returned(workbook, tmp_path / "in" / "a.xlsx")
    b = returned(workbook, tmp_path / "in" / "b.xlsx", {"H5": "ferdig"})
    out = tmp_path / "merket"
    (out / "samling-a.xlsx").mkdir(parents=True)  # a folder where a's copy would go
    result = validate(a, b, "--annotate", out)
    assert result.exit_code == 1, result.output
    assert "a.xlsx: samling" in result.output and "b.xlsx: samling" in result.output
    (note,) = [line for line in result.output.splitlines() if "Ingen merket kopi" in line]
    assert "samling-a.xlsx kunne ikke skrives" in note
    assert (out / "samling-b.xlsx").is_file() and (out / "samling-a.xlsx").is_dir()


def test_a_folder_for_copies_inside_a_file_is_refused_before_reading(workbook, tmp_path):
    path = returned(workbook, tmp_path / "in" / "a.xlsx")
    blocker = tmp_path / "fil"
    blocker.write_text("ikke en mappe")
    result = validate(path, "--annotate", blocker / "merket")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "fil er en fil, ikke en mappe" in lines[0], result.output
    assert "samling" not in result.output and blocker.read_text() == "ikke en mappe"


# --------------------------------------------------------------------------- sheets and cells Excel takes


def test_the_leaders_own_problemer_sheet_stays(workbook, tmp_path):
    def own_sheet(wb):
        wb.create_sheet("Problemer")["A1"] = "mine egne notater"

    path = returned(workbook, tmp_path / "in" / "egne.xlsx", edit=own_sheet)
    _, copy = annotated(path, tmp_path)
    wb = openpyxl.load_workbook(copy)
    assert wb["Problemer"]["A1"].value == "mine egne notater"
    ours = wb.worksheets[0]
    assert ours.title != "Problemer" and ours.title.startswith("Problemer")
    assert ours["C2"].value == "G5" and len(wb.sheetnames) == len(openpyxl.load_workbook(path).sheetnames) + 1


def test_a_cell_longer_than_excel_holds_is_cut_in_the_copy(workbook, tmp_path):
    path = returned(workbook, tmp_path / "in" / "lang.xlsx", {"J5": "y" * 100})
    # openpyxl cuts what it writes; a leader's file can hold more (written by another program).
    rewritten(path, "xl/worksheets/sheet2.xml", lambda body: body.replace(b"y" * 100, b"y" * 40000))
    before = sha(path)
    result, copy = annotated(path, tmp_path)
    assert "Teksten er 40000 tegn" in result.output
    text = openpyxl.load_workbook(copy)["Handlingsplan"]["J5"].value
    assert xmltext.utf16_len(text) <= 32767 and text.endswith(labels.REPORT["cut_mark"]) and text.startswith("yyy")
    assert sha(path) == before


@pytest.mark.libreoffice
def test_an_ods_copy_has_sheet_names_excel_takes_and_keeps_every_sheet(saved_by_libreoffice, tmp_path):
    long_name = "Et langt arkenavn som går over tretti-en tegn"
    extra = {"'Sitat'": "sitert", long_name + " A": "først", long_name.upper() + " B": "andre",
             "Problemer": "mine egne notater"}
    tables = "".join(f'<table:table table:name="{name}"><table:table-row><table:table-cell office:value-type="string">'
                     f"<text:p>{text}</text:p></table:table-cell></table:table-row></table:table>"
                     for name, text in extra.items()).encode()
    path = tmp_path / "ark.ods"
    path.write_bytes(saved_by_libreoffice["s.ods"].read_bytes())

    def add_tables(body):
        end = body.rfind(b"</table:table>") + len(b"</table:table>")
        return body[:end] + tables + body[end:]

    rewritten(path, "content.xml", add_tables)
    out = tmp_path / "merket"
    result = validate(path, "--annotate", out)
    assert result.exit_code == 1 and "ark.ods: samling" in result.output, result.output
    copy = out / "samling-ark.xlsx"
    assert check_package(copy) == []
    wb = openpyxl.load_workbook(copy)
    names = wb.sheetnames
    assert len({n.lower() for n in names}) == len(names)
    assert all(1 <= len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) and n[0] != "'" != n[-1] for n in names)
    contents = {wb[n]["A1"].value: n for n in names}
    assert set(extra.values()) <= set(contents)  # every sheet of the leader's is there
    assert contents["sitert"] == "Sitat" and contents["mine egne notater"] == "Problemer"
    assert names[0].startswith("Problemer") and names[0] != "Problemer"
    assert wb["Handlingsplan"]["H5"].comment is not None


def test_a_copy_sent_back_is_read_without_its_list_of_problems(workbook, tmp_path):
    """The guide says: send the leader the marked copy. When it comes back, its list of
    problems is hmsxl's own old answer, not a sheet the leader added."""
    path = returned(workbook, tmp_path / "in" / "svar.xlsx")
    out = tmp_path / "merket"
    validate(path, "--annotate", out)
    copy = openpyxl.load_workbook(out / "samling-svar.xlsx")
    listed = list(copy.worksheets[0].values)
    assert listed[0][-2:] == ("Kode", "Svar fra leder") and "not_a_date" in [row[-2] for row in listed[1:]]
    copy["Handlingsplan"]["G5"] = dt.datetime(YEAR, 3, 1)  # the leader mends the date
    for older in (False, True):
        if older:  # a copy from before its list gave each problem's code and a column for answers
            copy.worksheets[0].delete_cols(len(listed[0]) - 1, 2)
        again = tmp_path / f"igjen{older}" / "svar.xlsx"
        again.parent.mkdir()
        copy.save(again)
        result = validate(again)
        assert result.exit_code == 0, result.output
        assert "unknown_sheet" not in result.output and "hører ikke til" not in result.output
        assert "Problemer!" not in result.output  # nothing of the leader's in it
        assert "Merknad på cellen" not in result.output  # the copy's notes are its own


def test_what_a_leader_writes_in_the_copys_list_of_problems_is_kept(workbook, tmp_path):
    """The list is hmsxl's and locked, but for its last column, where the leader answers
    each problem: the answer comes back said at its problem. Words beside the list and
    under it are the leader's too."""
    path = returned(workbook, tmp_path / "in" / "svar.xlsx")
    validate(path, "--annotate", tmp_path / "merket")
    copy = openpyxl.load_workbook(tmp_path / "merket" / "samling-svar.xlsx")
    problems = copy.worksheets[0]
    header = [c.value for c in problems[1]]
    assert header[-1] == "Svar fra leder" and problems.protection.sheet
    reply = len(header)
    first = next(r for r in range(2, problems.max_row + 1) if problems.cell(r, 3).value == "G5")
    assert not problems.cell(first, reply).protection.locked and problems.cell(first, 5).protection.locked
    problems.cell(first, reply, "Datoen er rettet til 1. mars")
    problems.cell(1, reply + 1, "Mine notater")
    problems.cell(problems.max_row + 3, 1, "Merknad: fristen er avtalt med verneombudet")
    copy.save(tmp_path / "igjen.xlsx")
    data = read_workbook(tmp_path / "igjen.xlsx", today=TODAY)
    said = {(p.code, p.value): p for p in data.problems if p.sheet == problems.title}
    assert set(said) == {("problem_reply", "Datoen er rettet til 1. mars"), ("value_outside_table", "Mine notater"),
                         ("value_outside_table", "Merknad: fristen er avtalt med verneombudet")}
    assert said["problem_reply", "Datoen er rettet til 1. mars"].message == (
        "Lederens svar på problemet i Handlingsplan!G5: «Datoen er rettet til 1. mars».")


@pytest.mark.parametrize("name", ["s.ods", "s.xls", "f.ods", "f.xls"])
def test_a_copy_of_an_ods_or_xls_answer_reads_back_with_the_answers_own_problems(saved_by_libreoffice, tmp_path, name):
    """The copy of a file openpyxl cannot open holds its values: each in its own cell (the
    guide's title stays in B1), a formula's cell left to the program. Sent back as it is,
    it has the problems the answer had, and no more. (A formula that failed is gone from a
    copy of values: its cell comes back empty, and is told as that.)"""
    from hmsxl import read_workbook

    path = tmp_path / name
    path.write_bytes(saved_by_libreoffice[name].read_bytes())
    out = tmp_path / "merket"
    validate(path, "--annotate", out)
    copy = out / f"samling-{path.stem}.xlsx"
    guide = openpyxl.load_workbook(copy)["Veiledning"]
    assert guide["A1"].value is None and guide["B1"].value

    def found(p):
        return sorted((x.code, x.sheet, x.cell) for x in read_workbook(p, today=TODAY).problems)

    original, again = found(path), found(copy)
    assert original
    if name.startswith("s."):
        assert again == original
    assert not {code for code, _, _ in again} & {"value_outside_table", "computed_changed", "unknown_sheet"}, again
    assert {cell for code, _, cell in again if code != "required"} <= {cell for _, _, cell in original}


def test_copies_of_two_sections_returned_under_one_name_say_whose_they_are(generated, tmp_path):
    """Five leaders send «Handlingsplan.xlsx»: each copy is headed by its section's id, so
    none is mailed to the wrong leader."""
    unit, paths = generated
    for path, folder in zip(paths[:2], ("a", "b")):
        returned(path, tmp_path / folder / "Handlingsplan.xlsx")
    out = tmp_path / "merket"
    validate(tmp_path / "a" / "Handlingsplan.xlsx", tmp_path / "b" / "Handlingsplan.xlsx", "--annotate", out)
    sections = [p.name.split("-", 1)[1][:-5] for p in paths[:2]]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s}-Handlingsplan.xlsx" for s in sections)


def test_a_formula_of_the_leaders_keeps_its_result_in_a_copy_of_an_ods(saved_by_libreoffice, tmp_path):
    """A copy of values leaves the workbook's own formulas to the program, not a formula the
    leader typed as an answer: its result is in the copy, as the reader read it."""
    def formula(body):
        cell = (b'office:value-type="string" calcext:value-type="string"><text:p>halvveis</text:p>')
        assert cell in body
        return body.replace(cell, b'table:formula="of:=&quot;halv&quot;&amp;&quot;veis&quot;" office:value-type='
                                  b'"string" office:string-value="halvveis" calcext:value-type="string">'
                                  b'<text:p>halvveis</text:p>', 1)

    path = rewritten(saved_by_libreoffice["s.ods"], "content.xml", formula, tmp_path / "f.ods")
    out = tmp_path / "merket"
    validate(path, "--annotate", out)
    copy = openpyxl.load_workbook(out / "samling-f.xlsx")
    assert copy["Handlingsplan"]["H5"].value == "halvveis"


def test_a_marked_copy_left_among_the_returns_is_not_newer_than_its_input(workbook, tmp_path):
    """The copy says its input's save time: kept in a folder under the returns, it does not
    win over the leader's corrected file saved after the input."""
    from hmsxl import consolidate
    from hmsxl.safety import check_file

    first = saved_at(returned(workbook, tmp_path / "inn" / "v1.xlsx"), "2026-11-10T09:00:00Z")
    validate(first, "--annotate", tmp_path / "inn" / "merket")
    copy = tmp_path / "inn" / "merket" / "samling-v1.xlsx"
    assert check_file(copy).saved_at == "2026-11-10T09:00:00Z"
    second = saved_at(returned(workbook, tmp_path / "inn" / "v2.xlsx", {"G5": dt.datetime(YEAR, 3, 1)}),
                      "2026-11-20T09:00:00Z")
    result = consolidate([tmp_path / "inn"], today=TODAY)
    used = result.sources[result.sources["status"] == "brukt"]["file"].tolist()
    assert used == [f"inn/{second.name}"], result.sources[["file", "status", "reason"]]
    # An input that does not say when it was saved gets its copy, which does not say either.
    undated = saved_at(returned(workbook, tmp_path / "udatert" / "v3.xlsx"), None)
    result, copy = annotated(undated, tmp_path)
    assert check_file(copy).saved_at == "" and "Ingen merket kopi" not in result.output


@pytest.mark.parametrize("name", ["Mine notater om året som gikk, og litt til", "'sitert'", "History"])
def test_a_sheet_name_excel_would_not_take_is_mended_in_the_copy(workbook, tmp_path, name):
    """Another tool wrote a sheet name Excel refuses (over 31 characters, an apostrophe
    first, Excel's own «History»): the copy names it as Excel takes it, or Excel repairs it."""
    def edit(wb):
        wb.create_sheet("PLASSHOLDER")["A1"] = "Egne notater"

    path = returned(workbook, tmp_path / "in" / "navn.xlsx", edit=edit)
    rewritten(path, "xl/workbook.xml", lambda b: b.replace(b'name="PLASSHOLDER"',
                                                            f'name="{name}"'.replace("'", "&apos;").encode()))
    result, copy = annotated(path, tmp_path)
    titles = openpyxl.load_workbook(copy).sheetnames
    (own,) = [t for t in titles if t not in openpyxl.load_workbook(workbook).sheetnames and t != "Problemer"]
    assert own != name and openpyxl.load_workbook(copy)[own]["A1"].value == "Egne notater"


def test_a_leaders_note_stays_in_the_copy_and_the_copys_own_notes_are_not_the_leaders(workbook, tmp_path, soffice):
    """A note the leader put on a cell is not replaced by hmsxl's in the marked copy, and
    comes back with it. hmsxl's own notes, read back (also after LibreOffice, which does
    not keep their author), are not taken for the leader's."""
    from openpyxl.comments import Comment

    def edit(wb):
        wb["Handlingsplan"]["B5"].comment = Comment("Spør verneombudet", "Leder")

    path = returned(workbook, tmp_path / "in" / "notat.xlsx", edit=edit)
    result, copy = annotated(path, tmp_path)
    assert openpyxl.load_workbook(copy)["Handlingsplan"]["B5"].comment.text == "Spør verneombudet"
    soffice("--convert-to", "ods", "--outdir", tmp_path / "lo", copy)
    for back in (copy, tmp_path / "lo" / copy.with_suffix(".ods").name):
        notes = [(p.cell, p.value) for p in read_workbook(back, today=TODAY).problems if p.code == "cell_note"]
        assert notes == [("B5", "Spør verneombudet")], back
