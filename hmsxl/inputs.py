"""What comes back: every input collected, checked and read, each listed with what became of it.

Inputs are files, folders (searched recursively), .eml messages (their attachments,
forwarded messages included) and .zip archives, nested up to `MAX_DEPTH` levels. Every
input is accounted for once: the same bytes reached through several forwards, archives
or paths are one input with every place they came from (`Source.places`), and whatever
cannot be read (a pipe, a broken link, a folder without access, an encrypted archive
member) is listed with why. Collecting is bounded too: the members and attachments
listed (`MAX_COLLECTED_MEMBERS`), the parts of one e-mail (`MAX_MAIL_PARTS`), what the
archives and e-mails inside each other hold at once (`MAX_NESTED_BYTES`); a link to a
folder inside a folder is listed, not followed.

Each file is parsed in a worker process with a memory and a time limit, so a file that
crashes the native reader, needs gigabytes or never finishes costs only itself: it is
listed as not readable with the reason, and the run goes on. The pool (pebble) replaces
a worker that dies; files are sent in small batches, and a batch that fails is read
again one file at a time to find the culprit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.message
import email.parser
import email.policy
import errno
import hashlib
import importlib
import io
import itertools
import os
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import labels
from .errors import HmsxlError
from .safety import (MAX_FILE_BYTES, MAX_MEMBERS, MAX_UNPACKED_BYTES, OLE_MAGIC, ZIP_MAGIC, UnreadableFile,
                     check_bytes, read_file_bytes, zip_entries_at_most)
from .schema import Schema

SPREADSHEET_EXT = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
SPREADSHEET_MIME = ("spreadsheet", "excel", "ms-excel", "officedocument.spreadsheetml")
ZIP_MIME = ("application/zip", "application/x-zip", "application/x-zip-compressed")
MAX_DEPTH = 16  # e-mails and archives inside each other; a forward as attachment is one level
MAX_COLLECTED_BYTES = 1024 * 2**20  # all attachments and archive members together
MAX_COLLECTED_MEMBERS = 50_000  # attachments and archive members listed, read or not
# What the archives and e-mails inside each other hold at once: each stays in memory while
# what is inside it is unpacked (an e-mail counts twice: its bytes and the parsed message).
MAX_NESTED_BYTES = 256 * 2**20
MAX_MAIL_PARTS = 1000  # parts of one e-mail, forwarded messages in it included; a reply has a handful
# Characters of a header read from an e-mail (From, Date, Content-Type, Content-Disposition),
# and the quotes, brackets and other marks in them parsed: no mail program writes more, and
# the e-mail package parses a header in time and memory that grow with the square of its
# marks (a From of 16,000 encoded words took 3.5 GB; 8,000 quotes, a quarter of a second
# each time a part's type was asked for). A header past them is read as plain text.
MAX_HEADER_CHARS = 1024
MAX_HEADER_MARKS = 100
_HEADER_MARKS = re.compile(r'["(),<>;:@\[\]\\=?]')
# The e-mail package keeps each line of a message as an object of its own, some sixty
# bytes: a mail of short lines («X:a» a million times) costs fifty times its size. A
# mail's lines are at most one for every MIN_MAIL_LINE bytes (base64 lines are 77).
MIN_MAIL_LINE = 40
MAIL_LINES_ANYWAY = 100_000
# Header lines cost the most (some 330 bytes each): a mail has at most this many, its
# parts' together (a thousand parts of a few each, and the routing of the message).
MAX_MAIL_HEADERS = 20_000
TNEF_MIME = ("application/ms-tnef", "application/vnd.ms-tnef")
# The text a file's result may carry to the process that gathers them: a few cells can
# point at one long shared text, and 95 KB gave 310 million characters. A filled workbook
# carries far less than this many characters for each byte it takes on disk.
TEXT_PER_BYTE = 50
MIN_TEXT_CHARS = 8_000_000  # whatever the file's size
MAX_RUN_TEXT_CHARS = 256_000_000  # all the files of a run together
R = labels.section("REPORT")


class NoInputError(HmsxlError):
    exit_code = 2


@dataclass
class Source:
    """One input to read: a file on disk, or bytes from an e-mail or a zip archive.
    `places` are the other places the same bytes came from."""

    name: str
    path: str | None = None
    data: bytes | None = field(default=None, repr=False)
    sender: str = ""
    sent_at: str = ""
    places: list[str] = field(default_factory=list)


@dataclass
class Skipped:
    """An input that is not read: `unreadable` when it could not be (a broken link, a
    folder without access, a damaged archive), not when it is no spreadsheet at all."""

    name: str
    reason: str
    unreadable: bool = False


def own_name(source_name: str) -> str:
    """The file's own name, as the leader gave it: without the folders it was found in or
    the mails and archives it came in («svar/mai.eml → Handlingsplan.xlsx»)."""
    return Path(str(source_name).split(" → ")[-1]).name


def display_name(path) -> str:
    """A path as a person can read it, on one line, in any report: bytes that are not
    UTF-8 are shown as \\xNN, control characters as their escapes."""
    raw = os.fsencode(path) if not isinstance(path, bytes) else path
    text = raw.decode("utf-8", "backslashreplace")
    return safe_text(text)


def safe_text(text: str) -> str:
    """Text from a file name, an archive or a mail header, on one line and encodable."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if any(shown_escaped(ch) for ch in text):
        text = "".join(repr(ch)[1:-1] if shown_escaped(ch) else ch for ch in text)
    return text


def shown_escaped(ch: str) -> bool:
    """Whether a character of a name is shown as its escape: C0 and C1 control characters,
    which a terminal acts on instead of showing them, and the marks that turn the direction
    of text, which make a name read otherwise than it is (U+202E)."""
    n = ord(ch)
    return n < 32 or 127 <= n < 160 or n in _BIDI


_BIDI = frozenset((0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)))


# --------------------------------------------------------------------------- collecting


class _Collection:
    """Sources and skipped inputs as they are found; same bytes kept once."""

    def __init__(self, password: str | None):
        self.password = password
        self.sources: list[Source] = []
        self.skipped: list[Skipped] = []
        self.by_hash: dict[str, Source] = {}
        self.bytes = 0
        self.held = 0  # bytes of the archives and e-mails being unpacked right now
        self.members = 0
        self.found = 0  # attachments and members seen, read or not
        self.paths: set[str] = set()  # the files on disk met so far: one given twice is one input

    def first_time(self, path: Path) -> bool:
        where = os.path.abspath(path)  # (a link is a place of its own: listed with the file it shows)
        if where in self.paths:
            return False
        self.paths.add(where)
        return True

    def add_path(self, name: str, path: Path):
        self.found += 1
        self.sources.append(Source(name, path=str(path)))

    def add_data(self, name: str, data: bytes, sender: str = "", sent_at: str = ""):
        self.found += 1
        digest = hashlib.sha256(data).hexdigest()
        seen = self.by_hash.get(digest)
        if seen is not None:
            seen.places.append(name)
            return
        self.bytes += len(data)
        source = Source(name, data=data, sender=sender, sent_at=sent_at)
        self.by_hash[digest] = source
        self.sources.append(source)

    def skip(self, name: str, reason: str, unreadable: bool = False):
        self.found += 1
        self.skipped.append(Skipped(name, reason, unreadable))

    def unreadable(self, name: str, exc: UnreadableFile):
        self.skip(name, exc.reason, unreadable=True)

    @contextlib.contextmanager
    def holding(self, size: int):
        """While an archive or e-mail is unpacked, what it holds (`size` bytes) counts."""
        self.held += size
        try:
            yield
        finally:
            self.held -= size


def collect(paths, password: str | None = None, missing_ok: bool = False) -> tuple[list[Source], list[Skipped]]:
    """Expand the given paths into sources to read and inputs skipped (with the reason).

    A path that does not exist raises `NoInputError` (the call is wrong), unless
    `missing_ok`, when it (and a folder with nothing in it) is listed as unreadable like
    any other file.
    """
    ctx = _Collection(password)
    for raw in paths:
        path = Path(raw)
        name = display_name(raw)
        try:
            st = path.stat()
        except FileNotFoundError:
            if path.is_symlink():
                ctx.unreadable(name, UnreadableFile(name, "broken_link"))
                continue
            if missing_ok:
                ctx.unreadable(name, UnreadableFile(name, "missing"))
                continue
            raise NoInputError(labels.ERRORS["no_input"].format(path=name)) from None
        except OSError as exc:
            ctx.unreadable(name, _stat_error(name, exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            # Shown as "<folder>/<path inside it>": the part of the path the advisor knows.
            base = display_name(path.resolve().name) or name
            before = ctx.found
            _walk(path, base, ctx)
            if missing_ok and ctx.found == before:
                ctx.unreadable(name, UnreadableFile(name, "empty_folder"))
        elif stat.S_ISREG(st.st_mode):
            _collect_file(path, name, ctx, explicit=True)
        else:
            ctx.unreadable(name, UnreadableFile(name, "not_regular", what=_special(st.st_mode)))
    return ctx.sources, ctx.skipped


def input_files(paths) -> list[Path]:
    """Every file on disk that `collect` would read from `paths`: what must never be
    written. Looks only at folder entries, never at a file's content."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(p for _, p, _ in _entries(path, "") if p is not None)
        elif path.exists() or path.is_symlink():
            found.append(path)
    return found


class OutputIsInputError(HmsxlError):
    """An output path that is, or would replace, one of the inputs."""

    exit_code = 2


def refuse_outputs_over_inputs(paths, files=(), folders=()):
    """Refuse, before anything is read, an output file that is an input (the same path,
    a link to it, or a hard link), or an output folder that is or holds an input."""
    inputs = input_files(paths)
    by_real = {}
    by_id = {}
    for p in inputs:
        by_real[os.path.realpath(p)] = p
        try:
            st = p.stat()
            by_id[(st.st_dev, st.st_ino)] = p
        except OSError:
            pass

    def same(out: Path):
        hit = by_real.get(os.path.realpath(out))
        if hit is None:
            try:
                st = out.stat()
                hit = by_id.get((st.st_dev, st.st_ino))
            except OSError:
                pass
        return hit

    for out in files:
        hit = same(Path(out))
        if hit is not None:
            raise OutputIsInputError(labels.ERRORS["output_is_input"].format(output=display_name(out),
                                                                             input=display_name(hit)))
    for out in folders:
        hit = same(Path(out))
        real = os.path.realpath(out)
        inside = next((p for r, p in by_real.items() if r.startswith(real.rstrip(os.sep) + os.sep)), None)
        if hit is not None or inside is not None:
            raise OutputIsInputError(labels.ERRORS["output_holds_input"].format(output=display_name(out),
                                                                                input=display_name(hit or inside)))


def refuse_writing_over_unit(target, unit) -> None:
    """Refuse an output that is the unit's own unit.toml (or a link to it)."""
    source = Path(unit.source) if unit is not None and unit.source else None
    if source is not None and source.is_file():
        refuse_outputs_over_inputs([source], files=[target])


def _special(mode: int) -> str:
    from .safety import special_kind

    return special_kind(mode)


def _stat_error(name: str, exc: OSError) -> UnreadableFile:
    if exc.errno == errno.ELOOP:
        return UnreadableFile(name, "link_loop")
    return UnreadableFile(name, "unreadable", detail=exc.strerror or str(exc))


def _walk(root: Path, base: str, ctx: _Collection):
    for rel, path, error in _entries(root, base):
        name = "/".join((base,) + rel)
        if isinstance(error, UnreadableFile):
            ctx.unreadable(name, error)
        elif error is not None:
            ctx.skip(name, error)
        else:
            _collect_file(path, name, ctx, explicit=False)


def _entries(root: Path, base: str) -> list[tuple[tuple, Path | None, UnreadableFile | str | None]]:
    """Every entry under `root`, in path order: (relative parts, regular file, or why not:
    why it cannot be read, or the reason it is skipped). Links to files are followed;
    links to folders are listed, not followed: they may lead anywhere (a system folder,
    back up the tree). Each folder is walked once."""
    entries: list[tuple[tuple, Path | None, UnreadableFile | str | None]] = []
    seen = set()
    try:
        st = root.stat()
        seen.add((st.st_dev, st.st_ino))
    except OSError:
        pass
    stack: list[tuple[Path, tuple]] = [(root, ())]
    while stack:
        folder, rel = stack.pop()
        try:
            with os.scandir(folder) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            name = "/".join((base,) + rel)
            entries.append((rel, None, UnreadableFile(name, "folder_unreadable", detail=exc.strerror or str(exc))))
            continue
        for entry in children:
            here = rel + (display_name(entry.name),)
            path = Path(entry.path)
            name = "/".join((base,) + here)
            try:
                st = path.stat()  # follows links
                link = entry.is_symlink()
            except FileNotFoundError:
                entries.append((here, None, UnreadableFile(name, "broken_link")))
                continue
            except OSError as exc:
                entries.append((here, None, _stat_error(name, exc)))
                continue
            if stat.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if link:
                    entries.append((here, None, R["reason_folder_link"]))
                elif key in seen:
                    entries.append((here, None, UnreadableFile(name, "link_loop")))
                else:
                    seen.add(key)
                    stack.append((path, here))
            elif stat.S_ISREG(st.st_mode):
                entries.append((here, path, None))
            else:
                entries.append((here, None, UnreadableFile(name, "not_regular", what=_special(st.st_mode))))
    return sorted(entries, key=lambda e: e[0])


def _collect_file(path: Path, name: str, ctx: _Collection, explicit: bool):
    if not ctx.first_time(path):  # a folder and a file in it both given, or a folder twice
        return
    lower = path.name.lower()
    if lower.startswith(("~$", ".~lock")):
        ctx.skip(name, R["reason_lock_file"])
    elif lower.startswith("._"):  # what macOS leaves beside a file on a shared drive
        ctx.skip(name, R["reason_mac_metadata"])
    elif lower.endswith(".msg"):
        ctx.skip(name, R["reason_outlook_msg"])
    elif lower.endswith(".eml"):
        try:
            _collect_message(name, read_file_bytes(path, MAX_FILE_BYTES * 2), ctx, depth=1)
        except UnreadableFile as exc:
            ctx.unreadable(name, exc)
    elif lower.endswith(".zip"):
        try:
            _collect_archive(name, read_file_bytes(path), ctx, depth=1)
        except UnreadableFile as exc:
            ctx.unreadable(name, exc)
    elif lower.endswith(SPREADSHEET_EXT) or explicit or _spreadsheet_file(path):
        ctx.add_path(name, path)
    elif not lower.startswith("."):
        ctx.skip(name, R["reason_not_spreadsheet"])


def _spreadsheet_file(path: Path) -> bool:
    """Whether a file whose name does not say so is a workbook all the same (saved without
    its extension, as a template, with a download's «.part»): by its content."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            if not head.startswith((ZIP_MAGIC, OLE_MAGIC)) or os.fstat(fh.fileno()).st_size > MAX_FILE_BYTES:
                return False
            fh.seek(0)
            return _spreadsheet_bytes(fh.read(MAX_FILE_BYTES))
    except OSError:
        return False


def _spreadsheet_bytes(data: bytes) -> bool:
    """A workbook's bytes: a zip with a workbook part or a spreadsheet's mimetype, or an OLE
    file with a workbook stream (not a text document of either kind)."""
    if data.startswith(OLE_MAGIC):
        import olefile

        try:
            with olefile.OleFileIO(data) as ole:  # a password-protected workbook is an encrypted package
                return ole.exists("Workbook") or ole.exists("Book") or ole.exists("EncryptedPackage")
        except Exception:  # olefile raises several kinds for damaged containers
            return False
    if not data.startswith(ZIP_MAGIC) or zip_entries_at_most(data) > MAX_MEMBERS:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if names & {"xl/workbook.xml", "xl/workbook.bin"}:
                return True
            info = z.getinfo("mimetype") if "mimetype" in names else None
            return info is not None and info.file_size < 100 and b"spreadsheet" in z.read(info)
    except Exception:  # zipfile raises several kinds for damaged archives
        return False


def _too_deep(name: str, depth: int, ctx: _Collection) -> bool:
    if depth > MAX_DEPTH:
        ctx.skip(name, R["reason_too_deep"].format(max=MAX_DEPTH), unreadable=True)
        return True
    return False


def _too_big(name: str, size: int, ctx: _Collection) -> bool:
    """An archive or e-mail that would make those being unpacked hold too much at once."""
    if ctx.held + size > MAX_NESTED_BYTES:
        ctx.skip(name, R["reason_nested_too_large"].format(max=MAX_NESTED_BYTES // 2**20), unreadable=True)
        return True
    return False


class _MailPolicy(email.policy.EmailPolicy):
    """The standard policy, except that a header its parser fails on (it raises on some
    odd ones, such as `From: "`) is plain text: the message's own methods read what they
    can from it (a content type, a file name), and the rest counts as absent. A header is
    read to its first `MAX_HEADER_CHARS`."""

    headers = None  # [count]: the headers parsed so far of the message being parsed

    def header_source_parse(self, sourcelines):
        if self.headers is not None:
            self.headers[0] += 1
            if self.headers[0] > MAX_MAIL_HEADERS:
                raise _TooManyHeaders
        return super().header_source_parse(sourcelines)

    def header_fetch_parse(self, name, value):
        value = value[:MAX_HEADER_CHARS]  # what a reader needs is at its start
        if len(_HEADER_MARKS.findall(value)) > MAX_HEADER_MARKS:
            return "".join(value.splitlines())
        try:
            return super().header_fetch_parse(name, value)
        except Exception:  # the header parser raises several kinds
            return "".join(value.splitlines())


MAIL_POLICY = _MailPolicy()


class _TooManyParts(Exception):
    pass


class _TooManyHeaders(Exception):
    pass


def _parse_message(data: bytes) -> email.message.EmailMessage:
    """The message, parsed with `MAIL_POLICY`; stops once it has more than
    `MAX_MAIL_PARTS` parts, before they cost more time and memory."""
    parts = 0

    def part(policy):
        nonlocal parts
        parts += 1
        if parts > MAX_MAIL_PARTS + 1:  # the parser makes one more, to try the factory
            raise _TooManyParts
        return email.message.EmailMessage(policy=policy)

    # Fed a slice at a time: parsing it whole would first make it a str, and then a
    # buffer of four bytes a character.
    parser = email.parser.BytesFeedParser(_factory=part, policy=MAIL_POLICY.clone(headers=[0]))
    for start in range(0, len(data), 2**16):
        parser.feed(data[start:start + 2**16])
    return parser.close()


def _collect_message(name: str, data: bytes, ctx: _Collection, depth: int):
    size = 2 * len(data)  # its bytes, and the parsed message (whose parts are text)
    if _too_deep(name, depth, ctx) or _too_big(name, size, ctx):
        return
    lines = max(data.count(b"\n"), data.count(b"\r"))
    if lines > max(MAIL_LINES_ANYWAY, len(data) // MIN_MAIL_LINE):
        ctx.unreadable(name, UnreadableFile(name, "mail_lines", lines=lines))
        return
    before = ctx.found
    with ctx.holding(size):
        try:
            _collect_mime(name, _parse_message(data), ctx, depth)
        except _TooManyParts:
            ctx.unreadable(name, UnreadableFile(name, "mail_parts", max=MAX_MAIL_PARTS))
            return
        except _TooManyHeaders:
            ctx.unreadable(name, UnreadableFile(name, "mail_headers", max=MAX_MAIL_HEADERS))
            return
        except RecursionError:
            ctx.skip(name, R["reason_too_deep"].format(max=MAX_DEPTH), unreadable=True)
            return
        except Exception as exc:  # the e-mail package may fail in ways no policy catches: this message only
            ctx.unreadable(name, UnreadableFile(name, "mail_damaged", detail=type(exc).__name__))
            return
    if ctx.found == before:
        ctx.skip(name, R["reason_no_attachment"])


def _collect_mime(name: str, msg, ctx: _Collection, depth: int):
    """A message's attachments, without walking into forwarded messages (each of those
    is its own level, so an attachment is found once per place it really is)."""
    sender = safe_text(str(msg.get("From", "") or ""))
    sent_at = _mail_date(msg)
    stack = [msg]
    while stack:
        part = stack.pop(0)
        ctype = part.get_content_type()
        filename = safe_text(part.get_filename() or "") if part is not msg else ""
        if part is not msg and ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            label = filename or R["forwarded"]
            if not _too_deep(f"{name} → {label}", depth + 1, ctx) and hasattr(inner, "get_content_type"):
                _collect_mime(f"{name} → {label}", inner, ctx, depth + 1)
            continue
        if part.is_multipart():
            stack[:0] = [p for p in part.get_payload() if hasattr(p, "get_content_type")]
            continue
        if part is msg:
            continue
        attached = filename or part.get_content_disposition() == "attachment"
        if not attached:
            continue  # the message text, inline pictures without a name
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:  # a broken transfer encoding: listed, not fatal
            payload = b""
        member = f"{name} → {filename or R['attachment']}"
        ctx.members += 1
        _collect_attachment(member, filename, ctype, payload, ctx, depth, sender, sent_at)


def _collect_attachment(name, filename, ctype, payload: bytes, ctx: _Collection, depth, sender="", sent_at=""):
    """An attachment or archive member (counted in `ctx.members` by the caller), by its
    name, its declared type and its bytes."""
    lower = filename.lower()
    if ctx.members > MAX_COLLECTED_MEMBERS or ctx.bytes + ctx.held + len(payload) > MAX_COLLECTED_BYTES:
        ctx.skip(name, R["reason_too_much"], unreadable=True)
        return
    if ctype in TNEF_MIME or lower == "winmail.dat":
        ctx.unreadable(name, UnreadableFile(name, "winmail"))
    elif lower.endswith(".eml") or ctype == "message/rfc822":
        _collect_message(name, payload, ctx, depth + 1)
    elif lower.endswith(SPREADSHEET_EXT) or any(m in ctype for m in SPREADSHEET_MIME):
        ctx.add_data(name, payload, sender, sent_at)
    elif payload.startswith(ZIP_MAGIC) and (lower.endswith(".zip") or ctype in ZIP_MIME or _workbook_zip(payload)
                                               or not lower or ctype == "application/octet-stream"):
        if _workbook_zip(payload):  # a workbook, whatever it is called
            ctx.add_data(name, payload, sender, sent_at)
        else:
            try:
                _collect_archive(name, payload, ctx, depth + 1, sender, sent_at)
            except UnreadableFile as exc:
                ctx.unreadable(name, exc)
    elif payload.startswith(OLE_MAGIC) and (not lower or ctype == "application/octet-stream"):
        ctx.add_data(name, payload, sender, sent_at)  # xls, or a Word file the check names
    elif lower.endswith(".zip") or ctype in ZIP_MIME:
        ctx.unreadable(name, UnreadableFile(name, "truncated"))
    else:
        ctx.skip(name, R["reason_not_spreadsheet"])


def _workbook_zip(data: bytes) -> bool:
    if zip_entries_at_most(data) > MAX_MEMBERS:
        return False  # no workbook; not worth reading its directory to know
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except Exception:  # zipfile raises several kinds for damaged archives
        return False
    return bool(names & {"xl/workbook.xml", "xl/workbook.bin", "mimetype", "content.xml"})


def _mail_date(msg) -> str:
    try:
        date = msg.get("Date")
        return date.datetime.astimezone(dt.timezone.utc).isoformat() if date and date.datetime else ""
    except Exception:  # an unparseable Date header is no reason to lose the attachment
        return ""


def _collect_archive(name: str, data: bytes, ctx: _Collection, depth: int, sender: str = "", sent_at: str = ""):
    if _too_deep(name, depth, ctx) or _too_big(name, len(data), ctx):
        return
    with ctx.holding(len(data)):
        _collect_members(name, data, ctx, depth, sender, sent_at)


def _collect_members(name: str, data: bytes, ctx: _Collection, depth: int, sender: str, sent_at: str):
    """An archive's members. Every member counts in `ctx.members`, read or not: past
    `MAX_COLLECTED_MEMBERS`, the rest of the archive is one entry."""
    entries = zip_entries_at_most(data)
    if entries > MAX_MEMBERS:  # refused before zipfile reads them all
        raise UnreadableFile(name, "archive_too_many", count=entries, max=MAX_MEMBERS)
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError, OSError):
        raise UnreadableFile(name, "truncated") from None
    names = {i.filename for i in infos}
    if names & {"xl/workbook.xml", "xl/workbook.bin", "mimetype"}:  # a workbook named .zip
        ctx.add_data(name, data, sender, sent_at)
        return
    if len(infos) > MAX_MEMBERS:
        raise UnreadableFile(name, "archive_too_many", count=len(infos), max=MAX_MEMBERS)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise UnreadableFile(name, "zip_bomb", size=total // 2**20)
    files = [i for i in infos if not i.is_dir()]
    with z:
        for n, info in enumerate(files):
            if ctx.members >= MAX_COLLECTED_MEMBERS:
                ctx.skip(f"{name} → …", R["reason_rest_not_read"].format(count=len(files) - n, total=len(files),
                                                                         max=MAX_COLLECTED_MEMBERS), unreadable=True)
                break
            ctx.members += 1
            member_name = safe_text(info.filename)
            member = f"{name} → {member_name}"
            lower = member_name.lower()
            base = lower.rsplit("/", 1)[-1]
            # Listed as skipped, with why, as the same files on disk are.
            if base.startswith(("~$", ".~lock")):
                ctx.skip(member, R["reason_lock_file"])
                continue
            if base.startswith("._") or "__macosx/" in lower:
                ctx.skip(member, R["reason_mac_metadata"])
                continue
            named = lower.endswith(SPREADSHEET_EXT + (".eml", ".zip"))
            if not named and not _spreadsheet_member(z, info):
                ctx.skip(member, R["reason_not_spreadsheet"])
                continue
            limit = MAX_FILE_BYTES * (2 if lower.endswith((".eml", ".zip")) else 1)
            try:
                body = _read_member(z, data, info, member, limit, ctx.password)
            except UnreadableFile as exc:
                ctx.unreadable(member, exc)
                continue
            if named:
                _collect_attachment(member, member_name, "", body, ctx, depth, sender, sent_at)
            elif _spreadsheet_bytes(body):  # a workbook under another name
                ctx.add_data(member, body, sender, sent_at)
            else:
                ctx.skip(member, R["reason_not_spreadsheet"])


def _spreadsheet_member(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a member whose name does not say so starts as a workbook does (a zip or an
    OLE file): its first bytes only, so that an archive of photos is not inflated to know.
    The rest is known when it is read, as an attachment's is."""
    if info.flag_bits & 1 or not 0 < info.file_size <= MAX_FILE_BYTES:
        return False
    try:
        with z.open(info) as fh:
            return fh.read(8).startswith((ZIP_MAGIC, OLE_MAGIC))
    except Exception:  # zipfile raises several kinds for a damaged member
        return False


def _read_member(z: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, name: str, limit: int, password) -> bytes:
    """An archive member's bytes, never inflating past what it declares."""
    if info.file_size > limit:
        raise UnreadableFile(name, "too_large", size=info.file_size // 2**20, max=limit // 2**20)
    if info.file_size == 0:
        raise UnreadableFile(name, "empty")
    if info.flag_bits & 1:
        return _read_encrypted_member(z, info, name, password)
    from .safety import inflate

    # Straight from the archive's bytes, never past the size the member declares.
    return inflate(name, data, info, limit)


def _read_encrypted_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, password) -> bytes:
    if not password:
        raise UnreadableFile(name, "zip_encrypted")
    try:
        with z.open(info, pwd=password.encode("utf-8")) as fh:
            body = fh.read(info.file_size + 1)
    except RuntimeError as exc:  # zipfile: "Bad password for file"
        if "password" in str(exc).lower():
            raise UnreadableFile(name, "zip_wrong_password") from None
        raise UnreadableFile(name, "zip_encrypted") from None
    except NotImplementedError:
        raise UnreadableFile(name, "compression", method=info.compress_type) from None
    except Exception:  # zipfile raises several kinds for a damaged member
        raise UnreadableFile(name, "truncated") from None
    if len(body) != info.file_size:
        raise UnreadableFile(name, "size_lie", part=safe_text(info.filename), declared=info.file_size)
    return body


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ReadLimits:
    """What one file may cost a worker: memory it may add (MB) and time (seconds)."""

    memory_mb: int = 1024
    seconds: float = 120.0


@dataclass
class SourceResult:
    index: int
    source: Source
    sha256: str = ""
    size: int = 0
    data: object = None  # WorkbookData
    error_code: str = ""
    error: str = ""
    annotated: bytes | None = field(default=None, repr=False)  # an annotated copy, when asked
    annotated_note: tuple = ()  # what the copy is, or why there is none (as `labels.Msg`s)
    text_chars: int = 0  # the characters of text in `data`


_worker: dict = {}


def _init_worker(config, today, password, limits, annotate, schema, tabulate, language, stderr_dir):
    _worker.update(config=config, today=today, password=password, limits=limits, annotate=annotate, schema=schema,
                   tabulate=tabulate)
    labels.set_language(language)  # the caller's: what the rows and reasons are made in
    if stderr_dir:
        # The native reader writes its own panic and abort messages to stderr; they are
        # turned into a reason, never shown as they are.
        fd = os.open(os.path.join(stderr_dir, f"{os.getpid()}.err"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 2)
        os.close(fd)


def _limit_memory(megabytes: int):
    """Let this process grow by `megabytes` from now: past it, allocation fails."""
    try:
        import resource

        with open("/proc/self/statm") as fh:
            size = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = size + megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (OSError, ValueError, ImportError):  # not Linux: the time limit still holds
        pass


def _read_batch(jobs) -> list[SourceResult]:
    return [_read_one(job) for job in jobs]


def _read_one(job) -> SourceResult:
    from .read import read_checked

    index, source = job
    s = _worker
    result = SourceResult(index, Source(source.name, source.path, None, source.sender, source.sent_at,
                                        list(source.places)))
    limits = s.get("limits") or ReadLimits()
    _limit_memory(limits.memory_mb)
    try:
        raw = source.data if source.data is not None else read_file_bytes(source.path)
        result.sha256 = hashlib.sha256(raw).hexdigest()
        result.size = len(raw)
        checked = check_bytes(source.path or source.name, raw, s["password"])
        del raw
        result.data = read_checked(checked, config=s["config"], today=s["today"], name=source.name,
                                   schema=s.get("schema"))
        if s.get("annotate") and result.data.problems:
            from .validate import annotated_copy

            try:
                result.annotated, result.annotated_note = annotated_copy(result.data, checked, s["password"])
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - the file was read: no copy, its result stands
                result.annotated_note = (labels.msg("annotated", "failed", detail=_first_line(exc)),)
        if s.get("tabulate") is not None:
            # For a consolidation: the report's rows cross to the main process, not the records.
            result.data.rows = s["tabulate"].rows(result.data, source.name)
            result.data.tables, result.data.errors_left_out = {}, []
        result.text_chars = _text_chars(result.data)
        most = max(MIN_TEXT_CHARS, TEXT_PER_BYTE * result.size)
        if result.text_chars > most:
            raise UnreadableFile(source.name, "too_much_text", chars=result.text_chars // 10**6 or 1,
                                 max=most // 10**6)
    except UnreadableFile as exc:
        result.data = None
        result.error_code, result.error = exc.code, exc.reason
    except MemoryError:
        result.data = None
        result.error_code = "reader_memory"
        result.error = labels.msg("unreadable", "reader_memory", max=limits.memory_mb)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - the native reader's panics derive from BaseException
        result.data = None
        result.error_code = "unreadable"
        result.error = labels.msg("unreadable", "unreadable", detail=_first_line(exc))
    return result


def _text_chars(data) -> int:
    """How many characters of text a file's result holds: its rows or records, and its problems."""
    count = sum(len(p.value) + len(p.field) for p in data.problems)
    for rows in (data.rows or {}).values():  # tuples of cells: counted in C
        count += sum(map(len, filter(str.__instancecheck__, itertools.chain.from_iterable(rows))))
    todo = [data.tables]
    while todo:
        item = todo.pop()
        for value in item.values() if isinstance(item, dict) else item:
            if value.__class__ is str:
                count += len(value)
            elif isinstance(value, (dict, list, tuple)):
                todo.append(value)
    return count


def _first_line(exc) -> str:
    text = str(exc).strip()
    text = text.splitlines()[0] if text else type(exc).__name__
    return safe_text(text)[:120]


def read_sources(sources, config, today, password=None, workers=None, progress=None,
                 limits: ReadLimits | None = None, annotate: bool = False, schema: Schema | None = None,
                 tabulate=None, meanwhile=None, language: str | None = None):
    """Read every source in worker processes; yields results in input order.

    The same bytes (by SHA-256) are one input: a later copy is not yielded, its name is
    added to the first one's `source.places` (so `places` is complete once the
    iteration ends). `progress(done, total)` is called after each file.
    """
    jobs = list(enumerate(sources))
    if not jobs:
        return
    limits = limits or ReadLimits()
    workers = max(1, min(workers if workers is not None else (os.cpu_count() or 1), len(jobs)))
    first_by_hash: dict[str, SourceResult] = {}
    done = carried = 0
    language = language or labels.current().language
    for result in _pooled(jobs, (config, today, password, limits, annotate, schema, tabulate, language), workers,
                          limits, meanwhile):
        done += 1
        if progress:
            progress(done, len(jobs))
        first = first_by_hash.get(result.sha256) if result.sha256 else None
        if first is not None:
            first.source.places.extend([result.source.name, *result.source.places])
            continue
        if result.sha256:
            first_by_hash[result.sha256] = result
        carried += result.text_chars if result.data is not None else 0
        if carried > MAX_RUN_TEXT_CHARS and result.data is not None:  # held no longer: listed, why
            result.data, result.text_chars = None, 0
            result.error_code = "run_too_much_text"
            result.error = labels.msg("unreadable", "run_too_much_text", max=MAX_RUN_TEXT_CHARS // 10**6)
        yield result


def _pooled(jobs, settings, workers: int, limits: ReadLimits, meanwhile=None):
    """Results in job order from a crash-tolerant pool: batches first; a batch of several
    files whose worker died or ran out of time is read again one file at a time. `meanwhile()` is
    called once the work is handed out, while the workers read."""
    from concurrent.futures import TimeoutError as FutureTimeout

    from pebble import ProcessExpired, ProcessPool

    # Once here, not in every worker: the reader's modules, and the catalogs (a workbook in
    # any language is recognised by its sheet names in all of them).
    importlib.import_module(f"{__package__}.read")
    labels.all_catalogs()

    batch = max(1, min(16, len(jobs) // (workers * 8)))
    with tempfile.TemporaryDirectory(prefix="hmsxl-") as stderr_dir:
        pool = ProcessPool(max_workers=workers, initializer=_init_worker, initargs=(*settings, stderr_dir))
        try:
            chunks = [jobs[i:i + batch] for i in range(0, len(jobs), batch)]
            futures = [pool.schedule(_read_batch, args=(chunk,), timeout=limits.seconds) for chunk in chunks]
            if meanwhile is not None:
                meanwhile()
            for chunk, future in zip(chunks, futures):
                try:
                    yield from future.result()
                    continue
                except FutureTimeout:
                    if len(chunk) == 1:  # read alone already: a second time would end the same way
                        yield _failed(chunk[0], "reader_timeout", max=int(limits.seconds))
                        continue
                except ProcessExpired as exc:
                    if len(chunk) == 1:
                        yield _died(chunk[0], exc, stderr_dir, limits)
                        continue
                singles = [pool.schedule(_read_one, args=(job,), timeout=limits.seconds) for job in chunk]
                for job, single in zip(chunk, singles):
                    try:
                        yield single.result()
                    except FutureTimeout:
                        yield _failed(job, "reader_timeout", max=int(limits.seconds))
                    except ProcessExpired as exc:
                        yield _died(job, exc, stderr_dir, limits)
            pool.close()
        except BaseException:
            pool.stop()
            raise
        finally:
            pool.join()


def _failed(job, code: str, **params) -> SourceResult:
    index, source = job
    result = SourceResult(index, Source(source.name, source.path, None, source.sender, source.sent_at,
                                        list(source.places)))
    result.error_code, result.error = code, labels.msg("unreadable", code, **params)
    if source.data is not None:
        result.sha256, result.size = hashlib.sha256(source.data).hexdigest(), len(source.data)
    return result


def _died(job, exc, stderr_dir: str, limits: ReadLimits) -> SourceResult:
    """A worker that died while reading this file alone: out of memory, or a crash."""
    said = b""
    if getattr(exc, "pid", None):
        try:
            with open(os.path.join(stderr_dir, f"{exc.pid}.err"), "rb") as fh:
                said = fh.read()[-4096:]
        except OSError:
            pass
    if b"memory allocation" in said or b"MemoryError" in said:
        return _failed(job, "reader_memory", max=limits.memory_mb)
    code = getattr(exc, "exitcode", None)
    detail = labels.UNREADABLE_DETAIL["signal"].format(n=-code) if isinstance(code, int) and code < 0 else \
        labels.UNREADABLE_DETAIL["exit"].format(n=code)
    return _failed(job, "reader_crashed", detail=detail)


__all__ = ["NoInputError", "OutputIsInputError", "ReadLimits", "Skipped", "Source", "SourceResult", "collect", "display_name",
           "input_files", "read_sources", "refuse_outputs_over_inputs", "refuse_writing_over_unit"]
