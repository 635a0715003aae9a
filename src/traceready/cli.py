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
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Any

import click
import orjson
from pydantic import ValidationError

from traceready.answers import QUESTIONS, Answers, dump_answers
from traceready.connector import Connector, Pull, installed_connectors
from traceready.errors import TracereadyError, UsageError, invalid
from traceready.model import Span
from traceready.report import RENDERERS
from traceready.report.model import Report
from traceready.schemas import SCHEMAS
from traceready.settings import load_settings
from traceready.span_format import export
from traceready.targets import Target, audit_connector, build_connector, named_targets, resolve_target

SAMPLE = "openinference_full.otlp.jsonl"
"""The bundled sample: a tool-using agent traced by real OpenInference instrumentation."""


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
            code = 130
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


def _span_writer(path: Path | None) -> tuple[Callable[[Span], None] | None, Callable[[], None]]:
    if path is None:
        return None, lambda: None
    stream = path.open("wb")

    def write(span: Span) -> None:
        stream.write(orjson.dumps(export(span), option=orjson.OPT_SORT_KEYS) + b"\n")

    return write, stream.close


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
) -> None:
    """Check the output settings, build the connector, audit, print or write the report."""
    settings = load_settings(config)
    chosen = (output_format or settings.format).lower()
    if chosen not in RENDERERS:
        raise UsageError(f"unknown format {output_format!r}", hint=f"choose one of {', '.join(RENDERERS)}")
    on_span, close = _span_writer(export_spans)
    try:
        report = audit_connector(connect(), config=config, mapping=mapping, answers=answers, on_span=on_span)
    finally:
        close()
    _emit(report, chosen, out)
    bar = fail_under if fail_under is not None else settings.fail_under
    if bar is not None and report.overall.score < bar:
        click.echo(
            f"traceready: overall score {report.overall.score:.2f} is below --fail-under {bar:.2f}",
            err=True,
        )
        raise click.exceptions.Exit(1)


def _emit(report: Report, chosen: str, out: Path | None) -> None:
    _write(RENDERERS[chosen](report, _colour(out)), out)


def _colour(out: Path | None) -> bool:
    """Colour only for a report printed to a terminal."""
    return out is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _write(text: str, out: Path | None) -> None:
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


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
            help="Window start: 30m, 24h, 7d, 2w before now, or an ISO date or time.",
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
    return [*(window if windowed else []), *output]


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
    _run(lambda: build_connector(chosen, pull, config=config, flags=flags), **values)


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
        """``--target NAME ...`` is ``NAME ...``: a target is a command name like any source."""
        if args and args[0] == "--target" and len(args) > 1:
            args = [args[1], *args[2:]]
        elif args and args[0].startswith("--target="):
            args = [args[0].partition("=")[2], *args[1:]]
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


@app.group(cls=_AuditGroup, no_args_is_help=True)
@click.option(
    "--target",
    metavar="TARGET",
    help="Audit a target: <source>:<project or path>, or a name in traceready.toml.",
)
def audit(target: str | None) -> None:
    r"""Audit traces from one source or target.

    \b
      traceready audit otel FILE_OR_DIR...
      traceready audit phoenix --project NAME
      traceready audit phoenix:NAME
      traceready audit --target NAME      (a [targets.NAME] table of traceready.toml)
    """


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


@app.command()
@click.option("--format", "-f", "output_format", metavar=f"[{_FORMATS}]", help="Report format, any case.")
@click.option("--out", "-o", type=click.Path(path_type=Path), metavar="FILE", help="Write the report here.")
@click.option("--no-server", is_flag=True, help="Audit the bundled OTel file directly, without a server.")
@_debug_option()
def demo(output_format: str | None, out: Path | None, no_server: bool, debug: bool) -> None:
    """Start a local server, load the sample agent's traces, audit them, stop it: no key, no network.

    The first installed connector whose demo hook serves the sample runs it (``Connector.demo``).
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with _guarded(debug), ExitStack() as stack:
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
    help="Where to write the answers.",
)
@_debug_option()
def interview(out: Path, debug: bool) -> None:
    """Ask what traces cannot show and write answers.toml (leave an answer empty to skip it)."""
    with _guarded(debug):
        answered: dict[str, dict[str, str]] = {}
        for section, key, question in QUESTIONS:
            reply = click.prompt(question, default="", show_default=False).strip()
            if reply:
                answered.setdefault(section, {})[key] = _typed(reply)
        try:
            answers = Answers.model_validate(answered)
        except ValidationError as exc:
            raise invalid("answers", exc) from None
        out.write_text(dump_answers(answers), encoding="utf-8")
        click.echo(f"wrote {out}; use it with --answers {out}")


def _typed(reply: str) -> Any:
    folded = reply.lower()
    if folded in {"y", "yes", "true"}:
        return True
    if folded in {"n", "no", "false"}:
        return False
    return reply


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
    help="A target whose overall score is lower exits 1 (0 to 1).",
)
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="traceready.toml with defaults, thresholds and targets (default: ./traceready.toml).",
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
    debug: bool,
) -> None:
    """Audit several targets with one window, limit, thresholds and answers file, side by side.

    Targets as for audit: phoenix:my-agent, otel:./export/, or a [targets.NAME] of traceready.toml.

    Exit 0 when every target was audited (and met --fail-under); else the highest exit code of the
    targets: 1 below --fail-under, 2 usage, 3 auth, 4 not found, 5 unavailable, 70 a bug.
    """
    from functools import partial

    from traceready.answers import load_answers
    from traceready.compare import audit_targets, compare_results
    from traceready.report.compare import COMPARE_RENDERERS, CompareProgress
    from traceready.targets import audit_target
    from traceready.window import Window, parse_since

    with _guarded(debug):
        settings = load_settings(config)
        chosen = (output_format or settings.format).lower()
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
        bar = fail_under if fail_under is not None else settings.fail_under
        with CompareProgress(targets) as progress:

            def audit_of(text: str, target: Target) -> Callable[[Callable[[Span], None]], Report]:
                pull = Pull(window=window, limit=limit, on_wait=partial(progress.wait, text))
                return lambda on_span: audit_target(
                    target, pull, config=config, answers=answers, on_span=on_span
                )

            audits = [(text, audit_of(text, target)) for text, target in resolved]
            results = audit_targets(audits, fail_under=bar, progress=progress.update)
        shared = {
            "since": since,
            "limit": str(limit),
            "thresholds": settings.thresholds.model_dump_json(),
            "answers": str(answers) if answers is not None else "none",
            "fail_under": f"{bar:.2f}" if bar is not None else "none",
        }
        report = compare_results(results, settings=shared)
        _write(COMPARE_RENDERERS[chosen](report, _colour(out)), out)
        for result in report.targets:
            if result.error is not None:
                click.echo(f"traceready: {result.label}: error: {result.error.message}", err=True)
            elif result.exit_code == 1 and result.report is not None and bar is not None:
                click.echo(
                    f"traceready: {result.label}: overall score {result.report.overall.score:.2f} "
                    f"is below --fail-under {bar:.2f}",
                    err=True,
                )
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
    return app()
