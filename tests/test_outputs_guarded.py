"""What hmsxl writes never replaces the unit's own file, and what it prints never
lets a file's text act on the terminal."""


from pathlib import Path

import openpyxl
from click.testing import CliRunner

from hmsxl import generate, labels
from hmsxl.cli import main

from conftest import GENERATED_AT
from zipparts import members, pack


def test_the_report_and_the_calendar_never_replace_unit_toml(config_file, tmp_path):
    (wb,) = generate(config_file, tmp_path / "wb", sections=["drift"], generated_at=GENERATED_AT)
    before = config_file.read_bytes()
    runner = CliRunner()
    report = runner.invoke(main, ["consolidate", str(wb), "-o", str(config_file), "--config", str(config_file)])
    assert report.exit_code == 2 and "unit.toml" in report.output and "Traceback" not in report.output
    calendar = runner.invoke(main, ["calendar", str(config_file), "-o", str(config_file)])
    assert calendar.exit_code == 2 and "unit.toml" in calendar.output
    assert config_file.read_bytes() == before


def test_control_characters_in_a_cell_are_shown_not_sent_to_the_terminal(config_file, tmp_path):
    (wb,) = generate(config_file, tmp_path / "wb", sections=["drift"], generated_at=GENERATED_AT)
    book = openpyxl.load_workbook(wb)
    ws = book[labels.SHEET["actions"]]
    ws["B5"], ws["H5"] = "Et tiltak", "ferdigMARK"
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    # A terminal escape (set the window title) where the leader's status was.
    filled.write_bytes(pack([(n, b.replace(b"MARK", b"_x001B_]0;owned_x0007_")) for n, b in members(filled)]))
    result = CliRunner().invoke(main, ["validate", str(filled)])
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;owned\\x07" in result.output


def test_a_report_name_that_is_not_xlsx_is_refused_before_anything_is_read(config_file, tmp_path):
    (wb,) = generate(config_file, tmp_path / "wb", sections=["drift"], generated_at=GENERATED_AT)
    result = CliRunner().invoke(main, ["consolidate", str(wb), "-o", str(tmp_path / "rapport.csv")])
    assert result.exit_code == 2 and ".xlsx" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "rapport.csv").exists()


def test_a_set_of_files_goes_where_a_link_points_and_inside_a_folder_it_cannot_write_beside(tmp_path, monkeypatch):
    """The CSV folder given as a link: written where it points, the link kept. A folder
    whose parent is not ours to write (a share's root): written inside it, and an earlier
    export's file this one has not removed there too."""
    import errno
    import tempfile

    from hmsxl.fileio import atomic_write_files

    real = tmp_path / "eksport"
    real.mkdir()
    (tmp_path / "lenke").symlink_to(real)
    atomic_write_files(tmp_path / "lenke", {"a.csv": b"1"})
    assert (tmp_path / "lenke").is_symlink() and (real / "a.csv").read_bytes() == b"1"
    made = tempfile.mkdtemp

    def not_beside(*args, dir=None, **kwargs):
        if Path(dir) == tmp_path:
            raise PermissionError(errno.EACCES, "Permission denied")
        return made(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", not_beside)
    (real / "mine.txt").write_text("egne")
    atomic_write_files(real, {"b.csv": b"2"}, replaces={"a.csv"})
    assert sorted(p.name for p in real.iterdir()) == ["b.csv", "mine.txt"]


def test_a_csv_list_that_is_no_file_of_ours_is_let_be(tmp_path, generated):
    """The hidden list of an earlier export is read only if it is a file: a pipe there
    would hang the export, a folder stop it."""
    import os

    from hmsxl import consolidate

    unit, paths = generated
    result = consolidate(paths[:1], config=unit)
    for kind in ("pipe", "folder"):
        out = tmp_path / kind
        out.mkdir()
        if kind == "pipe":
            os.mkfifo(out / ".hmsxl-csv")
        else:
            (out / ".hmsxl-csv").mkdir()
        written = result.to_csv(out)
        assert "actions.csv" in {p.name for p in written} and (out / "actions.csv").is_file()
