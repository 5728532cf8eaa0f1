import dataclasses
import datetime as dt

import pytest

from hmsxl.wheel import occurrences, year_occurrences


def by_id(unit, activity_id, year):
    activity = next(a for a in unit.wheel if a.id == activity_id)
    return occurrences(activity, year)


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028])
def test_brannvernrunde_once_per_quarter_due_at_quarter_end(unit, year):
    occ = by_id(unit, "brannvernrunde", year)
    assert [o.due for o in occ] == [
        dt.date(year, 3, 31), dt.date(year, 6, 30), dt.date(year, 9, 30), dt.date(year, 12, 31)]
    assert [o.start for o in occ] == [dt.date(year, m, 1) for m in (1, 4, 7, 10)]
    assert len({o.key for o in occ}) == 4
    assert occ[1].months(year) == (4, 5, 6)


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_vernerunde_by_first_of_july(unit, year):
    (o,) = by_id(unit, "vernerunde", year)
    assert o.due == dt.date(year, 7, 1) and o.start is None
    assert o.period == "innen 1. jul"
    assert o.months(year) == (7,)


@pytest.mark.parametrize("year,ros,ark", [
    (2025, True, False), (2026, False, True), (2027, False, False), (2028, True, False), (2029, False, True),
])
def test_ros_and_ark_only_in_their_years(unit, year, ros, ark):
    assert bool(by_id(unit, "ros-analyse", year)) is ros
    assert bool(by_id(unit, "ark", year)) is ark
    keys = {o.key for o in year_occurrences(dataclasses.replace(unit, year=year))}
    assert ("ark" in keys) is ark and ("ros-analyse" in keys) is ros


@pytest.mark.parametrize("year", [2026, 2027])
def test_fokusomrader_spans_the_new_year(unit, year):
    (o,) = by_id(unit, "fokusomrader", year)
    assert o.start == dt.date(year, 12, 1)
    assert o.due == dt.date(year + 1, 1, 31)
    assert o.months(year) == (12,)
    assert str(year + 1) in o.period


def test_october_november_range(unit):
    (o,) = by_id(unit, "ledelsens-gjennomgang", 2026)
    assert (o.start, o.due) == (dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    assert o.months(2026) == (10, 11)


def test_section_wheel_leaves_out_unit_only_activities(unit):
    keys = [o.key for o in year_occurrences(unit, "samling")]
    assert "handlingsplan-enhet" not in keys and "fokusomrader" not in keys
    assert "vernerunde" in keys and "arsrapport" in keys
    dues = [o.start or o.due for o in year_occurrences(unit, "samling")]
    assert dues == sorted(dues)


def test_monthly_and_leap_day(unit):
    from hmsxl.config import WheelActivity

    monthly = occurrences(WheelActivity(id="m", name="Møte", repeat="monthly"), 2026)
    assert len(monthly) == 12 and monthly[1].due == dt.date(2026, 2, 28)
    leap = WheelActivity(id="l", name="Skuddår", due=(2, 29))
    assert occurrences(leap, 2027)[0].due == dt.date(2027, 2, 28)
    assert occurrences(leap, 2028)[0].due == dt.date(2028, 2, 29)


def test_what_an_activity_is_by_the_unit_s_own_statuses():
    """One reading of an årshjul row, for the reader's problems and the report's states
    alike: the unit's statuses decide, «not applicable» before a date typed anyway, and a
    due date with a time is a day like any other."""
    from hmsxl.meaning import Meaning

    m = Meaning.of({"wheel_done_statuses": ["Utført"], "wheel_na_statuses": ["Ikke relevant"],
                    "done_statuses": ["Lukket"]}, dt.date(2026, 6, 1))
    past, later = dt.datetime(2026, 3, 1, 12), dt.date(2026, 9, 1)
    assert m.wheel_state({"status": "Utført", "due": past}) == "done"
    assert m.wheel_state({"status": "Gjennomført", "due": past}) == "overdue"  # not this unit's word
    assert m.wheel_state({"status": "Ikke relevant", "due": past, "done_date": dt.date(2026, 2, 1)}) == "na"
    assert m.wheel_state({"due": past, "done_date": dt.date(2026, 2, 1)}) == "done"
    assert m.wheel_state({"due": past, "done_date": "snart"}) == "overdue"  # a text is no date
    assert m.wheel_state({"due": later}) == "open"
    assert m.action_overdue({"deadline": past, "status": "Påbegynt"})
    assert not m.action_overdue({"deadline": past, "status": "Lukket"})
    assert m.finding_overdue({"deadline": dt.date(2026, 5, 31)})
    assert not m.finding_overdue({"deadline": dt.date(2026, 5, 31), "closed": dt.date(2026, 5, 1)})
    assert not m.finding_overdue({"deadline": dt.date(2026, 6, 1)})  # due today is not late
