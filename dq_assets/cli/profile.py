"""`dq profile PATH`: profile a file with the same engine as the checks, and write its reports.

CSV, Excel, JSON or Parquet; rules run when given; HTML, JSON and Excel reports are written.

The "profile my data" path: no definitions folder, no Dagster instance.
A 2 GB CSV streams through DuckDB's reader; it is never loaded into pandas (only the report's
100,000-row sample is).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dq_checks.error_text import first_line

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
STEPS = (
    "read the file's schema",
    "profile and check every row",
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
) -> None:
    """Profile the file at PATH (local or s3://) and write its reports.

    Exit 0 when every check passed, 1 when one failed, 2 when the file cannot be read or a rule
    is invalid.
    """
    from dq_assets.reports.build import REPORT_FAILING_ROWS, REPORT_SAMPLE_ROWS, write_reports
    from dq_resources.files.resource import FileSourceResource
    from dq_resources.reports.artifacts import LocalArtifactStore
    from dq_resources.source_contract import SourceError
    from dq_runs.inspect import inspect_table

    defined = _definition(
        path, rules_file, delimiter=delimiter, encoding=encoding, sheet=sheet, header=not no_header
    )
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
            opened = FileSourceResource(scan_memory_limit=memory_limit).open(defined.spec.source)
            opened.describe()
            bar.update(1, STEPS[1])
            inspection = inspect_table(defined, opened, sample_limit=REPORT_FAILING_ROWS)
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
    click.echo(f"\n{files.summary}\n")
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


def _definition(
    path: str,
    rules_file: Path | None,
    *,
    delimiter: str | None,
    encoding: str | None,
    sheet: str | None,
    header: bool,
) -> Any:
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
    source = {"type": "file", "path": path, "header": header}
    for key, value in (("delimiter", delimiter), ("encoding", encoding), ("sheet", sheet)):
        if value is not None:
            source[key] = value
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


def _render(inspection: Any) -> str:
    from tabulate import tabulate

    rows = [
        (c.name, c.outcome.value, c.severity.value if c.severity else "", _short(c.description))
        for c in inspection.checks
    ]
    head = f"{inspection.profile.row_count:,} rows x {len(inspection.profile.columns)} columns"
    text = head + "\n" + tabulate(rows, headers=("check", "outcome", "severity", "description"))
    analyzers = [_analyzer_row(a.to_dict()) for a in inspection.analyzers]
    if analyzers:
        text += "\n\n" + tabulate(analyzers, headers=("analyzer", "metric", "value"))
    errors = [a.error for a in inspection.analyzers if a.error is not None]
    if errors:
        text += "\n\nanalyzers not computed:\n" + "\n".join(f"  {e}" for e in errors)
    return text


def _analyzer_row(analyzer: dict[str, Any]) -> tuple[str, str, str]:
    """An analyzer as `dq run` prints it: its value, or a Distribution's one-line summary."""
    from dq_assets.cli.render import analyzer_value

    return analyzer["analyzer"], analyzer["metric"] or "", analyzer_value(analyzer)


def _short(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
