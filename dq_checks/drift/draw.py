"""Draw a table's drift sketch through its engine: counts, a bounded random sample, value frequencies.

Nothing is pulled whole. At most three kinds of query run, all in the engine:

* the row and NULL counts, unless the caller already has them exactly (the profile's);
* one random sample of at most `sample_size` rows, of the numeric and time columns only. DuckDB
  draws it with its reservoir sampler and a fixed seed (`USING SAMPLE reservoir(n ROWS)
  REPEATABLE (seed)`), so the same data gives the same sample and the same verdict; other
  engines take `ORDER BY RANDOM() LIMIT n`, which every warehouse answers with a bounded top-n
  heap in one scan;
* one frequency query per text or boolean column, the profile's own, asked for the
  `categories` most frequent values.

A query the engine refuses costs only the columns it was for: each gets the engine's reason.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlglot import exp

from dq_checks.config.drift import DriftSettings
from dq_checks.drift.sketch import ColumnSketch, ComparedAs, Frequencies, Sample, TableSketch
from dq_checks.metrics import QueryRunner
from dq_checks.metrics.runner import fetch_all
from dq_checks.metrics.sql import column, count_non_null, count_rows, select_from
from dq_checks.profile.column_metrics import frequency_query, statistic_value
from dq_checks.rules.engine_errors import engine_error_text
from dq_checks.schema import ColumnInfo, ColumnKind

SAMPLE_SEED = 20_261_203
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SECONDS_PER_DAY = 86_400.0

Counts = Mapping[str, tuple[int, int]]
"""Column -> (rows, NULLs), exact."""


class SketchError(Exception):
    """The engine could not even count the table's rows: nothing can be compared."""


def drawn_columns(
    columns: Sequence[ColumnInfo], settings: DriftSettings, leave_out: Sequence[str] = ()
) -> list[ColumnInfo]:
    """The columns the drift check compares: all but those the definition skips and `leave_out` (the key)."""
    left_out = set(leave_out)
    return [c for c in columns if c.name not in left_out and not settings.skipped(c.name)]


def draw_sketch(
    runner: QueryRunner,
    columns: Sequence[ColumnInfo],
    settings: DriftSettings,
    *,
    label: str,
    counts: Counts | None = None,
    hidden: Collection[str] = (),
) -> tuple[TableSketch, dict[str, str]]:
    """The sketch of `columns` of the runner's table, and column -> why it has none.

    `counts` are the exact row and NULL counts when the caller has them (the profile's);
    otherwise one aggregate query counts them. Raises SketchError when that query fails.
    The values of `hidden` columns (PII) never leave the engine: only their NULLs are compared.
    """
    if counts is None or any(c.name not in counts for c in columns):
        counts = _counted(runner, columns)
    rows = next(iter(counts.values()))[0] if counts else _row_count(runner)
    errors: dict[str, str] = {}
    valued = [c for c in columns if c.name not in set(hidden)]
    sampled = [c for c in valued if c.kind in (ColumnKind.NUMERIC, ColumnKind.TEMPORAL)]
    categorical = [c for c in valued if c.kind.is_categorical]
    samples, sample_rows, frequencies = _drawn(runner, sampled, categorical, settings, errors)
    sketches: dict[str, ColumnSketch] = {}
    for info in columns:
        if info.name in errors:
            continue
        total, nulls = counts[info.name]
        sketches[info.name] = _column_sketch(
            info, total, nulls, samples.get(info.name), frequencies.get(info.name)
        )
    return TableSketch(rows, sketches, label, sample_rows), errors


def sample_query(runner: QueryRunner, columns: Sequence[ColumnInfo], size: int) -> exp.Query:
    """At most `size` rows at random, of `columns` (numbers as DOUBLE, NaN as NULL; times as they are)."""
    projections = [exp.alias_(_compared_value(c), f"c{i}", quoted=True) for i, c in enumerate(columns)]

    if runner.dialect == "duckdb":
        rows = exp.Subquery(
            this=select_from(projections, runner.relation),
            alias=exp.TableAlias(this=exp.to_identifier("drift_rows")),
        )
        sample = exp.TableSample(
            method=exp.var("RESERVOIR"), size=exp.Literal.number(size), seed=exp.Literal.number(SAMPLE_SEED)
        )
        rows.set("sample", sample)
        # The outer query names its columns: a `*` would read as "any column" to the scan cache's PII guard.
        return exp.select(*(exp.column(f"c{i}", quoted=True) for i in range(len(columns)))).from_(rows)
    return select_from(projections, runner.relation).order_by(exp.Rand()).limit(size)


def _drawn(
    runner: QueryRunner,
    sampled: Sequence[ColumnInfo],
    categorical: Sequence[ColumnInfo],
    settings: DriftSettings,
    errors: dict[str, str],
) -> tuple[dict[str, list[Any]], int, dict[str, Frequencies]]:
    """The sample and the frequency tables, all asked at once (the engine runs them side by side).

    When the engine refuses any of them, each part is asked again on its own, so that only the
    columns whose query failed get an error (in `errors`).
    """
    queries = [
        *([sample_query(runner, sampled, settings.sample_size)] if sampled else []),
        *(frequency_query(info, runner.relation, limit=settings.categories) for info in categorical),
    ]
    try:
        answers = fetch_all(runner, queries) if queries else []
    except Exception:  # find the culprits, part by part
        samples, rows, refused = _samples(runner, sampled, settings.sample_size)
        frequencies, refused_counts = _frequencies(runner, categorical, settings.categories)
        errors.update({**refused, **refused_counts})
        return samples, rows, frequencies
    drawn = answers[0] if sampled else []
    samples = {c.name: [row[i] for row in drawn] for i, c in enumerate(sampled)}
    frequencies, _ = _frequency_tables(categorical, answers[1:] if sampled else answers)
    return samples, len(drawn), frequencies


def _samples(
    runner: QueryRunner, columns: Sequence[ColumnInfo], size: int
) -> tuple[dict[str, list[Any]], int, dict[str, str]]:
    """Each column's sampled values, the rows drawn, and column -> why the engine drew none.

    One query draws every column's values from the same rows. When the engine refuses it (a
    column it cannot cast), each column is drawn on its own, so only the culprit errors.
    """
    if not columns:
        return {}, 0, {}
    try:
        drawn = runner.fetch_rows(sample_query(runner, columns, size))
    except Exception:  # find the column the engine refuses, one at a time
        pass
    else:
        return {c.name: [row[i] for row in drawn] for i, c in enumerate(columns)}, len(drawn), {}
    samples: dict[str, list[Any]] = {}
    refused: dict[str, str] = {}
    rows = 0
    for info in columns:
        try:
            alone = runner.fetch_rows(sample_query(runner, [info], size))
        except Exception as error:
            refused[info.name] = f"the engine could not draw its sample: {engine_error_text(error)}"
        else:
            samples[info.name] = [row[0] for row in alone]
            rows = max(rows, len(alone))
    return samples, rows, refused


def _counted(runner: QueryRunner, columns: Sequence[ColumnInfo]) -> dict[str, tuple[int, int]]:
    """Rows and missing values of each column (NULL; NaN or infinity in a floating one), in one query."""
    projections = [count_rows(), *(count_non_null(_compared_value(c)) for c in columns)]
    try:
        (row,) = runner.fetch_rows(select_from(projections, runner.relation))
    except Exception as error:
        raise SketchError(f"the engine could not count the rows: {engine_error_text(error)}") from error
    total = int(row[0] or 0)
    return {c.name: (total, total - int(value or 0)) for c, value in zip(columns, row[1:], strict=True)}


def _compared_value(info: ColumnInfo) -> exp.Expression:
    """A number as DOUBLE with NaN and infinities as NULL (so counted as missing); anything else as it is."""
    return statistic_value(info) if info.kind is ColumnKind.NUMERIC else column(info.name)


def _row_count(runner: QueryRunner) -> int:
    try:
        (row,) = runner.fetch_rows(select_from([count_rows()], runner.relation))
    except Exception as error:
        raise SketchError(f"the engine could not count the rows: {engine_error_text(error)}") from error
    return int(row[0] or 0)


def _frequencies(
    runner: QueryRunner, columns: Sequence[ColumnInfo], limit: int
) -> tuple[dict[str, Frequencies], dict[str, str]]:
    """Each column's frequency table; a refused query costs only its own column."""
    queries = [frequency_query(info, runner.relation, limit=limit) for info in columns]
    answers: list[list[tuple[Any, ...]] | str]
    try:
        answers = list(fetch_all(runner, queries))
    except Exception:  # find which column's query the engine refuses, one at a time
        answers = []
        for query in queries:
            try:
                answers.append(runner.fetch_rows(query))
            except Exception as error:
                answers.append(engine_error_text(error))
    return _frequency_tables(columns, answers)


def _frequency_tables(
    columns: Sequence[ColumnInfo], answers: Sequence[list[tuple[Any, ...]] | str]
) -> tuple[dict[str, Frequencies], dict[str, str]]:
    """Each column's frequency table from its query's rows, or its error (an engine's reason, as text)."""
    found: dict[str, Frequencies] = {}
    refused: dict[str, str] = {}
    for info, answer in zip(columns, answers, strict=True):
        if isinstance(answer, str):
            refused[info.name] = f"the engine could not count its values: {answer}"
            continue
        boolean = info.kind is ColumnKind.BOOLEAN
        counts = tuple((_category(value, boolean), int(count)) for value, _length, count, _ in answer)
        distinct = int(answer[0][3]) if answer else 0
        found[info.name] = Frequencies(counts, 0, distinct)
    return found, refused


def _column_sketch(
    info: ColumnInfo, rows: int, nulls: int, sampled: list[Any] | None, frequencies: Frequencies | None
) -> ColumnSketch:
    """One column's sketch, by its kind; `other` of the frequencies is filled from the exact counts."""

    def sketch(compared_as: ComparedAs, **parts: Any) -> ColumnSketch:
        return ColumnSketch(info.name, info.data_type, info.kind, rows, nulls, compared_as, **parts)

    if frequencies is not None:
        listed = sum(count for _, count in frequencies.counts)
        other = max(rows - nulls - listed, 0)
        return sketch("categories", frequencies=Frequencies(frequencies.counts, other, frequencies.distinct))
    if sampled is None:
        return sketch("nulls only")
    values = [v for v in sampled if v is not None]
    if info.kind is ColumnKind.NUMERIC:
        numbers = sorted(float(v) for v in values)
        return sketch("values", sample=Sample(tuple(numbers), len(numbers)))
    moments = [_moment(v) for v in values]
    if moments and all(isinstance(m, date) and not isinstance(m, datetime) for m in moments):
        return sketch("weekday", frequencies=_weekdays(moments))
    seconds = sorted(_seconds_of_day(m) for m in moments if m is not None)
    return sketch("time of day", sample=Sample(tuple(seconds), len(seconds)))


def _moment(value: Any) -> date | datetime | time | None:
    """An engine's time value as Python's: some drivers return ISO text."""
    if isinstance(value, date | time):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _seconds_of_day(moment: date | datetime | time | None) -> float:
    """Seconds since midnight: an instant's in UTC, a local time's as written, a date's 0.

    An instant is read in UTC whatever zone the engine's session returned it in, so two machines in
    different zones draw the same sketch.
    """
    if isinstance(moment, datetime):
        moment = (moment.astimezone(UTC) if moment.utcoffset() is not None else moment).time()
    if isinstance(moment, time):
        return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    return 0.0


def _weekdays(moments: Sequence[Any]) -> Frequencies:
    """How many sampled dates fall on each weekday: a complete table of at most 7 values."""
    tally: dict[str, int] = {}
    for moment in moments:
        name = WEEKDAYS[moment.weekday()]
        tally[name] = tally.get(name, 0) + 1
    counts = tuple(sorted(tally.items(), key=lambda item: (-item[1], item[0])))
    return Frequencies(counts, 0, len(counts))


def _category(value: Any, boolean: bool) -> str:
    """A value as the frequency table names it: booleans as true/false (MySQL's 0/1 too), the rest as text."""
    if boolean and value in (0, 1, True, False):
        return "true" if value else "false"
    return str(value)
