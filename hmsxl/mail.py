"""`hmsxl mail`: one draft per section with its own workbook attached, and sending them.

Drafts are .eml files with `X-Unsent: 1`, which Outlook and Thunderbird open as a message
ready to send. Before a workbook is attached, its identity sheet must name the section
the mail is addressed to: a workbook can never go to the wrong leader. Sending keeps a
log beside the outbox, so a second run sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import hashlib
import json
import os
import smtplib
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from . import labels
from .config import Section, Unit
from .errors import HmsxlError
from .fields import as_text, is_empty
from .fileio import atomic_write_bytes
from .inputs import own_name
from .schema import schema_for
from .write import fmt_date_long, workbook_name

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
SENT_LOG = "sent-log.json"
USER_ENV, PASSWORD_ENV = "HMSXL_SMTP_USER", "HMSXL_SMTP_PASSWORD"


class MailError(HmsxlError):
    """The drafts cannot be made (a workbook is missing or belongs to another section)."""

    exit_code = 2


@dataclass
class Draft:
    section_id: str
    path: Path
    to: str
    attachment: str


def _fill(template: str, unit: Unit, section: Section, details: str = "", today: dt.date | None = None,
          answered: bool = False) -> str:
    """A mail template filled for a section, in the language in force (the section's). To a
    section that answered, the deadline line thanks it instead of naming the deadline."""
    today = today or dt.date.today()
    deadline = fmt_date_long(unit.return_deadline)
    line = labels.REMINDER["deadline_answered" if answered else
                           "deadline_future" if today <= unit.return_deadline else "deadline_past"]
    sheets = [sheet.name for sheet in schema_for(unit).sheets]
    return template.format(
        unit=unit.name, year=unit.year, section=section.name, leader=section.leader, deadline=deadline,
        advisor=unit.advisor.name, advisor_email=unit.advisor.email, details=details,
        deadline_line=line.format(deadline=deadline), contents=", ".join(sheets),
    )


def _template(unit: Unit, key: str) -> str:
    """The unit's own text for a mail, or the catalog's in the language in force."""
    return getattr(unit.mail, key) or labels.MAIL_TEXT[key]


def _message(unit: Unit, section: Section, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage(policy=email.policy.SMTP)
    try:
        msg["From"] = email.utils.formataddr((unit.advisor.name, unit.advisor.email))
        msg["To"] = email.utils.formataddr((section.leader, section.email))
        if section.vo_email:
            msg["Cc"] = email.utils.formataddr((section.vo, section.vo_email))
        msg["Subject"] = subject
    except ValueError as exc:  # the email package refuses header injection itself, too
        raise MailError(labels.ERRORS["mail_unsafe_header"].format(section=section.id, error=exc)) from None
    msg["X-Unsent"] = "1"
    msg.set_content(body)
    return msg


def _check_identity(unit: Unit, section: Section, path: Path) -> None:
    from .read import read_workbook
    from .safety import UnreadableFile

    try:
        data = read_workbook(path, config=unit)
    except UnreadableFile as exc:
        raise MailError(labels.ERRORS["mail_unreadable"].format(path=path, reason=exc.reason)) from None
    if data.section_id != section.id or data.unit != unit.name or data.year != unit.year:
        raise MailError(labels.ERRORS["mail_wrong_workbook"].format(
            path=path, found=data.section_id, unit=data.unit, year=data.year, section=section.id,
            expected_unit=unit.name, expected_year=unit.year))


PROBLEM_LINES = 10  # a reminder lists at most this many of a workbook's errors


class _Reminded:
    """What the reminders are made from, grouped once: each section's sources, overdue
    actions and serious findings, each file's errors (a unit of a thousand sections would
    otherwise look through every table once per section)."""

    def __init__(self, result):
        self.result = result
        problems = result.problems
        serious = result.serious
        self.sources = _by(result.sources, "section_id")
        self.errors = _by(problems[problems["severity"] == "error"], "file")
        self.late = _by(result.overdue, "section_id")
        self.serious = _by(serious, "section_id") if serious is not None else {}


def _by(frame, key: str) -> dict:
    """The rows of `frame` per value of `key`, in their order (index kept)."""
    return {value: group for value, group in frame.groupby(key, sort=False)} if len(frame) else {}


def _reminder_details(unit: Unit, section: Section, reminded: _Reminded) -> tuple[str, bool] | None:
    """What a reminder tells a section, and whether its workbook goes with it again; None
    when there is nothing to remind it of. In the language in force (the section's)."""
    result = reminded.result
    sources = reminded.sources.get(section.id, result.sources.iloc[:0])
    said = labels.catalog(result.language).REPORT  # the statuses as the consolidation wrote them
    used = sources[sources["status"] == said["status_used"]]
    if not len(used):
        wrong = sources[sources["status"] == said["status_rejected"]]
        if len(wrong):  # it sent something, but not this year's workbook of this unit
            w = wrong.iloc[0]
            # The file as the leader named it: not the advisor's folders, nor the mail it came in.
            return labels.REMINDER["wrong"].format(file=own_name(w["file"]), why=w["reason"], year=unit.year), True
        return labels.REMINDER["missing"], True
    parts = []
    errors = reminded.errors.get(used.iloc[0]["file"], ())
    if len(errors):
        lines = [labels.current().plural("reminder", "problems", len(errors))]
        for e in errors.head(PROBLEM_LINES).itertuples():
            where = f"{e.sheet}!{e.cell}" if e.cell else e.sheet
            message = labels.render(result.problem_messages[e.Index])
            said = labels.quote(e.value) if not is_empty(e.value) else ""
            if said and said not in message:  # what the leader wrote, where the message does not say
                message += labels.REMINDER["problem_value"].format(value=said)
            lines.append(labels.REMINDER["problem_line"].format(where=where, message=message))
        if len(errors) > PROBLEM_LINES:
            lines.append(labels.REMINDER["more"].format(n=len(errors) - PROBLEM_LINES))
        parts.append("\n".join(lines))
    late = reminded.late.get(section.id, ())
    if len(late):
        parts.append("\n".join([labels.REMINDER["overdue"]] + [
            labels.REMINDER["overdue_line"].format(
                where=a["source"], challenge=a["challenge"] or a["measure"] or "", status=a["status"] or "",
                deadline=as_text(a["deadline"]))
            for a in late.to_dict("records")]))
    serious = reminded.serious.get(section.id, ())
    if len(serious):
        parts.append("\n".join([labels.REMINDER["high_risk"]] + [
            labels.REMINDER["high_risk_line"].format(where=f["source"], finding=f["finding"] or f["area"] or "",
                                                     risk=f["risk"],
                                                     deadline=as_text(f["deadline"]))
            for f in serious.to_dict("records")]))
    return ("\n\n".join(parts), False) if parts else None


def _reminder_names(unit: Unit, section: Section) -> set[str]:
    """The file names a section's reminder may have (each language names it its own way)."""
    return {f"{unit.year}-{section.id}-{cat.MAIL_TEXT['reminder_file']}.eml" for cat in labels.all_catalogs()}


def make_drafts(unit: Unit, workbook_dir, outbox, sections=None, reminders_from=None,
                today: dt.date | None = None) -> list[Draft]:
    """Write one .eml draft per section to `outbox`, each in the section's language.

    With `reminders_from` (the folder of returned files), only sections with something to
    be reminded of get a reminder, saying what is true: nothing received (the workbook
    goes again), another year's or unit's workbook received (what, and why it cannot be
    used), errors to mend in what was received, actions and high-risk findings past their deadline; and whether
    the deadline is still ahead or has passed.
    """
    workbook_dir, outbox = Path(workbook_dir), Path(outbox)
    today = today or dt.date.today()
    wanted = [unit.section(sid) for sid in sections] if sections else list(unit.sections)
    details: dict[str, tuple[str, bool]] = {}
    if reminders_from is not None:
        from .consolidation import consolidate

        reminded = _Reminded(consolidate([reminders_from], config=unit, today=today))
        for s in wanted:
            with labels.language(unit.language_of(s)):
                found = _reminder_details(unit, s, reminded)
            if found is not None:
                details[s.id] = found
        # A reminder from an earlier run that this run does not write again is out of date:
        # the section has answered since, or its reminder now says something else.
        for s in wanted:
            if s.id not in details:
                for name in _reminder_names(unit, s):
                    (outbox / name).unlink(missing_ok=True)
        wanted = [s for s in wanted if s.id in details]
    attachments = {}
    for s in wanted:
        if reminders_from is not None and not details[s.id][1]:
            continue
        path = workbook_dir / workbook_name(unit, s.id)
        if not path.exists():
            raise MailError(labels.ERRORS["mail_missing_workbook"].format(path=path))
        _check_identity(unit, s, path)
        attachments[s.id] = path
    outbox.mkdir(parents=True, exist_ok=True)
    drafts = []
    for s in wanted:
        with labels.language(unit.language_of(s)):
            if reminders_from is None:
                msg = _message(unit, s, _fill(_template(unit, "subject"), unit, s, today=today),
                               _fill(_template(unit, "body"), unit, s, today=today))
                name = f"{unit.year}-{s.id}.eml"
            else:
                msg = _message(unit, s, _fill(_template(unit, "reminder_subject"), unit, s, today=today),
                               _fill(_template(unit, "reminder_body"), unit, s, details[s.id][0], today=today,
                                     answered=not details[s.id][1]))
                name = f"{unit.year}-{s.id}-{labels.MAIL_TEXT['reminder_file']}.eml"
        attached = ""
        if s.id in attachments:
            path = attachments[s.id]
            msg.add_attachment(path.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=path.name)
            attached = path.name
            # The same draft twice is the same bytes (the sent-log knows a draft by them):
            # a boundary from the content, not a random one.
            digest = hashlib.sha256(b"".join(part.as_bytes() for part in msg.iter_parts())).hexdigest()
            msg.set_boundary(f"hmsxl-{digest[:40]}")
        target = atomic_write_bytes(outbox / name, msg.as_bytes())
        drafts.append(Draft(s.id, target, s.email, attached))
    return drafts


# --------------------------------------------------------------------------- sending


@dataclass
class SendReport:
    sent: list[str]
    already: list[str]
    failed: dict[str, str]
    not_sent: list[str]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_sent


def _load_log(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        raise HmsxlError(labels.ERRORS["mail_log_damaged"].format(path=path)) from None


def send_outbox(unit: Unit, outbox, host: str | None = None, port: int | None = None,
                starttls: bool | None = None, timeout: float = 30) -> SendReport:
    """Send every draft in `outbox` that the sent-log does not list yet.

    The login comes from HMSXL_SMTP_USER and HMSXL_SMTP_PASSWORD (never from the config).
    A refused recipient fails that message only; a refused login or a dropped connection
    stops the run. Either way the report says what was and was not sent.
    """
    outbox = Path(outbox)
    host = host or unit.mail.smtp_host
    if not host:
        raise HmsxlError(labels.ERRORS["mail_no_server"])
    port = port or unit.mail.smtp_port
    starttls = unit.mail.starttls if starttls is None else starttls
    log_path = outbox / SENT_LOG
    log = _load_log(log_path)
    drafts = sorted(p for p in outbox.glob("*.eml"))
    report = SendReport([], [], {}, [])
    todo = []
    for p in drafts:
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        if log.get(p.name, {}).get("sha256") == digest:  # this very draft was sent; a new one of that name was not
            report.already.append(p.name)
        else:
            todo.append((p, digest))
    if not todo:
        return report
    try:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    except (OSError, smtplib.SMTPException) as exc:
        report.not_sent = [p.name for p, _ in todo]
        report.failed[labels.CLI["mail_server"]] = labels.CLI["mail_cannot_connect"].format(host=host, port=port, error=exc)
        return report
    try:
        smtp.ehlo()
        if starttls:
            smtp.starttls()
            smtp.ehlo()
        user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
        if user:
            smtp.login(user, password or "")
        for i, (p, digest) in enumerate(todo):
            msg = email.message_from_bytes(p.read_bytes(), policy=email.policy.SMTP)
            del msg["X-Unsent"]
            if not msg["Date"]:
                msg["Date"] = email.utils.formatdate(localtime=True)
            if not msg["Message-ID"]:
                msg["Message-ID"] = email.utils.make_msgid(domain=unit.advisor.email.split("@")[-1])
            try:
                refused = smtp.send_message(msg)
            except smtplib.SMTPRecipientsRefused as exc:
                report.failed[p.name] = labels.CLI["mail_refused"].format(recipients=", ".join(
                    f"{addr} ({code} {err.decode(errors='replace') if isinstance(err, bytes) else err})"
                    for addr, (code, err) in exc.recipients.items()))
                continue
            entry = {"sha256": digest, "message_id": msg["Message-ID"], "to": msg["To"],
                     "sent_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()}
            if refused:
                entry["refused"] = sorted(refused)
            log[p.name] = entry
            atomic_write_bytes(log_path, json.dumps(log, indent=2, ensure_ascii=False).encode("utf-8"))
            report.sent.append(p.name)
    except (smtplib.SMTPException, OSError, socket.timeout) as exc:
        done = set(report.sent) | set(report.failed)
        report.not_sent = [p.name for p, _ in todo if p.name not in done]
        report.failed[labels.CLI["mail_server"]] = f"{type(exc).__name__}: {exc}"
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return report
