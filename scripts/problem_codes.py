#!/usr/bin/env python3
"""Writes the table of every problem code into the advisor's guide, from the code's
severity (hmsxl.problems) and its bokmål message (the catalog), so that the guide names
every code the report's «Kode» column can show.

    python scripts/problem_codes.py           # rewrite the table in docs/brukerveiledning.md
    python scripts/problem_codes.py --check   # exit 1 if the table is not what it would write

The suite's test_docs.py makes the same check.
"""

from __future__ import annotations

import re
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hmsxl import labels  # noqa: E402
from hmsxl.problems import SEVERITY, SEVERITY_OF_THOSE  # noqa: E402

GUIDE = ROOT / "docs" / "brukerveiledning.md"
START = "<!-- problem codes: written by scripts/problem_codes.py -->"
END = "<!-- end of problem codes -->"


def _template(message: str) -> str:
    """A message with its details left out: «{text}» reads «…»."""
    parts = string.Formatter().parse(message)
    return "".join(text + ("…" if field is not None else "") for text, field, _, _ in parts).replace("|", "\\|")


def table() -> str:
    lines = [START, "", "| kode | alvor | melding |", "|---|---|---|"]
    with labels.language("nb"):
        severities, messages = labels.SEVERITY, labels.PROBLEM
        for code, severity in SEVERITY.items():
            shown = severities["as_those"] if code in SEVERITY_OF_THOSE else severities[severity]
            lines.append(f"| `{code}` | {shown} | {_template(messages[code])} |")
    return "\n".join(lines + ["", END])


def written(text: str) -> str:
    """The guide with its table as this script writes it."""
    return re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: table(), text, flags=re.S)


def main(argv: list[str]) -> int:
    text = GUIDE.read_text(encoding="utf-8")
    if START not in text:
        print(f"{GUIDE.name} has no {START}", file=sys.stderr)
        return 1
    if "--check" in argv:
        return 0 if written(text) == text else 1
    GUIDE.write_text(written(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
