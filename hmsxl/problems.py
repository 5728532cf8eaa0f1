"""Every kind of problem hmsxl reports, with its severity; its message is in the catalog.

A problem's code, severity and message belong together (as in frictionless' error
classes): the place that finds a problem names only the code and the message's details,
never the severity. `labels.PROBLEM` holds the Norwegian message of each code, and a test
checks that the two tables name the same codes.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from . import labels
from .fields import as_text

SEVERITIES = ("error", "warning", "info")

SEVERITY = {
    # a value in a cell
    "required": "error",
    "too_long": "error",
    "date_in_text": "warning",  # a name's or a place's cell holding a date: typed one column off?
    "not_a_date": "error",
    "date_out_of_range": "error",
    "date_from_text": "warning",
    "date_from_period": "warning",
    "date_from_number": "warning",
    "choice_corrected": "warning",
    "choice_by_meaning": "warning",  # a status in other words («ferdig»): read as the list's value for it
    "not_in_list": "error",
    "not_in_list_suggest": "error",
    "not_a_number": "error",
    "number_from_text": "warning",
    "not_whole": "error",
    "out_of_range": "error",
    "number_too_large": "error",
    "cell_error": "error",  # the cell shows #VALUE!, #N/A...: the native reader gives it as empty
    "formula_no_value": "error",  # a formula saved without its result: the same
    # across cells
    "overdue": "warning",
    "wheel_not_done": "info",
    "godbht_partial": "warning",
    "godbht_few": "warning",  # under half: the section's mean is not shown
    # The rounds' own records against the plan and the wheel.
    "finding_no_action": "warning",
    "safety_round_not_recorded": "warning",
    "safety_round_not_in_wheel": "info",
    "fire_round_not_recorded": "warning",
    "fire_round_not_in_wheel": "info",
    "safety_round_said_not_held": "warning",  # the year report and the wheel or findings disagree
    "fire_round_other_year": "warning",
    "fire_rounds_count_differs": "info",  # the year report's count against the dated rounds
    "signoff_incomplete": "info",  # a name without its date or the reverse: not counted as signed
    "computed_changed": "warning",  # a formula cell written over: computed again, the leader's value kept
    "own_changed": "warning",  # the workbook's own text in a pre-filled row written over: kept, reported
    "high_risk_overdue": "warning",
    "priority_far": "info",  # the leader's priority stays theirs
    "godbht_empty": "info",
    "workbook_empty": "warning",  # returned as it was sent: no answer
    "sheet_empty": "info",  # a sheet of questions with none answered (the year report is due at the end)
    # the workbook's identity and layout
    "identity_missing": "warning",
    "identity_unknown": "error",
    "year_invalid": "error",
    "far_cells": "error",  # by the safety check: cells far outside any section workbook, cut before reading
    "cell_errors_many": "error",  # by the safety check: more error cells than are noted; the rest read as empty
    "sheets_not_read": "error",  # more sheets not ours than are read
    "template_too_old": "warning",
    "template_too_new": "error",
    "wrong_unit": "error",
    "wrong_year": "error",
    "unknown_section": "error",
    "sheet_missing": "error",
    "sheet_renamed": "warning",
    "unknown_sheet": "warning",
    "unknown_sheet_more": "warning",  # the same sheet's cells past the first problem's
    "header_missing": "error",
    "column_missing": "error",
    "optional_column_missing": "warning",
    "unknown_column": "warning",
    "row_unknown": "warning",
    "row_extra": "warning",
    "row_missing": "warning",
    "row_duplicate": "warning",
    "value_outside_table": "warning",
    "problem_reply": "warning",
    "notes_not_read": "warning",  # by the safety check: more notes than are read
    "cell_note": "warning",  # a note (comment) a leader put on a cell: its words, for the advisor to read  # a leader's answer in a marked copy's list of problems: for the advisor to read
    "too_many_rows": "error",
    # consolidation
    "row_rejected": "info",  # the file's own problems say why; its rows are listed to be kept
    "file_unreadable": "error",
    "text_cut": "warning",  # by the report: a text longer than an Excel cell holds
    "table_rows_cut": "warning",  # by the report: a table with more rows than an Excel sheet holds
    "table_columns_cut": "warning",  # by the report: a table with more columns than an Excel sheet holds
    "problems_left_out": "warning",  # more problems of one kind on a sheet than are listed (made with theirs)
}
# Codes whose problem takes the severity of the problems it stands for (see `left_out`).
SEVERITY_OF_THOSE = frozenset({"problems_left_out"})
# What a workbook returned as it was sent out can have: a deadline past, a required cell
# of an action carried over left empty, God BHT not filled in, an older template. Any
# other problem is something a leader did (the reader's `_empty_checks`).
AS_SENT = frozenset({"required", "overdue", "wheel_not_done", "godbht_empty", "priority_far", "template_too_old"})


class Problem(NamedTuple):
    """One problem found in a returned file: where, what, how bad, and why.

    A plain tuple: a report for a thousand sections can hold a hundred thousand of them,
    and they are made in the reading workers and sent to the main process. Its message is
    kept as its code and parameters, and put into words where it is shown: the report in
    the unit's language, the command line in the advisor's, an annotated copy in the
    leader's."""

    file: str
    sheet: str
    cell: str
    field: str
    value: str
    code: str
    severity: str
    params: dict

    @property
    def message(self) -> str:
        return labels.Msg("problem", self.code, self.params).render()

    def as_dict(self) -> dict:
        return {**{k: v for k, v in self._asdict().items() if k != "params"}, "message": self.message}

    def table_row(self, section_id: str = "") -> tuple:
        """The problem as a row of the report's problems table, in the order of
        schema.PROBLEMS_TABLE (its message put into words in the language in force)."""
        return (self.severity, self.file, section_id, self.sheet, self.cell, self.field, self.value, self.message,
                self.code)


PROBLEMS_PER_KIND = 200  # problems of one kind listed per sheet of a file; the rest are counted in one more
QUOTE_MAX = 120  # characters of a leader's text quoted in a message; the value itself is kept whole


def _quoted(value):
    if isinstance(value, str) and value.__class__ is str and len(value) > QUOTE_MAX:
        return value[:QUOTE_MAX - 1] + "…"
    return value


def problem(code: str, file: str = "", sheet: str = "", cell: str = "", field: str = "", value=None,
            **params) -> Problem:
    """A problem of kind `code`; `params` fill its message (long texts quoted in part)."""
    return Problem(
        file=file, sheet=sheet, cell=cell, field=field, value="" if value is None else as_text(value),
        code=code, severity=SEVERITY[code], params={k: _quoted(v) for k, v in params.items()},
    )


def text_cut(text: str, **where) -> Problem:
    """A text longer than an Excel cell holds, cut where it is shown (`where`: file, sheet,
    cell, field)."""
    from .xmltext import CELL_MAX, utf16_len

    return problem("text_cut", value=text[:40], length=utf16_len(text), limit=CELL_MAX, **where)


def left_out(first: Problem, count: int, listed: int) -> Problem:
    """The problem that stands for `count` more of `first`'s kind on its sheet, beyond the
    `listed` ones: at the first one's cell, with its message."""
    said = problem("problems_left_out", file=first.file, sheet=first.sheet, cell=first.cell, count=count,
                   listed=listed, first=labels.Msg("problem", first.code, first.params))
    # As bad as those it stands for: 60 errors more are not a warning.
    return said._replace(severity=first.severity)


def severity_counts(problems) -> Counter:
    """How many problems of each severity there are, counting those left out of the list
    (beyond the first of their kind on a sheet) under their own severity."""
    counts: Counter = Counter()
    for p in problems:
        if p.code == "problems_left_out":
            counts[SEVERITY[p.params["first"].key]] += p.params["count"]
        else:
            counts[p.severity] += 1
    return counts
