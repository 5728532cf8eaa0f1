#!/usr/bin/env python3
"""Render the screenshots in docs/img from real files: the demo's workbooks and report.

Runs the demo (on a fixed date, so the pictures only change when the code does), fills a
workbook of a nynorsk and of a Danish example unit, turns them, a returned workbook and
the LAMU report into PDF with LibreOffice (one page per sheet) and the pages into PNG
with pdftoppm (Debian: poppler-utils).

    python scripts/render_docs.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tomllib  # noqa: E402

from hmsxl import generate  # noqa: E402
from hmsxl.config import example_config_text, parse_config  # noqa: E402
from hmsxl.demo import run_demo  # noqa: E402
from hmsxl.simulate import simulated_fill  # noqa: E402

TODAY = dt.date(2026, 10, 1)
PDF_FILTER = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
# (file in the demo folder, page number = sheet number, picture name)
PICTURES = [
    ("returned/samling/Handlingsplan.xlsx", 1, "arbeidsbok-veiledning"),
    ("returned/samling/Handlingsplan.xlsx", 2, "arbeidsbok-handlingsplan"),
    ("returned/samling/Handlingsplan.xlsx", 3, "arbeidsbok-arshjul"),
    ("returned/samling/Handlingsplan.xlsx", 4, "arbeidsbok-vernerunde"),
    ("returned/samling/Handlingsplan.xlsx", 5, "arbeidsbok-brannvernrunder"),
    ("returned/samling/Handlingsplan.xlsx", 6, "arbeidsbok-godbht"),
    ("returned/samling/Handlingsplan.xlsx", 7, "arbeidsbok-arsrapport"),
    ("lamu-rapport-2026.xlsx", 1, "rapport-oversikt"),
    ("lamu-rapport-2026.xlsx", 2, "rapport-handlingsplan"),
    ("lamu-rapport-2026.xlsx", 4, "rapport-arshjul"),
    ("lamu-rapport-2026.xlsx", 6, "rapport-vernerunder"),
    ("lamu-rapport-2026.xlsx", 7, "rapport-risikomatrise"),
    ("lamu-rapport-2026.xlsx", 8, "rapport-brannvernrunder"),
    ("lamu-rapport-2026.xlsx", 10, "rapport-godbht"),
    ("lamu-rapport-2026.xlsx", 13, "rapport-problemer"),
    ("nn/2026-samling.xlsx", 2, "arbeidsbok-nynorsk-handlingsplan"),
    ("da/2026-samling.xlsx", 1, "arbeidsbok-dansk-vejledning"),
    ("da/2026-samling.xlsx", 4, "arbeidsbok-dansk-arbejdsmiljodroftelse"),
]


def filled_in(language: str, folder: Path) -> None:
    """The example unit of `language`: its first section's workbook, filled in."""
    unit = parse_config(tomllib.loads(example_config_text(TODAY.year, language)))
    sid = unit.sections[0].id
    generate(unit, folder, sections=[sid], fills={sid: simulated_fill(unit, sid, seed=2, today=TODAY)},
             generated_at=dt.datetime(TODAY.year, 1, 5, 8, 0, tzinfo=dt.timezone.utc), force=True)


def main() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftoppm"):
        sys.exit("needs LibreOffice (soffice) and pdftoppm (poppler-utils)")
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hmsxl-docs-") as tmp:
        tmp = Path(tmp)
        demo = tmp / "demo"
        run_demo(demo, today=TODAY)
        for language in ("nn", "da"):
            filled_in(language, demo / language)
        profile = (tmp / "profile").as_uri()
        # One conversion per folder: two folders may hold files of the same name.
        for folder in sorted({Path(name).parent for name, _, _ in PICTURES}):
            sources = sorted({name for name, _, _ in PICTURES if Path(name).parent == folder})
            subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                            "--convert-to", PDF_FILTER, "--outdir", str(tmp / "pdf" / folder),
                            *[str(demo / s) for s in sources]], check=True, capture_output=True, timeout=300)
        for name, page, picture in PICTURES:
            pdf = tmp / "pdf" / Path(name).parent / (Path(name).stem + ".pdf")
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                            str(pdf), str(out / picture)], check=True, timeout=120)
            _trim(out / f"{picture}.png")
            print(f"Wrote docs/img/{picture}.png")


def _trim(png: Path) -> None:
    """Cut the white below and beside what the page shows (a sheet's spare rows print empty)."""
    from PIL import Image, ImageOps

    with Image.open(png) as image:
        box = ImageOps.invert(image.convert("L")).getbbox()
        if box and box != (0, 0, *image.size):
            image.crop((0, 0, min(image.width, box[2] + 10), min(image.height, box[3] + 10))).save(png)


if __name__ == "__main__":
    main()
