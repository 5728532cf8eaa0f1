"""The public API's arguments, taken as a caller would naturally pass them.

A single path (str or Path) is one path, not a list of characters; a datetime or an
ISO date string is a day; a unit may be given as its unit.toml. Anything else is a
TypeError that says what is allowed: a programmer's mistake, told in English.
"""

from __future__ import annotations

import datetime as dt
import os


def paths_arg(paths) -> list:
    """`paths` as a list: one path given alone counts as one."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        return [paths]
    try:
        return list(paths)
    except TypeError:
        raise TypeError(f"paths must be a path or a list of paths, not {type(paths).__name__}") from None


def day_arg(today, name: str = "today") -> dt.date | None:
    """A day from a date, a datetime (its date) or an ISO string; None stays None."""
    if today is None or (isinstance(today, dt.date) and not isinstance(today, dt.datetime)):
        return today
    if isinstance(today, dt.datetime):
        return today.date()
    if isinstance(today, str):
        try:
            return dt.date.fromisoformat(today.strip())
        except ValueError:
            raise ValueError(f"{name} must be a date as YYYY-MM-DD, not {today!r}") from None
    raise TypeError(f"{name} must be a datetime.date, not {type(today).__name__}")


def unit_arg(config):
    """A Unit, None, or the path of a unit.toml (loaded)."""
    from .config import Unit, load_config

    if config is None or isinstance(config, Unit):
        return config
    if isinstance(config, (str, os.PathLike)):
        return load_config(config)
    raise TypeError(f"config must be a Unit or the path of a unit.toml, not {type(config).__name__}")
