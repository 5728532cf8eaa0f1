"""`hmsxl consolidate`: every returned workbook into one unit-wide result for LAMU.

Inputs are collected and read by `inputs`. Nothing is lost on the way: every input is listed in `sources` (used, duplicate, rejected, skipped,
and why), every problem in `problems`, and the action rows reconcile: rows read = rows
reported + rows rejected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import labels
from .config import DEFAULT_LISTS, WHEEL_DONE_DEFAULT, Unit
from .fields import as_text, col_letter
from .inputs import NoInputError, SourceResult, collect, read_sources
from .schema import ACTIONS, ANNUAL_ITEMS, godbht_rows

R = labels.REPORT

# --------------------------------------------------------------------------- consolidating


ACTION_KEYS = [c.key for c in ACTIONS.columns]
WRONG_CODES = {"wrong_unit", "wrong_year", "unknown_section", "template_too_new"}


@dataclass
class Consolidation:
    """The unit-wide result. Every table is a pandas DataFrame; see `write_excel` and `to_csv`."""

    unit: Unit | None
    today: dt.date
    overview: object
    actions: object
    overdue: object
    wheel: object
    godbht: object
    godbht_sections: object
    annual: object
    problems: object
    missing: object
    sources: object
    reconciliation: dict

    def write_excel(self, path) -> Path:
        from .report import write_report

        return write_report(self, path)

    def to_csv(self, directory) -> list[Path]:
        from .report import write_csv

        return write_csv(self, directory)


def consolidate(paths, config: Unit | None = None, today: dt.date | None = None, password: str | None = None,
                workers: int | None = None, progress=None) -> Consolidation:
    """Read every returned workbook under `paths` and consolidate them.

    `config` (a Unit) names the sections that should have answered, checks each file's
    unit and year, and supplies the lists; `today` decides what is overdue;
    `progress(done, total)` is called after each file is read.
    Raises `NoInputError` when the paths hold nothing to read.
    """
    import pandas as pd

    today = today or dt.date.today()
    sources, skipped = collect(paths, password=password)
    if not sources and not skipped:
        raise NoInputError("found no files to read in: " + ", ".join(str(p) for p in paths))
    done_statuses = set(config.done_statuses if config else DEFAULT_LISTS["done_statuses"])
    section_info = {s.id: s for s in config.sections} if config else {}

    results = list(read_sources(sources, config, today, password, workers, progress))

    # Choose one file per section: the newest save (then e-mail date, then input order).
    candidates: dict[str, list[SourceResult]] = {}
    status: dict[int, tuple[str, str]] = {}
    for r in results:
        if r.data is None:
            status[r.index] = (R["status_rejected"], r.error)
        elif {p.code for p in r.data.problems} & WRONG_CODES:
            status[r.index] = (R["status_rejected"], R["reason_wrong"])
        elif not r.data.section_id:
            status[r.index] = (R["status_rejected"], R["reason_no_section"])
        else:
            candidates.setdefault(r.data.section_id, []).append(r)
    chosen: dict[str, SourceResult] = {}
    for sid, group in candidates.items():
        group.sort(key=lambda r: (r.data.saved_at, r.source.sent_at, r.index), reverse=True)
        chosen[sid] = group[0]
        status[group[0].index] = (R["status_used"], "")
        for other in group[1:]:
            status[other.index] = (R["status_duplicate"], R["reason_duplicate"].format(newer=group[0].source.name))

    def section_name(sid):
        return section_info[sid].name if sid in section_info else sid

    action_rows, wheel_rows, godbht_rows_, annual_rows, problem_rows, source_rows = [], [], [], [], [], []
    rows_read = rows_rejected = 0
    for r in results:
        st, reason = status[r.index]
        d = r.data
        sid = d.section_id if d else None
        if d is None:
            problem_rows.append({"file": r.source.name, "section_id": "", "sheet": "", "cell": "", "field": "",
                                 "value": "", "code": r.error_code, "severity": "error", "message": r.error})
        else:
            rows_read += len(d.actions)
            for p in d.problems:
                problem_rows.append({**p.as_dict(), "section_id": sid or ""})
            if st != R["status_used"]:
                rows_rejected += len(d.actions)
                for a in d.actions:  # nothing lost: the row's values stay in the report
                    values = "; ".join(f"{ACTIONS.column(k).label}: {as_text(a[k])}"
                                       for k in ACTION_KEYS if a.get(k) is not None)
                    problem_rows.append({
                        "file": r.source.name, "section_id": sid or "", "sheet": ACTIONS.name,
                        "cell": f"A{a['_row']}", "field": "", "value": "", "code": "row_rejected",
                        "severity": "warning", "message": R["row_rejected"].format(reason=reason or st, values=values),
                    })
        if r.source.places:  # the same bytes came from several places: one input, every place listed
            same = R["reason_same_bytes"].format(places="; ".join(r.source.places))
            reason = f"{reason}. {same}" if reason else same
        source_rows.append({
            "file": r.source.name, "sha256": r.sha256, "size": r.size, "sender": r.source.sender,
            "kind": d.kind if d else "", "unit": (d.unit or "") if d else "", "year": (d.year or "") if d else "",
            "section_id": (sid or "") if d else "", "saved_at": d.saved_at if d else "",
            "status": st, "reason": reason,
        })
        if st != R["status_used"]:
            continue
        leader = section_info[sid].leader if sid in section_info else ""
        for a in d.actions:
            deadline = a.get("deadline")
            late = isinstance(deadline, dt.date) and deadline < today and a.get("status") not in done_statuses
            action_rows.append({
                "section_id": sid, "section": section_name(sid), "leader": leader,
                **{k: a.get(k) for k in ACTION_KEYS},
                "overdue": late, "days_late": (today - deadline).days if late else None,
                "file": r.source.name, "source": f"{ACTIONS.name}!{_col_letter(ACTIONS, 'category')}{a['_row']}",
            })
        for w in d.wheel:
            due = w.get("due")
            due = due.date() if isinstance(due, dt.datetime) else due
            kept = w.get("status") in WHEEL_DONE_DEFAULT or isinstance(w.get("done_date"), dt.date)
            wheel_rows.append({
                "section_id": sid, "section": section_name(sid), "key": w["key"], "activity": w.get("activity"),
                "due": due, "planned": w.get("planned"), "done_date": w.get("done_date"), "status": w.get("status"),
                "comment": w.get("comment"), "kept": kept,
                "overdue": (not kept) and isinstance(due, dt.date) and due < today,
                "due_by_today": isinstance(due, dt.date) and due <= today,
                "not_applicable": w.get("status") == "Ikke aktuelt",
            })
        for g in d.godbht:
            godbht_rows_.append({
                "section_id": sid, "section": section_name(sid), "key": g["key"], "number": g.get("number"),
                "group": g.get("group"), "element": g.get("element"),
                "level_bht": g.get("level_bht") if isinstance(g.get("level_bht"), int) and 1 <= g["level_bht"] <= 4 else None,
                "level_org": g.get("level_org") if isinstance(g.get("level_org"), int) and 1 <= g["level_org"] <= 4 else None,
                "notes": g.get("notes"), "improvement": g.get("improvement"),
            })
        for it in ANNUAL_ITEMS:
            rec = d.annual.get(it.key, {})
            annual_rows.append({
                "section_id": sid, "section": section_name(sid), "key": it.key, "part": it.part,
                "question": it.question, "answer": rec.get("answer"), "comment": rec.get("comment"),
            })
    for s in skipped:
        source_rows.append({"file": s.name, "sha256": "", "size": None, "sender": "", "kind": "", "unit": "",
                            "year": "", "section_id": "", "saved_at": "",
                            "status": R["status_rejected"] if s.unreadable else R["status_skipped"],
                            "reason": s.reason})

    # Sections in the config's order (else by id), rows in sheet order within a section.
    expected = [s.id for s in config.sections] if config else sorted(chosen)
    order = {sid: i for i, sid in enumerate(expected)}
    for rows in (action_rows, wheel_rows, godbht_rows_, annual_rows):
        rows.sort(key=lambda row: order.get(row["section_id"], len(order)))

    actions = pd.DataFrame(action_rows, columns=[
        "section_id", "section", "leader", *ACTION_KEYS, "overdue", "days_late", "file", "source"])
    wheel = pd.DataFrame(wheel_rows, columns=[
        "section_id", "section", "key", "activity", "due", "planned", "done_date", "status", "comment", "kept",
        "overdue", "due_by_today", "not_applicable"])
    godbht = pd.DataFrame(godbht_rows_, columns=[
        "section_id", "section", "key", "number", "group", "element", "level_bht", "level_org", "notes",
        "improvement"])
    annual = pd.DataFrame(annual_rows, columns=["section_id", "section", "key", "part", "question", "answer",
                                                "comment"])
    problems = pd.DataFrame(problem_rows, columns=["file", "section_id", "sheet", "cell", "field", "value",
                                                   "code", "severity", "message"])
    sources_df = pd.DataFrame(source_rows, columns=["file", "sha256", "size", "sender", "kind", "unit", "year",
                                                    "section_id", "saved_at", "status", "reason"])

    overdue = actions.loc[actions["overdue"].astype(bool)].sort_values(["leader", "section", "deadline"], kind="stable")
    missing = pd.DataFrame([
        {"section_id": s.id, "section": s.name, "leader": s.leader, "email": s.email}
        for s in (config.sections if config else ()) if s.id not in chosen
    ], columns=["section_id", "section", "leader", "email"])
    godbht_summary = _godbht_summary(godbht)
    overview = _overview(expected, chosen, section_info, action_rows, wheel_rows, godbht_rows_, problem_rows,
                         done_statuses)
    reconciliation = {
        "rows_read": rows_read, "rows_reported": len(actions), "rows_rejected": rows_rejected,
        "balanced": rows_read == len(actions) + rows_rejected,
        "files": len(results), "skipped": len(skipped), "answered": len(chosen), "sections": len(expected),
    }
    return Consolidation(
        unit=config, today=today, overview=overview, actions=actions, overdue=overdue, wheel=wheel,
        godbht=godbht_summary, godbht_sections=godbht, annual=annual, problems=problems, missing=missing,
        sources=sources_df, reconciliation=reconciliation,
    )


def carry_over_fills(unit: Unit, paths) -> dict[str, dict]:
    """Last year's unfinished actions per section, as `generate(fills=...)` takes them.

    Reads the returned workbooks under `paths` (any year; one file per section, the newest)
    and keeps the actions whose status is not one of `unit.done_statuses`.
    """
    result = consolidate(paths, config=None)
    known = {s.id for s in unit.sections}
    done = set(unit.done_statuses)
    fills: dict[str, dict] = {}
    for row in result.actions.to_dict("records"):
        sid = row["section_id"]
        if sid not in known or row["status"] in done:
            continue
        action = {k: (None if _missing(row[k]) else row[k]) for k in ACTION_KEYS}
        fills.setdefault(sid, {"actions": []})["actions"].append(action)
    return fills


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _col_letter(sheet, key) -> str:
    return col_letter(sheet.index(key))


def _godbht_summary(godbht):
    import pandas as pd

    rows = []
    for element in godbht_rows():
        sub = godbht[godbht["key"] == element["key"]]
        row = {"key": element["key"], "number": element["number"], "group": element["group"],
               "element": element["element"]}
        for dim in ("bht", "org"):
            values = pd.to_numeric(sub[f"level_{dim}"], errors="coerce").dropna()
            n = len(values)
            row[f"n_{dim}"] = n
            row[f"mean_{dim}"] = round(float(values.mean()), 2) if n else None
            row[f"min_{dim}"] = int(values.min()) if n else None
            row[f"max_{dim}"] = int(values.max()) if n else None
            row[f"spread_{dim}"] = int(values.max() - values.min()) if n else None
        both = [row["mean_bht"], row["mean_org"]]
        row["gap"] = round(abs(both[0] - both[1]), 2) if None not in both else None
        rows.append(row)
    return pd.DataFrame(rows)


def _overview(expected, chosen, section_info, action_rows, wheel_rows, godbht_rows_, problem_rows, done_statuses):
    """Per section: answered, file, counts. Plain aggregation over the rows: one pass each."""
    import pandas as pd

    stats = {sid: {"actions": 0, "done": 0, "overdue": 0, "wheel_done": 0, "wheel_due": 0, "wheel_overdue": 0,
                   "levels": [], "errors": 0, "warnings": 0} for sid in expected}
    for a in action_rows:
        st = stats.get(a["section_id"])
        if st is not None:
            st["actions"] += 1
            st["done"] += a["status"] in done_statuses
            st["overdue"] += bool(a["overdue"])
    for w in wheel_rows:
        st = stats.get(w["section_id"])
        if st is not None:
            # Done out of those due by now: an activity due in December does not count in June.
            if w["due_by_today"]:
                st["wheel_due"] += 1
                st["wheel_done"] += bool(w["kept"])
            st["wheel_overdue"] += bool(w["overdue"])
    for g in godbht_rows_:
        st = stats.get(g["section_id"])
        if st is not None:
            st["levels"] += [v for v in (g["level_bht"], g["level_org"]) if v is not None]
    used_files = {sid: r.source.name for sid, r in chosen.items()}
    for p in problem_rows:
        sid = p["section_id"]
        if sid in stats and used_files.get(sid) == p["file"] and p["severity"] in ("error", "warning"):
            stats[sid]["errors" if p["severity"] == "error" else "warnings"] += 1
    rows = []
    for sid in expected:
        st = stats[sid]
        levels = st.pop("levels")
        rows.append({
            "section_id": sid,
            "section": section_info[sid].name if sid in section_info else sid,
            "leader": section_info[sid].leader if sid in section_info else "",
            "answered": sid in chosen,
            "file": used_files.get(sid, ""),
            **st,
            "godbht_mean": round(sum(levels) / len(levels), 2) if levels else None,
        })
    return pd.DataFrame(rows, columns=["section_id", "section", "leader", "answered", "file", "actions", "done",
                                       "overdue", "wheel_done", "wheel_due", "wheel_overdue", "godbht_mean",
                                       "errors", "warnings"])


__all__ = ["Consolidation", "NoInputError", "collect", "consolidate"]
