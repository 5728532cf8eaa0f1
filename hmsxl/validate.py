"""`hmsxl validate`: read returned workbooks, report their problems, annotate copies."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import colours, labels
from .arguments import day_arg, paths_arg, unit_arg
from .fileio import atomic_write_bytes
from .inputs import safe_text
from .read import SEVERITIES, WorkbookData
from .safety import UnreadableFile

FILL = {severity: colours.argb(c) for severity, c in colours.SEVERITY.items()}


@dataclass
class Unreadable:
    """Why an input could not be read at all: a code and a one-line reason."""

    code: str
    reason: str


@dataclass
class FileResult:
    """One input's outcome: its data, why it could not be read, or why it was skipped
    (not a spreadsheet, a lock file). `places` are other places the same bytes came from."""

    path: str
    data: WorkbookData | None = None
    unreadable: Unreadable | None = None
    annotated: str | None = None
    note: str = ""
    skipped: str = ""
    places: list = field(default_factory=list)


def validate_files(paths, config=None, today: dt.date | None = None, password: str | None = None,
                   annotate_dir=None, workers: int | None = None, limits=None) -> list[FileResult]:
    """Read every input (files, folders, .eml, .zip: what `consolidate` reads), each in a
    worker process; with `annotate_dir`, write an annotated copy of each that has
    problems (.ods and .xls get an .xlsx copy). An input that cannot be read is one
    result with the reason; the others are read all the same.

    Raises `OutputIsInputError` before reading anything if an annotated copy could
    replace one of the inputs.
    """
    from .inputs import collect, read_sources

    paths, config, today = paths_arg(paths), unit_arg(config), day_arg(today)
    sources, skipped = collect(paths, password=password, missing_ok=True)
    out_dir = Path(annotate_dir) if annotate_dir is not None else None
    if out_dir is not None:
        _refuse_copies_over_inputs(paths, out_dir, sources)
    results = []
    used_names: set[str] = set()
    for r in read_sources(sources, config, today, password, workers, limits=limits, annotate=out_dir is not None):
        result = FileResult(r.source.name, places=r.source.places)
        if r.data is None:
            result.unreadable = Unreadable(r.error_code, str(r.error))
        else:
            result.data, result.note = r.data, str(r.annotated_note)
            if r.annotated is not None:
                out_dir.mkdir(parents=True, exist_ok=True)
                target = _unique(out_dir, copy_name(r.source.name, r.data.kind), used_names)
                result.annotated = str(atomic_write_bytes(target, r.annotated))
        results.append(result)
    for s in skipped:
        if s.unreadable:
            results.append(FileResult(s.name, unreadable=Unreadable("skipped", str(s.reason))))
        else:
            results.append(FileResult(s.name, skipped=str(s.reason)))
    return results


def copy_name(source_name: str, kind: str) -> str:
    """The annotated copy's file name: the input's own (the last part of "mail → file"),
    as .xlsx when the input was .ods or .xls."""
    name = Path(source_name.split(" → ")[-1]).name or "arbeidsbok.xlsx"
    suffix = Path(name).suffix.lower()
    if kind != "xlsx" or suffix not in (".xlsx", ".xlsm"):
        name = f"{Path(name).stem or 'arbeidsbok'}.xlsx"
    return name


def _refuse_copies_over_inputs(paths, out_dir: Path, sources):
    """Every name a copy could get (a second "x.xlsx" becomes "x-2.xlsx") must not be an input."""
    from .inputs import refuse_outputs_over_inputs

    count: dict[str, int] = {}
    targets = []
    for source in sources:
        for kind in ("xlsx", "ods"):  # the kind is known only once read: both names
            name = copy_name(source.name, kind)
            count[name] = count.get(name, 0) + 1
            stem, suffix = Path(name).stem, Path(name).suffix
            targets += [out_dir / name] + [out_dir / f"{stem}-{n}{suffix}" for n in range(2, count[name] + 1)]
    refuse_outputs_over_inputs(paths, files=[out_dir, *targets])


def exit_code(results: list[FileResult], strict: bool = False) -> int:
    if any(r.unreadable for r in results):
        return 2
    failing = {"error", "warning"} if strict else {"error"}
    if any(p.severity in failing for r in results if r.data for p in r.data.problems):
        return 1
    return 0


def render_json(results: list[FileResult]) -> str:
    out = []
    for r in results:
        if r.unreadable:
            out.append({"file": r.path, "readable": False, "reason": r.unreadable.reason,
                        "code": r.unreadable.code})
            continue
        if r.data is None:
            out.append({"file": r.path, "readable": False, "skipped": True, "reason": r.skipped})
            continue
        d = r.data
        out.append({
            "file": r.path, "readable": True, "kind": d.kind, "section_id": d.section_id, "unit": d.unit,
            "year": d.year, **{f"{s}s": d.count(s) for s in SEVERITIES},
            "actions": len(d.actions), "annotated": r.annotated, "note": r.note, "also_at": r.places,
            "problems": [p.as_dict() for p in d.problems],
        })
    return json.dumps(out, ensure_ascii=False, indent=2)


def render_text(results: list[FileResult], style=lambda text, **kw: text, levels=SEVERITIES) -> str:
    """A readable report: one heading per file, one line per problem of `levels`, worst first."""
    lines = []
    colour = {"error": "red", "warning": "yellow", "info": "blue"}
    for r in results:
        if r.unreadable:
            lines.append(style(labels.CLI["validate_unreadable"].format(path=r.path, reason=r.unreadable.reason),
                               fg="red", bold=True))
            continue
        if r.data is None:
            lines.append(labels.CLI["validate_skipped"].format(path=r.path, reason=r.skipped))
            continue
        d = r.data
        cat = labels.current()
        who = safe_text(cat.CLI["validate_who"].format(section=d.section_id or "?", unit=d.unit or "?",
                                                       year=d.year or "?"))
        counts = ", ".join(cat.plural("cli", key, d.count(s)) for s, key in zip(SEVERITIES, ("errors", "warnings", "notes")))
        lines.append(style(cat.CLI["validate_file"].format(path=r.path, who=who, counts=counts), bold=True))
        order = {s: i for i, s in enumerate(SEVERITIES)}
        problems = sorted((p for p in d.problems if p.severity in levels),
                          key=lambda p: (order[p.severity], p.sheet, _cell_key(p.cell)))
        for p in problems:
            # Everything but the colours is text from the file: shown, never acted on by the terminal.
            where = safe_text(f"{p.sheet}!{p.cell}" if p.cell else p.sheet)
            value = " " + labels.quote(safe_text(_short(p.value))) if p.value else ""
            field = f" [{safe_text(p.field)}]" if p.field else ""
            sev = style(f"{labels.SEVERITY[p.severity]:<9}", fg=colour[p.severity])
            lines.append(f"  {sev} {where:<22}{field}{value} {safe_text(p.message)}")
        if r.places:
            lines.append("  " + labels.REPORT["reason_same_bytes"].format(places="; ".join(r.places)))
        if r.annotated:
            lines.append(labels.CLI["validate_copy"].format(path=r.annotated))
        if r.note:
            lines.append(f"  ({safe_text(r.note)})")
    return "\n".join(lines)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _cell_key(cell: str):
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits) if digits else 0, len(letters), letters)


def annotated_copy(data: WorkbookData, checked, password=None) -> tuple[bytes, str]:
    """A copy of the workbook with each problem cell filled and commented, and a sheet
    listing every problem, for the advisor to send back: (the .xlsx bytes, a note on
    what the copy is). An .ods or .xls input gets an .xlsx copy of its values; an
    encrypted input's copy is encrypted with the same password. The messages are in the
    workbook's language: the copy goes back to its leader."""
    with labels.language(data.language):
        return _annotated_copy(data, checked, password)


def _annotated_copy(data: WorkbookData, checked, password=None) -> tuple[bytes, str]:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    wb, notes = _workbook_to_mark(data, checked)
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
    problem_sheet = labels.REPORT_SHEETS["problems"]
    if problem_sheet in wb.sheetnames:
        del wb[problem_sheet]
    ws = wb.create_sheet(problem_sheet, 0)
    headers = tuple(labels.REPORT_COLUMNS[k] for k in ("severity", "sheet", "cell", "field", "value", "message"))
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
    buf = io.BytesIO()
    wb.save(buf)
    body = buf.getvalue()
    if checked.encrypted and password:
        body = _encrypted(body, password)
        notes.append(labels.ANNOTATED["encrypted"])
    return body, " ".join(notes)


def annotate(data: WorkbookData, out_dir, used_names: set[str] | None = None, password=None) -> Path:
    """Write `annotated_copy` of the workbook at `data.path` to `out_dir`; the input is not touched."""
    from .safety import check_file

    body, _ = annotated_copy(data, check_file(data.path, password), password)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = _unique(out_dir, copy_name(data.path, data.kind), used_names if used_names is not None else set())
    atomic_write_bytes(target, body)
    return target


def _workbook_to_mark(data: WorkbookData, checked):
    """(an openpyxl workbook of the input, notes on what it is)."""
    import openpyxl

    try:
        if checked.kind == "xlsx":
            keep_vba = Path(str(data.path).split(" → ")[-1]).suffix.lower() == ".xlsm"
            return openpyxl.load_workbook(io.BytesIO(checked.data), keep_vba=keep_vba), []
        return _values_workbook(checked), [labels.ANNOTATED["converted"].format(kind=checked.kind)]
    except UnreadableFile:
        raise
    except Exception as exc:  # openpyxl raises many kinds for files calamine could read
        raise UnreadableFile(data.path, "unreadable", detail=f"kan ikke merkes: {type(exc).__name__}") from None


def _values_workbook(checked):
    """An .xlsx workbook with the values of an .ods or .xls file, sheet by sheet (no
    formatting: openpyxl cannot open those formats)."""
    import openpyxl
    import python_calamine as pc
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from .safety import MAX_ROWS

    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(checked.data))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    taken = set()
    for meta in book.sheets_metadata:
        title = "".join("_" if ch in "[]:*?/\\" else ch for ch in meta.name)[:31] or "Ark"
        while title in taken:
            title = f"{title[:28]}-{len(taken)}"
        taken.add(title)
        ws = wb.create_sheet(title)
        if str(meta.visible).lower().endswith("hidden"):
            ws.sheet_state = "hidden"
        for r, row in enumerate(book.get_sheet_by_name(meta.name).to_python(nrows=MAX_ROWS), start=1):
            for c, value in enumerate(row, start=1):
                if value == "" or value is None:
                    continue
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = ws.cell(r, c, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # a leader's "=..." stays text
    return wb


def _encrypted(body: bytes, password: str) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(body)).encrypt(password, out)
    return out.getvalue()


def _unique(out_dir: Path, name: str, used: set[str]) -> Path:
    """Returned files often share a name; never let one copy overwrite another."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    used.add(candidate)
    return out_dir / candidate
