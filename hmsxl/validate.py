"""`hmsxl validate`: read returned workbooks, report their problems, annotate copies."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import colours, labels, xmltext
from .arguments import day_arg, paths_arg, unit_arg
from .errors import HmsxlError
from .fileio import atomic_write_bytes
from .inputs import own_name, safe_text, shown_escaped
from .safety import OWN_NOTE_TAG, OWN_NOTES, SKIPPED_CODES, own_note
from .read import PROBLEM_LIST_COLUMNS, SEVERITIES, WorkbookData

FILL = {severity: colours.argb(c) for severity, c in colours.SEVERITY.items()}
NAME_MAX = 255  # bytes in a file name, on the file systems advisors use
SHEET_NAME_MAX = 31  # UTF-16 units in a sheet name, for Excel
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # what openpyxl cannot save


class NotAFolderError(HmsxlError):
    """The folder for the annotated copies is, or is inside, a file."""

    exit_code = 2


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

    A copy that cannot be made or written is a note on its file (`FileResult.note`),
    whose result stands. Raises `NotAFolderError` before reading anything if
    `annotate_dir` is, or is inside, a file, and `OutputIsInputError` if an annotated
    copy could replace one of the inputs.
    """
    from .inputs import collect, display_name, read_sources

    paths, config, today = paths_arg(paths), unit_arg(config), day_arg(today)
    out_dir = Path(annotate_dir) if annotate_dir is not None else None
    if out_dir is not None:
        _refuse_file_as_folder(out_dir)
    sources, skipped = collect(paths, password=password, missing_ok=True)
    if out_dir is not None:
        _refuse_copies_over_inputs(paths, out_dir, sources)
    results = []
    used_names: set[str] = set()
    inputs = {_resolved(s.path) for s in sources if s.path}  # a copy's name, however made, is none of them
    for r in read_sources(sources, config, today, password, workers, limits=limits, annotate=out_dir is not None):
        result = FileResult(r.source.name, places=r.source.places)
        if r.data is None and r.error_code in SKIPPED_CODES:
            result.skipped = str(r.error)
        elif r.data is None:
            result.unreadable = Unreadable(r.error_code, str(r.error))
        else:
            result.data, result.note = r.data, " ".join(labels.render(n) for n in r.annotated_note)
            if r.annotated is not None:
                target = _unique(out_dir, copy_name(r.source.name, r.data.kind, r.data.section_id), used_names,
                                 inputs)
                try:
                    out_dir.mkdir(parents=True, exist_ok=True)
                    result.annotated = str(atomic_write_bytes(target, r.annotated))
                except OSError as exc:  # this copy is missing; the file's result stands
                    result.note = labels.ANNOTATED["not_written"].format(
                        path=display_name(target), detail=exc.strerror or type(exc).__name__)
        results.append(result)
    for s in skipped:
        if s.unreadable:
            results.append(FileResult(s.name, unreadable=Unreadable("skipped", str(s.reason))))
        else:
            results.append(FileResult(s.name, skipped=str(s.reason)))
    return results


def copy_name(source_name: str, kind: str, section_id: str | None = None) -> str:
    """The annotated copy's file name: the input's own (the last part of "mail → file"),
    as .xlsx when the input was .ods or .xls, headed by the section's id where the name
    does not say it (five «Handlingsplan.xlsx» are told apart), cut to what a file name
    may hold."""
    name = own_name(source_name) or "arbeidsbok.xlsx"
    suffix = Path(name).suffix.lower()
    if kind != "xlsx" or suffix not in (".xlsx", ".xlsm"):
        name = f"{Path(name).stem or 'arbeidsbok'}.xlsx"
    section = safe_file_part(section_id or "")
    if section and section.casefold() not in name.casefold():
        name = f"{section}-{name}"
    return _numbered(name, 1)


def safe_file_part(text: str) -> str:
    """`text` as part of a file name: no separators or characters a file system refuses."""
    return "".join("_" if ch in '/\\:*?"<>|' or shown_escaped(ch) else ch for ch in text).strip(" .")[:60]


def _numbered(name: str, n: int) -> str:
    """`name` (n = 1) or its n-th variant "stem-n.xlsx", the stem cut so that the whole
    fits in `NAME_MAX` bytes: a copy of a file with a name as long as allowed gets written."""
    stem, suffix = Path(name).stem, Path(name).suffix
    tail = suffix if n == 1 else f"-{n}{suffix}"
    while len(os.fsencode(stem + tail)) > NAME_MAX and stem:
        stem = stem[:-1]
    return stem + tail


def _refuse_file_as_folder(out_dir: Path):
    """Refuse, before anything is read, a folder for the copies where a file is, or one
    inside a file: every copy would fail, and only after all the reading."""
    from .inputs import display_name

    for folder in (out_dir, *out_dir.parents):
        try:
            st = folder.stat()
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError:
            return  # no access: each copy that cannot be written says so
        if not stat.S_ISDIR(st.st_mode):
            raise NotAFolderError(labels.ERRORS["is_file"].format(path=display_name(folder)))
        return


def _refuse_copies_over_inputs(paths, out_dir: Path, sources):
    """Every name a copy could get (a second "x.xlsx" becomes "x-2.xlsx") must not be an input."""
    from .inputs import refuse_outputs_over_inputs

    count: dict[str, int] = {}
    targets = []
    for source in sources:
        for kind in ("xlsx", "ods"):  # the kind is known only once read: both names
            name = copy_name(source.name, kind)
            count[name] = count.get(name, 0) + 1
            targets += [out_dir / _numbered(name, n) for n in range(1, count[name] + 1)]
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
        width = max(len(labels.SEVERITY[s]) for s in SEVERITIES)  # "Bemærkning" is longer than "Feil"
        problems = sorted((p for p in d.problems if p.severity in levels),
                          key=lambda p: (order[p.severity], p.sheet, _cell_key(p.cell)))
        for p in problems:
            # Everything but the colours is text from the file: shown, never acted on by the terminal.
            where = safe_text(f"{p.sheet}!{p.cell}" if p.cell else p.sheet)
            message = safe_text(p.message)
            quoted = labels.quote(safe_text(_short(p.value))) if p.value else ""
            value = " " + quoted if quoted and not message.startswith(quoted) else ""  # not said twice
            field = f" [{safe_text(p.field)}]" if p.field else ""
            sev = style(labels.SEVERITY[p.severity].ljust(width), fg=colour[p.severity])
            lines.append(f"  {sev} {where:<22}{field}{value} {message}")
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


def annotated_copy(data: WorkbookData, checked, password=None) -> tuple[bytes, tuple]:
    """A copy of the workbook with each problem cell filled and commented, and a sheet
    listing every problem, for the advisor to send back: (the .xlsx bytes, a note on
    what the copy is). An .ods or .xls input gets an .xlsx copy of its values; an
    encrypted input's copy is encrypted with the same password. The messages in the copy
    are in the workbook's language (it goes back to its leader); the notes are data, put
    into words where they are shown."""
    with labels.language(data.language):
        return _annotated_copy(data, checked, password)


def _annotated_copy(data: WorkbookData, checked, password=None) -> tuple[bytes, tuple]:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill, Protection

    wb, notes, titles = _workbook_to_mark(data, checked)
    for sheet in wb.worksheets:
        _fit_cells(sheet)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    by_cell: dict = {}
    for p in data.problems:
        if p.sheet in titles and p.cell:
            sheet = titles[p.sheet]
            by_cell.setdefault((sheet, _shown_at(wb[sheet], p.cell)), []).append(p)
    for (sheet, ref), problems in by_cell.items():
        worst = min(problems, key=lambda p: order[p.severity]).severity
        cell = wb[sheet][ref]
        cell.fill = PatternFill("solid", fgColor=FILL[worst])
        if cell.comment is not None and not own_note(cell.comment.author or "", cell.comment.text or ""):
            continue  # the leader's own note stays: the colour and the list say the rest
        # A problem in a merged range is marked on the range's first cell, saying which cell it is.
        text = "\n".join(("" if p.cell == ref else f"{p.cell}: ") + f"{labels.SEVERITY[p.severity]}: {p.message}"
                         for p in problems)
        # Its last line says it is hmsxl's: read back, it is not taken for the leader's.
        cell.comment = Comment(_text(text)[:2000] + "\n" + OWN_NOTE_TAG, OWN_NOTES, width=320, height=120)
    # The leader's own sheet of that name stays: ours gets a name of its own.
    ws = wb.create_sheet(_sheet_title(labels.REPORT_SHEETS["problems"], {t.lower() for t in wb.sheetnames}), 0)
    # The list is hmsxl's, locked (without a password, as the workbook's sheets are); the
    # last column is the leader's, for an answer to each problem, read back when returned.
    headers = (*(labels.REPORT_COLUMNS[k] for k in PROBLEM_LIST_COLUMNS), labels.REPORT_COLUMNS["reply"])
    ws.append(headers)
    for c in ws[1]:
        c.font = Font(bold=True)
    for p in sorted(data.problems, key=lambda p: (order[p.severity], p.sheet, _cell_key(p.cell))):
        row = [labels.SEVERITY[p.severity], titles.get(p.sheet, p.sheet), p.cell, p.field, p.value, p.message, p.code]
        ws.append([_text(v) if isinstance(v, str) else v for v in row])
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.data_type = "s"  # a leader's "=..." stays text in the copy too
    reply = len(headers)
    for r in range(2, ws.max_row + 1):
        ws.cell(r, reply).protection = Protection(locked=False)
    ws.protection.sheet = True
    for letter, width in zip("ABCDEFGH", (12, 16, 8, 28, 28, 90, 18, 40)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    wb.active = 0
    for sheet in wb.worksheets:  # only the active tab selected, or Excel opens them grouped
        sheet.sheet_view.tabSelected = sheet is ws
    body = _saved_as_of(wb, checked.saved_at)
    if checked.encrypted and password:
        body = _encrypted(body, password)
        notes.append(labels.msg("annotated", "encrypted"))
    return body, tuple(notes)


def _saved_as_of(wb, saved_at: str) -> bytes:
    """The copy's bytes, saying it was saved when its input was (or saying nothing, as the
    input did): a copy is the leader's answer marked, not a newer one. (openpyxl's own
    save stamps the time of saving, and a copy left among the returns then won over the
    leader's corrected file saved after it.)"""
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    try:
        when = dt.datetime.fromisoformat(saved_at.replace("Z", "+00:00")).astimezone(dt.timezone.utc)
    except ValueError:
        when = None
    wb.properties.modified = (when or dt.datetime.now(dt.timezone.utc)).replace(tzinfo=None)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    if when is not None:
        return buf.getvalue()
    # openpyxl writes a time whatever it is told: the one it wrote is taken out again.
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as written, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in written.infolist():
            body = written.read(info)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(b"", body)
            copy.writestr(info, body)
    return out.getvalue()


_MODIFIED = re.compile(rb"<dcterms:modified\b[^>]*>[^<]*</dcterms:modified>")


def annotate(data: WorkbookData, out_dir, used_names: set[str] | None = None, password=None) -> Path:
    """Write `annotated_copy` of the workbook at `data.path` to `out_dir`; the input is not touched."""
    from .safety import check_file

    body, _ = annotated_copy(data, check_file(data.path, password), password)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = _unique(out_dir, copy_name(data.path, data.kind, data.section_id),
                     used_names if used_names is not None else set(), {_resolved(data.path)})
    atomic_write_bytes(target, body)
    return target


def _workbook_to_mark(data: WorkbookData, checked):
    """(an openpyxl workbook of the input, notes on what it is, {the input's sheet name:
    the copy's}). openpyxl raises many kinds for files calamine could read: the caller
    turns any of them into a note that there is no copy."""
    import openpyxl

    kind = checked.kind if checked.kind != "xlsx" else _not_for_openpyxl(checked.data)
    if kind is None:
        keep_vba = own_name(data.path).lower().endswith(".xlsm")
        wb = openpyxl.load_workbook(io.BytesIO(checked.data), keep_vba=keep_vba)
        # A name Excel would not take (a tool other than Excel wrote it: 40 characters, an
        # apostrophe first) is made one it takes, or Excel repairs the copy.
        taken: set[str] = set()
        titles = {}
        for ws in wb.worksheets:
            titles[ws.title] = _sheet_title(ws.title, taken)
            if titles[ws.title] != ws.title:
                ws.title = titles[ws.title]
        return wb, [], titles
    wb, titles = _values_workbook(checked, _computed_columns(data))
    return wb, [labels.msg("annotated", "converted", kind=kind)], titles


STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def _not_for_openpyxl(data: bytes) -> str | None:
    """What an Excel file is when openpyxl cannot open it as it is, else None: a binary
    workbook (.xlsb), or one saved as Strict Open XML, whose namespaces openpyxl does not
    know (it would find no sheets, and write a copy with names pointing nowhere). Such a
    file's copy holds its values, as an .ods file's does."""
    import zipfile

    from .safety import XML_HEAD

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if "xl/workbook.xml" not in z.namelist():
            return "xlsb"
        with z.open("xl/workbook.xml") as fh:
            head = fh.read(XML_HEAD)
    return "Strict Open XML" if STRICT_NAMESPACE in head else None


def _fit_cells(ws):
    """Cut a text longer than an Excel cell holds, with the visible mark: openpyxl keeps
    what it reads as it is. (The report lists the whole length; the input keeps the text.)"""
    for cell in ws._cells.values():  # the cells there are, without making the empty ones
        if cell.data_type == "s" and isinstance(cell._value, str):
            cell._value = xmltext.fit(cell._value, xmltext.CELL_MAX, labels.REPORT["cut_mark"])


def _text(text: str) -> str:
    """Our text as a cell or a comment of the copy can hold it: a character XML cannot
    carry (a Word soft line break, U+000B) shown as its escape, the length cut to a cell's."""
    text = NOT_IN_XML.sub(lambda m: repr(m.group(0))[1:-1], text)
    return xmltext.fit(text, xmltext.CELL_MAX, labels.REPORT["cut_mark"])


def _shown_at(ws, ref: str) -> str:
    """The cell that shows `ref`: itself, or the first cell of the merged range it is in
    (the others cannot carry a comment)."""
    from openpyxl.utils import get_column_letter

    for merged in ws.merged_cells.ranges:
        if ref in merged:
            return f"{get_column_letter(merged.min_col)}{merged.min_row}"
    return ref


def _sheet_title(name: str, taken: set[str]) -> str:
    """`name` as Excel takes a sheet name, and not one of `taken` (lower case; the title
    is added): none of []:*?/\\ or a character XML cannot carry, no apostrophe first or
    last, 1 to 31 UTF-16 units, unique ignoring case ("History" is Excel's own)."""
    base = NOT_IN_XML.sub("", "".join("_" if ch in "[]:*?/\\" else ch for ch in name)).strip("'")
    base = base or "Ark"
    title, n = _cut_title(base, ""), 1
    while title.lower() in taken or title.lower() == "history":
        n += 1
        title = _cut_title(base, f"-{n}")
    taken.add(title.lower())
    return title


def _cut_title(base: str, tail: str) -> str:
    cut = base
    while xmltext.utf16_len(cut + tail) > SHEET_NAME_MAX:
        cut = cut[:-1]
    return cut.rstrip("'") + tail


def _computed_columns(data: WorkbookData) -> dict[str, set[int]]:
    """{sheet name: the columns the workbook computes}, as the reader found them."""
    from .schema import ALL_SHEETS

    out: dict[str, set[int]] = {}
    for key, found in data.columns.items():
        sheet = ALL_SHEETS.get(key)
        if sheet is not None and key in data.sheets:
            out[data.sheets[key]] = {found[c.key] for c in sheet.columns if c.computed and c.key in found}
    return out


def _values_workbook(checked, computed: dict[str, set[int]] | None = None):
    """An .xlsx workbook with the values of an .ods, .xls, .xlsb or Strict Open XML file,
    sheet by sheet (no formatting: openpyxl cannot open those)."""
    import openpyxl
    import python_calamine as pc

    from .safety import MAX_ROWS

    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(checked.data))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    titles = {}
    for meta in book.sheets_metadata:
        titles[meta.name] = title = _sheet_title(meta.name, taken)
        ws = wb.create_sheet(title)
        if str(meta.visible).lower().endswith("hidden"):
            ws.sheet_state = "hidden"
        sheet = book.get_sheet_by_name(meta.name)
        # Each value in its own cell: the rows start where the sheet's first value is.
        top, left = sheet.start or (0, 0)
        # What the workbook computes is the program's: left empty, it reads back as what it
        # is, not as a value written over its formula. A formula of the leader's (=1+2 as a
        # measure) keeps its result, as the reader read it.
        ours = (computed or {}).get(meta.name, set())
        formulas = {(r, c) for r, c in checked.formula_cells.get(meta.name, ()) if c in ours}
        for r, row in enumerate(sheet.to_python(nrows=max(0, MAX_ROWS - top)), start=top):
            for c, value in enumerate(row, start=left):
                if value == "" or value is None or (r, c) in formulas:
                    continue
                if isinstance(value, str):
                    value = xmltext.fit(NOT_IN_XML.sub("", value), xmltext.CELL_MAX, labels.REPORT["cut_mark"])
                cell = ws.cell(r + 1, c + 1, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # a leader's "=..." stays text
    return wb, titles


def _encrypted(body: bytes, password: str) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(body)).encrypt(password, out)
    return out.getvalue()


def _unique(out_dir: Path, name: str, used: set[str], inputs: frozenset | set = frozenset()) -> Path:
    """Returned files often share a name; never let one copy overwrite another, or an input."""
    candidate, n = name, 1
    while candidate in used or (inputs and _resolved(out_dir / candidate) in inputs):
        n += 1
        candidate = _numbered(name, n)
    used.add(candidate)
    return out_dir / candidate


def _resolved(path) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return str(path)
