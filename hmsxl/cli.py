"""The command line: each command parses options, calls one library function, prints."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from . import __version__, labels
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
        except OSError as exc:  # a folder where a file should go, no permission, a full disk
            where = exc.filename or ""
            raise _UserError(f"{where}: {exc.strerror or exc}" if where else str(exc), 2) from None

    return wrapper


_today_option = click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), callback=lambda ctx, param, value: value.date() if value else None,
    help="The date that decides what is overdue (default: today), as YYYY-MM-DD.")
_password_option = click.option(
    "--password", envvar="HMSXL_PASSWORD",
    help="Password for protected workbooks (or the HMSXL_PASSWORD environment variable).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hmsxl")
def main():
    """Run a unit's yearly HMS cycle through Excel workbooks.

    \b
    The year, command by command:
      hmsxl init DIR              describe the unit once: DIR/unit.toml
      hmsxl generate unit.toml    one workbook per section
      hmsxl mail / calendar       drafts to the leaders; the årshjul for calendars
      hmsxl validate FILE...      check returned workbooks, cell by cell
      hmsxl consolidate PATH...   the unit-wide report for LAMU
      hmsxl demo                  all of it on an invented unit
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
@click.option("--carry-over", "carry_over", multiple=True, type=click.Path(exists=True, path_type=Path),
              metavar="PATH", help="Last year's returned workbooks (files or folders, repeatable): each "
              "section's unfinished actions are pre-filled in its new action plan.")
@_library_errors
def generate(config, out_dir, sections, force, carry_over):
    """Write one workbook per section: <year>-<section-id>.xlsx."""
    from .config import load_config
    from .write import generate as generate_

    unit = load_config(config)
    fills = {}
    if carry_over:
        from .consolidation import carry_over as carry_over_

        found = carry_over_(unit, carry_over)
        for src in found.sources.itertuples():
            click.echo(f"{src.file}: {src.status}" + (f" ({src.reason})" if src.reason else ""))
        fills = found.fills
        click.echo(f"Carried over {found.count} unfinished action(s) for {len(fills)} section(s)")
    paths = generate_(unit, out_dir=out_dir, sections=sections, force=force, fills=fills)
    for p in paths:
        click.echo(f"Wrote {p}")
    click.echo(f"{len(paths)} workbook(s) in {out_dir}")


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="unit.toml: check that each workbook belongs to this unit and year, and use its lists.")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write a copy of each file with problems, cells marked and commented, to this folder.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, e.g. overdue actions.")
@_today_option
@_password_option
@_library_errors
def validate(files, config_path, annotate_dir, fmt, strict, today, password):
    """Check returned workbooks and list every problem by sheet and cell.

    PATH may be workbooks, folders (searched recursively), .eml messages and .zip
    archives, as for consolidate. Exit 0: no errors (warnings are shown); 1: errors
    found (or warnings, with --strict); 2: a file could not be read at all.
    """
    from .config import load_config
    from .validate import exit_code, render_json, render_text, validate_files

    config = load_config(config_path) if config_path else None
    results = validate_files(files, config=config, today=today,
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
@_today_option
@_password_option
@_library_errors
def consolidate(paths, report, config_path, csv_dir, strict, today, password):
    """Consolidate returned workbooks into one report for LAMU.

    PATHS may be workbooks, folders (searched recursively), .eml messages (their
    spreadsheet attachments) and .zip archives.
    """
    import sys

    from .config import load_config
    from .consolidation import consolidate as consolidate_
    from .inputs import refuse_outputs_over_inputs

    config = load_config(config_path) if config_path else None
    # Before anything is read: no output may be, or replace, an input.
    refuse_outputs_over_inputs(paths, files=[report], folders=[csv_dir] if csv_dir else [])
    bar = None

    def progress(done, total):
        # A bar only on a terminal, and only when there is something to wait for.
        nonlocal bar
        if bar is None and total > 20 and sys.stderr.isatty():
            bar = click.progressbar(length=total, label=labels.CLI["reading"], file=sys.stderr)
            bar.__enter__()
        if bar is not None:
            bar.update(1)

    try:
        result = consolidate_(paths, config=config, today=today, password=password, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
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


@main.command()
@click.argument("directory", default="hmsxl-demo", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Run in DIRECTORY even if it is not empty.")
@_library_errors
def demo(directory, force):
    """Run the whole yearly cycle on an invented unit, in DIRECTORY (default: hmsxl-demo).

    Writes unit.toml, the section workbooks, simulated returns (some late, some wrong,
    one section missing, one returned twice, one by e-mail), validates them and writes
    the LAMU report. Works offline and writes nothing outside DIRECTORY.
    """
    from .demo import run_demo
    from .validate import render_text

    result = run_demo(directory, force=force)
    click.echo(f"Unit description:   {result.config}")
    click.echo(f"Workbooks sent:     {len(result.workbooks)} in {result.workbooks[0].parent}")
    click.echo(f"Answers returned:   {len(result.returned)} in {directory / 'returned'}")
    click.echo("")
    click.echo("hmsxl validate on the returned workbooks (errors only; the report lists everything):")
    click.echo(render_text(result.validation, style=click.style, levels=("error",)))
    click.echo("")
    c = result.consolidation
    click.echo(click.style(f"LAMU report: {result.report}", bold=True))
    header = f"{'section':<12} {'answered':<9} {'actions':>7} {'done':>5} {'overdue':>7} {'errors':>6} {'warnings':>8}"
    click.echo(header)
    for o in c.overview.itertuples():
        click.echo(f"{o.section_id:<12} {'yes' if o.answered else 'NO':<9} {o.actions:>7} {o.completed:>5} "
                   f"{o.overdue:>7} {o.errors:>6} {o.warnings:>8}")
    rec = c.reconciliation
    click.echo(f"Action rows read {rec['rows_read']} = in the report {rec['rows_reported']} "
               f"+ not used {rec['rows_rejected']} (the older duplicate)")
    if len(c.missing):
        click.echo("Not answered: " + ", ".join(c.missing["section"]))
    click.echo(f"Open {result.report} in Excel or LibreOffice.")


@main.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.argument("workbook_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--out", "outbox", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the .eml drafts (and the sent-log).")
@click.option("--section", "sections", multiple=True, metavar="ID", help="Only this section (repeatable).")
@click.option("--reminders", "returned", type=click.Path(path_type=Path),
              help="Folder of returned files: draft reminders only to sections that have not answered "
                   "or have overdue actions.")
@_today_option
@click.option("--send", is_flag=True, help="Send the drafts in the outbox over SMTP (login from "
              "HMSXL_SMTP_USER and HMSXL_SMTP_PASSWORD); a sent-log makes sure nothing is sent twice.")
@click.option("--host", help="SMTP server (default: mail.smtp_host in unit.toml).")
@click.option("--port", type=int, help="SMTP port (default: mail.smtp_port, 587).")
@click.option("--starttls/--no-starttls", default=None, help="Use STARTTLS (default: mail.starttls, on).")
@_library_errors
def mail(config_path, workbook_dir, outbox, sections, returned, today, send, host, port, starttls):
    """Write one e-mail draft per section with its workbook attached; with --send, send them.

    The drafts (.eml, marked unsent) open in Outlook or Thunderbird ready to send. Each
    workbook's identity sheet must match the section the mail goes to.
    """
    from .config import load_config
    from .mail import make_drafts, send_outbox

    unit = load_config(config_path)
    drafts = make_drafts(unit, workbook_dir, outbox, sections=sections, reminders_from=returned,
                         today=today)
    for d in drafts:
        click.echo(f"Wrote {d.path} (to {d.to}{', ' + d.attachment if d.attachment else ''})")
    if not drafts:
        click.echo("No drafts: every section has answered and nothing is overdue.")
    if send:
        report = send_outbox(unit, outbox, host=host, port=port, starttls=starttls)
        for name in report.sent:
            click.echo(f"Sent {name}")
        if report.already:
            click.echo(f"Already sent before (not sent again): {', '.join(report.already)}")
        for name, why in report.failed.items():
            click.echo(f"NOT sent {name}: {why}", err=True)
        if report.not_sent:
            click.echo(f"Not sent (run again to retry): {', '.join(report.not_sent)}", err=True)
        if not report.ok:
            raise SystemExit(1)


@main.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("-o", "--out", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .ics file to write.")
@click.option("--section", metavar="ID", help="Only this section's activities (default: the whole unit).")
@_library_errors
def calendar(config_path, target, section):
    """Write the year's årshjul as an iCalendar file for Outlook or Google Calendar."""
    from .calendar_ics import write_calendar
    from .config import load_config

    unit = load_config(config_path)
    if section:
        unit.section(section)
    path = write_calendar(unit, target, section)
    click.echo(f"Wrote {path}")
