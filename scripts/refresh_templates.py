#!/usr/bin/env python3
"""Regenerate the blank bokmål templates in workbooks/ from the example unit config.

Run after changing the schemas, labels or writer; tests/test_templates.py fails while
the committed templates differ from what the code writes.
"""

from __future__ import annotations

import datetime as dt
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hmsxl import generate  # noqa: E402
from hmsxl.config import example_config_text, parse_config  # noqa: E402

TEMPLATE_YEAR = 2026
# Fixed so that the templates change only when the code does.
TEMPLATE_GENERATED_AT = dt.datetime(TEMPLATE_YEAR, 1, 1, tzinfo=dt.timezone.utc)


def template_unit():
    return parse_config(tomllib.loads(example_config_text(TEMPLATE_YEAR)), source="example unit.toml")


def refresh(out_dir: Path) -> list[Path]:
    return generate(template_unit(), out_dir, force=True, generated_at=TEMPLATE_GENERATED_AT, workers=1)


if __name__ == "__main__":
    for path in refresh(ROOT / "workbooks"):
        print(f"Wrote {path.relative_to(ROOT)}")
