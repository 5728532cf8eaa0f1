"""The report as PDF for LAMU's papers: printed by LibreOffice, every sheet with its page
numbers; without LibreOffice, or with one that hangs, the xlsx report stands and one line
says why."""

import dataclasses
import datetime as dt
import os
import stat
import time

import pypdf
import pytest
from click.testing import CliRunner

from hmsxl import generate
from hmsxl.cli import main
from hmsxl.pdf import PdfError, xlsx_to_pdf

from conftest import YEAR

TODAY = dt.date(YEAR, 10, 1)
ACTION = {"category": "Annet", "challenge": "Trekk fra vinduene i lesesalen", "measure": "Tetningslister",
          "priority": "Lav", "responsible": "Vaktmester", "deadline": dt.date(YEAR, 12, 1), "status": "Påbegynt"}


def _returns(unit, tmp_path):
    unit = dataclasses.replace(unit, name="Bygg&Anlegg")  # "&A" in a footer is the sheet name: this one is words
    fills = {"drift": {"actions": [ACTION]}}
    generate(unit, tmp_path / "svar", sections=list(fills), fills=fills, force=True)
    return unit, tmp_path / "svar"


def _consolidate(args, monkeypatch, office=None):
    if office is not None:
        monkeypatch.setenv("HMSXL_SOFFICE", str(office))
    return CliRunner().invoke(main, ["consolidate", *map(str, args), "--today", TODAY.isoformat()])


def _fake_office(tmp_path, body: str):
    path = tmp_path / "soffice"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_the_report_as_pdf_has_every_sheet_a_leaders_words_and_page_numbers(unit, tmp_path, soffice,
                                                                              monkeypatch):
    unit, folder = _returns(unit, tmp_path)
    monkeypatch.delenv("HMSXL_SOFFICE", raising=False)
    result = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(tmp_path / "rapport.xlsx"),
                                       "--pdf", str(tmp_path / "ut" / "rapport.pdf"), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert f"Skrev {tmp_path / 'ut' / 'rapport.pdf'}" in result.output
    pages = pypdf.PdfReader(tmp_path / "ut" / "rapport.pdf").pages
    texts = [page.extract_text() for page in pages]
    said = " ".join(" ".join(t.split()) for t in texts)
    assert "Trekk fra vinduene i lesesalen" in said and "Vaktmester" in said
    for title in ("Oversikt", "Handlingsplan", "Problemer"):
        assert title in said
    assert f"Side 1 av {len(pages)}" in said and f"Side {len(pages)} av {len(pages)}" in said
    assert "HMS-rapport" in texts[-1] and "Bygg&Anlegg" in texts[-1]  # the footer on every page
    assert not list((tmp_path / "ut").glob(".*"))  # nothing of the conversion left beside it


def test_without_libreoffice_the_xlsx_report_stands_and_one_line_says_why(unit, tmp_path, monkeypatch):
    _, folder = _returns(unit, tmp_path)
    result = _consolidate([folder, "-o", tmp_path / "rapport.xlsx", "--pdf", tmp_path / "rapport.pdf"],
                          monkeypatch, office=tmp_path / "finnes-ikke")
    assert result.exit_code == 1
    assert (tmp_path / "rapport.xlsx").is_file() and not (tmp_path / "rapport.pdf").exists()
    assert "finnes-ikke, men det programmet finnes ikke. Excel-rapporten er skrevet." in result.output
    assert "Traceback" not in result.output


def test_a_pdf_name_that_is_no_pdf_or_an_input_is_refused_before_anything_is_read(unit, tmp_path, monkeypatch):
    _, folder = _returns(unit, tmp_path)
    result = _consolidate([folder, "-o", tmp_path / "rapport.xlsx", "--pdf", tmp_path / "rapport.txt"], monkeypatch)
    assert result.exit_code == 2 and "PDF-rapporten må hete noe med .pdf" in result.output
    (folder / "x.pdf").write_bytes(b"%PDF-1.4 not ours")  # a PDF among the inputs is one of them
    result = _consolidate([folder, "-o", tmp_path / "rapport.xlsx", "--pdf", folder / "x.pdf"], monkeypatch)
    assert result.exit_code == 2 and "hmsxl skriver aldri over det den leser" in result.output
    assert (folder / "x.pdf").read_bytes() == b"%PDF-1.4 not ours"
    assert not (tmp_path / "rapport.xlsx").exists()


def test_a_libreoffice_that_hangs_is_stopped_with_all_it_started(tmp_path, monkeypatch):
    pidfile = tmp_path / "barn.pid"
    office = _fake_office(tmp_path, f"sleep 300 & echo $! > {pidfile}\nwait")
    monkeypatch.setenv("HMSXL_SOFFICE", str(office))
    started = time.monotonic()
    with pytest.raises(PdfError, match="ble ikke ferdig med PDF-en på 2 sekunder og er stoppet"):
        xlsx_to_pdf(office, tmp_path / "rapport.pdf", timeout=2)
    assert time.monotonic() - started < 60
    child = int(pidfile.read_text())
    for _ in range(50):  # its child too: killed (at most a zombie no one has reaped yet)
        try:
            state = open(f"/proc/{child}/stat").read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            break
        if state == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail("LibreOffice's child is still running")
    assert not (tmp_path / "rapport.pdf").exists()


def test_a_libreoffice_that_makes_no_pdf_is_said_with_its_last_words(tmp_path, monkeypatch):
    office = _fake_office(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 1")
    monkeypatch.setenv("HMSXL_SOFFICE", str(office))
    with pytest.raises(PdfError) as caught:
        xlsx_to_pdf(office, tmp_path / "rapport.pdf")
    assert str(caught.value) == (f"{tmp_path / 'rapport.pdf'}: LibreOffice laget ingen PDF "
                                 "(Error: source file could not be loaded). Excel-rapporten er skrevet.")


def test_stopped_while_libreoffice_prints_nothing_is_left_running_or_behind(unit, tmp_path):
    """hmsxl told to stop by the system (SIGTERM) while LibreOffice works: LibreOffice and
    what it started are stopped, and its profile and temporary files are gone."""
    import signal
    import subprocess
    import sys

    _, folder = _returns(unit, tmp_path)
    pidfile = tmp_path / "barn.pid"
    office = _fake_office(tmp_path, f"touch \"$TMPDIR/lu-rest.tmp\"; sleep 300 & echo $! > {pidfile}\nwait")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "HMSXL_SOFFICE": str(office), "TMPDIR": str(temp)}
    run = subprocess.Popen([sys.executable, "-c", "from hmsxl.cli import main; main()", "consolidate", str(folder), "-o",
                            str(tmp_path / "rapport.xlsx"), "--pdf", str(tmp_path / "rapport.pdf")], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for _ in range(600):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.1)
    run.send_signal(signal.SIGTERM)
    out, _ = run.communicate(timeout=60)
    assert run.returncode == 128 + signal.SIGTERM and b"Traceback" not in out, out
    child = int(pidfile.read_text())
    for _ in range(50):
        try:
            if open(f"/proc/{child}/stat").read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        except FileNotFoundError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("LibreOffice's child is still running")
    assert list(temp.iterdir()) == [] and not (tmp_path / "rapport.pdf").exists()


def test_outputs_in_one_place_or_under_a_file_are_refused_before_anything_is_read(unit, tmp_path, monkeypatch):
    _, folder = _returns(unit, tmp_path)
    (tmp_path / "r.xlsx").write_bytes(b"")
    for args, said in (
            (["-o", tmp_path / "a.xlsx", "--csv", tmp_path / "ut.pdf", "--pdf", tmp_path / "ut.pdf"],
             "rapporten, PDF-en og CSV-mappen må ha hver sin plass"),
            (["-o", tmp_path / "x.xlsx", "--csv", tmp_path / "x.xlsx"], "må ha hver sin plass"),
            (["-o", tmp_path / "b.xlsx", "--pdf", tmp_path / "r.xlsx" / "ut.pdf"], "r.xlsx er en fil, ikke en mappe"),
            (["-o", tmp_path / "c.xlsx", "--csv", tmp_path / "r.xlsx"], "r.xlsx» er en fil.")):
        result = _consolidate([folder, *args], monkeypatch)
        assert result.exit_code == 2 and said in result.output, result.output
        assert not [p for p in tmp_path.iterdir() if p.suffix in (".xlsx", ".pdf") and p.name != "r.xlsx"]
