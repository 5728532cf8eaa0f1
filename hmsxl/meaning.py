"""What a unit's values mean: which statuses close an action or an årshjul activity, the
priorities from highest to lowest, where a finding's risk becomes medium and high, and
the day that decides what is overdue. From the unit's lists, or from what a workbook
carries when there is no unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DEFAULT_RISK = (5, 10)  # a risk (1-25) from 5 is medium, from 10 high


@dataclass(frozen=True)
class Meaning:
    today: dt.date
    done: frozenset = frozenset()
    cancelled: frozenset = frozenset()
    wheel_done: frozenset = frozenset()
    wheel_na: frozenset = frozenset()
    priorities: tuple = ()
    risk: tuple[int, int] = DEFAULT_RISK

    @classmethod
    def of(cls, lists: dict, today: dt.date, risk: tuple[int, int] | None = None):
        return cls(today, *(frozenset(lists.get(k, ())) for k in (
            "done_statuses", "cancelled_statuses", "wheel_done_statuses", "wheel_na_statuses")),
            priorities=tuple(lists.get("priorities", ())), risk=tuple(risk or DEFAULT_RISK))

    def action_overdue(self, action: dict) -> bool:
        """An action past its deadline and not closed."""
        deadline = action.get("deadline")
        return isinstance(deadline, dt.date) and _day(deadline) < self.today and action.get("status") not in self.done

    def wheel_state(self, activity: dict) -> str:
        """An årshjul activity: "na" (its status says it does not apply), "done" (its status,
        or a done date), "overdue" (due before today) or "open"."""
        if activity.get("status") in self.wheel_na:
            return "na"
        if activity.get("status") in self.wheel_done or isinstance(activity.get("done_date"), dt.date):
            return "done"
        due = activity.get("due")
        return "overdue" if isinstance(due, dt.date) and _day(due) < self.today else "open"

    def finding_overdue(self, finding: dict) -> bool:
        """A vernerunde finding not closed by its deadline, which has passed."""
        deadline = finding.get("deadline")
        return (isinstance(deadline, dt.date) and _day(deadline) < self.today
                and not isinstance(finding.get("closed"), dt.date))

    @staticmethod
    def round_done(fire_round: dict) -> bool:
        """A brannvernrunde is done when it has a date in its own year (the year it is due):
        a date in another year is a mistake the reader reports, not this year's round."""
        date, due = fire_round.get("date"), fire_round.get("due")
        return isinstance(date, dt.date) and (not isinstance(due, dt.date) or date.year == due.year)

    def risk_level(self, risk) -> str | None:
        """"low", "medium" or "high" for a risk of 1-25; None without one."""
        if not isinstance(risk, int) or isinstance(risk, bool):
            return None
        medium, high = self.risk
        return "high" if risk >= high else "medium" if risk >= medium else "low"


def _day(day: dt.date) -> dt.date:
    """A date, also when it came as a date and time (a datetime is no date to compare with)."""
    return day.date() if isinstance(day, dt.datetime) else day
