"""The real client: LibreOffice must open what we write, and keep it when it saves."""

import openpyxl
import pytest

from hmsxl.schema import ACTIONS, GODBHT

pytestmark = pytest.mark.libreoffice


def test_libreoffice_converts_every_workbook_to_pdf(generated, soffice, tmp_path):
    unit, paths = generated
    result = soffice("--convert-to", "pdf", "--outdir", tmp_path, *paths)
    assert result.returncode == 0, result.stderr
    for p in paths:
        pdf = tmp_path / (p.stem + ".pdf")
        assert pdf.exists(), result.stdout + result.stderr
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF")
        # one page per visible sheet at least (the Pages node itself is /Type/Pages)
        assert data.count(b"/Type/Page") - data.count(b"/Type/Pages") >= 5


def test_resaved_by_libreoffice_keeps_validations_protection_and_identity(generated, soffice, tmp_path):
    unit, paths = generated
    result = soffice("--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", tmp_path, paths[0])
    assert result.returncode == 0, result.stderr
    wb = openpyxl.load_workbook(tmp_path / paths[0].name)
    assert wb["_hmsxl"].sheet_state == "hidden"
    assert wb["_hmsxl"]["B6"].value == "samling"
    ws = wb["Handlingsplan"]
    assert ws.protection.sheet
    found = {(dv.type, dv.formula1): str(dv.sqref) for dv in ws.data_validations.dataValidation}
    first = ACTIONS.first_data_row + 1
    assert found[("list", "hmsxl_categories")].startswith(f"A{first}:A")
    assert found[("list", "hmsxl_statuses")].startswith(f"H{first}:H")
    assert any(t == "date" for t, _ in found)
    dest = list(wb.defined_names["hmsxl_statuses"].destinations)
    cells = wb[dest[0][0]][dest[0][1].replace("$", "")]
    assert [c.value for row in cells for c in row] == list(unit.statuses)
    gb = wb["God BHT"]
    levels = [(dv.type, dv.formula1, dv.formula2) for dv in gb.data_validations.dataValidation if dv.type == "whole"]
    assert levels == [("whole", "1", "4")] * 2
    assert not gb.cell(GODBHT.first_data_row + 1, GODBHT.index("level_bht") + 1).protection.locked
