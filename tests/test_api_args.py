"""The Python API takes its arguments as a caller would naturally pass them."""

import datetime as dt

import pytest

from hmsxl import consolidate, generate, read_workbook
from hmsxl.validate import validate_files

from conftest import GENERATED_AT, YEAR


@pytest.fixture
def one_workbook(config_file, tmp_path):
    # One section id alone is that section, not a list of its letters. (One level filled:
    # a workbook returned as it was sent is no answer.)
    (path,) = generate(str(config_file), tmp_path / "wb", sections="drift", generated_at=GENERATED_AT,
                       fills={"drift": {"godbht": {"e01": {"level_bht": 2}}}})
    return path


def test_a_single_path_as_text_is_one_path_and_a_datetime_is_its_day(one_workbook, config_file):
    result = consolidate(str(one_workbook.parent), config=str(config_file), today=dt.datetime(YEAR, 3, 1, 12, 0))
    assert list(result.sources["file"]) == [f"wb/{one_workbook.name}"]
    assert result.today == dt.date(YEAR, 3, 1)
    assert "drift" not in set(result.missing["section_id"])


def test_validate_and_read_take_the_same_plain_arguments(one_workbook, config_file):
    (r,) = validate_files(one_workbook, config=config_file, today=f"{YEAR}-03-01")
    assert r.data is not None and r.data.section_id == "drift"
    data = read_workbook(one_workbook, config=str(config_file), today=dt.datetime(YEAR, 3, 1))
    assert data.section_id == "drift"


def test_wrong_argument_types_say_what_is_allowed(one_workbook):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        consolidate(one_workbook, today="1. mars")
    with pytest.raises(TypeError, match="Unit or the path of a unit.toml"):
        consolidate(one_workbook, config=42)
    with pytest.raises(TypeError, match="path or a list of paths"):
        consolidate(7)


def test_the_report_never_replaces_what_it_was_made_from(one_workbook, config_file):
    from hmsxl.inputs import OutputIsInputError

    before = one_workbook.read_bytes()
    result = consolidate(one_workbook, config=config_file, today=dt.date(YEAR, 3, 1))
    with pytest.raises(OutputIsInputError):
        result.write_excel(one_workbook)
    with pytest.raises(OutputIsInputError):
        result.to_csv(one_workbook.parent)
    assert one_workbook.read_bytes() == before


@pytest.mark.parametrize("change,where", [
    ({"return_deadline": "2026-12-01"}, "unit.return_deadline"),
    ({"year": 99999}, "unit.year"),
    ({"year": "2026"}, "unit.year"),
    ({"action_rows": 200000}, "unit.action_rows"),
])
def test_a_unit_built_in_python_is_held_to_unit_tomls_rules(unit, tmp_path, change, where):
    import dataclasses

    from hmsxl import ConfigError

    with pytest.raises(ConfigError, match=where):
        generate(dataclasses.replace(unit, **change), tmp_path)
    assert not list(tmp_path.glob("*.xlsx"))
