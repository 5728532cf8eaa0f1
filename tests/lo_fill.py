"""Fill workbooks through LibreOffice's UNO API, as a leader would in LibreOffice Calc.

Run by the Python that has LibreOffice's `uno` module (Debian: /usr/bin/python3 with
python3-uno), not by the test's own interpreter:

    python3 tests/lo_fill.py JOBS.json

JOBS.json is a list of jobs: {"input": path, "ops": [...], "outputs": [[path, filter], ...]};
an output may have a third element, a password to save it with.
Ops: {"op": "set", "sheet", "cell", "value", "type": "string"|"number"|"date"|"formula"} (a date
is "YYYY-MM-DD"; setString bypasses validation, as typing does after a pasted cell; a formula
is "=..." as LibreOffice's API takes it), 
{"op": "insert_rows", "sheet", "row" (1-based), "count"},
{"op": "move_column", "sheet", "from" (0-based), "to" (0-based)},
{"op": "add_sheet", "name", "cell", "value"}.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

EPOCH = dt.date(1899, 12, 30)


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start_office():
    profile = tempfile.mkdtemp(prefix="hmsxl-uno-")
    pipe = f"hmsxl_{os.getpid()}"
    proc = subprocess.Popen([
        os.environ.get("SOFFICE", "soffice"), "--headless", "--invisible", "--norestore", "--nologo",
        f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;",
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 90
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise SystemExit("LibreOffice did not start")
            time.sleep(0.3)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, desktop


def apply(doc, op):
    kind = op["op"]
    if kind == "add_sheet":
        sheets = doc.Sheets
        sheets.insertNewByName(op["name"], sheets.Count)
        sheet = sheets.getByName(op["name"])
        sheet.getCellRangeByName(op["cell"]).setString(op["value"])
        return
    sheet = doc.Sheets.getByName(op["sheet"])
    sheet.unprotect("")  # no password: a leader can do the same
    if kind == "set":
        cell = sheet.getCellRangeByName(op["cell"])
        value, typ = op["value"], op.get("type", "string")
        if typ == "number":
            cell.setValue(float(value))
        elif typ == "date":
            cell.setValue(float((dt.date.fromisoformat(value) - EPOCH).days))
        elif typ == "formula":
            cell.setFormula(str(value))
        else:
            cell.setString(str(value))
    elif kind == "insert_rows":
        sheet.Rows.insertByIndex(op["row"] - 1, op.get("count", 1))
    elif kind == "move_column":
        src, dst = op["from"], op["to"]
        cols = sheet.Columns
        cols.insertByIndex(dst, 1)
        if src >= dst:
            src += 1
        source = sheet.getCellRangeByPosition(src, 0, src, 1048575).getRangeAddress()
        target = sheet.getCellByPosition(dst, 0).getCellAddress()
        sheet.moveRange(target, source)
        cols.removeByIndex(src, 1)
    else:
        raise SystemExit(f"unknown op {kind}")
    sheet.protect("")


def main(spec_path):
    with open(spec_path, encoding="utf-8") as fh:
        jobs = json.load(fh)
    proc, desktop = start_office()
    try:
        for job in jobs:
            url = uno.systemPathToFileUrl(os.path.abspath(job["input"]))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            try:
                for op in job.get("ops", []):
                    apply(doc, op)
                for path, filt, *password in job["outputs"]:
                    out = uno.systemPathToFileUrl(os.path.abspath(path))
                    args = (prop("FilterName", filt), prop("Overwrite", True))
                    if password:
                        args += (prop("Password", password[0]),)
                    doc.storeToURL(out, args)
            finally:
                doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main(sys.argv[1])
