"""The ``traceready`` command line.

The only place that prints outside ``report/`` (and the live wait line of ``traceready.waits``) and
maps errors to exit codes: 0 ok, 1 below ``--fail-under``, 2 usage or unreadable input, 3 auth, 4 not
found, 5 vendor unavailable, 70 a bug, 130 interrupted. Every error, ours or a usage error of the
parser, is one line on stderr: ``traceready: error: <what> (<hint>)``; ``--debug`` adds the traceback
and keeps the exit code.

``traceready audit <source>`` is built from each installed connector's declaration
(``traceready.connector.Connector``): its options, its settings' environment variables, whether it
reads a window. No source is named here.
"""

from __future__ import annotations

import logging
import os
import sys
import textwrap
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Any

import click
import orjson

from traceready.connector import Connector, Pull, installed_connectors
from traceready.errors import TracereadyError, UsageError
from traceready.model import Span
from traceready.outputs import AuditOutputs, check_output_path, format_for_output
from traceready.report import RENDERERS
from traceready.report.model import Report
from traceready.report.summary import render_compact, render_follow_up
from traceready.report.trends import TREND_RENDERERS
from traceready.scheduled import FollowUp, check_follow_up, follow_up, gate
from traceready.schemas import SCHEMAS
from traceready.settings import fail_under_bar, load_settings
from traceready.targets import Target, audit_connector, build_connector, named_targets, resolve_target

SAMPLE = "openinference_full.otlp.jsonl"
"""The bundled sample: a tool-using agent traced by real OpenInference instrumentation."""
BEFORE_AFTER = ("before_fixes.otlp.jsonl", "after_fixes.otlp.jsonl")
"""``demo --compare``: the same agent traced as teams often first do, then with the fixes applied."""
INTERRUPTED = 130
"""The exit code after Ctrl-C."""


def _usage_line(exc: click.ClickException) -> str:
    """A parser error in our style: lower-case, one line, the typo suggestion and --help as the hint."""
    text = " ".join(exc.format_message().split()).rstrip(".")
    text, _, suggestion = text.partition(" Did you mean ")
    text = text.rstrip(".")
    hints = [f"did you mean {suggestion}"] if suggestion else []
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        hints.append(f"see {ctx.command_path} --help")
    message = text[:1].lower() + text[1:]
    return f"{message} ({'; '.join(hints)})" if hints else message


class _Root(click.Group):
    """The root command: every error leaves as one ``traceready: error:`` line and its exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; parser errors and interrupts exit in the same style as ours."""
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx is not None else "", err=True)
            code = 2
        except click.ClickException as exc:
            click.echo(f"traceready: error: {_usage_line(exc)}", err=True)
            code = exc.exit_code
        except TracereadyError as exc:  # a target that does not resolve, before any command ran
            click.echo(f"traceready: error: {exc.one_line()}", err=True)
            code = exc.exit_code
        except (click.Abort, KeyboardInterrupt):
            click.echo("traceready: interrupted", err=True)
            code = INTERRUPTED
        code = code if isinstance(code, int) else 0
        if not standalone_mode:
            return code
        sys.exit(code)


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"traceready {version('traceready')}")
        ctx.exit()


@click.group("traceready", cls=_Root, context_settings={"help_option_names": ["--help", "-h"]})
@click.option(
    "--version", is_flag=True, expose_value=False, is_eager=True, callback=_version, help="Print the version."
)
def app() -> None:
    """Are your agent traces good enough for a meta-agent to improve the agent automatically?"""


def _debug_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--debug", is_flag=True, help="Show tracebacks and debug logs (exit codes unchanged)."
    )


@contextmanager
def _guarded(debug: bool) -> Iterator[None]:
    """One clear line and a distinct exit code for every failure; --debug adds the traceback only."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="traceready: %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        yield
    except TracereadyError as exc:
        if debug:
            traceback.print_exc(file=sys.stderr)
        click.echo(f"traceready: error: {exc.one_line()}", err=True)
        raise click.exceptions.Exit(exc.exit_code) from None
    except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - any other exception is a bug: one line, exit 70
        if debug:
            traceback.print_exc(file=sys.stderr)
        click.echo(
            f"traceready: internal error: {exc.__class__.__name__}: {exc} (rerun with --debug)",
            err=True,
        )
        raise click.exceptions.Exit(70) from None


def _run(
    connect: Callable[[], Connector],
    *,
    output_format: str | None,
    out: Path | None,
    mapping: Path | None,
    answers: Path | None,
    fail_under: float | None,
    config: Path | None,
    export_spans: Path | None,
    follow: FollowUp | None = None,
    name: str | None = None,
    compact: bool = False,
) -> None:
    """Check the output settings, build the connector, audit, print or write the report.

    With ``follow``: the audit is recorded and judged (``traceready.scheduled``), then gated.
    """
    settings = load_settings(config)
    chosen = (output_format or format_for_output(out) or settings.format).lower()
    if chosen not in RENDERERS:
        raise UsageError(f"unknown format {output_format!r}", hint=f"choose one of {', '.join(RENDERERS)}")
    if follow is not None:
        check_follow_up(follow, settings)
    outputs = AuditOutputs(out, export_spans)  # checked before anything is pulled
    with outputs.span_export() as on_span:
        report = audit_connector(connect(), config=config, mapping=mapping, answers=answers, on_span=on_span)
    bar = fail_under_bar(fail_under, settings, config)
    follow = follow or FollowUp(record=False)
    follow = replace(
        follow,
        fail_under=bar.value if bar is not None else None,
        fail_under_origin=bar.origin if bar is not None else "--fail-under",
    )
    assessments = follow_up([(name, report)], follow, settings, today=datetime.now(UTC).date())
    if compact:
        click.echo(render_compact(assessments), nl=False)
    if not compact or out is not None:
        _emit(report, chosen, outputs)
    if notes := render_follow_up(assessments):
        click.echo(notes, err=True, nl=False)
    if reasons := gate(assessments, follow, settings):
        for reason in reasons:
            click.echo(f"traceready: {reason}", err=True)
        raise click.exceptions.Exit(1)


def _emit(report: Report, chosen: str, outputs: AuditOutputs) -> None:
    text = RENDERERS[chosen](report, _colour(outputs))
    if not outputs.write_report(text):
        click.echo(text, nl=False)


def _colour(outputs: AuditOutputs) -> bool:
    """Colour only for a report printed to a terminal."""
    return outputs.out is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


# ``traceready audit <source>``: one command per installed connector, built from its declaration.

_FORMATS = "|".join(("table", "md", "json", "html"))


def _shared_params(windowed: bool) -> list[click.Parameter]:
    """The flags every source takes; the window flags only where the source reads a window."""
    file = click.Path(path_type=Path)
    window: list[click.Parameter] = [
        click.Option(
            ["--since"],
            default="7d",
            metavar="WHEN",
            show_default=True,
            help="Window start before now: 30m, 24h, 7d, 2w ('7 days' too; at most 3650d), or an ISO date.",
        ),
        click.Option(
            ["--limit"],
            type=click.IntRange(min=1),
            default=500,
            metavar="N",
            show_default=True,
            help="Newest traces to audit.",
        ),
        click.Option(
            ["--sample"],
            type=click.IntRange(min=1),
            metavar="N",
            help="Audit a uniform sample of N traces of the window instead.",
        ),
        click.Option(
            ["--seed"], type=int, default=0, metavar="N", help="Seed of --sample, for repeatable samples."
        ),
    ]
    output: list[click.Parameter] = [
        click.Option(
            ["--format", "-f", "output_format"],
            metavar=f"[{_FORMATS}]",
            help="Report format, any case (default: format in traceready.toml, else table).",
        ),
        click.Option(["--out", "-o"], type=file, metavar="FILE", help="Write the report to this file."),
        click.Option(
            ["--mapping"], type=file, metavar="FILE", help="Mapping YAML laid over the built-in one."
        ),
        click.Option(["--answers"], type=file, metavar="FILE", help="Self-reported facts (answers.toml)."),
        click.Option(
            ["--fail-under"],
            type=click.FloatRange(0.0, 1.0),
            metavar="SCORE",
            help="Exit 1 when the overall score is lower (0 to 1).",
        ),
        click.Option(
            ["--config"],
            type=file,
            metavar="FILE",
            help="traceready.toml with defaults, thresholds and targets (default: ./traceready.toml).",
        ),
        click.Option(
            ["--export-spans"],
            type=file,
            metavar="FILE",
            help="Also write the mapped spans here (JSON Lines).",
        ),
        click.Option(
            ["--debug"], is_flag=True, help="Show tracebacks and debug logs (exit codes unchanged)."
        ),
    ]
    return [*(window if windowed else []), *output, *_schedule_params()]


def _schedule_params() -> list[click.Parameter]:
    """The flags of scheduled checks: history, regressions, machine formats (``traceready.scheduled``)."""
    file = click.Path(path_type=Path)
    return [
        click.Option(
            ["--history", "history_file"],
            type=file,
            metavar="FILE",
            help="The history database (default: history in traceready.toml, else the user data directory).",
        ),
        click.Option(["--no-history"], is_flag=True, help="Neither read nor record the history."),
        click.Option(
            ["--baseline"],
            type=file,
            metavar="REPORT.json",
            help="Judge regressions against this saved JSON report instead of the previous audit.",
        ),
        click.Option(
            ["--fail-on-regression"],
            is_flag=True,
            help="Exit 1 when a requirement regressed since the previous audit (or the baseline).",
        ),
        click.Option(
            ["--junit"],
            type=file,
            metavar="FILE",
            help="Also write JUnit XML: one test case per requirement.",
        ),
        click.Option(
            ["--metrics"],
            type=file,
            metavar="FILE",
            help="Also write OpenMetrics text for the node-exporter textfile collector (atomically).",
        ),
        click.Option(
            ["--compact"],
            is_flag=True,
            help="Print one line per requirement (status, score, gap ids) instead of the report.",
        ),
    ]


def _source_command(cls: type[Connector], target: Target | None = None) -> click.Command:
    """``traceready audit <slug>`` for one connector; ``target`` pre-fills what a target string fixed."""
    variables = cls.env_variables()
    params: list[click.Parameter] = []
    for option in cls.options:
        names = variables.get(option.setting, ())
        kind = click.Path(path_type=Path) if option.type is Path else option.type
        if option.argument:
            required = target is None or option.setting not in target.settings
            params.append(
                click.Argument(
                    [option.setting],
                    type=kind,
                    nargs=-1 if option.multiple else 1,
                    required=required,
                    metavar=option.flag + ("..." if option.multiple else ""),
                )
            )
            continue
        suffix = f" (env {', '.join(names)})" if names else ""
        params.append(
            click.Option(
                [option.flag, option.setting],
                type=kind,
                multiple=option.multiple,
                default=option.default,
                metavar=option.name.upper(),
                help=option.help + suffix,
            )
        )
    params.extend(_shared_params(cls.windowed))

    def run(**values: Any) -> None:
        with _guarded(bool(values.pop("debug"))):
            _audit(cls, target, values)

    every = sorted({name for names in variables.values() for name in names})
    doc = (cls.__doc__ or "").strip().partition("\n")[0]
    layers = f"then the environment ({', '.join(every)}), " if every else ""
    help_text = (
        f"Audit {cls.title}: {doc}\n\nSettings: the [{cls.slug}] table of traceready.toml, {layers}"
        "then the arguments and flags."
    )
    name = cls.slug if target is None else target.label()
    return click.Command(name, params=params, callback=run, help=help_text, short_help=f"Audit {cls.title}.")


def _audit(cls: type[Connector], target: Target | None, values: dict[str, Any]) -> None:
    """The body of every ``audit <source>`` command."""
    from traceready.window import Window, parse_since

    flags: dict[str, Any] = {}
    for option in cls.options:
        value = values.pop(option.setting)
        if option.multiple:
            value = list(value) or None
        flags[option.setting] = value
    pull = Pull()
    if cls.windowed:
        pull = Pull(
            window=Window(start=parse_since(values.pop("since"))),
            limit=values.pop("limit"),
            sample=values.pop("sample"),
            seed=values.pop("seed"),
        )
    config: Path | None = values["config"]
    chosen = target or Target(source=cls.slug)
    follow = FollowUp(
        history=values.pop("history_file"),
        record=not values.pop("no_history"),
        baseline=values.pop("baseline"),
        junit=values.pop("junit"),
        metrics=values.pop("metrics"),
        fail_on_regression=values.pop("fail_on_regression"),
        fail_under=values["fail_under"],
    )
    given = {key: value for key, value in flags.items() if value is not None}
    label = Target(source=chosen.source, settings={**chosen.settings, **given}, name=chosen.name).label()
    _run(
        lambda: build_connector(chosen, pull, config=config, flags=flags),
        follow=follow,
        # Recorded under the target's name or source:subject; a bare source lets the report name it.
        name=label if label != chosen.source else None,
        compact=values.pop("compact"),
        **values,
    )


def _config_in(args: Sequence[str]) -> Path | None:
    """The ``--config`` among a command's raw arguments (a named target is read from that file)."""
    for index, arg in enumerate(args):
        if arg == "--config" and index + 1 < len(args):
            return Path(args[index + 1])
        if arg.startswith("--config="):
            return Path(arg.partition("=")[2])
    return None


class _AuditGroup(click.Group):
    """``audit <source>`` for every installed connector, ``audit <target>``, ``audit --target <target>``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The installed connectors' slugs."""
        return list(installed_connectors())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command of an installed connector."""
        connectors = installed_connectors()
        return _source_command(connectors[cmd_name]) if cmd_name in connectors else None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """``--target NAME ...`` is ``NAME ...``: a target is a command name like any source.

        ``--config FILE`` is the command's option, so one written before the command name (or before
        ``--target``) moves after it: ``--config x.toml --target prod`` is ``prod --config x.toml``.
        """
        target: list[str] = []
        config: list[str] = []
        rest = list(args)
        while rest and rest[0].startswith("--"):
            name, has_value, value = rest[0].partition("=")
            if name not in ("--target", "--config"):
                break
            if not has_value and len(rest) < 2:
                return super().parse_args(ctx, args)  # click names the missing value
            taken = [rest[0]] if has_value else rest[:2]
            if name == "--target":
                target = [value] if has_value else [rest[1]]
            else:
                config = taken
            rest = rest[len(taken) :]
        if target:
            args = [*target, *config, *rest]
        elif config and rest:
            args = [rest[0], *config, *rest[1:]]
        return super().parse_args(ctx, args)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """A source's command, or a target's: ``phoenix:my-agent``, ``prod-langsmith``."""
        name = args[0] if args else ""
        if name in installed_connectors() or name.startswith("-"):
            return super().resolve_command(ctx, args)
        target = resolve_target(name, _config_in(args[1:]))
        return name, _source_command(installed_connectors()[target.source], target), args[1:]


_AUDIT_HELP = "\n".join(
    (
        "Audit traces from one source or target.",
        "",
        "\b",  # click keeps the lines of a paragraph that starts with \b as they are
        "Examples:",
        "  traceready audit otel FILE_OR_DIR...",
        "  traceready audit phoenix --project NAME",
        "  traceready audit phoenix:NAME",
        "  traceready audit --target NAME      (a [targets.NAME] table of traceready.toml)",
    )
)


@app.group(cls=_AuditGroup, no_args_is_help=True, help=_AUDIT_HELP)
@click.option(
    "--target",
    metavar="TARGET",
    help="Audit a target: <source>:<project or path>, or a name in traceready.toml.",
)
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="traceready.toml (default: ./traceready.toml); before or after the source or target.",
)
def audit(target: str | None, config: Path | None) -> None:
    """Audit traces from one source or target."""


@app.command()
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="traceready.toml (default: ./traceready.toml).",
)
@_debug_option()
def targets(config: Path | None, debug: bool) -> None:
    """List the named targets of traceready.toml: name, source and the settings each fixes."""
    with _guarded(debug):
        declared = named_targets(config)
        for name, target in declared.items():
            shown = " ".join(f"{key}={value}" for key, value in target.public_settings().items())
            click.echo(f"{name}\t{target.source}\t{shown}")
        forms = [
            f"{slug}:{subject.name.upper()}"
            for slug, cls in installed_connectors().items()
            if (subject := cls.subject()) is not None
        ]
        if not declared:
            click.echo("traceready: no [targets.<name>] tables in traceready.toml", err=True)
        click.echo(f"traceready: any source works as a target too: {', '.join(forms)}", err=True)


@app.command("history")
@click.argument("target", required=False)
@click.option(
    "--since",
    default="90d",
    metavar="WHEN",
    show_default=True,
    help="Audits from: 30d, 12w before now, or an ISO date or time.",
)
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(list(TREND_RENDERERS), case_sensitive=False),
    default="table",
    show_default=True,
    help="Output format (html: one self-contained page, charts as inline SVG).",
)
@click.option("--out", "-o", type=click.Path(path_type=Path), metavar="FILE", help="Write the output here.")
@click.option(
    "--history",
    "history_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="The history database (default: history in traceready.toml, else the user data directory).",
)
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="traceready.toml with the waivers and the tolerance (default: ./traceready.toml).",
)
@_debug_option()
def history(
    target: str | None,
    since: str,
    output_format: str,
    out: Path | None,
    history_file: Path | None,
    config: Path | None,
    debug: bool,
) -> None:
    """Trends of the recorded audits per target and requirement, and the regressions of the last one.

    TARGET is a name as audits record it (a [targets.<name>], or source:subject); every target when left out.
    """
    from traceready.history import History
    from traceready.trends import read_trends
    from traceready.window import parse_since

    with _guarded(debug):
        settings = load_settings(config)
        start = parse_since(since)
        with History.open(history_file or settings.history, create=False) as db:
            found = read_trends(db, target, since=start, settings=settings, today=datetime.now(UTC).date())
        colour = out is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = TREND_RENDERERS[output_format.lower()](found, colour)
        if out is not None:
            out.write_text(text, encoding="utf-8")
        else:
            click.echo(text, nl=False)


@app.command()
@click.option("--format", "-f", "output_format", metavar=f"[{_FORMATS}]", help="Report format, any case.")
@click.option("--out", "-o", type=click.Path(path_type=Path), metavar="FILE", help="Write the report here.")
@click.option("--no-server", is_flag=True, help="Audit the bundled OTel file directly, without a server.")
@click.option(
    "--compare",
    "before_after",
    is_flag=True,
    help="The same agent before and after the recommended fixes, side by side (--out x.html for HTML).",
)
@_debug_option()
def demo(
    output_format: str | None, out: Path | None, no_server: bool, before_after: bool, debug: bool
) -> None:
    """Start a local server, load the sample agent's traces, audit them, stop it: no key, no network.

    With --compare: the same agent recorded before and after applying the recommended fixes, loaded
    as two projects and compared requirement by requirement.

    The first installed connector whose demo hook serves the sample runs it (``Connector.demo``).
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with _guarded(debug), ExitStack() as stack:
        if out is not None:
            check_output_path(out, "--out")  # before a server is started for nothing
        if before_after:
            _demo_compare(output_format, out, server=not no_server, stack=stack)
            return
        sample = stack.enter_context(
            resources.as_file(resources.files("traceready.samples") / "otel" / SAMPLE)
        )
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("preparing the demo", total=None)

            def step(text: str) -> None:
                progress.update(task, description=text)

            connector = _demo_connector(sample, server=not no_server, step=step, stack=stack)
        _run(
            lambda: connector,
            output_format=output_format,
            out=out,
            mapping=None,
            answers=None,
            fail_under=None,
            config=None,
            export_spans=None,
        )
        click.echo(_demo_epilogue(served=not no_server), err=True)


def _demo_epilogue(*, served: bool) -> str:
    """What the demo audited, why its two forms score differently, and what to run on your own traces."""
    what = (
        "The demo loaded the sample agent's traces (6 conversation turns of a tool-using travel agent) "
        "into a local server and added what a trace file cannot hold: a dataset, a scored experiment "
        "and failure labels. `traceready demo --no-server` audits the file alone, without them, and "
        "scores lower for it (f, g, j)."
        if served
        else "This audited the sample agent's trace file alone (6 conversation turns of a tool-using "
        "travel agent). A file cannot hold a dataset, experiments or failure labels, so f, g and j "
        "fall short; `traceready demo` adds them on a local server and scores higher."
    )
    after = "See the same agent before and after the recommended fixes: traceready demo --compare"
    return "\n".join(["", *textwrap.wrap(what, 100), "", after, "", *_own_traces()])


def _demo_compare(output_format: str | None, out: Path | None, *, server: bool, stack: ExitStack) -> None:
    """``demo --compare``: audit the agent before and after the fixes; print the comparison and what moved."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from traceready.compare import audit_targets, compare_results
    from traceready.report.compare import COMPARE_RENDERERS, render_before_after

    chosen = (output_format or format_for_output(out) or "table").lower()
    if chosen not in COMPARE_RENDERERS:
        raise UsageError(
            f"unknown format {output_format!r}", hint=f"choose one of {', '.join(COMPARE_RENDERERS)}"
        )
    outputs = AuditOutputs(out, None)
    folder = resources.files("traceready.samples") / "demo"
    before, after = (stack.enter_context(resources.as_file(folder / name)) for name in BEFORE_AFTER)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("preparing the demo", total=None)

        def step(text: str) -> None:
            progress.update(task, description=text)

        hosted = next(
            (
                pair
                for cls in installed_connectors().values()
                if (pair := cls.demo_before_after(before, after, server=server, step=step)) is not None
            ),
            None,
        )
        if hosted is None:
            raise UsageError("no installed connector can host the demo", hint="use --no-server")
        connectors = stack.enter_context(hosted)
        step("auditing the agent before and after the fixes")

        def audit_of(connector: Connector) -> Callable[[Callable[[Span], None]], Report]:
            return lambda on_span: audit_connector(connector, on_span=on_span)

        labels = ("before", "after")
        results = audit_targets([(label, audit_of(c)) for label, c in zip(labels, connectors, strict=True)])
    report = compare_results(results, settings={"window": "every trace the demo loaded"})
    text = COMPARE_RENDERERS[chosen](report, _colour(outputs))
    if not outputs.write_report(text):
        click.echo(text, nl=False)
    click.echo("\n" + render_before_after(report), err=True, nl=False)
    what = (
        "The demo recorded one tool-using travel agent twice through real OpenInference "
        "instrumentation: before, as teams often first trace it (model calls only: no tool spans, "
        "no session, user or version metadata), and after applying the fixes this report recommends "
        "(tool spans with arguments, results and error types; session and user ids; harness and prompt "
        "versions). "
        + (
            "Both sit in one local server, with its dataset, scored experiment and failure taxonomy."
            if server
            else "These are the two files alone: a file cannot hold datasets, experiments or labels."
        )
    )
    click.echo("\n".join(["", *textwrap.wrap(what, 100), "", *_own_traces()]), err=True)
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


def _own_traces() -> list[str]:
    """What to run next on your own traces, one line per installed source."""
    forms = [
        f"  traceready audit {slug} {subject.flag} {subject.name.upper()}"
        if not subject.argument
        else f"  traceready audit {slug} {subject.flag}..."
        for slug, cls in installed_connectors().items()
        if (subject := cls.subject()) is not None
    ]
    return ["Audit your own traces next:", *forms]


def _demo_connector(
    sample: Path, *, server: bool, step: Callable[[str], None], stack: ExitStack
) -> Connector:
    """The first installed connector (by slug) that hosts the demo, entered on ``stack``."""
    for cls in installed_connectors().values():
        hosted = cls.demo(sample, server=server, step=step)
        if hosted is not None:
            return stack.enter_context(hosted)
    raise UsageError("no installed connector can host the demo", hint="use --no-server")


@app.command()
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("answers.toml"),
    show_default=True,
    metavar="FILE",
    help="The answers file (resumed when it exists).",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A JSON audit report: ask only what its traces could not show.",
)
@click.option(
    "--target",
    metavar="TARGET",
    help="Audit this target first (<source>:<project or path>, or a name): ask only what it could not show.",
)
@click.option(
    "--config", type=click.Path(path_type=Path), metavar="FILE", help="traceready.toml for --target."
)
@click.option("--non-interactive", is_flag=True, help="Ask nothing; list the questions still unanswered.")
@_debug_option()
def interview(
    out: Path,
    report: Path | None,
    target: str | None,
    config: Path | None,
    non_interactive: bool,
    debug: bool,
) -> None:
    """Ask what traces cannot show, as a consultant would; saves after every answer, resumes."""
    from traceready.interview import load_report, open_interview, run_interview, suggested_command
    from traceready.targets import audit_target

    with _guarded(debug):
        if report is not None and target is not None:
            raise UsageError("give --report or --target, not both")
        audited = load_report(report) if report is not None else None
        if target is not None:
            click.echo(
                f"traceready: auditing {target} first, to ask only what its traces cannot show", err=True
            )
            audited = audit_target(resolve_target(target, config), config=config)
        session = open_interview(out, audited)
        if non_interactive:
            pending = session.pending()
            click.echo(f"{out}: {len(session.to_answers().flat())} answered, {len(pending)} unanswered")
            for question in pending:
                click.echo(f"  [{session.bank.number(question)}] {question.id}: {question.text}")
            return
        click.echo("What traces cannot show. Answer 'not sure' whenever you are; type :help for commands.")
        try:
            ended = run_interview(session, out, ask=input, say=click.echo)
        except KeyboardInterrupt:
            click.echo(
                f"\nStopped: {len(session.to_answers().flat())} answers are saved in {out}; "
                "run the same command to resume.",
                err=True,
            )
            raise click.exceptions.Exit(INTERRUPTED) from None
        click.echo(f"\nSaved {ended.answered} answers in {out}.")
        if ended.unanswered:
            click.echo(f"{len(ended.unanswered)} questions are left: run the same command to resume.")
        click.echo(f"Next: {suggested_command(session.to_answers(), out)}")


@app.command()
@_debug_option()
def connectors(debug: bool) -> None:
    """List the installed connectors (entry-point group traceready.connectors)."""
    with _guarded(debug):
        for slug, cls in installed_connectors().items():
            click.echo(f"{slug}\t{cls.title}\t{cls.__module__}")


@app.command("compare")
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option(
    "--since",
    default="7d",
    metavar="WHEN",
    show_default=True,
    help="Window start for every target: 30m, 24h, 7d, 2w before now, or an ISO date or time.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=500, metavar="N", show_default=True, help="Newest traces."
)
@click.option("--format", "-f", "output_format", metavar=f"[{_FORMATS}]", help="Report format, any case.")
@click.option("--out", "-o", type=click.Path(path_type=Path), metavar="FILE", help="Write the report here.")
@click.option("--answers", type=click.Path(path_type=Path), metavar="FILE", help="Self-reported facts.")
@click.option(
    "--fail-under",
    type=click.FloatRange(0.0, 1.0),
    metavar="SCORE",
    help="A target whose overall score, waived requirements left out, is lower exits 1 (0 to 1).",
)
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="traceready.toml with defaults, thresholds and targets (default: ./traceready.toml).",
)
@click.option(
    "--history",
    "history_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="The history database each audited target is recorded in (default as for audit).",
)
@click.option("--no-history", is_flag=True, help="Neither read nor record the history.")
@click.option(
    "--fail-on-regression",
    is_flag=True,
    help="Exit 1 when a target regressed since its previous audit in the history.",
)
@_debug_option()
def compare(
    targets: tuple[str, ...],
    since: str,
    limit: int,
    output_format: str | None,
    out: Path | None,
    answers: Path | None,
    fail_under: float | None,
    config: Path | None,
    history_file: Path | None,
    no_history: bool,
    fail_on_regression: bool,
    debug: bool,
) -> None:
    """Audit several targets with one window, limit, thresholds and answers file, side by side.

    Targets as for audit: phoenix:my-agent, otel:./export/, or a [targets.NAME] of traceready.toml.

    Exit 0 when every target was audited and passed the gate audit applies; else the highest exit code
    of the targets: 1 below --fail-under (waivers applied) or regressed (--fail-on-regression), 2 usage,
    3 auth, 4 not found, 5 unavailable, 70 a bug.
    """
    from functools import partial

    from traceready.answers import load_answers
    from traceready.compare import audit_targets, compare_results, gated
    from traceready.report.compare import COMPARE_RENDERERS, CompareProgress
    from traceready.targets import audit_target
    from traceready.window import Window, parse_since

    with _guarded(debug):
        settings = load_settings(config)
        chosen = (output_format or format_for_output(out) or settings.format).lower()
        if chosen not in COMPARE_RENDERERS:
            raise UsageError(
                f"unknown format {output_format!r}", hint=f"choose one of {', '.join(COMPARE_RENDERERS)}"
            )
        if len(set(targets)) != len(targets):
            raise UsageError("a target is named twice", hint="name each target once")
        # What can be checked before any pull is checked first: target strings, window, answers.
        resolved = [(text, resolve_target(text, config)) for text in targets]
        window = Window(start=parse_since(since))
        load_answers(answers)
        outputs = AuditOutputs(out, None)  # checked before anything is pulled
        follow = FollowUp(history=history_file, record=not no_history, fail_on_regression=fail_on_regression)
        check_follow_up(follow, settings)
        bar = fail_under_bar(fail_under, settings, config)
        with CompareProgress(targets) as progress:

            def audit_of(text: str, target: Target) -> Callable[[Callable[[Span], None]], Report]:
                pull = Pull(window=window, limit=limit, on_wait=partial(progress.wait, text))
                return lambda on_span: audit_target(
                    target, pull, config=config, answers=answers, on_span=on_span
                )

            audits = [(text, audit_of(text, target)) for text, target in resolved]
            results = audit_targets(audits, progress=progress.update)
        shared = {
            "since": since,
            "limit": str(limit),
            "thresholds": settings.thresholds.model_dump_json(),
            "answers": str(answers) if answers is not None else "none",
            "fail_under": f"{bar.value:.2f}" if bar is not None else "none",
        }
        # Every audited target is recorded and judged like an audit of it, and gated as audit gates it
        # (waivers applied); failed targets are not recorded.
        if bar is not None:
            follow = replace(follow, fail_under=bar.value, fail_under_origin=bar.origin)
        audited: list[tuple[str | None, Report]] = [
            (result.label, result.report) for result in results if result.report is not None
        ]
        assessments = follow_up(audited, follow, settings, today=datetime.now(UTC).date())
        reasons = {a.record.target: gate([a], follow, settings) for a in assessments}
        report = compare_results(gated(results, reasons), settings=shared)
        text = COMPARE_RENDERERS[chosen](report, _colour(outputs))
        if not outputs.write_report(text):
            click.echo(text, nl=False)
        for result in report.targets:
            if result.error is not None:
                click.echo(f"traceready: {result.label}: error: {result.error.message}", err=True)
        if notes := render_follow_up(assessments):
            click.echo(notes, err=True, nl=False)
        for reason in (reason for target in reasons.values() for reason in target):
            click.echo(f"traceready: {reason}", err=True)
        if report.exit_code:
            raise click.exceptions.Exit(report.exit_code)


@app.command()
@click.argument("name", default="report", metavar="[report|span|compare]")
@_debug_option()
def schema(name: str, debug: bool) -> None:
    """Print the JSON Schema of the public report, span or compare format."""
    with _guarded(debug):
        if name not in SCHEMAS:
            raise UsageError(f"unknown schema {name!r}", hint=f"choose one of {', '.join(SCHEMAS)}")
        click.echo(orjson.dumps(SCHEMAS[name](), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())


def main() -> Any:
    """Console-script entry point."""
    try:
        return app()
    except SystemExit as exc:
        if exc.code == INTERRUPTED:
            _exit_at_once(INTERRUPTED)
        raise


def _exit_at_once(code: int) -> None:
    """Flush the output and end the process now, skipping the interpreter's shutdown.

    After Ctrl-C every ``with`` block has already run its clean-up (a local Phoenix stopped by pid,
    the history's transaction closed, an ``--out`` file written atomically or not at all); what is
    left is the interpreter's own shutdown: collecting the whole heap, joining threads, library exit
    hooks. Under load that took seconds while a stalled fetch thread held nothing worth waiting for.
    """
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
            stream.flush()
    os._exit(code)
