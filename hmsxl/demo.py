"""`hmsxl demo`: the whole yearly cycle on an invented unit, inside one folder.

init -> generate -> simulated returns (realistic content; some late, some wrong, one
section missing, one returned twice, one by e-mail) -> validate -> consolidate.
"""

from __future__ import annotations

import datetime as dt
import email.message
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import labels
from .config import example_config_text, parse_config
from .errors import OutputExistsError
from .fileio import atomic_write_bytes

# Sections added to the example unit for the demo (all invented).
EXTRA_SECTIONS = (
    ("utstilling", "Utstillingsseksjonen", "Ulla Utstilling", "ulla.utstilling@example.no"),
    ("bibliotek", "Bibliotek og arkiv", "Bernt Bibliotekar", "bernt.bibliotekar@example.no"),
)
MISSING = "adm"  # the section that does not answer
TWICE = "drift"  # the section that sends its workbook twice
BY_MAIL = "formidling"  # the section whose answer arrives as an e-mail


@dataclass
class DemoResult:
    directory: Path
    config: Path
    workbooks: list[Path]
    returned: list[Path]
    report: Path
    validation: list = field(default_factory=list)
    consolidation: object = None


def demo_config_text(year: int) -> str:
    text = example_config_text(year)
    extra = "".join(
        f'\n[[sections]]\nid = "{sid}"\nname = "{name}"\nleader = "{leader}"\nemail = "{mail}"\n'
        for sid, name, leader, mail in EXTRA_SECTIONS
    )
    # The extra sections go after the example's, before the comment that opens [lists].
    at = text.index("\n[lists]")
    at = text.rindex("\n\n", 0, at) + 1
    return text[:at] + extra.lstrip("\n") + "\n" + text[at:]


def run_demo(directory, force: bool = False, today: dt.date | None = None) -> DemoResult:
    """Run the cycle in `directory` (created; must be empty unless `force`). Writes nothing outside it."""
    from .consolidation import consolidate
    from .simulate import simulated_fill
    from .validate import validate_files
    from .write import generate

    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise OutputExistsError(labels.ERRORS["is_file"].format(path=directory))
    if directory.exists() and any(directory.iterdir()) and not force:
        raise OutputExistsError(labels.ERRORS["demo_not_empty"].format(path=directory))
    directory.mkdir(parents=True, exist_ok=True)
    today = today or dt.date.today()
    year = today.year

    config_path = directory / "unit.toml"
    text = demo_config_text(year)
    atomic_write_bytes(config_path, text.encode("utf-8"))
    unit = parse_config(tomllib.loads(text), source=str(config_path))
    workbooks = generate(unit, directory / "workbooks", force=True)

    # The leaders' answers: realistic content, then the mistakes real returns have.
    answering = [s.id for s in unit.sections if s.id != MISSING]
    fills = {sid: simulated_fill(unit, sid, seed=2026, today=today) for sid in answering}
    first = fills[answering[0]]
    first["actions"][0]["deadline"] = f"31.02.{year}"  # no such date
    started = unit.statuses[1]
    first["actions"][1]["status"] = started[:3] + started[4:]  # «Påbgynt»: not in the list; did you mean...
    first["actions"][2]["status"] = labels.SYNONYMS["done"][0]  # «ferdig»: read as the list's done status
    first["godbht"]["e03"]["level_bht"] = 5  # levels go to 4
    second = fills[answering[1]]
    second["actions"][0]["deadline"] = f"15.9.{year}"  # a date typed as text: read, and reported
    second["actions"][1]["priority"] = "høy"  # a different case: read as "Høy", and reported
    _serious_finding(unit, second, today)
    older = {**fills[TWICE], "actions": fills[TWICE]["actions"][:2]}

    inbox = directory / "returned"
    stage = directory / ".staging"
    # A workbook saved earlier than the one sent later counts as older.
    earlier = dt.datetime(year, 1, 2, tzinfo=dt.timezone.utc)
    later = dt.datetime(year, 1, 3, tzinfo=dt.timezone.utc)
    sent = generate(unit, stage / "a", sections=answering, fills=fills, force=True, generated_at=later)
    (old,) = generate(unit, stage / "b", sections=[TWICE], fills={TWICE: older}, force=True, generated_at=earlier)
    returned = []
    for path in sent:
        sid = path.stem.split("-", 1)[1]
        if sid == BY_MAIL:
            target = inbox / "e-post" / "SV HMS-arbeidsbok.eml"
            target.parent.mkdir(parents=True, exist_ok=True)
            section = unit.section(sid)
            msg = email.message.EmailMessage()
            msg["From"] = f"{section.leader} <{section.email}>"
            msg["To"] = unit.advisor.email
            msg["Subject"] = f"SV: HMS {year} – {section.name}"
            msg.set_content("Hei! Vedlagt er utfylt arbeidsbok.")
            msg.add_attachment(path.read_bytes(), maintype="application",
                               subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               filename="Handlingsplan.xlsx")
            atomic_write_bytes(target, msg.as_bytes())
        else:
            # Returned files are often all called the same: one folder per reply.
            target = inbox / sid / "Handlingsplan.xlsx"
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, path.read_bytes())
        returned.append(target)
    dup = inbox / TWICE / "Handlingsplan (gammel).xlsx"
    atomic_write_bytes(dup, old.read_bytes())
    returned.append(dup)
    for p in sorted(stage.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()
    stage.rmdir()

    # Everything that came back, as the advisor validates it: the e-mailed answer too.
    validation = validate_files(returned, config=unit, today=today)
    result = consolidate([inbox], config=unit, today=today)
    report = result.write_excel(directory / f"lamu-rapport-{year}.xlsx")
    return DemoResult(directory, config_path, workbooks, returned, report, validation, result)


def _serious_finding(unit, fill: dict, today: dt.date) -> None:
    """The section's vernerunde found a serious risk, and it is still open past its
    deadline: what LAMU must see first."""
    year = unit.year
    round_day = max(dt.date(year, 1, 2), today - dt.timedelta(days=75))
    deadline = max(dt.date(year, 1, 3), today - dt.timedelta(days=14))
    wheel = fill["wheel"].setdefault(unit.safety_round_activity, {})
    wheel.update(planned=round_day, done_date=round_day, status=unit.wheel_done_statuses[0])
    finding = "Manglende rekkverk i trappen til kjelleren"
    measure = "Montere rekkverk i kjellertrappen"
    fill["safety_round"] = [f for f in fill["safety_round"] if f["finding"] != finding]
    fill["safety_round"].insert(0, {"area": "Kjeller", "finding": finding, "probability": 4, "consequence": 5,
                                    "proposal": measure, "responsible": "Vaktmester", "deadline": deadline,
                                    "closed": None})
    if not any(a["challenge"] == finding for a in fill["actions"]):
        category = next((c for c in unit.categories if "vernerunde" in c.casefold()), unit.categories[-1])
        fill["actions"].append({"category": category, "challenge": finding, "purpose": None,
                                "measure": measure, "priority": unit.priorities[0], "responsible": "Vaktmester",
                                "deadline": deadline, "status": unit.statuses[0]})
    yes = unit.lists()["yes_no"][0]
    fill["annual"]["safety_round_held"] = {"answer": yes}
    fill["annual"]["safety_round_date"] = {"answer": round_day}
