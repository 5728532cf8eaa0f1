"""`hmsxl validate`: read returned workbooks, report their problems, annotate copies."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

from . import labels
from .fileio import atomic_write_bytes
from .read import SEVERITIES, WorkbookData, read_workbook
from .safety import UnreadableFile

FILL = {"error": "FFF4B6B6", "warning": "FFFFEB9C", "info": "FFDDEBF7"}
PROBLEM_SHEET = "Problemer"


@dataclass
class FileResult:
    """One file's outcome: its data, or why it could not be read."""

    path: str
    data: WorkbookData | None = None
    unreadable: UnreadableFile | None = None
    annotated: str | None = None
    note: str = ""


def validate_files(paths, config=None, today: dt.date | None = None, password: str | None = None,
                   annotate_dir=None) -> list[FileResult]:
    """Read each file; with `annotate_dir`, write an annotated copy of each that has problems."""
    results = []
    used_names: set[str] = set()
    for path in paths:
        try:
            result = FileResult(str(path), data=read_workbook(path, config=config, today=today, password=password))
        except UnreadableFile as exc:
            result = FileResult(str(path), unreadable=exc)
        if annotate_dir is not None and result.data is not None and result.data.problems:
            try:
                result.annotated = str(annotate(result.data, annotate_dir, used_names, password))
            except UnreadableFile as exc:
                result.note = exc.reason
        results.append(result)
    return results


def exit_code(results: list[FileResult], strict: bool = False) -> int:
    if any(r.unreadable for r in results):
        return 2
    failing = {"error", "warning"} if strict else {"error"}
    if any(p.severity in failing for r in results for p in r.data.problems):
        return 1
    return 0


def render_json(results: list[FileResult]) -> str:
    out = []
    for r in results:
        if r.unreadable:
            out.append({"file": r.path, "readable": False, "reason": r.unreadable.reason,
                        "code": r.unreadable.code})
            continue
        d = r.data
        out.append({
            "file": r.path, "readable": True, "kind": d.kind, "section_id": d.section_id, "unit": d.unit,
            "year": d.year, **{f"{s}s": d.count(s) for s in SEVERITIES},
            "actions": len(d.actions), "annotated": r.annotated,
            "problems": [p.as_dict() for p in d.problems],
        })
    return json.dumps(out, ensure_ascii=False, indent=2)


def render_text(results: list[FileResult], style=lambda text, **kw: text, levels=SEVERITIES) -> str:
    """A readable report: one heading per file, one line per problem of `levels`, worst first."""
    lines = []
    colour = {"error": "red", "warning": "yellow", "info": "blue"}
    for r in results:
        if r.unreadable:
            lines.append(style(f"{r.path}: {labels.SEVERITY['error'].upper()}: {r.unreadable.reason}", fg="red",
                               bold=True))
            continue
        d = r.data
        who = f"{d.section_id or '?'} ({d.unit or '?'} {d.year or '?'})"
        counts = ", ".join(f"{d.count(s)} {labels.SEVERITY[s].lower()}" for s in SEVERITIES)
        lines.append(style(f"{r.path}: {who}: {counts}", bold=True))
        order = {s: i for i, s in enumerate(SEVERITIES)}
        problems = sorted((p for p in d.problems if p.severity in levels),
                          key=lambda p: (order[p.severity], p.sheet, _cell_key(p.cell)))
        for p in problems:
            where = f"{p.sheet}!{p.cell}" if p.cell else p.sheet
            value = f" «{_short(p.value)}»" if p.value else ""
            field = f" [{p.field}]" if p.field else ""
            sev = style(f"{labels.SEVERITY[p.severity]:<9}", fg=colour[p.severity])
            lines.append(f"  {sev} {where:<22}{field}{value} {p.message}")
        if r.annotated:
            lines.append(f"  -> {r.annotated}")
        if r.note:
            lines.append(f"  ({r.note})")
    return "\n".join(lines)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _cell_key(cell: str):
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits) if digits else 0, len(letters), letters)


def annotate(data: WorkbookData, out_dir, used_names: set[str] | None = None, password=None) -> Path:
    """Write a copy of the workbook with each problem cell filled and commented, and a
    sheet listing every problem, for the advisor to send back. The input is not touched."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    from .safety import check_file

    if data.kind != "xlsx":
        raise UnreadableFile(data.path, "unreadable", detail=f"{data.kind}-filer kan ikke merkes; bare xlsx")
    checked = check_file(data.path, password)
    keep_vba = Path(data.path).suffix.lower() == ".xlsm"
    try:
        wb = openpyxl.load_workbook(io.BytesIO(checked.data), keep_vba=keep_vba)
    except Exception as exc:  # openpyxl raises many kinds for files calamine could read
        raise UnreadableFile(data.path, "unreadable", detail=f"kan ikke merkes: {type(exc).__name__}") from None
    order = {s: i for i, s in enumerate(SEVERITIES)}
    by_cell: dict = {}
    for p in data.problems:
        if p.sheet in wb.sheetnames and p.cell:
            by_cell.setdefault((p.sheet, p.cell), []).append(p)
    for (sheet, ref), problems in by_cell.items():
        worst = min(problems, key=lambda p: order[p.severity]).severity
        cell = wb[sheet][ref]
        cell.fill = PatternFill("solid", fgColor=FILL[worst])
        text = "\n".join(f"{labels.SEVERITY[p.severity]}: {p.message}" for p in problems)
        cell.comment = Comment(text[:2000], "hmsxl", width=320, height=120)
    if PROBLEM_SHEET in wb.sheetnames:
        del wb[PROBLEM_SHEET]
    ws = wb.create_sheet(PROBLEM_SHEET, 0)
    headers = ("Alvorlighet", "Ark", "Celle", "Felt", "Verdi", "Melding")
    ws.append(headers)
    for c in ws[1]:
        c.font = Font(bold=True)
    for p in sorted(data.problems, key=lambda p: (order[p.severity], p.sheet, _cell_key(p.cell))):
        ws.append([labels.SEVERITY[p.severity], p.sheet, p.cell, p.field, p.value, p.message])
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.data_type = "s"  # a leader's "=..." stays text in the copy too
    for letter, width in zip("ABCDEF", (12, 16, 8, 28, 28, 90)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    wb.active = 0
    for sheet in wb.worksheets:  # only the active tab selected, or Excel opens them grouped
        sheet.sheet_view.tabSelected = sheet is ws
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = _unique(out_dir, Path(data.path).name, used_names if used_names is not None else set())
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(target, buf.getvalue())
    return target


def _unique(out_dir: Path, name: str, used: set[str]) -> Path:
    """Returned files often share a name; never let one copy overwrite another."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    used.add(candidate)
    return out_dir / candidate
