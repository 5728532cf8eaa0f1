"""Checks a returned file before any parser sees it: what it is, and whether it is safe.

Everything here works from the file's bytes, before python-calamine or openpyxl is handed
them: a zip bomb, an XML entity bomb, a member that lies about its size, two parts with
the same name, a cell far outside anything a section workbook can hold, or a declared
count that would make the native reader reserve gigabytes is refused (or, for far cells
in an xlsx sheet, cut away and reported) here, with a reason a person can act on.

The native reader allocates the whole rectangle from A1 to the farthest cell with a
value, so the farthest cell decides the memory: that is what `MAX_ROWS` and
`MAX_COLUMNS` bound.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

from .errors import HmsxlError
from . import labels
from .xmltext import excel_unescape

UNREADABLE = labels.section("UNREADABLE")

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all parts together, as declared (and checked) in the zip
BOMB_RATIO = 100  # unpacked / packed: what no spreadsheet comes near (they pack 5-20 fold)
MAX_PART_BYTES = 60 * 1024 * 1024  # one part; a real HMS workbook's are < 2 MB
MAX_MEMBERS = 5000
# The grid any sheet may use, and the rows the reader reads of a sheet; a section workbook
# has about a dozen columns. A cell with a value beyond this is never read, and letting
# the native reader see it would cost rows x columns x 32 bytes.
MAX_ROWS = 10_000
MAX_COLUMNS = 100  # A..CV
XML_HEAD = 65536  # bytes of each XML part searched for a DOCTYPE
# Cells showing an error (#VALUE!) or holding a formula without its result, noted for the
# reader (the native reader gives them as empty): far more than a section workbook has
# input cells. Past it, the rest are counted in one problem.
MAX_CELL_ERRORS = 100_000
# Formula cells noted, at most: enough for every computed cell of a workbook's tables many
# times over. Past it, a value in a formula's place reads as written over (said, not lost).
MAX_FORMULA_CELLS = 200_000
FORMULA_MAX = 8192  # characters of a formula kept: Excel's own limit

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


# Files that are not read and not wrong either: listed as skipped, not as errors.
SKIPPED_CODES = frozenset({"own_report"})


class UnreadableFile(HmsxlError):
    """A file that cannot be read as a workbook at all; the message is one line."""

    exit_code = 2

    def __init__(self, path, code: str, **params):
        self.path = str(path)
        self.code = code
        self.reason = labels.msg("unreadable", code, **params)  # in words where it is shown
        super().__init__(self.path)

    def __str__(self) -> str:
        return f"{Path(self.path).name}: {self.reason}"


@dataclass
class Checked:
    """A file that passed the checks: its kind, its bytes (decrypted, and with far cells
    cut away, if need be) and when the spreadsheet program last saved it, if the file
    says (ISO text, else "").

    `problems` are (sheet, cell, code, params) the reader reports as errors: what was cut.
    `encrypted` says the file came with a password (its annotated copy gets the same).
    `cell_errors` are the cells the native reader gives as empty although they are not:
    {sheet: {(row, column): what the cell shows}}, 0-based, an error as its text
    ("#VALUE!"), a formula without its result as the formula ("=G5+30").
    `formula_cells` are the cells holding a formula, {sheet: {(row, column)}}: a cell the
    workbook computes that holds none was written over.
    `saved_at` is UTC, "2026-11-23T22:06:05Z" whatever the kind of file, so that the
    newest save can be found by comparing the texts.
    `notes` are the notes a leader put on cells (comments, in Excel's older word): the
    native reader gives only values, and a note holds words of theirs too.
    """

    path: Path
    kind: str  # "xlsx", "ods" or "xls"
    data: bytes = field(repr=False)
    saved_at: str = ""
    encrypted: bool = False
    problems: list = field(default_factory=list)
    cell_errors: dict = field(default_factory=dict)
    formula_cells: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)  # (sheet, cell, text): notes (comments) on cells, the leader's


class _CellErrors:
    """The cells found showing an error or holding a formula without its result, at most
    `MAX_CELL_ERRORS` of them noted; the rest counted."""

    def __init__(self):
        self.cells: dict = {}
        self.noted = self.more = 0
        self.first_more = None
        self._texts: dict = {}  # each text once: a sheet of #N/A holds one string
        self.formulas: dict = {}  # {sheet: {(row, column)}}: the cells holding a formula
        self.formula_count = 0
        self.notes = _Notes()  # an .ods file's notes, found with its cells

    def one(self, sheet: str, row: int, col: int, formula: bool, text) -> None:
        """One cell of a plain sheet (within the grid): it holds a formula, and/or shows
        `text` (None: nothing to note)."""
        if formula and self.formula_count < MAX_FORMULA_CELLS:
            at = self.formulas.get(sheet)
            if at is None:
                at = self.formulas[sheet] = set()
            at.add((row, col))
            self.formula_count += 1
        if text is not None:
            if self.noted >= MAX_CELL_ERRORS:
                self.add(sheet, row, col, text)  # counted there
                return
            at = self.cells.get(sheet)
            if at is None:
                at = self.cells[sheet] = {}
            at[row, col] = text
            self.noted += 1

    def formula(self, sheet: str, row: int, col: int, rows: int = 1, cols: int = 1):
        """The cell at (row, col), or the block from it, holds a formula (within the grid)."""
        if row < MAX_ROWS and col < MAX_COLUMNS:
            at = self.formulas.setdefault(sheet, set())
            for r in range(row, min(row + rows, MAX_ROWS)):
                if self.formula_count >= MAX_FORMULA_CELLS:
                    return
                found = [(r, c) for c in range(col, min(col + cols, MAX_COLUMNS))][:MAX_FORMULA_CELLS - self.formula_count]
                at.update(found)
                self.formula_count += len(found)

    def add(self, sheet: str, row: int, col: int, text: str, rows: int = 1, cols: int = 1):
        """The cell at (row, col), or the block of `rows` x `cols` from it, shows `text`."""
        rows, cols = min(rows, MAX_ROWS - row), min(cols, MAX_COLUMNS - col)  # far cells are never read
        if rows <= 0 or cols <= 0:
            return
        text = self._texts.setdefault(text, text)
        at = self.cells.setdefault(sheet, {})
        for r in range(row, row + rows):
            if self.noted + cols > MAX_CELL_ERRORS:
                if not self.more:
                    self.first_more = (sheet, cell_ref(r, col))
                self.more += (row + rows - r) * cols
                return
            for c in range(col, col + cols):
                at[r, c] = text
            self.noted += cols

    def problems(self) -> list:
        if not self.more:
            return []
        sheet, cell = self.first_more
        return [(sheet, cell, "cell_errors_many", {"count": self.more, "max": MAX_CELL_ERRORS})]


def iso_utc(text: str) -> str:
    """A saved time as UTC, "2026-11-23T22:06:05Z"; one without a zone (an .ods file's)
    is the local time of this machine; "" for what is no time."""
    m = _ISO_TIME.match(text.strip())
    if not m:
        return ""
    year, month, day, hour, minute, second, zone = m.groups()
    try:
        when = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
        if zone in ("Z", "z"):
            when = when.replace(tzinfo=dt.timezone.utc)
        elif zone:
            sign = -1 if zone[0] == "-" else 1
            hours, minutes = int(zone[1:3]), int(zone[-2:])
            when = when.replace(tzinfo=dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes)))
        when = when.astimezone(dt.timezone.utc)  # no zone: the local time
    except (ValueError, OverflowError, OSError):
        return ""
    # The year written with four digits whatever the platform: the times are compared as text.
    return f"{when.year:04d}-" + when.strftime("%m-%dT%H:%M:%SZ")


_ISO_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*(Z|z|[+-]\d{2}:?\d{2})?$")


def check_file(path, password: str | None = None) -> Checked:
    """Read a file's bytes and refuse anything that is not a safe spreadsheet."""
    return check_bytes(path, read_file_bytes(path), password)


def read_file_bytes(path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, refusing what is missing, a folder, a pipe or device,
    empty or too large. Opened without blocking and checked on the open descriptor, so a
    FIFO never hangs the reader and a file swapped for something else is not followed."""
    import os
    import stat

    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise UnreadableFile(path, "broken_link" if path.is_symlink() else "missing") from None
    except IsADirectoryError:
        raise UnreadableFile(path, "folder") from None
    except OSError as exc:
        raise UnreadableFile(path, "unreadable", detail=exc.strerror or str(exc)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise UnreadableFile(path, "folder")
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile(path, "not_regular", what=special_kind(st.st_mode))
        if st.st_size == 0:
            raise UnreadableFile(path, "empty")
        if st.st_size > limit:
            raise UnreadableFile(path, "too_large", size=st.st_size // 2**20, max=limit // 2**20)
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise UnreadableFile(path, "unreadable", detail=exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while we looked
        raise UnreadableFile(path, "too_large", size=len(data) // 2**20, max=limit // 2**20)
    return data


def special_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    import stat

    from .labels import SPECIAL_FILE

    for test, key in ((stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "device"), (stat.S_ISBLK, "device"),
                      (stat.S_ISSOCK, "socket")):
        if test(mode):
            return SPECIAL_FILE[key]
    return SPECIAL_FILE["other"]


def check_bytes(path, data: bytes, password: str | None = None) -> Checked:
    path = Path(path)
    if not data:
        raise UnreadableFile(path, "empty")
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(path, "too_large", size=len(data) // 2**20, max=MAX_FILE_BYTES // 2**20)
    if data.startswith(OLE_MAGIC):
        return _check_ole(path, data, password)
    if data.startswith(b"%PDF"):
        raise UnreadableFile(path, "pdf")
    if not data.startswith(ZIP_MAGIC):
        raise UnreadableFile(path, "not_spreadsheet")
    return _check_zip(path, data)


# --------------------------------------------------------------------------- OLE: xls, encrypted xlsx


def _check_ole(path: Path, data: bytes, password: str | None, decrypted: bool = False) -> Checked:
    import olefile

    try:
        ole = olefile.OleFileIO(data)
        streams = {"/".join(s) for s in ole.listdir(streams=True, storages=False)}
        if "EncryptionInfo" in streams and not decrypted:  # an encrypted xlsx
            checked = check_bytes(path, _decrypt(path, data, password))
            checked.encrypted = True
            return checked
        if "WordDocument" in streams:
            raise UnreadableFile(path, "word")
        if "PowerPoint Document" in streams:
            raise UnreadableFile(path, "powerpoint")
        book = "Workbook" if "Workbook" in streams else "Book" if "Book" in streams else None
        if book is None:
            raise UnreadableFile(path, "not_spreadsheet")
        stream = ole.openstream(book).read(MAX_PART_BYTES + 1)
        saved_at = _ole_saved_at(ole)
    except UnreadableFile:
        raise
    except Exception:  # olefile raises several kinds for damaged containers
        raise UnreadableFile(path, "truncated_ole") from None
    if len(stream) > MAX_PART_BYTES:
        raise UnreadableFile(path, "zip_bomb", size=len(stream) // 2**20)
    if _xls_encrypted(stream):
        if decrypted:
            raise UnreadableFile(path, "truncated_ole")
        checked = _check_ole(path, _decrypt(path, data, password), None, decrypted=True)
        checked.encrypted = True
        return checked
    errors = _CellErrors()
    fixed = _scan_xls(path, stream, errors)
    if fixed is not None:
        data = _replace_stream(path, data, book, fixed)
    return Checked(path, "xls", data, saved_at, problems=errors.problems() + errors.notes.problems(),
                   cell_errors=errors.cells, formula_cells=errors.formulas, notes=errors.notes.found)


def _ole_saved_at(ole) -> str:
    """When the file was last saved, as its summary information says (LastSaveTime, a
    UTC time), else ""."""
    try:
        if not ole.exists("\x05SummaryInformation"):
            return ""
        when = ole.getproperties("\x05SummaryInformation", convert_time=True).get(13)  # PIDSI_LASTSAVE_DTM
    except Exception:  # olefile raises several kinds for a damaged property set: no time, the file is read
        return ""
    if not isinstance(when, dt.datetime) or when.year < 1980:  # unset: 1601-01-01
        return ""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _replace_stream(path: Path, data: bytes, name: str, stream: bytes) -> bytes:
    """The OLE file with one stream replaced by bytes of the same length."""
    import olefile

    buf = io.BytesIO(data)
    try:
        ole = olefile.OleFileIO(buf, write_mode=True)
        ole.write_stream(name, stream)
        ole.close()
    except Exception:  # olefile raises several kinds for damaged containers
        raise UnreadableFile(path, "truncated_ole") from None
    return buf.getvalue()


_BIFF = struct.Struct("<HH")
FILEPASS, BOF, EOF, BOUNDSHEET, SST, DIMENSIONS = 0x002F, 0x0809, 0x000A, 0x0085, 0x00FC, 0x0200
FORMULA, BOOLERR = 0x0006, 0x0205
OBJ, TXO, CONTINUE, NOTE = 0x005D, 0x01B6, 0x003C, 0x001C  # a note: its text box (OBJ, TXO and its text), then its cell
# What a cell shows for each BIFF error code.
BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
# Records that put a value in a cell: row and column are their first two 16-bit fields.
_XLS_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0205, 0x0006, 0x0002, 0x0003, 0x0004, 0x0005,
              0x0206, 0x0406}
MULRK = 0x00BD


def _biff_records(stream: bytes):
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        rtype, size = _BIFF.unpack_from(stream, pos)
        yield pos, rtype, stream[pos + 4:pos + 4 + size]
        pos += 4 + size


def _xls_encrypted(stream: bytes) -> bool:
    for _, rtype, _ in _biff_records(stream):
        if rtype == FILEPASS:
            return True
        if rtype == EOF:  # end of the workbook globals
            return False
    return False


def _scan_xls(path: Path, stream: bytes, errors: _CellErrors) -> bytes | None:
    """Refuse a cell beyond the grid, and a shared-string count the stream cannot hold.
    A sheet's declared dimensions (which the native reader reserves memory for) are
    clipped to the grid: the stream with them clipped is returned, or None if none was.
    Cells showing an error are noted in `errors`."""
    names: dict[int, str] = {}
    sheet = ""
    fixed = None
    obj = None  # the last drawing object's id: a note's text box (TXO) follows its OBJ
    texts: dict[int, str] = {}  # object id -> the text of its box: a NOTE names the cell it is on
    reading = None  # (object id, characters still to come, bytes so far) while a TXO's text continues
    stored = 0  # characters of the text boxes kept
    for pos, rtype, body in _biff_records(stream):
        if reading is not None:
            if rtype == CONTINUE and body:
                reading = _txo_text(reading, body, texts)
                if reading is None:
                    stored += len(texts.get(obj, ""))
                continue
            reading = None
        if rtype == OBJ and len(body) >= 8 and body[:2] == b"\x15\x00":  # ftCmo: the object's kind and id
            obj = struct.unpack_from("<H", body, 6)[0]
        elif rtype == TXO and len(body) >= 12 and obj is not None:
            chars = struct.unpack_from("<H", body, 10)[0]
            # (Text boxes are kept only as far as notes are read: a file of a million says so.)
            kept = bool(chars) and len(texts) < MAX_NOTES and stored < NOTES_TEXT_MAX
            reading = (obj, chars, "") if kept else None
        elif rtype == NOTE and len(body) >= 8:
            row, col, _, note_obj = struct.unpack_from("<HHHH", body)
            if note_obj in texts:
                errors.notes.add(sheet, cell_ref(row, col), texts.pop(note_obj).replace("\r", "").strip())
        elif rtype == BOUNDSHEET and len(body) >= 8:
            names[struct.unpack_from("<I", body)[0]] = _biff_sheet_name(body)
        elif rtype == BOF:
            sheet = names.get(pos, sheet)
        elif rtype == SST and len(body) >= 8:
            unique = struct.unpack_from("<I", body, 4)[0]
            if unique > len(stream) // 3 + 1:
                raise UnreadableFile(path, "bad_count", part="SST", count=unique)
        elif rtype in _XLS_CELLS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            _check_cell(path, sheet, row, col)
            if rtype == FORMULA:
                errors.formula(sheet, row, col)
            code = _biff_error(rtype, body)
            if code is not None:
                errors.add(sheet, row, col, BIFF_ERRORS.get(code, "#N/A"))
        elif rtype == MULRK and len(body) >= 6:
            row, = struct.unpack_from("<H", body)
            _check_cell(path, sheet, row, struct.unpack_from("<H", body, len(body) - 2)[0])
        elif rtype == DIMENSIONS and len(body) >= 12:
            dims = struct.unpack_from("<IIHH", body)
            first_row, last_row, first_col, last_col = dims
            clipped = (min(first_row, last_row, MAX_ROWS), min(last_row, MAX_ROWS),
                       min(first_col, last_col, MAX_COLUMNS), min(last_col, MAX_COLUMNS))
            if clipped != dims:
                fixed = fixed if fixed is not None else bytearray(stream)
                struct.pack_into("<IIHH", fixed, pos + 4, *clipped)
    return bytes(fixed) if fixed is not None else None


def _txo_text(reading: tuple, body: bytes, texts: dict) -> tuple | None:
    """A note's text continued in a CONTINUE record: its first byte says whether the
    characters are one byte each (latin-1) or two (UTF-16); the text is done when its
    count is reached."""
    obj, left, so_far = reading
    wide = body[0] & 1
    raw = body[1:1 + left * (2 if wide else 1)]
    part = raw.decode("utf-16-le" if wide else "latin-1", "replace")
    so_far += part
    left -= len(raw) // (2 if wide else 1)
    if left <= 0 or len(so_far) > NOTE_MAX:
        texts[obj] = so_far
        return None
    return obj, left, so_far


def _biff_error(rtype: int, body: bytes) -> int | None:
    """The error code a FORMULA or BOOLERR record's cell shows, or None."""
    if rtype == FORMULA and len(body) >= 14 and body[12:14] == b"\xff\xff" and body[6] == 2:
        return body[8]
    if rtype == BOOLERR and len(body) >= 8 and body[7] == 1:
        return body[6]
    return None


def _biff_sheet_name(body: bytes) -> str:
    try:
        cch, flags = body[6], body[7]
        raw = body[8:8 + cch * (2 if flags & 1 else 1)]
        return raw.decode("utf-16-le" if flags & 1 else "latin-1")
    except (IndexError, UnicodeDecodeError):
        return "?"


def _check_cell(path, sheet: str, row: int, col: int) -> None:
    if row >= MAX_ROWS or col >= MAX_COLUMNS:
        raise UnreadableFile(path, "far_cell", sheet=sheet or "?", cell=cell_ref(row, col),
                             max_cell=cell_ref(MAX_ROWS - 1, MAX_COLUMNS - 1))


def cell_ref(row: int, col: int) -> str:
    """A1 reference of a 0-based row and column."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _decrypt(path: Path, data: bytes, password: str | None) -> bytes:
    if not password:
        raise UnreadableFile(path, "encrypted")
    import msoffcrypto
    from msoffcrypto.exceptions import DecryptionError, InvalidKeyError

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    except (InvalidKeyError, DecryptionError):
        raise UnreadableFile(path, "wrong_password") from None
    except Exception as exc:  # msoffcrypto raises plain exceptions for damaged or unsupported files
        raise UnreadableFile(path, "encrypted_unsupported", detail=type(exc).__name__) from None
    return out.getvalue()


# --------------------------------------------------------------------------- zip: xlsx, xlsm, xlsb, ods


SAVED_RE = {
    "xlsx": ("docprops/core.xml", re.compile(rb"<dcterms:modified[^<>]*>([^<]{10,40})</dcterms:modified>")),
    "ods": ("meta.xml", re.compile(rb"<dc:date>([^<]{10,40})</dc:date>")),
}
_LOCAL_HEADER = struct.Struct("<4s22xHH")
# An element's namespace prefix, as a lenient XML reader takes it: any name (not only
# ASCII letters: "<å:row" is a row to the native reader).
_NS = rb"(?:[^\s<>/:=\"'!?]+:)?"


def zip_entries_at_most(data: bytes) -> int:
    """How many entries, at most, zipfile would read from an archive's central directory,
    found without reading them (zipfile makes an object of each, some hundred bytes, so
    a central directory of tiny entries costs ten times its size): the entry signatures
    in the bytes before the end record that the directory says it takes."""
    end = len(data) - 22  # where zipfile looks for the end record: there, else the last in the comment's reach
    if data[end:end + 4] != b"PK\x05\x06" or data[-2:] != b"\0\0":
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65536 - 22))
    if end < 0 or end + 22 > len(data):
        return 0  # no end record: zipfile refuses it
    size, = struct.unpack_from("<I", data, end + 12)
    start = 0 if data[max(0, end - 20):end].startswith(b"PK\x06\x07") else max(0, end - size)  # zip64: anywhere
    return data.count(b"PK\x01\x02", start, end)


def _check_zip(path: Path, data: bytes) -> Checked:
    entries = zip_entries_at_most(data)
    if entries > MAX_MEMBERS:  # refused before zipfile reads them all
        raise UnreadableFile(path, "too_many_parts", count=entries, max=MAX_MEMBERS)
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in z.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError, OSError):
        raise UnreadableFile(path, "truncated") from None
    # Each part by the name the native reader finds it by: whatever its case and slashes,
    # and the Unicode name an entry may carry beside its own. Two of one name are refused.
    keys = {id(i): _part_key(i) for i in infos}
    names = set(keys.values())
    if "word/document.xml" in names:
        raise UnreadableFile(path, "word")
    if "ppt/presentation.xml" in names:
        raise UnreadableFile(path, "powerpoint")
    if len(infos) > MAX_MEMBERS:
        raise UnreadableFile(path, "too_many_parts", count=len(infos), max=MAX_MEMBERS)
    twice = [n for n, k in Counter(keys.values()).items() if k > 1]
    if twice:
        raise UnreadableFile(path, "duplicate_part", part=_shown(twice[0].encode()))
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES or any(i.file_size > MAX_PART_BYTES for i in infos):
        # A bomb packs a hundredfold or more; a sheet that is merely huge packs like text.
        packed = max(1, sum(i.compress_size for i in infos))
        code = "zip_bomb" if total // packed >= BOMB_RATIO else "unpacked_too_big"
        raise UnreadableFile(path, code, size=max(1, total // 2**20))
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        kind = "xlsx"
    elif "content.xml" in names and _mimetype(z).startswith("application/vnd.oasis.opendocument.spreadsheet"):
        kind = "ods"
    else:
        raise UnreadableFile(path, "not_spreadsheet")
    by_key = {keys[id(i)]: i for i in infos}
    if kind == "ods" and "meta-inf/manifest.xml" in by_key:
        manifest = inflate(path, data, by_key["meta-inf/manifest.xml"])
        if b"encryption-data" in manifest:  # its parts are ciphertext: say so, not "damaged"
            raise UnreadableFile(path, "encrypted_ods")
    # Each part the checks need, as it is (`parts`, what a cut is made in) and with its
    # comments, instructions and CDATA blanked (`clean`, the same length: what is searched).
    parts: dict[str, bytes] = {}
    clean: dict[str, bytes] = {}
    for info in infos:
        key = keys[id(info)]
        if info.flag_bits & 1:
            raise UnreadableFile(path, "part_encrypted", part=_shown(info.filename.encode()))
        if not _parsed(key):
            continue  # pictures, themes, charts: no reader here parses them
        body = inflate(path, data, info)
        blanked = _without_noise(path, body)  # a declaration (DOCTYPE, ENTITY) anywhere is refused there
        if len(blanked) >= XML_HEAD and _ROOT_START.search(blanked) is None:
            raise UnreadableFile(path, "entity_bomb")  # a part of no element: no spreadsheet has one
        if _keep(kind, key, body):
            parts[key], clean[key] = body, blanked
    problems: list = []
    errors = _CellErrors()
    if kind == "ods":
        _scan_ods(path, clean.get("content.xml", b""), errors)
        spaced = _ods_spacing(parts.get("content.xml", b""), clean.get("content.xml", b""))
        if spaced is not None:
            data = _rezip(z, {by_key["content.xml"].filename: spaced})
    else:
        _check_shared_strings(path, clean)
        cut = _scan_xlsx_sheets(path, parts, clean, problems, errors)
        if cut:
            data = _rezip(z, {by_key[key].filename: body for key, body in cut.items()})
        _xlsx_notes(clean, errors.notes)
    saved_at = ""
    part, pattern = SAVED_RE[kind]
    if part in clean:  # not from a comment
        m = pattern.search(clean[part], 0, XML_HEAD)
        saved_at = iso_utc(m.group(1).decode("ascii", "replace")) if m else ""
    return Checked(path, kind, data, saved_at, problems=problems + errors.problems() + errors.notes.problems(),
                   cell_errors=errors.cells, formula_cells=errors.formulas, notes=errors.notes.found)


def _keep(kind: str, name: str, body: bytes) -> bool:
    """Parts whose content the checks below need."""
    if kind == "ods":
        return name in ("content.xml", "meta.xml", "meta-inf/manifest.xml")
    return (name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedstrings.xml", "docprops/core.xml")
            or b"sheetData" in body or name.endswith(".rels") or "comment" in name)  # notes: wherever they are


def inflate(path, data: bytes, info: zipfile.ZipInfo, limit: int = MAX_PART_BYTES) -> bytes:
    """A zip member's bytes, decompressed straight from the archive and never beyond the
    size it declares: a member that inflates to more (or less) than it says is refused
    here, before it costs more memory than its declared size."""
    try:
        magic, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    except struct.error:
        raise UnreadableFile(path, "truncated") from None
    if magic != b"PK\x03\x04":
        raise UnreadableFile(path, "truncated")
    start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        raise UnreadableFile(path, "truncated")
    declared = info.file_size
    if declared > limit:
        raise UnreadableFile(path, "zip_bomb", size=max(1, declared // 2**20))
    if info.compress_type == zipfile.ZIP_STORED:
        out = data[start:end]
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        try:
            # One byte more than declared is enough to know it lies.
            out = inflater.decompress(data[start:end], declared + 1)
        except zlib.error:
            raise UnreadableFile(path, "truncated") from None
        if len(out) <= declared and not inflater.eof:
            raise UnreadableFile(path, "truncated")
    else:
        raise UnreadableFile(path, "compression", method=info.compress_type)
    if len(out) != declared:
        raise UnreadableFile(path, "size_lie", part=_shown(info.filename.encode()), declared=declared)
    if zlib.crc32(out) != info.CRC:
        raise UnreadableFile(path, "truncated")
    return out


_ROOT_START = re.compile(rb"<[A-Za-z_]")
_UNICODE_PATH = 0x7075  # Info-ZIP's Unicode Path extra field: the name the native reader takes


def _part_key(info: zipfile.ZipInfo) -> str:
    """The name the native reader finds a member by: its Unicode Path if it carries a valid
    one (version 1, and the CRC of the entry's own name), with "/" for "\\" and in lower
    case (parts are looked up whatever their case)."""
    name, extra, pos = info.filename, info.extra, 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        if tag == _UNICODE_PATH and size > 5 and pos + 4 + size <= len(extra) and extra[pos + 4] == 1:
            own = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
            if struct.unpack_from("<I", extra, pos + 5)[0] == zlib.crc32(own):  # else ignored, as by the reader
                name = extra[pos + 9:pos + 4 + size].decode("utf-8", "replace")
        pos += 4 + size
    return name.replace("\\", "/").lower()


def _parsed(name: str) -> bool:
    """XML parts a reader parses, which must not declare entities. openpyxl (for
    annotated copies) parses more, but through defusedxml, which refuses them itself."""
    return (name in ("[content_types].xml", "xl/workbook.xml", "xl/sharedstrings.xml", "xl/styles.xml",
                     "content.xml", "styles.xml", "meta.xml", "settings.xml", "meta-inf/manifest.xml")
            or name.endswith(".rels")
            or name.startswith(("xl/worksheets/", "xl/tables/", "docprops/")) or "comment" in name)


def _mimetype(z: zipfile.ZipFile) -> str:
    try:
        info = z.getinfo("mimetype")
        if info.file_size > 200:
            return ""
        return z.read(info)[:100].decode("ascii", "replace")
    except Exception:  # zipfile raises several kinds for a damaged member
        return ""


_SST_ROOT = re.compile(rb"<" + _NS + rb"sst(?=[\s/>])")


def _check_shared_strings(path: Path, clean: dict) -> None:
    """The native reader reserves room for the count of strings the part declares: the
    count on its root element, not in a comment before it."""
    body = clean.get("xl/sharedstrings.xml")
    if not body:
        return
    root = _ROOT_START.search(body)
    tag = _SST_ROOT.match(body, root.start()) if root else None
    attrs = _ATTRS.match(body, tag.end()) if tag else None
    # Every uniqueCount it gives (a quoted value is passed over whole, as the reader does).
    for key, v1, v2 in _ATTR.findall(attrs.group(1)) if attrs else ():
        if key != b"uniqueCount":
            continue
        count = (v1 or v2).strip()
        if not count.isdigit() or len(count) > 12 or int(count) > len(body) // 5 + 1:
            raise UnreadableFile(path, "bad_count", part="xl/sharedStrings.xml",
                                 count=count.decode("ascii", "replace")[:20])


# --------------------------------------------------------------------------- xlsx sheets

# A cell tag as every spreadsheet program writes it: `r` first, inside the grid, double
# quotes, single spaces, no other attribute starting with r. Sheets with only such cells
# need no closer look; anything else (no `r`, a prefix, a far or damaged reference, a
# second `r`) is looked at cell by cell. One search each, so a normal sheet costs little.
_COL_OK = rb"(?:[A-Z]|[AB][A-Z]|C[A-V])"  # A..CV: MAX_COLUMNS
_ROW_OK = rb"[1-9][0-9]{0,3}"  # 1..9999: within MAX_ROWS
# Possessive quantifiers: nothing to backtrack into, a third faster on a sheet of cells.
_NOT_PLAIN_CELL = re.compile(
    rb"<c(?! r=\"" + _COL_OK + _ROW_OK + rb"\"(?: [a-qs-z][\w:]*+=\"[^\"]*+\")*+/?>)[\s/>]")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_TAG = re.compile(rb"<" + _NS + rb"(row|c)(?=[\s/>])")
# Attribute names as a lenient XML reader takes them: any name ("xmlns:å" too).
_ATTRS = re.compile(rb"((?:\s+[^\s=<>/\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>")
_ATTR = re.compile(rb"([^\s=<>/\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
_CELL_END = re.compile(rb"</" + _NS + rb"c\s*>")
_HAS_VALUE = re.compile(rb"<" + _NS + rb"(?:v|is|f)[\s>/]")
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384


def _scan_xlsx_sheets(path: Path, parts: dict, clean: dict, problems: list, errors: _CellErrors) -> dict:
    """Every sheet part's cells: damaged references refused; cells beyond the grid cut
    away (returned as {part: new bytes}) and reported in `problems` per sheet; cells
    showing an error or holding a formula without its result noted in `errors`. Searched
    in `clean` (the parts with comments, instructions and CDATA blanked, at the same
    positions); what is cut is cut from `parts`, the parts as they are."""
    cut = {}
    sheet_names = None
    for name, raw in parts.items():
        if b"sheetData" not in raw:
            continue
        body = clean[name]
        odd = _NOT_PLAIN_CELL.search(body) or _PREFIXED_CELL.search(body)
        # Where a plain sheet has formulas or errors (two literal searches: one pattern with
        # both, and the prefixes, costs ten times as much on a sheet of formulas).
        hints = None if odd else _plain_hints(body)
        if not odd and not hints:
            continue
        if sheet_names is None:
            sheet_names = _xlsx_sheet_names(clean)
        sheet = sheet_names.get(name, name.rsplit("/", 1)[-1])
        if odd:
            spans, far = _far_cells(path, sheet, body)
            if spans:
                kept, pos = [], 0
                for start, end in spans:  # a span may lie inside the one before (cells in a cell)
                    if start > pos:
                        kept.append(raw[pos:start])
                    pos = max(pos, end)
                kept.append(raw[pos:])
                cut[name] = b"".join(kept)
            if far:
                problems.append((sheet, far[0], "far_cells", {
                    "count": len(far), "first": far[0], "max_cell": cell_ref(MAX_ROWS - 1, MAX_COLUMNS - 1)}))
        if odd:
            if _ERROR_HINT.search(body):
                _error_cells(path, sheet, body, errors)
        else:  # every cell is <c r="A1" ...>: only the cells with a formula or an error are looked at
            _error_cells_plain(sheet, body, hints, errors)
    return cut


def _cell_tags(path: Path, sheet: str, body: bytes):
    """Each cell tag of a sheet: (tag match, attributes match, row, column, type), reading
    positions as the native reader does: `r` if there is one, else the row's `r` and the
    next column. A damaged reference is refused."""
    row, col = -1, 0
    for m in _TAG.finditer(body):
        attrs = _ATTRS.match(body, m.end())
        if attrs is None:
            raise UnreadableFile(path, "bad_reference", sheet=sheet, ref=_shown(body[m.start():m.start() + 40]))
        r = kind = None
        for key, v1, v2 in _ATTR.findall(attrs.group(1)):
            if key == b"r":
                r = v1 if v1 or not v2 else v2
            elif key == b"t":
                kind = v1 or v2
        if m.group(1) == b"row":
            if r is not None:
                if not r.isdigit() or len(r.lstrip(b"0")) > 7 or not 1 <= int(r) <= EXCEL_ROWS:
                    raise UnreadableFile(path, "bad_reference", sheet=sheet, ref=_shown(r))
                row = int(r) - 1
            else:
                row += 1
            col = 0
            continue
        if r is not None:
            ref = _REF.fullmatch(r)
            if ref is None:
                raise UnreadableFile(path, "bad_reference", sheet=sheet, ref=_shown(r))
            letters, digits = ref.groups()
            cell_row, cell_col = int(digits) - 1, _column(letters)
            if not (0 <= cell_row < EXCEL_ROWS and cell_col < EXCEL_COLUMNS):
                raise UnreadableFile(path, "bad_reference", sheet=sheet, ref=_shown(r))
        else:
            cell_row, cell_col = max(row, 0), col
        col = cell_col + 1
        yield m, attrs, cell_row, cell_col, kind


def _far_cells(path: Path, sheet: str, body: bytes) -> tuple[list, list]:
    """(spans of cells beyond the grid, references of those with a value)."""
    spans, far = [], []
    # The next cell end and the next value at or after the latest far cell, found once and
    # reused by the far cells after it: a search from each far cell to the end of the sheet
    # would cost (far cells) x (sheet size) when the end is missing or far away.
    close = value = None
    for m, attrs, cell_row, cell_col, _ in _cell_tags(path, sheet, body):
        if cell_row < MAX_ROWS and cell_col < MAX_COLUMNS:
            continue
        end = attrs.end()
        has_value = False
        if not attrs.group(2):  # not <c .../>: the cell ends at </c>
            close = _next(_CELL_END, body, end, close)
            if not close:
                raise UnreadableFile(path, "bad_reference", sheet=sheet, ref=cell_ref(cell_row, cell_col))
            value = _next(_HAS_VALUE, body, end, value)
            has_value = bool(value) and value.start() < close.start()
            end = close.end()
        spans.append((m.start(), end))
        if has_value:
            far.append(cell_ref(cell_row, cell_col))
    return spans, far


# A sheet that may hold a cell showing an error (t="e") or a formula: looked at cell by cell.
_ERROR_HINT = re.compile(rb"\st\s*=\s*[\"']e[\"']|<" + _NS + rb"f[\s>/]")
_FORMULA_TAG = re.compile(rb"<" + _NS + rb"f(?=[\s>/])[^<>]*?(/?)>")
_VALUE_TAG = re.compile(rb"<" + _NS + rb"v(?=[\s>/])[^<>]*?(/?)>")


def _error_cells(path: Path, sheet: str, body: bytes, errors: _CellErrors) -> None:
    """Note the cells that show an error (`t="e"`, its text in `<v>`) and the formulas
    without a result (`<f>` and no `<v>`, or an empty one that is no text): the native
    reader gives both as empty. One pass: each search's answer is reused while it lies
    ahead (see `_next`), and a cell's text is looked for only up to its end."""
    close = formula = value = None
    for _, attrs, row, col, kind in _cell_tags(path, sheet, body):
        if attrs.group(2) or row >= MAX_ROWS or col >= MAX_COLUMNS:  # <c/> holds nothing; far cells are cut
            continue
        start = attrs.end()
        close = _next(_CELL_END, body, start, close)
        if not close:
            return  # the sheet ends inside this cell: the native reader says what it makes of it
        end = close.start()
        formula = _next(_FORMULA_TAG, body, start, formula)
        has_formula = bool(formula) and formula.start() < end
        if kind != b"e" and not has_formula:
            continue
        value = _next(_VALUE_TAG, body, start, value)
        shown = _text_in(body, value, end) if value and value.start() < end else None
        errors.one(sheet, row, col, has_formula,
                   _noted(kind, has_formula, shown, lambda: _raw_in(body, formula, end)))


_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,2})([0-9]{1,4})"((?: [\w:]+="[^"]*")*)(/?)>')
_TYPE_ATTR = re.compile(rb' t="([^"]*)"')


_PLAIN_FORMULA = re.compile(rb"<f[\s>/]")
_FORMULA_ANY = re.compile(rb"<" + _NS + rb"f[\s>/]")
# What the XML reader meets where markup starts: a comment, a processing instruction or
# CDATA (each to its end, or to the end of the part if it has none: one pass, however
# many are left open); another declaration ("<!DOCTYPE"); or a tag, to its ">" with quoted
# values passed over whole (the native reader takes "<!--" inside a value as text).
_MARKUP = re.compile(rb"""<!--.*?(?:-->|\Z)|<\?.*?(?:\?>|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<!|<(?:"[^"]*"|'[^']*'|[^"'>])*>?""",
                     re.S)


def _without_noise(path, body: bytes) -> bytes:
    """`body` with comments, processing instructions and CDATA blanked out (the same
    length, so positions stay): a `<f>` or ` t="e"` inside them is no formula or error.
    Only where the native reader takes them as such: not inside a tag's quoted value,
    where hiding cells from the checks would let them through. A declaration in a sheet
    ("<!DOCTYPE", "<!ENTITY") is refused, as in a part's prolog."""
    if not _after_lt(body, 33, 0) and not _after_lt(body, 63, 1):  # "<!", and "<?" past the XML declaration
        return body
    out = bytearray(body)
    for m in _MARKUP.finditer(body):
        start, end = m.span()
        if end - start < 2:  # a "<" that ends the text (a part's head is cut anywhere)
            continue
        if end - start == 2 and body[start + 1] == 33:  # "<!" that starts no comment or CDATA
            raise UnreadableFile(path, "entity_bomb")
        if body[start + 1] in (33, 63):  # "<!--", "<![CDATA[", "<?"
            out[start:end] = b" " * (end - start)
    return bytes(out)


def _after_lt(body: bytes, char: int, start: int, tries: int = 32) -> bool:
    """Whether `char` follows a "<" in `body` from `start`. "!" and "?" are rare in a sheet
    and found at memory speed; "<!" is not (every tag starts with "<"): the few there are
    are looked at, and past `tries` of them, the pair is searched for."""
    pos = body.find(char, start + 1)
    while pos >= 0 and tries:
        if body[pos - 1] == 60:
            return True
        pos, tries = body.find(char, pos + 1), tries - 1
    return pos >= 0 and body.find(bytes((60, char)), start) >= 0


_PLAIN_ERROR = re.compile(rb' t="e"')
_PREFIX_F = re.compile(rb":f")  # a search, not `in`: ":" is found faster by the pattern


def _plain_hints(body: bytes) -> list[int]:
    """Where a sheet of plain cells has a formula or a cell of the error type, in order."""
    formula = _FORMULA_ANY if _PREFIX_F.search(body) else _PLAIN_FORMULA  # <x:f> in a plain cell
    found = [m.start() for m in formula.finditer(body)]
    errors = [m.start() for m in _PLAIN_ERROR.finditer(body)] if b' t="e"' in body else []
    return sorted(found + errors) if errors else found


def _error_cells_plain(sheet: str, body: bytes, hints: list[int], errors: _CellErrors) -> None:
    """`_error_cells` for a sheet whose cells are all plain (see `_NOT_PLAIN_CELL`): from
    each formula or error found, back to the cell it is in. A sheet of a thousand cells
    with formulas in a few hundred costs those few hundred, not a thousand. Linear in the
    sheet whatever it holds: each cell start is searched for once (from the hint before),
    a hint inside a cell already looked at is passed over, and a cell end found is reused
    while it lies ahead."""
    done = done_end = start = -1
    searched = 0
    close = None
    for hint in hints:
        if hint < done_end:  # inside the cell just looked at (its text may say ` t="e"` a thousand times)
            continue
        found = body.rfind(b"<c ", searched, hint + 1)
        searched = hint + 1
        if found >= 0:
            start = found
        if start < 0 or start <= done:  # no cell, or the same cell: its error type and its formula
            continue
        compact = _COMPACT_CELL.match(body, start)
        if compact is not None:  # the cell as programs write it, in one match
            done, done_end = start, compact.end()
            _compact_cell(sheet, compact, errors)
            continue
        cell = _PLAIN_CELL.match(body, start)
        if cell is None or cell.group(4):
            continue
        done = start
        close = _next(_CELL_END, body, cell.end(), close)
        if not close:
            return
        done_end = close.end()
        end = close.start()
        formula = _FORMULA_TAG.search(body, cell.end(), end)
        kind = _TYPE_ATTR.search(cell.group(3))
        kind = kind.group(1) if kind else None
        if kind != b"e" and not formula:
            continue
        value = _VALUE_TAG.search(body, cell.end(), end)
        shown = _text_in(body, value, end) if value else None
        errors.one(sheet, int(cell.group(2)) - 1, _column(cell.group(1)), bool(formula),
                   _noted(kind, bool(formula), shown, lambda: _raw_in(body, formula, end)))


# A cell with a formula and/or a value and nothing else, no attributes on <v>: what
# spreadsheet programs write for almost every such cell.
_COMPACT_CELL = re.compile(
    rb'<c r="([A-Z]{1,2})([0-9]{1,4})"((?: [\w:]+="[^"]*")*)>'
    rb'(<f(?: [^<>]*)?(?:/>|>([^<]*)</f>))?(?:<v>([^<]*)</v>|(<v/>))?</c>')


def _compact_cell(sheet: str, cell: re.Match, errors: _CellErrors) -> None:
    """`_error_cells_plain` for one cell matched by `_COMPACT_CELL`."""
    letters, digits, attrs, formula, text, value, empty = cell.groups()
    kind = None
    if b" t=" in attrs:
        kind = _TYPE_ATTR.search(attrs)
        kind = kind.group(1) if kind else None
    if value is not None:
        shown = _xml_text(value) if value.strip() else ""
    else:
        shown = "" if empty else None
    errors.one(sheet, int(digits) - 1, _column(letters), bool(formula),
               _noted(kind, bool(formula), shown, lambda: text or b""))


def _noted(kind, has_formula: bool, shown: str | None, formula_text):
    """What to note of a cell: the error it shows (`t="e"`), or a formula without its
    result (no `<v>`, or an empty one that is no text) as `FormulaText`, taken from
    `formula_text()` only then; None when the native reader reads the cell as it is."""
    if kind == b"e" and shown:
        return shown[:255]
    if has_formula and not shown and not (kind == b"str" and shown is not None):
        # As it stands in the file, made readable only if it is read (see `shown`): most
        # are the workbook's own computed cells, never looked at.
        return FormulaText(formula_text())
    return None


def _column(letters: bytes) -> int:
    """A reference's column letters as a 0-based index: b"A" -> 0, b"CV" -> 99."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col - 1


class FormulaText(bytes):
    """A formula saved without its result, as the file holds it (XML text)."""


def shown(value) -> str | None:
    """What a noted cell shows, as text: an error as it is, a formula as "=..."."""
    if isinstance(value, FormulaText):
        text = _xml_text(value) if value else ""
        return "=" + (text[:FORMULA_MAX] if text else "…")
    return value


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return (unescape(text) if "&" in text else text).strip()


def _raw_in(body: bytes, tag: re.Match, end: int) -> bytes:
    """The raw text of the element that `tag` starts, up to the next tag (and before `end`)."""
    if tag.group(1):  # <v/>
        return b""
    stop = body.find(b"<", tag.end(), end)
    return body[tag.end():stop if stop >= 0 else end]


def _text_in(body: bytes, tag: re.Match, end: int) -> str:
    """The text of the element that `tag` starts, up to the next tag (and before `end`)."""
    return _xml_text(_raw_in(body, tag, end))


def _next(pattern: re.Pattern, body: bytes, pos: int, found):
    """The first match of `pattern` at or after `pos` (False if there is none), given
    `found`, the same search's answer for an earlier position (or None): reused while it
    still lies at or after `pos`, so positions that only grow cost one pass in all."""
    if found is False or (found is not None and found.start() >= pos):
        return found
    return pattern.search(body, pos) or False


def _shown(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")[:30].replace("\n", " ")


# A tag ends before the next "<" (no attribute value holds one): an unclosed tag is not
# searched to the end of the part again from every tag after it.
_SHEET_TAG = re.compile(rb"<" + _NS + rb"sheet\s[^<>]*>")
_REL_TAG = re.compile(rb"<" + _NS + rb"Relationship\s[^<>]*>")


def _xlsx_sheet_names(clean: dict) -> dict[str, str]:
    """Sheet part name -> sheet name, from the workbook and its relationships (`clean`:
    without comments), read as the native reader reads them: `name` by its whole name and
    `id` by its local one, the last of each given twice."""
    targets = {}
    for tag in _REL_TAG.findall(clean.get("xl/_rels/workbook.xml.rels", b"")):
        attrs = {k: (v1 or v2) for k, v1, v2 in _ATTR.findall(tag)}
        target = unescape(attrs.get(b"Target", b"").decode("utf-8", "replace"))
        target = target.replace("\\", "/").lower()  # found as the parts are (see `_part_key`)
        target = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else f"xl/{target}"
        targets[attrs.get(b"Id", b"")] = target
    names = {}
    for tag in _SHEET_TAG.findall(clean.get("xl/workbook.xml", b"")):
        attrs = {k: (v1 or v2) for k, v1, v2 in _ATTR.findall(tag)}
        rid = next((v for k, v in reversed(attrs.items()) if k.endswith(b":id")), None)
        if rid in targets:
            names[targets[rid]] = unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
    return names


_COMMENT_START = re.compile(rb"<" + _NS + rb"comment(?=[\s/>])")
_COMMENT_END = re.compile(rb"</" + _NS + rb"comment\s*>")
_AUTHOR = re.compile(rb"<" + _NS + rb"author\s*>(.*?)</" + _NS + rb"author\s*>", re.S)
_NOTE_TEXT = re.compile(rb"<" + _NS + rb"t(?:\s[^<>]*)?>(.*?)</" + _NS + rb"t\s*>", re.S)
NOTE_MAX = 32_000  # characters of a note kept: what a cell of the report holds
MAX_NOTES = 10_000  # notes of a file read: past them, a problem says how many more there are
NOTES_TEXT_MAX = 8_000_000  # characters of an .xls file's text boxes kept to find its notes' words in
OWN_NOTES = "hmsxl"  # the author of the notes a marked copy carries: its own, not the leader's
OWN_NOTE_TAG = "— hmsxl"  # the last line of each of them (LibreOffice does not keep their author)


def own_note(author: str, text: str) -> bool:
    """Whether a note is one of a marked copy's own: by its last line (LibreOffice does not
    keep the author), or by its author in a copy from before the line. One the leader wrote
    more in after the line is theirs."""
    return text.endswith(OWN_NOTE_TAG) or (author == OWN_NOTES and OWN_NOTE_TAG not in text)


def _spans(starts: list, ends: list) -> list:
    """(start, after its tag, end) of each element that closes before the next one starts,
    from its starts (start, after its tag) and the positions of its ends, both in order: a
    start with no end of its own (left open) has no text. Linear in the matches."""
    out = []
    for i, (start, after) in enumerate(starts):
        j = bisect.bisect_left(ends, after)
        if j < len(ends) and (i + 1 == len(starts) or ends[j] < starts[i + 1][0]):
            out.append((start, after, ends[j]))
    return out


def _xlsx_notes(clean: dict, notes: "_Notes") -> None:
    """Every note on a cell into `notes`, found through each sheet's relationships as the
    sheet names its comments part; the marked copies' own left out."""
    for part, sheet in _xlsx_sheet_names(clean).items():
        folder, _, base = part.rpartition("/")
        for tag in _REL_TAG.findall(clean.get(f"{folder}/_rels/{base}.rels", b"")):
            attrs = {k: (v1 or v2) for k, v1, v2 in _ATTR.findall(tag)}
            if not attrs.get(b"Type", b"").endswith(b"/comments"):
                continue
            target = unescape(attrs.get(b"Target", b"").decode("utf-8", "replace")).replace("\\", "/").lower()
            target = posixpath.normpath(target[1:] if target.startswith("/") else f"{folder}/{target}")
            body = clean.get(target, b"")
            authors = [_xml_text(a) for a in _AUTHOR.findall(body)]
            starts = []
            for m in _COMMENT_START.finditer(body):
                attrs_m = _ATTRS.match(body, m.end())
                if attrs_m is not None and not attrs_m.group(2):  # self-closing: no text
                    starts.append((m.start(), attrs_m.end()))
            for start, after, end in _spans(starts, [e.start() for e in _COMMENT_END.finditer(body)]):
                attrs = {k: (v1 or v2) for k, v1, v2 in _ATTR.findall(body[start:after])}
                author = _int_or(attrs.get(b"authorId"), -1)
                runs = (t.decode("utf-8", "replace") for t in _NOTE_TEXT.findall(body, after, end))
                text = _threaded(excel_unescape(unescape("".join(runs))).strip())  # runs whole: their spaces count
                ref = attrs.get(b"ref", b"").decode("ascii", "replace")
                if not text or not _REF.fullmatch(ref.encode()) or own_note(
                        authors[author] if 0 <= author < len(authors) else "", text):
                    continue
                notes.add(sheet, ref.upper(), text)


_THREADED = re.compile(r"\[Threaded comment\].*?\n\s*Comment:\s*\n", re.S)


def _threaded(text: str) -> str:
    """A note Excel 365 writes for its threaded comments, without the words it puts first
    for older versions («[Threaded comment] Your version of Excel ... Comment:»)."""
    if not text.startswith("[Threaded comment]"):
        return text
    return _THREADED.sub("", text, count=1).strip() or text


class _Notes:
    """The notes found on cells, at most `MAX_NOTES` of them; the rest counted, and said."""

    def __init__(self):
        self.found: list = []  # (sheet, cell, text)
        self.more = 0
        self.first_more = ""

    def add(self, sheet: str, cell: str, text: str) -> None:
        if len(self.found) < MAX_NOTES:
            self.found.append((sheet, cell, text[:NOTE_MAX]))
        else:
            self.more += 1
            self.first_more = self.first_more or f"{sheet}!{cell}"

    def problems(self) -> list:
        return [("", "", "notes_not_read", {"count": self.more, "max": MAX_NOTES, "first": self.first_more})
                ] if self.more else []


def _int_or(raw, default: int) -> int:
    return int(raw) if raw is not None and raw.isdigit() and len(raw) < 10 else default


def _rezip(z: zipfile.ZipFile, replaced: dict) -> bytes:
    """The workbook again, with some parts replaced (members were checked above)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            body = replaced.get(info.filename)
            if body is None:
                body = z.read(info)
            info = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, body)
    return buf.getvalue()


# --------------------------------------------------------------------------- ods content

# As the native reader reads an ods: the table namespace's usual prefix, literally.
_ODS_TAG = re.compile(rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])")
_ODS_ERROR_TEXT = re.compile(r"#[A-Z0-9/_]+[!?]?|Err:\d+")
_ODS_MARKUP = re.compile(rb"<[^<>]*>")
_ODS_NEXT = re.compile(rb"</?table:")  # where a cell's own text ends at the latest: the next table markup
# Attributes an empty cell may carry without holding a value.
_ODS_NO_VALUE = frozenset({b"table:style-name", b"table:number-columns-repeated", b"table:content-validation-name",
                           b"table:number-columns-spanned", b"table:number-rows-spanned"})
_ODS_VALUE_TYPES = (b"office:value-type", b"calcext:value-type")


_ODS_SPACING = re.compile(rb"<text:(tab|line-break)\s*/>")


def _ods_spacing(raw: bytes, clean: bytes) -> bytes | None:
    """content.xml with each tab and line break a cell's text holds as markup written as
    the character it stands for, or None if it has none: the native reader drops them, and
    «før<tab>etter» came back «føretter». Found in `clean` (not in a comment), cut in `raw`."""
    if b"<text:tab" not in clean and b"<text:line-break" not in clean:
        return None
    out, pos = [], 0
    for m in _ODS_SPACING.finditer(clean):
        out += [raw[pos:m.start()], b"\t" if m.group(1) == b"tab" else b"\n"]
        pos = m.end()
    out.append(raw[pos:])
    return b"".join(out)


def _scan_ods(path: Path, content: bytes, errors: _CellErrors) -> None:
    """Refuse a cell with a value beyond the grid, counting repeated rows and columns as
    the native reader expands them. A formula cell that shows an error (LibreOffice's
    `calcext:value-type="error"`, or an empty string value beside an error's text, as
    older versions write it) or that has no result at all is noted in `errors`.

    Read as the native reader reads it (`content` has its comments, instructions and
    CDATA blanked: they are not markup), names are matched whole ("table:number-rows-repeated", not any prefix's), the first
    of an attribute given twice counts, and a table inside a table's cell goes on counting
    the outer table's rows (never fewer rows than the native reader may expand)."""
    sheet, row, col, rows_here, depth = "", 0, 0, 1, 0
    seen: set = set()  # the sheets' names: of two of one name, the native reader keeps the last only
    close = None  # the next table markup after a cell: found once, reused while it lies ahead
    # The notes on cells (rare): each belongs to the last cell opened before it.
    notes = _ods_note_spans(content)
    next_note = 0
    cell_at = None  # (sheet, row, column) of the last cell opened
    for m in _ODS_TAG.finditer(content):
        while next_note < len(notes) and notes[next_note][0] < m.start():
            if cell_at is not None:
                _ods_note(content, notes[next_note], cell_at, errors)
            next_note += 1
        closing, tag = m.group(1), m.group(2)
        attrs_m = _ATTRS.match(content, m.end())
        if attrs_m is None:
            raise UnreadableFile(path, "bad_reference", sheet=sheet or "?", ref=_shown(content[m.start():m.start() + 40]))
        if closing:
            if tag == b"table-row":
                row += rows_here
            elif tag == b"table":
                depth = max(0, depth - 1)
            continue
        attrs: dict = {}
        for k, v1, v2 in _ATTR.findall(attrs_m.group(1)):
            attrs.setdefault(k, v1 or v2)  # the first, as the native reader takes it
        empty_tag = bool(attrs_m.group(2))
        if tag == b"table":
            if depth == 0:
                sheet, row, col = unescape(attrs.get(b"table:name", b"?").decode("utf-8", "replace")), 0, 0
                if sheet in seen:
                    raise UnreadableFile(path, "duplicate_part", part=f"«{sheet}»")
                seen.add(sheet)
            depth += 0 if empty_tag else 1
        elif tag == b"table-row":
            rows_here = _repeat(path, sheet, attrs.get(b"table:number-rows-repeated"))
            col = 0
            if empty_tag:
                row += rows_here
        else:
            cols_here = _repeat(path, sheet, attrs.get(b"table:number-columns-repeated"))
            cell_at = (sheet, row, col) if not empty_tag else None
            if not empty_tag or attrs.keys() - _ODS_NO_VALUE:
                last_row, last_col = row + rows_here - 1, col + cols_here - 1
                if last_row >= MAX_ROWS or last_col >= MAX_COLUMNS:
                    raise UnreadableFile(path, "far_cell", sheet=sheet or "?",
                                         cell=cell_ref(min(last_row, EXCEL_ROWS - 1), min(last_col, EXCEL_COLUMNS - 1)),
                                         max_cell=cell_ref(MAX_ROWS - 1, MAX_COLUMNS - 1))
            formula = attrs.get(b"table:formula")
            if formula is not None:  # <table:table-cell table:formula=".." .../> holds one too
                errors.formula(sheet, row, col, rows_here, cols_here)
                if not _ods_has_result(attrs, empty_tag):  # no result saved: read as empty
                    errors.add(sheet, row, col, FormulaText(formula.split(b":", 1)[-1].lstrip(b"=")),
                               rows_here, cols_here)
                elif not empty_tag:
                    said = any(attrs.get(k) == b"error" for k in _ODS_VALUE_TYPES)
                    if said or attrs.get(b"office:string-value") == b"":
                        # Its text, up to its end or any table markup first (a table in the
                        # cell): never searched for past the next cell, so one pass in all.
                        close = _next(_ODS_NEXT, content, attrs_m.end(), close)
                        inner = content[attrs_m.end():close.start() if close else len(content)]
                        note = inner.rfind(b"annotation")  # a comment comes first: the text after it
                        if note >= 0:
                            inner = inner[inner.find(b">", note) + 1 or len(inner):]
                        text = unescape(_ODS_MARKUP.sub(b"", inner).decode("utf-8", "replace")).strip()
                        if said or _ODS_ERROR_TEXT.fullmatch(text):
                            errors.add(sheet, row, col, text[:255] or "#N/A", rows_here, cols_here)
            col += cols_here


_ODS_NOTE = re.compile(rb"<office:annotation(?=[\s/>])")
_ODS_NOTE_END = re.compile(rb"</office:annotation\s*>")
_ODS_NOTE_META = re.compile(rb"<dc:(creator|date)\b[^>]*>(.*?)</dc:\1\s*>", re.S)
_ODS_NOTE_SPACING = re.compile(rb"<text:(line-break|tab|s)\b([^<>]*)/>")
_ODS_PARAGRAPH = re.compile(rb"</text:p\s*>")
_ODS_COUNT = re.compile(rb'text:c\s*=\s*["\'](\d{1,4})["\']')


def _ods_note_spans(content: bytes) -> list:
    """(start, after its tag, end) of each note with text (not self-closing, closed before
    the next one starts), in order: one pass over the content, however many there are."""
    starts = []
    for m in _ODS_NOTE.finditer(content):
        attrs_m = _ATTRS.match(content, m.end())
        if attrs_m is not None and not attrs_m.group(2):
            starts.append((m.start(), attrs_m.end()))
    return _spans(starts, [e.start() for e in _ODS_NOTE_END.finditer(content)])


def _ods_spaced(m: re.Match) -> bytes:
    kind = m.group(1)
    if kind == b"line-break":
        return b"\n"
    if kind == b"tab":
        return b"\t"
    count = _ODS_COUNT.search(m.group(2))
    return b" " * min(int(count.group(1)) if count else 1, 1000)


def _ods_note(content: bytes, span: tuple, cell_at: tuple, errors: _CellErrors) -> None:
    """A note on an .ods cell: its paragraphs as lines, its spaces, tabs and line breaks as
    written; the marked copies' own left out."""
    _, after, end = span
    body = content[after:end]
    creator = next((_xml_text(v) for k, v in _ODS_NOTE_META.findall(body) if k == b"creator"), "")
    body = _ODS_PARAGRAPH.sub(b"\n", _ODS_NOTE_SPACING.sub(_ods_spaced, _ODS_NOTE_META.sub(b"", body)))
    text = unescape(_ODS_MARKUP.sub(b"", body).decode("utf-8", "replace")).strip()
    if text and not own_note(creator, text):
        sheet, row, col = cell_at
        errors.notes.add(sheet, cell_ref(row, col), text)


# Where each type of value keeps its result (a string's may be its text instead).
_ODS_RESULT = {b"float": b"office:value", b"percentage": b"office:value", b"currency": b"office:value",
               b"date": b"office:date-value", b"time": b"office:time-value", b"boolean": b"office:boolean-value",
               b"string": b"office:string-value"}


def _ods_has_result(attrs: dict, empty_tag: bool) -> bool:
    """Whether a formula cell carries its result: a value type, and the value that type
    keeps (a string's text may be the cell's content, or an error's)."""
    kind = attrs.get(b"office:value-type") or attrs.get(b"calcext:value-type")
    if kind is None:
        return False
    if kind in (b"string", b"error"):
        return b"office:string-value" in attrs or not empty_tag
    return _ODS_RESULT.get(kind, b"office:value") in attrs


def _repeat(path, sheet, raw) -> int:
    if raw is None:
        return 1
    digits = raw.lstrip(b"0")
    if not raw.isdigit() or not digits:
        raise UnreadableFile(path, "bad_reference", sheet=sheet or "?", ref=_shown(raw))
    return int(digits) if len(digits) <= 12 else 10**12  # beyond any grid either way
