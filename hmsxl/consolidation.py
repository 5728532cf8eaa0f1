"""`hmsxl consolidate`: every returned workbook into one unit-wide result for LAMU.

Inputs are collected and read by `inputs`. Then one file per section is chosen (the
newest save), and each schema sheet's records become one consolidated table, built the
same way for every sheet from its `table_columns`: which section, the sheet's own
columns, derived columns (overdue, ...), the leader's words where the reader corrected a
value, the file and the source cell. The pivots (overview, God BHT summary) are built
from those tables.

Nothing is lost on the way: every input is listed in `sources` (used, duplicate,
rejected, skipped, and why), every problem in `problems`, the rows of files not used are
listed in `problems` with their values, and every table reconciles: rows read = rows
reported + rows not used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import operator
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import labels, xmltext
from .arguments import day_arg, paths_arg, unit_arg
from .config import Unit, safety_round_activity
from .errors import HmsxlError
from .fields import Level, as_text, cell_index, is_empty, nordic_key
from .inputs import NoInputError, SourceResult, collect, read_sources
from .meaning import DEFAULT_RISK, Meaning
from .problems import PROBLEMS_PER_KIND, left_out, problem, severity_counts, text_cut
from .safety import SKIPPED_CODES
from .schema import (ALL_SHEETS, MISSING_TABLE, OVERVIEW_TABLE, PROBLEMS_TABLE, SOURCES_TABLE, Schema, Sheet,
                     schema_for, schema_of)
from .sheetrows import is_missing
from .wheel import occurrence_of, year_occurrences

R = labels.section("REPORT")
# A file with one of these problems belongs to another unit or year, or cannot be trusted.
WRONG_CODES = {"wrong_unit", "wrong_year", "unknown_section", "template_too_new"}
# Forfalt: the overdue actions by leader, for reminders (columns of the actions table).
# A status the reader could not use ("Ferdig") shows why its action counts as overdue.
OVERDUE_KEYS = ("leader", "section", "challenge", "measure", "responsible", "deadline", "days_late", "status",
                "row_errors", "original", "source")
GODBHT_HALF = 0.5  # a section's God BHT mean is shown once at least this share of levels is filled

class OutputNameError(HmsxlError):
    """A report path whose name says it is not an Excel workbook."""

    exit_code = 2


def check_outputs(report, pdf=None, csv_dir=None) -> None:
    """The report, its PDF and the CSV folder are three places, each where it can be
    written: refused before anything is read otherwise."""
    given = [p for p in (report, pdf, csv_dir) if p is not None]
    real = [os.path.realpath(p) for p in given]
    for i, a in enumerate(real):
        for j in range(i):
            if a == real[j] or a.startswith(real[j] + os.sep) or real[j].startswith(a + os.sep):
                raise OutputNameError(labels.ERRORS["outputs_same"].format(a=given[j], b=given[i]))
    for path in (report, pdf):
        parent = Path(path).parent if path is not None else None
        while parent is not None and not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if parent is not None and parent.exists() and not parent.is_dir():
            raise OutputNameError(labels.ERRORS["is_file"].format(path=parent))
    if csv_dir is not None and Path(csv_dir).exists() and not Path(csv_dir).is_dir():
        raise OutputNameError(labels.ERRORS["is_file"].format(path=csv_dir))


def check_report_name(path, suffix: str = ".xlsx") -> None:
    """An .xlsx (or .pdf) under another name opens nowhere: refuse it before anything is read."""
    if Path(path).suffix.lower() != suffix:
        raise OutputNameError(labels.ERRORS["report_suffix" if suffix == ".xlsx" else "pdf_suffix"].format(path=path))


__all__ = ["Consolidation", "NoInputError", "carry_over", "consolidate"]


@dataclass
class Consolidation:
    """The unit-wide result. Every table is a pandas DataFrame; see `write_excel` and `to_csv`.

    `tables` holds one consolidated table per schema sheet (`actions`, `wheel`, `godbht`,
    `annual` are those); `overview`, `overdue`, `godbht` (the unit's profile per element),
    `problems`, `missing` and `sources` are built from them.
    """

    unit: Unit | None
    today: dt.date
    schema: Schema
    tables: dict
    overview: object
    overdue: object
    godbht: object
    problems: object
    missing: object
    sources: object
    reconciliation: dict
    unit_name: str = ""  # the unit's, or what the files said without one
    year: int | None = None
    workbook_lists: dict = field(default_factory=dict)  # without a unit: the lists the workbooks carried
    language: str = labels.DEFAULT_LANGUAGE  # the report's: the unit's, else the one in force
    risk: tuple = DEFAULT_RISK  # where a risk is medium and high: the unit's, else most workbooks'
    # Each problem's message as data (in the order of `problems`): a reminder tells a
    # section its problems in the section's language.
    problem_messages: list = field(default_factory=list)
    inputs: tuple = ()  # the paths read: what the report and the CSV may never replace

    @property
    def actions(self):
        return self.tables["actions"]

    @property
    def wheel(self):
        return self.tables["wheel"]

    @property
    def godbht_sections(self):
        return self.tables["godbht"]

    @property
    def annual(self):
        return self.tables["annual"]

    @property
    def lists(self) -> dict:
        if self.unit:
            return self.unit.lists()
        return {**labels.DEFAULT_LISTS, "yes_no": labels.YES_NO, **{k: v for k, v in self.workbook_lists.items() if v}}

    @property
    def serious(self):
        """The vernerunde's high-risk findings still open past their deadline (rows of the
        Vernerunder table), what LAMU must see first; None without a Vernerunde sheet."""
        findings = self.tables.get("safety_round")
        if findings is None:
            return None
        high = labels.catalog(self.language).REPORT["risk_high"]  # the level as this table wrote it
        return findings[(findings["risk_level"] == high) & findings["finding_overdue"].astype(bool)]

    def serious_findings(self) -> dict[str, int]:
        """How many `serious` findings per section (by name)."""
        serious = self.serious
        return dict(Counter(serious["section"])) if serious is not None else {}

    def severity_counts(self) -> Counter:
        """How many errors and warnings the files used have: Oversikt's columns summed (a
        file not used is listed in Kilder with why; a row standing for more of its kind
        left out of the list counts as those)."""
        return +Counter({severity: sum(n for n in self.overview[column] if n)
                         for severity, column in (("error", "errors"), ("warning", "warnings"))})

    def write_excel(self, path) -> Path:
        from .inputs import refuse_outputs_over_inputs, refuse_writing_over_unit
        from .report import write_report

        check_report_name(path)
        refuse_writing_over_unit(path, self.unit)
        refuse_outputs_over_inputs(self.inputs, files=[path])
        with labels.language(self.language):
            return write_report(self, path)

    def write_pdf(self, path, report=None) -> Path:
        """The report as PDF, printed by LibreOffice (see `hmsxl.pdf`): from the xlsx report
        at `report` when it is written already, else from one made for it."""
        import tempfile

        from .inputs import refuse_outputs_over_inputs, refuse_writing_over_unit
        from .pdf import xlsx_to_pdf

        check_report_name(path, ".pdf")
        refuse_writing_over_unit(path, self.unit)
        refuse_outputs_over_inputs(self.inputs, files=[path])
        with labels.language(self.language):
            if report is not None:
                return xlsx_to_pdf(report, path)
            with tempfile.TemporaryDirectory(prefix="hmsxl-") as tmp:
                return xlsx_to_pdf(self.write_excel(Path(tmp) / "rapport.xlsx"), path)

    def to_csv(self, directory) -> list[Path]:
        from .inputs import refuse_outputs_over_inputs
        from .report import write_csv

        refuse_outputs_over_inputs(self.inputs, folders=[directory])
        with labels.language(self.language):
            return write_csv(self, directory)


# --------------------------------------------------------------------------- derived columns


def _overdue(row, m: Meaning):
    return m.action_overdue(row)


def _days_late(row, m: Meaning):
    return (m.today - row["deadline"]).days if row.get("overdue") else None


def _state(row, m: Meaning):
    """An årshjul activity: done (status or a done date), not applicable, overdue or open."""
    return R["wheel_" + m.wheel_state(row)]


def _risk_level(row, m: Meaning):
    level = m.risk_level(row.get("risk"))
    return R[f"risk_{level}"] if level else None


def _finding_open(row, m: Meaning):
    return not isinstance(row.get("closed"), dt.date)


def _finding_overdue(row, m: Meaning):
    return m.finding_overdue(row)


# Each derived column of schema.DERIVED_COLUMNS, computed in this order from the row so far.
DERIVE = {"overdue": _overdue, "days_late": _days_late, "state": _state, "risk_level": _risk_level,
          "finding_open": _finding_open, "finding_overdue": _finding_overdue}


# --------------------------------------------------------------------------- the tables


class _Plan:
    """How one schema sheet's records become rows of its consolidated table."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.own = [c.key for c in sheet.columns if c.in_report]  # computed ones too: the reader computed them
        self.dates = {c.key for c in sheet.columns if c.field.report_kind == "date"}
        self.labels = {c.key: c.label for c in sheet.columns}
        self.derive = [(k, DERIVE[k]) for k in sheet.derived]
        self.source_key = next((c.key for c in sheet.input_columns), sheet.columns[0].key)
        self.columns = [c.key for c in sheet.table_columns]
        self.as_tuple = operator.itemgetter(*self.columns)
        # Where the leader's own columns are in a row: to list a row not used, with its values.
        self.inputs = [(self.columns.index(c.key), c.label) for c in sheet.input_columns]

    def source(self, data) -> str:
        """Where a row of this sheet comes from in `data`, but for its number ("Tiltak!B"):
        the sheet as the leader's workbook names it, and the column found there."""
        return f"{data.sheets.get(self.sheet.key) or self.sheet.name}!{data.cell(self.sheet, self.source_key, '')}"

    def row(self, rec: dict, data, context: dict, file: str, meaning: Meaning, errors: dict,
            cuts: list | None = None, source: str | None = None) -> tuple:
        """The record as a row of the table; a cut of the leader's words noted in `cuts`
        as (the row's source cell, the whole text). `source` is `self.source(data)`, made
        once for all the rows of a file."""
        row = dict(context)
        for key in self.own:
            value = rec.get(key)
            if key in self.dates and isinstance(value, dt.datetime):
                value = value.date()
            row[key] = value
        for key, fn in self.derive:
            row[key] = fn(row, meaning)
        orig, extra = rec.get("_orig"), rec.get("_extra")
        if orig or extra:
            words = [f"{self.labels[k]}: {labels.quote(t)}" for k, t in (orig or {}).items()]
            words += [f"{h}: {labels.quote(t)}" for h, t in (extra or {}).items()]
            text = "; ".join(words)
            # No more than a cell shows: a row of many long texts would otherwise carry
            # megabytes from the worker, for the report to cut anyway.
            row["original"] = _fit(text)
        else:
            text = row["original"] = None
        wrong = errors.get(rec["_row"])
        row["row_errors"] = ", ".join(self.labels[k] for k in self.columns if k in wrong) if wrong else None
        row["file"] = file
        # Where the leader will find it: the sheet as their workbook names it.
        row["source"] = (source or self.source(data)) + str(rec["_row"])
        if text is not None and row["original"] is not text and cuts is not None:
            cuts.append((row["source"].rsplit("!", 1)[-1], text))
        return self.as_tuple(row)


def _fit(text: str) -> str:
    """`text` cut to what an Excel cell holds, with the visible mark (the same object when
    it fits); only the part that can be kept is measured."""
    if len(text) > xmltext.CELL_MAX:  # cut whatever the characters: measure no more than is kept
        return xmltext.fit(text[:xmltext.CELL_MAX + 1], xmltext.CELL_MAX, R["cut_mark"])
    return xmltext.fit(text, xmltext.CELL_MAX, R["cut_mark"])


class Tabulator:
    """Turns the records read from a workbook into the rows of the consolidated tables:
    tuples in the order of each sheet's `table_columns`.

    It runs in the reading workers, so that what comes back to the main process is the
    rows of the report, not the records they were made from."""

    def __init__(self, schema: Schema, config: Unit | None, today: dt.date):
        self.today = today
        self.config = config
        self.meaning = Meaning.of(config.lists() if config else dict(labels.DEFAULT_LISTS), today,
                                  config.risk if config else None)
        self.sections = {s.id: (s.name, s.leader) for s in config.sections} if config else {}
        self.plans = {sheet.key: _Plan(sheet) for sheet in schema.sheets}
        self._names: dict = {}

    def names(self, sheet: Sheet, sid: str) -> dict:
        """A keyed sheet's pre-filled texts (element, question, activity...) by row key, in
        the report's language: a section that answered in another language reads them in
        its own, and the report shows them in one."""
        if not sheet.key_column or sheet.rows is None:
            return {}
        slot = (sheet.key, sid if sheet.key == "wheel" else "")
        if slot not in self._names:
            occurrences = None
            if self.config is not None and self.config.has_section(sid):
                occurrences = year_occurrences(self.config, sid)
            rows = sheet.rows(sheet, self.config, occurrences) or ()
            shown = [c.key for c in sheet.columns if not c.input and c.key != sheet.key_column and c.in_report]
            self._names[slot] = {row["key"]: {k: row[k] for k in shown if k in row} for row in rows}
        return self._names[slot]

    def context(self, sid: str, data=None) -> dict:
        """Which section: from the unit, else from what the workbook's hidden sheet says."""
        if sid in self.sections or data is None:
            name, leader = self.sections.get(sid, (sid, ""))
        else:
            name = as_text(data.identity.get("section_name", "")) or sid
            leader = as_text(data.identity.get("leader", ""))
        return {"section_id": sid, "section": name, "leader": leader}

    def meaning_of(self, data) -> Meaning:
        """What statuses mean for this workbook: the unit's lists, else its own."""
        if self.config is not None or not data.lists:
            return self.meaning
        return Meaning.of(data.lists, self.today, data.risk)

    def rows(self, data, file: str) -> dict[str, list[tuple]]:
        context, meaning = self.context(data.section_id or "", data), self.meaning_of(data)
        errors = _errors_by_row(data)
        sid = data.section_id or ""
        out = {}
        for key, plan in self.plans.items():
            names = self.names(plan.sheet, sid)
            cuts: list = []
            records = data.tables.get(key, ())
            source = plan.source(data) if records else None
            out[key] = [plan.row({**rec, **names.get(rec.get("key"), {})} if names else rec, data, context, file,
                                 meaning, errors.get(key, {}), cuts, source) for rec in records]
            _cut_problems(data, file, data.sheets.get(key, plan.sheet.name), cuts)
        return out


def _cut_problems(data, file: str, sheet: str, cuts: list):
    """The leader's words cut to a cell's length, as the report lists its own cuts: in
    Problemer, at the row's cell (as many as of any other kind, and how many more)."""
    field = labels.REPORT_COLUMNS["original"]
    found = [text_cut(text, file=file, sheet=sheet, cell=cell, field=field) for cell, text in cuts[:PROBLEMS_PER_KIND + 1]]
    data.problems.extend(found[:PROBLEMS_PER_KIND])
    if len(cuts) > PROBLEMS_PER_KIND:
        data.problems.append(left_out(found[PROBLEMS_PER_KIND], len(cuts) - PROBLEMS_PER_KIND, PROBLEMS_PER_KIND))


def _errors_by_row(data) -> dict[str, dict[int, set]]:
    """Per sheet key and Excel row: the column keys with an error there."""
    by_name = {name: key for key, name in data.sheets.items()}
    found: dict[str, dict[int, str]] = {}  # per sheet key: column index -> column key
    at: dict[str, dict[int, set]] = {}
    cells = [(p.sheet, p.cell) for p in data.problems if p.severity == "error" and p.cell] + data.errors_left_out
    for sheet, cell in cells:
        key = by_name.get(sheet)
        if key is None:
            continue
        col, row = cell_index(cell)
        if key not in found:
            found[key] = {i: k for k, i in data.columns.get(key, {}).items()}
        column = found[key].get(col)
        if column is not None:
            at.setdefault(key, {}).setdefault(row, set()).add(column)
    return at


class _Table:
    """One consolidated table being gathered: the rows of the files used, and counts."""

    def __init__(self, plan: _Plan):
        self.plan = plan
        self.rows: list[tuple] = []
        self.read = self.rejected = 0

    def rejected_rows(self, rows: list[tuple], file: str, sid: str, reason: str) -> list[tuple]:
        """A file not used: each row a leader wrote in is listed in Problemer with its values
        (as many as of any other kind of problem, and how many more)."""
        out, more, first = [], 0, None
        source = len(self.plan.columns) - 1
        # The leader's own words too: text in a column of their own, a value written over a
        # computed cell, what the reader corrected.
        original = self.plan.columns.index("original")
        for row in rows:
            self.rejected += 1
            said = [f"{label}: {as_text(row[i])}" for i, label in self.plan.inputs if not is_empty(row[i])]
            values = "; ".join(said + ([row[original]] if row[original] else []))
            if not values:
                continue
            if first is None:
                p = problem("row_rejected", file=file, sheet=self.plan.sheet.name,
                            cell=row[source].rsplit("!", 1)[-1], reason=reason, values=values, value=values)
                if len(out) < PROBLEMS_PER_KIND:
                    out.append(_problem_row(p, sid))
                    continue
                first = p
            more += 1
        if first is not None:
            out.append(_problem_row(left_out(first, more, PROBLEMS_PER_KIND), sid))
        return out

    def frame(self, order: dict):
        import pandas as pd

        self.rows.sort(key=lambda row: order.get(row[0], len(order)))
        # Object columns keep each value as read: a whole number stays an int beside empty cells.
        return pd.DataFrame(self.rows, columns=self.plan.columns, dtype=object)


def consolidate(paths, config: Unit | None = None, today: dt.date | None = None, password: str | None = None,
                workers: int | None = None, progress=None, schema: Schema | None = None) -> Consolidation:
    """Read every returned workbook under `paths` and consolidate them.

    `config` (a Unit) names the sections that should have answered, checks each file's
    unit and year, and supplies the lists; `today` decides what is overdue;
    `progress(done, total)` is called after each file is read. The result is in the
    unit's language (without a unit, the language in force), whatever language each
    section answered in. Raises `NoInputError` when the paths hold nothing to read.
    """
    paths, config, today = paths_arg(paths), unit_arg(config), day_arg(today)
    language = config.language if config else labels.current().language
    # Without a unit, each workbook is read with the sheets it says it has (a Danish one's
    # drøftelse, a unit's without God BHT), and the report has every sheet they have.
    own = schema is None and config is None
    schema = schema or schema_for(config)
    with labels.language(language):
        today = today or dt.date.today()
        sources, skipped = collect(paths, password=password)
        if not sources and not skipped:
            raise NoInputError(labels.ERRORS["no_files"].format(paths=", ".join(str(p) for p in paths)))
        tabulator = Tabulator(schema_of(ALL_SHEETS) if own else schema, config, today)
        results = list(read_sources(sources, config, today, password, workers, progress,
                                    schema=None if own else schema, tabulate=tabulator, meanwhile=_import_pandas,
                                    language=language))
        if own:
            schema = _sheets_read(results)
        status, chosen = _choose(results, config)
        result = _Consolidator(config, today, schema, tabulator).run(results, skipped, status, chosen)
        result.inputs = tuple(paths)
        return result


def _sheets_read(results) -> Schema:
    """The sheets the workbooks were made with (as their hidden sheets say, or as read), in
    hmsxl's order; hmsxl's own when none says."""
    keys = set()
    for r in results:
        if r.data is not None:
            keys |= set(filter(None, as_text(r.data.identity.get("sheets", "")).split(",")))
            keys |= {k for k, rows in (r.data.rows or r.data.tables).items() if rows}
    return schema_of([k for k in ALL_SHEETS if k in keys]) if keys else schema_for(None)


def _import_pandas():
    """pandas takes a quarter of a second to import: done while the workers read."""
    importlib.import_module("pandas")


def _choose(results: list[SourceResult], config=None):
    """One file per section: the newest save (then e-mail date; of files saved at the same
    time or not saying when, the one most filled in; then input order); why the others are not used."""
    candidates: dict[str, list[SourceResult]] = {}
    status: dict[int, tuple[str, str]] = {}
    # Without a unit to check against: the unit and year most files are for decide, and a
    # file for another (last year's, next year's blank) is not a newer answer.
    said = Counter((r.data.unit, r.data.year) for r in results if r.data is not None and r.data.year)
    main = said.most_common(1)[0][0] if said and not config else None
    for r in results:
        if r.data is None:
            status[r.index] = (R["status_skipped"] if r.error_code in SKIPPED_CODES else R["status_rejected"], r.error)
        elif {p.code for p in r.data.problems} & WRONG_CODES:
            status[r.index] = (R["status_rejected"], R["reason_wrong"])
        elif main and r.data.year and (r.data.unit, r.data.year) != main:
            status[r.index] = (R["status_rejected"], R["reason_not_most"].format(
                unit=r.data.unit or "?", year=r.data.year, main_unit=main[0] or "?", main_year=main[1]))
        elif not r.data.section_id:
            status[r.index] = (R["status_rejected"], R["reason_no_section"])
        elif any(p.code == "workbook_empty" for p in r.data.problems):  # sent back as it was sent out
            status[r.index] = (R["status_rejected"], R["reason_empty"])
        else:
            candidates.setdefault(r.data.section_id, []).append(r)
    chosen: dict[str, SourceResult] = {}
    for sid, group in candidates.items():
        # The newest save (then the newest e-mail). Files saved at the same time, or that do
        # not say when, are not older than it: of those, the one most filled in.
        dated = [r for r in group if r.data.saved_at]
        newest = max(dated, key=lambda r: (r.data.saved_at, r.source.sent_at, r.index)) if dated else None
        when = (newest.data.saved_at, newest.source.sent_at) if newest else None
        pool = [r for r in group if not r.data.saved_at or (r.data.saved_at, r.source.sent_at) == when]
        filled = {r.index: _filled(r) for r in pool} if len(pool) > 1 else {}
        chosen[sid] = used = max(pool, key=lambda r: (filled.get(r.index, 0), r.source.sent_at, r.index))
        status[used.index] = (R["status_used"], "")
        for other in group:
            if other is used:
                continue
            if other.index not in filled:
                why = "reason_duplicate"
            else:  # as much filled in: input order chose, and the advisor should look
                why = "reason_duplicate_equal" if filled[other.index] == filled[used.index] else "reason_duplicate_tie"
            status[other.index] = (R["status_duplicate"], R[why].format(newer=used.source.name))
    return status, chosen


def _filled(r: SourceResult) -> int:
    """How many cells of a file's tables hold something."""
    tables = r.data.rows if r.data.rows is not None else r.data.tables
    return sum(not is_empty(v) for rows in tables.values() for row in rows
               for v in (row.values() if isinstance(row, dict) else row))


class _Consolidator:
    def __init__(self, config: Unit | None, today: dt.date, schema: Schema, tabulator: Tabulator | None = None):
        self.config = config
        self.today = today
        self.schema = schema
        self.tabulator = tabulator or Tabulator(schema, config, today)
        self.meaning = self.tabulator.meaning
        self.builders = {key: _Table(plan) for key, plan in self.tabulator.plans.items()
                         if key in {s.key for s in schema.sheets}}
        self.identities: dict = {}  # section id -> the data of the file used (its hidden sheet)
        self.meanings: dict = {}  # section id -> what its statuses mean

    def context(self, sid: str) -> dict:
        return self.tabulator.context(sid, self.identities.get(sid))

    def run(self, results, skipped, status, chosen) -> Consolidation:
        import pandas as pd

        for sid, r in chosen.items():
            self.identities[sid] = r.data
            self.meanings[sid] = self.tabulator.meaning_of(r.data)
        problem_rows, source_rows = [], []
        for r in results:
            st, reason = status[r.index]
            d = r.data
            sid = (d.section_id or "") if d else ""
            if d is None and r.error_code in SKIPPED_CODES:
                pass  # not an answer, and nothing wrong with it: listed in the sources only
            elif d is None:
                problem_rows.append(("error", r.source.name, "", "", "", "", "", str(r.error), r.error_code, r.error))
            else:
                rows = d.rows if d.rows is not None else self.tabulator.rows(d, r.source.name)
                problem_rows.extend(_problem_row(p, sid) for p in d.problems)
                for key, table in self.builders.items():
                    table.read += len(rows[key])
                    if st == R["status_used"]:
                        table.rows.extend(rows[key])
                    else:
                        problem_rows.extend(table.rejected_rows(rows[key], r.source.name, sid, str(reason or st)))
            source_rows.append(_source_row(r, st, reason))
        for s in skipped:
            source_rows.append({"file": s.name, "sha256": "", "size": None, "sender": "", "kind": "", "unit": "",
                                "year": "", "section_id": "", "saved_at": "",
                                "status": R["status_rejected"] if s.unreadable else R["status_skipped"],
                                "reason": str(s.reason)})

        # Sections in the config's order (else by id), rows in sheet order within a section.
        expected = [s.id for s in self.config.sections] if self.config else sorted(chosen)
        order = {sid: i for i, sid in enumerate(expected)}
        tables = {key: b.frame(order) for key, b in self.builders.items()}
        # Worst first, then by file and sheet (stable: cells stay in the order they were read).
        rank = {"error": 0, "warning": 1, "info": 2}
        problem_rows.sort(key=lambda row: (rank.get(row[0], 3), row[1], row[3]))
        problems = pd.DataFrame([row[:-1] for row in problem_rows], columns=_keys(PROBLEMS_TABLE))
        messages = [row[-1] for row in problem_rows]
        sources = pd.DataFrame(source_rows, columns=_keys(SOURCES_TABLE), dtype=object)
        actions = tables.get("actions")
        overdue = _overdue_view(actions) if actions is not None else None
        missing = pd.DataFrame([
            {"section_id": s.id, "section": s.name, "leader": s.leader, "email": s.email}
            for s in (self.config.sections if self.config else ()) if s.id not in chosen
        ], columns=_keys(MISSING_TABLE))
        reconciliation = {
            "tables": {key: {"read": b.read, "reported": len(tables[key]), "rejected": b.rejected}
                       for key, b in self.builders.items()},
            # Read means read as a section's answer; skipped is everything else let be.
            "files": sum(r.error_code not in SKIPPED_CODES for r in results),
            "skipped": len(skipped) + sum(r.error_code in SKIPPED_CODES for r in results), "answered": len(chosen), "sections": len(expected),
        }
        # The action plan's figures, which the overview and the command line show.
        act = reconciliation["tables"].get("actions", {"read": 0, "reported": 0, "rejected": 0})
        reconciliation.update(rows_read=act["read"], rows_reported=act["reported"], rows_rejected=act["rejected"])
        reconciliation["balanced"] = all(t["read"] == t["reported"] + t["rejected"]
                                         for t in reconciliation["tables"].values())
        godbht_sheet = _sheet(self.schema, "godbht")
        godbht = _godbht_summary(tables["godbht"], godbht_sheet) if godbht_sheet else None
        overview = self.overview(expected, chosen, tables)
        # Without the unit's config, its name and year are what most of the files used say.
        said = Counter((d.unit, d.year) for d in self.identities.values() if d.unit)
        unit_name, year = said.most_common(1)[0][0] if said else ("", None)
        lists = {k: tuple(dict.fromkeys(v for d in self.identities.values() for v in d.lists.get(k, ())))
                 for k in ("wheel_statuses",)}
        return Consolidation(
            unit=self.config, today=self.today, schema=self.schema, tables=tables, overview=overview,
            overdue=overdue, godbht=godbht, problems=problems, missing=missing, sources=sources,
            reconciliation=reconciliation, unit_name=self.config.name if self.config else unit_name,
            year=self.config.year if self.config else year, workbook_lists=lists, problem_messages=messages,
            language=labels.current().language, risk=self.risk(),
        )

    def risk(self) -> tuple:
        if self.config is not None:
            return self.config.risk
        said = Counter(d.risk for d in self.identities.values())
        return said.most_common(1)[0][0] if said else DEFAULT_RISK

    def overview(self, expected, chosen, tables):
        """Per section: answered, file, counts. Plain aggregation over the tables: one pass each."""
        import pandas as pd

        zero = {"actions": 0, "completed": 0, "cancelled": 0, "overdue": 0, "wheel_done": 0, "wheel_due": 0,
                "fire_done": 0, "fire_due": 0, "findings_open": 0, "findings_high": 0,
                "godbht_sum": 0, "godbht_filled": 0, "errors": 0, "warnings": 0}
        answers = {"safety_round_held": None, "signed_leader": None, "signed_vo": None}
        stats = {sid: dict(zero) for sid in expected}
        if "actions" in tables:
            for sid, status, late in zip(tables["actions"]["section_id"], tables["actions"]["status"],
                                         tables["actions"]["overdue"]):
                st = stats.get(sid)
                if st is not None:
                    m = self.meanings.get(sid, self.meaning)
                    st["actions"] += 1
                    st["completed"] += status in m.done and status not in m.cancelled
                    st["cancelled"] += status in m.cancelled
                    st["overdue"] += bool(late)
        if "wheel" in tables:
            w = tables["wheel"]
            for sid, due, state in zip(w["section_id"], w["due"], w["state"]):
                st = stats.get(sid)
                # Done out of those due by now: an activity due in December does not count in June.
                if st is not None and isinstance(due, dt.date) and due <= self.today and state != R["wheel_na"]:
                    st["wheel_due"] += 1
                    st["wheel_done"] += state == R["wheel_done"]
        if "fire_rounds" in tables:
            f = tables["fire_rounds"]
            for sid, due, date in zip(f["section_id"], f["due"], f["date"]):
                st = stats.get(sid)
                if st is not None:  # done: every round dated in its year, early ones too; due: by now
                    st["fire_done"] += Meaning.round_done({"date": date, "due": due})
                    st["fire_due"] += isinstance(due, dt.date) and due <= self.today
        if "safety_round" in tables:
            s = tables["safety_round"]
            for sid, risk, is_open in zip(s["section_id"], s["risk"], s["finding_open"]):
                st = stats.get(sid)
                if st is not None and is_open:
                    st["findings_open"] += 1
                    st["findings_high"] += self.meanings.get(sid, self.meaning).risk_level(risk) == "high"
        said = {sid: dict(answers) for sid in expected}
        if "annual" in tables:
            a = tables["annual"]
            dates = {}
            for sid, key, answer in zip(a["section_id"], a["key"], a["answer"]):
                if sid in said and key in answers and not is_empty(answer):
                    # Signed: a name is given (and a date, below); the vernerunde: the answer as written.
                    said[sid][key] = answer if key == "safety_round_held" else True
                elif key in ("signed_leader_date", "signed_vo_date") and isinstance(answer, dt.date):
                    dates[sid, key[:-5]] = True
            for sid in said:  # a name without its date is not yet signed
                for key in ("signed_leader", "signed_vo"):
                    if said[sid][key] and not dates.get((sid, key)):
                        said[sid][key] = False
            # Not answered there: held if the årshjul says it was done or findings are recorded.
            held = set(tables["safety_round"]["section_id"]) if "safety_round" in tables else set()
            if "wheel" in tables:
                w, safety_id = tables["wheel"], safety_round_activity(self.config)
                held |= {sid for sid, key, state in zip(w["section_id"], w["key"], w["state"])
                         if state == R["wheel_done"] and isinstance(key, str) and occurrence_of(key, safety_id)}
            for sid in held & set(said):
                if said[sid]["safety_round_held"] is None:
                    said[sid]["safety_round_held"] = labels.YES_NO[0]
        levels = 0
        godbht_sheet = _sheet(self.schema, "godbht")
        if godbht_sheet is not None:
            keys = [c.key for c in godbht_sheet.input_columns if isinstance(c.field, Level)]
            g = tables["godbht"]
            levels = len(godbht_sheet.rows(godbht_sheet, None, None) or ()) * len(keys)
            for key in keys:
                for sid, v in zip(g["section_id"], g[key]):
                    st = stats.get(sid)
                    if st is not None and isinstance(v, int) and 1 <= v <= 4:
                        st["godbht_sum"] += v
                        st["godbht_filled"] += 1
        used_files = {sid: r.source.name for sid, r in chosen.items()}
        for sid, r in chosen.items():
            if sid in stats:
                for severity, n in severity_counts(r.data.problems).items():
                    if severity in ("error", "warning"):
                        stats[sid]["errors" if severity == "error" else "warnings"] += n
        rows = []
        for sid in expected:
            st = stats[sid]
            total, filled = st.pop("godbht_sum"), st["godbht_filled"]
            # A mean of a few levels is not the section's profile: shown from half the table.
            shown = levels and filled >= GODBHT_HALF * levels
            signed = ({k: (v if v is not None else False) if k != "safety_round_held" else v
                       for k, v in said[sid].items()} if "annual" in tables else dict(answers))
            if sid not in chosen:  # no answer is not an answer of zero actions
                st, signed = dict.fromkeys(st), dict.fromkeys(signed)
            row = {**self.context(sid), "answered": sid in chosen, "file": used_files.get(sid, ""), **st,
                   **signed, "godbht_mean": total / filled if shown and filled else None, "godbht_levels": levels}
            if sid in chosen:  # nor is a sheet taken out of the workbook one of nothing due
                had = chosen[sid].data.sheets
                row.update({c.key: None for c in OVERVIEW_TABLE
                            if c.needs and c.kind != "text" and c.needs not in had})
            rows.append(row)
        columns = _keys(OVERVIEW_TABLE)
        # Counts stay whole numbers beside the empty ones of sections that did not answer.
        return pd.DataFrame({c: pd.Series([row[c] for row in rows], dtype=object if c in zero or c in answers else None)
                             for c in columns}, columns=columns)


def _keys(table) -> list[str]:
    return [c.key for c in table]


def _problem_row(p, section_id: str) -> tuple:
    """A problem as a row of the problems table (schema.PROBLEMS_TABLE): with the file's
    section; then its message as data, to be put into words again in another language."""
    return (*p.table_row(section_id), labels.Msg("problem", p.code, p.params))


def _sheet(schema: Schema, key: str) -> Sheet | None:
    return next((s for s in schema.sheets if s.key == key), None)


def _source_row(r: SourceResult, status: str, reason: str) -> dict:
    d = r.data
    reason = str(reason)  # put into words now, in the language in force
    if r.source.places:  # the same bytes came from several places: one input, every place listed
        same = R["reason_same_bytes"].format(places="; ".join(r.source.places))
        reason = f"{reason}. {same}" if reason else same
    return {
        "file": r.source.name, "sha256": r.sha256, "size": r.size, "sender": r.source.sender,
        "kind": d.kind if d else "", "unit": (d.unit or "") if d else "", "year": (d.year or "") if d else "",
        "section_id": (d.section_id or "") if d else "", "saved_at": _shown_time(d.saved_at) if d else "",
        "status": status, "reason": reason,
    }


def _shown_time(iso: str) -> str:
    """A file's last save as people read it, in local time, the same for every kind of
    file (the reader gives it in UTC, "2026-11-23T22:06:05Z")."""
    try:
        when = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
        return (when.astimezone() if when.tzinfo else when).strftime("%Y-%m-%d %H:%M")
    except (ValueError, OverflowError, OSError):
        return iso or ""


def _overdue_view(actions):
    """The overdue actions, by leader, section and deadline in Norwegian alphabetical order."""
    late = actions.loc[actions["overdue"].astype(bool)]
    keys = [(nordic_key(leader), nordic_key(section), deadline, i) for i, (leader, section, deadline) in
            enumerate(zip(late["leader"], late["section"], late["deadline"]))]
    return late.iloc[[k[-1] for k in sorted(keys)]]


def _godbht_summary(godbht, sheet: Sheet):
    """Per element and dimension: how many answered, mean, min, max, spread; the gap between
    the dimensions. Means are kept unrounded: the report's number format rounds them."""
    import pandas as pd

    dims = [c.key for c in sheet.input_columns if isinstance(c.field, Level)]
    rows = []
    for element in sheet.rows(sheet, None, None):
        sub = godbht[godbht["key"] == element["key"]]
        row = {"key": element["key"], "number": element["number"], "group": element["group"],
               "element": element["element"]}
        for key in dims:
            dim = key.removeprefix("level_")
            values = [v for v in sub[key] if isinstance(v, int) and 1 <= v <= 4]
            n = len(values)
            row[f"n_{dim}"] = n
            row[f"mean_{dim}"] = sum(values) / n if n else None
            row[f"min_{dim}"] = min(values) if n else None
            row[f"max_{dim}"] = max(values) if n else None
            row[f"spread_{dim}"] = max(values) - min(values) if n else None
        means = [row[f"mean_{k.removeprefix('level_')}"] for k in dims]
        # Signed, BHT minus the organisation: which side sees the element as weaker shows.
        row["gap"] = means[0] - means[1] if len(means) == 2 and None not in means else None
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- carry-over


@dataclass
class CarryOver:
    """Last year's unfinished actions per section (as `generate(fills=...)` takes them), and
    every input read with what became of it."""

    fills: dict = field(default_factory=dict)
    sources: object = None
    findings: int = 0  # the vernerunde's findings not closed, carried over as actions (counted in `count`)

    @property
    def count(self) -> int:
        """Last year's actions not closed, carried over (the findings apart)."""
        return sum(len(f.get("actions", ())) for f in self.fills.values()) - self.findings


def carry_over(unit: Unit, paths, last_year: int | None = None) -> CarryOver:
    """Read last year's returned workbooks under `paths` and keep each section's actions
    whose status does not close them (`unit.done_statuses`).

    The files are read as the unit's workbooks of `last_year` (default: the year before
    the unit's), so a workbook whose hidden sheet was deleted is still recognised by its
    titles, and one from another year or unit is listed as not used, with the reason.
    """
    unit = unit_arg(unit)
    last = dataclasses.replace(unit, year=last_year or unit.year - 1)
    result = consolidate(paths, config=last, today=dt.date(last.year, 12, 31))
    from .read import ListsContext, in_plan, plan_words

    done = set(unit.done_statuses)
    ctx = ListsContext(unit.year, {**unit.lists()})
    meaning = Meaning.of(unit.lists(), None, unit.risk)
    fills: dict[str, dict] = {}
    columns = result.schema["actions"].input_columns
    plans: dict[str, list] = {}  # each section's actions, done or not: what its findings are compared with
    for row in result.actions.to_dict("records"):
        plans.setdefault(row["section_id"], []).append(row)
        if row["status"] not in done:
            with labels.language(unit.language_of(row["section_id"])):  # its notes in the workbook's words
                fills.setdefault(row["section_id"], {}).setdefault("actions", []).append(_carried(row, columns, ctx))
    plans = {sid: plan_words(actions) for sid, actions in plans.items()}
    # A vernerunde finding not closed becomes an action of next year's plan (unless the
    # plan took it up already): the round there is next year's own, and a serious risk
    # found this year is not forgotten.
    findings, carried = result.tables.get("safety_round"), 0
    for row in findings.to_dict("records") if findings is not None else ():
        sid = row["section_id"]
        if is_missing(row["finding_open"]) or not row["finding_open"] or in_plan(row, plans.get(sid, [])):
            continue
        with labels.language(unit.language_of(sid)):
            fills.setdefault(sid, {}).setdefault("actions", []).append(
                _carried_finding(row, last.year, columns, ctx, meaning))
        carried += 1
    return CarryOver(fills, result.sources, carried)


def _carried_finding(row: dict, year: int, columns, ctx, meaning: Meaning) -> dict:
    """A vernerunde finding not closed, as an action of next year's plan: said as one, in the
    rounds' category where the unit has it, not started, its priority as high as its risk."""
    comment_field = next(c.field for c in columns if c.key == "comment")
    said = labels.REPORT["carried_finding"].format(
        year=year,
        area=labels.REPORT["carried_finding_area"].format(area=as_text(row["area"])) if not is_missing(row["area"])
        else "",
        risk=labels.REPORT["carried_finding_risk"].format(risk=as_text(row["risk"])) if not is_missing(row["risk"])
        else "")
    lists = ctx.lists()
    categories, priorities, statuses = (lists.get(k) or () for k in ("categories", "priorities", "statuses"))
    rounds = [cat.REPORT["safety_round_category"] for cat in labels.all_catalogs()]
    # Without a risk, the middle priority; without the rounds' category, the list's last
    # («Annet»): a carried finding leaves the leader no required cell to find empty.
    level = meaning.risk_level(row.get("risk")) or "medium"
    action = {"challenge": row.get("finding"), "measure": row.get("proposal"), "responsible": row.get("responsible"),
              "deadline": row.get("deadline"), "comment": row.get("comment"),
              "category": next((c for c in rounds if c and c in categories), categories[-1] if categories else None),
              "status": statuses[0] if statuses else None,
              "priority": priorities[{"high": 0, "medium": len(priorities) // 2, "low": -1}[level]]
              if priorities else None}
    both = "; ".join(filter(None, [said, None if is_missing(row.get("comment")) else as_text(row["comment"])]))
    if comment_field.parse(both, ctx)[1] is None:
        action["comment"] = both
    else:  # the leader's comment fills the cell: what the action is, is said as its purpose
        action["purpose"] = said
    return _carried({**{c.key: action.get(c.key) for c in columns}, "original": row.get("original")}, columns, ctx)


def _carried(row: dict, columns, ctx) -> dict:
    """A row of last year's as next year's workbook takes it: a value its cell does not take
    (a status not in the list, a date as words) starts empty, the leader's words in the
    comment, as are the words the reader read a value from («høst 2027» for a date). A
    comment longer than a cell holds is cut with the visible mark."""
    out, kept = {}, []
    for col in columns:
        value = None if is_missing(row[col.key]) else row[col.key]
        # (A suggestion is a guess: «iverksat» might mean done. The leader chooses, with the words beside.)
        if value is not None and col.key != "comment" and col.field.parse(value, ctx)[1] is not None:
            kept.append(labels.REPORT["carried_value"].format(label=col.label, value=labels.quote(as_text(value))))
            value = None
        out[col.key] = value
    words = row.get("original")
    if not is_missing(words) and words:
        kept.append(labels.REPORT["carried_words"].format(words=words))
    if kept:
        out["comment"] = _fit("; ".join(([out["comment"]] if out.get("comment") else []) + kept))
    return out
