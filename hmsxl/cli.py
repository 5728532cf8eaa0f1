"""The command line: each command parses options, calls one library function, prints."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from . import __version__
from .errors import HmsxlError


class _UserError(click.ClickException):
    def __init__(self, message, exit_code):
        super().__init__(message)
        self.exit_code = exit_code


def _library_errors(fn):
    """Turn the library's errors into one clear message and the right exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except HmsxlError as exc:
            raise _UserError(str(exc), exc.exit_code) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hmsxl")
def main():
    """Run a unit's yearly HMS cycle through Excel workbooks.

    Describe the unit once in unit.toml (hmsxl init), then generate one workbook per
    section for the leaders to fill in.
    """


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--year", type=click.IntRange(2000, 2100), help="The HMS year (default: this year).")
@click.option("--force", is_flag=True, help="Replace an existing unit.toml.")
@_library_errors
def init(directory, year, force):
    """Write DIRECTORY/unit.toml: a commented example unit to edit."""
    from .config import write_example_config

    target = write_example_config(directory, year, force=force)
    click.echo(f"Wrote {target}. Edit it, then run: hmsxl generate {target}")


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", default="workbooks", show_default=True,
              type=click.Path(path_type=Path), help="Folder for the workbooks.")
@click.option("--section", "sections", multiple=True, metavar="ID",
              help="Only this section (repeatable). Default: all sections.")
@click.option("--force", is_flag=True, help="Overwrite existing workbooks.")
@_library_errors
def generate(config, out_dir, sections, force):
    """Write one workbook per section: <year>-<section-id>.xlsx."""
    from .write import generate as generate_

    paths = generate_(config, out_dir=out_dir, sections=sections, force=force)
    for p in paths:
        click.echo(f"Wrote {p}")
    click.echo(f"{len(paths)} workbook(s) in {out_dir}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="unit.toml: check that each workbook belongs to this unit and year, and use its lists.")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write a copy of each file with problems, cells marked and commented, to this folder.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, e.g. overdue actions.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="The date that decides what is overdue "
              "(default: today), as YYYY-MM-DD.")
@click.option("--password", envvar="HMSXL_PASSWORD", help="Password for protected workbooks "
              "(or the HMSXL_PASSWORD environment variable).")
@_library_errors
def validate(files, config_path, annotate_dir, fmt, strict, today, password):
    """Check returned workbooks and list every problem by sheet and cell.

    Exit 0: no errors (warnings are shown); 1: errors found (or warnings, with --strict);
    2: a file could not be read at all.
    """
    from .config import load_config
    from .validate import exit_code, render_json, render_text, validate_files

    config = load_config(config_path) if config_path else None
    results = validate_files(files, config=config, today=today.date() if today else None,
                             password=password, annotate_dir=annotate_dir)
    if fmt == "json":
        click.echo(render_json(results))
    else:
        click.echo(render_text(results, style=click.style))
    raise SystemExit(exit_code(results, strict))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "report", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The report to write (.xlsx).")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="unit.toml: lists the sections that have not answered and checks unit and year.")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write each table as CSV to this folder.")
@click.option("--strict", is_flag=True, help="Exit 1 if any problem (error or warning) was found.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="The date that decides what is overdue "
              "(default: today), as YYYY-MM-DD.")
@click.option("--password", envvar="HMSXL_PASSWORD", help="Password for protected workbooks "
              "(or the HMSXL_PASSWORD environment variable).")
@_library_errors
def consolidate(paths, report, config_path, csv_dir, strict, today, password):
    """Consolidate returned workbooks into one report for LAMU.

    PATHS may be workbooks, folders (searched recursively), .eml messages (their
    spreadsheet attachments) and .zip archives.
    """
    import sys

    from .config import load_config
    from .consolidation import collect, consolidate as consolidate_

    config = load_config(config_path) if config_path else None
    show = sys.stderr.isatty()
    total = len(collect(paths)[0]) if show else 0
    if show and total > 20:
        with click.progressbar(length=total, label="Leser", file=sys.stderr) as bar:
            result = consolidate_(paths, config=config, today=today.date() if today else None,
                                  password=password, progress=bar.update)
    else:
        result = consolidate_(paths, config=config, today=today.date() if today else None, password=password)
    written = result.write_excel(report)
    rec = result.reconciliation
    problems = result.problems
    errors = int((problems["severity"] == "error").sum())
    warnings = int((problems["severity"] == "warning").sum())
    click.echo(f"Wrote {written}")
    if csv_dir:
        click.echo(f"Wrote {len(result.to_csv(csv_dir))} CSV files to {csv_dir}")
    click.echo(f"{rec['files']} file(s) read, {rec['skipped']} skipped; {rec['answered']} of {rec['sections']} "
               f"section(s) answered; {len(result.actions)} action(s), {len(result.overdue)} overdue; "
               f"{errors} error(s), {warnings} warning(s)")
    if len(result.missing):
        click.echo("Not answered: " + ", ".join(result.missing["section_id"]))
    click.echo(f"Rows read {rec['rows_read']} = reported {rec['rows_reported']} + not used {rec['rows_rejected']}")
    if strict and (errors or warnings):
        raise SystemExit(1)
