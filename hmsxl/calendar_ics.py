"""`hmsxl calendar`: the year's årshjul as iCalendar events.

One all-day event per occurrence: a deadline (also each quarterly or monthly one) is a
one-day event, a period (Oct-Nov, or Dec-Jan across the year end) spans its days. UIDs are stable (year, activity, section, unit),
so importing again updates the events instead of adding copies. Each deadline has a
reminder `mail.reminder_days` days before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from . import labels
from .config import Unit
from .fileio import atomic_write_bytes
from .wheel import year_occurrences

CALENDAR = labels.section("CALENDAR")


def calendar_bytes(unit: Unit, section_id: str | None = None) -> bytes:
    """The årshjul as iCalendar, in the language of the unit (or of the section asked for)."""
    with labels.language(unit.language_of(section_id) if section_id else unit.language):
        return _calendar_bytes(unit, section_id)


def _calendar_bytes(unit: Unit, section_id: str | None) -> bytes:
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//hmsxl//HMS årshjul//NO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    who = unit.section(section_id).name if section_id else unit.name
    cal.add("x-wr-calname", CALENDAR["name"].format(year=unit.year, who=who))
    stamp = dt.datetime(unit.year, 1, 1, tzinfo=dt.timezone.utc)  # fixed: the same config gives the same file
    scope = section_id or "enhet"
    # Two units' calendars in one calendar program stay apart: the unit is in every UID.
    domain = f"{hashlib.sha256(unit.name.encode('utf-8')).hexdigest()[:12]}.hmsxl"
    for o in year_occurrences(unit, section_id):
        event = Event()
        event.add("uid", f"{unit.year}-{o.key}-{scope}@{domain}")
        event.add("dtstamp", stamp)
        event.add("summary", o.name)
        # A period the rule names (Oct-Nov) spans its days; a deadline, also one per
        # quarter or month, is its own day.
        start = o.start if (o.start and o.activity.start) else o.due
        event.add("dtstart", start)
        event.add("dtend", o.due + dt.timedelta(days=1))
        lines = [CALENDAR["when"].format(period=o.period)]
        if o.activity.who:
            lines.append(CALENDAR["who"].format(who=o.activity.who))
        if o.activity.note:
            lines.append(o.activity.note)
        event.add("description", "\n".join(lines))
        event.add("categories", ["HMS"])
        event.add("transp", "TRANSPARENT")
        if unit.mail.reminder_days:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", CALENDAR["reminder"].format(name=o.name))
            # Before the deadline (the end of a period), counted from the event's start.
            alarm.add("trigger", (o.due - start) - dt.timedelta(days=unit.mail.reminder_days))
            event.add_component(alarm)
        cal.add_component(event)
    # The day the workbooks are due back: the leaders' own deadline of the year.
    event = Event()
    event.add("uid", f"{unit.year}-return-deadline-{scope}@{domain}")
    event.add("dtstamp", stamp)
    event.add("summary", CALENDAR["return_deadline"])
    event.add("dtstart", unit.return_deadline)
    event.add("dtend", unit.return_deadline + dt.timedelta(days=1))
    event.add("description", CALENDAR["return_deadline_what"].format(advisor=unit.advisor.name,
                                                                      email=unit.advisor.email))
    event.add("categories", ["HMS"])
    event.add("transp", "TRANSPARENT")
    if unit.mail.reminder_days:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", CALENDAR["return_reminder"])
        alarm.add("trigger", -dt.timedelta(days=unit.mail.reminder_days))
        event.add_component(alarm)
    cal.add_component(event)
    return cal.to_ical()


def write_calendar(unit: Unit, target, section_id: str | None = None) -> Path:
    from .inputs import refuse_writing_over_unit

    target = Path(target)
    refuse_writing_over_unit(target, unit)
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(target, calendar_bytes(unit, section_id))
