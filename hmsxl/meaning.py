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

    def risk_level(self, risk) -> str | None:
        """"low", "medium" or "high" for a risk of 1-25; None without one."""
        if not isinstance(risk, int) or isinstance(risk, bool):
            return None
        medium, high = self.risk
        return "high" if risk >= high else "medium" if risk >= medium else "low"
