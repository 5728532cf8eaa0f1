#!/usr/bin/env python3
"""Benchmarks hmsxl against a naive baseline in the same run, and prints ratios.

    python scripts/bench.py [N]        # N sections (default 1000)
    python scripts/bench.py --only floor [--sizes 1000,4000] [--corpus DIR]

read: up to 200 filled workbooks read with `hmsxl.read_workbook` (values and all checks)
against `pandas.read_excel(sheet_name=None, engine="openpyxl")` (values only).

consolidate: N filled workbooks (30-40 actions each) consolidated by `hmsxl.consolidate`
into the report, with each file read in an isolated worker (memory and time limits, a
crash-tolerant pool) and, for comparison, in a plain process pool; against the naive script (`pandas.read_excel(sheet_name=None,
engine="openpyxl")` per file, `concat`, `to_excel` with openpyxl); each in a fresh
process, with its peak memory (workers included).

floor: hmsxl consolidate against the floor no consolidation can beat (python-calamine
reading every sheet of every file in 2 processes, plus xlsxwriter writing the report's
action rows), at N = 1,000 and 4,000 returned workbooks of 30 actions each, filled and
saved by openpyxl, on a clean corpus and on one where every action row lacks three
required fields; each run in a fresh process, best of three, with the peak memory of the
whole process tree (workers included, shared pages counted once: PSS), sampled.

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
        (tmp / "naive").mkdir(parents=True)
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
    (tmp / "returned").mkdir(parents=True)
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


VARIANTS = 20  # distinct filled-in workbooks, spread over the sections


def make_returns(n: int, tmp: Path) -> Path:
    """N filled section workbooks (30-40 actions each, full årshjul, God BHT, årsrapport)."""
    import random

    from hmsxl.simulate import simulated_fill

    unit = synthetic_unit(n)
    rng = random.Random(1)
    variants = [simulated_fill(unit, f"v{i}", seed=i, actions=rng.randint(30, 40)) for i in range(VARIANTS)]
    fills = {s.id: variants[i % VARIANTS] for i, s in enumerate(unit.sections)}
    out = tmp / "returned"
    generate(unit, out, generated_at=AT, fills=fills)
    return out


def run_hmsxl(folder: str, n: int, report: str) -> None:
    from hmsxl import consolidate

    result = consolidate([folder], config=synthetic_unit(n), today=dt.date(2026, 6, 1))
    result.write_excel(report)
    assert result.reconciliation["balanced"] and result.reconciliation["answered"] == n


def without_isolation() -> None:
    """Read in a plain process pool, as before isolation: no memory or time limit, and one
    crashing file would break the pool. Only to measure what isolation costs."""
    from concurrent.futures import ProcessPoolExecutor

    from hmsxl import inputs

    def pooled(jobs, settings, workers, limits, meanwhile=None):
        batch = max(1, min(16, len(jobs) // (workers * 8)))
        chunks = [jobs[i:i + batch] for i in range(0, len(jobs), batch)]
        with ProcessPoolExecutor(workers, initializer=inputs._init_worker, initargs=(*settings, "")) as pool:
            results_of = pool.map(inputs._read_batch, chunks)
            if meanwhile is not None:
                meanwhile()
            for results in results_of:
                yield from results

    inputs._pooled = pooled
    inputs._limit_memory = lambda megabytes: None


def run_naive(folder: str, report: str) -> None:
    """What an advisor would write: read every sheet with pandas+openpyxl, concat, to_excel."""
    import pandas as pd

    frames = []
    for path in sorted(Path(folder).glob("*.xlsx")):
        # header=3: the table headers are on row 4, under the title (as an advisor would find).
        sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl", header=3)
        plan = sheets["Handlingsplan"].dropna(how="all")
        plan["fil"] = path.name
        frames.append(plan)
    pd.concat(frames).to_excel(report, engine="openpyxl", index=False)


def measured(code: str) -> tuple[float, float]:
    """Run `code` in a fresh Python; return (seconds, peak MB of it and its workers)."""
    import json
    import subprocess

    wrapper = (
        "import json, resource, sys, time; sys.path.insert(0, %r); sys.argv = ['bench']; import bench; "
        "t = time.perf_counter(); %s; e = time.perf_counter() - t; "
        "peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "print(json.dumps([e, peak / 1024]))"
    ) % (str(Path(__file__).parent), code)
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True)
    seconds, mb = json.loads(out.stdout.strip().splitlines()[-1])
    return seconds, mb


def bench_consolidate(n: int, tmp: Path) -> None:
    folder = make_returns(n, tmp)
    # This kind of machine varies by a quarter between runs: hmsxl runs three times each
    # way, interleaved (best and slowest shown); the naive script, far slower, once.
    hmsxl = f"bench.run_hmsxl({str(folder)!r}, {n}, {str(tmp / 'report.xlsx')!r})"
    runs, plain = [], []
    for _ in range(3):
        runs.append(measured(hmsxl))
        plain.append(measured("bench.without_isolation(); " + hmsxl))
    t_h, m_h = min(runs)
    t_p, m_p = min(plain)
    t_slow = max(t for t, _ in runs)
    t_n, m_n = measured(f"bench.run_naive({str(folder)!r}, {str(tmp / 'naive.xlsx')!r})")
    print(f"consolidate: {n} filled workbooks (30-40 actions each), {os.cpu_count()} cores")
    print(f"  naive script (pandas+openpyxl)   {t_n:7.2f} s  {n / t_n:7.0f} files/s  peak {m_n:6.0f} MB")
    print(f"  hmsxl, plain pool (best of 3)    {t_p:7.2f} s  {n / t_p:7.0f} files/s  peak {m_p:6.0f} MB"
          f"  {t_n / t_p:5.1f}x naive  (slowest {max(t for t, _ in plain):.2f} s)")
    print(f"  hmsxl consolidate (best of 3)    {t_h:7.2f} s  {n / t_h:7.0f} files/s  peak {m_h:6.0f} MB"
          f"  {t_n / t_h:5.1f}x naive  (slowest {t_slow:.2f} s)")
    print(f"  isolation (worker limits, crash-tolerant pool) costs {100 * (t_h / t_p - 1):+.1f} % "
          f"against the plain pool")


# --------------------------------------------------------------------------- the floor

FLOOR_ACTIONS = 30


def _fill_for_floor(job) -> None:
    """One returned workbook as openpyxl saves it: 30 actions (three required fields left
    out of each in the problem corpus), the årshjul, God BHT and the årsrapport filled."""
    import openpyxl

    from hmsxl.schema import ACTIONS, ANNUAL_ITEMS
    from hmsxl.fields import Choice, Count, Date

    src, dst, problems, seed = job
    unit = synthetic_unit(1)
    wb = openpyxl.load_workbook(src)
    ws = wb["Handlingsplan"]
    first = ACTIONS.first_data_row + 1
    empty = {"priority", "responsible", "status"} if problems else set()
    for i in range(FLOOR_ACTIONS):
        n = seed * 31 + i
        values = {
            "category": unit.categories[n % len(unit.categories)], "challenge": f"Utfordring {n}: tunge løft",
            "purpose": "Redusere belastningsskader", "measure": f"Tiltak {n}: anskaffe løftehjelpemiddel",
            "priority": unit.priorities[n % 3], "responsible": f"Leder {seed}",
            "deadline": dt.datetime(2026, 1 + n % 12, 1 + n % 28), "status": unit.statuses[n % len(unit.statuses)],
            "next_review": dt.datetime(2026, 11, 1), "comment": "Fulgt opp på HMS-møte" if n % 3 else None,
        }
        for key, value in values.items():
            if key not in empty and value is not None:
                ws.cell(first + i, ACTIONS.index(key) + 1, value)
    ws = wb["Årshjul"]
    for r in range(5, 14):
        ws.cell(r, 6, dt.datetime(2026, 6, 1))
        ws.cell(r, 8, "Gjennomført")
    ws = wb["God BHT"]
    for r in range(5, 20):
        ws.cell(r, 5, 1 + (r + seed) % 4)
        ws.cell(r, 6, 1 + (r + seed + 1) % 4)
        ws.cell(r, 7, "Drøftet i teamet")
    ws = wb["Årsrapport"]
    for i, item in enumerate(ANNUAL_ITEMS):
        f = item.field
        value = (f.options(unit)[0] if isinstance(f, Choice) else 4 if isinstance(f, Count)
                 else dt.datetime(2026, 6, 1) if isinstance(f, Date) else "Tekst")
        ws.cell(5 + i, 4, value)
    wb.save(dst)


def floor_corpus(n: int, problems: bool, base: Path) -> Path:
    """N returned workbooks (kept under `base` and reused when they are there already)."""
    from concurrent.futures import ProcessPoolExecutor

    folder = base / f"{'problems' if problems else 'clean'}-{n}"
    if folder.is_dir() and len(list(folder.glob("*.xlsx"))) == n:
        return folder
    unit = synthetic_unit(n)
    blank = generate(unit, base / f"blank-{n}", generated_at=AT, force=True)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(str(p), str(folder / p.name), problems, i) for i, p in enumerate(blank)]
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(_fill_for_floor, jobs, chunksize=16))
    return folder


def _floor_read(path: str) -> list:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    actions = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python()
        if name == "Handlingsplan":
            actions = [r for r in rows[4:] if any(v not in ("", None) for v in r)]
    return actions


def run_floor(folder: str, report: str) -> None:
    """What no consolidation can beat: every sheet of every file read by python-calamine in
    2 processes, and the action rows written by xlsxwriter."""
    from concurrent.futures import ProcessPoolExecutor

    import xlsxwriter

    files = sorted(str(p) for p in Path(folder).glob("*.xlsx"))
    rows = []
    with ProcessPoolExecutor(2) as pool:
        for actions in pool.map(_floor_read, files, chunksize=16):
            rows.extend(actions)
    wb = xlsxwriter.Workbook(report)
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()


def run_consolidate(folder: str, n: int, report: str) -> None:
    from hmsxl import consolidate

    result = consolidate([folder], config=synthetic_unit(n), today=dt.date(2026, 6, 1))
    result.write_excel(report)
    assert result.reconciliation["balanced"] and result.reconciliation["answered"] == n


def _tree_memory(root: int) -> int:
    """Bytes of memory a process and all its descendants use, from /proc: the proportional
    set size (PSS), so that pages a forked worker shares with its parent count once."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
        todo.extend(children.get(pid, ()))
    return total


def measured_tree(code: str) -> tuple[float, float]:
    """Run `code` in a fresh Python; (seconds, peak MB of the whole process tree, sampled
    every 20 ms: a peak shorter than that can be missed)."""
    import subprocess

    wrapper = ("import sys, time; sys.path.insert(0, %r); sys.argv = ['bench']; import bench; "
               "t = time.perf_counter(); %s; print(time.perf_counter() - t)") % (str(Path(__file__).parent), code)
    proc = subprocess.Popen([sys.executable, "-c", wrapper], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_memory(proc.pid))
        time.sleep(0.02)
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(err)
    return float(out.strip().splitlines()[-1]), peak / 2**20


def bench_floor(sizes, base: Path) -> None:
    print(f"consolidate against the floor: returned workbooks of {FLOOR_ACTIONS} actions, saved by openpyxl; "
          f"{os.cpu_count()} cores; best of 3, peak memory of all processes")
    print(f"  {'corpus':<10} {'files':>6} {'floor':>8} {'hmsxl':>8} {'ratio':>6} {'peak floor':>11} "
          f"{'peak hmsxl':>11}")
    for n in sizes:
        for problems in (False, True):
            folder = floor_corpus(n, problems, base)
            report = str(base / "report.xlsx")
            floor, ours = [], []
            for _ in range(3):  # interleaved: this kind of machine drifts
                floor.append(measured_tree(f"bench.run_floor({str(folder)!r}, {report!r})"))
                ours.append(measured_tree(f"bench.run_consolidate({str(folder)!r}, {n}, {report!r})"))
            (t_f, m_f), (t_h, m_h) = min(floor), min(ours)
            name = "problems" if problems else "clean"
            print(f"  {name:<10} {n:>6} {t_f:7.2f}s {t_h:7.2f}s {t_h / t_f:5.2f}x {m_f:8.0f} MB {m_h:8.0f} MB")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=1000, help="number of sections (default 1000)")
    parser.add_argument("--only", choices=["generate", "read", "consolidate", "floor"], help="run one benchmark")
    parser.add_argument("--sizes", default="1000,4000", help="floor: numbers of returned workbooks")
    parser.add_argument("--corpus", type=Path, help="floor: keep the corpora here and reuse them")
    args = parser.parse_args(argv)
    if args.only == "floor":
        sizes = [int(x) for x in args.sizes.split(",")]
        if args.corpus:
            bench_floor(sizes, args.corpus)
        else:
            with tempfile.TemporaryDirectory(prefix="hmsxl-bench-") as tmp:
                bench_floor(sizes, Path(tmp))
        return
    with tempfile.TemporaryDirectory(prefix="hmsxl-bench-") as tmp:
        if args.only in (None, "generate"):
            bench_generate(args.n, Path(tmp) / "g")
        if args.only in (None, "read"):
            bench_read(min(args.n, 200), Path(tmp) / "r")
        if args.only in (None, "consolidate"):
            bench_consolidate(args.n, Path(tmp) / "c")


if __name__ == "__main__":
    main()
