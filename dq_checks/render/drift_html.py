"""A drift comparison as a self-contained HTML section: both sides, a table, a chart per drifted column.

The HTML report places it under the executive summary. Styles are inline and the charts are
inline SVG, so the page needs no script, stylesheet or network. Every text that comes from the
data (labels, column names, category values, reasons) is escaped: a category may well be
`<script>`.

Each drifted column gets a small chart of both sides' shares over the same bins: the baseline
as an outline (a step line for numbers and times, outlined bars for categories), the current
data as semi-transparent filled bars.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dq_checks.drift.model import ColumnDrift, Histogram, TableDrift

DRIFT_ELEMENT_ID = "dq-drift"
STATUS_ORDER = {"drifted": 0, "error": 1, "skipped": 2, "stable": 3}
STATUS_COLOURS = {"drifted": "#c0392b", "error": "#8e44ad", "skipped": "#7f8c8d", "stable": "#27ae60"}
BASELINE_COLOUR = "#2c3e50"
CURRENT_COLOUR = "#e67e22"
CHART_WIDTH, CHART_HEIGHT = 320, 120
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 6, 314, 18, 96
LABEL_CHARS = 18
"""Longest axis label of a numeric chart; longer ones are cut with an ellipsis."""
CHAR_WIDTH = 5.0
"""About how wide one character of the charts' 9px labels is."""
LISTED_CATEGORIES = 10

_CELL = "padding:.2rem .5rem;border-bottom:1px solid #dee2e6;text-align:left;vertical-align:top"
_NUMBER = _CELL.replace("text-align:left", "text-align:right") + ";font-variant-numeric:tabular-nums"


def drift_section(drift: TableDrift) -> str:
    """The section: both sides, the schema's changes, a row per column, a chart per drifted column."""
    head = (
        f'<p style="margin:.25rem 0">Baseline: <strong>{_e(drift.baseline_label)}</strong> '
        f"({drift.baseline_rows:,} rows); current: <strong>{_e(drift.current_label)}</strong> "
        f"({drift.current_rows:,} rows).</p>"
    )
    parts = [head]
    if drift.error is not None:
        parts.append(f'<p style="margin:.25rem 0;color:#8e44ad">Error: {_e(drift.error)}</p>')
    parts.append(schema_html(drift))
    if drift.columns:
        compared = len(drift.columns) - len(drift.errors)
        drifted = drift.drifted
        verdict = (
            f"{len(drifted)} of {compared} compared columns drifted."
            if drifted
            else f"No drift in {compared} compared columns."
        )
        parts.append(f'<p style="margin:.25rem 0">{_e(verdict)}</p>')
        parts.append(columns_table(drift.columns))
        if drifted:
            parts.append('<h3 style="font-size:1.05rem;margin:1rem 0 .25rem 0">Drifted columns</h3>')
            parts.append(
                '<div style="display:flex;flex-wrap:wrap;gap:1rem">'
                + "".join(column_figure(c) for c in drifted)
                + "</div>"
            )
    return (
        f'<section id="{DRIFT_ELEMENT_ID}" style="margin:1rem auto;max-width:72rem;padding:1rem 1.5rem;'
        "border-left:4px solid #e67e22;background:#fdfaf6;font-family:system-ui,sans-serif;"
        'line-height:1.5">'
        '<h2 style="font-size:1.25rem;margin:0 0 .5rem 0">Drift</h2>'
        f"{''.join(parts)}</section>"
    )


def schema_html(drift: TableDrift) -> str:
    """The columns added, removed and re-typed, or a sentence saying there were none."""
    schema = drift.schema
    if not schema.changed:
        return '<p style="margin:.25rem 0">Schema: no column added, removed or re-typed.</p>'
    items = [
        (what, names)
        for what, names in (
            ("added", [f"{n} ({t})" for n, t in schema.added]),
            ("removed", [f"{n} ({t})" for n, t in schema.removed]),
            ("re-typed", [f"{n} ({b} → {c})" for n, b, c in schema.retyped]),
        )
        if names
    ]
    listed = "".join(
        f"<li>Columns {what}: {', '.join(f'<code>{_e(n)}</code>' for n in names)}</li>"
        for what, names in items
    )
    return f'<p style="margin:.25rem 0">Schema:</p><ul style="margin:.25rem 0">{listed}</ul>'


def columns_table(columns: Sequence[ColumnDrift]) -> str:
    """A row per column, drifted first, then errors, skipped and stable ones."""
    headers = ("column", "status", "kinds", "NULLs", "test", "statistic", "p", "effect", "PSI", "sampled")
    numeric = {"statistic", "p", "PSI", "sampled"}
    head = "".join(
        f'<th style="{_NUMBER if h in numeric else _CELL}">{_e(h)}</th>' for h in (*headers, "reason")
    )
    rows = []
    for c in sorted(columns, key=lambda c: STATUS_ORDER.get(c.status, len(STATUS_ORDER))):
        test = c.distribution
        colour = STATUS_COLOURS.get(c.status, "inherit")
        cells = [
            f'<td style="{_CELL}"><code>{_e(c.column)}</code></td>',
            f'<td style="{_CELL};color:{colour};font-weight:600">{_e(c.status)}</td>',
            _td(", ".join(k.value.replace("_", " ") for k in c.kinds)),
            _td("" if c.null_rates is None else f"{_pct(c.null_rates[0])} → {_pct(c.null_rates[1])}"),
            _td(test.test if test else ""),
            _td(f"{test.statistic:.4g}" if test else "", number=True),
            _td(_p(test.p_value) if test else "", number=True),
            _td(f"{test.effect_name.replace('_', ' ')} {test.effect:.3f}" if test else ""),
            _td("" if c.psi is None else f"{c.psi:.3f}", number=True),
            _td(
                "" if c.sample_sizes is None else f"{c.sample_sizes[0]:,} / {c.sample_sizes[1]:,}",
                number=True,
            ),
            _td(c.reason),
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<div style="overflow-x:auto">'
        '<table style="border-collapse:collapse;font-size:.85rem;margin:.5rem 0">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def column_figure(column: ColumnDrift) -> str:
    """One drifted column: its name and kinds, its chart, its new and vanished values, its reason."""
    kinds = ", ".join(k.value.replace("_", " ") for k in column.kinds)
    parts = [
        f'<figcaption style="font-weight:600"><code>{_e(column.column)}</code> '
        f'<span style="font-weight:400;color:#555">({_e(column.compared_as)}; {_e(kinds)})</span>'
        "</figcaption>"
    ]
    if column.histogram is not None:
        parts.append(histogram_svg(column.histogram, title=f"{column.column}: baseline and current"))
    for what, values in (
        ("New values", column.new_categories),
        ("Vanished values", column.vanished_categories),
    ):
        if values:
            listed = ", ".join(f"<code>{_e(v)}</code> ({c:,})" for v, c in values[:LISTED_CATEGORIES])
            more = f" and {len(values) - LISTED_CATEGORIES:,} more" if len(values) > LISTED_CATEGORIES else ""
            parts.append(f'<div style="font-size:.8rem">{what}: {listed}{more}</div>')
    parts.append(f'<div style="font-size:.8rem;color:#555">{_e(column.reason)}</div>')
    return f'<figure style="margin:0;width:{CHART_WIDTH}px">{"".join(parts)}</figure>'


def histogram_svg(histogram: Histogram, *, title: str) -> str:
    """Both sides' shares per bin as a small inline SVG, with a legend and light axis labels."""
    bins = len(histogram.labels)
    if bins == 0:
        return ""
    width = (PLOT_RIGHT - PLOT_LEFT) / bins
    top = max((*histogram.baseline, *histogram.current, 0.0)) or 1.0
    height = PLOT_BOTTOM - PLOT_TOP

    def y(share: float) -> float:
        return PLOT_BOTTOM - max(share, 0.0) / top * height

    shapes: list[str] = []
    for i, (label, before, now) in enumerate(
        zip(histogram.labels, histogram.baseline, histogram.current, strict=True)
    ):
        x = PLOT_LEFT + i * width
        tip = f"{label}: baseline {_pct(before)}, current {_pct(now)}"
        shapes.append(
            f'<rect x="{x + 0.5:.1f}" y="{y(now):.1f}" width="{max(width - 1, 0.5):.1f}" '
            f'height="{PLOT_BOTTOM - y(now):.1f}" fill="{CURRENT_COLOUR}" fill-opacity="0.5">'
            f"<title>{_e(tip)}</title></rect>"
        )
        if not histogram.numeric:
            shapes.append(
                f'<rect x="{x + 1.5:.1f}" y="{y(before):.1f}" width="{max(width - 3, 0.5):.1f}" '
                f'height="{PLOT_BOTTOM - y(before):.1f}" fill="none" stroke="{BASELINE_COLOUR}" '
                f'stroke-width="1.2"><title>{_e(tip)}</title></rect>'
            )
    if histogram.numeric:
        points = [f"{PLOT_LEFT:.1f},{PLOT_BOTTOM:.1f}"]
        for i, before in enumerate(histogram.baseline):
            x = PLOT_LEFT + i * width
            points += [f"{x:.1f},{y(before):.1f}", f"{x + width:.1f},{y(before):.1f}"]
        points.append(f"{PLOT_RIGHT:.1f},{PLOT_BOTTOM:.1f}")
        shapes.append(
            f'<polyline points="{" ".join(points)}" fill="none" '
            f'stroke="{BASELINE_COLOUR}" stroke-width="1.5"/>'
        )
    axis = f'<line x1="{PLOT_LEFT}" y1="{PLOT_BOTTOM}" x2="{PLOT_RIGHT}" y2="{PLOT_BOTTOM}" stroke="#999"/>'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" aria-label="{_e(title)}" '
        'font-family="system-ui,sans-serif" font-size="9" fill="#555">'
        f"<title>{_e(title)}</title>"
        f'<text x="{PLOT_LEFT}" y="10">max {_e(_pct(top))}</text>'
        f"{_legend(numeric=histogram.numeric)}{''.join(shapes)}{axis}{_axis_labels(histogram, width)}</svg>"
    )


def _legend(*, numeric: bool) -> str:
    """Baseline as it is drawn (a line for numbers, an outline for categories), current as a filled box."""
    right = PLOT_RIGHT
    stroke = f'stroke="{BASELINE_COLOUR}"'
    baseline = (
        f'<line x1="{right - 113}" y1="7" x2="{right - 103}" y2="7" {stroke} stroke-width="1.5"/>'
        if numeric
        else f'<rect x="{right - 112}" y="3" width="9" height="8" fill="none" {stroke} stroke-width="1.2"/>'
    )
    return baseline + (
        f'<text x="{right - 100}" y="10">baseline</text>'
        f'<rect x="{right - 52}" y="3" width="9" height="8" fill="{CURRENT_COLOUR}" fill-opacity="0.5"/>'
        f'<text x="{right - 40}" y="10">current</text>'
    )


def _axis_labels(histogram: Histogram, width: float) -> str:
    """Numbers: the first and the last bin's lower edges; categories: each name, cut to fit its bar."""
    baseline = PLOT_BOTTOM + 12
    if histogram.numeric:
        first, last = histogram.labels[0], histogram.labels[-1]
        return (
            f'<text x="{PLOT_LEFT}" y="{baseline}">{_e(_cut(first, LABEL_CHARS))}</text>'
            f'<text x="{PLOT_RIGHT}" y="{baseline}" text-anchor="end">≥ {_e(_cut(last, LABEL_CHARS))}</text>'
        )
    fits = max(int(width / CHAR_WIDTH), 1)
    return "".join(
        f'<text x="{PLOT_LEFT + (i + 0.5) * width:.1f}" y="{baseline}" text-anchor="middle">'
        f"{_e(_cut(label, fits))}</text>"
        for i, label in enumerate(histogram.labels)
    )


def _td(text: str, *, number: bool = False) -> str:
    return f'<td style="{_NUMBER if number else _CELL}">{_e(text)}</td>'


def _cut(text: str, chars: int) -> str:
    """`text` in at most `chars` characters, the last an ellipsis when it was cut."""
    return text if len(text) <= chars else text[: max(chars - 1, 0)] + "…"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _p(value: float) -> str:
    if not math.isfinite(value):
        return ""
    return f"{value:.2g}" if value >= 1e-300 else "< 1e-300"
