"""The committed blank templates in workbooks/ must be what the code writes today."""

import importlib.util
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent


def load_script():
    spec = importlib.util.spec_from_file_location("refresh_templates", ROOT / "scripts" / "refresh_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fingerprint(path):
    """What a leader would see or use: every cell, format, lock, validation and name."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
           "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items())}
    for ws in wb.worksheets:
        out[ws.title] = {
            "cells": [(c.coordinate, c.value, c.number_format, c.protection.locked)
                      for row in ws.iter_rows() for c in row if c.value is not None or not c.protection.locked],
            "validations": sorted((dv.type or "", dv.formula1 or "", dv.formula2 or "", str(dv.sqref), dv.prompt or "",
                                   dv.error or "") for dv in ws.data_validations.dataValidation),
            "conditional": sorted((str(rng.sqref), r.type, tuple(r.formula or ()))
                                  for rng in ws.conditional_formatting for r in rng.rules),
            "widths": sorted((k, v.width, v.hidden) for k, v in ws.column_dimensions.items()),
            "protected": ws.protection.sheet,
        }
    return out


def test_templates_are_current(tmp_path):
    script = load_script()
    fresh = script.refresh(tmp_path)
    committed = sorted((ROOT / "workbooks").glob("*.xlsx"))
    assert [p.name for p in committed] == sorted(p.name for p in fresh), \
        "workbooks/ is out of date: run scripts/refresh_templates.py"
    for path in fresh:
        assert fingerprint(ROOT / "workbooks" / path.name) == fingerprint(path), \
            f"workbooks/{path.name} is out of date: run scripts/refresh_templates.py"
