"""The one seam from a Python string to spreadsheet XML: string in, exact XML out.

Modelled on XlsxWriter's fragment tests (test/sharedstrings/test_write_si.py), and
checked against what XlsxWriter itself writes for the same strings.
"""

import io
import re
import zipfile

import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from hmsxl import xmltext


@pytest.mark.parametrize("text, xml", [
    ("neptune", "<si><t>neptune</t></si>"),
    ("", "<si><t></t></si>"),
    ("a & b < c > d", "<si><t>a &amp; b &lt; c &gt; d</t></si>"),
    ("\"q\" 's'", "<si><t>\"q\" 's'</t></si>"),  # quotes need no escape in element text
    ("æøå 🦺", "<si><t>æøå 🦺</t></si>"),
    ("=SUM(A1)", "<si><t>=SUM(A1)</t></si>"),
    # Leading or trailing whitespace is kept only with xml:space="preserve".
    (" lead", '<si><t xml:space="preserve"> lead</t></si>'),
    ("trail ", '<si><t xml:space="preserve">trail </t></si>'),
    ("line\n", '<si><t xml:space="preserve">line\n</t></si>'),
    ("in side", "<si><t>in side</t></si>"),
    # Tab and newline are XML characters; the other C0 controls are not: Excel's _xHHHH_.
    ("a\tb\nc", "<si><t>a\tb\nc</t></si>"),
    ("\x01", "<si><t>_x0001_</t></si>"),
    ("\x00\x08\x0b\x0c\x0d\x1f", "<si><t>_x0000__x0008__x000B__x000C__x000D__x001F_</t></si>"),
    ("\x01 ", '<si><t xml:space="preserve">_x0001_ </t></si>'),
    # Noncharacters and lone surrogates are not XML characters either.
    ("\ufffe\uffff", "<si><t>_xFFFE__xFFFF_</t></si>"),
    ("a\ud800b", "<si><t>a_xD800_b</t></si>"),
    # A literal escape sequence is protected, so that Excel shows it as typed.
    ("_x0041_", "<si><t>_x005F_x0041_</t></si>"),
    ("_x00ff_ and _X0041_", "<si><t>_x005F_x00ff_ and _X0041_</t></si>"),
    ("_x004_ _x00411", "<si><t>_x004_ _x00411</t></si>"),
    # Overlapping sequences: each underscore that starts one is protected (XlsxWriter
    # protects only the first, and Excel would show "_x005FA").
    ("_x005F_x0041_", "<si><t>_x005F_x005F_x005F_x0041_</t></si>"),
    ("_x005F\x01", "<si><t>_x005F_x005F_x0001_</t></si>"),
    ("a&_x0041_<\x01", "<si><t>a&amp;_x005F_x0041_&lt;_x0001_</t></si>"),
])
def test_si(text, xml):
    assert xmltext.si(text) == xml


def test_inline_string_and_t():
    assert xmltext.inline_string("x & y") == "<is><t>x &amp; y</t></is>"
    assert xmltext.inline_string(" x") == '<is><t xml:space="preserve"> x</t></is>'
    assert xmltext.t("_x0041_") == "<t>_x005F_x0041_</t>"


def test_escape_is_element_text_without_whitespace_rule():
    assert xmltext.escape("R&D <lab> \x01 _x0041_ \ufffe ") == "R&amp;D &lt;lab&gt; _x0001_ _x005F_x0041_ _xFFFE_ "
    assert xmltext.escape("plain") == "plain"


def test_lengths_are_utf16_units():
    assert xmltext.utf16_len("abc") == 3
    assert xmltext.utf16_len("🦺") == 2
    assert xmltext.utf16_len("æ🦺") == 3


def test_fit_leaves_what_fits_alone():
    text = "a" * xmltext.CELL_MAX
    assert xmltext.fit(text) is text
    emoji = "🦺" * (xmltext.CELL_MAX // 2)  # 32,766 units
    assert xmltext.fit(emoji) is emoji


def test_fit_cuts_in_utf16_units_with_a_visible_mark():
    cut = xmltext.fit("a" * (xmltext.CELL_MAX + 1), mark=" [cut]")
    assert xmltext.utf16_len(cut) == xmltext.CELL_MAX
    assert cut.endswith("a [cut]")
    # 16,384 emoji are 32,768 units: one too many, though only 16,384 Python characters.
    cut = xmltext.fit("🦺" * 16384, mark="…")
    assert xmltext.utf16_len(cut) <= xmltext.CELL_MAX
    assert cut.endswith("🦺…") and xmltext.utf16_len(cut) == xmltext.CELL_MAX


def test_fit_never_splits_a_surrogate_pair():
    cut = xmltext.fit("a" + "🦺" * 10, limit=6, mark="…")
    assert cut == "a🦺🦺…"  # 1 + 4 + 1 units; one more emoji would need 7


def test_si_cuts_what_a_cell_cannot_hold():
    xml = xmltext.si("a" * 40000)
    assert xml.startswith("<si><t>aaa") and len(xml) == len("<si><t></t></si>") + xmltext.CELL_MAX


@pytest.mark.parametrize("value, footer", [
    ("Drift", "&LDrift&C&A&R&P / &N"),
    ("R&D", "&LR&&D&C&A&R&P / &N"),  # '&' starts a control code: doubled
    ("", "&L&C&A&R&P / &N"),
])
def test_header_footer(value, footer):
    assert xmltext.header_footer("&L{}&C&A&R&P / &N", value) == footer


def test_header_footer_is_cut_to_excels_limit():
    template = "&L{}&C&A&R&P / &N"
    for value in ("S" * 255, "🦺" * 200, "&" * 250, "a" + "&" * 249):
        footer = xmltext.header_footer(template, value)
        assert xmltext.utf16_len(footer) <= xmltext.HEADER_FOOTER_MAX, value[:3]
        left = footer[2:footer.index("&C&A")]
        assert left.endswith("…")
        # No lone '&' left by the cut: every '&' of the value stays doubled.
        assert re.fullmatch(r"(?:[^&]|&&)*…", left), value[:3]


def test_header_footer_too_long_without_the_value():
    with pytest.raises(ValueError):
        xmltext.header_footer("&L" + "x" * 300 + "{}", "")


# Pieces that make escape sequences, overlapping ones included.
PIECES = st.lists(st.sampled_from(["_", "x", "0041", "005F", "_x0041_", "_x005F", "a", " ", "\x01", "&"])).map("".join)


@given(st.text() | PIECES)
def test_unescape_inverts_escape(text):
    assert xmltext.unescape(xmltext.escape(text)) == text


@given(st.text())
def test_escaped_text_is_xml(text):
    from xml.dom.minidom import parseString

    doc = parseString(f"<r>{xmltext.si(text)}</r>".encode("utf-8", "surrogatepass"))
    assert doc.documentElement.firstChild.tagName == "si"


TRICKY = ["neptune", " lead", "trail ", "a & b < c > d", "\"q\" 's'", "\x01\x02\x1f", "a\tb\nc\rd",
          "_x0041_", "_x00ff_", "_x005F_", "\ufffe", "\uffff", "æøå 🦺", "=SUM(A1)", "\x01 "]


def test_same_xml_as_xlsxwriter_writes():
    """The seam follows XlsxWriter's rules: for the same strings, the same <si> elements."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for row, text in enumerate(TRICKY):
        ws.write_string(row, 0, text)
    wb.close()
    with zipfile.ZipFile(buf) as z:
        sst = z.read("xl/sharedStrings.xml").decode()
    theirs = re.findall(r"<si>.*?</si>", sst, re.S)
    assert [xmltext.si(text) for text in TRICKY] == theirs
