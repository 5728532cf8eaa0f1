"""The command line: each command parses options, calls one library function, prints."""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import os
import sys
from pathlib import Path

import click

from . import __version__, labels
from .errors import HmsxlError


class _UserError(click.ClickException):
    def __init__(self, message, exit_code):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        """One line per mistake on stderr, each headed in the language in force ("Feil:",
        not "Error:")."""
        for line in self.format_message().splitlines() or [""]:
            click.echo(labels.CLI["error_prefix"].format(message=line), file=file, err=True)


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


# --------------------------------------------------------------------------- the words of --help
#
# The help texts are in the catalog (`cli_help`), and so are the command line library's own
# words (`click`, by their English text): a command's help, and a mistyped option, are told
# in the advisor's language, as everything else is.

# click's modules that put their words through gettext, bound to `_` and `ngettext` there.
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")


def _asked_language(args) -> str:
    """The language `--lang` (before the command) or HMSXL_LANG asks for; else bokmål. One
    not known is left to --lang's own check, which says what is allowed."""
    lang = os.environ.get("HMSXL_LANG") or None
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            lang = args[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
        elif not arg.startswith("-"):
            break  # the command's name: what follows is its own
    return lang if lang in labels.LANGUAGES else labels.DEFAULT_LANGUAGE


def _speak_click(cat) -> None:
    """The command line library's words in `cat`'s language."""
    words = cat.CLICK

    def gettext(message):
        return words.get(message, message)

    def ngettext(singular, plural, n):
        return words.get(singular if n == 1 else plural, singular if n == 1 else plural)

    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


_help = {"lang": labels.DEFAULT_LANGUAGE}
_METAVARS: dict[int, str | None] = {}  # each parameter's own metavar, before a language's was set
_KINDS: dict[int, str] = {}  # each parameter's kind of value («directory»), as click names it


def _localize(group: click.Group, lang: str) -> None:
    """Every command's and parameter's help and placeholder in `lang`, from the catalog."""
    cat = labels.catalog(lang)
    _help["lang"] = lang
    texts, common, metavars = cat.CLI_HELP, cat.CLI_HELP["main"], cat.CLI_HELP["metavar"]
    _speak_click(cat)
    for command in (group, *group.commands.values()):
        own = texts["main" if command is group else command.name]
        command.help, command.short_help = own["help"], None
        command.options_metavar = common["options_metavar"]
        if isinstance(command, click.Group):
            command.subcommand_metavar = common["commands_metavar"]
        for param in command.params:
            given = _METAVARS.setdefault(id(param), param.metavar)
            if isinstance(param, click.Argument):  # its name in the usage line: «STI...»
                param.metavar = own.get(param.name, given)
                continue
            param.help = own.get(param.name) or common.get(param.name) or param.help
            kind = _KINDS.setdefault(id(param), param.type.name)
            if given is None or given in metavars:  # «--today ÅÅÅÅ-MM-DD», «--config FIL»
                param.metavar = metavars.get(given or (kind if not param.is_flag else None), given)
            if isinstance(param.type, click.Path):  # named when made, before the language was set
                param.type.name = cat.CLICK.get(kind, kind)  # «Mappe «x» er en fil.»


def _show_version(ctx, param, value):
    if value and not ctx.resilient_parsing:
        said = labels.catalog(_help["lang"]).CLICK["%(prog)s, version %(version)s"]
        click.echo(said % {"prog": "hmsxl", "version": __version__})
        ctx.exit()


class _Command(click.Command):
    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:  # made once and kept: its words are the language's in force
            option.help = labels.catalog(_help["lang"]).CLI_HELP["main"]["help_option"]
        return option


class _Hmsxl(_Command, click.Group):
    """The `hmsxl` command: its help, and its commands', in the language asked for."""

    command_class = _Command

    def main(self, args=None, *rest, **extra):
        _localize(self, _asked_language(sys.argv[1:] if args is None else list(args)))
        return super().main(args, *rest, **extra)


class _Day(click.ParamType):
    """A date as YYYY-MM-DD, said wrong in the advisor's language."""

    name = "date"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(labels.CLI["bad_day"].format(value=value), param, ctx)


_today_option = click.option("--today", type=_Day())
_password_option = click.option(
    "--password", envvar="HMSXL_PASSWORD")


def _speak(config_path=None, unit=None) -> None:
    """Make the advisor's language the language in force: --lang or HMSXL_LANG, else the
    unit's (as its unit.toml names it, so that its own mistakes are told in it), else bokmål."""
    lang = (click.get_current_context().find_root().obj or {}).get("lang")
    if not lang and unit is not None:
        lang = unit.language
    if not lang and config_path is not None:
        from .config import peek_language

        lang = peek_language(config_path)
    labels.set_language(lang or labels.DEFAULT_LANGUAGE)


def _check_language(ctx, param, value):
    if value and value not in labels.LANGUAGES:
        raise click.BadParameter(labels.ERRORS["unknown_language"].format(value=value,
                                                                          allowed=", ".join(labels.LANGUAGES)))
    return value


def _deadline_passed(unit, today=None) -> None:
    """A line on stderr when the workbooks or mails would give the leaders a deadline gone by."""
    if unit.return_deadline < (today or dt.date.today()):
        click.echo(click.style(labels.CLI["deadline_passed"].format(
            deadline=labels.current().date(unit.return_deadline)), fg="yellow"), err=True)


def _plural(key: str, n: int, **params) -> str:
    return labels.current().plural("cli", key, n, **params)


@click.group(cls=_Hmsxl, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version)
@click.option("--lang", envvar="HMSXL_LANG", callback=_check_language, metavar="nb|nn|da|en")
@click.pass_context
def main(ctx, lang):
    """The `hmsxl` command (its help, and every command's, is in the catalog: `cli_help`)."""
    ctx.obj = {"lang": lang}
    labels.set_language(lang or labels.DEFAULT_LANGUAGE)


def _serious(result) -> None:
    """A line naming the sections with high-risk findings open past their deadline, if any."""
    serious = result.serious_findings()
    if serious:
        click.echo(click.style(labels.CLI["serious_findings"].format(
            sections=", ".join(f"{name} ({n})" for name, n in serious.items())), fg="red"))


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--year", type=click.IntRange(2000, 2100))
@click.option("--language", default=None, callback=_check_language, metavar="nb|nn|da|en")
@click.option("--force", is_flag=True)
@_library_errors
def init(directory, year, language, force):
    """Write DIRECTORY/unit.toml."""
    from .config import write_example_config

    language = language or labels.DEFAULT_LANGUAGE
    if not (click.get_current_context().find_root().obj or {}).get("lang"):
        labels.set_language(language)
    target = write_example_config(directory, year, force=force, language=language)
    click.echo(labels.CLI["init_done"].format(path=target))


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", default="workbooks", show_default=True,
              type=click.Path(path_type=Path))
@click.option("--section", "sections", multiple=True, metavar="ID")
@click.option("--force", is_flag=True)
@click.option("--carry-over", "carry_over", multiple=True, type=click.Path(exists=True, path_type=Path),
              metavar="PATH")
@_library_errors
def generate(config, out_dir, sections, force, carry_over):
    """One workbook per section."""
    from .config import load_config
    from .write import generate as generate_

    _speak(config_path=config)
    unit = load_config(config)
    _speak(unit=unit)
    fills = {}
    if carry_over:
        from .consolidation import carry_over as carry_over_
        from .inputs import refuse_outputs_over_inputs
        from .write import workbook_paths

        # Before anything is read: no new workbook may replace one of last year's returns.
        refuse_outputs_over_inputs(carry_over, files=workbook_paths(unit, out_dir, sections))

        found = carry_over_(unit, carry_over)
        for src in found.sources.itertuples():
            key = "source_line_reason" if src.reason else "source_line"
            click.echo(labels.CLI[key].format(file=src.file, status=src.status, reason=src.reason))
        fills = found.fills
        click.echo(_plural("carried_over", found.count, sections=_plural("sections_count", len(fills))))
        if found.findings:
            click.echo(_plural("carried_findings", found.findings))
    paths = generate_(unit, out_dir=out_dir, sections=sections, force=force, fills=fills, carried=bool(fills))
    for p in paths:
        click.echo(labels.CLI["wrote"].format(path=p))
    click.echo(_plural("workbooks_in", len(paths), folder=out_dir))
    _deadline_passed(unit)


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path))
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True)
@_today_option
@_password_option
@_library_errors
def validate(files, config_path, annotate_dir, fmt, strict, today, password):
    """Check returned workbooks."""
    from .config import load_config
    from .validate import exit_code, render_json, render_text, validate_files

    _speak(config_path=config_path)
    config = load_config(config_path) if config_path else None
    _speak(unit=config)
    results = validate_files(files, config=config, today=today,
                             password=password, annotate_dir=annotate_dir)
    if fmt == "json":
        click.echo(render_json(results))
    else:
        click.echo(render_text(results, style=click.style))
    raise SystemExit(exit_code(results, strict))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "report", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path))
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True)
@_today_option
@_password_option
@_library_errors
def consolidate(paths, report, config_path, csv_dir, pdf, strict, today, password):
    """The LAMU report from returned workbooks."""
    import sys

    from .config import load_config
    from .consolidation import check_outputs, check_report_name, consolidate as consolidate_
    from .inputs import refuse_outputs_over_inputs, refuse_writing_over_unit

    _speak(config_path=config_path)
    config = load_config(config_path) if config_path else None
    _speak(unit=config)
    # Before anything is read: no output may be, or replace, an input or the unit's file.
    refuse_outputs_over_inputs(paths, files=[report, *([pdf] if pdf else [])], folders=[csv_dir] if csv_dir else [])
    for output, suffix in ((report, ".xlsx"), (pdf, ".pdf")):
        if output:
            refuse_writing_over_unit(output, config)
            check_report_name(output, suffix)
    check_outputs(report, pdf, csv_dir)
    bar = None

    def progress(done, total):
        # A bar only on a terminal, and only when there is something to wait for.
        nonlocal bar
        if bar is None and total > 20 and sys.stderr.isatty():
            bar = click.progressbar(length=total, label=labels.CLI["progress"], file=sys.stderr)
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
    counts = result.severity_counts()  # as Oversikt counts them
    errors, warnings = counts["error"], counts["warning"]
    click.echo(labels.CLI["wrote"].format(path=written))
    if csv_dir:
        click.echo(_plural("wrote_csv", len(result.to_csv(csv_dir)), folder=csv_dir))
    if pdf:
        click.echo(labels.CLI["wrote"].format(path=result.write_pdf(pdf, report=written)))
    click.echo(labels.CLI["summary"].format(
        files=_plural("files_read", rec["files"]), skipped=_plural("skipped", rec["skipped"]),
        answered=labels.CLI["answered"].format(answered=rec["answered"], sections=rec["sections"]),
        actions=_plural("actions", len(result.actions)), overdue=_plural("overdue", len(result.overdue)),
        errors=_plural("errors", errors), warnings=_plural("warnings", warnings)))
    if len(result.missing):
        click.echo(labels.CLI["not_answered"].format(sections=", ".join(result.missing["section"])))
    _serious(result)
    click.echo(labels.CLI["rows_reconciled"].format(read=rec["rows_read"], reported=rec["rows_reported"],
                                                    rejected=rec["rows_rejected"]))
    # Strict: any error or warning found, in a file not used too (another unit's, unreadable).
    if strict and result.problems["severity"].isin(("error", "warning")).any():
        raise SystemExit(1)


@main.command()
@click.argument("directory", default="hmsxl-demo", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True)
@_library_errors
def demo(directory, force):
    """The whole cycle on an invented unit."""
    from .demo import run_demo
    from .validate import render_text

    result = run_demo(directory, force=force)
    t = labels.CLI
    click.echo(t["demo_unit"].format(path=result.config))
    click.echo(t["demo_sent"].format(count=len(result.workbooks), folder=result.workbooks[0].parent))
    click.echo(t["demo_returned"].format(count=len(result.returned), folder=directory / "returned"))
    click.echo("")
    click.echo(t["demo_validate"])
    click.echo(render_text(result.validation, style=click.style, levels=("error",)))
    click.echo("")
    c = result.consolidation
    click.echo(click.style(t["demo_report"].format(path=result.report), bold=True))
    head = t["demo_header"]
    click.echo(f"{head[0]:<12} {head[1]:<9} {head[2]:>7} {head[3]:>8} {head[4]:>8} {head[5]:>6} {head[6]:>9}")
    for o in c.overview.itertuples():
        answered = t["demo_yes"] if o.answered else t["demo_no"]
        n = {k: "" if getattr(o, k) is None else getattr(o, k)  # no answer: no counts
             for k in ("actions", "completed", "overdue", "errors", "warnings")}
        click.echo(f"{o.section_id:<12} {answered:<9} {n['actions']:>7} {n['completed']:>8} "
                   f"{n['overdue']:>8} {n['errors']:>6} {n['warnings']:>9}")
    rec = c.reconciliation
    click.echo(t["demo_rows"].format(read=rec["rows_read"], reported=rec["rows_reported"],
                                     rejected=rec["rows_rejected"]))
    if len(c.missing):
        click.echo(t["not_answered"].format(sections=", ".join(c.missing["section"])))
    _serious(c)
    click.echo(t["demo_open"].format(path=result.report))


@main.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.argument("workbook_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--out", "outbox", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--section", "sections", multiple=True, metavar="ID")
@click.option("--reminders", "returned", type=click.Path(path_type=Path))
@_today_option
@click.option("--send", is_flag=True)
@click.option("--host")
@click.option("--port", type=int)
@click.option("--starttls/--no-starttls", default=None)
@_library_errors
def mail(config_path, workbook_dir, outbox, sections, returned, today, send, host, port, starttls):
    """E-mail drafts to the leaders; --send sends them."""
    from .config import load_config
    from .mail import make_drafts, send_outbox

    _speak(config_path=config_path)
    unit = load_config(config_path)
    _speak(unit=unit)
    t = labels.CLI
    drafts = make_drafts(unit, workbook_dir, outbox, sections=sections, reminders_from=returned,
                         today=today)
    for d in drafts:
        if d.attachment:
            click.echo(t["mail_wrote_attached"].format(path=d.path, to=d.to, attachment=d.attachment))
        else:
            click.echo(t["mail_wrote"].format(path=d.path, to=d.to))
    if not drafts:
        click.echo(t["mail_none"])
    elif not returned:  # a reminder comes after the deadline; the first mail should not
        _deadline_passed(unit, today)
    if send:
        report = send_outbox(unit, outbox, host=host, port=port, starttls=starttls)
        for name in report.sent:
            click.echo(t["mail_sent"].format(name=name))
        if report.already:
            click.echo(t["mail_already"].format(names=", ".join(report.already)))
        for name, why in report.failed.items():
            click.echo(t["mail_failed"].format(name=name, why=why), err=True)
        if report.not_sent:
            click.echo(t["mail_not_sent"].format(names=", ".join(report.not_sent)), err=True)
        if not report.ok:
            raise SystemExit(1)


@main.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("-o", "--out", "target", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--section", metavar="ID")
@_library_errors
def calendar(config_path, target, section):
    """The årshjul as iCalendar."""
    from .calendar_ics import write_calendar
    from .config import load_config

    _speak(config_path=config_path)
    unit = load_config(config_path)
    _speak(unit=unit)
    if section:
        unit.section(section)
    path = write_calendar(unit, target, section)
    click.echo(labels.CLI["wrote"].format(path=path))
