"""What comes back: every input collected, checked and read, each listed with what became of it.

Inputs are files, folders (searched recursively), .eml messages (their spreadsheet
attachments) and .zip archives. Files are read in a process pool; each worker returns
only the extracted data, so memory grows with the report, not with the files.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import io
import os
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import labels
from .errors import HmsxlError
from .read import read_checked
from .schema import DEFAULT
from .safety import (
    MAX_FILE_BYTES, MAX_MEMBERS, MAX_RATIO, MAX_UNPACKED_BYTES, UnreadableFile, check_bytes, read_file_bytes,
)

SPREADSHEET_EXT = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
SPREADSHEET_MIME = ("spreadsheet", "excel", "ms-excel", "officedocument.spreadsheetml")
PARALLEL_MIN = 16
R = labels.REPORT


class NoInputError(HmsxlError):
    exit_code = 2


@dataclass
class Source:
    """One input to read: a file on disk, or bytes from an e-mail or a zip archive."""

    name: str
    path: str | None = None
    data: bytes | None = field(default=None, repr=False)
    sender: str = ""
    sent_at: str = ""


@dataclass
class Skipped:
    name: str
    reason: str


# --------------------------------------------------------------------------- collecting


def collect(paths) -> tuple[list[Source], list[Skipped]]:
    """Expand the given paths into sources to read and inputs skipped (with the reason)."""
    sources: list[Source] = []
    skipped: list[Skipped] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise NoInputError(f"{path}: no such file or folder")
        if path.is_dir():
            # Shown as "<folder>/<path inside it>": the part of the path the advisor knows.
            base = path.resolve().name or str(path)
            for p in sorted(q for q in path.rglob("*") if q.is_file()):
                _collect_file(p, sources, skipped, explicit=False, name=f"{base}/{p.relative_to(path).as_posix()}")
        else:
            _collect_file(path, sources, skipped, explicit=True)
    return sources, skipped


def _collect_file(path: Path, sources, skipped, explicit: bool, name: str | None = None):
    name = name or str(path)
    lower = path.name.lower()
    if lower.startswith(("~$", ".~lock")):
        skipped.append(Skipped(name, R["reason_lock_file"]))
    elif lower.endswith(".eml"):
        try:
            _collect_eml(name, read_file_bytes(path, MAX_FILE_BYTES * 2), sources, skipped)
        except UnreadableFile as exc:
            skipped.append(Skipped(name, exc.reason))
    elif lower.endswith(".zip"):
        try:
            _collect_zip(name, read_file_bytes(path), sources, skipped)
        except UnreadableFile as exc:
            skipped.append(Skipped(name, exc.reason))
    elif lower.endswith(SPREADSHEET_EXT) or explicit:
        sources.append(Source(name, path=str(path)))
    elif not lower.startswith("."):
        skipped.append(Skipped(name, R["reason_not_spreadsheet"]))


def _collect_eml(name: str, data: bytes, sources, skipped, depth: int = 0):
    msg = email.message_from_bytes(data, policy=email.policy.default)
    sender = str(msg.get("From", "") or "")
    sent_at = _mail_date(msg)
    found = 0
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822" and depth < 3:
            for inner in part.iter_parts():  # a forwarded message
                _collect_eml(name, inner.as_bytes(), sources, skipped, depth + 1)
            continue
        filename = part.get_filename() or ""
        ctype = part.get_content_type()
        if not filename.lower().endswith(SPREADSHEET_EXT) and not any(m in ctype for m in SPREADSHEET_MIME):
            continue
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:  # a broken transfer encoding: listed, not fatal
            payload = b""
        found += 1
        sources.append(Source(f"{name} → {filename or 'vedlegg'}", data=payload, sender=sender, sent_at=sent_at))
    if not found and depth == 0:
        skipped.append(Skipped(name, R["reason_no_attachment"]))


def _mail_date(msg) -> str:
    try:
        date = msg.get("Date")
        return date.datetime.astimezone(dt.timezone.utc).isoformat() if date and date.datetime else ""
    except Exception:  # an unparseable Date header is no reason to lose the attachment
        return ""


def _collect_zip(name: str, data: bytes, sources, skipped):
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError):
        raise UnreadableFile(name, "truncated") from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names or "mimetype" in names:  # a workbook named .zip
        sources.append(Source(name, data=data))
        return
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise UnreadableFile(name, "zip_bomb", size=sum(i.file_size for i in infos) // 2**20)
    with z:
        for info in infos:
            if info.is_dir():
                continue
            member = f"{name} → {info.filename}"
            lower = info.filename.lower()
            if lower.rsplit("/", 1)[-1].startswith(("~$", ".~lock", "._")) or "__macosx/" in lower:
                continue
            if lower.endswith(".zip"):
                skipped.append(Skipped(member, R["reason_nested_zip"]))
                continue
            if not lower.endswith(SPREADSHEET_EXT + (".eml",)):
                skipped.append(Skipped(member, R["reason_not_spreadsheet"]))
                continue
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MAX_FILE_BYTES or (info.file_size > 2**20 and ratio > MAX_RATIO):
                skipped.append(Skipped(member, labels.UNREADABLE["zip_bomb"].format(size=info.file_size // 2**20)))
                continue
            try:
                body = z.read(info)
            except Exception:  # zipfile raises several kinds for a damaged member
                skipped.append(Skipped(member, labels.UNREADABLE["truncated"]))
                continue
            if lower.endswith(".eml"):
                _collect_eml(member, body, sources, skipped)
            else:
                sources.append(Source(member, data=body))


# --------------------------------------------------------------------------- reading


@dataclass
class SourceResult:
    index: int
    source: Source
    sha256: str = ""
    size: int = 0
    data: object = None  # WorkbookData
    error_code: str = ""
    error: str = ""


_worker_args: tuple = ()


def _init_worker(config, today, password, schema=DEFAULT):
    global _worker_args
    _worker_args = (config, today, password, schema)


def _read_one(job, args=None) -> SourceResult:
    index, source = job
    config, today, password, schema = args or _worker_args
    result = SourceResult(index, Source(source.name, source.path, None, source.sender, source.sent_at))
    try:
        raw = source.data if source.data is not None else read_file_bytes(source.path)
        result.sha256 = hashlib.sha256(raw).hexdigest()
        result.size = len(raw)
        if len(raw) > MAX_FILE_BYTES:
            raise UnreadableFile(source.name, "too_large", size=len(raw) // 2**20, max=MAX_FILE_BYTES // 2**20)
        if not raw:
            raise UnreadableFile(source.name, "empty")
        checked = check_bytes(source.path or source.name, raw, password)
        result.data = read_checked(checked, config=config, today=today, name=source.name, schema=schema)
    except UnreadableFile as exc:
        result.error_code, result.error = exc.code, exc.reason
    return result


def read_sources(sources, config, today, password=None, workers=None, progress=None, schema=DEFAULT):
    """Read every source, in a process pool when there are many; yields in input order.

    `progress(done, total)` is called after each file.
    """
    jobs = list(enumerate(sources))
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers > 1 and len(jobs) >= PARALLEL_MIN:
        chunk = max(1, min(32, len(jobs) // (workers * 8)))
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(config, today, password, schema)) as pool:
            for done, result in enumerate(pool.map(_read_one, jobs, chunksize=chunk), start=1):
                if progress:
                    progress(done, len(jobs))
                yield result
    else:
        for done, job in enumerate(jobs, start=1):
            result = _read_one(job, (config, today, password, schema))
            if progress:
                progress(done, len(jobs))
            yield result


__all__ = ["NoInputError", "Skipped", "Source", "SourceResult", "collect", "read_sources"]
