"""The README must stay true: its test command is what CI runs, and it documents every option."""

import re
from pathlib import Path

import click

from hmsxl import labels
from hmsxl.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands():
    return re.findall(r"```sh\n(.+?)\n```", README)


def test_ci_runs_the_readme_test_command():
    test_command = readme_commands()[1]
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_command_and_option_is_in_the_readme():
    for name, command in main.commands.items():
        assert f"hmsxl {name}" in README, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in README for opt in param.opts), f"{name} {param.opts}"


def test_labels_fit_excel_validation_limits():
    from hmsxl.schema import ANNUAL_ITEMS, SHEETS

    for sheet in SHEETS:
        for col in sheet.columns:
            assert len(col.help) <= 255, (sheet.key, col.key)
    for item in ANNUAL_ITEMS:
        assert len(item.help) <= 255, item.key
    assert len(labels.VALIDATION["error_title"]) <= 32
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in labels.SHEET.values())


def documented_commands():
    """Every `hmsxl ...` command line in README.md and docs/*.md."""
    texts = [README] + [p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md")]
    for text in texts:
        code = re.findall(r"```sh\n(.*?)```", text, flags=re.S) + re.findall(r"`(hmsxl [^`]*)`", text)
        for block in code:
            for line in re.findall(r"(hmsxl [^\n]*)", block):
                yield line.split("#")[0].split("&&")[0].replace("\\|", "|").strip()


def test_docs_name_only_commands_and_options_that_exist():
    seen = 0
    group_options = {opt for p in main.params if isinstance(p, click.Option) for opt in p.opts}
    for line in documented_commands():
        words = line.split()
        while len(words) > 2 and words[1] in group_options:  # hmsxl --lang en validate …
            words = [words[0]] + words[3:]
        command = main.commands.get(words[1])
        assert command is not None, line
        options = {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts + p.secondary_opts}
        for word in words[2:]:
            for part in word.strip("[]|.,").split("/"):
                if part.startswith("-"):
                    assert part.split("=")[0] in options, f"{line}: {part}"
        seen += 1
    assert seen >= 10


def test_docs_pictures_exist():
    for text in [README] + [p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            base = ROOT if not target.startswith("img/") else ROOT / "docs"
            assert (base / target).exists(), target


def test_the_guide_lists_every_problem_code_with_its_message():
    """The report's «Kode» column can show any code: the advisor's guide says what each one is."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("problem_codes", ROOT / "scripts" / "problem_codes.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    guide = (ROOT / "docs" / "brukerveiledning.md").read_text(encoding="utf-8")
    assert script.written(guide) == guide, "run scripts/problem_codes.py"
    from hmsxl.problems import SEVERITY

    assert all(f"| `{code}` |" in guide for code in SEVERITY)
