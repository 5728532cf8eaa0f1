"""Would Excel open this package without "repairing" it?

`check_package(path)` validates every XML part of an xlsx file against the ECMA-376
Transitional schemas vendored in `tests/ooxml-xsd/`, and checks the rules those schemas
cannot express but Excel enforces (`RULES` lists them). It returns the findings, one
line each; an empty list means the package passed. It is written from the standard and
Excel's documented limits, independently of hmsxl's own code.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).resolve().parent / "ooxml-xsd"

NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "custom": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "x": "urn:schemas-microsoft-com:office:excel",
}
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Root element -> schema file (tests/ooxml-xsd/README.md).
ROOT_SCHEMA = {
    **{f"{{{NS['main']}}}{root}": "sml.xsd"
       for root in ("worksheet", "workbook", "sst", "styleSheet", "table", "comments", "calcChain")},
    f"{{{NS['c']}}}chartSpace": "dml-chart.xsd",
    f"{{{NS['xdr']}}}wsDr": "dml-spreadsheetDrawing.xsd",
    f"{{{NS['a']}}}theme": "dml-main.xsd",
    f"{{{NS['cp']}}}coreProperties": "opc-xsd/opc-coreProperties.local.xsd",
    f"{{{NS['ep']}}}Properties": "shared-documentPropertiesExtended.xsd",
    f"{{{NS['custom']}}}Properties": "shared-documentPropertiesCustom.xsd",
    f"{{{NS['ct']}}}Types": "opc-xsd/opc-contentTypes.xsd",
    f"{{{NS['rel']}}}Relationships": "opc-xsd/opc-relationships.xsd",
}

RULES = (
    "every part is well-formed XML 1.0",
    "every part whose root has a schema validates against it (ECMA-376 Transitional); "
    "xml:space on <t>, which Excel writes itself, is the one finding accepted",
    "every part has a content type, every Override names a part that exists",
    "every internal relationship target exists, relationship ids are unique, every r:id a part "
    "uses is in its relationships, every part is reachable from the package root",
    "shared strings: count = cells that use them, uniqueCount = entries, no entry twice, every index in range",
    "cells: valid references, rows ascending and unique, each cell in its row, columns ascending",
    "cell text (shared or inline, after _xHHHH_ decoding) at most 32,767 UTF-16 units; formulas at most 8,192",
    "style indexes in range, and every count attribute in the styles equals its children",
    "sheet names: 1-31 UTF-16 units, none of []:*?/\\, no leading or trailing ', unique ignoring case",
    "sheet ids unique; one visible sheet at least; the active tab visible and the only selected tab",
    "defined names: valid, at most 255 characters, unique per scope ignoring case, naming existing sheets",
    "data validations: count right, formulas at most 255 characters, titles at most 32 and "
    "messages at most 255 UTF-16 units",
    "headers and footers at most 255 UTF-16 units",
    "custom properties: the standard fmtid, pid from 2 and unique, names unique",
    "tables: width equal to their columns, column names unique and equal to the header cells",
    "comments: valid references, author ids in range; VML (no usable schema): well-formed, "
    "one note shape per comment at its row and column",
)

EXCEL_CELL_MAX = 32767
EXCEL_FORMULA_MAX = 8192
HEADER_FOOTER_MAX = 255
CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
DEFINED_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.\\?]*$")
SHEET_IN_FORMULA = re.compile(r"(?:'((?:[^']|'')+)'|([^\W\d][\w.]*))!")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def decode_escapes(text: str) -> str:
    """What Excel shows for a stored string: each _xHHHH_ is one character."""
    return ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(ref: str):
    m = CELL_REF.match(ref)
    if not m:
        return None
    col, row = col_number(m.group(1)), int(m.group(2))
    if not (1 <= col <= 16384 and 1 <= row <= 1048576):
        return None
    return row, col


@functools.cache
def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / name)))


def _benign(error) -> bool:
    return f"}}t', attribute '{{{XML_NS}}}space'" in error.message


class _Package:
    def __init__(self, path):
        self.findings: list[str] = []
        with zipfile.ZipFile(path) as z:
            self.parts = {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}
        self.xml: dict[str, etree._Element] = {}
        parser = etree.XMLParser(resolve_entities=False, huge_tree=True)
        for name, body in self.parts.items():
            if name.endswith((".xml", ".rels", ".vml")) or body.lstrip().startswith(b"<"):
                try:
                    self.xml[name] = etree.fromstring(body, parser)
                except etree.XMLSyntaxError as exc:
                    self.add(name, f"not well-formed XML: {exc}")

    def add(self, part: str, message: str) -> None:
        self.findings.append(f"{part}: {message}")

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """{id: (type, resolved target)} of a part's internal relationships."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        root = self.xml.get(rels_name)
        out = {}
        if root is None:
            return out
        for rel, resolved in _internal(root, folder):
            out[rel.get("Id")] = (rel.get("Type"), resolved)
        return out

    def by_type(self, suffix: str) -> list[str]:
        """Parts whose content type ends with `suffix`."""
        return [name for name in self.parts if self.content_types.get(name, "").endswith(suffix)]


def check_package(path) -> list[str]:
    p = _Package(path)
    _schemas(p)
    _content_types(p)
    _relationships(p)
    _workbook(p)
    _cells_and_strings(p)
    _styles(p)
    _custom_properties(p)
    _tables(p)
    _comments(p)
    return p.findings


def _schemas(p: _Package) -> None:
    for name, root in p.xml.items():
        xsd = ROOT_SCHEMA.get(root.tag)
        if xsd is None:
            if not name.endswith(".vml"):
                p.add(name, f"no schema for root {root.tag}")
            continue
        s = schema(xsd)
        if not s.validate(root):
            for error in s.error_log:
                if not _benign(error):
                    p.add(name, f"line {error.line}: {error.message}")


def _content_types(p: _Package) -> None:
    root = p.xml.get("[Content_Types].xml")
    p.content_types = {}
    if root is None:
        p.add("[Content_Types].xml", "missing")
        return
    defaults = {d.get("Extension", "").lower(): d.get("ContentType")
                for d in root.iterfind(f"{{{NS['ct']}}}Default")}
    overrides = {o.get("PartName", "").lstrip("/"): o.get("ContentType")
                 for o in root.iterfind(f"{{{NS['ct']}}}Override")}
    for name in overrides:
        if name not in p.parts:
            p.add("[Content_Types].xml", f"Override for {name}, which is not in the package")
    for name in p.parts:
        if name == "[Content_Types].xml":
            continue
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        ctype = overrides.get(name) or defaults.get(ext)
        if not ctype:
            p.add(name, "has no content type")
        p.content_types[name] = ctype or ""


def _relationships(p: _Package) -> None:
    reachable = set()
    todo = [""]
    while todo:
        source = todo.pop()
        rels_name = posixpath.join(*posixpath.split(source)[:1], "_rels",
                                   posixpath.split(source)[1] + ".rels") if source else "_rels/.rels"
        root = p.xml.get(rels_name)
        if root is None:
            continue
        reachable.add(rels_name)
        ids = Counter(rel.get("Id") for rel in root)
        for rid, n in ids.items():
            if n > 1:
                p.add(rels_name, f"relationship id {rid} used {n} times")
        folder = posixpath.dirname(source)
        for rel, resolved in _internal(root, folder):
            if resolved not in p.parts:
                p.add(rels_name, f"{rel.get('Id')} points to {resolved}, which is not in the package")
            elif resolved not in reachable:
                reachable.add(resolved)
                todo.append(resolved)
    for name in p.parts:
        if name != "[Content_Types].xml" and name not in reachable:
            p.add(name, "is not reachable through relationships from the package root")
    # Every r:id a part uses must be one of its relationships.
    r_attr = f"{{{NS['r']}}}"
    for name, root in p.xml.items():
        if name.endswith(".rels"):
            continue
        known = None
        for el in root.iter():
            for attr, value in el.attrib.items():
                if attr.startswith(r_attr):
                    if known is None:
                        known = p.rels(name)
                    if value not in known:
                        p.add(name, f"{etree.QName(el).localname} uses {value}, not in its relationships")


def _workbook(p: _Package) -> None:
    wb_part = next(iter(p.by_type("sheet.main+xml")), None)
    if wb_part is None:
        p.add("(package)", "no workbook part")
        return
    wb = p.xml[wb_part]
    rels = p.rels(wb_part)
    sheets = wb.findall(f"{{{NS['main']}}}sheets/{{{NS['main']}}}sheet")
    p.sheet_names = [s.get("name", "") for s in sheets]
    p.sheet_parts = {s.get("name"): rels.get(s.get(f"{{{NS['r']}}}id"), ("", ""))[1] for s in sheets}
    seen = set()
    for s in sheets:
        name = s.get("name", "")
        if not 1 <= utf16_len(name) <= 31:
            p.add(wb_part, f"sheet name {name!r} is {utf16_len(name)} UTF-16 units long; 1-31 are allowed")
        if SHEET_NAME_FORBIDDEN.search(name) or name.startswith("'") or name.endswith("'"):
            p.add(wb_part, f"sheet name {name!r} holds a character Excel does not allow")
        if name.casefold() in seen:
            p.add(wb_part, f"sheet name {name!r} is used twice (ignoring case)")
        seen.add(name.casefold())
    for sid, n in Counter(s.get("sheetId") for s in sheets).items():
        if n > 1:
            p.add(wb_part, f"sheetId {sid} used {n} times")
    visible = [i for i, s in enumerate(sheets) if s.get("state", "visible") == "visible"]
    if not visible:
        p.add(wb_part, "no visible sheet")
    view = wb.find(f"{{{NS['main']}}}bookViews/{{{NS['main']}}}workbookView")
    active = int(view.get("activeTab", "0")) if view is not None else 0
    if active not in visible:
        p.add(wb_part, f"the active tab ({active}) is not a visible sheet")
    selected = []
    for i, s in enumerate(sheets):
        part = p.sheet_parts[s.get("name")]
        root = p.xml.get(part)
        if root is None:
            continue
        for sv in root.iterfind(f"{{{NS['main']}}}sheetViews/{{{NS['main']}}}sheetView"):
            if sv.get("tabSelected") in ("1", "true"):
                selected.append(i)
    if selected and selected != [active]:
        names = [p.sheet_names[i] for i in selected]
        p.add(wb_part, f"tabs selected {names}, but the active tab is {p.sheet_names[active]!r} alone: "
                       "the sheets open grouped")
    # Defined names.
    names = Counter()
    for dn in wb.iterfind(f"{{{NS['main']}}}definedNames/{{{NS['main']}}}definedName"):
        name, scope = dn.get("name", ""), dn.get("localSheetId")
        names[(name.casefold(), scope)] += 1
        if not (name.startswith("_xlnm.") or DEFINED_NAME.match(name)) or len(name) > 255 or parse_ref(name.upper()):
            p.add(wb_part, f"defined name {name!r} is not a valid name")
        if scope is not None and not 0 <= int(scope) < len(sheets):
            p.add(wb_part, f"defined name {name!r} is scoped to sheet {scope}, which does not exist")
        for quoted, plain in SHEET_IN_FORMULA.findall(dn.text or ""):
            sheet = quoted.replace("''", "'") if quoted else plain
            if sheet not in p.sheet_names:
                p.add(wb_part, f"defined name {name!r} refers to sheet {sheet!r}, which does not exist")
    for (name, scope), n in names.items():
        if n > 1:
            p.add(wb_part, f"defined name {name!r} defined {n} times in one scope")


def _shared_strings(p: _Package) -> list[str]:
    part = next(iter(p.by_type("sharedStrings+xml")), None)
    if part is None:
        return []
    root = p.xml.get(part)
    if root is None:
        return []
    strings = ["".join(si.itertext()) for si in root.iterfind(f"{{{NS['main']}}}si")]
    p.sst_part = part
    p.sst_root = root
    for text in strings:
        n = utf16_len(decode_escapes(text))
        if n > EXCEL_CELL_MAX:
            p.add(part, f"a string of {n} UTF-16 units; Excel holds at most {EXCEL_CELL_MAX} in a cell")
    for text, n in Counter(strings).items():
        if n > 1:
            p.add(part, f"{text[:40]!r} is in the table {n} times")
    if root.get("uniqueCount") is not None and int(root.get("uniqueCount")) != len(strings):
        p.add(part, f"uniqueCount is {root.get('uniqueCount')} but the table holds {len(strings)} strings")
    return strings


def _cells_and_strings(p: _Package) -> None:
    if not hasattr(p, "sheet_parts"):
        return
    strings = _shared_strings(p)
    m = f"{{{NS['main']}}}"
    used = 0
    for sheet, part in p.sheet_parts.items():
        root = p.xml.get(part)
        if root is None or root.tag != f"{m}worksheet":
            continue
        last_row = 0
        for row in root.iterfind(f"{m}sheetData/{m}row"):
            r = int(row.get("r", last_row + 1))
            if r <= last_row:
                p.add(part, f"row {r} after row {last_row}")
            last_row = r
            last_col = 0
            for c in row.iterfind(f"{m}c"):
                ref = c.get("r")
                pos = parse_ref(ref) if ref else (r, last_col + 1)
                if pos is None:
                    p.add(part, f"cell reference {ref!r} is not valid")
                    continue
                if pos[0] != r:
                    p.add(part, f"cell {ref} is in row {r}")
                if pos[1] <= last_col:
                    p.add(part, f"cell {ref} is not to the right of the cell before it in row {r}")
                last_col = pos[1]
                kind = c.get("t", "n")
                if kind == "s":
                    used += 1
                    v = c.findtext(f"{m}v")
                    if v is None or not v.isdigit() or int(v) >= len(strings):
                        p.add(part, f"cell {ref} uses shared string {v}, which is not in the table")
                elif kind == "inlineStr":
                    text = "".join(c.find(f"{m}is").itertext()) if c.find(f"{m}is") is not None else ""
                    n = utf16_len(decode_escapes(text))
                    if n > EXCEL_CELL_MAX:
                        p.add(part, f"cell {ref} holds {n} UTF-16 units; Excel holds at most {EXCEL_CELL_MAX}")
                f = c.findtext(f"{m}f")
                if f and len(f) > EXCEL_FORMULA_MAX:
                    p.add(part, f"cell {ref}: a formula of {len(f)} characters")
        _validations(p, part, root)
        for hf in root.iterfind(f"{m}headerFooter/*"):
            n = utf16_len(decode_escapes(hf.text or ""))
            if n > HEADER_FOOTER_MAX:
                p.add(part, f"{etree.QName(hf).localname} is {n} UTF-16 units; Excel allows {HEADER_FOOTER_MAX}")
    sst = getattr(p, "sst_root", None)
    if sst is not None and sst.get("count") is not None and int(sst.get("count")) != used:
        p.add(p.sst_part, f"count is {sst.get('count')} but {used} cells use the table")


def _validations(p: _Package, part: str, root) -> None:
    m = f"{{{NS['main']}}}"
    dvs = root.find(f"{m}dataValidations")
    if dvs is None:
        return
    items = dvs.findall(f"{m}dataValidation")
    if dvs.get("count") is not None and int(dvs.get("count")) != len(items):
        p.add(part, f"dataValidations count is {dvs.get('count')} for {len(items)} validations")
    for dv in items:
        where = dv.get("sqref", "?")
        for ref in where.split():
            if not all(parse_ref(x) for x in ref.split(":")):
                p.add(part, f"validation range {ref!r} is not valid")
        for tag in ("formula1", "formula2"):
            text = dv.findtext(f"{m}{tag}")
            if text is not None and len(text) > 255:
                p.add(part, f"validation {where}: {tag} is {len(text)} characters; Excel allows 255")
        for attr, limit in (("promptTitle", 32), ("errorTitle", 32), ("prompt", 255), ("error", 255)):
            n = utf16_len(dv.get(attr, ""))
            if n > limit:
                p.add(part, f"validation {where}: {attr} is {n} UTF-16 units; Excel allows {limit}")


def _styles(p: _Package) -> None:
    part = next(iter(p.by_type("styles+xml")), None)
    if part is None:
        return
    m = f"{{{NS['main']}}}"
    root = p.xml[part]
    for el in root:
        if el.get("count") is not None and int(el.get("count")) != len(el):
            p.add(part, f"{etree.QName(el).localname} count is {el.get('count')} for {len(el)} entries")
    xfs = len(root.findall(f"{m}cellXfs/{m}xf"))
    for part_name in getattr(p, "sheet_parts", {}).values():
        sheet = p.xml.get(part_name)
        if sheet is None:
            continue
        for el in sheet.iter(f"{m}c", f"{m}row", f"{m}col"):
            s = el.get("s") if el.tag != f"{m}col" else el.get("style")
            if s is not None and int(s) >= xfs:
                p.add(part_name, f"style {s} used, but there are {xfs} cell formats")


def _custom_properties(p: _Package) -> None:
    for part in p.by_type("custom-properties+xml"):
        props = list(p.xml[part])
        pids = [prop.get("pid") for prop in props]
        for prop in props:
            if prop.get("fmtid") != CUSTOM_FMTID:
                p.add(part, f"property {prop.get('name')!r} has fmtid {prop.get('fmtid')}")
            if not (prop.get("pid") or "").isdigit() or int(prop.get("pid")) < 2:
                p.add(part, f"property {prop.get('name')!r} has pid {prop.get('pid')}; ids start at 2")
        for pid, n in Counter(pids).items():
            if n > 1:
                p.add(part, f"pid {pid} used {n} times")
        for name, n in Counter((prop.get("name") or "").casefold() for prop in props).items():
            if n > 1:
                p.add(part, f"property name {name!r} used {n} times")


def _cell_texts(p: _Package, part: str) -> dict[tuple[int, int], str]:
    m = f"{{{NS['main']}}}"
    strings = ["".join(si.itertext()) for si in p.sst_root.iterfind(f"{m}si")] if hasattr(p, "sst_root") else []
    out = {}
    for c in p.xml[part].iterfind(f"{m}sheetData/{m}row/{m}c"):
        pos = parse_ref(c.get("r", ""))
        if pos is None:
            continue
        if c.get("t") == "s":
            out[pos] = decode_escapes(strings[int(c.findtext(f"{m}v"))])
        elif c.get("t") == "inlineStr":
            out[pos] = decode_escapes("".join(c.find(f"{m}is").itertext()))
        elif c.findtext(f"{m}v") is not None:
            out[pos] = c.findtext(f"{m}v")
    return out


def _tables(p: _Package) -> None:
    m = f"{{{NS['main']}}}"
    for sheet, part in getattr(p, "sheet_parts", {}).items():
        for rid, (rtype, target) in p.rels(part).items():
            if not rtype.endswith("/table") or target not in p.xml:
                continue
            table = p.xml[target]
            ref = table.get("ref", "")
            ends = [parse_ref(x) for x in ref.split(":")]
            if len(ends) != 2 or None in ends:
                p.add(target, f"table ref {ref!r} is not a range")
                continue
            (r1, c1), (r2, c2) = ends
            columns = [tc.get("name", "") for tc in table.iterfind(f"{m}tableColumns/{m}tableColumn")]
            if len(columns) != c2 - c1 + 1:
                p.add(target, f"{len(columns)} columns for a range {c2 - c1 + 1} wide")
            if len({c.casefold() for c in columns}) != len(columns):
                p.add(target, "column names are not unique")
            if table.get("headerRowCount", "1") != "0":
                cells = _cell_texts(p, part)
                for i, name in enumerate(columns):
                    if cells.get((r1, c1 + i), "") != name:
                        p.add(target, f"column {name!r} but the header cell holds {cells.get((r1, c1 + i))!r}")


def _comments(p: _Package) -> None:
    for sheet, part in getattr(p, "sheet_parts", {}).items():
        rels = p.rels(part).values()
        comments = [t for ty, t in rels if ty.endswith("/comments")]
        vml = [t for ty, t in rels if ty.endswith("/vmlDrawing")]
        for cpart in comments:
            root = p.xml.get(cpart)
            if root is None:
                continue
            m = f"{{{NS['main']}}}"
            authors = len(root.findall(f"{m}authors/{m}author"))
            refs = []
            for c in root.iterfind(f"{m}commentList/{m}comment"):
                pos = parse_ref(c.get("ref", ""))
                if pos is None:
                    p.add(cpart, f"comment reference {c.get('ref')!r} is not valid")
                    continue
                refs.append(pos)
                if not c.get("authorId", "").isdigit() or int(c.get("authorId")) >= authors:
                    p.add(cpart, f"comment {c.get('ref')} has author {c.get('authorId')} of {authors}")
            shapes = set()
            for vpart in vml:
                vroot = p.xml.get(vpart)
                if vroot is None:
                    continue
                for data in vroot.iter(f"{{{NS['x']}}}ClientData"):
                    if data.get("ObjectType") != "Note":
                        continue
                    try:
                        shapes.add((int(data.findtext(f"{{{NS['x']}}}Row")) + 1,
                                    int(data.findtext(f"{{{NS['x']}}}Column")) + 1))
                    except (TypeError, ValueError):
                        p.add(vpart, "a note shape without a row and column")
            missing = [r for r in refs if r not in shapes]
            if missing:
                p.add(cpart, f"{len(missing)} comment(s) without a note shape in the VML drawing")


# --------------------------------------------------------------------------- what Excel sees


def sheet_xml(path, sheet_name: str):
    """A sheet's parsed XML and the package's cell formats (cellXfs)."""
    p = _Package(path)
    _content_types(p)
    _workbook(p)
    styles = p.xml[next(iter(p.by_type("styles+xml")))]
    m = f"{{{NS['main']}}}"
    return p.xml[p.sheet_parts[sheet_name]], styles.findall(f"{m}cellXfs/{m}xf")


def locked_cells(path, sheet_name: str, refs) -> dict[str, bool]:
    """Whether Excel treats each cell as locked, resolving the cell's own format, then
    its row's, then its column's, as Excel does for a cell that is not written."""
    m = f"{{{NS['main']}}}"
    root, xfs = sheet_xml(path, sheet_name)
    cells = {c.get("r"): c.get("s") for c in root.iterfind(f"{m}sheetData/{m}row/{m}c")}
    rows = {int(r.get("r")): r.get("s") for r in root.iterfind(f"{m}sheetData/{m}row")
            if r.get("customFormat") in ("1", "true")}
    cols = [(int(c.get("min")), int(c.get("max")), c.get("style")) for c in root.iterfind(f"{m}cols/{m}col")]

    def locked(style) -> bool:
        prot = xfs[int(style or 0)].find(f"{m}protection")
        return prot is None or prot.get("locked") not in ("0", "false")

    out = {}
    for ref in refs:
        row, col = parse_ref(ref)
        if ref in cells:
            style = cells[ref]
        elif row in rows:
            style = rows[row]
        else:
            style = next((s for lo, hi, s in cols if lo <= col <= hi), None)
        out[ref] = locked(style)
    return out


def cell_texts(path, sheet_name: str) -> dict[str, str]:
    """{A1 reference: the text Excel shows} for a sheet's cells, _xHHHH_ decoded as Excel does."""
    from openpyxl.utils import get_column_letter

    p = _Package(path)
    _content_types(p)
    _workbook(p)
    _shared_strings(p)
    return {f"{get_column_letter(c)}{r}": text for (r, c), text in _cell_texts(p, p.sheet_parts[sheet_name]).items()}


def _internal(root, folder: str):
    """Each internal relationship of a .rels part with its target resolved from `folder`."""
    for rel in root:
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        yield rel, (target.lstrip("/") if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target)))
