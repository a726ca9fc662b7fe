"""`dq profile PATH [--baseline OLD]`: profile a file or table with the checks' engine, and write its reports.

CSV, Excel, JSON or Parquet, or a monitored table; rules run when given; HTML, JSON and Excel
reports are written. With `--baseline`, the data is compared with another file or table (or the
same Iceberg table at an earlier snapshot): the schema's changes, NULL rates, new and vanished
categories, and each column's distribution (KS, chi-square, PSI), in the terminal and the reports.

The "profile my data" path: no definitions folder, no Dagster instance.
A 2 GB CSV streams through DuckDB's reader; it is never loaded into pandas (only the report's
100,000-row sample is).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dq_assets.cli.options import CONFIG_OPTION
from dq_checks.error_text import first_line

if TYPE_CHECKING:
    from dq_checks.results.inspection import TableInspection

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
STEPS = (
    "read the schema",
    "profile, check and compare",
    "sample for the report",
    "write the reports",
)


@click.command("profile")
@click.argument("path")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for report.html, report.json and report.xlsx (default: ./dq-report-<name>).",
)
@click.option(
    "--rules",
    "rules_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help=(
        "A YAML file with `rules:` (as in a table definition; `ruleset_file:`, `analyzers:`, "
        "`key:` and `pii_columns:` too)."
    ),
)
@click.option("--delimiter", default=None, help="CSV field delimiter (default: ',', or a tab for .tsv).")
@click.option("--encoding", default=None, help="CSV encoding, e.g. latin-1 or cp1252 (default: utf-8).")
@click.option("--sheet", default=None, help="Excel sheet (default: the first).")
@click.option("--no-header", is_flag=True, help="The CSV has no header row.")
@click.option(
    "--memory-limit",
    default="2GB",
    show_default=True,
    help="The local engine's memory for queries; beyond it DuckDB spills to disk where it can.",
)
@click.option(
    "--baseline",
    default=None,
    help=(
        "Compare with this file, or monitored table (NAME, NAME@<snapshot id>, NAME@<ISO time>): "
        "schema, NULL rates, categories, distributions (KS, chi-square, PSI)."
    ),
)
@CONFIG_OPTION
def profile(
    *,
    path: str,
    out_dir: Path | None,
    rules_file: Path | None,
    delimiter: str | None,
    encoding: str | None,
    sheet: str | None,
    no_header: bool,
    memory_limit: str,
    baseline: str | None,
    config_dir: Path | None,
) -> None:
    """Profile the file at PATH (local or s3://), or the monitored table PATH, and write its reports.

    Exit 0 when every check passed, 1 when one failed (a drift from the baseline too), 2 when the
    data or the baseline cannot be read or a rule is invalid.
    """
    from dq_assets.reports.build import REPORT_FAILING_ROWS, REPORT_SAMPLE_ROWS, write_reports
    from dq_checks.reports.summary import plain_text
    from dq_resources.reports.artifacts import LocalArtifactStore
    from dq_resources.source_contract import SourceError
    from dq_runs.inspect import inspect_table

    options = _file_options(delimiter=delimiter, encoding=encoding, sheet=sheet, header=not no_header)
    defined, open_data, compared = _prepared(path, rules_file, options, baseline, memory_limit, config_dir)
    problems = [r.problem for r in defined.rules if r.problem is not None]
    problems += [a.problem for a in defined.analyzers if a.problem is not None]
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    name = defined.spec.table
    out = out_dir or Path(f"dq-report-{name}")
    try:
        with click.progressbar(
            length=len(STEPS), label=f"profiling {path}", file=sys.stderr, item_show_func=lambda step: step
        ) as bar:
            bar.update(0, STEPS[0])
            opened = open_data()
            opened.describe()
            bar.update(1, STEPS[1])
            inspection = _applicable(
                inspect_table(defined, opened, sample_limit=REPORT_FAILING_ROWS, drift_baseline=compared),
                path,
            )
            bar.update(1, STEPS[2])
            sample = opened.sample(REPORT_SAMPLE_ROWS)
            bar.update(1, STEPS[3])
            try:
                files = write_reports(
                    table=name,
                    inspection=inspection,
                    sample=sample,
                    pii_columns=inspection.redacted_columns,
                    previous=None,
                    store=LocalArtifactStore(root=str(out)),
                    prefix=".",
                    drift=inspection.drift,
                )
            except OSError as error:
                cause = f"{error.strerror}: {error.filename}" if error.strerror else str(error)
                click.echo(f"\nerror: {out}: cannot write the reports: {cause}", err=True)
                sys.exit(EXIT_ERROR)
            bar.update(1)
    except SourceError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except MemoryError as error:
        click.echo(f"error: {path}: out of memory ({error}); raise --memory-limit", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as error:
        if type(error).__name__ != "OutOfMemoryException":  # DuckDB's, without importing DuckDB here
            raise
        first = first_line(error)
        click.echo(
            f"error: {path}: the local engine ran out of memory ({first}); raise --memory-limit", err=True
        )
        sys.exit(EXIT_ERROR)
    click.echo(_render(inspection))
    click.echo(f"\n{plain_text(files.summary)}\n")
    for label, location in (("html", files.html), ("json", files.json), ("excel", files.xlsx)):
        click.echo(f"{label:>5}: {location}")
    outcomes = {check.outcome.value for check in inspection.checks}
    # A statistic that could not be computed is an error, as in `dq run`.
    lost = any(a.error is not None for a in inspection.analyzers)
    sys.exit(
        EXIT_ERROR
        if problems or lost or "error" in outcomes
        else EXIT_FAILED
        if "fail" in outcomes
        else EXIT_OK
    )


def _file_options(
    *, delimiter: str | None, encoding: str | None, sheet: str | None, header: bool
) -> dict[str, Any]:
    """The CSV and Excel settings a file source takes from the command line (both files get them)."""
    options: dict[str, Any] = {"header": header}
    for key, value in (("delimiter", delimiter), ("encoding", encoding), ("sheet", sheet)):
        if value is not None:
            options[key] = value
    return options


def _prepared(  # noqa: PLR0917 (one call site, which names nothing twice)
    path: str,
    rules_file: Path | None,
    options: dict[str, Any],
    baseline: str | None,
    memory_limit: str,
    config_dir: Path | None,
) -> tuple[Any, Callable[[], Any], Any]:
    """The definition (drift on only with a baseline), how to open the data, and the baseline."""
    from dq_assets.cli.profile_targets import is_file
    from dq_resources.files.resource import FileSourceResource

    files = FileSourceResource(scan_memory_limit=memory_limit)
    defined, open_data = _profiled(path, rules_file, options, files, config_dir)
    compared = None if baseline is None else _baseline(baseline, options, files, config_dir)
    if compared is not None:
        compared = replace(
            compared, current_label=path if "@" in path or not is_file(path) else f"file {path}"
        )
    drift = defined.spec.drift.model_copy(update={"enabled": compared is not None})  # no history here
    return replace(defined, spec=defined.spec.model_copy(update={"drift": drift})), open_data, compared


def _profiled(
    path: str, rules_file: Path | None, options: dict[str, Any], files: Any, config_dir: Path | None
) -> tuple[Any, Callable[[], Any]]:
    """The definition to check PATH by, and how to open it: a file's own, or the monitored table's."""
    from dq_assets.cli.profile_targets import is_file

    if is_file(path):
        defined = _definition(path, rules_file, options)
        return defined, lambda: files.open(defined.spec.source)
    target = _table_target(path, config_dir)
    if rules_file is not None:
        click.echo(
            f"error: --rules is for files; {path} is a monitored table with rules of its own", err=True
        )
        sys.exit(EXIT_ERROR)
    return target.defined, target.open


def _baseline(argument: str, options: dict[str, Any], files: Any, config_dir: Path | None) -> Any:
    """The `drift` check's baseline: a file, read with the same options, or a (time-travelled) table."""
    from pydantic import ValidationError

    from dq_assets.cli.profile_targets import is_file
    from dq_checks.config.sources import FileSourceSpec
    from dq_runs.drift_step import DriftBaseline

    if not is_file(argument):
        target = _table_target(argument, config_dir)
        return DriftBaseline(open_table=target.open, label=target.label)
    try:
        spec = FileSourceSpec.model_validate({"type": "file", "path": argument, **options})
    except ValidationError as error:
        click.echo(f"error: --baseline {argument}: {error.errors()[0]['msg']}", err=True)
        sys.exit(EXIT_ERROR)
    return DriftBaseline(open_table=lambda: files.open(spec), label=f"file {argument}")


def _table_target(argument: str, config_dir: Path | None) -> Any:
    """The monitored table `argument` names, or exit with why it names none."""
    from dq_assets.cli.profile_targets import table_target
    from dq_assets.cli.rules_common import load_definitions
    from dq_assets.source_resources import default_resources

    loaded = load_definitions(config_dir)
    target = table_target(argument, {t.spec.table: t for t in loaded.tables}, default_resources())
    if isinstance(target, str):
        for problem in loaded.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"error: {target}", err=True)
        sys.exit(EXIT_ERROR)
    return target


def _definition(path: str, rules_file: Path | None, options: dict[str, Any]) -> Any:
    """A table definition for the file, with the rules file's rules and analyzers (path:line in messages).

    The rules file is read as a table definition's rules are: `rules:`, a `ruleset_file:` (a Glue
    ruleset beside it) and `analyzers:`.
    """
    from pydantic import ValidationError

    from dq_checks.config.loader import DefinedTable, plain, read_yaml_document
    from dq_checks.config.models import TableSpec
    from dq_checks.config.table_rules import table_rules

    stem = Path(path.rstrip("/")).name.split(".")[0] or "file"
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in stem)
    name = name if name[:1].isalpha() or name[:1] == "_" else f"t_{name}"
    source = {"type": "file", "path": path, **options}
    document: Any = {}
    if rules_file is not None:
        document, problems = read_yaml_document(rules_file)
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        if problems:
            sys.exit(EXIT_ERROR)
        document = document or {}
        if not isinstance(document, dict):
            click.echo(f"error: {rules_file}:1: expected a mapping with `rules:`", err=True)
            sys.exit(EXIT_ERROR)
    try:
        spec = TableSpec.model_validate({"table": name, "source": source, **plain(document)})
    except ValidationError as error:
        for detail in error.errors():
            click.echo(
                f"error: {rules_file or path}: {'.'.join(map(str, detail['loc']))}: {detail['msg']}", err=True
            )
        sys.exit(EXIT_ERROR)
    where = rules_file or Path(path)
    found = table_rules(spec, where, document, set())
    for clash in found.clashes:
        click.echo(f"error: {clash.path or where}:{clash.line}: {clash.message}", err=True)
    if found.clashes:
        sys.exit(EXIT_ERROR)
    return DefinedTable(spec, where, document, found.rules, found.analyzers)


def _applicable(inspection: TableInspection, path: str) -> TableInspection:
    """The inspection without the checks a one-off file cannot have: volume and schema need history.

    A monitored table keeps them (it has, or will have, earlier runs); a file profiled once would
    only ever print `volume skip: needs 7 earlier data versions` and `schema: no earlier run`.
    """
    from dq_assets.cli.profile_targets import is_file
    from dq_checks.results.names import SCHEMA_CHECK, VOLUME_CHECK

    if not is_file(path):
        return inspection
    checks = [c for c in inspection.checks if c.name not in (VOLUME_CHECK, SCHEMA_CHECK)]
    return replace(inspection, checks=checks)


def _render(inspection: Any) -> str:
    from tabulate import tabulate

    from dq_assets.cli.render import fitted, terminal_width

    rows = [
        (c.name, c.outcome.value, c.severity.value if c.severity else "", c.description)
        for c in inspection.checks
    ]
    head = f"{inspection.profile.row_count:,} rows x {len(inspection.profile.columns)} columns"
    text = head + "\n" + fitted(rows, ("check", "outcome", "severity", "description"), terminal_width(False))
    analyzers = [_analyzer_row(a.to_dict()) for a in inspection.analyzers]
    if analyzers:
        text += "\n\n" + tabulate(analyzers, headers=("analyzer", "metric", "value"))
    errors = [a.error for a in inspection.analyzers if a.error is not None]
    if errors:
        text += "\n\nanalyzers not computed:\n" + "\n".join(f"  {e}" for e in errors)
    if inspection.drift is not None:
        from dq_assets.cli.drift_render import drift_text

        text += "\n\n" + drift_text(inspection.drift)
    return text


def _analyzer_row(analyzer: dict[str, Any]) -> tuple[str, str, str]:
    """An analyzer as `dq run` prints it: its value, or a Distribution's one-line summary."""
    from dq_assets.cli.render import analyzer_value

    return analyzer["analyzer"], analyzer["metric"] or "", analyzer_value(analyzer)
