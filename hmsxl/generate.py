"""`hmsxl generate`: one workbook per section, written atomically, in parallel for many."""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .config import Unit, load_config
from .errors import OutputExistsError
from .fileio import atomic_write_bytes

# Below this many workbooks a process pool costs more than it saves.
PARALLEL_MIN = 24


def workbook_name(unit: Unit, section_id: str) -> str:
    return f"{unit.year}-{section_id}.xlsx"


def _write_one(args) -> str:
    unit, section_id, target, generated_at = args
    from .write import section_workbook_bytes

    data = section_workbook_bytes(unit, unit.section(section_id), generated_at)
    atomic_write_bytes(target, data)
    return target


def generate(config, out_dir="workbooks", sections=None, force=False, generated_at=None,
             workers=None) -> list[Path]:
    """Write one workbook per section (or per id in `sections`) into `out_dir`.

    `config` is a `Unit` or a path to unit.toml. Refuses to overwrite any existing file
    unless `force`; then nothing is written at all. Returns the paths written, in
    section order. `generated_at` (default: now) is recorded in each workbook's identity.
    """
    unit = config if isinstance(config, Unit) else load_config(config)
    wanted = list(dict.fromkeys(sections or [s.id for s in unit.sections]))
    for sid in wanted:
        unit.section(sid)  # raises ConfigError for an unknown id
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputExistsError(f"{out_dir} is a file, not a folder")
    targets = [out_dir / workbook_name(unit, sid) for sid in wanted]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        names = ", ".join(t.name for t in existing[:5]) + (" …" if len(existing) > 5 else "")
        raise OutputExistsError(
            f"{len(existing)} workbook(s) exist already in {out_dir}: {names}. Use --force to overwrite."
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    if generated_at is None:
        generated_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    jobs = [(unit, sid, str(t), generated_at) for sid, t in zip(wanted, targets)]
    if workers is None:
        workers = os.cpu_count() or 1
    if workers > 1 and len(jobs) >= PARALLEL_MIN:
        chunk = max(1, len(jobs) // (workers * 4))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_write_one, jobs, chunksize=chunk))
    else:
        for job in jobs:
            _write_one(job)
    return targets



