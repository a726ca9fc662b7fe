"""The ydata-profiling report of a table's sample, as HTML and JSON, with the executive summary on top.

ydata-profiling sends usage analytics over the network unless `YDATA_PROFILING_NO_ANALYTICS`
is set when a report is built; 4.x has no setting for it, only that variable. It is set here
before the library is imported, and the report keeps its assets inline (no CDN), so building
and opening a report need no network.

`sensitive=True` (ydata's own switch, used when the table has `pii_columns`) hides the values of
text and categorical columns and the sample and duplicate tables, but not numbers or dates:
numeric min, max and histograms still show. `pii_columns` therefore also replaces the values
of those columns by opaque tokens before ydata sees them; counts, nulls and distinct counts stay.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import warnings
from collections.abc import Collection, Hashable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_SAMPLE_ROWS = 100_000
TOP_VALUES = 50
"""Per column, the most frequent values report.json keeps (ydata keeps every one)."""
COUNTED_FIELDS = (
    "value_counts_without_nan",
    "value_counts_index_sorted",
    "word_counts",
    "character_counts",
    "first_rows",
)
NO_ANALYTICS_VARIABLE = "YDATA_PROFILING_NO_ANALYTICS"
SUMMARY_ELEMENT_ID = "dq-executive-summary"
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_INLINE = re.compile(r"\\(.)|\*\*|`")


def ydata_report(
    sample: pd.DataFrame,
    *,
    title: str,
    sensitive: bool,
    summary_markdown: str | None,
    pii_columns: Collection[str] = (),
    sections: Sequence[str] = (),
) -> tuple[str, str]:
    """(html, json) of ydata-profiling's minimal report on `sample`, titled `title`.

    The executive summary, when given, is rendered at the top of the HTML, right after
    `<body>`, and `sections` (self-contained HTML blocks, such as the drift section) right
    after it. Values of `pii_columns` are replaced by tokens (`value 1`, `value 2`...) first.
    An empty sample, which ydata refuses, gets a short report naming the columns.
    """
    os.environ[NO_ANALYTICS_VARIABLE] = "True"  # read by ydata at every report, not only at import
    frame = decimals_as_floats(mask_columns(sample, pii_columns))
    block = "" if summary_markdown is None else summary_block(summary_markdown)
    block += "".join(sections)
    if frame.empty:
        return _empty_report(frame, title, block)
    with warnings.catch_warnings():
        # 4.18 warns at import that the package is renamed (fg-data-profiling); nothing to act on here.
        warnings.simplefilter("ignore", DeprecationWarning)
        from ydata_profiling import ProfileReport

    safe_title = html.escape(title)  # ydata puts the title into the page unescaped
    report = ProfileReport(
        frame,
        minimal=True,
        sensitive=sensitive,
        title=safe_title,
        progress_bar=False,
        html={"use_local_assets": True, "inline": True},
    )
    # ydata 4.x draws one tqdm bar (the per-column summary) whatever `progress_bar` says; it
    # writes to the stderr of the moment, so the bar goes nowhere and dq's own progress stays alone.
    with contextlib.redirect_stderr(io.StringIO()):
        page = report.to_html()
        document = report.to_json()
    data = json.loads(document)
    if safe_title != title:
        data.setdefault("analysis", {})["title"] = title
    return insert_after_body(page, block), json.dumps(capped_value_counts(data))


def capped_value_counts(document: dict[str, Any], top: int = TOP_VALUES) -> dict[str, Any]:
    """The ydata JSON with each column's value and word counts cut to the `top` most frequent.

    ydata keeps a count of every distinct value, twice (by count and by value): a 4.5 MB CSV gave
    an 18 MB report.json, nearly all of it counts of near-unique values nobody reads. The top
    values say what a column holds; `dq/value_counts_kept` says how many of how many were kept.
    """
    for variable in (document.get("variables") or {}).values():
        if not isinstance(variable, dict):
            continue
        kept = {}
        for name in COUNTED_FIELDS:
            counts = variable.get(name)
            if isinstance(counts, dict) and len(counts) > top:
                frequent = sorted(counts.items(), key=lambda item: -_count(item[1]))[:top]
                variable[name] = dict(frequent)
                kept[name] = {"kept": top, "of": len(counts)}
        if kept:
            variable["dq/value_counts_kept"] = kept
    return document


def _count(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def mask_columns(sample: pd.DataFrame, columns: Collection[str]) -> pd.DataFrame:
    """A copy of `sample` whose `columns` hold `value 1`, `value 2`... in order of first appearance.

    NULLs stay NULL and equal values get equal tokens, so counts, missing values, distinct
    counts and duplicates are unchanged; no value, nor its order, is revealed.
    """
    present = [c for c in sample.columns if c in set(columns)]
    if not present:
        return sample
    import pandas as pd

    masked = sample.copy()
    for name in present:
        series = masked[name]
        known = series.notna()
        values = series[known]
        codes, _ = pd.factorize(values.map(_hashable) if values.dtype == object else values)
        tokens = pd.Series([None] * len(series), index=series.index, dtype=object)
        tokens[known] = [f"value {code + 1}" for code in codes]
        masked[name] = tokens
    return masked


def _hashable(value: Any) -> Any:
    return value if isinstance(value, Hashable) else repr(value)  # lists, arrays, dicts


def insert_after_body(page: str, block: str) -> str:
    """`block` right after the page's `<body>` tag (at the very start when there is none)."""
    if not block:
        return page
    match = _BODY.search(page)
    if match is None:
        return block + page
    return page[: match.end()] + block + page[match.end() :]


def summary_block(markdown: str) -> str:
    """The executive summary as a small self-styled HTML section."""
    paragraphs = [p for p in re.split(r"\n\s*\n", markdown.strip()) if p.strip()]
    body = "".join(_paragraph(p) for p in paragraphs)
    return (
        f'<section id="{SUMMARY_ELEMENT_ID}" style="margin:1rem auto;max-width:72rem;padding:1rem 1.5rem;'
        "border-left:4px solid #2c3e50;background:#f8f9fa;font-family:system-ui,sans-serif;"
        'line-height:1.5">'
        '<h2 style="font-size:1.25rem;margin:0 0 .5rem 0">Executive summary</h2>'
        f"{body}</section>"
    )


def _paragraph(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and all(line.startswith(("- ", "* ")) for line in lines):
        items = "".join(f"<li>{inline_html(line[2:])}</li>" for line in lines)
        return f'<ul style="margin:.25rem 0">{items}</ul>'
    return f'<p style="margin:.25rem 0">{inline_html(" ".join(lines))}</p>'


def inline_html(text: str) -> str:
    """The summary's inline markdown (`**bold**`, `code`, backslash escapes) as escaped HTML."""
    escape = _text
    out: list[str] = []
    strong = in_code = False
    position = 0
    for match in _INLINE.finditer(text):
        out.append(escape(text[position : match.start()]))
        position = match.end()
        token = match.group(0)
        if token == "`":
            in_code = not in_code
            out.append("<code>" if in_code else "</code>")
        elif in_code:
            out.append(escape(token))  # markup inside a code span is literal
        elif token == "**":
            strong = not strong
            out.append("<strong>" if strong else "</strong>")
        else:
            out.append(escape(match.group(1)))
    out.append(escape(text[position:]))
    if in_code:
        out.append("</code>")
    if strong:
        out.append("</strong>")
    return "".join(out)


def _text(text: str) -> str:
    """Text content escaped for HTML (quotes need no escaping outside attributes)."""
    return html.escape(text, quote=False)


def _empty_report(frame: pd.DataFrame, title: str, block: str) -> tuple[str, str]:
    columns = [str(c) for c in frame.columns]
    items = "".join(f"<li><code>{html.escape(c)}</code></li>" for c in columns)
    page = (
        f"<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title></head>"
        f"<body>{block}<h1>{html.escape(title)}</h1><p>The sample is empty: there is nothing to profile.</p>"
        f"<ul>{items}</ul></body></html>"
    )
    document = {
        "analysis": {"title": title},
        "table": {"n": 0, "n_var": len(columns)},
        "variables": {c: {"n": 0} for c in columns},
        "alerts": [],
    }
    return page, json.dumps(document)


def decimals_as_floats(sample: pd.DataFrame) -> pd.DataFrame:
    """Decimal columns as floats, which ydata profiles.

    Arrow's decimal128 arrives in pandas as Python Decimals, which ydata reports as "Unsupported".
    """
    from decimal import Decimal

    converted = sample.copy()
    for name in sample.columns:
        values = sample[name].dropna()
        if sample[name].dtype == object and len(values) and isinstance(values.iloc[0], Decimal):
            converted[name] = sample[name].astype(float)
    return converted
