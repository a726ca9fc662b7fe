"""A drift comparison as the terminal shows it: the schema's changes, then one row per column."""

from __future__ import annotations

from dq_checks.drift.model import ColumnDrift, TableDrift

STATUS_ORDER = {"drifted": 0, "error": 1, "skipped": 2, "stable": 3}
REASON_WIDTH = 90


def drift_text(drift: TableDrift) -> str:
    """The baseline and now, the schema's changes, a row per column, each drifted column's reason."""
    from tabulate import tabulate

    head = (
        f"drift against {drift.baseline_label} ({drift.baseline_rows:,} rows) "
        f"-> {drift.current_label} ({drift.current_rows:,} rows)"
    )
    if drift.error is not None:
        return f"{head}\nerror: {drift.error}"
    lines = [head]
    schema = drift.schema
    for what, names in (
        ("added", [f"{n} ({t})" for n, t in schema.added]),
        ("removed", [f"{n} ({t})" for n, t in schema.removed]),
        ("re-typed", [f"{n} ({b} -> {c})" for n, b, c in schema.retyped]),
    ):
        if names:
            lines.append(f"  columns {what}: {', '.join(names)}")
    ordered = sorted(drift.columns, key=lambda c: STATUS_ORDER[c.status])
    rows = [_row(c) for c in ordered]
    headers = ("column", "status", "kinds", "nulls", "test", "statistic", "p", "effect", "PSI", "sampled")
    lines.append(tabulate(rows, headers=headers))
    for column in ordered:
        if column.status in ("drifted", "error"):
            lines.append(f"  {column.status}: {column.reason}")
        for what, values in (("new", column.new_categories), ("vanished", column.vanished_categories)):
            if values:
                listed = ", ".join(f"{v!r} ({c:,})" for v, c in values[:10])
                more = f" and {len(values) - 10} more" if len(values) > 10 else ""
                lines.append(f"  {column.column}: {what} values {listed}{more}")
    return "\n".join(lines)


def _row(column: ColumnDrift) -> tuple[str, ...]:
    test = column.distribution
    nulls = (
        f"{100 * column.null_rates[0]:.1f}% -> {100 * column.null_rates[1]:.1f}%"
        if column.null_rates is not None
        else ""
    )
    sampled = f"{column.sample_sizes[0]:,} / {column.sample_sizes[1]:,}" if column.sample_sizes else ""
    return (
        column.column,
        column.status,
        ", ".join(k.value for k in column.kinds),
        nulls,
        test.test if test else "",
        f"{test.statistic:.4g}" if test else "",
        f"{test.p_value:.2g}" if test else "",
        f"{test.effect_name.replace('_', ' ')} {test.effect:.3f}" if test else "",
        f"{column.psi:.3f}" if column.psi is not None else "",
        sampled,
    )
