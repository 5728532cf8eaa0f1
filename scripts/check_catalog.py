#!/usr/bin/env python3
"""Checks a language catalog against bokmål's: the same keys, the same {placeholders}.

    python scripts/check_catalog.py nn        # or da, en

The suite's test_catalogs.py makes the same checks for every language.
"""

import string
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "hmsxl" / "catalogs"
FREE_KEYS = {"seasons"}  # keys are the language's own words
FREE_LENGTH = {"default_lists", "synonyms", "seasons", "column_aliases"}  # lists whose length is the language's own


def placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


def compare(path, nb, other, problems, free_length=False):
    if isinstance(nb, dict):
        if not isinstance(other, dict):
            problems.append(f"{path}: should be a table")
            return
        if path.split(".")[-1] not in FREE_KEYS:
            for k in nb.keys() - other.keys():
                problems.append(f"{path}.{k}: missing")
            for k in other.keys() - nb.keys():
                problems.append(f"{path}.{k}: not in nb")
        for k in nb.keys() & other.keys():
            compare(f"{path}.{k}", nb[k], other[k], problems, free_length or k in FREE_LENGTH)
    elif isinstance(nb, list):
        if not isinstance(other, list):
            problems.append(f"{path}: should be a list")
            return
        if len(nb) != len(other) and not free_length:
            problems.append(f"{path}: {len(other)} items, nb has {len(nb)}")
            return
        for i, (a, b) in enumerate(zip(nb, other)):
            compare(f"{path}[{i}]", a, b, problems, free_length)
    elif isinstance(nb, str):
        if not isinstance(other, str):
            problems.append(f"{path}: should be text")
        elif placeholders(nb) != placeholders(other) and not free_length:
            problems.append(f"{path}: placeholders {sorted(placeholders(other))}, nb has {sorted(placeholders(nb))}")


def check(lang: str) -> list[str]:
    nb = tomllib.loads((ROOT / "nb.toml").read_text(encoding="utf-8"))
    other = tomllib.loads((ROOT / f"{lang}.toml").read_text(encoding="utf-8"))
    problems: list[str] = []
    compare(lang, nb, other, problems)
    if other.get("sheet", {}).get("identity") != "_hmsxl":
        problems.append(f"{lang}.sheet.identity: must stay _hmsxl")
    return problems


if __name__ == "__main__":
    found = check(sys.argv[1])
    print("\n".join(found) or "ok")
    sys.exit(1 if found else 0)
