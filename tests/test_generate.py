import datetime as dt
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from hmsxl import OutputExistsError, generate, labels
from hmsxl.cli import main
from hmsxl.schema import (ACTIONS, ANNUAL, ANNUAL_ITEMS, FIRE_ROUNDS, GODBHT, SAFETY_ROUND, SCHEMA_VERSION,
                          TEMPLATE_VERSION, WHEEL)
from hmsxl.wheel import year_occurrences
from hmsxl.write import SPARE_ROWS

from conftest import GENERATED_AT, YEAR


@pytest.fixture(scope="module")
def book(generated):
    unit, paths = generated
    return unit, openpyxl.load_workbook(paths[0])


def col(sheet, key):
    return get_column_letter(sheet.index(key) + 1)


def validations_by_column(ws):
    """{column letter: [(type, formula1, formula2, sqref)]} of a sheet's data validations."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            letter = get_column_letter(rng.min_col)
            out.setdefault(letter, []).append((dv.type, dv.formula1, dv.formula2, rng.coord, dv))
    return out


def defined_list(wb, name):
    dn = wb.defined_names[name]
    ((sheet, ref),) = list(dn.destinations)
    ws = wb[sheet]
    return [c.value for row in ws[ref.replace("$", "")] for c in row]


def test_one_workbook_per_section_named_by_year_and_id(generated):
    unit, paths = generated
    assert [p.name for p in paths] == [f"{YEAR}-{s.id}.xlsx" for s in unit.sections]
    assert all(p.exists() for p in paths)
    assert not [p for p in paths[0].parent.iterdir() if p.name.startswith(".")]  # no temp files left


def test_sheets_in_order_and_identity_hidden(book):
    unit, wb = book
    assert wb.sheetnames == ["Veiledning", "Handlingsplan", "Årshjul", "Vernerunde", "Brannvernrunder", "God BHT",
                             "Årsrapport", "_hmsxl"]
    assert wb["_hmsxl"].sheet_state == "hidden"
    assert all(wb[n].sheet_state == "visible" for n in wb.sheetnames[:-1])
    assert wb.active.title == "Veiledning"


def test_identity_sheet_and_document_properties(book):
    unit, wb = book
    ws = wb["_hmsxl"]
    ident = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 11)}
    assert ident["section_id"] == "samling"
    assert ident["section_name"] == "Samlingsseksjonen"
    assert ident["unit"] == "Eksempelmuseet" and ident["year"] == YEAR
    assert ident["template_version"] == TEMPLATE_VERSION and ident["schema_version"] == SCHEMA_VERSION
    assert ident["generated_at"] == GENERATED_AT.isoformat()
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["hmsxl_section_id"] == "samling" and props["hmsxl_year"] == YEAR


def test_action_plan_dropdowns_hold_the_configured_lists(book):
    unit, wb = book
    ws = wb["Handlingsplan"]
    v = validations_by_column(ws)
    first = ACTIONS.first_data_row + 1
    last = first + unit.action_rows - 1 + SPARE_ROWS
    for key, name, values in (("category", "hmsxl_categories", unit.categories),
                              ("priority", "hmsxl_priorities", unit.priorities),
                              ("status", "hmsxl_statuses", unit.statuses)):
        c = col(ACTIONS, key)
        ((kind, f1, _, ref, dv),) = v[c]
        assert kind == "list" and f1 == name
        assert ref == f"{c}{first}:{c}{last}"
        assert dv.showErrorMessage and dv.errorStyle in (None, "stop")
        assert dv.prompt and dv.showInputMessage
        assert defined_list(wb, name) == list(values)


def test_action_plan_dates_and_text_lengths(book):
    unit, wb = book
    v = validations_by_column(wb["Handlingsplan"])
    for key in ("deadline", "next_review"):
        ((kind, f1, f2, ref, dv),) = v[col(ACTIONS, key)]
        assert kind == "date" and dv.operator in (None, "between")
        lo = dt.date(1899, 12, 30) + dt.timedelta(days=float(f1))
        hi = dt.date(1899, 12, 30) + dt.timedelta(days=float(f2))
        assert (lo, hi) == (dt.date(YEAR - 1, 1, 1), dt.date(YEAR + 3, 12, 31))
        assert "15.09.2026" in dv.error
    ((kind, f1, *_),) = v[col(ACTIONS, "challenge")]
    assert kind == "textLength" and f1 == "1000"
    # Every input column is validated; nothing else is.
    assert set(v) == {col(ACTIONS, c.key) for c in ACTIONS.input_columns}


def test_input_messages_and_alerts_within_excel_limits(generated):
    for path in generated[1][:1]:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for dv in ws.data_validations.dataValidation:
                assert len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32
                assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 255


def test_headers_required_marks_and_frozen(book):
    unit, wb = book
    ws = wb["Handlingsplan"]
    hr = ACTIONS.header_row + 1
    headers = [ws.cell(hr, c + 1).value for c in range(len(ACTIONS.columns))]
    assert headers[0] == "Kategori *" and "Frist *" in headers and "Kommentar" in headers
    assert ws.freeze_panes == f"A{hr + 1}"
    assert ws.print_title_rows == f"${hr}:${hr}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.auto_filter.ref.startswith(f"A{hr}:")
    assert not ws.merged_cells.ranges


def test_protection_on_and_input_cells_unlocked(book):
    unit, wb = book
    for name in ("Veiledning", "Handlingsplan", "Årshjul", "Vernerunde", "Brannvernrunder", "God BHT", "Årsrapport",
                 "_hmsxl"):
        assert wb[name].protection.sheet, name
    ws = wb["Handlingsplan"]
    hr = ACTIONS.header_row + 1
    assert ws.cell(hr, 1).protection.locked  # the header
    for c, column in enumerate(ACTIONS.columns, start=1):  # the computed priority is for reading only
        assert ws.cell(hr + 1, c).protection.locked is (not column.input), column.key
        assert ws.cell(hr + unit.action_rows, c).protection.locked is (not column.input), column.key
    ws = wb["Årshjul"]
    for c, column in enumerate(WHEEL.columns, start=1):
        assert ws.cell(WHEEL.first_data_row + 1, c).protection.locked is (not column.input), column.key


def test_wheel_rows_match_the_rules(book):
    unit, wb = book
    ws = wb["Årshjul"]
    first = WHEEL.first_data_row + 1
    occ = year_occurrences(unit, "samling")
    keys = [ws.cell(first + i, 1).value for i in range(len(occ))]
    assert keys == [o.key for o in occ]
    assert ws.cell(first + len(occ), 1).value is None
    assert sum(k.startswith("brannvernrunde") for k in keys) == 4
    assert "ark" in keys and "ros-analyse" not in keys  # ARK in 2026, ROS not
    assert ws.column_dimensions["A"].hidden
    row = first + keys.index("vernerunde")
    assert ws.cell(row, WHEEL.index("due") + 1).value == dt.datetime(YEAR, 7, 1)
    grid = [ws.cell(row, WHEEL.index(f"m{m:02d}") + 1).value for m in range(1, 13)]
    assert grid == [None] * 6 + ["●"] + [None] * 5
    v = validations_by_column(ws)
    ((kind, f1, *_),) = v[col(WHEEL, "status")]
    assert kind == "list" and defined_list(wb, f1) == list(unit.wheel_statuses)
    assert {"list", "date"} == {x[0] for c in v.values() for x in c} - {"textLength"}


def test_godbht_table3_levels_and_chart(book):
    unit, wb = book
    ws = wb["God BHT"]
    first = GODBHT.first_data_row + 1
    elements = [ws.cell(first + i, GODBHT.index("element") + 1).value for i in range(15)]
    assert elements[0] == "Kompetanse og tverrfaglighet" and elements[14] == "Rusmidler og spilleavhengighet"
    groups = [ws.cell(first + i, GODBHT.index("group") + 1).value for i in range(15)]
    assert groups.count("BHT som virksomhet") == 4 and groups.count("Tjenester") == 9
    v = validations_by_column(ws)
    for key in ("level_bht", "level_org"):
        c = col(GODBHT, key)
        ((kind, f1, f2, ref, dv),) = v[c]
        assert (kind, f1, f2) == ("whole", "1", "4") and ref == f"{c}{first}:{c}{first + 14}"


def test_godbht_profile_chart_reads_the_level_cells(generated):
    unit, paths = generated
    with zipfile.ZipFile(paths[0]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    first = GODBHT.first_data_row + 1
    for key in ("level_bht", "level_org"):
        c = col(GODBHT, key)
        assert f"'God BHT'!${c}${first}:${c}${first + 14}" in xml


def test_annual_report_questions_and_typed_answers(book):
    unit, wb = book
    ws = wb["Årsrapport"]
    first = ANNUAL.first_data_row + 1
    questions = [ws.cell(first + i, ANNUAL.index("question") + 1).value for i in range(len(ANNUAL_ITEMS))]
    assert "Ble fjorårets mål nådd?" in questions
    assert "Hva skal være arbeidsmiljøfokuset neste år?" in questions
    assert "Er årets vernerunde gjennomført?" in questions
    answer = col(ANNUAL, "answer")
    kinds = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            if get_column_letter(rng.min_col) == answer:
                kinds[rng.min_row - first] = (dv.type, dv.formula1)
    by_key = {it.key: kinds.get(i) for i, it in enumerate(ANNUAL_ITEMS)}
    assert by_key["last_goals_reached"] == ("list", "hmsxl_yes_no")
    assert defined_list(wb, "hmsxl_yes_no") == list(labels.YES_NO)
    assert by_key["fire_rounds"][0] == "whole"
    assert by_key["safety_round_date"][0] == "date"
    assert by_key["focus_next"][0] == "textLength"


def test_conditional_formats_for_overdue_status_and_levels(book):
    unit, wb = book
    cf = wb["Handlingsplan"].conditional_formatting
    formulas = [r.formula[0] for rng in cf for r in rng.rules if r.formula]
    assert any("TODAY()" in f and '"Iverksatt"' in f for f in formulas)
    levels = [r for rng in wb["God BHT"].conditional_formatting for r in rng.rules]
    assert len(levels) == 8  # four colours on each of the two level columns
    assert any("TODAY()" in r.formula[0] for rng in wb["Årshjul"].conditional_formatting for r in rng.rules)


def test_configured_text_is_never_a_formula(tmp_path, unit):
    import dataclasses

    evil = dataclasses.replace(unit.sections[0], name='=HYPERLINK("http://example.org","x")', leader="@SUM(A1)")
    unit = dataclasses.replace(unit, sections=(evil,), categories=("=1+1", "+cmd"))
    (path,) = generate(unit, tmp_path)
    wb = openpyxl.load_workbook(path)
    cell = next(c for row in wb["Veiledning"].iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value))
    assert cell.data_type == "s"
    assert defined_list(wb, "hmsxl_categories") == ["=1+1", "+cmd"]
    assert all(c.data_type == "s" for row in wb["_hmsxl"].iter_rows() for c in row if c.value == "=1+1")


def test_refuses_to_overwrite_without_force(tmp_path, config_file):
    runner = CliRunner()
    out = tmp_path / "out"
    first = runner.invoke(main, ["generate", str(config_file), "-o", str(out)])
    assert first.exit_code == 0, first.output
    assert first.output.count("Skrev") == 4
    mtimes = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    again = runner.invoke(main, ["generate", str(config_file), "-o", str(out)])
    assert again.exit_code == 1 and "--force" in again.output
    assert {p: p.stat().st_mtime_ns for p in out.iterdir()} == mtimes
    forced = runner.invoke(main, ["generate", str(config_file), "-o", str(out), "--force"])
    assert forced.exit_code == 0


def test_section_option_and_unknown_section(tmp_path, config_file):
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(main, ["generate", str(config_file), "-o", str(out), "--section", "drift"])
    assert result.exit_code == 0 and [p.name for p in out.iterdir()] == [f"{YEAR}-drift.xlsx"]
    bad = runner.invoke(main, ["generate", str(config_file), "-o", str(out), "--section", "lager"])
    assert bad.exit_code == 2 and "ingen seksjon med id «lager»" in bad.output


def test_output_path_is_a_file(tmp_path, unit):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(OutputExistsError):
        generate(unit, target)


def test_process_pool_writes_identical_workbooks(tmp_path, unit):
    import dataclasses

    from hmsxl.config import Section

    many = tuple(Section(id=f"s{i:03d}", name=f"Seksjon {i}", leader="Lea Leder", email="lea@example.no")
                 for i in range(30))
    unit = dataclasses.replace(unit, sections=many)
    serial = generate(unit, tmp_path / "a", generated_at=GENERATED_AT, workers=1)
    parallel = generate(unit, tmp_path / "b", generated_at=GENERATED_AT, workers=2)
    assert [p.read_bytes() for p in serial] == [p.read_bytes() for p in parallel]
    ws = openpyxl.load_workbook(parallel[17])["_hmsxl"]
    assert ws["B6"].value == "s017"


def test_templated_workbooks_equal_directly_written_ones(tmp_path, unit):
    """generate() patches one built workbook per wheel; the result must be what a direct build gives."""
    import dataclasses

    from hmsxl.config import Section
    from hmsxl.write import section_workbook_bytes
    from test_templates import fingerprint

    tricky = (
        Section(id="a-1", name='R&D <lab> "nord"', leader="Åse O'Neil & co", email="a@example.no", vo="Vo & Vern"),
        Section(id="b_2", name="Bygg", leader="Bo Bygg", email="b@example.no"),
        Section(id="c3", name="=SUM(A1)", leader="@cmd", email="c@example.no", vo="+x"),
    )
    wheel = tuple(dataclasses.replace(a, sections=("b_2",)) if a.id == "vernerunde" else a for a in unit.wheel)
    unit = dataclasses.replace(unit, sections=tricky, wheel=wheel)
    paths = generate(unit, tmp_path / "t", generated_at=GENERATED_AT)
    for section, path in zip(tricky, paths):
        direct = tmp_path / f"direct-{section.id}.xlsx"
        direct.write_bytes(section_workbook_bytes(unit, section, GENERATED_AT))
        assert fingerprint(path) == fingerprint(direct), section.id
        wb = openpyxl.load_workbook(path)
        assert wb.properties.title.endswith(section.name)
        assert {p.name: p.value for p in wb.custom_doc_props.props}["hmsxl_section_id"] == section.id
        assert wb["Handlingsplan"].oddFooter.left.text == section.name.replace("&", "&&")
    keys_b = [openpyxl.load_workbook(paths[1])["Årshjul"].cell(r, 1).value for r in range(5, 20)]
    keys_a = [openpyxl.load_workbook(paths[0])["Årshjul"].cell(r, 1).value for r in range(5, 20)]
    assert "vernerunde" in keys_b and "vernerunde" not in keys_a


def test_carry_over_prefills_last_years_unfinished_actions(tmp_path, unit, config_file):
    import dataclasses

    from hmsxl import read_workbook

    last_year = dataclasses.replace(unit, year=YEAR - 1, return_deadline=dt.date(YEAR - 1, 12, 1))
    actions = [
        {"category": "Annet", "challenge": "Støy i kantina", "measure": "Lyddemping", "priority": "Lav",
         "responsible": "Leder", "deadline": dt.date(YEAR - 1, 5, 1), "status": "Påbegynt"},
        {"category": "Annet", "challenge": "Ferdig sak", "measure": "Gjort", "priority": "Lav",
         "responsible": "Leder", "deadline": dt.date(YEAR - 1, 3, 1), "status": "Iverksatt"},
        {"category": "Annet", "challenge": "Glatt gulv", "measure": "Matter", "priority": "høg",
         "responsible": "Leder", "deadline": "ultimo juni", "status": "iverksat", "comment": "Bestilt"},
    ]
    findings = [
        {"area": "Trapp", "finding": "Manglende rekkverk", "probability": 4, "consequence": 5,
         "proposal": "Montere rekkverk", "deadline": dt.date(YEAR - 1, 9, 1)},
        {"area": "Kontor", "finding": "Løse ledninger", "probability": 2, "consequence": 2,
         "closed": dt.date(YEAR - 1, 6, 1)},
        {"finding": "Trekk fra vindu", "proposal": "Tette vinduet", "comment": "x" * 3990},  # no area, no risk
        {"area": "Gang", "finding": "Glatt gulv i gangen", "proposal": "Legge matter"},  # in the plan already
    ]
    generate(last_year, tmp_path / "fjor", sections=["drift"],
             fills={"drift": {"actions": actions, "safety_round": findings}})
    result = CliRunner().invoke(main, ["generate", str(config_file), "-o", str(tmp_path / "nye"),
                                       "--carry-over", str(tmp_path / "fjor")])
    assert result.exit_code == 0, result.output
    assert "Førte videre 2 tiltak som ikke er avsluttet, for 1 seksjon" in result.output
    assert "Førte videre 2 funn fra vernerunden som ikke er lukket, som tiltak" in result.output
    drift = read_workbook(tmp_path / "nye" / f"{YEAR}-drift.xlsx", today=dt.date(YEAR - 1, 1, 1))
    assert [(a["challenge"], a["status"], a["deadline"]) for a in drift.actions][:2] == [
        ("Støy i kantina", "Påbegynt", dt.date(YEAR - 1, 5, 1)), ("Glatt gulv", None, None)]
    # Values the new cells would refuse start empty; the leader's words are in the comment.
    # «høg» is nynorsk for the list's «Høy»: read as that, and carried as that.
    assert drift.actions[1]["priority"] == "Høy"
    assert drift.actions[1]["comment"] == ("Bestilt; I fjor: Frist «ultimo juni»; I fjor: Status «iverksat»; "
                                           "Skrevet i fjor: Prioritet: «høg»")
    # The finding not closed goes on as an action: a serious risk found last year is not forgotten.
    (finding,) = [a for a in drift.actions if a["challenge"] == "Manglende rekkverk"]
    assert finding["measure"] == "Montere rekkverk" and finding["deadline"] == dt.date(YEAR - 1, 9, 1)
    # In the rounds' category, not started, as high a priority as its risk: no required cell left empty.
    assert (finding["category"], finding["status"], finding["priority"]) == (
        "Vernerunde/brannvernrunde", "Ikke påbegynt", "Høy")
    assert finding["comment"] == f"Funn fra vernerunden {YEAR - 1} (Trapp), risiko 20, ikke lukket"
    # Without a place or a risk, said without them; a comment that fills its cell stays whole,
    # and what the action is goes in its purpose.
    (draught,) = [a for a in drift.actions if a["challenge"] == "Trekk fra vindu"]
    assert draught["comment"] == "x" * 3990 and draught["purpose"] == f"Funn fra vernerunden {YEAR - 1}, ikke lukket"
    assert draught["priority"] == "Middels"  # no risk given: the middle priority, no required cell left empty
    assert not [a for a in drift.actions if a["challenge"] == "Glatt gulv i gangen"]  # the plan has it
    assert not drift.tables["safety_round"]  # next year's round is its own
    # Returned as it was sent, the carried actions are no answer; one status changed is one.
    found = {p.code for p in drift.problems}
    assert "workbook_empty" in found and found <= {"required", "godbht_empty", "workbook_empty"}
    def answered(edit):  # what the leader did is an answer: nothing else is taken for one
        wb = openpyxl.load_workbook(tmp_path / "nye" / f"{YEAR}-drift.xlsx")
        edit(wb["Handlingsplan"])
        wb.save(tmp_path / "svar.xlsx")
        return "workbook_empty" not in {p.code for p in read_workbook(tmp_path / "svar.xlsx").problems}

    assert answered(lambda ws: ws.__setitem__("H5", "Iverksatt"))
    assert answered(lambda ws: ws.__setitem__("R6", "Lav"))  # words beside the plan, equal to a carried value
    assert answered(lambda ws: ws.delete_rows(5, 10))  # every carried action taken out
    assert drift.year == YEAR
    assert read_workbook(tmp_path / "nye" / f"{YEAR}-samling.xlsx").actions == []


def test_xlsxwriter_has_nothing_to_warn_about(tmp_path, unit):
    """xlsxwriter warns (and writes a file Excel may 'repair') when a limit is passed."""
    import dataclasses
    import warnings

    from hmsxl.config import Section

    long = Section(id="lang", name="S" * 255, leader="L" * 255, email="l@example.no", vo="V" * 255)
    unit = dataclasses.replace(unit, sections=(long,), categories=tuple(f"K{i:03d} " + "x" * 240 for i in range(500)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (path,) = generate(unit, tmp_path)
    assert openpyxl.load_workbook(path)["_hmsxl"]["B7"].value == "S" * 255


# --------------------------------------------------------------------------- Excel's limits


def _part(path, name) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


TABLE_SHEETS = tuple(f"xl/worksheets/sheet{n}.xml" for n in range(2, 8))  # after the guide, before _hmsxl


def test_footer_fits_excels_limit_for_a_long_section_name(tmp_path, unit):
    """Excel allows 255 characters in a footer: a 255-character name is shortened, visibly."""
    import dataclasses
    import re

    from hmsxl import xmltext
    from hmsxl.config import Section

    name = "Seksjon for R&D " + "s" * 239
    assert len(name) == 255
    long = Section(id="lang", name=name, leader="Lea Leder", email="l@example.no")
    (path,) = generate(dataclasses.replace(unit, sections=(long,)), tmp_path)  # the template path
    for part in TABLE_SHEETS:
        (footer,) = re.findall(r"<oddFooter>(.*?)</oddFooter>", _part(path, part))
        footer = xmltext.unescape(footer)
        assert xmltext.utf16_len(footer) <= 255, part
        assert footer.startswith("&LSeksjon for R&&D sss") and "…&C&A" in footer, part
    # The name itself is whole everywhere else.
    assert openpyxl.load_workbook(path)["_hmsxl"]["B7"].value == name


def test_config_refuses_noncharacters_with_the_key_path(tmp_path):
    from hmsxl import ConfigError, load_config
    from hmsxl.config import example_config_text

    for bad in ("\\uFFFE", "\\uFFFF", "\\u0001"):
        path = tmp_path / "unit.toml"
        path.write_text(example_config_text(YEAR).replace('name = "Drift og sikkerhet"',
                                                          f'name = "Drift{bad} og sikkerhet"'), encoding="utf-8")
        with pytest.raises(ConfigError) as exc:
            load_config(path)
        assert "sections nr. 3 (id «drift»).name: " in str(exc.value), bad


@pytest.mark.parametrize("bad", ["\x01", "\ufffe", "\uffff", "\ud800"])
def test_python_api_refuses_what_excel_cannot_hold(tmp_path, unit, bad):
    """generate() with a hand-built unit checks it as unit.toml is checked, naming the key."""
    import dataclasses

    from hmsxl import ConfigError

    drift = dataclasses.replace(unit.sections[2], name=f"Drift{bad}", leader=f"Dina{bad}")
    unit = dataclasses.replace(unit, sections=(unit.sections[0], unit.sections[1], drift))
    with pytest.raises(ConfigError) as exc:
        generate(unit, tmp_path / "out")
    assert "sections nr. 3 (id «drift»).name: " in str(exc.value)
    assert "sections nr. 3 (id «drift»).leader: " in str(exc.value)
    assert not (tmp_path / "out").exists()


def test_python_api_refuses_overlong_names_counted_as_excel_counts(tmp_path, unit):
    import dataclasses

    from hmsxl import ConfigError

    emoji = dataclasses.replace(unit.sections[0], name="🦺" * 128)  # 128 characters, 256 UTF-16 units
    with pytest.raises(ConfigError, match=r"sections nr\. 1 \(id «samling»\)\.name: er 256 tegn lang"):
        generate(dataclasses.replace(unit, sections=(emoji,)), tmp_path)


def test_a_literal_escape_sequence_in_a_name_is_kept(tmp_path, unit):
    """Excel decodes _xHHHH_ in stored text: a name holding one must be protected, or "A" shows."""
    import dataclasses

    from ooxml_check import cell_texts

    weird = dataclasses.replace(unit.sections[0], name="Lab _x0041_", leader="_x005F_x0042_ Leder", vo="_xD83E_")
    (path,) = generate(dataclasses.replace(unit, sections=(weird,)), tmp_path)
    shown = cell_texts(path, "_hmsxl")
    assert (shown["B7"], shown["B8"]) == ("Lab _x0041_", "_x005F_x0042_ Leder")
    guide = set(cell_texts(path, "Veiledning").values())
    assert {"Lab _x0041_", "_x005F_x0042_ Leder", "_xD83E_"} <= guide
    assert "HMS 2026: arbeidsbok for Lab _x0041_" in guide


def test_strings_that_become_equal_are_stored_once(tmp_path, unit):
    """A section named like its leader, or like a list value: one shared-string entry each."""
    import dataclasses
    import re

    from hmsxl.config import Section

    sections = (Section(id="lik", name="Drift", leader="Drift", email="d@example.no"),
                Section(id="annet", name="Annet", leader="Lea Leder", email="a@example.no", vo="Vidar Vern"),
                Section(id="ulik", name="Ulik", leader="Una Ulik", email="u@example.no"))
    paths = generate(dataclasses.replace(unit, sections=sections), tmp_path, generated_at=GENERATED_AT)
    for path in paths:
        sst = _part(path, "xl/sharedStrings.xml")
        entries = re.findall(r"<si>(.*?)</si>", sst)
        unique = int(re.search(r'uniqueCount="(\d+)"', sst).group(1))
        assert len(set(entries)) == len(entries) == unique, path.name
        used = sum(_part(path, part).count('t="s"') for part in TABLE_SHEETS + (
            "xl/worksheets/sheet1.xml", "xl/worksheets/sheet8.xml"))
        assert int(re.search(r' count="(\d+)"', sst).group(1)) == used, path.name
    ws = openpyxl.load_workbook(paths[0])["_hmsxl"]
    assert (ws["B7"].value, ws["B8"].value) == ("Drift", "Drift")


def test_only_the_input_cells_of_each_table_are_unlocked(generated):
    """Title, intro, legend and whatever lies outside a table are locked; the input cells are
    not, and the action plan's spare rows below the table stay editable."""
    from ooxml_check import locked_cells

    unit, paths = generated
    path = paths[0]
    for sheet in (ACTIONS, WHEEL, SAFETY_ROUND, FIRE_ROUNDS, GODBHT, ANNUAL):
        letters = [get_column_letter(c) for c in range(1, len(sheet.columns) + 4)]
        above = [f"{c}{r}" for c in letters for r in range(1, sheet.header_row + 2)]
        locked = locked_cells(path, sheet.name, above)
        assert all(locked.values()), (sheet.name, [ref for ref, v in locked.items() if not v])
        first = sheet.first_data_row + 1
        inputs = [f"{get_column_letter(i + 1)}{first}" for i, c in enumerate(sheet.columns) if c.input]
        computed = [f"{get_column_letter(i + 1)}{first}" for i, c in enumerate(sheet.columns) if c.computed]
        assert all(locked_cells(path, sheet.name, computed).values()), sheet.name  # what the workbook computes
        assert not any(locked_cells(path, sheet.name, inputs).values()), sheet.name
        right = get_column_letter(len(sheet.columns) + 1)
        assert locked_cells(path, sheet.name, [f"{right}{first}"])[f"{right}{first}"], sheet.name
    # Below the tables: God BHT's level legend, the rows under the årshjul and the årsrapport.
    for sheet, rows in ((GODBHT, 15), (WHEEL, len(year_occurrences(unit, "samling"))), (ANNUAL, len(ANNUAL_ITEMS))):
        below = [f"{get_column_letter(c)}{sheet.first_data_row + rows + r}" for c in range(1, len(sheet.columns) + 1)
                 for r in range(1, 8)]
        locked = locked_cells(path, sheet.name, below)
        assert all(locked.values()), (sheet.name, [ref for ref, v in locked.items() if not v])
    # The action plan: its formatted rows and the spare rows are input; below those, locked.
    last = ACTIONS.first_data_row + unit.action_rows + SPARE_ROWS
    spare = [f"{get_column_letter(c)}{r}" for c, col in enumerate(ACTIONS.columns, start=1) if col.input
             for r in (last - 1, last)]
    assert not any(locked_cells(path, ACTIONS.name, spare).values())
    outside = [f"{get_column_letter(c)}{last + 1}" for c in range(1, len(ACTIONS.columns) + 1)]
    outside.append(f"{get_column_letter(len(ACTIONS.columns) + 1)}{last}")
    assert all(locked_cells(path, ACTIONS.name, outside).values())


def test_generate_never_writes_over_a_return_it_carries_over_from(tmp_path, unit, config_file):
    """Last year's returns and this year's workbooks in one folder, with --force: a new
    workbook named as a return is refused before anything is read or written."""
    generate(unit, tmp_path / "inn", sections=["drift"])  # named as this year's would be
    returned = tmp_path / "inn" / f"{YEAR}-drift.xlsx"
    before = returned.read_bytes()
    result = CliRunner().invoke(main, ["generate", str(config_file), "-o", str(tmp_path / "inn"), "--force",
                                       "--carry-over", str(tmp_path / "inn")])
    assert result.exit_code == 2 and "hmsxl skriver aldri over det den leser" in result.output
    assert returned.read_bytes() == before and sorted(p.name for p in (tmp_path / "inn").iterdir()) == [returned.name]


def test_a_finding_carried_into_a_unit_without_the_rounds_category_gets_its_last(tmp_path, unit):
    import dataclasses

    from hmsxl import carry_over

    unit = dataclasses.replace(unit, categories=("Fokusområde", "Ergonomi", "Annet"))
    last_year = dataclasses.replace(unit, year=YEAR - 1, return_deadline=dt.date(YEAR - 1, 12, 1))
    finding = {"area": "Trapp", "finding": "Manglende rekkverk", "probability": 1, "consequence": 2}
    generate(last_year, tmp_path / "fjor", sections=["drift"], fills={"drift": {"safety_round": [finding]}})
    (action,) = carry_over(unit, [tmp_path / "fjor"]).fills["drift"]["actions"]
    assert (action["category"], action["priority"], action["status"]) == ("Annet", "Lav", "Ikke påbegynt")
