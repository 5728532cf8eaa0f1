#!/usr/bin/env python3
"""Benchmarks hmsxl against a naive baseline in the same run, and prints ratios.

    python scripts/bench.py [N]        # N sections (default 1000)

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=1000, help="number of sections (default 1000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hmsxl-bench-") as tmp:
        bench_generate(args.n, Path(tmp))


if __name__ == "__main__":
    main()
