"""Languages: a unit in nb, nn, da or en, a section in its own language, the Danish cycle,
messages that say what is true; returns in nb and nn consolidated into one report."""

import dataclasses
import datetime as dt
import email
import email.policy

import openpyxl
import pytest
from click.testing import CliRunner

from hmsxl import consolidate, generate, labels, load_config, read_workbook
from hmsxl.simulate import simulated_fill
from hmsxl.cli import main
from hmsxl.config import example_config_text, parse_config

from conftest import GENERATED_AT, YEAR


def unit_in(lang, **changes):
    import tomllib

    unit = parse_config(tomllib.loads(example_config_text(YEAR, lang)), source="unit.toml")
    return dataclasses.replace(unit, **changes) if changes else unit


def sheet_names(path):
    return openpyxl.load_workbook(path).sheetnames


def test_catalogs_are_translated():
    """Each language's words are its own: a catalog copied from bokmål would pass the key test."""
    nb = labels.catalog("nb")
    for lang in ("nn", "da", "en"):
        cat = labels.catalog(lang)
        differ = [k for k in ("guide", "actions", "wheel") if cat.SHEET[k] != nb.SHEET[k]]
        assert differ or cat.GUIDE["steps_heading"] != nb.GUIDE["steps_heading"], lang
        assert cat.PROBLEM["required"] != nb.PROBLEM["required"], lang
        # Nynorsk shares many sentences with bokmål, but not most of them.
        texts = [(k, s) for k, s in _texts(nb.data) if len(s) > 12]
        theirs = dict(_texts(cat.data))
        same = sum(theirs.get(k) == s for k, s in texts)
        assert same < len(texts) / 4, (lang, same, len(texts))


def _texts(data, path=""):
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _texts(v, f"{path}.{k}")
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _texts(v, f"{path}[{i}]")
    elif isinstance(data, str):
        yield path, data


@pytest.mark.parametrize("lang", labels.LANGUAGES)
def test_init_in_a_language_writes_a_unit_whose_workbooks_speak_it(tmp_path, lang):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "u"), "--year", str(YEAR), "--language", lang])
    assert result.exit_code == 0, result.output
    assert labels.catalog(lang).CLI["init_done"].split("{")[0].strip() in result.output
    unit = load_config(tmp_path / "u" / "unit.toml")
    assert unit.language == lang and unit.godbht == (lang != "da")
    assert unit.statuses == labels.catalog(lang).DEFAULT_LISTS["statuses"]
    (path,) = generate(unit, tmp_path / "wb", sections=[unit.sections[0].id], generated_at=GENERATED_AT)
    cat = labels.catalog(lang)
    expected = ["guide", "actions", "wheel"] + (["safety_round", "fire_rounds", "godbht"] if lang != "da" else []) + \
        (["discussion", "competence"] if lang == "da" else ["annual"]) + ["identity"]
    assert sheet_names(path) == [cat.SHEET[k] for k in expected]
    wb = openpyxl.load_workbook(path)
    assert wb["_hmsxl"]["B11"].value == lang
    actions = wb[cat.SHEET["actions"]]
    assert actions["A4"].value.startswith(cat.COLUMN["actions"]["category"][0])
    data = read_workbook(path, config=unit, today=dt.date(YEAR, 1, 10))
    assert data.language == lang and data.section_id == unit.sections[0].id
    # Read back as it was made: nothing wrong in it, and it is said to be no answer yet.
    assert {p.code for p in data.problems} - {"godbht_empty"} == {"workbook_empty"}


def test_a_section_in_its_own_language_within_a_bokmal_unit(tmp_path):
    unit = unit_in("nb")
    nynorsk = dataclasses.replace(unit.sections[1], language="nn")
    unit = dataclasses.replace(unit, sections=(unit.sections[0], nynorsk))
    paths = generate(unit, tmp_path / "wb", generated_at=GENERATED_AT)
    nb, nn = labels.catalog("nb"), labels.catalog("nn")
    assert sheet_names(paths[0])[1] == nb.SHEET["actions"]
    assert sheet_names(paths[1])[1] == nn.SHEET["actions"]
    assert read_workbook(paths[1], config=unit).language == "nn"
    # Its mail too; the lists (the unit's) are the same for every section, so answers add up.
    from hmsxl.mail import make_drafts

    drafts = make_drafts(unit, tmp_path / "wb", tmp_path / "out", today=dt.date(YEAR, 10, 1))
    bodies = {d.section_id: email.message_from_bytes(d.path.read_bytes(), policy=email.policy.default)
              .get_body(("plain",)).get_content() for d in drafts}
    assert nn.MAIL_TEXT["body"].split("{")[0].strip() in bodies[nynorsk.id]
    assert nb.MAIL_TEXT["body"].split("{")[0].strip() in bodies[unit.sections[0].id]
    wb = openpyxl.load_workbook(paths[1])
    ident = wb["_hmsxl"]
    assert ident["B11"].value == "nn" and ident["F1"].value == nn.LIST_NAMES["statuses"]
    assert [ident.cell(r, 6).value for r in range(2, 2 + len(unit.statuses))] == list(unit.statuses)


def test_the_danish_cycle(tmp_path):
    unit = unit_in("da")
    assert unit.cycle == "dk" and not unit.godbht
    assert {"dk-arbejdsmiljodroftelse", "dk-apv", "dk-kompetenceplan"} <= {a.id for a in unit.wheel}
    (path,) = generate(unit, tmp_path, sections=[unit.sections[0].id], generated_at=GENERATED_AT)
    da = labels.catalog("da")
    wb = openpyxl.load_workbook(path)
    discussion = wb[da.SHEET["discussion"]]
    questions = [discussion.cell(r, 3).value for r in range(5, 15)]
    for key in ("dk_focus", "dk_cooperation", "dk_goals", "dk_last_goals_reached", "dk_plan_worked"):
        assert da.ANNUAL[key][1] in questions
    competence = wb[da.SHEET["competence"]]
    assert [competence.cell(4, c).value.rstrip(" *") for c in (1, 2, 3, 4)] == \
        [da.COLUMN["competence"][k][0] for k in ("member", "task", "competence", "how")]
    # Filled in and read back: the answers reach the report, side by side.
    discussion["D7"] = "Stress og arbejdspres"
    competence["A5"], competence["B5"], competence["C5"] = "AMR Tove", "Følge op på APV", "Viden om psykisk arbejdsmiljø"
    (tmp_path / "svar").mkdir()
    wb.save(tmp_path / "svar" / "svar.xlsx")
    result = consolidate([tmp_path / "svar"], config=unit, today=dt.date(YEAR, 6, 1))
    assert list(result.tables["competence"]["task"]) == ["Følge op på APV"]
    report = openpyxl.load_workbook(result.write_excel(tmp_path / "rapport.xlsx"))
    assert da.REPORT_SHEETS["discussion"] in report.sheetnames and da.SHEET["competence"] in report.sheetnames
    texts = [c.value for row in report[da.REPORT_SHEETS["discussion"]].iter_rows() for c in row]
    assert "Stress og arbejdspres" in texts


def test_a_danish_unit_can_have_god_bht(tmp_path):
    unit = unit_in("da", godbht=True)
    (path,) = generate(unit, tmp_path, sections=[unit.sections[0].id], generated_at=GENERATED_AT)
    assert labels.catalog("da").SHEET["godbht"] in sheet_names(path)


def test_input_messages_give_examples_in_the_workbooks_year(tmp_path):
    unit = unit_in("nb", year=2027, return_deadline=dt.date(2027, 12, 1), wheel=())
    (path,) = generate(unit, tmp_path, sections=["samling"], generated_at=GENERATED_AT)
    prompts = [dv.prompt for dv in openpyxl.load_workbook(path)["Handlingsplan"].data_validations.dataValidation
               if dv.prompt]
    assert any("15.09.2027" in p for p in prompts) and not any("2026" in p for p in prompts)


def test_a_date_written_as_in_a_letter_gets_a_hint(tmp_path):
    path = tmp_path / "unit.toml"
    path.write_text(example_config_text(YEAR).replace(f"return_deadline = {YEAR}-12-01",
                                                      "return_deadline = 15.11.2027"), encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(path)])
    assert result.exit_code == 2
    assert labels.catalog("nb").CONFIG["toml_hint_date"] in result.output


def test_config_errors_are_told_in_the_units_language(tmp_path):
    path = tmp_path / "unit.toml"
    path.write_text(example_config_text(YEAR, "en").replace('leader = "', 'leder = "', 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(path)])
    en = labels.catalog("en")
    assert result.exit_code == 2 and en.CONFIG["unknown_key"].split("(")[0].strip() in result.output


def test_validate_counts_in_words_with_plurals(tmp_path, generated):
    unit, paths = generated
    result = CliRunner().invoke(main, ["validate", str(paths[0]), "--today", f"{YEAR}-12-31"])
    assert "0 feil" in result.output and "merknad" in result.output


# --------------------------------------------------------------------------- reminders


def _reminder(outbox, sid):
    (path,) = outbox.glob(f"{YEAR}-{sid}-*.eml")
    msg = email.message_from_bytes(path.read_bytes(),
                                   policy=email.policy.default)
    return msg.get_body(("plain",)).get_content(), list(msg.iter_attachments())


def test_reminders_say_what_is_true(tmp_path, unit):
    from hmsxl.mail import make_drafts

    generate(unit, tmp_path / "wb", generated_at=GENERATED_AT)
    back = tmp_path / "back"
    late = {"category": "Annet", "challenge": "Støy", "measure": "Demping", "priority": "Lav", "responsible": "Leder",
            "deadline": dt.date(YEAR, 2, 1), "status": "Påbegynt"}
    generate(unit, back, sections=["samling"], fills={"samling": {"actions": [late]}}, generated_at=GENERATED_AT)
    wrong = {"deadline": "31.02.2026", **{k: v for k, v in late.items() if k != "deadline"}}
    generate(unit, back, sections=["formidling"], fills={"formidling": {"actions": [
        {**wrong, "deadline": dt.date(YEAR, 12, 20)}]}}, generated_at=GENERATED_AT, force=True)
    last_year = dataclasses.replace(unit, year=YEAR - 1, return_deadline=dt.date(YEAR - 1, 12, 1))
    generate(last_year, back / "fjor", sections=["drift"], generated_at=GENERATED_AT)
    nb = labels.catalog("nb")
    deadline = nb.date(unit.return_deadline)
    before = make_drafts(unit, tmp_path / "wb", tmp_path / "before", reminders_from=back, today=dt.date(YEAR, 11, 1))
    by_id = {d.section_id: d for d in before}
    body, attached = _reminder(tmp_path / "before", "adm")  # nothing received
    assert nb.REMINDER["missing"] in body and nb.REMINDER["deadline_future"].format(deadline=deadline) in body
    assert attached
    body, attached = _reminder(tmp_path / "before", "samling")  # answered, one action late
    assert nb.REMINDER["missing"] not in body and nb.REMINDER["overdue"] in body and "Støy" in body
    assert not attached and nb.REMINDER["deadline_answered"] in body
    body, _ = _reminder(tmp_path / "before", "drift")  # last year's workbook
    assert f"Vi har mottatt {YEAR - 1}-drift.xlsx" in body and nb.REMINDER["missing"] not in body
    assert "fjor/" not in body  # the file as the leader named it, not the advisor's folder
    assert "formidling" not in by_id  # answered, nothing late, nothing wrong
    after = make_drafts(unit, tmp_path / "wb", tmp_path / "after", reminders_from=back, today=dt.date(YEAR, 12, 10))
    assert after
    body, _ = _reminder(tmp_path / "after", "adm")
    assert nb.REMINDER["deadline_past"].format(deadline=deadline) in body
    body, _ = _reminder(tmp_path / "after", "samling")  # answered: thanked, not told the deadline passed
    assert nb.REMINDER["deadline_answered"] in body and "Fristen" not in body



def test_a_reminder_tells_a_section_its_problems_in_its_own_language(tmp_path, unit):
    from hmsxl.mail import make_drafts

    unit = dataclasses.replace(unit, sections=tuple(
        dataclasses.replace(s, language="nn") if s.id == "formidling" else s for s in unit.sections))
    generate(unit, tmp_path / "wb", generated_at=GENERATED_AT)
    half = {"category": "Annet", "challenge": "Støy", "priority": "Lav", "responsible": "Leiar",
            "deadline": dt.date(YEAR, 12, 1), "status": "Påbegynt"}  # no measure: a required field
    wrong_day = dict(half, measure="Lyddemping", deadline="31.02.2026")  # no such day
    generate(unit, tmp_path / "back", sections=["formidling"], fills={"formidling": {"actions": [half, wrong_day]}},
             generated_at=GENERATED_AT)
    make_drafts(unit, tmp_path / "wb", tmp_path / "out", reminders_from=tmp_path / "back", today=dt.date(YEAR, 11, 1))
    body, _ = _reminder(tmp_path / "out", "formidling")
    assert "må fyllast ut" in body and "må fylles ut" not in body
    # A message that does not say what was written is followed by it.
    assert "(skrive: «31.02.2026»)" in body, body

# --------------------------------------------------------------------------- through LibreOffice


@pytest.mark.libreoffice
def test_returns_in_bokmal_and_nynorsk_make_one_report(tmp_path, lo_fill):
    unit = unit_in("nb")
    sections = (unit.sections[0], dataclasses.replace(unit.sections[1], language="nn"))
    unit = dataclasses.replace(unit, sections=sections)
    sent = generate(unit, tmp_path / "sent", generated_at=GENERATED_AT)
    nb, nn = labels.catalog("nb"), labels.catalog("nn")
    jobs = []
    for path, cat, ext, filt in ((sent[0], nb, "xlsx", "Calc MS Excel 2007 XML"), (sent[1], nn, "ods", "calc8")):
        sheet = cat.SHEET["actions"]
        row = [("A5", unit.categories[0]), ("B5", f"Utfordring {cat.language}"), ("D5", "Tiltak"),
               ("E5", unit.priorities[0]), ("F5", "Leiar"), ("G5", f"{YEAR}-03-01"), ("H5", unit.statuses[1])]
        ops = [{"op": "set", "sheet": sheet, "cell": c, "value": v, "type": "date" if c == "G5" else "string"}
               for c, v in row]
        ops.append({"op": "set", "sheet": cat.SHEET["godbht"], "cell": "E5", "value": 3, "type": "number"})
        jobs.append({"input": str(path), "ops": ops, "outputs": [[str(tmp_path / "back" / f"{path.stem}.{ext}"), filt]]})
    (tmp_path / "back").mkdir()
    lo_fill(jobs, tmp_path)
    result = consolidate([tmp_path / "back"], config=unit, today=dt.date(YEAR, 6, 1))
    assert sorted(result.actions["challenge"]) == ["Utfordring nb", "Utfordring nn"]
    assert list(result.overview["answered"]) == [True, True]
    assert set(result.godbht_sections.loc[result.godbht_sections["key"] == "e01", "level_bht"]) == {3}
    # The nynorsk section's elements and groups are shown as the bokmål report names them.
    assert set(result.godbht_sections["group"]) <= set(nb.GODBHT_GROUPS.values())
    assert set(result.godbht_sections["element"]) == {name for _, name in nb.GODBHT_ELEMENTS}
    report = openpyxl.load_workbook(result.write_excel(tmp_path / "rapport.xlsx"))
    assert report.sheetnames[0] == nb.REPORT_SHEETS["overview"]  # the unit's language


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang,ext,filt", [("da", "xls", "MS Excel 97"), ("en", "ods", "calc8")])
def test_a_danish_and_an_english_unit_read_back_through_libreoffice(tmp_path, lo_fill, lang, ext, filt):
    unit = unit_in(lang)
    cat = labels.catalog(lang)
    (path,) = generate(unit, tmp_path / "sent", sections=[unit.sections[0].id], generated_at=GENERATED_AT)
    row = [("A5", unit.categories[0]), ("B5", f"Challenge {lang}"), ("D5", "Measure"),
           ("E5", unit.priorities[0]), ("F5", "Leader"), ("G5", f"{YEAR}-03-01"), ("H5", unit.statuses[1])]
    ops = [{"op": "set", "sheet": cat.SHEET["actions"], "cell": c, "value": v,
            "type": "date" if c == "G5" else "string"} for c, v in row]
    if lang == "da":  # the Danish cycle's own sheets
        ops += [{"op": "set", "sheet": cat.SHEET["discussion"], "cell": "D5", "value": "Færre løft", "type": "string"},
                {"op": "set", "sheet": cat.SHEET["competence"], "cell": "A5", "value": "AMR", "type": "string"},
                {"op": "set", "sheet": cat.SHEET["competence"], "cell": "B5", "value": "APV", "type": "string"},
                {"op": "set", "sheet": cat.SHEET["competence"], "cell": "C5", "value": "Kursus", "type": "string"}]
    (tmp_path / "back").mkdir()
    lo_fill([{"input": str(path), "ops": ops, "outputs": [[str(tmp_path / "back" / f"{path.stem}.{ext}"), filt]]}],
            tmp_path)
    result = consolidate([tmp_path / "back"], config=unit, today=dt.date(YEAR, 6, 1))
    assert list(result.actions["challenge"]) == [f"Challenge {lang}"]
    assert result.actions["deadline"].iloc[0] == dt.date(YEAR, 3, 1)
    assert bool(result.overview["answered"].iloc[0])
    if lang == "da":
        assert "Færre løft" in set(result.tables["discussion"]["answer"])
        assert list(result.tables["competence"]["member"]) == ["AMR"]
    report = openpyxl.load_workbook(result.write_excel(tmp_path / "report.xlsx"))
    assert report.sheetnames[0] == cat.REPORT_SHEETS["overview"]
    header = [c.value for c in report[cat.REPORT_SHEETS["overview"]][4]]
    assert (cat.REPORT_COLUMNS["godbht_mean"] in header) == (lang != "da")  # no God BHT, no God BHT columns
    written = {p.name for p in result.to_csv(tmp_path / "csv")}
    assert {"actions.csv", "overview.csv", "problems.csv"} <= written
    assert ("competence.csv" in written) == (lang == "da") and ("godbht_profile.csv" in written) == (lang != "da")


def test_without_unit_toml_a_danish_unit_is_read_with_its_own_sheets(tmp_path):
    unit = unit_in("da")
    sid = unit.sections[0].id
    fill = simulated_fill(unit, sid, seed=2, today=dt.date(YEAR, 10, 1))
    generate(unit, tmp_path / "svar", sections=[sid], fills={sid: fill}, generated_at=GENERATED_AT)
    result = consolidate([tmp_path / "svar"], today=dt.date(YEAR, 10, 1))
    assert [s.key for s in result.schema.sheets] == ["actions", "wheel", "discussion", "competence"]
    assert not {"sheet_missing", "unknown_sheet"} & set(result.problems["code"])
    assert len(result.tables["competence"]) == len(fill["competence"])
    assert result.godbht is None and "godbht" not in result.tables


# --------------------------------------------------------------------------- the command line's own words

ENGLISH_WORDS = ("Usage:", "Options:", "Commands:", "Show this message", "Try '")


def helped(args, monkeypatch, env_lang=None):
    if env_lang:
        monkeypatch.setenv("HMSXL_LANG", env_lang)
    else:
        monkeypatch.delenv("HMSXL_LANG", raising=False)
    return CliRunner().invoke(main, args, prog_name="hmsxl")


@pytest.mark.parametrize("lang", labels.LANGUAGES)
def test_every_help_is_in_the_language_asked_for(lang, monkeypatch):
    """`--help` of hmsxl and of each command, with --lang or HMSXL_LANG: its texts from that
    language's catalog, every option's help there, and none of the library's English
    words but in English."""
    cat = labels.catalog(lang)
    for command in [None, *main.commands]:
        args = [command] if command else []
        for result in (helped(["--lang", lang, *args, "--help"], monkeypatch), helped([*args, "-h"], monkeypatch, lang)):
            assert result.exit_code == 0, result.output
            out = " ".join(result.output.split())
            own = cat.CLI_HELP[command or "main"]
            assert out.startswith(cat.CLICK["Usage:"] + " hmsxl")
            assert " ".join(own["help"].replace("\b", "").split())[:40] in out
            params = (main.commands[command] if command else main).params
            for param in params:
                if not getattr(param, "is_flag", False) and param.param_type_name == "option" or param.name in own:
                    text = own.get(param.name) or cat.CLI_HELP["main"].get(param.name)
                    assert text, f"{lang}: no help for {command or 'hmsxl'} {param.name}"
                    assert " ".join(text.split())[:30] in out
            assert " ".join(cat.CLI_HELP["main"]["help_option"].split()) in out
            if lang != "en":
                assert not [w for w in ENGLISH_WORDS if w in result.output], result.output


def test_a_mistyped_command_line_is_told_in_norwegian_by_default(monkeypatch):
    result = helped(["validate", "--bogus"], monkeypatch)
    assert result.exit_code == 2
    assert "Feil: Ukjent valg «--bogus»." in result.output and "Skriv «hmsxl validate --help» for hjelp." in result.output
    result = helped(["consolidate"], monkeypatch)
    assert result.exit_code == 2 and "Mangler argument 'STIER...'" in result.output
    assert helped(["--version"], monkeypatch).output.startswith("hmsxl, versjon ")
    result = helped(["--lang", "en", "validate", "--bogus"], monkeypatch)
    assert "Error: No such option '--bogus'." in result.output  # and back in English when asked
    result = helped(["validate", "--today", "i morgen", "x.xlsx"], monkeypatch, "nn")
    assert "Ugyldig verdi for '--today': «i morgen» er ikkje ein dato skriven ÅÅÅÅ-MM-DD" in result.output
    result = helped(["validate", "--today", "2026-02-30", "x.xlsx"], monkeypatch)
    assert "«2026-02-30» er ikke en dato skrevet ÅÅÅÅ-MM-DD" in result.output
    assert "[påkrevd]" in helped(["mail", "--help"], monkeypatch).output
    assert "Bruk: hmsxl init [VALG] [MAPPE]" in helped(["init", "--help"], monkeypatch).output
    assert not [w for w in ENGLISH_WORDS if w in result.output], result.output
    result = helped(["validate", "--annotate", __file__, "x.xlsx"], monkeypatch)  # the kind of path too
    assert f"Ugyldig verdi for '--annotate': Mappe «{__file__}» er en fil." in result.output
    result = helped(["--lang", "en", "validate", "--annotate", __file__, "x.xlsx"], monkeypatch)
    assert f"Directory '{__file__}' is a file." in result.output


def test_the_arshjul_rows_made_in_one_language_are_not_given_to_another():
    """The pre-filled årshjul rows are kept for the next section with the same activities;
    a section in another language gets its own (a period's words are the language's)."""
    from hmsxl.schema import WHEEL
    from hmsxl.wheel import year_occurrences

    unit = unit_in("nb")
    unit = dataclasses.replace(unit, wheel=tuple(a for a in unit.wheel if not a.repeat))  # names alike in both
    made = {}
    for lang in ("nb", "en", "nb"):
        with labels.language(lang):
            occurrences = year_occurrences(unit, unit.sections[0].id)
            made.setdefault(lang, []).append([row["period"] for row in WHEEL.rows(WHEEL, unit, occurrences)])
    assert made["nb"][0] == made["nb"][1] and not set(made["nb"][0]) & set(made["en"][0])


def test_carried_over_notes_are_in_the_sections_language(tmp_path):
    """An English section of a bokmål unit gets last year's notes in English: the words
    kept from a value its cell does not take, and what a finding carried over was."""
    from hmsxl import carry_over

    unit = unit_in("nb")
    sid = unit.sections[0].id
    unit = dataclasses.replace(unit, sections=(dataclasses.replace(unit.sections[0], language="en"),
                                               *unit.sections[1:]))
    last_year = dataclasses.replace(unit, year=YEAR - 1, return_deadline=dt.date(YEAR - 1, 12, 1))
    action = {"category": "Annet", "challenge": "Noise", "measure": "Panels", "priority": "Lav",
              "responsible": "Leader", "deadline": "end of May", "status": "Påbegynt"}
    finding = {"area": "Stairs", "finding": "No railing", "probability": 4, "consequence": 5, "proposal": "Railing"}
    generate(last_year, tmp_path / "last", sections=[sid], fills={sid: {"actions": [action], "safety_round": [finding]}})
    carried = carry_over(unit, [tmp_path / "last"]).fills[sid]["actions"]
    assert carried[0]["comment"] == "Last year: Deadline ‘end of May’"
    assert carried[1]["comment"] == f"Finding of the vernerunde {YEAR - 1} (Stairs), risk 20, not closed"
