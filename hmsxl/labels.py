"""Every word hmsxl writes for a person to read, from one catalog per language.

The catalogs are `catalogs/<language>.toml`: bokmål (nb, the default), nynorsk (nn),
Danish (da) and English (en), each with the same keys and the same {placeholders} (a
test checks). They are TOML, not gettext: hmsxl's texts are structured (a column's label
with its input message, a question with its part, the default lists, the God BHT
elements), a key must not change when a wording does, and a translator edits one plain
file. Babel supplies what a catalog cannot: dates in words and plural rules.

The language in force is a context: `with language("nn"): ...`; `labels.SHEET`,
`labels.PROBLEM` and the rest are the current catalog's. A text that is made in one
place and shown in another (a problem's message: read in a worker, shown in the report,
in the command line and in the leader's annotated copy) is kept as a `Msg` and rendered
in the language of wherever it is shown.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import tomllib
from importlib import resources
from typing import NamedTuple

LANGUAGES = ("nb", "nn", "da", "en")
DEFAULT_LANGUAGE = "nb"
LANGUAGE_NAMES = {"nb": "norsk bokmål", "nn": "norsk nynorsk", "da": "dansk", "en": "English"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("hmsxl_language", default=DEFAULT_LANGUAGE)


def _frozen(value):
    """TOML's lists as tuples (the catalog is shared and must not change), keys of digits as ints."""
    if isinstance(value, dict):
        return {int(k) if isinstance(k, str) and k.isdigit() else k: _frozen(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


class Catalog:
    """One language's texts: each top-level key of its file as an attribute in capitals
    (`months` -> MONTHS, `[problem]` -> PROBLEM)."""

    def __init__(self, language: str, data: dict):
        self.language = language
        self.data = data  # the file as read, for checks over every text
        self.keys = tuple(k.upper() for k in data)
        for key, value in data.items():
            setattr(self, key.upper(), _frozen(value))

    def plural(self, section: str, key: str, n: int, **params) -> str:
        """A text with a count in it, in the plural form the language uses for `n`:
        the entry is a table of forms ({one = "…", other = "…"})."""
        forms = getattr(self, section.upper())[key]
        form = _plural_form(self.language, n)
        return forms.get(form, forms["other"]).format(n=n, **params)

    def date(self, day: dt.date, form: str = "long") -> str:
        """A date in words: "15. september 2026" (nb), "September 15, 2026" (en)."""
        from babel.dates import format_date

        return format_date(day, form, locale=self.language)


@functools.lru_cache(maxsize=8)
def _plural_form(language: str, n: int) -> str:
    from babel import Locale

    return Locale.parse(language).plural_form(n)


@functools.cache
def catalog(language: str) -> Catalog:
    if language not in LANGUAGES:
        raise ValueError(f"no catalog for language {language!r} (known: {', '.join(LANGUAGES)})")
    text = resources.files("hmsxl").joinpath("catalogs", f"{language}.toml").read_text(encoding="utf-8")
    return Catalog(language, tomllib.loads(text))


def all_catalogs() -> tuple[Catalog, ...]:
    return tuple(catalog(lang) for lang in LANGUAGES)


def current() -> Catalog:
    return catalog(_current.get())


@contextlib.contextmanager
def language(lang: str | None):
    """Make `lang` the language in force (None: leave it as it is)."""
    if lang is None:
        yield current()
        return
    catalog(lang)  # an unknown language fails here, before anything is written in it
    token = _current.set(lang)
    try:
        yield catalog(lang)
    finally:
        _current.reset(token)


def set_language(lang: str) -> None:
    """Make `lang` the language in force for the rest of this process (a worker's)."""
    catalog(lang)
    _current.set(lang)


class Msg(NamedTuple):
    """A text kept as data: which catalog entry, and what fills it. Rendered when shown,
    in the language in force then; parameters may be `Msg`s themselves."""

    section: str
    key: str
    params: dict = {}

    def render(self, cat: Catalog | None = None) -> str:
        cat = cat or current()
        params = {k: v.render(cat) if isinstance(v, Msg) else v for k, v in self.params.items()}
        return getattr(cat, self.section.upper())[self.key].format(**params)

    def __str__(self) -> str:
        return self.render()


def msg(section: str, key: str, **params) -> Msg:
    return Msg(section, key, params)


def render(value, cat: Catalog | None = None) -> str:
    """A `Msg` rendered, or a plain text as it is."""
    return value.render(cat) if isinstance(value, Msg) else value


class _Section:
    """One part of the catalog in force, looked up when used: `R = section("REPORT")` at a
    module's top, then `R["title"]` in whatever language is in force at that moment."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __getitem__(self, key):
        return getattr(current(), self.name)[key]

    def get(self, key, default=None):
        return getattr(current(), self.name).get(key, default)

    def __contains__(self, key) -> bool:
        return key in getattr(current(), self.name)

    def __iter__(self):
        return iter(getattr(current(), self.name))

    def items(self):
        return getattr(current(), self.name).items()

    def keys(self):
        return getattr(current(), self.name).keys()

    def values(self):
        return getattr(current(), self.name).values()


def quote(text) -> str:
    """`text` in the quotation marks of the language in force."""
    return current().QUOTE.format(text=text)


def section(name: str) -> _Section:
    return _Section(name)


def __getattr__(name: str):
    if name.isupper():
        return getattr(current(), name)
    raise AttributeError(f"module 'hmsxl.labels' has no attribute {name!r}")
