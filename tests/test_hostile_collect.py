"""Collecting what comes back never stops on one input: odd e-mail headers, archives that
list more than can be kept, archives and e-mails nested to hold too much at once, a
message of countless parts, links to folders, and Outlook's winmail.dat.

Each test asserts what the advisor would notice: the odd input listed once with a
one-line reason, and the good workbook beside it still read.
"""

import base64
import email.message
import random
import zipfile

import pytest
from click.testing import CliRunner

from hmsxl import inputs
from hmsxl.cli import main
from zipparts import pack


@pytest.fixture(scope="module")
def blank(generated):
    """The samling section's generated workbook, as bytes."""
    return generated[1][0].read_bytes()


def validate(*args):
    result = CliRunner().invoke(main, ["validate", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def lines_about(result, name):
    return [line for line in result.output.splitlines() if name in line]


def raw_mail(headers: bytes, part_headers: bytes, body: bytes) -> bytes:
    """A message with one attachment, built as bytes: headers as given, however odd."""
    return (headers + b"MIME-Version: 1.0\n"
            b"Content-Type: multipart/mixed; boundary=BB\n\n--BB\nContent-Type: text/plain\n\nHer er den.\n"
            b"--BB\n" + part_headers + b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(body) +
            b"--BB--\n")


XLSX = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------- 1. odd headers


@pytest.mark.parametrize("part_headers", [
    b"Content-Type: " + XLSX + b"\nContent-Disposition: attachment; filename=svar.xlsx\n",
    b"Content-Type: application/octet-stream\nContent-Disposition: attachment; filename*\n",
    b"Content-Type: " + XLSX + b"; name*\nContent-Disposition: attachment\n",
], ids=["plain", "disposition-filename-star", "type-name-star"])
@pytest.mark.parametrize("sender", [b'From: "', b"From: <", b"From: a <b@[1.2.3.4>", b"From: a@b"])
def test_1_odd_headers_count_as_absent_and_the_attachment_is_read(tmp_path, blank, sender, part_headers):
    path = tmp_path / "svar.eml"
    path.write_bytes(raw_mail(sender + b"\n", part_headers, blank))
    result = validate(path)
    assert result.exit_code == 0, result.output
    (line,) = lines_about(result, "svar.eml")
    assert "samling" in line


def test_1_no_header_however_odd_stops_the_run(tmp_path, blank):
    """Messages with random header values, each listed once: none stops the others."""
    tokens = [b'"', b"<", b">", b"[", b"]", b"(", b")", b"@", b",", b";", b":", b"\\", b"=", b"*", b"'", b"%",
              b"=?utf-8?q?", b"?=", b"filename*=", b"name*", b"utf-8''", b"*0*", b"[1.2", b"group:", b" ", b"\xe6",
              b"\xff", b"a", b"b.c", b"\n\t"]
    names = ("From", "To", "Cc", "Sender", "Reply-To", "Date", "Subject", "Message-ID")
    rnd = random.Random(7)

    def value():
        return b"".join(rnd.choice(tokens) for _ in range(rnd.randint(0, 10)))

    folder = tmp_path / "inn"
    folder.mkdir()
    for i in range(150):
        headers = b"".join(f"{rnd.choice(names)}: ".encode() + value() + b"\n" for _ in range(3))
        part = (b"Content-Type: application/octet-stream; " + value() + b"\nContent-Disposition: attachment; "
                + value() + b"\n")
        (folder / f"{i:03}.eml").write_bytes(raw_mail(headers, part, b"ikke et regneark"))
    (folder / "svar.xlsx").write_bytes(blank)
    sources, skipped = inputs.collect([folder])
    assert [s.name for s in sources] == ["inn/svar.xlsx"]
    listed = {s.name.split(" → ")[0] for s in skipped}
    assert listed == {f"inn/{i:03}.eml" for i in range(150)}
    assert all("\n" not in str(s.reason) for s in skipped)


def test_1_a_message_the_mail_package_fails_on_is_listed_and_the_rest_read(tmp_path, blank, monkeypatch):
    """Whatever the e-mail package raises on one message, that message is listed with a
    reason; the run goes on."""
    real = inputs._collect_mime

    def failing(name, msg, ctx, depth):
        if name.endswith("skadet.eml"):
            raise IndexError("string index out of range")
        return real(name, msg, ctx, depth)

    monkeypatch.setattr(inputs, "_collect_mime", failing)
    (tmp_path / "skadet.eml").write_bytes(raw_mail(b"From: a@b\n", b"Content-Type: " + XLSX + b"\n", blank))
    (tmp_path / "svar.xlsx").write_bytes(blank)
    result = validate(tmp_path / "skadet.eml", tmp_path / "svar.xlsx")
    assert result.exit_code == 2
    (line,) = lines_about(result, "skadet.eml")
    assert "FEIL: er en skadet e-post som ikke kan pakkes helt ut (IndexError)" in line
    assert "samling" in lines_about(result, "svar.xlsx")[0]


# --------------------------------------------------------------------------- 2. bounded collection


def test_2_every_archive_member_listed_counts_and_the_rest_is_one_entry(tmp_path, blank, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_COLLECTED_MEMBERS", 100)
    inner = pack([(f"x{i}.txt", b"x") for i in range(60)])
    (tmp_path / "mange.zip").write_bytes(pack([(f"m{i}.zip", inner) for i in range(3)]))
    (tmp_path / "svar.xlsx").write_bytes(blank)
    result = validate(tmp_path / "mange.zip", tmp_path / "svar.xlsx")
    listed = lines_about(result, "mange.zip")
    assert len(listed) <= 100 + 2, len(listed)
    rest = [line for line in listed if "Resten av arkivet" in line]
    assert rest and "mange.zip → m1.zip → …" in rest[0] and "(22 av 60 filer)" in rest[0]
    assert "samling" in lines_about(result, "svar.xlsx")[0]


def test_2_the_lock_and_mac_files_in_an_archive_are_listed_as_on_disk(tmp_path, blank):
    """Every input is listed once: in a .zip too, with why it is let be."""
    (tmp_path / "svar.zip").write_bytes(pack([("~$Handlingsplan.xlsx", b"x"), ("__MACOSX/Handlingsplan.xlsx", b"x"),
                                              ("Svar/._Handlingsplan.xlsx", b"x"), ("Svar/Handlingsplan.xlsx", blank)]))
    result = validate(tmp_path / "svar.zip")
    for member, why in (("~$Handlingsplan.xlsx", "Låsefil"), ("__MACOSX/Handlingsplan.xlsx", "macOS"),
                        ("Svar/._Handlingsplan.xlsx", "macOS")):
        (line,) = lines_about(result, f"svar.zip → {member}:")
        assert "hoppet over" in line and why in line, line
    assert "samling" in lines_about(result, "svar.zip → Svar/Handlingsplan.xlsx")[0]


def test_2_archives_nested_to_hold_too_much_at_once_are_listed_not_unpacked(tmp_path, blank, monkeypatch):
    # Each archive is held while the one inside it is unpacked: room for three levels, not four.
    levels = [pack([("pad.bin", b"\0" * 100_000), ("innerst.xlsx", blank)], zipfile.ZIP_STORED)]  # l3.zip
    for i in (2, 1):
        levels.insert(0, pack([("pad.bin", b"\0" * 100_000), (f"l{i + 1}.zip", levels[0])], zipfile.ZIP_STORED))
    outer = pack([("l1.zip", levels[0]), ("svar.xlsx", blank)])
    (tmp_path / "kjede.zip").write_bytes(outer)
    monkeypatch.setattr(inputs, "MAX_NESTED_BYTES", len(outer) + len(levels[0]) + len(levels[1]), raising=False)
    result = validate(tmp_path / "kjede.zip")
    (deep,) = lines_about(result, "l3.zip")
    assert "kjede.zip → l1.zip → l2.zip → l3.zip: FEIL:" in deep
    assert "for store til å pakkes ut samtidig" in deep
    assert "innerst.xlsx" not in result.output
    assert "samling" in lines_about(result, "kjede.zip → svar.xlsx")[0]


def test_2_an_email_of_countless_parts_is_listed_not_unpacked(tmp_path, blank, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_MAIL_PARTS", 50, raising=False)
    parts = b"".join(b"--BB\nContent-Type: text/plain\n\nx\n" for _ in range(200))
    (tmp_path / "deler.eml").write_bytes(b"From: a@b\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=BB"
                                         b"\n\n" + parts + b"--BB--\n")
    (tmp_path / "svar.xlsx").write_bytes(blank)
    result = validate(tmp_path / "deler.eml", tmp_path / "svar.xlsx")
    (line,) = lines_about(result, "deler.eml")
    assert "FEIL" in line and "mer enn 50 deler" in line
    assert "samling" in lines_about(result, "svar.xlsx")[0]


# --------------------------------------------------------------------------- 3. links to folders


def test_3_a_link_to_a_folder_is_listed_not_followed(tmp_path, blank):
    elsewhere = tmp_path / "system"
    (elsewhere / "dypt").mkdir(parents=True)
    (elsewhere / "dypt" / "annen.xlsx").write_bytes(blank)
    folder = tmp_path / "inn"
    folder.mkdir()
    (folder / "svar.xlsx").write_bytes(blank)
    (folder / "system").symlink_to(elsewhere)
    (folder / "kopi.xlsx").symlink_to(folder / "svar.xlsx")  # a link to a file is read, as before
    result = validate(folder)
    (line,) = lines_about(result, "inn/system")
    assert line == "inn/system: hoppet over: Snarvei (symbolsk lenke) til en mappe; følges ikke, så filene der er ikke med"
    assert "annen.xlsx" not in result.output
    assert len(lines_about(result, "inn/kopi.xlsx")) == 1  # read, as the same file as svar.xlsx
    # A folder named on the command line is read, link or not.
    (tmp_path / "lenke").symlink_to(elsewhere)
    named = validate(tmp_path / "lenke")
    assert "samling" in lines_about(named, "annen.xlsx")[0]


# --------------------------------------------------------------------------- 4. winmail.dat


@pytest.mark.parametrize("ctype,filename", [("application/ms-tnef", "winmail.dat"),
                                            ("application/octet-stream", "winmail.dat"),
                                            ("application/vnd.ms-tnef", "")])
def test_4_an_outlook_winmail_dat_says_to_send_the_workbook_again(tmp_path, ctype, filename):
    msg = email.message.EmailMessage()
    msg["From"], msg["Subject"] = "Ola Leder <ola@example.no>", "SV: HMS"
    msg.set_content("Her er den.")
    maintype, subtype = ctype.split("/")
    msg.add_attachment(b"\x78\x9f\x3e\x22" + b"\0" * 200, maintype=maintype, subtype=subtype,
                       filename=filename or None)
    (tmp_path / "outlook.eml").write_bytes(msg.as_bytes())
    result = validate(tmp_path / "outlook.eml")
    assert result.exit_code == 2
    (line,) = lines_about(result, "outlook.eml")
    assert "FEIL: er en winmail.dat fra Outlook" in line and "som et vanlig vedlegg" in line


@pytest.mark.parametrize("where", ["sender", "type-parameters", "quotes"])
def test_1_a_header_of_countless_words_is_read_to_its_start_and_the_attachment_is_read(tmp_path, blank, monkeypatch,
                                                                                       where):
    """The e-mail package parses a header in time and memory that grow with the square of its
    length: a From of 16,000 encoded words took 3.5 GB, 40,000 parameters two minutes, in the
    process that reads every file. Each header is parsed to its first characters only."""
    import email.policy

    parsed = []
    real = email.policy.EmailPolicy.header_fetch_parse

    def measured(self, name, value):
        parsed.append((len(value), len(inputs._HEADER_MARKS.findall(value))))
        return real(self, name, value)

    monkeypatch.setattr(email.policy.EmailPolicy, "header_fetch_parse", measured)
    sender, params = b"From: a@b\n", b""
    if where == "sender":
        sender = b"From: " + b" ".join([b"=?utf-8?q?a?="] * 16_000) + b" <leder@example.no>\n"
    elif where == "quotes":
        params = b"; x=" + b'"' * 8000
    else:
        params = b"".join(b'; a%d*%d="x"' % (i, i) for i in range(40_000))
    path = tmp_path / "svar.eml"
    path.write_bytes(raw_mail(sender, b"Content-Type: " + XLSX + params + b"\nContent-Disposition: attachment;"
                              b" filename=svar.xlsx\n", blank))
    result = validate(path)
    assert result.exit_code == 0, result.output
    assert "samling" in lines_about(result, "svar.eml")[0]
    assert parsed and max(n for n, _ in parsed) <= inputs.MAX_HEADER_CHARS
    assert max(marks for _, marks in parsed) <= inputs.MAX_HEADER_MARKS


def test_1_a_mail_of_countless_short_lines_is_listed_not_parsed(tmp_path, blank):
    """The e-mail package keeps each line as an object of its own: 90 MB of «X:a» lines took
    5 GB. A mail of far more lines than its size allows is listed with why; a real one,
    its attachment in lines of 77, is read."""
    path = tmp_path / "linjer.eml"
    path.write_bytes(raw_mail(b"From: a@b\n" + b"X:a\n" * 200_000, b"Content-Type: " + XLSX + b"\n", blank))
    (tmp_path / "svar.eml").write_bytes(raw_mail(b"From: a@b\n", b"Content-Type: " + XLSX +
                                                 b"\nContent-Disposition: attachment; filename=svar.xlsx\n", blank))
    result = validate(path, tmp_path / "svar.eml")
    (line,) = lines_about(result, "linjer.eml")
    assert "FEIL" in line and "med 2008" in line and " linjer," in line
    assert "samling" in lines_about(result, "svar.eml")[0]


def test_a_name_that_turns_the_direction_of_text_is_shown_with_the_mark_escaped(tmp_path, blank):
    """U+202E makes «svar[RLO]xslx.exe» read as «svarexe.xlsx»: the list shows the mark."""
    name = "svar\u202exslx.exe.xlsx"
    (tmp_path / name).write_bytes(blank)
    result = validate(tmp_path / name)
    assert "\u202e" not in result.output and "svar\\u202exslx.exe.xlsx" in result.output


def test_1_a_mail_of_countless_header_fields_is_listed_not_unpacked(tmp_path, blank):
    """Each header field costs some 330 bytes once parsed: a mail of lines long enough to
    pass the count of lines, but each a field of its own, stops at MAX_MAIL_HEADERS."""
    fields = b"X-Felt-Som-Er-Langt-Nok-Til-Linjene: abcdef\n" * (inputs.MAX_MAIL_HEADERS + 10)
    path = tmp_path / "felt.eml"
    path.write_bytes(raw_mail(b"From: a@b\n" + fields, b"Content-Type: " + XLSX + b"\n", blank))
    (line,) = lines_about(validate(path), "felt.eml")
    assert "FEIL" in line and f"mer enn {inputs.MAX_MAIL_HEADERS} toppfelt" in line


def test_a_save_time_in_the_first_millennium_is_older_than_this_years():
    """Save times are compared as text: year 999 was «999-…», after «2026-…»."""
    from hmsxl.safety import iso_utc

    assert iso_utc("0999-01-01T00:00:00Z") == "0999-01-01T00:00:00Z" < iso_utc("2026-11-20T10:00:00Z")


def test_a_folder_given_twice_and_a_file_in_it_are_each_one_input(tmp_path):
    (tmp_path / "inn").mkdir()
    (tmp_path / "inn" / "notat.txt").write_text("hei")
    (tmp_path / "inn" / "svar.xlsx").write_bytes(b"PK\x03\x04 not really")
    sources, skipped = inputs.collect([tmp_path / "inn", tmp_path / "inn" / "notat.txt", tmp_path / "inn"])
    names = [s.name for s in sources] + [s.name for s in skipped]
    assert sorted(names) == ["inn/notat.txt", "inn/svar.xlsx"]
