"""One bad file never stops the report: the ten ways it used to, each pinned.

Every test here asserts what the advisor would notice: the exit code, one line naming the
file and why, the report still written with the good sections' rows, every bad input in
Kilder with its reason, and inputs never written.
"""

import dataclasses
import datetime as dt
import email.message
import hashlib
import io
import os
import shutil
import struct
import time
import zipfile
import zlib

import openpyxl
import pytest
from click.testing import CliRunner

from hmsxl import consolidate, generate, labels
from hmsxl.cli import main
from hmsxl.inputs import ReadLimits, Source, read_sources
from hmsxl.simulate import simulated_fill
from hmsxl.validate import validate_files

from conftest import GENERATED_AT, YEAR
from zipparts import members as parts, pack, patched

TODAY = dt.date(YEAR, 6, 1)
ANNUAL_PART = "xl/worksheets/sheet7.xml"  # Årsrapport in a generated workbook
PLAN_PART = "xl/worksheets/sheet2.xml"  # Handlingsplan in a generated workbook


# --------------------------------------------------------------------------- building hostile files


def with_cell(ref: str, row: int):
    return lambda b: b.replace(b"</sheetData>", f'<row r="{row}"><c r="{ref}"><v>7</v></c></row></sheetData>'.encode())


def far_cell(data: bytes) -> bytes:
    return patched(data, ANNUAL_PART, with_cell("XFD1048576", 1048576))


def damaged_ref(data: bytes) -> bytes:
    return patched(data, ANNUAL_PART, lambda b: b.replace(b'r="B5"', b'r="rMessageB5"', 1))


def huge_string_count(data: bytes) -> bytes:
    import re

    return patched(data, "xl/sharedStrings.xml", lambda b: re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', b))


def duplicate_part(data: bytes) -> bytes:
    # The second, empty copy of the action plan is the one a reader would use.
    return pack(parts(data) + [("xl/worksheets/sheet2.xml", b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                                b'spreadsheetml/2006/main"><sheetData/></worksheet>')])


def with_identity(src, dst, **cells):
    wb = openpyxl.load_workbook(src)
    for ref, value in cells.items():
        wb["_hmsxl"][ref] = value
    wb.save(dst)
    return dst


def lying_zip(member: str, real_size: int = 20 * 2**20, declared: int = 30000) -> bytes:
    """A zip whose member says it is `declared` bytes but inflates to `real_size`."""
    data = bytearray(pack([(member, b"\0" * real_size)]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def zipcrypto(member: str, body: bytes, password: bytes) -> bytes:
    """A zip with one member encrypted the traditional PKWARE way (ZipCrypto)."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def crc(c, b):
        return zlib.crc32(bytes([b]), c ^ 0xFFFFFFFF) ^ 0xFFFFFFFF

    def update(b):
        keys[0] = crc(keys[0], b)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc(keys[2], (keys[1] >> 24) & 0xFF)

    def encrypt(plain):
        out = bytearray()
        for b in plain:
            t = (keys[2] | 2) & 0xFFFF
            out.append(b ^ ((t * (t ^ 1)) >> 8) & 0xFF)
            update(b)
        return bytes(out)

    for b in password:
        update(b)
    check = zlib.crc32(body)
    secret = encrypt(bytes(12 - 1) + bytes([check >> 24])) + encrypt(body)
    name = member.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 1, 0, 0, 0, check, len(secret), len(body), len(name), 0)
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 1, 0, 0, 0, check, len(secret), len(body),
                          len(name), 0, 0, 0, 0, 0, 0)
    body_at = len(local) + len(name) + len(secret)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name), body_at, 0)
    return local + name + secret + central + name + end


def mail(*attachments, sender="Ola Leder <ola.leder@example.no>", subject="SV: HMS") -> email.message.EmailMessage:
    msg = email.message.EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "hms@example.no", subject
    msg["Date"] = "Mon, 01 Jun 2026 10:00:00 +0200"
    msg.set_content("Her er arbeidsboka.")
    for data, ctype, filename in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def forwarded(inner_bytes: bytes, levels: int) -> bytes:
    """`inner_bytes` forwarded as an attachment `levels` times (built as text, so that
    building it needs no recursion)."""
    out = inner_bytes
    for n in range(levels):
        boundary = f"==fwd{n}=="
        out = (f"From: Videre {n} <videre{n}@example.no>\r\nTo: hms@example.no\r\nSubject: VS: HMS\r\n"
               f"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
               f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nVideresendt.\r\n"
               f"--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n").encode() + out + \
              f"\r\n--{boundary}--\r\n".encode()
    return out


def validate(*args):
    return CliRunner().invoke(main, ["validate", *map(str, args)])


def one_line(result, *needles):
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], result.output


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture(scope="module")
def blank(generated):
    """The samling section's generated workbook, as bytes."""
    return generated[1][0].read_bytes()


@pytest.fixture(scope="module")
def answered(generated, tmp_path_factory):
    """The example unit's workbooks with something filled in each (one God BHT level): a
    workbook returned as it was sent is no answer."""
    unit, _ = generated
    fills = {s.id: {"godbht": {"e01": {"level_bht": 2}}} for s in unit.sections}
    return unit, generate(unit, tmp_path_factory.mktemp("answered"), fills=fills, generated_at=GENERATED_AT)


# --------------------------------------------------------------------------- 1. far cells


def test_1_a_far_cell_is_cut_away_and_named_the_rest_is_read(tmp_path, blank):
    path = tmp_path / "Handlingsplan.xlsx"
    path.write_bytes(far_cell(blank))
    result = validate(path, "--today", TODAY)
    assert result.exit_code == 1, result.output
    assert "samling" in result.output and "Traceback" not in result.output
    assert "Årsrapport!XFD1048576" in result.output and "langt utenfor" in result.output


def test_1_a_damaged_reference_is_refused_with_its_own_reason(tmp_path, blank):
    path = tmp_path / "skadet.xlsx"
    path.write_bytes(damaged_ref(blank))
    result = validate(path)
    assert result.exit_code == 2
    one_line(result, "skadet.xlsx", "Årsrapport", "ugyldig cellereferanse («rMessageB5»)")


@pytest.mark.parametrize("lure", [b"", b'<!-- <sst uniqueCount="1"> -->', b"<!-- " + b"<a " * 30_000 + b"-->",
                                  b"<sst foo=' uniqueCount=\"1\"'"],
                         ids=["plain", "count-in-a-comment", "comment-past-the-head", "count-in-a-value"])
def test_1_a_declared_string_count_the_part_cannot_hold_is_refused(tmp_path, blank, lure):
    """Refused as such, not left to make the native reader abort: also behind a comment
    that says another count, one longer than the part's head that is looked at, or a value
    that holds another count."""
    def with_lure(b):
        if lure.startswith(b"<sst"):
            return b.replace(b"<sst", lure, 1)
        at = b.index(b"<sst")
        return b[:at] + lure + b[at:]

    path = tmp_path / "tekster.xlsx"
    path.write_bytes(patched(huge_string_count(blank), "xl/sharedStrings.xml", with_lure))
    result = validate(path)
    assert result.exit_code == 2
    one_line(result, "tekster.xlsx", "oppgir 4000000000 tekster")


def test_1_a_declared_string_count_longer_than_any_number_is_refused_as_such(tmp_path, blank):
    import re

    path = tmp_path / "siffer.xlsx"
    path.write_bytes(patched(blank, "xl/sharedStrings.xml",
                             lambda b: re.sub(rb'uniqueCount="\d+"', b'uniqueCount="' + b"9" * 6000 + b'"', b)))
    result = validate(path)
    assert result.exit_code == 2
    one_line(result, "siffer.xlsx", "oppgir 99999999999999999999 tekster")


def test_1_cells_without_a_reference_are_counted_as_the_reader_counts_them(tmp_path, blank):
    row = b'<row r="30">' + b"<c><v>1</v></c>" * 300 + b"</row>"
    path = tmp_path / "bred.xlsx"
    path.write_bytes(patched(blank, ANNUAL_PART, lambda b: b.replace(b"</sheetData>", row + b"</sheetData>")))
    result = validate(path, "--today", TODAY)
    assert result.exit_code == 1 and "Årsrapport!CW30" in result.output and "200 celle(r)" in result.output


def test_1_many_far_cells_sharing_one_end_are_cut_in_one_pass(tmp_path, blank):
    """Each far cell's end and value used to be searched for from that cell to the end of
    the sheet: 60,000 cells with one end between them took minutes (and the reader's time
    limit, twice)."""
    from hmsxl import read_workbook

    n = 60_000
    row = b'<row r="30">' + b'<c r="CW30">' * n + b"<v>7</v></c></row>"
    path = tmp_path / "mange.xlsx"
    path.write_bytes(patched(blank, ANNUAL_PART, lambda b: b.replace(b"</sheetData>", row + b"</sheetData>")))
    data = read_workbook(path, today=TODAY)
    far = [p for p in data.problems if p.code == "far_cells"]
    assert [(p.sheet, p.cell, p.params["count"]) for p in far] == [("Årsrapport", "CW30", n)]
    assert data.section_id == "samling" and data.annual


def test_1_unclosed_tags_in_the_parts_the_check_reads_are_scanned_once(tmp_path, blank):
    """A tag left open used to be searched for its end to the end of the part, from each
    such tag again: the sheet names (150,000 open tags after the relationships, which the
    reader skips, took minutes), the string count and the save time (in a comment)."""
    from hmsxl import read_workbook

    def commented(tag: bytes, n: int):
        def fn(body):
            at = body.index(b"?>") + 2 if body.startswith(b"<?xml") else 0
            return body[:at] + b"<!-- " + (b"<" + tag + b" ") * n + b"-->" + body[at:]
        return fn

    data = patched(blank, "xl/_rels/workbook.xml.rels", lambda b: b + b"<Relationship " * 150_000)
    data = patched(data, "xl/sharedStrings.xml", commented(b"sst", 20_000))
    data = patched(data, "docProps/core.xml", commented(b"dcterms:modified", 5_000))
    data = patched(data, ANNUAL_PART, with_cell("CW30", 30))  # a far cell: the check needs the sheet names
    path = tmp_path / "åpne.xlsx"
    path.write_bytes(data)
    read = read_workbook(path, today=TODAY)
    assert [(p.sheet, p.cell) for p in read.problems if p.code == "far_cells"] == [("Årsrapport", "CW30")]
    assert read.section_id == "samling"


@pytest.mark.parametrize("opens, closes", [
    ('<!--', '-->'), ('<?', '?>'), ('<![CDATA[', ']]>'),
], ids=["comment", "instruction", "cdata"])
def test_1_markup_inside_a_quoted_value_hides_no_cell(tmp_path, blank, opens, closes):
    """The native reader takes "<!--" in an attribute's value as text: blanked from there to
    a later "-->", a far cell between them went unseen (calamine aborted on XFD1048576, the
    whole file lost) and an error cell read as empty."""
    import re

    row = f'<row r="30"><c r="A30" xx="{opens}"/><c r="XFD1048576"><v>77</v></c><c r="C30" yy="{closes}"/></row>'

    def plan(body):  # an error cell in the plan's first row, between the markers
        for ref, cell in (("A5", f'<c r="A5" xx="{opens}"/>'), ("B5", '<c r="B5" t="e"><v>#REF!</v></c>'),
                          ("C5", f'<c r="C5" yy="{closes}"/>')):
            body = re.sub(rf'<c r="{ref}"[^>]*/>'.encode(), cell.encode(), body, count=1)
        return body

    data = patched(blank, ANNUAL_PART, lambda b: b.replace(b"</sheetData>", row.encode() + b"</sheetData>"))
    path = tmp_path / "skjult.xlsx"
    path.write_bytes(patched(data, PLAN_PART, plan))
    result = validate(path, "--today", TODAY)  # read in a worker: an abort would cost only the file
    assert result.exit_code == 1 and "samling" in result.output, result.output
    assert "Årsrapport!XFD1048576" in result.output
    assert "Handlingsplan!B5" in result.output and "#REF!" in result.output


@pytest.mark.parametrize("where", ["value", "content"])
def test_1_markup_left_open_many_times_is_scanned_once(tmp_path, blank, where):
    """100,000 "<!--" without an end, in a value or between cells: each was searched for its
    end to the end of the sheet (minutes, then the reader's time limit)."""
    from hmsxl import read_workbook

    opened = "<!--" * 100_000
    row = (f'<row r="30"><c r="A30" xx="{opened}"/></row>' if where == "value" else
           f'<row r="30"><c r="A30"/>{opened}</row>').encode()
    path = tmp_path / "åpen.xlsx"
    path.write_bytes(patched(blank, ANNUAL_PART, lambda b: b.replace(b"</sheetData>", row + b"</sheetData>")))
    if where == "value":  # text to the native reader: the workbook is read
        assert read_workbook(path, today=TODAY).section_id == "samling"
    else:  # a comment never closed: the native reader refuses the sheet, in one line
        result = validate(path)
        assert result.exit_code == 2
        one_line(result, "åpen.xlsx", "comment not closed")


def test_1_a_row_with_a_prefix_of_any_letters_is_a_row(tmp_path, blank):
    """"<å:row>" is a row to the native reader: its cells, without a reference, are at its
    row (20000, past the grid), not in the row before."""
    from hmsxl import read_workbook

    row = (b'<\xc3\xa5:row r="20000" xmlns:\xc3\xa5="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<c><v>77</v></c></\xc3\xa5:row>')
    path = tmp_path / "prefiks.xlsx"
    path.write_bytes(patched(blank, ANNUAL_PART, lambda b: b.replace(b"</sheetData>", row + b"</sheetData>")))
    data = read_workbook(path, today=TODAY)
    assert [(p.sheet, p.cell) for p in data.problems if p.code == "far_cells"] == [("Årsrapport", "A20000")]


def test_1_a_declaration_inside_a_sheet_is_refused_as_in_its_prolog(tmp_path, blank):
    row = b'<row r="30"><!DOCTYPE x [<!ENTITY a "b">]><c r="A30"><v>1</v></c></row>'
    path = tmp_path / "dtd.xlsx"
    path.write_bytes(patched(blank, ANNUAL_PART, lambda b: b.replace(b"</sheetData>", row + b"</sheetData>")))
    result = validate(path)
    assert result.exit_code == 2
    one_line(result, "dtd.xlsx", "DOCTYPE")


@pytest.mark.parametrize("sheet_tag", [
    b'<sheet name="Handlingsplan" x:name="Ark9"', b'<sheet x:name="Ark9" name="Handlingsplan"',
    b'<!--<sheet name="Ark9" sheetId="2" r:id="rId2"/>--><sheet name="Handlingsplan"',
], ids=["prefixed-name-after", "prefixed-name-before", "commented-sheet"])
def test_5_an_error_cell_is_said_in_the_sheet_the_native_reader_names(tmp_path, blank, sheet_tag):
    """The sheet names are read as the native reader reads them: a prefixed name or a
    commented-out sheet filed the cells of Handlingsplan under another name, and its error
    cells were lost."""
    import re

    data = patched(blank, "xl/workbook.xml", lambda b: b.replace(b'<sheet name="Handlingsplan"', sheet_tag, 1))
    data = patched(data, PLAN_PART, lambda b: re.sub(rb'<c r="J5"[^>]*/>', b'<c r="J5" t="e"><v>#DIV/0!</v></c>', b, 1))
    path = tmp_path / "navn.xlsx"
    path.write_bytes(data)
    result = validate(path, "--today", TODAY)
    assert "Handlingsplan!J5" in result.output and "#DIV/0!" in result.output, result.output


FAR_ROW = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


@pytest.mark.parametrize("renamed", ["XL/WORKSHEETS/SHEET2.XML", "xl\\worksheets\\sheet2.xml"],
                         ids=["upper-case", "backslashes"])
def test_5_a_sheet_part_named_otherwise_is_checked_as_the_native_reader_finds_it(tmp_path, blank, renamed):
    """The native reader finds a sheet part whatever its case and slashes: unchecked under
    such a name, a far cell made it abort and the whole workbook was lost."""
    far = patched(blank, PLAN_PART, lambda b: b.replace(b"</sheetData>", FAR_ROW + b"</sheetData>"))
    path = tmp_path / "navn.xlsx"
    path.write_bytes(pack([(renamed if n == PLAN_PART else n, b) for n, b in parts(far)]))
    result = validate(path, "--today", TODAY)
    assert result.exit_code == 1 and "Handlingsplan!XFD1048576" in result.output, result.output


def test_5_two_sheets_of_one_name_are_refused(tmp_path, blank):
    """The native reader gives one of two sheets named alike: the other's values would be
    lost unsaid."""
    data = patched(blank, "xl/workbook.xml", lambda b: b.replace(b'<sheet name="Vernerunde"',
                                                                b'<sheet name="Handlingsplan"', 1))
    path = tmp_path / "to.xlsx"
    path.write_bytes(data)
    result = validate(path)
    assert result.exit_code == 2
    one_line(result, "to.xlsx", "«Handlingsplan»", "to ganger")


def _unicode_named(name: str, claimed: str, crc: int | None = None):
    """A zip entry `name` whose Info-ZIP Unicode Path says `claimed`, with the checksum of
    its own name (the one the native reader checks) unless `crc` is given."""
    import struct
    import zipfile as zf

    info, raw = zf.ZipInfo(name), claimed.encode()
    info.extra = struct.pack("<HHBI", 0x7075, 5 + len(raw), 1, zlib.crc32(name.encode()) if crc is None else crc) + raw
    return info


def test_5_a_part_twice_by_case_or_by_its_unicode_name_is_refused(tmp_path, blank):
    import re

    twin = tmp_path / "tvilling.xlsx"
    twin.write_bytes(pack(parts(blank) + [("xl/worksheets/Sheet2.xml", b"<worksheet/>")]))
    result = validate(twin)
    assert result.exit_code == 2
    one_line(result, "tvilling.xlsx", "xl/worksheets/sheet2.xml", "to ganger")
    # A member whose Info-ZIP Unicode Path names the sheet part: the native reader takes it.
    unicode_twin = tmp_path / "unicode.xlsx"
    unicode_twin.write_bytes(pack(parts(blank) + [(_unicode_named("xl/media/x.bin", PLAN_PART), b"<worksheet/>")]))
    result = validate(unicode_twin)
    assert result.exit_code == 2
    one_line(result, "unicode.xlsx", "xl/worksheets/sheet2.xml", "to ganger")
    # A Unicode name whose checksum is not its entry's is ignored by the native reader: by
    # the check too, so the sheet's error cell is said where it is.
    wrong = tmp_path / "crc.xlsx"
    error = b'<c r="J5" t="e"><v>#VALUE!</v></c>'
    wrong.write_bytes(pack([
        (_unicode_named(n, "xl/worksheets/sheet9.xml", crc=0x12345678), re.sub(rb'<c r="J5"[^>]*/>', error, b, 1))
        if n == PLAN_PART else (n, b) for n, b in parts(blank)]))
    result = validate(wrong, "--today", TODAY)
    assert "Handlingsplan!J5" in result.output and "#VALUE!" in result.output, result.output


def test_5_a_save_time_in_a_comment_does_not_make_an_older_copy_the_newest(tmp_path, answered):
    """Of two copies, the one saved last is used: a date inside a comment is no save time."""
    import re

    def saved(when: str, lure: str = ""):
        def fn(body):
            body = re.sub(rb"<dcterms:modified([^>]*)>[^<]*<", f"<dcterms:modified\\1>{when}<".encode(), body)
            return body.replace(b"<dc:creator", lure.encode() + b"<dc:creator", 1)
        return fn

    filled = answered[1][0].read_bytes()
    older = patched(filled, "docProps/core.xml",
                    saved("2026-03-01T10:00:00Z", "<!--<dcterms:modified>2099-01-01T00:00:00Z</dcterms:modified>-->"))
    newer = patched(filled, "docProps/core.xml", saved("2026-11-20T10:00:00Z"))
    (tmp_path / "a-eldre.xlsx").write_bytes(older)
    (tmp_path / "b-nyere.xlsx").write_bytes(newer)
    result = consolidate([tmp_path], today=TODAY)
    used = result.sources.loc[result.sources["status"] == labels.REPORT["status_used"], "file"].tolist()
    assert [f.rsplit("/", 1)[-1] for f in used] == ["b-nyere.xlsx"], result.sources[["file", "status", "reason"]]


# --------------------------------------------------------------------------- 2. crashing readers


def _dies_on(marker, how):
    """A reader that fails as the native one can, on files whose name holds `marker`."""
    from hmsxl import read

    real = read.read_checked

    def reader(checked, config=None, today=None, name=None, **kwargs):
        if marker in (name or ""):
            if how == "abort":
                os.abort()
            if how == "hang":
                time.sleep(3600)
            if how == "panic":
                raise type("PanicException", (BaseException,), {})("range start index out of range")
            if how == "oserror":
                raise OSError("failed to fill whole buffer")
        return real(checked, config=config, today=today, name=name, **kwargs)

    return reader


@pytest.mark.parametrize("how,reason", [
    ("abort", "fikk leseren til å stoppe (signal 6)"),
    ("panic", "kan ikke leses som regneark (range start index out of range)"),
    ("oserror", "kan ikke leses som regneark (failed to fill whole buffer)"),
])
def test_2_a_reader_that_crashes_costs_only_its_own_file(monkeypatch, tmp_path, generated, how, reason):
    from hmsxl import read

    unit, paths = generated
    (tmp_path / "inn").mkdir()
    for p in paths:
        shutil.copy(p, tmp_path / "inn" / p.name)
    bad = tmp_path / "inn" / "krasj.xlsx"
    bad.write_bytes(far_cell(paths[1].read_bytes()) + b"")  # any bytes: the reader is what fails
    monkeypatch.setattr(read, "read_checked", _dies_on("krasj", how))
    results = validate_files([tmp_path / "inn"], config=unit, today=TODAY)
    by_name = {r.path.rsplit("/", 1)[-1]: r for r in results}
    assert reason in by_name["krasj.xlsx"].unreadable.reason
    assert all(by_name[p.name].data is not None for p in paths)


def test_2_the_timeout_names_the_file(monkeypatch, generated, tmp_path):
    from hmsxl import read

    unit, paths = generated
    other = tmp_path / "heng.xlsx"
    other.write_bytes(far_cell(paths[0].read_bytes()))
    monkeypatch.setattr(read, "read_checked", _dies_on("heng", "hang"))
    results = list(read_sources([Source("heng.xlsx", path=str(other)), Source("ok.xlsx", path=str(paths[1]))],
                                unit, TODAY, limits=ReadLimits(seconds=2)))
    assert str(results[0].error) == labels.UNREADABLE["reader_timeout"].format(max=2)
    assert results[1].data.section_id == "formidling"


def test_2_a_file_that_ran_out_of_time_alone_is_not_read_again(monkeypatch, generated, tmp_path):
    from hmsxl import read

    unit, paths = generated
    tries = tmp_path / "forsøk"

    def hangs(checked, **kwargs):
        with open(tries, "a") as fh:
            fh.write("1")
        time.sleep(3600)

    monkeypatch.setattr(read, "read_checked", hangs)
    (result,) = read_sources([Source("heng.xlsx", path=str(paths[0]))], unit, TODAY, limits=ReadLimits(seconds=1))
    assert result.error_code == "reader_timeout" and tries.read_text() == "1"


# --------------------------------------------------------------------------- 3. identity out of range


@pytest.mark.parametrize("year", [10000, -5, 1e300])
def test_3_an_identity_year_out_of_range_is_a_problem_not_a_traceback(tmp_path, generated, config_file, year):
    unit, paths = generated
    path = with_identity(paths[0], tmp_path / "aar.xlsx", B5=year)
    result = validate(path, "--today", TODAY)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "ugyldig år" in result.output
    report = tmp_path / "rapport.xlsx"
    done = CliRunner().invoke(main, ["consolidate", str(path), "-o", str(report), "--config", str(config_file),
                                     "--today", TODAY.isoformat()])
    assert done.exit_code == 0, done.output
    kilder = [row for row in openpyxl.load_workbook(report)["Kilder"].values if row[0] and "aar.xlsx" in str(row[0])]
    assert kilder and kilder[0][1] == "avvist"


# --------------------------------------------------------------------------- 4. file names


def test_4_a_file_name_that_is_not_utf8_is_shown_and_the_report_written(tmp_path, generated):
    unit, paths = generated
    folder = tmp_path / "inn"
    folder.mkdir()
    shutil.copy(paths[0], folder / "samling.xlsx")
    with open(os.fsencode(folder) + b"/H\xe6.xlsx", "wb") as fh:
        fh.write(b"ikke et regneark")
    report = tmp_path / "rapport.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(report)])
    assert result.exit_code == 0, result.output
    names = [row[0] for row in openpyxl.load_workbook(report)["Kilder"].values]
    assert "inn/H\\xe6.xlsx" in names
    shown = validate(folder)
    assert "H\\xe6.xlsx" in shown.output and shown.exit_code == 2


# --------------------------------------------------------------------------- 5. forwarded e-mails


def test_5_an_attachment_forwarded_ten_times_is_one_input_with_every_place(tmp_path, answered):
    unit, paths = answered
    original = mail((paths[0].read_bytes(), "application/vnd.ms-excel", "Handlingsplan.xlsx")).as_bytes()
    folder = tmp_path / "inn"
    folder.mkdir()
    (folder / "videresendt.eml").write_bytes(forwarded(original, 10))
    (folder / "svar.zip").write_bytes(pack([("svar.eml", original)]))
    result = consolidate([folder], config=unit, today=TODAY)
    src = result.sources
    assert len(src) == 1, src[["file", "status", "reason"]]
    row = src.iloc[0]
    assert row["status"] == "brukt" and row["file"].startswith("inn/svar.zip → svar.eml → ")
    assert "inn/videresendt.eml → videresendt e-post" in row["reason"]
    assert result.reconciliation["rows_rejected"] == 0 and result.reconciliation["files"] == 1


def test_5_forwards_nested_deeper_than_the_limit_are_listed_not_followed(tmp_path, generated):
    unit, paths = generated
    original = mail((paths[0].read_bytes(), "application/vnd.ms-excel", "Handlingsplan.xlsx")).as_bytes()
    (tmp_path / "dyp.eml").write_bytes(forwarded(original, 40))
    result = validate(tmp_path / "dyp.eml")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Ligger mer enn 16 nivåer" in result.output


# --------------------------------------------------------------------------- 6. nothing dropped silently


def test_6_zips_in_mails_and_octet_stream_workbooks_are_opened(tmp_path, answered):
    unit, paths = answered
    by_id = {p.name.split("-", 1)[1][:-5]: p for p in paths}
    folder = tmp_path / "inn"
    folder.mkdir()
    zipped = pack([("drift.xlsx", by_id["drift"].read_bytes())])
    (folder / "zip.eml").write_bytes(mail((zipped, "application/zip", "svar.zip")).as_bytes())
    (folder / "oktett.eml").write_bytes(mail((by_id["formidling"].read_bytes(), "application/octet-stream",
                                              "HMS 2026")).as_bytes())
    result = consolidate([folder], config=unit, today=TODAY)
    used = set(result.sources.loc[result.sources["status"] == "brukt", "section_id"])
    assert used == {"drift", "formidling"}


def test_6_pipes_devices_broken_links_and_unreadable_folders_are_listed(tmp_path, answered, monkeypatch):
    unit, paths = answered
    folder = tmp_path / "inn"
    (folder / "lukket").mkdir(parents=True)
    shutil.copy(paths[0], folder / "samling.xlsx")
    shutil.copy(paths[1], folder / "lukket" / "formidling.xlsx")
    os.mkfifo(folder / "ror.xlsx")
    (folder / "borte.xlsx").symlink_to(tmp_path / "finnes-ikke.xlsx")
    (folder / "null.xlsx").symlink_to("/dev/zero")
    (folder / "ring").symlink_to(folder)
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("lukket"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = consolidate([folder], config=unit, today=TODAY)
    src = result.sources.set_index("file")
    assert src.loc["inn/samling.xlsx", "status"] == "brukt"
    assert "FIFO" in src.loc["inn/ror.xlsx", "reason"]
    assert "enhetsfil" in src.loc["inn/null.xlsx", "reason"]
    assert "ikke finnes" in src.loc["inn/borte.xlsx", "reason"]
    assert "til en mappe; følges ikke" in src.loc["inn/ring", "reason"]  # any link to a folder
    assert src.loc["inn/ring", "status"] == "hoppet over"
    assert "Permission denied" in src.loc["inn/lukket", "reason"]
    assert (src.loc[["inn/ror.xlsx", "inn/null.xlsx", "inn/borte.xlsx", "inn/lukket"], "status"] == "avvist").all()


def test_6_two_parts_with_the_same_name_are_refused(tmp_path, blank):
    path = tmp_path / "to-like.xlsx"
    path.write_bytes(duplicate_part(blank))
    result = validate(path)
    assert result.exit_code == 2
    one_line(result, "to-like.xlsx", "xl/worksheets/sheet2.xml finnes to ganger")


# --------------------------------------------------------------------------- 7. inputs never written


def test_7_a_report_over_an_input_is_refused_before_anything_is_read(tmp_path, generated):
    unit, paths = generated
    folder = tmp_path / "R"
    (folder / "samling").mkdir(parents=True)
    target = folder / "samling" / "Handlingsplan.xlsx"
    shutil.copy(paths[0], target)
    before = sha(target)
    result = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(target)])
    assert result.exit_code == 2
    one_line(result, "Handlingsplan.xlsx", "er en av filene som leses")
    link = tmp_path / "lenke.xlsx"
    link.symlink_to(target)
    via_link = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(link)])
    assert via_link.exit_code == 2
    csv_over = CliRunner().invoke(main, ["consolidate", str(target), "-o", str(tmp_path / "r.xlsx"),
                                         "--csv", str(folder)])
    assert csv_over.exit_code == 2 and "inneholder filene som leses" in csv_over.output
    assert sha(target) == before and not (tmp_path / "r.xlsx").exists()


def test_7_an_annotated_copy_over_its_input_is_refused(tmp_path, blank):
    folder = tmp_path / "R"
    folder.mkdir()
    path = folder / "x.xlsx"
    path.write_bytes(far_cell(blank))
    before = sha(path)
    result = validate(path, "--annotate", folder)
    assert result.exit_code == 2
    one_line(result, "x.xlsx", "er en av filene som leses")
    assert sha(path) == before and sorted(p.name for p in folder.iterdir()) == ["x.xlsx"]


def test_7_an_interrupted_csv_export_leaves_the_previous_set(tmp_path, generated, monkeypatch):
    from hmsxl import fileio

    unit, paths = generated
    result = consolidate(paths, config=unit, today=TODAY)
    out = tmp_path / "csv"
    result.to_csv(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    from hmsxl.report import csv_tables

    assert len(before) == len(csv_tables(result)) + 1 == 13  # every table, and the list of them
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 7:
            raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "fsync", fsync)
    later = consolidate(paths[:1], config=unit, today=TODAY)
    with pytest.raises(KeyboardInterrupt):
        later.to_csv(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv"]  # no temporary folder left


# --------------------------------------------------------------------------- 8. lying sizes


def test_8_a_zip_member_that_lies_about_its_size_is_refused_without_inflating_it(tmp_path):
    path = tmp_path / "svar.zip"
    path.write_bytes(lying_zip("Handlingsplan.xlsx"))
    result = validate(path)
    assert result.exit_code == 2
    one_line(result, "svar.zip → Handlingsplan.xlsx", "mer eller mindre enn de 30000 bytene den oppgir")


def test_8_a_workbook_part_that_lies_about_its_size_is_refused(tmp_path, blank):
    data = bytearray(blank)
    with zipfile.ZipFile(io.BytesIO(blank)) as z:
        info = z.getinfo(ANNUAL_PART)
    central = next(i for i in range(len(data)) if data.startswith(b"PK\x01\x02", i)
                   and data[i + 46:i + 46 + len(ANNUAL_PART)] == ANNUAL_PART.encode())
    struct.pack_into("<I", data, central + 24, info.file_size // 2)
    struct.pack_into("<I", data, info.header_offset + 22, info.file_size // 2)
    path = tmp_path / "lyver.xlsx"
    path.write_bytes(bytes(data))
    result = validate(path)
    assert result.exit_code == 2
    one_line(result, "lyver.xlsx", f"delen {ANNUAL_PART} pakker ut til mer eller mindre")


# --------------------------------------------------------------------------- 9. encrypted xls and ods


@pytest.mark.libreoffice
def test_9_an_encrypted_xls_opens_with_the_password(saved_by_libreoffice, tmp_path):
    path = saved_by_libreoffice["s-pw.xls"]
    assert validate(path).exit_code == 2 and "oppgi passordet med --password" in validate(path).output
    wrong = validate(path, "--password", "feil")
    one_line(wrong, "passordet var feil")
    right = validate(path, "--password", "hemmelig", "--today", TODAY)
    assert right.exit_code == 1 and "samling" in right.output and "«halvveis»" in right.output


@pytest.mark.libreoffice
def test_9_an_encrypted_ods_gets_its_own_reason(saved_by_libreoffice):
    result = validate(saved_by_libreoffice["s-pw.ods"], "--password", "hemmelig")
    assert result.exit_code == 2
    one_line(result, "s-pw.ods", "passordbeskyttet ODS-fil")


@pytest.mark.libreoffice
def test_9_ods_and_xls_get_an_xlsx_annotated_copy_and_say_so(saved_by_libreoffice, tmp_path):
    out = tmp_path / "merket"
    result = validate(saved_by_libreoffice["s.ods"], saved_by_libreoffice["s-pw.xls"], "--password", "hemmelig",
                      "--annotate", out, "--today", TODAY)
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["samling-s-pw.xlsx", "samling-s.xlsx"]
    assert result.output.count("xlsx-fil med verdiene") == 2
    wb = openpyxl.load_workbook(out / "samling-s.xlsx")
    assert wb.sheetnames[0] == "Problemer" and wb["Handlingsplan"]["H5"].comment is not None
    import msoffcrypto

    encrypted = msoffcrypto.OfficeFile(open(out / "samling-s-pw.xlsx", "rb"))
    assert encrypted.is_encrypted()
    encrypted.load_key(password="hemmelig")
    plain = io.BytesIO()
    encrypted.decrypt(plain)
    assert openpyxl.load_workbook(plain).sheetnames[0] == "Problemer"


@pytest.mark.libreoffice
def test_9_far_cells_in_xls_and_ods_are_refused_naming_sheet_and_cell(saved_by_libreoffice, tmp_path):
    import olefile

    xls = tmp_path / "langt.xls"
    shutil.copy(saved_by_libreoffice["s.xls"], xls)
    ole = olefile.OleFileIO(str(xls), write_mode=True)
    stream = bytearray(ole.openstream("Workbook").read())
    pos, found = 0, False
    while pos + 4 <= len(stream):
        rtype, size = struct.unpack_from("<HH", stream, pos)
        if rtype == 0x00FD and not found:  # the first text cell
            struct.pack_into("<HH", stream, pos + 4, 60000, 200)
            found = True
        pos += 4 + size
    ole.write_stream("Workbook", bytes(stream))
    ole.close()
    result = validate(xls)
    assert result.exit_code == 2
    one_line(result, "langt.xls", "celle GS60001", "høyst CV10000")
    ods = tmp_path / "langt.ods"
    row = (b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" '
           b'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table>')
    ods.write_bytes(pack([(n, b.replace(b"</table:table>", row, 1) if n == "content.xml" else b)
                          for n, b in parts(saved_by_libreoffice["s.ods"].read_bytes())]))
    result = validate(ods)
    assert result.exit_code == 2
    one_line(result, "langt.ods", "i arket «Veiledning»", "høyst CV10000")


@pytest.mark.libreoffice
def test_9_a_huge_declared_xls_dimension_is_clipped_not_reserved(saved_by_libreoffice, tmp_path):
    import olefile

    xls = tmp_path / "dim.xls"
    shutil.copy(saved_by_libreoffice["s.xls"], xls)
    ole = olefile.OleFileIO(str(xls), write_mode=True)
    stream = bytearray(ole.openstream("Workbook").read())
    pos = 0
    while pos + 4 <= len(stream):
        rtype, size = struct.unpack_from("<HH", stream, pos)
        if rtype == 0x0200:
            struct.pack_into("<IIHH", stream, pos + 4, 60000, 10, 0, 256)  # first row after the last
        pos += 4 + size
    ole.write_stream("Workbook", bytes(stream))
    ole.close()
    result = validate(xls, "--today", TODAY)
    assert result.exit_code == 1 and "samling" in result.output


# --------------------------------------------------------------------------- 10. the right reasons


def test_10_an_archive_with_too_many_members_says_so(tmp_path):
    path = tmp_path / "mange.zip"
    path.write_bytes(pack([(f"f{i}.txt", b"x") for i in range(5001)]))
    result = validate(path)
    one_line(result, "mange.zip", "zip-arkiv med 5001 filer; høyst 5000")


def test_10_a_long_text_cell_is_not_a_zip_bomb(tmp_path, generated):
    unit, paths = generated
    wb = openpyxl.load_workbook(paths[0])
    wb["Handlingsplan"]["J5"] = "x" * (2 * 2**20)
    path = tmp_path / "lang.xlsx"
    wb.save(path)
    result = validate(path, "--today", TODAY)
    assert result.exit_code == 1 and "zip-bombe" not in result.output
    assert "Handlingsplan!J5" in result.output


def test_10_a_zipcrypto_member_asks_for_the_password_and_opens_with_it(tmp_path, blank):
    path = tmp_path / "kryptert.zip"
    path.write_bytes(zipcrypto("Handlingsplan.xlsx", blank, b"hemmelig"))
    without = validate(path)
    one_line(without, "kryptert.zip → Handlingsplan.xlsx", "kryptert i zip-arkivet; oppgi passordet")
    wrong = validate(path, "--password", "feil")
    one_line(wrong, "passordet var feil")
    right = validate(path, "--password", "hemmelig")
    assert right.exit_code == 0 and "samling" in right.output


def test_10_an_unreadable_file_is_one_line_and_the_batch_goes_on(tmp_path, generated, monkeypatch):
    unit, paths = generated
    locked = tmp_path / "laast.xlsx"
    shutil.copy(paths[0], locked)
    real_open = os.open

    def guarded(path, *args, **kwargs):
        if str(path).endswith("laast.xlsx"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    result = validate(locked, paths[1])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines[0].endswith("kan ikke leses som regneark (Permission denied)")
    assert "formidling" in lines[1]


def test_10_every_reason_the_code_gives_is_in_the_catalog():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "hmsxl"
    used = set()
    for source in root.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        used |= set(re.findall(r'UnreadableFile\([^,]+,\s*"(\w+)"', text))
        used |= set(re.findall(r'_failed\(job,\s*"(\w+)"', text))
    assert used and used <= set(labels.UNREADABLE), used - set(labels.UNREADABLE)


# --------------------------------------------------------------------------- 11. too many problems



def test_11_a_sheet_filled_beside_its_table_lists_200_values_and_counts_the_rest(tmp_path, blank):
    """336,000 cells filled to the right of the action plan gave as many problems: a
    gigabyte to read one file, and more rows than a report sheet holds from three."""
    from hmsxl import read_workbook
    from hmsxl.fields import col_letter

    rows = range(300, 4300)
    cols = range(16, 100)  # Q..CV
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{col_letter(c)}{r}"><v>{r * 1000 + c}</v></c>' for c in cols)
                   + "</row>" for r in rows).encode()
    path = tmp_path / "full.xlsx"
    path.write_bytes(patched(blank, PLAN_PART, lambda b: b.replace(b"</sheetData>", body + b"</sheetData>")))
    data = read_workbook(path, today=TODAY)
    outside = [p for p in data.problems if p.code == "value_outside_table"]
    assert len(outside) == 200 and (outside[0].cell, outside[0].value) == ("Q300", "300016")
    (more,) = [p for p in data.problems if p.code == "problems_left_out"]
    # The 201st: row 302 (84 cells a row), its 33rd cell.
    assert (more.sheet, more.cell, more.params["count"]) == ("Handlingsplan", "AW302", len(rows) * len(cols) - 200)
    assert "«302048»" in more.message and "200" in more.message
    assert len(data.problems) < 250
    # The counts are of every problem, listed or not.
    assert data.count("warning") == len(rows) * len(cols) + len([p for p in data.problems
                                                                 if p.severity == "warning" and p.code not in
                                                                 ("value_outside_table", "problems_left_out")])
    result = consolidate([path], today=TODAY)
    assert result.overview["warnings"].iloc[0] == data.count("warning")
    # The command line's count is the same (it counted the «left out» row as one).
    assert result.severity_counts()["warning"] == data.count("warning")
    said = CliRunner().invoke(main, ["consolidate", str(path), "-o", str(tmp_path / "r.xlsx"), "--today",
                                     TODAY.isoformat()])
    assert f"{data.count('warning')} advarsler" in said.output.replace("\u00a0", "").replace(" ", " "), said.output


def test_11_rows_past_the_problems_listed_still_say_which_cell_is_wrong(unit, tmp_path):
    """300 actions without a status: 200 are listed in Problemer and the rest counted; the
    report's «Feil i raden» names the status in every one of the 300 rows, not only the
    first 200."""
    action = {"category": "Annet", "challenge": "Støy", "measure": "Lyddemping", "priority": "Lav",
              "responsible": "Leder", "deadline": dt.date(YEAR, 12, 1)}
    fills = {"drift": {"actions": [dict(action, challenge=f"Støy {i}") for i in range(300)]}}
    paths = generate(unit, tmp_path / "ut", sections=["drift"], fills=fills, generated_at=GENERATED_AT)
    result = consolidate(paths, config=unit, today=TODAY)
    from hmsxl.schema import ACTIONS

    actions = result.tables["actions"]
    status = ACTIONS.column("status").label
    assert len(actions) == 300 and all(status in (said or "") for said in actions["row_errors"]), \
        actions["row_errors"].tolist()[195:205]
    assert (result.problems["code"] == "required").sum() == 200
    assert result.severity_counts()["error"] >= 300
    # The row that stands for the last 100 is an error too: filtered on errors, it is there.
    left = result.problems[result.problems["code"] == "problems_left_out"]
    assert left["severity"].tolist() == ["error"] and "100" in left["message"].iloc[0]


def test_11_the_rows_of_a_file_not_used_are_listed_as_far_as_any_other_problem(unit, tmp_path):
    action = {"category": "Annet", "challenge": "Støy", "measure": "Lyddemping", "priority": "Lav",
              "responsible": "Leder", "deadline": dt.date(YEAR, 12, 1), "status": "Påbegynt"}
    fills = {"drift": {"actions": [dict(action, challenge=f"Støy {i}") for i in range(300)]}}
    paths = generate(unit, tmp_path / "ut", sections=["drift"], fills=fills, generated_at=GENERATED_AT)
    other_year = dataclasses.replace(unit, year=YEAR + 1)
    result = consolidate(paths, config=other_year, today=dt.date(YEAR + 1, 1, 1))
    p = result.problems
    assert (p["code"] == "row_rejected").sum() == 200
    (more,) = p.loc[(p["code"] == "problems_left_out") & p["message"].str.contains("filen ikke ble brukt"), "message"]
    assert "100 til" in more and "Støy 200;" in more
    assert result.reconciliation["tables"]["actions"] == {"read": 300, "reported": 0, "rejected": 300}
    # Counted as Oversikt counts: the problems of the files used (none here), not those of the file let be.
    assert result.severity_counts() == {} and result.overview["errors"].isna().all()


# --------------------------------------------------------------------------- done when


def test_a_folder_mixing_good_returns_with_every_case_still_gives_the_report(tmp_path, generated, config_file):
    unit, paths = generated
    by_id = {p.name.split("-", 1)[1][:-5]: p for p in paths}
    fills = {sid: simulated_fill(unit, sid, seed=3) for sid in ("samling", "formidling", "drift")}
    good = {p.name.split("-", 1)[1][:-5]: p for p in
            generate(unit, tmp_path / "sendt", sections=list(fills), fills=fills, generated_at=GENERATED_AT)}
    inn = tmp_path / "inn"
    inn.mkdir()
    shutil.copy(good["samling"], inn / "samling.xlsx")
    original = mail((good["formidling"].read_bytes(), "application/octet-stream", "Handlingsplan.xlsx")).as_bytes()
    (inn / "formidling.eml").write_bytes(forwarded(original, 3))
    (inn / "drift.zip").write_bytes(pack([("drift.xlsx", good["drift"].read_bytes())]))
    (inn / "adm-langt.xlsx").write_bytes(far_cell(by_id["adm"].read_bytes()))
    bad = {
        "skadet-ref.xlsx": (damaged_ref(by_id["samling"].read_bytes()), "ugyldig cellereferanse"),
        "tekster.xlsx": (huge_string_count(by_id["samling"].read_bytes()), "4000000000 tekster"),
        "to-like.xlsx": (duplicate_part(by_id["samling"].read_bytes()), "finnes to ganger"),
        "avkuttet.xlsx": (by_id["samling"].read_bytes()[:3000], "skadet eller ufullstendig"),
        "lyver.zip": (lying_zip("Handlingsplan.xlsx", 2 * 2**20), "bytene den oppgir"),
        "kryptert.zip": (zipcrypto("x.xlsx", by_id["drift"].read_bytes(), b"hemmelig"), "kryptert i zip-arkivet"),
        "mange.zip": (pack([(f"f{i}.xlsx", b"x") for i in range(5001)]), "høyst 5000"),
        "dyp.eml": (forwarded(original, 20), "mer enn 16 nivåer"),
    }
    for name, (data, _) in bad.items():
        (inn / name).write_bytes(data)
    with_identity(by_id["samling"], inn / "aar.xlsx", B5=10000)
    os.mkfifo(inn / "ror.xlsx")
    (inn / "borte.xlsx").symlink_to(tmp_path / "finnes-ikke.xlsx")
    (inn / "null.xlsx").symlink_to("/dev/zero")
    with open(os.fsencode(inn) + b"/H\xe6.xlsx", "wb") as fh:
        fh.write(b"ikke et regneark")
    for i in range(6):  # enough files for several batches of workers
        with_identity(by_id["adm"], inn / f"annen-enhet-{i}.xlsx", B4=f"Annet museum {i}")
    report = tmp_path / "rapport.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(inn), "-o", str(report), "--config", str(config_file),
                                       "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    wb = openpyxl.load_workbook(report)
    kilder = {row[0]: row for row in wb["Kilder"].iter_rows(min_row=5, values_only=True) if row[0]}
    for name, (_, reason) in bad.items():
        hits = [row for file, row in kilder.items() if file.startswith(f"inn/{name}")]
        assert hits and all(row[1] == "avvist" for row in hits) and any(reason in row[2] for row in hits), name
    for name, reason in (("ror.xlsx", "FIFO"), ("borte.xlsx", "ikke finnes"), ("null.xlsx", "enhetsfil"),
                         ("H\\xe6.xlsx", "ikke et regneark"), ("aar.xlsx", "Gjelder ikke"),
                         ("annen-enhet-5.xlsx", "Gjelder ikke")):
        assert reason in kilder[f"inn/{name}"][2], name
    overview = {row[0]: row for row in wb["Oversikt"].iter_rows(min_row=5, values_only=True) if row[0] in fills}
    for sid, fill in fills.items():
        assert overview[sid][3] == "Ja" and overview[sid][5] == len(fill["actions"]), sid
    assert wb["Handlingsplan"].max_row - 4 == sum(len(f["actions"]) for f in fills.values())
    problems = [row for row in wb["Problemer"].values if row and "XFD1048576" in str(row)]
    assert problems


# --------------------------------------------------------------------------- text that multiplies


def one_text_in_many_cells(data: bytes, rows: int, length: int) -> bytes:
    """The workbook with `rows` action rows that all show one shared text of `length` characters."""
    import re

    sst = dict(parts(data))["xl/sharedStrings.xml"].decode()
    count = sst.count("<si>")
    sst = re.sub(r'uniqueCount="\d+"', f'uniqueCount="{count + 1}"',
                 sst.replace("</sst>", f"<si><t>{'Lang tekst ' + 'x' * length}</t></si></sst>"))
    cells = "".join(f'<row r="{r}"><c r="B{r}" t="s"><v>{count}</v></c></row>' for r in range(300, 300 + rows)).encode()
    data = patched(data, "xl/sharedStrings.xml", lambda body: sst.encode())
    return patched(data, "xl/worksheets/sheet2.xml", lambda body: body.replace(b"</sheetData>", cells + b"</sheetData>"))


def test_a_small_file_that_multiplies_one_text_is_refused_and_the_rest_read(monkeypatch, generated, tmp_path):
    """Rows that all point at one long shared text: 95 KB gave 310 million characters, all
    carried to the process that gathers the files. Such a file is listed with why; a run
    holding too much text in all says so for the files past it."""
    from hmsxl import inputs

    unit, paths = generated
    monkeypatch.setattr(inputs, "MIN_TEXT_CHARS", 1_000_000)
    big = tmp_path / "lang.xlsx"
    big.write_bytes(one_text_in_many_cells(paths[0].read_bytes(), rows=100, length=32_000))
    assert big.stat().st_size < 150_000
    results = list(read_sources([Source("lang.xlsx", path=str(big)), Source("ok.xlsx", path=str(paths[1]))],
                                unit, TODAY))
    assert results[0].data is None and results[0].error_code == "too_much_text"
    assert "millioner tegn tekst" in str(results[0].error)
    assert results[1].data is not None and results[1].data.section_id == "formidling"
    monkeypatch.setattr(inputs, "MAX_RUN_TEXT_CHARS", results[1].text_chars + 1)
    both = list(read_sources([Source("a.xlsx", path=str(paths[1])), Source("b.xlsx", path=str(paths[2]))],
                             unit, TODAY))
    assert both[0].data is not None and both[1].data is None and both[1].error_code == "run_too_much_text"


def test_6_a_workbook_under_any_name_in_a_folder_or_an_archive_is_read(tmp_path, answered):
    """Saved without its extension, as a download's «.part», as a template: read by what it
    is. A text document that is a zip too, a note and a picture are not spreadsheets."""
    unit, paths = answered
    by_id = {p.name.split("-", 1)[1][:-5]: p for p in paths}
    folder = tmp_path / "inn"
    folder.mkdir()
    shutil.copy(by_id["drift"], folder / "Handlingsplan")
    shutil.copy(by_id["samling"], folder / "samling.xlsx.part")
    (folder / "brev.odt").write_bytes(pack([("mimetype", b"application/vnd.oasis.opendocument.text"),
                                            ("content.xml", b"<x/>")]))
    (folder / "notat").write_bytes(b"Husk fristen")
    (folder / "arkiv.zip").write_bytes(pack([("formidling", by_id["formidling"].read_bytes()),
                                             ("bilde.jpg", b"\xff\xd8" + bytes(1000)),
                                             ("brev.docx", pack([("word/document.xml", b"<w/>")]))]))
    result = consolidate([folder], config=unit, today=TODAY)
    src = result.sources.set_index("file")["status"].to_dict()
    assert {f: s for f, s in src.items() if s == "brukt"}.keys() == {
        "inn/Handlingsplan", "inn/samling.xlsx.part", "inn/arkiv.zip → formidling"}
    assert {f for f, s in src.items() if s == "hoppet over"} == {
        "inn/brev.odt", "inn/notat", "inn/arkiv.zip → bilde.jpg", "inn/arkiv.zip → brev.docx"}


def test_6_notes_left_open_or_self_closing_cost_one_pass_and_stay_at_their_cells(tmp_path, blank):
    """Twenty thousand comments that never close, then a real one: read in one pass, the
    real one at its own cell."""
    from hmsxl import safety

    comments = (b'<?xml version="1.0"?><comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<authors><author>Leder</author></authors><commentList>"
                + b'<comment ref="B5" authorId="0"/>' * 10_000 + b'<comment ref="D5" authorId="0">' * 10_000
                + b'<comment ref="C5" authorId="0"><text><t>Egen merknad</t></text></comment>'
                + b'<comment ref="D6" authorId="0"><text><t xml:space="preserve">[Threaded comment]\n\nYour version of '
                  b'Excel allows you to read this threaded comment.\n\nComment:\n    Svar _x0041_ ja</t></text></comment>'
                  b'</commentList></comments>')
    package = dict(parts(blank))  # sheet2 is Handlingsplan
    package["xl/worksheets/_rels/sheet2.xml.rels"] = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"'
        b' Target="../comments9.xml"/></Relationships>')
    package["xl/comments9.xml"] = comments
    started = time.monotonic()
    checked = safety.check_bytes(tmp_path / "x.xlsx", pack(package))
    assert time.monotonic() - started < 10
    # Excel's own escapes undone, and the words Excel 365 puts before a threaded comment left out.
    assert checked.notes == [("Handlingsplan", "C5", "Egen merknad"), ("Handlingsplan", "D6", "Svar A ja")]


def test_6_an_ods_notes_line_breaks_are_kept_and_notes_past_those_read_are_said(tmp_path, monkeypatch):
    """A note's line breaks and spaces as written; past the notes a file is read for, a
    problem says how many more there are."""
    from hmsxl import safety

    errors = safety._CellErrors()
    content = (b'<office:document-content><office:body><office:spreadsheet><table:table table:name="Ark">'
               b'<table:table-row><table:table-cell><office:annotation><dc:creator>Leder</dc:creator>'
               b'<text:p>Linje1<text:line-break/>Linje2<text:s text:c="3"/>slutt</text:p></office:annotation>'
               b'</table:table-cell><table:table-cell><office:annotation/></table:table-cell>'
               b'</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
    safety._scan_ods(tmp_path / "x.ods", content, errors)
    assert errors.notes.found == [("Ark", "A1", "Linje1\nLinje2   slutt")]
    monkeypatch.setattr(safety, "MAX_NOTES", 1)
    for cell in ("B2", "C3"):
        errors.notes.add("Ark", cell, "mer")
    assert errors.notes.problems() == [("", "", "notes_not_read", {"count": 2, "max": 1, "first": "Ark!B2"})]
