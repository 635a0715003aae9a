"""The ``traceready`` command line.

The only place that prints outside ``report/`` and maps errors to exit codes: 0 ok, 1 below
``--fail-under``, 2 usage or unreadable input, 3 auth, 4 not found, 5 vendor unavailable,
70 a bug (``--debug`` shows the traceback).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from traceready.answers import load_answers
from traceready.audit import run_audit
from traceready.connector import Connector, installed_connectors
from traceready.errors import TracereadyError, UsageError
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.model import Span
from traceready.recommend import load_catalog
from traceready.report import RENDERERS
from traceready.schemas import SCHEMAS
from traceready.settings import load_settings
from traceready.span_format import export

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Are your agent traces good enough for a meta-agent to improve the agent automatically?",
)
audit_app = typer.Typer(no_args_is_help=True, help="Audit traces from one source.")
app.add_typer(audit_app, name="audit")

SAMPLE = "openinference_full.otlp.jsonl"
"""The bundled sample: a tool-using agent traced by real OpenInference instrumentation."""

Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"traceready {version('traceready')}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Audit agent traces for readiness to feed an automatic improvement loop."""


@contextmanager
def _guarded(debug: bool) -> Iterator[None]:
    """One clear line and a distinct exit code for every failure; a traceback only with --debug."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="traceready: %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        yield
    except TracereadyError as exc:
        if debug:
            raise
        typer.echo(f"traceready: error: {exc.one_line()}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        if debug:
            raise
        typer.echo(
            f"traceready: internal error: {exc.__class__.__name__}: {exc} (rerun with --debug)",
            err=True,
        )
        raise typer.Exit(70) from None


def _span_writer(path: Path | None) -> tuple[Callable[[Span], None] | None, Callable[[], None]]:
    if path is None:
        return None, lambda: None
    stream = path.open("wb")

    def write(span: Span) -> None:
        stream.write(orjson.dumps(export(span), option=orjson.OPT_SORT_KEYS) + b"\n")

    return write, stream.close


def _run(
    connector: Connector,
    *,
    output_format: str | None,
    out: Path | None,
    mapping: Path | None,
    answers: Path | None,
    fail_under: float | None,
    config: Path | None,
    export_spans: Path | None,
) -> None:
    settings = load_settings(config)
    chosen = output_format or settings.format
    if chosen not in RENDERERS:
        raise UsageError(f"unknown format {chosen!r}", hint=f"choose one of {', '.join(RENDERERS)}")
    mapper = Mapper(load_mapping(connector.slug, mapping))
    catalog = load_catalog(connector.recommendations_path())
    on_span, close = _span_writer(export_spans)
    try:
        report = run_audit(
            connector,
            mapper,
            catalog=catalog,
            thresholds=settings.thresholds,
            answers=load_answers(answers),
            on_span=on_span,
        )
    finally:
        close()
        connector.close()
    colour = out is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    text = RENDERERS[chosen](report, colour)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
    bar = fail_under if fail_under is not None else settings.fail_under
    if bar is not None and report.overall.score < bar:
        typer.echo(
            f"traceready: overall score {report.overall.score:.2f} is below --fail-under {bar:.2f}",
            err=True,
        )
        raise typer.Exit(1)


FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help="table, md or json.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write the report to this file.")]
MappingOpt = Annotated[Path | None, typer.Option(help="Mapping YAML laid over the built-in one.")]
AnswersOpt = Annotated[Path | None, typer.Option(help="Self-reported facts (answers.toml).")]
FailOpt = Annotated[
    float | None, typer.Option(min=0.0, max=1.0, help="Exit 1 when the overall score is lower.")
]
ConfigOpt = Annotated[Path | None, typer.Option(help="traceready.toml with defaults and thresholds.")]
ExportOpt = Annotated[Path | None, typer.Option(help="Also write the mapped spans here (JSON Lines).")]


@audit_app.command("otel")
def audit_otel(
    paths: Annotated[
        list[Path], typer.Argument(help="OTLP/JSON files (.jsonl, .json, .gz, .zst) or folders.")
    ],
    output_format: FormatOpt = None,
    out: OutOpt = None,
    mapping: MappingOpt = None,
    answers: AnswersOpt = None,
    fail_under: FailOpt = None,
    config: ConfigOpt = None,
    export_spans: ExportOpt = None,
    debug: Debug = False,
) -> None:
    """Audit OpenTelemetry trace files (OTLP/JSON as the Collector file exporter writes it)."""
    with _guarded(debug):
        from traceready.connector import get_connector

        connector = get_connector("otel")(paths)  # type: ignore[call-arg]
        _run(
            connector,
            output_format=output_format,
            out=out,
            mapping=mapping,
            answers=answers,
            fail_under=fail_under,
            config=config,
            export_spans=export_spans,
        )


@audit_app.command("answers")
def audit_answers(
    path: Annotated[Path, typer.Argument(help="The answers file traceready interview wrote.")],
    output_format: FormatOpt = None,
    out: OutOpt = None,
    fail_under: FailOpt = None,
    config: ConfigOpt = None,
    debug: Debug = False,
) -> None:
    """Audit a-j from the interview's answers alone (no traces yet): every finding self-reported."""
    with _guarded(debug):
        from traceready.connector import get_connector

        connector = get_connector("answers")(path)  # type: ignore[call-arg]
        _run(
            connector,
            output_format=output_format,
            out=out,
            mapping=None,
            answers=path,
            fail_under=fail_under,
            config=config,
            export_spans=None,
        )


SinceOpt = Annotated[str, typer.Option(help="Window start: 7d, 24h, 30m, or an ISO date or time.")]
LimitOpt = Annotated[int, typer.Option(min=1, help="Newest traces to audit.")]
SampleOpt = Annotated[
    int | None, typer.Option(min=1, help="Audit a uniform sample of N traces of the window instead.")
]
SeedOpt = Annotated[int, typer.Option(help="Seed of --sample, for repeatable samples.")]


def _vendor_connector(
    slug: str,
    settings_name: str,
    config: Path | None,
    since: str,
    limit: int,
    sample: int | None,
    seed: int,
    *,
    connector_options: dict[str, Any] | None = None,
    **flags: Any,
) -> Connector:
    """A vendor API's connector: its settings (traceready.toml, its env variables, the flags), the window."""
    from traceready.connector import get_connector
    from traceready.settings import vendor_settings
    from traceready.window import Window, parse_since

    cls = get_connector(slug)
    settings = vendor_settings(getattr(sys.modules[cls.__module__], settings_name), slug, config, **flags)
    window = Window(start=parse_since(since))
    return cls(  # type: ignore[call-arg]
        settings, window, limit=limit, sample=sample, seed=seed, **(connector_options or {})
    )


@audit_app.command("phoenix")
def audit_phoenix(
    project: Annotated[str | None, typer.Option(help="Phoenix project (PHOENIX_PROJECT).")] = None,
    since: SinceOpt = "7d",
    limit: LimitOpt = 500,
    sample: SampleOpt = None,
    seed: SeedOpt = 0,
    endpoint: Annotated[str | None, typer.Option(help="Phoenix URL (PHOENIX_ENDPOINT).")] = None,
    output_format: FormatOpt = None,
    out: OutOpt = None,
    mapping: MappingOpt = None,
    answers: AnswersOpt = None,
    fail_under: FailOpt = None,
    config: ConfigOpt = None,
    export_spans: ExportOpt = None,
    debug: Debug = False,
) -> None:
    """Audit a live Arize Phoenix project (settings from PHOENIX_* variables, traceready.toml, flags)."""
    with _guarded(debug):
        connector = _vendor_connector(
            "phoenix",
            "PhoenixSettings",
            config,
            since,
            limit,
            sample,
            seed,
            endpoint=endpoint,
            project=project,
        )
        _run(
            connector,
            output_format=output_format,
            out=out,
            mapping=mapping,
            answers=answers,
            fail_under=fail_under,
            config=config,
            export_spans=export_spans,
        )


@audit_app.command("langsmith")
def audit_langsmith(
    project: Annotated[str | None, typer.Option(help="LangSmith project (LANGSMITH_PROJECT).")] = None,
    since: SinceOpt = "7d",
    limit: LimitOpt = 500,
    sample: SampleOpt = None,
    seed: SeedOpt = 0,
    endpoint: Annotated[
        str | None, typer.Option(help="LangSmith API URL (LANGSMITH_ENDPOINT); EU or self-hosted.")
    ] = None,
    workspace_id: Annotated[
        str | None, typer.Option(help="Workspace id for org-scoped keys (LANGSMITH_WORKSPACE_ID).")
    ] = None,
    output_format: FormatOpt = None,
    out: OutOpt = None,
    mapping: MappingOpt = None,
    answers: AnswersOpt = None,
    fail_under: FailOpt = None,
    config: ConfigOpt = None,
    export_spans: ExportOpt = None,
    debug: Debug = False,
) -> None:
    """Audit a LangSmith project (settings from LANGSMITH_*/LANGCHAIN_* variables, traceready.toml, flags)."""
    with _guarded(debug):
        connector = _vendor_connector(
            "langsmith",
            "LangSmithSettings",
            config,
            since,
            limit,
            sample,
            seed,
            endpoint=endpoint,
            project=project,
            workspace_id=workspace_id,
        )
        _run(
            connector,
            output_format=output_format,
            out=out,
            mapping=mapping,
            answers=answers,
            fail_under=fail_under,
            config=config,
            export_spans=export_spans,
        )


class _WaitProgress:
    """Waits the vendor asked for (429 Retry-After, 5xx backoff), shown as a countdown on stderr."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.reason = ""

    def notice(self, delay: float, reason: str) -> None:
        """Remember why the next sleep happens (``VendorClient`` calls this before sleeping)."""
        self.reason = "rate limit (429)" if reason == "429" else reason

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` with a rich progress bar on stderr (stdout stays the report's)."""
        import time

        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(stderr=True)
        description = f"{self.vendor} {self.reason}: waiting {seconds:.0f}s"
        if not console.is_terminal:
            # No live bar in a log or CI: one line says why the audit pauses.
            console.print(f"traceready: {description}", highlight=False)
            time.sleep(seconds)
            return
        columns = (TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task(description, total=seconds)
            end = time.monotonic() + seconds
            while (left := end - time.monotonic()) > 0:
                time.sleep(min(0.25, left))
                progress.update(task, completed=seconds - max(0.0, end - time.monotonic()))


@audit_app.command("braintrust")
def audit_braintrust(
    project: Annotated[str | None, typer.Option(help="Braintrust project name (BRAINTRUST_PROJECT).")] = None,
    since: SinceOpt = "7d",
    limit: LimitOpt = 500,
    sample: SampleOpt = None,
    seed: SeedOpt = 0,
    api_url: Annotated[
        str | None,
        typer.Option(help="Data plane: us, eu, or a self-hosted URL (BRAINTRUST_API_URL)."),
    ] = None,
    org: Annotated[str | None, typer.Option(help="Organization name (BRAINTRUST_ORG_NAME).")] = None,
    output_format: FormatOpt = None,
    out: OutOpt = None,
    mapping: MappingOpt = None,
    answers: AnswersOpt = None,
    fail_under: FailOpt = None,
    config: ConfigOpt = None,
    export_spans: ExportOpt = None,
    debug: Debug = False,
) -> None:
    """Audit a Braintrust project's logs (settings from BRAINTRUST_* variables, traceready.toml, flags)."""
    with _guarded(debug):
        waits = _WaitProgress("Braintrust")
        connector = _vendor_connector(
            "braintrust",
            "BraintrustSettings",
            config,
            since,
            limit,
            sample,
            seed,
            connector_options={"sleep": waits.sleep, "on_wait": waits.notice},
            project=project,
            api_url=api_url,
            org_name=org,
        )
        _run(
            connector,
            output_format=output_format,
            out=out,
            mapping=mapping,
            answers=answers,
            fail_under=fail_under,
            config=config,
            export_spans=export_spans,
        )


DEMO_PROJECT = "travel-agent"


@app.command()
def demo(
    output_format: FormatOpt = None,
    out: OutOpt = None,
    no_server: Annotated[
        bool, typer.Option("--no-server", help="Audit the bundled OTel file directly, without Phoenix.")
    ] = False,
    debug: Debug = False,
) -> None:
    """Start a local Phoenix, load the sample agent's traces, audit them, stop it: no key, no network."""
    with _guarded(debug):
        from traceready.connector import get_connector

        sample = resources.files("traceready.samples") / "otel" / SAMPLE
        with resources.as_file(sample) as path:
            if no_server:
                connector: Connector = get_connector("otel")([path])  # type: ignore[call-arg]
                stop: Callable[[], None] = lambda: None  # noqa: E731
            else:
                connector, stop = _demo_in_phoenix(path)
            try:
                _run(
                    connector,
                    output_format=output_format,
                    out=out,
                    mapping=None,
                    answers=None,
                    fail_under=None,
                    config=None,
                    export_spans=None,
                )
            finally:
                stop()


def _demo_in_phoenix(path: Path) -> tuple[Connector, Callable[[], None]]:
    """A running local Phoenix holding the sample: a connector to it, and what stops it (by pid)."""
    import importlib

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from traceready.connector import get_connector
    from traceready.window import Window, parse_since

    phoenix_connector = get_connector("phoenix")
    package = sys.modules[phoenix_connector.__module__]
    local = importlib.import_module(f"{phoenix_connector.__module__}.local")
    if not _has_phoenix():
        raise UsageError(
            "the demo runs a local Phoenix server, and arize-phoenix is not installed",
            hint="run scripts/setup, or pip install 'traceready[phoenix]'; or use --no-server",
        )
    server = local.LocalPhoenix()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        step = progress.add_task("starting a real Phoenix server on 127.0.0.1", total=None)
        server.start()
        try:
            progress.update(step, description=f"loading the sample agent's traces (server pid {server.pid})")
            sent = local.load_otlp_file(server.base_url, DEMO_PROJECT, path)
            local.wait_for_spans(server.base_url, DEMO_PROJECT, sent)
            progress.update(step, description="adding a dataset, a scored experiment and a failure taxonomy")
            local.seed_demo_extras(server.base_url, DEMO_PROJECT)
        except BaseException:
            server.stop()
            raise
    settings = package.PhoenixSettings(endpoint=server.base_url, project=DEMO_PROJECT)
    connector = phoenix_connector(settings, Window(start=parse_since("3650d")))  # type: ignore[call-arg]
    return connector, server.stop


def _has_phoenix() -> bool:
    import importlib.util

    return importlib.util.find_spec("phoenix") is not None


@app.command()
def interview(
    out: Annotated[Path, typer.Option("--out", "-o", help="The answers file (resumed if it exists).")] = Path(
        "answers.toml"
    ),
    report: Annotated[
        Path | None,
        typer.Option(help="A JSON audit report: ask only what its traces could not show."),
    ] = None,
    non_interactive: Annotated[
        bool, typer.Option("--non-interactive", help="Ask nothing; list the questions still unanswered.")
    ] = False,
    debug: Debug = False,
) -> None:
    """Ask what traces cannot show, the way a consultant would; saves answers.toml after every answer."""
    with _guarded(debug):
        from traceready.interview import load_report, open_interview, run_interview, suggested_command

        session = open_interview(out, load_report(report) if report is not None else None)
        if non_interactive:
            pending = session.pending()
            typer.echo(f"{out}: {len(session.to_answers().flat())} answered, {len(pending)} unanswered")
            for question in pending:
                typer.echo(f"  [{session.bank.number(question)}] {question.id}: {question.text}")
            return
        typer.echo("What traces cannot show. Answer 'not sure' whenever you are; type :help for commands.")
        try:
            ended = run_interview(session, out, ask=input, say=typer.echo)
        except KeyboardInterrupt:
            typer.echo(
                f"\nStopped: {len(session.to_answers().flat())} answers are saved in {out}; "
                "run the same command to resume.",
                err=True,
            )
            raise typer.Exit(130) from None
        typer.echo(f"\nSaved {ended.answered} answers in {out}.")
        if ended.unanswered:
            typer.echo(f"{len(ended.unanswered)} questions are left: run the same command to resume.")
        typer.echo(f"Next: {suggested_command(session.to_answers(), out)}")


@app.command()
def connectors(debug: Debug = False) -> None:
    """List the installed connectors (entry-point group traceready.connectors)."""
    with _guarded(debug):
        for slug, cls in installed_connectors().items():
            typer.echo(f"{slug}\t{cls.title}\t{cls.__module__}")


@app.command()
def schema(
    name: Annotated[str, typer.Argument(help="report or span.")] = "report",
    debug: Debug = False,
) -> None:
    """Print the JSON Schema of the public report or span format."""
    with _guarded(debug):
        if name not in SCHEMAS:
            raise UsageError(f"unknown schema {name!r}", hint=f"choose one of {', '.join(SCHEMAS)}")
        typer.echo(orjson.dumps(SCHEMAS[name](), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())


def main() -> Any:
    """Console-script entry point."""
    return app()
