"""Checks a returned file before any parser sees it: what it is, and whether it is safe.

Everything here works from sizes the file declares and from a few bytes, so a hostile
file (a zip bomb, an XML entity bomb, a huge sheet) is refused before it costs memory.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .errors import HmsxlError
from .labels import UNREADABLE

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all parts together, as declared in the zip
MAX_PART_BYTES = 60 * 1024 * 1024  # one sheet part; a real HMS workbook's are < 2 MB
MAX_RATIO = 150  # unpacked/packed for parts over 1 MB; XML packs about 10-30x
MAX_MEMBERS = 5000
XML_HEAD = 4096  # bytes of each XML part searched for a DOCTYPE

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")


class UnreadableFile(HmsxlError):
    """A file that cannot be read as a workbook at all; the message is one line."""

    exit_code = 2

    def __init__(self, path, code: str, **params):
        self.path = str(path)
        self.code = code
        self.reason = UNREADABLE[code].format(**params)
        super().__init__(f"{Path(path).name}: {self.reason}")


@dataclass
class Checked:
    """A file that passed the checks: its kind, its bytes (decrypted if need be) and when
    the spreadsheet program last saved it, if the file says (ISO text, else "")."""

    path: Path
    kind: str  # "xlsx", "ods" or "xls"
    data: bytes
    saved_at: str = ""


def check_file(path, password: str | None = None) -> Checked:
    """Read a file's bytes and refuse anything that is not a safe spreadsheet."""
    return check_bytes(path, read_file_bytes(path), password)


def read_file_bytes(path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, refusing what is missing, a folder, empty or too large."""
    path = Path(path)
    if not path.exists():
        raise UnreadableFile(path, "missing")
    if path.is_dir():
        raise UnreadableFile(path, "folder")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(path, "empty")
    if size > limit:
        raise UnreadableFile(path, "too_large", size=size // 2**20, max=limit // 2**20)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(path, "unreadable", detail=exc.strerror or str(exc)) from None


def check_bytes(path, data: bytes, password: str | None = None) -> Checked:
    path = Path(path)
    if data.startswith(OLE_MAGIC):
        if ENCRYPTION_STREAM in data[:MAX_FILE_BYTES]:
            data = _decrypt(path, data, password)
            return check_bytes(path, data)
        if b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" in data:
            raise UnreadableFile(path, "word")
        if b"P\x00o\x00w\x00e\x00r\x00P\x00o\x00i\x00n\x00t" in data:
            raise UnreadableFile(path, "powerpoint")
        return Checked(path, "xls", data)
    if data.startswith(b"%PDF"):
        raise UnreadableFile(path, "pdf")
    if not data.startswith(ZIP_MAGIC):
        raise UnreadableFile(path, "not_spreadsheet")
    kind, saved_at = _check_zip(path, data)
    return Checked(path, kind, data, saved_at)


SAVED_RE = {
    "xlsx": (b"docProps/core.xml", re.compile(rb"<dcterms:modified[^>]*>([^<]{10,40})</dcterms:modified>")),
    "ods": (b"meta.xml", re.compile(rb"<dc:date>([^<]{10,40})</dc:date>")),
}


def _check_zip(path: Path, data: bytes) -> tuple[str, str]:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError, OSError):
        raise UnreadableFile(path, "truncated") from None
    with z:
        names = {i.filename for i in infos}
        if "word/document.xml" in names:
            raise UnreadableFile(path, "word")
        if "ppt/presentation.xml" in names:
            raise UnreadableFile(path, "powerpoint")
        if len(infos) > MAX_MEMBERS:
            raise UnreadableFile(path, "too_many_parts", count=len(infos))
        total = sum(i.file_size for i in infos)
        for i in infos:
            big = i.file_size > MAX_PART_BYTES
            ratio = i.file_size / max(i.compress_size, 1)
            if big or total > MAX_UNPACKED_BYTES or (i.file_size > 2**20 and ratio > MAX_RATIO):
                raise UnreadableFile(path, "zip_bomb", size=max(1, total // 2**20))
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            kind = "xlsx"
        elif "content.xml" in names and _mimetype(z).startswith("application/vnd.oasis.opendocument.spreadsheet"):
            kind = "ods"
        else:
            raise UnreadableFile(path, "not_spreadsheet")
        for i in infos:
            if _parsed(i.filename):
                if i.flag_bits & 1:  # an encrypted zip part
                    raise UnreadableFile(path, "encrypted")
                try:
                    prolog = _prolog(data, i)
                except (zipfile.BadZipFile, zlib.error, ValueError, NotImplementedError):
                    raise UnreadableFile(path, "truncated") from None
                if prolog is None or b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                    raise UnreadableFile(path, "entity_bomb")
        saved_at = ""
        part, pattern = SAVED_RE[kind]
        if part.decode() in names:
            try:
                with z.open(part.decode()) as fh:
                    m = pattern.search(fh.read(XML_HEAD))
                saved_at = m.group(1).decode("ascii", "replace").strip() if m else ""
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
                saved_at = ""
    return kind, saved_at


_ROOT_START = re.compile(rb"<[A-Za-z_]")
_LOCAL_HEADER = struct.Struct("<4s22xHH")


def _prolog(data: bytes, info: zipfile.ZipInfo, limit: int = 65536) -> bytes | None:
    """The bytes of an XML part before its root element, where a DOCTYPE would have to be;
    None if there is no root element within `limit` bytes (no real part is like that).

    Decompressed straight from the archive's bytes, only as far as needed: opening each
    part through zipfile cost more than reading the whole workbook's values.
    """
    magic, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    if magic != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        raise zipfile.BadZipFile("part beyond the end of the file")
    if info.compress_type == zipfile.ZIP_STORED:
        out = data[start:min(end, start + limit)]
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflate = zlib.decompressobj(-15)
        out = b""
        pos = start
        while pos < end and len(out) < limit:
            out += inflate.decompress(data[pos:min(end, pos + 1024)], limit - len(out))
            pos += 1024
            if _ROOT_START.search(out):
                break
    else:
        raise NotImplementedError(f"compression {info.compress_type}")
    m = _ROOT_START.search(out)
    if m is None:
        return None if len(out) >= limit else out
    return out[:m.start()]


def _parsed(name: str) -> bool:
    """XML parts python-calamine parses, which must not declare entities. openpyxl (for
    annotated copies) parses more, but through defusedxml, which refuses them itself."""
    return (name in ("[Content_Types].xml", "xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml",
                     "content.xml", "styles.xml", "meta.xml", "settings.xml")
            or name.endswith(".rels")
            or name.startswith(("xl/worksheets/", "xl/tables/", "docProps/")))


def _mimetype(z: zipfile.ZipFile) -> str:
    try:
        return z.read("mimetype")[:100].decode("ascii", "replace")
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        return ""


def _decrypt(path: Path, data: bytes, password: str | None) -> bytes:
    if not password:
        raise UnreadableFile(path, "encrypted")
    try:
        import msoffcrypto
        from msoffcrypto.exceptions import DecryptionError, InvalidKeyError
    except ImportError:  # pragma: no cover - a dependency
        raise UnreadableFile(path, "encrypted") from None
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    except (InvalidKeyError, DecryptionError):
        raise UnreadableFile(path, "wrong_password") from None
    except Exception as exc:  # msoffcrypto raises plain exceptions for damaged files
        raise UnreadableFile(path, "unreadable", detail=type(exc).__name__) from None
    return out.getvalue()
