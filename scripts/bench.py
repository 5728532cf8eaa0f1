#!/usr/bin/env python3
"""Benchmarks hmsxl against a naive baseline in the same run, and prints ratios.

    python scripts/bench.py [N]        # N sections (default 1000)

read: up to 200 filled workbooks read with `hmsxl.read_workbook` (values and all checks)
against `pandas.read_excel(sheet_name=None, engine="openpyxl")` (values only).

generate: N section workbooks with `hmsxl.generate` (one workbook built per distinct
årshjul and patched per section, in a process pool), against the naive way: xlsxwriter
building every workbook in one process. Timings are wall-clock on this machine; only the
ratios between runs in the same process mean much.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hmsxl import generate  # noqa: E402
from hmsxl.config import Section, example_config_text, parse_config  # noqa: E402

AT = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def synthetic_unit(n: int):
    unit = parse_config(tomllib.loads(example_config_text(2026)), source="bench")
    sections = tuple(
        Section(id=f"seksjon-{i:04d}", name=f"Seksjon {i}", leader=f"Leder {i}", email=f"leder{i}@example.no")
        for i in range(n)
    )
    return dataclasses.replace(unit, sections=sections)


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t0
    return elapsed, result


def bench_generate(n: int, tmp: Path) -> None:
    from hmsxl.write import section_workbook_bytes

    unit = synthetic_unit(n)

    def naive():
        # What a plain script does: build every workbook with xlsxwriter, one after another.
        (tmp / "naive").mkdir()
        for s in unit.sections:
            (tmp / "naive" / f"{unit.year}-{s.id}.xlsx").write_bytes(section_workbook_bytes(unit, s, AT))

    t_naive, _ = timed(naive)
    t_serial, _ = timed(lambda: generate(unit, tmp / "serial", generated_at=AT, workers=1))
    t_pool, paths = timed(lambda: generate(unit, tmp / "pool", generated_at=AT))
    assert len(paths) == n
    print(f"generate: {n} sections, {os.cpu_count()} cores")
    print(f"  naive (xlsxwriter per section)  {t_naive:7.2f} s  {t_naive / n * 1000:6.1f} ms/workbook")
    print(f"  hmsxl generate, one process     {t_serial:7.2f} s  {t_serial / n * 1000:6.1f} ms/workbook"
          f"  {t_naive / t_serial:5.1f}x naive")
    print(f"  hmsxl generate (process pool)   {t_pool:7.2f} s  {t_pool / n * 1000:6.1f} ms/workbook"
          f"  {t_naive / t_pool:5.1f}x naive")


def filled_workbook(unit, tmp: Path, actions: int = 35) -> Path:
    """A realistic returned workbook: `actions` action rows, the årshjul, God BHT and årsrapport filled."""
    import openpyxl

    from hmsxl.schema import ACTIONS, ANNUAL_ITEMS

    (path,) = generate(unit, tmp / "blank", sections=[unit.sections[0].id], generated_at=AT, force=True)
    wb = openpyxl.load_workbook(path)
    ws = wb["Handlingsplan"]
    first = ACTIONS.first_data_row + 1
    for i in range(actions):
        row = [unit.categories[i % len(unit.categories)], f"Utfordring {i}: tunge løft ved varemottak",
               "Redusere belastningsskader", f"Tiltak {i}: anskaffe løftehjelpemiddel", unit.priorities[i % 3],
               "Seksjonsleder", dt.datetime(2026, 1 + i % 12, 15), unit.statuses[i % len(unit.statuses)],
               dt.datetime(2026, 11, 1), "Fulgt opp på HMS-møte"]
        for c, value in enumerate(row, start=1):
            ws.cell(first + i, c, value)
    ws = wb["Årshjul"]
    for r in range(5, 5 + 9):
        ws.cell(r, 6, dt.datetime(2026, 6, 1))
        ws.cell(r, 8, "Gjennomført")
    ws = wb["God BHT"]
    for r in range(5, 20):
        ws.cell(r, 5, 1 + r % 4)
        ws.cell(r, 6, 1 + (r + 1) % 4)
        ws.cell(r, 7, "Drøftet i teamet")
    ws = wb["Årsrapport"]
    for i, item in enumerate(ANNUAL_ITEMS):
        ws.cell(5 + i, 4, "Ja" if "list_name" in repr(item.field) else (4 if "Count" in repr(item.field) else "Tekst"))
    out = tmp / "filled.xlsx"
    wb.save(out)
    return out


def bench_read(files: int, tmp: Path) -> None:
    """Reading returned workbooks: hmsxl.read_workbook against pandas + openpyxl on the same files."""
    import pandas as pd

    from hmsxl import read_workbook

    unit = synthetic_unit(1)
    src = filled_workbook(unit, tmp)
    paths = []
    (tmp / "returned").mkdir()
    for i in range(files):
        p = tmp / "returned" / f"r{i}.xlsx"
        p.write_bytes(src.read_bytes())
        paths.append(p)
    t_naive, _ = timed(lambda: [pd.read_excel(p, sheet_name=None, engine="openpyxl") for p in paths])
    t_hmsxl, results = timed(lambda: [read_workbook(p, config=unit, today=dt.date(2026, 1, 10)) for p in paths])
    assert all(len(r.actions) == 35 for r in results)
    print(f"read: {files} filled workbooks (35 actions each), one process")
    print(f"  pandas.read_excel(engine='openpyxl')  {t_naive / files * 1000:6.1f} ms/workbook")
    print(f"  hmsxl.read_workbook (values+checks)    {t_hmsxl / files * 1000:6.1f} ms/workbook"
          f"  {t_naive / t_hmsxl:5.1f}x naive")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=1000, help="number of sections (default 1000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hmsxl-bench-") as tmp:
        bench_generate(args.n, Path(tmp))
        bench_read(min(args.n, 200), Path(tmp))


if __name__ == "__main__":
    main()
