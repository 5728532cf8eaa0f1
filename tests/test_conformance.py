"""Every file hmsxl writes is one Excel opens without "repairing" it.

Excel cannot run here, so each package is checked against the ECMA-376 Transitional
schemas (vendored in tests/ooxml-xsd/) and against the rules those schemas cannot
express but Excel enforces (`ooxml_check.RULES`). The files: the demo's section
workbooks, returns, annotated copies and report; a unit whose names hold everything
awkward; and a report built from returns with extreme texts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest

from hmsxl import consolidate, generate, xmltext
from hmsxl.config import Section
from hmsxl.demo import run_demo
from hmsxl.schema import ANNUAL_ITEMS
from hmsxl.validate import validate_files

import ooxml_check
from ooxml_check import cell_texts, check_package

from conftest import GENERATED_AT, YEAR
from zipparts import rewritten

TODAY = dt.date(YEAR, 10, 1)
ODD = "=SUM(A1) & <b> \"q\" 's' æøå 🦺 _x0041_"
EMOJI_HALF = "🦺" * 16000  # 32,000 UTF-16 units: one cell's worth, in 16,000 characters
EMOJI_FULL = "🦺" * 16383  # 32,766 units: a full cell


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    result = run_demo(directory / "hmsxl-demo", today=TODAY)
    annotated = validate_files([p for p in result.returned if p.suffix == ".xlsx"], config=None, today=TODAY,
                               annotate_dir=directory / "annotated")
    return result, [Path(r.annotated) for r in annotated if r.annotated]


def odd_unit(unit):
    """Names holding XML's and Excel's special characters, an emoji, a formula, an escape
    sequence, and one 250 characters long; a leader named like the section; a VO named like
    a list value."""
    sections = (
        Section(id="lang", name=(ODD + " " + "x" * 250)[:250], leader=ODD, email="a@example.no", vo="Vo & <vern>"),
        Section(id="lik", name="Drift", leader="Drift", email="b@example.no"),
        Section(id="esc", name="Lab _x0041_", leader="_x005F_x0041_", email="c@example.no", vo="_xFFFE_"),
        Section(id="annet", name="Annet", leader="Ada Annet", email="e@example.no", vo="Annet"),
        Section(id="rom", name=" Rom med mellomrom ", leader="\tTab", email="d@example.no"),
    )
    wheel = tuple(dataclasses.replace(a, name=f"{a.name} & <{ODD}>") if i < 2 else a for i, a in enumerate(unit.wheel))
    return dataclasses.replace(unit, name=f"Museum {ODD}", sections=sections, wheel=wheel,
                               categories=(ODD, "_x0041_", "Fare & risiko", "🦺" * 127, "Annet"))


def extreme_fill(unit):
    """A return as awkward as a leader's can be: characters XML cannot hold (as LibreOffice
    and carried-over files bring them), escape sequences, formulas, edge whitespace, an
    answer and a comment that are each a nearly full cell, and an årshjul status of a full
    cell that the report's grid shows after the activity's state, passing the limit."""
    awkward = "x\x01y\ufffez\uffff _x0041_ & <t> "
    actions = [{
        "category": unit.categories[0], "challenge": awkward, "purpose": " =HYPERLINK(\"http://example.org\") ",
        "measure": EMOJI_HALF, "priority": unit.priorities[0], "responsible": "_x0041_ og _x005F_",
        "deadline": dt.date(YEAR, 3, 1), "status": unit.statuses[1], "comment": "a" * 32767,
    }]
    annual = {it.key: {"answer": EMOJI_HALF, "comment": EMOJI_HALF} for it in ANNUAL_ITEMS
              if it.key in ("other_activities", "goals")}
    wheel = {"vernerunde": {"status": EMOJI_FULL}}
    return {"actions": actions, "annual": annual, "wheel": wheel}


@pytest.fixture(scope="module")
def extreme(tmp_path_factory, request):
    """Returns with extreme texts, the unit with odd names, and the report on both."""
    from hmsxl.config import example_config_text, parse_config
    import tomllib

    unit = odd_unit(parse_config(tomllib.loads(example_config_text(YEAR)), source="unit.toml"))
    directory = tmp_path_factory.mktemp("extreme")
    blank = generate(unit, directory / "blank", generated_at=GENERATED_AT)
    fills = {s.id: extreme_fill(unit) for s in unit.sections[:2]}
    returned = generate(unit, directory / "returned", sections=list(fills), fills=fills, generated_at=GENERATED_AT)
    result = consolidate([directory / "returned"], config=unit, today=TODAY)
    report = result.write_excel(directory / "rapport.xlsx")
    annotated = validate_files(returned, config=unit, today=TODAY, annotate_dir=directory / "annotated")
    return unit, blank, returned, report, [Path(r.annotated) for r in annotated if r.annotated]


# --------------------------------------------------------------------------- the checker


def _rewrite(path, tmp_path, part, fn):
    return rewritten(path, part, fn, tmp_path / f"broken-{len(list(tmp_path.iterdir()))}.xlsx")


@pytest.mark.parametrize("part, old, new, finding", [
    ("xl/sharedStrings.xml", b"<si><t>Enhet</t></si>", b"<si><t>Enhet</t></si><si><t>Enhet</t></si>", "uniqueCount"),
    ("xl/sharedStrings.xml", b"<si><t>Enhet</t></si>", b"<si><t>Enhet\x01</t></si>", "not well-formed"),
    ("xl/worksheets/sheet2.xml", b"&amp;L", b"&amp;L" + b"x" * 250, "oddFooter is"),
    ("xl/worksheets/sheet2.xml", b'<c r="B4"', b'<c r="B5"', "is in row 4"),
    ("xl/worksheets/sheet2.xml", b"<pageMargins", b"<bogus/><pageMargins", "bogus"),
    ("xl/workbook.xml", b'name="Handlingsplan"', b'name="Handlings:plan"', "does not allow"),
    ("xl/workbook.xml", b"</definedNames>", b'<definedName name="hmsxl_categories">\'Nope\'!$A$1</definedName>'
                                            b"</definedNames>", "defined 2 times"),
    ("docProps/custom.xml", b'pid="3"', b'pid="2"', "pid 2 used 2 times"),
    ("[Content_Types].xml", b'<Default Extension="rels"', b'<Default Extension="relz"', "has no content type"),
    ("xl/_rels/workbook.xml.rels", b'Target="worksheets/sheet6.xml"', b'Target="worksheets/sheet9.xml"',
     "not in the package"),
    ("xl/worksheets/sheet2.xml", b'<sheetView ', b'<sheetView tabSelected="1" ', "open grouped"),
    ("xl/worksheets/sheet2.xml", b'promptTitle="', b'promptTitle="' + b"p" * 33, "promptTitle is"),
])
def test_the_checker_finds_what_excel_would_repair(generated, tmp_path, part, old, new, finding):
    """A checker that cannot fail proves nothing: each rule finds its broken package."""
    path = generated[1][0]
    assert check_package(path) == []
    broken = _rewrite(path, tmp_path, part, lambda body: body.replace(old, new, 1))
    findings = check_package(broken)
    assert any(finding in f for f in findings), findings


# --------------------------------------------------------------------------- conformance


def test_demo_files_conform(demo):
    result, annotated = demo
    assert len(result.workbooks) == 6 and len(annotated) >= 4
    files = [*result.workbooks, *(p for p in result.returned if p.suffix == ".xlsx"), result.report, *annotated]
    assert {p: check_package(p) for p in files} == {p: [] for p in files}


def test_odd_names_conform(extreme):
    unit, blank, returned, report, annotated = extreme
    files = [*blank, *returned]
    assert {p: check_package(p) for p in files} == {p: [] for p in files}
    # And the names are shown as written, wherever they are.
    by_id = {path.stem.split("-", 1)[1]: path for path in blank}
    ident = cell_texts(by_id["lang"], "_hmsxl")
    assert (ident["B4"], ident["B7"], ident["B8"]) == (unit.name, unit.sections[0].name, ODD)
    assert cell_texts(by_id["esc"], "_hmsxl")["B8"] == "_x005F_x0041_"
    assert cell_texts(by_id["rom"], "_hmsxl")["B7"] == " Rom med mellomrom "
    assert cell_texts(by_id["lik"], "_hmsxl")["B8"] == "Drift"


def test_extreme_report_and_annotated_copies_conform(extreme):
    unit, blank, returned, report, annotated = extreme
    assert len(annotated) == 2
    files = [report, *annotated]
    assert {p: check_package(p) for p in files} == {p: [] for p in files}


# --------------------------------------------------------------------------- numbered defects


def test_report_cells_are_cut_to_what_excel_holds_counted_in_utf16(extreme):
    """The årshjul grid shows the activity's state, then the leader's own status: a status
    of a full cell (32,766 UTF-16 units in 16,383 characters) passes the limit there. It is
    cut to 32,767 units with a visible mark, and listed in Problemer."""
    from hmsxl import labels

    unit, blank, returned, report, annotated = extreme
    grid = [t for t in cell_texts(report, "Årshjul").values() if EMOJI_FULL[:10] in t]
    assert len(grid) == 2  # two sections
    for text in grid:
        assert xmltext.utf16_len(text) <= 32767
        assert text.endswith(labels.REPORT["cut_mark"])
    problems = cell_texts(report, "Problemer")
    assert sum(code == "text_cut" for code in problems.values()) == 2
    # What fits is not touched: the same status in the activity table, the answers and
    # comments side by side (each nearly a full cell), a comment of exactly 32,767 units.
    assert sum(t == EMOJI_FULL for t in cell_texts(report, "Årshjul-aktiviteter").values()) == 2
    assert sum(t == EMOJI_HALF for t in cell_texts(report, "Årsrapport").values()) == 8
    actions = cell_texts(report, "Handlingsplan")
    assert ("a" * 32767) in actions.values()


def test_awkward_leader_text_reaches_the_report_as_read(extreme):
    """What the reader got from a return is what the report shows, escapes and all."""
    from hmsxl import read_workbook

    unit, blank, returned, report, annotated = extreme
    (action,) = read_workbook(returned[0], config=unit, today=TODAY).actions
    shown = set(cell_texts(report, "Handlingsplan").values())
    for key in ("challenge", "purpose", "responsible"):
        assert action[key] in shown, key
    assert "\x01" in action["challenge"] and "_x0041_" in action["challenge"]


def test_annotated_copy_opens_with_one_sheet_selected(demo):
    """The Problemer sheet is active; no other tab may stay selected (Excel groups them)."""
    result, annotated = demo
    for path in annotated:
        with zipfile.ZipFile(path) as z:
            book = z.read("xl/workbook.xml").decode()
            sheets = sorted(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
            selected = [n for n in sheets if re.search(r'<sheetView[^>]*tabSelected="(1|true)"', z.read(n).decode())]
        active = int((re.search(r'activeTab="(\d+)"', book) or [0, 0])[1])
        assert selected == [f"xl/worksheets/sheet{active + 1}.xml"], (path.name, selected, active)


def test_rules_checked_are_listed():
    assert len(ooxml_check.RULES) >= 15
    assert ooxml_check.XSD_DIR.is_dir() and (ooxml_check.XSD_DIR / "sml.xsd").is_file()
