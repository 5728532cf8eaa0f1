"""One catalog per language: every language has every key with the same placeholders, the
texts fit Excel's limits, and no user-facing text lives outside the catalogs."""

import ast
import re
import sys
from pathlib import Path

import pytest

from hmsxl import labels

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import check_catalog  # noqa: E402


@pytest.mark.parametrize("lang", [lang for lang in labels.LANGUAGES if lang != labels.DEFAULT_LANGUAGE])
def test_every_language_has_every_key_with_the_same_placeholders(lang):
    assert check_catalog.check(lang) == []


@pytest.mark.parametrize("lang", labels.LANGUAGES)
def test_texts_fit_what_excel_allows(lang):
    cat = labels.catalog(lang)
    for name in list(cat.SHEET.values()) + list(cat.REPORT_SHEETS.values()):
        assert 1 <= len(name) <= 31 and not set(name) & set("[]:*?/\\"), name
    for sheet, columns in cat.COLUMN.items():
        for key, (label, help_text) in columns.items():
            assert len(help_text.format(year=2026)) <= 255, (sheet, key)
    for key, (_, question, help_text) in cat.ANNUAL.items():
        assert len(help_text.format(year=2026)) <= 255, key
    assert len(cat.VALIDATION["error_title"]) <= 32
    assert cat.SHEET["identity"] == "_hmsxl"
    assert len(cat.MONTHS) == len(cat.MONTHS_LONG) == 12


@pytest.mark.parametrize("lang", labels.LANGUAGES)
def test_default_lists_mean_what_they_say(lang):
    """Each language's "done" and "not applicable" lists hold values of the lists they qualify."""
    from hmsxl.config import MEANING_LISTS

    lists = labels.catalog(lang).DEFAULT_LISTS
    for key, (within, _) in MEANING_LISTS.items():
        assert set(lists[key]) <= set(lists[within]), (key, within)


# Where text a person reads may stand in code: invented demo answers, and patterns that
# recognise what people type.
ALLOWED = {"simulate.py", "demo.py"}
NORWEGIAN = re.compile(r"[æøåÆØÅ]")


def _literals(tree):
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node


def test_no_user_facing_text_outside_the_catalogs():
    """Norwegian letters in a string of the code mean a text that belongs in a catalog."""
    found = []
    for path in sorted((ROOT / "hmsxl").glob("*.py")):
        if path.name in ALLOWED:
            continue
        for node in _literals(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value
            if NORWEGIAN.search(text) and not re.fullmatch(r"[\[\]a-zA-ZæøåÆØÅ\\^$?+*(){}|.,:;0-9 \-–/sd]*", text):
                found.append(f"{path.name}:{node.lineno}: {text[:60]!r}")
    assert found == []


def test_the_command_line_speaks_bokmal_by_default_and_any_language_asked(tmp_path):
    from click.testing import CliRunner

    from hmsxl.cli import main

    runner = CliRunner()
    nothing = tmp_path / "ingenting"
    default = runner.invoke(main, ["consolidate", str(nothing), "-o", str(tmp_path / "r.xlsx")])
    assert default.exit_code == 2 and "Feil: " in default.output and "ingen slik fil eller mappe" in default.output
    english = runner.invoke(main, ["--lang", "en", "consolidate", str(nothing), "-o", str(tmp_path / "r.xlsx")])
    assert english.exit_code == 2 and labels.catalog("en").ERRORS["no_input"].format(path=nothing) in english.output
    by_env = runner.invoke(main, ["consolidate", str(nothing), "-o", str(tmp_path / "r.xlsx")], env={"HMSXL_LANG": "da"})
    assert labels.catalog("da").ERRORS["no_input"].format(path=nothing) in by_env.output
    labels.set_language("nb")
    wrong = runner.invoke(main, ["--lang", "se", "demo"])
    assert wrong.exit_code == 2 and "«se»" in wrong.output


@pytest.mark.parametrize("n,form", [(0, "other"), (1, "one"), (2, "other"), (5, "other")])
def test_plurals_follow_the_language(n, form):
    cat = labels.catalog("nb")
    assert cat.plural("cli", "warnings", n) == cat.CLI["warnings"][form].format(n=n)
    assert labels.catalog("nb").plural("cli", "warnings", 3) == "3 advarsler"
    assert labels.catalog("nb").plural("cli", "notes", 1) == "1 merknad"
