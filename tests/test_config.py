import datetime as dt
import re
import tomllib

import pytest
from click.testing import CliRunner

from hmsxl import ConfigError, load_config
from hmsxl.cli import main
from hmsxl.config import default_lists, example_config_text, parse_config

from conftest import YEAR


def test_example_config_loads_with_defaults(config_file):
    unit = load_config(config_file)
    assert unit.name == "Eksempelmuseet" and unit.year == YEAR
    assert [s.id for s in unit.sections] == ["samling", "formidling", "drift", "adm"]
    assert unit.return_deadline == dt.date(YEAR, 12, 1)
    assert unit.statuses == default_lists()["statuses"] and unit.language == "nb" and unit.godbht
    assert unit.categories[0] == "Fokusområde"
    assert {a.id for a in unit.wheel} >= {"vernerunde", "brannvernrunde", "arsrapport", "fokusomrader"}
    # Invented people only: every address is at example.no/.org.
    emails = [unit.advisor.email] + [s.email for s in unit.sections] + [s.vo_email for s in unit.sections if s.vo_email]
    assert all(e.endswith(("@example.no", "@example.org")) for e in emails)


def test_init_writes_example_and_refuses_to_overwrite(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["init", str(tmp_path / "u"), "--year", "2027"])
    assert result.exit_code == 0, result.output
    unit = load_config(tmp_path / "u" / "unit.toml")
    assert unit.year == 2027 and unit.return_deadline == dt.date(2027, 12, 1)
    before = (tmp_path / "u" / "unit.toml").read_bytes()
    again = runner.invoke(main, ["init", str(tmp_path / "u")])
    assert again.exit_code == 1 and "finnes allerede" in again.output
    assert (tmp_path / "u" / "unit.toml").read_bytes() == before


def edit(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)


BASE = example_config_text(YEAR)
BROKEN = {
    "unknown key": (edit(BASE, 'name = "Eksempelmuseet"', 'name = "Eksempelmuseet"\nnavn = "x"'),
                    "unit.navn: ukjent nøkkel"),
    "wrong type": (edit(BASE, f"year = {YEAR}", 'year = "2026"'), "unit.year: må være et helt tall"),
    "year out of range": (edit(BASE, f"year = {YEAR}", "year = 1850"), "unit.year: er 1850"),
    "duplicate section id": (edit(BASE, 'id = "formidling"', 'id = "samling"'),
                             "sections nr. 2 (id «samling»).id: «samling» er brukt av en annen seksjon"),
    "bad e-mail": (edit(BASE, "frode.formidler@example.no", "frode.formidler(at)example.no"),
                   "sections nr. 2 (id «formidling»).email: «frode.formidler(at)example.no» er ikke en e-postadresse"),
    "deadline outside the year": (edit(BASE, f"return_deadline = {YEAR}-12-01", f"return_deadline = {YEAR + 1}-01-10"),
                                  f"unit.return_deadline: {YEAR + 1}-01-10 er utenfor året {YEAR}"),
    "deadline as text": (edit(BASE, f"return_deadline = {YEAR}-12-01", 'return_deadline = "1.12.2026"'),
                         "unit.return_deadline: må være en dato uten anførselstegn"),
    "sheet-unsafe section id": (edit(BASE, 'id = "drift"', 'id = "Drift/Sikkerhet"'),
                                "sections nr. 3 (id «Drift/Sikkerhet»).id: «Drift/Sikkerhet» kan bare ha a–z, 0–9"),
    "missing key": (edit(BASE, 'leader = "Dina Drift"\n', ""), "sections nr. 3 (id «drift»).leader: mangler"),
    "list value too long for Excel": (edit(BASE, "[lists]", "[lists]\npriorities = [\"" + "x" * 300 + "\"]"),
                                      "lists.priorities[0]: er 300 tegn lang; en liste i Excel tillater høyst 255"),
    "done status not a status": (edit(BASE, "[lists]", '[lists]\ndone_statuses = ["Ferdig"]'),
                                 "lists.done_statuses: «Ferdig» står ikke i lists.statuses"),
    "wheel rule missing": (edit(BASE, 'due = "07-01"', 'when = "07-01"'), "wheel nr. 3 (id «vernerunde»).when: ukjent nøkkel"),
    "wheel date not a date": (edit(BASE, 'due = "07-01"', 'due = "07-41"'), "wheel nr. 3 (id «vernerunde»).due: «07-41» er ikke en måned og dag"),
    "wheel date in another year": (edit(BASE, 'due = "07-01"', "due = 2019-07-01"),
                                   "wheel nr. 3 (id «vernerunde»).due: 2019-07-01 er utenfor året"),
    "wheel unknown section": (edit(BASE, 'id = "vernerunde"', 'id = "vernerunde"\nsections = ["lager"]'),
                              "wheel nr. 3 (id «vernerunde»).sections: «lager» er ikke en seksjons-id"),
    "every_years without base": (edit(BASE, "base_year = 2025\n", ""), "wheel nr. 5 (id «ros-analyse»).base_year: mangler"),
    "control character": (edit(BASE, 'leader = "Arne Admin"', 'leader = "Arne\\u0007Admin"'),
                          "sections nr. 4 (id «adm»).leader: må være én linje"),
    "not TOML": (edit(BASE, "[advisor]", "[advisor"), "er ikke gyldig TOML på linje "),
    "fire round activity not in the wheel": (
        edit(BASE, 'name = "Eksempelmuseet"', 'name = "Eksempelmuseet"\nfire_round_activity = "brann"'),
        "unit.fire_round_activity: «brann» er ikke id-en til en aktivitet i årshjulet ([[wheel]]). Kjente id-er: "
        "innspill-handlingsplan, handlingsplan-enhet, vernerunde, brannvernrunde, ros-analyse"),
    "wheel id equal to a repeated activity's key": (
        BASE + '\n[[wheel]]\nid = "brannvernrunde-k1"\nname = "Ekstra runde"\ndue = "05-01"\n',
        "wheel: to aktiviteter i årshjulet får nøkkelen «brannvernrunde-k1»"),
    "risk thresholds equal": (edit(BASE, "[advisor]", "[risk]\nmedium = 8\nhigh = 8\n\n[advisor]"),
                              "risk.medium: medium = 8 er ikke lavere enn high = 8"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_config_exit_2_with_key_path(tmp_path, kind):
    text, expected = BROKEN[kind]
    path = tmp_path / "unit.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_every_mistake_is_reported_at_once(tmp_path):
    text = edit(edit(BASE, f"year = {YEAR}", 'year = "x"'), "frode.formidler@example.no", "nope")
    path = tmp_path / "unit.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert len(err.value.problems) == 2
    # On the command line: one line each, each headed as an error.
    result = CliRunner().invoke(main, ["generate", str(path), "-o", str(tmp_path / "out")])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 2 and all(line.startswith("Feil: ") for line in lines)
    # A value with a line break in it does not split its mistake over two lines.
    path.write_text(edit(BASE, 'id = "drift"', 'id = "dr\\nift"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(path), "-o", str(tmp_path / "out")])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2
    assert len(lines) == 2 and all(line.startswith("Feil: ") and "(id «dr\\nift»)" in line for line in lines)


@pytest.mark.parametrize("make,expected", [
    (lambda p: p, "finnes ikke"),
    (lambda p: (p.mkdir(), p)[1], "finnes ikke"),  # a folder without unit.toml in it
    (lambda p: (p.write_bytes(b"\xff\xfe\x00bad"), p)[1], "er ikke UTF-8-tekst"),
])
def test_unreadable_config(tmp_path, make, expected):
    path = make(tmp_path / "unit.toml")
    result = CliRunner().invoke(main, ["generate", str(path)])
    assert result.exit_code == 2 and expected in result.output


def test_a_wheel_too_big_for_the_sheet_is_refused_before_any_workbook_is_written():
    monthly = "".join(f'\n[[wheel]]\nid = "m{i}"\nname = "Månedlig sjekk {i}"\nwho = "Leder"\nrepeat = "monthly"\n'
                      for i in range(200))
    with pytest.raises(ConfigError) as err:
        parse_config(tomllib.loads(example_config_text(YEAR) + monthly))
    assert re.search(r"wheel: gir 24\d\d aktiviteter i året for én seksjon; årshjulet kan ha høyst 2000", str(err.value))


def test_two_sections_with_one_name_are_refused(config_file):
    text = config_file.read_text(encoding="utf-8").replace('name = "Drift og sikkerhet"', 'name = "Samlingsseksjonen"', 1)
    config_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(config_file)
    assert "(id «drift»).name: «Samlingsseksjonen» er navnet på en annen seksjon også" in str(err.value)


@pytest.mark.parametrize("lang", ["nb", "nn", "da", "en"])
def test_the_commented_mail_block_of_the_example_works_when_uncommented(lang):
    lines = example_config_text(YEAR, language=lang).splitlines()
    start = lines.index("# [mail]")
    block = []
    for line in lines[start:]:
        if not line.startswith("# ") or line == "#":
            break
        block.append(line[2:])
    unit = parse_config(tomllib.loads("\n".join(lines[:start] + block + lines[start + len(block):])))
    assert "{section}" in unit.mail.subject and unit.mail.reminder_days == 7 and unit.mail.smtp_host


@pytest.mark.parametrize("lang", ["nb", "nn", "da", "en"])
def test_the_commented_round_and_risk_settings_of_the_example_work_when_uncommented(lang):
    text = example_config_text(YEAR, language=lang)
    keys = ("# lamu_meeting", "# [risk]", "# medium", "# high")
    if lang != "da":  # the Danish wheel has no vernerunde or brannvernrunde to name
        keys += ("# safety_round_activity", "# fire_round_activity")
    assert all(key in text for key in keys)
    for key in keys:
        text = text.replace(key, key[2:], 1)
    doc = tomllib.loads(text)
    assert doc["risk"] == {"medium": 5, "high": 10}
    unit = parse_config(doc)
    assert (unit.lamu_meeting, unit.risk) == (dt.date(YEAR, 12, 15), (5, 10))
