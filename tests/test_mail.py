"""hmsxl mail (drafts, reminders, SMTP against a local server) and hmsxl calendar."""

import datetime as dt
import email
import email.policy
import shutil
import re
import socket

import pytest
from click.testing import CliRunner

from hmsxl import generate, labels, read_workbook
from hmsxl.cli import main
from hmsxl.config import example_config_text
from hmsxl.simulate import simulated_fill

from conftest import GENERATED_AT, YEAR


@pytest.fixture
def setup(tmp_path, unit):
    config = tmp_path / "unit.toml"
    config.write_text(example_config_text(YEAR), encoding="utf-8")
    generate(unit, tmp_path / "wb", generated_at=GENERATED_AT)
    return unit, config, tmp_path


def parse(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_drafts_one_per_section_with_its_own_workbook(setup):
    unit, config, tmp = setup
    result = CliRunner().invoke(main, ["mail", str(config), str(tmp / "wb"), "-o", str(tmp / "outbox")])
    assert result.exit_code == 0, result.output
    drafts = sorted((tmp / "outbox").glob("*.eml"))
    assert len(drafts) == 4
    for section in unit.sections:
        msg = parse(tmp / "outbox" / f"{YEAR}-{section.id}.eml")
        assert msg["X-Unsent"] == "1"
        assert msg["To"].addresses[0].addr_spec == section.email
        assert msg["From"].addresses[0].addr_spec == unit.advisor.email
        if section.vo_email:
            assert msg["Cc"].addresses[0].addr_spec == section.vo_email
        else:
            assert msg["Cc"] is None
        assert section.name in msg["Subject"] and str(YEAR) in msg["Subject"]
        body = msg.get_body(("plain",)).get_content()
        assert "1. desember 2026" in body and section.leader in body
        (att,) = list(msg.iter_attachments())
        assert att.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert att.get_filename() == f"{YEAR}-{section.id}.xlsx"
        saved = tmp / "att.xlsx"
        saved.write_bytes(att.get_content())
        assert read_workbook(saved).section_id == section.id


def test_a_workbook_never_goes_to_the_wrong_leader(setup):
    unit, config, tmp = setup
    (tmp / "wb" / f"{YEAR}-samling.xlsx").write_bytes((tmp / "wb" / f"{YEAR}-adm.xlsx").read_bytes())
    result = CliRunner().invoke(main, ["mail", str(config), str(tmp / "wb"), "-o", str(tmp / "outbox")])
    assert result.exit_code == 2 and "hører til seksjon «adm»" in result.output
    assert not list(tmp.glob("outbox/*.eml"))  # every attachment is checked before any draft is written


@pytest.mark.parametrize("old,new,expected", [
    ('leader = "Dina Drift"', 'leader = "Dina\\r\\nBcc: spy@example.org"', "sections nr. 3 (id «drift»).leader: må være én linje"),
    ("[lists]", '[mail]\nsubject = "HMS\\nBcc: spy@example.org"\n\n[lists]', "mail.subject: må være én linje"),
    ("[lists]", '[mail]\nbody = "Hei {navn}"\n\n[lists]', "mail.body: ukjent plassholder navn"),
    ("[lists]", '[mail]\nsubject = "HMS {unit:>99999999}"\n\n[lists]',
     "mail.subject: plassholderen {unit:>99999999} skal stå uten tillegg: skriv {unit}"),
    ("[lists]", '[mail]\nsubject = "HMS {unit!r}"\n\n[lists]', "skriv {unit}"),
])
def test_header_injection_and_bad_templates_are_refused(setup, old, new, expected):
    unit, config, tmp = setup
    config.write_text(config.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["mail", str(config), str(tmp / "wb"), "-o", str(tmp / "outbox")])
    assert result.exit_code == 2 and expected in result.output


def test_reminders_only_to_missing_and_late_sections(setup):
    unit, config, tmp = setup
    today = dt.date(YEAR, 11, 1)
    fill = simulated_fill(unit, "samling", seed=5, today=today)
    fill["actions"][0].update(deadline=dt.date(YEAR, 3, 1), status="Påbegynt", challenge="Tunge løft på lageret")
    fill["safety_round"] = [{"area": "Kjeller", "finding": "Manglende rekkverk i kjellertrappen", "probability": 4,
                             "consequence": 5, "deadline": dt.date(YEAR, 9, 1)},
                            {"area": "Kontor", "finding": "Løse ledninger", "probability": 2, "consequence": 2,
                             "deadline": dt.date(YEAR, 9, 1)}]
    calm = simulated_fill(unit, "drift", seed=5, today=today)
    for a in calm["actions"]:
        a["status"] = "Iverksatt"
    generate(unit, tmp / "returned", sections=["samling", "drift"], fills={"samling": fill, "drift": calm})
    result = CliRunner().invoke(main, ["mail", str(config), str(tmp / "wb"), "-o", str(tmp / "rem"),
                                       "--reminders", str(tmp / "returned"), "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp / "rem").glob("*.eml"))
    assert names == [f"{YEAR}-adm-paaminnelse.eml", f"{YEAR}-formidling-paaminnelse.eml",
                     f"{YEAR}-samling-paaminnelse.eml"]
    late = parse(tmp / "rem" / f"{YEAR}-samling-paaminnelse.eml")
    body = late.get_body(("plain",)).get_content()
    # Each line says where: two actions may have the same words.
    assert re.search(r"- Handlingsplan!A\d+: Tunge løft på lageret, frist 01\.03\.2026", body), body
    assert re.search(r"- Vernerunde!A5: Manglende rekkverk i kjellertrappen, risiko 20, frist 01\.09\.2026", body)
    assert "Løse ledninger" not in body
    assert "send den tilbake som svar på denne e-posten" in body  # what to do with it
    assert not list(late.iter_attachments())
    missing = parse(tmp / "rem" / f"{YEAR}-adm-paaminnelse.eml")
    assert "ikke mottatt" in missing.get_body(("plain",)).get_content()
    assert [a.get_filename() for a in missing.iter_attachments()] == [f"{YEAR}-adm.xlsx"]


# ---------------------------------------------------------------------------- SMTP


class Handler:
    def __init__(self):
        self.received = []
        self.refuse = set()
        self.drop_after = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.close()  # the connection drops in the middle of a message
            return "421 Closing"
        self.received.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def send(config, tmp, port):
    return CliRunner().invoke(main, ["mail", str(config), str(tmp / "wb"), "-o", str(tmp / "outbox"), "--send",
                                     "--host", "127.0.0.1", "--port", str(port), "--no-starttls"])


def test_send_and_never_twice(setup, smtp_server, monkeypatch):
    monkeypatch.delenv("HMSXL_SMTP_USER", raising=False)
    unit, config, tmp = setup
    handler, port = smtp_server
    first = send(config, tmp, port)
    assert first.exit_code == 0, first.output
    assert len(handler.received) == 4
    rcpts = sorted(r for tos, _ in handler.received for r in tos)
    assert "siri.samling@example.no" in rcpts and "vidar.vern@example.no" in rcpts
    msg = email.message_from_bytes(handler.received[0][1], policy=email.policy.default)
    assert msg["X-Unsent"] is None and msg["Message-ID"] and msg["Date"]
    again = send(config, tmp, port)
    assert again.exit_code == 0 and "Sendt før (ikke sendt på nytt)" in again.output
    assert len(handler.received) == 4


def test_refused_recipient_fails_that_message_only(setup, smtp_server):
    unit, config, tmp = setup
    handler, port = smtp_server
    handler.refuse = {"dina.drift@example.no"}
    result = send(config, tmp, port)
    assert result.exit_code == 1
    assert f"IKKE sendt {YEAR}-drift.eml" in result.output and "550" in result.output
    assert len(handler.received) == 3
    handler.refuse = set()
    retry = send(config, tmp, port)
    assert retry.exit_code == 0 and f"Sendt {YEAR}-drift.eml" in retry.output
    assert len(handler.received) == 4


def test_dropped_connection_stops_and_says_what_was_not_sent(setup, smtp_server):
    unit, config, tmp = setup
    handler, port = smtp_server
    handler.drop_after = 1
    result = send(config, tmp, port)
    assert result.exit_code == 1
    assert len(handler.received) == 1
    assert "Ikke sendt (kjør på nytt for å prøve igjen)" in result.output
    handler.drop_after = None
    retry = send(config, tmp, port)
    assert retry.exit_code == 0 and len(handler.received) == 4


# ---------------------------------------------------------------------------- calendar


def events(path):
    from icalendar import Calendar

    cal = Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]).replace(f"@{_unit_part(cal)}", "@hmsxl"): e for e in cal.walk("VEVENT")}


def _unit_part(cal) -> str:
    """The unit's part of every UID (one domain per unit): the same in all of a calendar's events."""
    (domain,) = {str(e["uid"]).split("@", 1)[1] for e in cal.walk("VEVENT")}
    assert domain.endswith(".hmsxl") and len(domain) == len("0" * 12 + ".hmsxl")
    return domain


def test_calendar_holds_the_seed_wheel(setup):
    unit, config, tmp = setup
    result = CliRunner().invoke(main, ["calendar", str(config), "-o", str(tmp / "hms.ics")])
    assert result.exit_code == 0, result.output
    raw = (tmp / "hms.ics").read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded lines, CRLF
    ev = events(tmp / "hms.ics")
    fire = sorted(e["dtstart"].dt for uid, e in ev.items() if uid.startswith(f"{YEAR}-brannvernrunde"))
    assert fire == [dt.date(YEAR, 3, 31), dt.date(YEAR, 6, 30), dt.date(YEAR, 9, 30), dt.date(YEAR, 12, 31)]
    vr = ev[f"{YEAR}-vernerunde-enhet@hmsxl"]
    assert vr["dtstart"].dt == dt.date(YEAR, 7, 1) and vr["dtend"].dt == dt.date(YEAR, 7, 2)
    assert "Seksjonsleder" in str(vr["description"])
    focus = ev[f"{YEAR}-fokusomrader-enhet@hmsxl"]
    assert focus["dtstart"].dt == dt.date(YEAR, 12, 1) and focus["dtend"].dt == dt.date(YEAR + 1, 2, 1)
    assert f"{YEAR}-ark-enhet@hmsxl" in ev and f"{YEAR}-ros-analyse-enhet@hmsxl" not in ev
    (alarm,) = vr.walk("VALARM")
    assert alarm["trigger"].dt == dt.timedelta(days=-7)
    back = ev[f"{YEAR}-return-deadline-enhet@hmsxl"]  # the leaders' own deadline is in the calendar too
    assert back["dtstart"].dt == unit.return_deadline and "arbeidsboka" in str(back["summary"])
    (alarm,) = back.walk("VALARM")  # said once: «Snart frist: Frist: send ...» said it twice
    assert str(alarm["description"]) == "Snart frist for å sende HMS-arbeidsboka tilbake"
    assert all("dtstamp" in e and "uid" in e for e in ev.values())
    # Stable UIDs and content: importing again updates instead of duplicating.
    CliRunner().invoke(main, ["calendar", str(config), "-o", str(tmp / "again.ics")])
    assert (tmp / "again.ics").read_bytes() == raw


def test_calendar_other_year_and_one_section(setup):
    unit, config, tmp = setup
    text = config.read_text(encoding="utf-8").replace(f"\nyear = {YEAR}", "\nyear = 2028").replace(
        f"return_deadline = {YEAR}-12-01", "return_deadline = 2028-12-01")
    config.write_text(text, encoding="utf-8")
    CliRunner().invoke(main, ["calendar", str(config), "-o", str(tmp / "u.ics")])
    ev = events(tmp / "u.ics")
    assert "2028-ros-analyse-enhet@hmsxl" in ev and "2028-ark-enhet@hmsxl" not in ev
    result = CliRunner().invoke(main, ["calendar", str(config), "-o", str(tmp / "s.ics"), "--section", "samling"])
    assert result.exit_code == 0
    ev = events(tmp / "s.ics")
    assert "2028-vernerunde-samling@hmsxl" in ev and not any("fokusomrader" in uid for uid in ev)
    bad = CliRunner().invoke(main, ["calendar", str(config), "-o", str(tmp / "x.ics"), "--section", "lager"])
    assert bad.exit_code == 2


def test_reminders_are_sent_for_what_they_say_now(setup, smtp_server, monkeypatch):
    """A second round of reminders: a section that has answered since gets nothing (its old
    draft is gone), one whose reminder now says something else gets the new one."""
    monkeypatch.delenv("HMSXL_SMTP_USER", raising=False)
    unit, config, tmp = setup
    handler, port = smtp_server

    def remind(today):
        return CliRunner().invoke(main, ["mail", str(config), str(tmp / "wb"), "-o", str(tmp / "rem"),
                                         "--reminders", str(tmp / "returned"), "--today", today.isoformat(), "--send",
                                         "--host", "127.0.0.1", "--port", str(port), "--no-starttls"])

    fill = simulated_fill(unit, "samling", seed=5, today=dt.date(YEAR, 11, 1))
    for a in fill["actions"]:
        a["status"] = "Iverksatt"
    fill["actions"][0].update(deadline=dt.date(YEAR, 10, 1), status="Påbegynt")
    generate(unit, tmp / "returned", sections=["samling"], fills={"samling": fill})
    first = remind(dt.date(YEAR, 11, 1))
    assert first.exit_code == 0, first.output
    to = lambda: sorted(r for tos, _ in handler.received for r in tos if "vern" not in r)  # noqa: E731
    assert "arne.admin@example.no" in to() and "siri.samling@example.no" in to()
    handler.received.clear()
    generate(unit, tmp / "returned", sections=["adm"], force=True,  # adm answers, nothing wrong
             fills={"adm": {"godbht": {"e01": {"level_bht": 3}}}})
    fill["actions"][1].update(deadline=dt.date(YEAR, 11, 10), status="Påbegynt")  # one more action late
    generate(unit, tmp / "returned", sections=["samling"], fills={"samling": fill}, force=True)
    second = remind(dt.date(YEAR, 11, 20))
    assert second.exit_code == 0, second.output
    # Samling's reminder says more now: sent. The others say what they said: sent before.
    assert to() == ["siri.samling@example.no"] and "Sendt før (ikke sendt på nytt)" in second.output
    assert not (tmp / "rem" / f"{YEAR}-adm-paaminnelse.eml").exists()


def test_a_danish_section_that_answered_is_not_told_nothing_came(setup):
    unit, config, tmp = setup
    text = config.read_text(encoding="utf-8").replace('leader = "Dina Drift"', 'leader = "Dina Drift"\nlanguage = "da"', 1)
    config.write_text(text, encoding="utf-8")
    from hmsxl import load_config

    unit = load_config(config)
    generate(unit, tmp / "wb2")
    late = simulated_fill(unit, "drift", seed=1, today=dt.date(YEAR, 11, 1))
    late["actions"][0].update(deadline=dt.date(YEAR, 3, 1), status="Påbegynt")
    generate(unit, tmp / "returned", sections=["drift"], fills={"drift": late})
    result = CliRunner().invoke(main, ["mail", str(config), str(tmp / "wb2"), "-o", str(tmp / "rem"),
                                       "--reminders", str(tmp / "returned"), "--today", f"{YEAR}-11-01"])
    assert result.exit_code == 0, result.output
    (path,) = (tmp / "rem").glob(f"{YEAR}-drift-*.eml")
    body = parse(path).get_body(("plain",)).get_content()
    assert "ikke modtaget" not in body and not list(parse(path).iter_attachments())


def test_drafts_that_would_give_a_deadline_gone_by_say_so(setup):
    """The first mail and the workbooks name the return deadline: past it, the advisor is
    told before anything is sent. A reminder comes after the deadline: no warning."""
    unit, config, tmp = setup
    deadline = labels.current().date(unit.return_deadline)

    def mail(today, *extra):
        result = CliRunner().invoke(main, ["mail", str(config), str(tmp / "wb"), "-o", str(tmp / f"out{today}"),
                                           "--today", today.isoformat(), *extra])
        assert result.exit_code == 0, result.output
        return result.stderr

    after = unit.return_deadline + dt.timedelta(days=1)
    said = mail(after)
    assert "svarfristen" in said and deadline in said
    assert "svarfristen" not in mail(unit.return_deadline)
    assert "svarfristen" not in mail(after, "--reminders", str(tmp / "wb"))
    result = CliRunner().invoke(main, ["generate", str(config), "-o", str(tmp / "again")])
    assert result.exit_code == 0 and ("svarfristen" in result.stderr) == (unit.return_deadline < dt.date.today())


def test_a_section_that_sent_the_blank_workbook_back_is_reminded_by_the_files_own_name(setup):
    """The leader replied with the workbook as it was sent: the reminder says it came and
    why it cannot be used, naming the file as the leader did, not the advisor's folders."""
    unit, config, tmp = setup
    (tmp / "returned" / "mai").mkdir(parents=True)
    shutil.copy(tmp / "wb" / f"{YEAR}-adm.xlsx", tmp / "returned" / "mai" / "HMS-arbeidsbok.xlsx")
    result = CliRunner().invoke(main, ["mail", str(config), str(tmp / "wb"), "-o", str(tmp / "rem"),
                                       "--reminders", str(tmp / "returned"), "--section", "adm",
                                       "--today", f"{YEAR}-11-01"])
    assert result.exit_code == 0, result.output
    body = parse(tmp / "rem" / f"{YEAR}-adm-paaminnelse.eml").get_body(("plain",)).get_content()
    assert ("Vi har mottatt HMS-arbeidsbok.xlsx, men den kan ikke brukes: Ingenting er fylt ut i den. "
            f"Arbeidsboka for {YEAR} er vedlagt på nytt.") in " ".join(body.split())
