#!/usr/bin/env python3
"""A long fuzzing campaign: the suite's structure-aware mutations, for as long as one likes.

    python scripts/fuzz.py [--examples N] [--seed S]

Builds a filled section workbook, has LibreOffice save it as .xls and .ods (skipped
without soffice), then feeds batches of mutated files (far and damaged cell references,
parts dropped or duplicated, sizes and counts that lie, repeated rows, BIFF records with
any row and column, flipped bytes) through the reading path `hmsxl validate` uses. Stops
at the first file that makes a reader die, run out of memory or time, or that does not
end as data or as one line of reason, and keeps it in ./fuzz-failures/ to reproduce.
The suite runs the same strategies with a small, fixed budget (tests/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hypothesis import HealthCheck, given, settings  # noqa: E402

from hmsxl import generate  # noqa: E402
from hmsxl.config import example_config_text, parse_config  # noqa: E402
from hmsxl.simulate import simulated_fill  # noqa: E402
from test_fuzz import check_batch, fuzz_batch  # noqa: E402


def originals(tmp: Path) -> dict:
    unit = parse_config(tomllib.loads(example_config_text(2026)), source="fuzz")
    fills = {"samling": simulated_fill(unit, "samling", seed=5)}
    (src,) = generate(unit, tmp / "src", sections=["samling"], fills=fills)
    out = {"xlsx": src.read_bytes()}
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        for kind, filt in (("xls", "xls:MS Excel 97"), ("ods", "ods")):
            subprocess.run([soffice, "--headless", f"-env:UserInstallation={(tmp / 'lo').as_uri()}",
                            "--convert-to", filt, "--outdir", str(tmp), str(src)], capture_output=True, timeout=300)
            made = tmp / f"{src.stem}.{kind}"
            if made.exists():
                out[kind] = made.read_bytes()
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2000, help="batches to try (default 2000)")
    parser.add_argument("--seed", type=int, default=None, help="a seed, to repeat a campaign")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hmsxl-fuzz-") as tmp:
        tmp = Path(tmp)
        bases = originals(tmp)
        print(f"fuzzing {', '.join(sorted(bases))}: {args.examples} batches", flush=True)
        seen = {"batches": 0, "files": 0}
        started = time.perf_counter()

        @settings(max_examples=args.examples, deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck))
        @given(batch=fuzz_batch(bases))
        def run(batch):
            try:
                check_batch(tmp / "batch", batch)
            except AssertionError:
                keep = ROOT / "fuzz-failures"
                keep.mkdir(exist_ok=True)
                for n, (kind, data) in enumerate(batch):
                    (keep / f"{int(time.time())}-{n}.{kind}").write_bytes(data)
                raise
            seen["batches"] += 1
            seen["files"] += len(batch)
            if seen["batches"] % 50 == 0:
                rate = seen["files"] / (time.perf_counter() - started)
                print(f"  {seen['batches']} batches, {seen['files']} files, {rate:.0f} files/s", flush=True)

        if args.seed is not None:
            from hypothesis import seed

            run = seed(args.seed)(run)
        run()
        print(f"done: {seen['files']} files in {time.perf_counter() - started:.0f} s, no reader crashed")


if __name__ == "__main__":
    main()
