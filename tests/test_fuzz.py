"""Broken bytes must give the project's own error with a message, never another exception."""

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zipparts import members, pack

from hmsxl import UnreadableFile, read_workbook
from hmsxl.fields import col_letter
from hmsxl.read import WorkbookData

SETTINGS = settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def original(generated):
    return generated[1][0].read_bytes()


def check(tmp_path, data: bytes):
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(data)
    try:
        result = read_workbook(path)
    except UnreadableFile as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(result, WorkbookData)


@SETTINGS
@given(flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=20))
def test_flipped_bytes(original, tmp_path, flips):
    data = bytearray(original)
    for where, byte in flips:
        data[int(where * len(data))] = byte
    check(tmp_path, bytes(data))


@SETTINGS
@given(cut=st.floats(0, 1))
def test_truncated(original, tmp_path, cut):
    check(tmp_path, original[: int(cut * len(original))])


@SETTINGS
@given(member=st.integers(0, 100), start=st.floats(0, 1), length=st.integers(0, 400), junk=st.binary(max_size=200))
def test_spliced_xml(original, tmp_path, member, start, length, junk):
    parts = members(original)
    name, body = parts[member % len(parts)]
    at = int(start * len(body))
    parts[member % len(parts)] = (name, body[:at] + junk + body[at + length:])
    check(tmp_path, pack(parts))


# ---------------------------------------------------------------------------- structure-aware, isolated
#
# Mutations that know the formats: far and damaged cell references, parts dropped or
# duplicated, declared sizes and counts that lie, repeated rows, BIFF records with any row
# and column, bytes flipped. Each example is a small batch read as `hmsxl validate` reads
# it, in the worker pool: every file must end as data or as one line with a reason, and
# no worker may die, run out of memory or time (the checks before parsing must have
# caught it). Examples are derandomized here, so CI is repeatable; scripts/fuzz.py runs
# the same strategies for as long as one likes.

import re
import struct

from hmsxl.inputs import ReadLimits
from hmsxl.validate import exit_code, validate_files

CRASHES = {"reader_crashed", "reader_memory", "reader_timeout"}
REFS = st.one_of(
    st.tuples(st.integers(0, 1_100_000), st.integers(0, 17_000)).map(
        lambda rc: f"{col_letter(rc[1])}{rc[0] + 1}"),
    st.text("ABCXYZabcr$0123456789:-", min_size=0, max_size=10),
)


def _members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


@st.composite
def zip_mutation(draw, data: bytes, kind: str):
    members = _members(data)
    i = draw(st.integers(0, len(members) - 1))
    how = draw(st.sampled_from(["far", "far", "dup", "drop", "declared", "count", "flip", "splice", "repeat"]))
    name, body = members[i]
    if how == "far":
        sheets = [k for k, (n, b) in enumerate(members) if b"sheetData" in b]
        if sheets:
            k = draw(st.sampled_from(sheets))
            ref, rows = draw(REFS), draw(st.integers(1, 1_048_576))
            cell = f'<row r="{rows}"><c r="{ref}"><v>1</v></c></row>'.encode()
            members[k] = (members[k][0], members[k][1].replace(b"</sheetData>", cell + b"</sheetData>"))
    elif how == "repeat" and kind == "ods" and name == "content.xml":
        n_rows, n_cols = draw(st.integers(1, 2_000_000)), draw(st.integers(1, 20_000))
        row = (f'<table:table-row table:number-rows-repeated="{n_rows}"><table:table-cell '
               f'table:number-columns-repeated="{n_cols}" office:value-type="float" office:value="1">'
               f'<text:p>1</text:p></table:table-cell></table:table-row></table:table>').encode()
        members[i] = (name, body.replace(b"</table:table>", row, 1))
    elif how == "dup":
        members.append((name, draw(st.sampled_from([b"", body[: len(body) // 2], body]))))
    elif how == "drop":
        del members[i]
    elif how == "count" and b"uniqueCount" in body:
        members[i] = (name, re.sub(rb'uniqueCount="\d+"', f'uniqueCount="{draw(st.integers(0, 2**32 - 1))}"'
                                   .encode(), body))
    elif how == "splice":
        at = draw(st.integers(0, len(body)))
        members[i] = (name, body[:at] + draw(st.binary(max_size=64)) + body[at + draw(st.integers(0, 64)):])
    out = bytearray(pack(members))
    if how == "declared":
        with zipfile.ZipFile(io.BytesIO(bytes(out))) as z:
            info = z.infolist()[min(i, len(z.infolist()) - 1)]
        size = draw(st.integers(0, 2**32 - 1))
        struct.pack_into("<I", out, info.header_offset + 22, size)
        central = out.rfind(b"PK\x01\x02")
        struct.pack_into("<I", out, central + 24, size)
    if how == "flip":
        for _ in range(draw(st.integers(1, 14))):
            out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
    return bytes(out)


@st.composite
def xls_mutation(draw, data: bytes):
    import olefile

    ole = olefile.OleFileIO(data)
    stream = bytearray(ole.openstream("Workbook").read())
    records, pos = [], 0
    while pos + 4 <= len(stream):
        rtype, size = struct.unpack_from("<HH", stream, pos)
        records.append((pos, rtype, size))
        pos += 4 + size
    for _ in range(draw(st.integers(1, 6))):
        pos, rtype, size = draw(st.sampled_from(records))
        how = draw(st.sampled_from(["cell", "bytes", "dimensions"]))
        if how == "cell" and size >= 4:
            struct.pack_into("<HH", stream, pos + 4, draw(st.integers(0, 65535)), draw(st.integers(0, 255)))
        elif how == "dimensions" and rtype == 0x0200 and size >= 12:
            struct.pack_into("<IIHH", stream, pos + 4, draw(st.integers(0, 2**32 - 1)),
                             draw(st.integers(0, 2**32 - 1)), draw(st.integers(0, 65535)), draw(st.integers(0, 65535)))
        else:
            at = draw(st.integers(0, len(stream) - 1))
            stream[at] = draw(st.integers(0, 255))
    buf = io.BytesIO(data)
    ole = olefile.OleFileIO(buf, write_mode=True)
    ole.write_stream("Workbook", bytes(stream))
    ole.close()
    return buf.getvalue()


def fuzz_batch(originals: dict):
    """A strategy for a batch of mutated files: [(file name, bytes)]."""
    def one(kind):
        data = originals[kind]
        return (xls_mutation(data) if kind == "xls" else zip_mutation(data, kind)).map(lambda b: (kind, b))

    return st.lists(st.sampled_from(sorted(originals)).flatmap(one), min_size=3, max_size=6)


def check_batch(folder, batch, limits=None):
    """Read a batch as `hmsxl validate` does; every file ends as data or one line of reason."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for n, (kind, data) in enumerate(batch):
        (folder / f"f{n}.{kind}").write_bytes(data)
    results = validate_files([folder], limits=limits or ReadLimits(memory_mb=1024, seconds=60))
    assert exit_code(results) in (0, 1, 2)
    assert len(results) == len(batch) or len({d for _, d in batch}) < len(batch)
    for r in results:
        assert r.data is not None or r.unreadable or r.skipped
        if r.unreadable:
            assert r.unreadable.code not in CRASHES, (r.path, r.unreadable.reason)
            assert r.unreadable.reason and "\n" not in r.unreadable.reason
    return results


@pytest.fixture(scope="module")
def originals(generated, saved_by_libreoffice):
    return {"xlsx": generated[1][0].read_bytes(), "ods": saved_by_libreoffice["s.ods"].read_bytes(),
            "xls": saved_by_libreoffice["s.xls"].read_bytes()}


@pytest.mark.libreoffice
def test_structure_aware_mutations_never_crash_a_reader(originals, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")

    @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(batch=fuzz_batch(originals))
    def run(batch):
        check_batch(folder, batch)

    run()
