"""The report as PDF, for LAMU's papers: the xlsx report printed by LibreOffice.

The report's sheets carry their own print set-up (A4 landscape, a page wide, the header
row on every page, page numbers), which LibreOffice follows when it exports. LibreOffice
runs headless with a profile of its own in a temporary folder, so that it neither meets a
LibreOffice the user has open nor leaves anything behind; it is stopped, with everything
it started, if it takes longer than `timeout` seconds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from . import labels
from .errors import HmsxlError
from .fileio import atomic_write_bytes

TIMEOUT = 900  # seconds: a report of a thousand sections prints some thousands of pages
_PLACES = (  # where LibreOffice is when it is not on PATH
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)


class PdfError(HmsxlError):
    """The PDF could not be made; the xlsx report stands."""


def find_office() -> str:
    """LibreOffice's program: HMSXL_SOFFICE, else `soffice` or `libreoffice` on PATH, else
    where it installs itself."""
    given = os.environ.get("HMSXL_SOFFICE")
    if given:
        if shutil.which(given) is None:
            raise PdfError(labels.ERRORS["pdf_office_given"].format(path=given))
        return given
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for place in _PLACES:
        if Path(place).is_file():
            return place
    raise PdfError(labels.ERRORS["pdf_no_office"])


def xlsx_to_pdf(xlsx, target, timeout: float = TIMEOUT) -> Path:
    """Print the workbook `xlsx` to the PDF `target`, written atomically."""
    office = find_office()
    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="hmsxl-pdf-") as tmp:
        work = Path(tmp)
        source = work / "rapport.xlsx"
        shutil.copyfile(xlsx, source)
        command = [office, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                   "--nolockcheck", "--convert-to", "pdf:calc_pdf_Export", "--outdir", str(work), str(source)]
        said = _run(command, timeout, {**os.environ, "TMPDIR": str(work)})  # its own files here too
        made = work / "rapport.pdf"
        data = made.read_bytes() if made.is_file() else b""
        if not data.startswith(b"%PDF"):
            raise PdfError(labels.ERRORS["pdf_failed"].format(path=target, detail=said or "-"))
        if target.parent and not target.parent.exists():
            target.parent.mkdir(parents=True)
        return atomic_write_bytes(target, data)


def _run(command: list[str], timeout: float, env: dict) -> str:
    """Run LibreOffice in a process group of its own; its last line of output. Stopped
    (Ctrl-C, or told to stop by the system), hmsxl stops LibreOffice and leaves nothing."""
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, start_new_session=True, env=env)
    except OSError as exc:
        raise PdfError(labels.ERRORS["pdf_not_started"].format(program=command[0],
                                                               detail=exc.strerror or type(exc).__name__))
    try:
        with _stopped_as_exit():
            out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        raise PdfError(labels.ERRORS["pdf_timeout"].format(seconds=int(timeout)))
    except BaseException:  # interrupted: nothing of LibreOffice's is left running
        _stop(process)
        raise
    lines = [line for line in out.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


@contextlib.contextmanager
def _stopped_as_exit():
    """SIGTERM and SIGHUP end hmsxl as Ctrl-C does: through the clean-up, not around it."""
    def stop(signum, frame):
        raise SystemExit(128 + signum)

    held = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, stop) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (OSError, AttributeError):  # gone already, or no process groups (Windows)
        process.kill()
    process.wait()
