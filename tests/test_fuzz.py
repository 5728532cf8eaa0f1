"""Broken bytes must give the project's own error with a message, never another exception."""

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hmsxl import UnreadableFile, read_workbook
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
    with zipfile.ZipFile(io.BytesIO(original)) as z:
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    name, body = members[member % len(members)]
    at = int(start * len(body))
    members[member % len(members)] = (name, body[:at] + junk + body[at + length:])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in members:
            z.writestr(n, b)
    check(tmp_path, buf.getvalue())
