"""The ``traceready`` command line.

The only place that prints outside ``report/`` and maps errors to exit codes: 0 ok, 1 below
``--fail-under``, 2 usage or unreadable input, 3 auth, 4 not found, 5 vendor unavailable,
70 a bug (``--debug`` shows the traceback).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from pydantic import ValidationError

from traceready.answers import QUESTIONS, Answers, dump_answers, load_answers
from traceready.audit import run_audit
from traceready.connector import Connector, installed_connectors
from traceready.errors import TracereadyError, UsageError, invalid
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.outputs import AuditOutputs, check_output_path, format_for_output
from traceready.recommend import load_catalog
from traceready.report import RENDERERS
from traceready.schemas import SCHEMAS
from traceready.settings import fail_under_bar, load_settings

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
        if debug:  # the traceback on top; the exit code means the same as without --debug
            traceback.print_exc()
        typer.echo(f"traceready: error: {exc.one_line()}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - any other exception is a bug: one line, exit 70
        if debug:
            traceback.print_exc()
        typer.echo(
            f"traceready: internal error: {exc.__class__.__name__}: {exc} (rerun with --debug)",
            err=True,
        )
        raise typer.Exit(70) from None


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
    chosen = output_format or format_for_output(out) or settings.format
    if chosen not in RENDERERS:
        raise UsageError(f"unknown format {chosen!r}", hint=f"choose one of {', '.join(RENDERERS)}")
    outputs = AuditOutputs(out, export_spans)
    mapper = Mapper(load_mapping(connector.slug, mapping))
    catalog = load_catalog(connector.package_dir() / "recommendations.yaml")
    try:
        with outputs.span_export() as on_span:
            report = run_audit(
                connector,
                mapper,
                catalog=catalog,
                thresholds=settings.thresholds,
                answers=load_answers(answers),
                on_span=on_span,
            )
    finally:
        connector.close()
    colour = out is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    text = RENDERERS[chosen](report, colour)
    if not outputs.write_report(text):
        typer.echo(text, nl=False)
    bar = fail_under_bar(fail_under, settings, config)
    if bar is not None and report.overall.score < bar.value:
        typer.echo(
            f"traceready: overall score {report.overall.score:.2f} is below {bar.origin} {bar.value:.2f}",
            err=True,
        )
        raise typer.Exit(1)


FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", help="table, md or json (default: from --out's extension, else table)."),
]
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

        limits = load_settings(config).limits
        connector = get_connector("otel")(paths, limits=limits)  # type: ignore[call-arg]
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


SinceOpt = Annotated[
    str,
    typer.Option(
        help="Window start: 30m, 24h, 7d, 2w ('7 days' too; at most 3650d), or an ISO date or time."
    ),
]
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
        with contextlib.ExitStack() as stack:
            path = stack.enter_context(resources.as_file(sample))
            if no_server:
                connector: Connector = get_connector("otel")([path])  # type: ignore[call-arg]
            else:
                if out is not None:
                    check_output_path(out, "--out")  # before a server is started for nothing
                connector = _demo_in_phoenix(path, stack)
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


def _demo_in_phoenix(path: Path, stack: contextlib.ExitStack) -> Connector:
    """A connector to a running local Phoenix holding the sample; ``stack`` stops and removes it."""
    import importlib

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from traceready.connector import get_connector

    if not _has_phoenix():
        raise UsageError(
            "the demo runs a local Phoenix server, and arize-phoenix is not installed",
            hint="run scripts/setup, or pip install 'traceready[phoenix]'; or use --no-server",
        )
    demo_module = importlib.import_module(f"{get_connector('phoenix').__module__}.demo")
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("starting a real Phoenix server on 127.0.0.1", total=None)
        project = demo_module.demo_project(path, lambda text: progress.update(task, description=text))
        connector: Connector = stack.enter_context(project)
        return connector


def _has_phoenix() -> bool:
    import importlib.util

    return importlib.util.find_spec("phoenix") is not None


@app.command()
def interview(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the answers.")] = Path(
        "answers.toml"
    ),
    debug: Debug = False,
) -> None:
    """Ask what traces cannot show and write answers.toml (leave an answer empty to skip it)."""
    with _guarded(debug):
        answered: dict[str, dict[str, str]] = {}
        for section, key, question in QUESTIONS:
            reply = typer.prompt(question, default="", show_default=False).strip()
            if reply:
                answered.setdefault(section, {})[key] = _typed(reply)
        try:
            answers = Answers.model_validate(answered)
        except ValidationError as exc:
            raise invalid("answers", exc) from None
        out.write_text(dump_answers(answers), encoding="utf-8")
        typer.echo(f"wrote {out}; use it with --answers {out}")


def _typed(reply: str) -> Any:
    folded = reply.lower()
    if folded in {"y", "yes", "true"}:
        return True
    if folded in {"n", "no", "false"}:
        return False
    return reply


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
