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
