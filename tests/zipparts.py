"""Rewriting the parts of a workbook's package, as the tests that damage, lure or patch
one do: read its members, change one, pack them again."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path


def members(source) -> list[tuple[str, bytes]]:
    """(name, bytes) of every member of a zip given as bytes or a path, in order."""
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def pack(parts, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of (name, bytes) pairs (or a dict), in order; a name twice stays twice."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate name is what some tests want
        with zipfile.ZipFile(buf, "w", method) as z:
            for name, body in (parts.items() if isinstance(parts, dict) else parts):
                z.writestr(name, body)
    return buf.getvalue()


def patched(source, part: str, fn) -> bytes:
    """The package with the member `part` changed by `fn(bytes) -> bytes`."""
    return pack([(n, fn(b) if n == part else b) for n, b in members(source)])


def rewritten(path: Path, part: str, fn, dst: Path | None = None) -> Path:
    """`patched`, written to `dst` (by default over `path`)."""
    dst = dst or path
    dst.write_bytes(patched(path, part, fn))
    return dst


def saved_at(path: Path, when: str | None) -> Path:
    """The workbook at `path` as if saved at `when` ("2026-05-01T10:00:00Z", the modified
    time in docProps/core.xml), or saying nothing of when it was saved (None)."""
    def saved(body: bytes) -> bytes:
        if when is None:
            return re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"", body)
        return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.encode(), body)

    return rewritten(path, "docProps/core.xml", saved)
