"""The one seam from a Python string to the XML text of a spreadsheet.

Wherever hmsxl writes package XML itself (the template patch in `write`, the report's
table rows), the text goes through these functions, which follow XlsxWriter's own
rules (`sharedstrings._write_si`, `xmlwriter._escape_control_characters`), so a string
comes out exactly as XlsxWriter would have written it:

- `&`, `<` and `>` are escaped; quotes need not be in element text;
- characters XML cannot hold (C0 controls other than tab and newline, the
  noncharacters U+FFFE and U+FFFF, lone surrogates) become Excel's `_xHHHH_`;
- a literal `_xHHHH_` in the text is protected as `_x005F_xHHHH_`, so that Excel shows
  it as typed instead of decoding it. Unlike XlsxWriter, every underscore that starts such
  a sequence is protected, also one that ends the sequence before it ("_x005F_x0041_"),
  or one that an escaped character follows ("_x005F" and U+0001), both of which
  XlsxWriter leaves to be decoded;
- leading or trailing whitespace gets `xml:space="preserve"`;
- lengths are Excel's: UTF-16 code units, so an emoji counts two. A cell holds at most
  32,767, a header or footer 255; what is longer is cut with a visible mark.

Every function is a plain function of its text; the tests in tests/test_xmltext.py give
string in, exact XML out.
"""

from __future__ import annotations

import re

CELL_MAX = 32767
HEADER_FOOTER_MAX = 255
MARK = "…"

_ILLEGAL_CHARS = r"\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff"
_LITERAL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
# One pass: an underscore that starts an escape sequence once the text is escaped (an
# illegal character's escape starts with "_" too), or an illegal character.
_EXCEL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}[_" + _ILLEGAL_CHARS + r"])|[" + _ILLEGAL_CHARS + "]")
_NEEDS_WORK = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_LEADING_OR_TRAILING_SPACE = re.compile(r"^\s|\s$")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def utf16_len(text: str) -> int:
    """The length Excel counts: UTF-16 code units (a character above U+FFFF is two)."""
    if text.isascii():
        return len(text)
    # A lone surrogate is one unit, as Excel counts it.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _excel_escapes(text: str) -> str:
    return _EXCEL_ESCAPE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def _xml_escapes(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape(text: str) -> str:
    """Element text, as XlsxWriter writes its data elements (core properties, footers)."""
    if not _NEEDS_WORK.search(text):
        return text
    return _xml_escapes(_excel_escapes(text))


def unescape(xml_text: str) -> str:
    """The string behind element text that `escape` (or Excel) wrote."""
    def entity(m):
        name = m.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _ENTITIES[name]

    text = _ENTITY.sub(entity, xml_text) if "&" in xml_text else xml_text
    return excel_unescape(text)


def excel_unescape(text: str) -> str:
    """Excel's own escapes undone: `_x0041_` is «A», `_x005F_x0041_` the text «_x0041_»."""
    if "_x" not in text:
        return text
    return _LITERAL_ESCAPE.sub(lambda m: chr(int(m.group(0)[2:6], 16)), text)


def fit(text: str, limit: int = CELL_MAX, mark: str = MARK) -> str:
    """`text` if it is at most `limit` UTF-16 units; else cut so that it and `mark` fit.

    Returns the very same object when nothing is cut, so a caller can tell with `is`.
    """
    if len(text) <= limit // 2 or utf16_len(text) <= limit:
        return text
    return _cut(text, limit - utf16_len(mark), lambda ch: 2 if ord(ch) > 0xFFFF else 1) + mark


def _cut(text: str, room: int, cost) -> str:
    used = 0
    for i, ch in enumerate(text):
        used += cost(ch)
        if used > room:
            return text[:i]
    return text


def t(text: str) -> str:
    """A `<t>` element holding cell text (cut to what a cell can hold)."""
    text = fit(text)
    if not _NEEDS_WORK.search(text):
        # As _LEADING_OR_TRAILING_SPACE (the same whitespace), without a second search.
        if text[:1].isspace() or text[-1:].isspace():
            return f'<t xml:space="preserve">{text}</t>'
        return f"<t>{text}</t>"
    text = _excel_escapes(text)
    space = ' xml:space="preserve"' if _LEADING_OR_TRAILING_SPACE.search(text) else ""
    return f"<t{space}>{_xml_escapes(text)}</t>"


def si(text: str) -> str:
    """A shared-string table entry."""
    return f"<si>{t(text)}</si>"


def inline_string(text: str) -> str:
    """The `<is>` element of an inline-string cell."""
    return f"<is>{t(text)}</is>"


def header_footer(template: str, text: str, mark: str = MARK) -> str:
    """A header or footer: `template` (Excel's &-codes) with `text` in place of its `{}`.

    `&` in `text` is doubled (it would start a control code), and `text` is cut with
    `mark` so that the whole fits Excel's 255 UTF-16 units.
    """
    before, after = template.split("{}")
    room = HEADER_FOOTER_MAX - utf16_len(before) - utf16_len(after)
    if room < utf16_len(mark):
        raise ValueError(f"header/footer template is too long for Excel: {template!r}")
    doubled = text.replace("&", "&&")
    if utf16_len(doubled) > room:
        cost = lambda ch: 2 if ch == "&" or ord(ch) > 0xFFFF else 1  # noqa: E731
        doubled = _cut(text, room - utf16_len(mark), cost).replace("&", "&&") + mark
    return before + doubled + after
