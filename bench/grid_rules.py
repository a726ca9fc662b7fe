"""The grid benchmark's rules: N DQDL rules, and the same rules as GX expectations and Soda checks.

A rule set of N rules for a table of C columns is built from the templates below, in order:

1. three table-level rules (RowCount, ColumnCount, ColumnExists);
2. the 22 column templates on the first copy of the 10-column block (so the 25-rule set is
   the same at 10 and at 50 columns), then on the copies `_2` .. `_5` where the table has them;
3. when the columns are used up (10 columns, 100 rules), the 19 templates that take a `where`
   again, each pass restricted to one segment of rows: `is_member = true`, `is_member = false`,
   `city IS NOT NULL`, `created_at >= 2024-07-01` (as DQDL `where`, a GX `row_condition` and
   a Soda check `filter`, or a FILTER/WHERE inside Soda's SQL). The segments are independent of
   the columns the rules test, so a rule's planted outcome is the same in every segment.

Every rule knows its planted outcome (see `grid_data.py` for the four planted defects) and how
close its GX and Soda counterparts are: `=` the same measure and bounds, `~` the nearest
idiomatic check (another measure or inclusive bounds; it agrees on this data, see `note`),
`-` none. Where a counterpart needs several expectations or checks, the rule passes when all
of them pass.

Semantics that shape the mapping: DQDL `between` is exclusive (GX `strict_min/strict_max`,
Soda `greater_than/less_than`); Soda's `valid_min`/`valid_max` are inclusive; GX and Soda skip
NULLs in value checks, DQDL ColumnValues fails them, so value rules use columns without NULLs;
Soda percentages are 0-100; DQDL Entropy uses the natural log; UniqueValueRatio is values seen
once / distinct values; Uniqueness is the share of rows whose value occurs once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import grid_data as gd

FRESHNESS_DAYS = 5000
EMAIL_REGEX = "^user[0-9]+@[a-z]+[.](com|test)$"
SODA_DATA_SOURCE = "bench_soda"
SODA_TABLE = "t"  # soda-duckdb names the table after the Parquet file's stem
SECOND_HALF = datetime(2024, 7, 1)  # naive, like the table's UTC timestamps

Conjunction = tuple[tuple[str, str, Any], ...]  # (column, "==" | ">=" | "not_null", value), ANDed


@dataclass(frozen=True)
class Segment:
    """Rows a rule is restricted to, in each tool's terms."""

    name: str
    sql: str
    gx: Conjunction


@dataclass(frozen=True)
class Gx:
    """One GX expectation: its class in `great_expectations.expectations`, arguments, row condition."""

    expectation: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    when: Conjunction = ()


@dataclass(frozen=True)
class Soda:
    """One Soda contract check: its type, its body, and its column (None: a dataset-level check)."""

    check: str
    body: dict[str, Any]
    column: str | None = None


@dataclass(frozen=True)
class GridRule:
    """One DQDL rule, its GX and Soda counterparts, the outcome the data plants, how close the peers are."""

    name: str
    dqdl: str
    planted: str
    gx: tuple[Gx, ...]
    soda: tuple[Soda, ...]
    gx_match: str  # "=", "~" or "-"
    soda_match: str
    note: str = ""


def segments(s: str) -> tuple[Segment, ...]:
    return (
        Segment("members", f"is_member{s} = true", ((f"is_member{s}", "==", True),)),
        Segment("non_members", f"is_member{s} = false", ((f"is_member{s}", "==", False),)),
        Segment("with_city", f"city{s} IS NOT NULL", ((f"city{s}", "not_null", None),)),
        Segment(
            "second_half",
            f"created_at{s} >= TIMESTAMP '2024-07-01 00:00:00'",
            ((f"created_at{s}", ">=", SECOND_HALF),),
        ),
    )


# --------------------------------------------------------------------------- helpers


def _where(seg: Segment | None, own: str | None = None) -> str:
    parts = [p for p in (own, seg.sql if seg else None) if p]
    return f' where "{" AND ".join(parts)}"' if parts else ""


def _gx(expectation: str, seg: Segment | None, own: Conjunction = (), **kwargs: Any) -> Gx:
    return Gx(expectation, kwargs, own + (seg.gx if seg else ()))


def _soda(check: str, on: str | None, seg: Segment | None, own: str | None = None, **body: Any) -> Soda:
    """A Soda check on column `on` (None: dataset level), filtered to the segment and `own`."""
    parts = [p for p in (own, seg.sql if seg else None) if p]
    if parts:
        body["filter"] = " AND ".join(parts)
    return Soda(check, body, on)


def _filtered(expression: str, seg: Segment | None) -> str:
    """An aggregate restricted to the segment inside the SQL (Soda's metric expression)."""
    return f"{expression} FILTER (WHERE {seg.sql})" if seg else expression


def _rows_where(seg: Segment | None, *more: str) -> str:
    parts = [*more, seg.sql] if seg else list(more)
    return f" WHERE {' AND '.join(parts)}" if parts else ""


BETWEEN = "must_be_between"
STRICT = {"strict_min": True, "strict_max": True}


# --------------------------------------------------------------------------- column templates

Template = Callable[[str, "Segment | None", datetime], GridRule]


def t_primary_key(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"id{s}"
    return GridRule(
        f"id_primary_key{s}",
        f'IsPrimaryKey "{c}"' + _where(seg),
        "pass",
        (
            _gx("ExpectColumnValuesToBeUnique", seg, column=c),
            _gx("ExpectColumnValuesToNotBeNull", seg, column=c),
        ),
        (_soda("duplicate", c, seg), _soda("missing", c, seg)),
        "=",
        "=",
    )


def t_score_completeness(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"score{s}"
    threshold = {"metric": "percent", "must_be_less_than_or_equal": 0.5}
    return GridRule(
        f"score_completeness{s}",
        f'Completeness "{c}" >= 0.995' + _where(seg),
        "fail",  # planted defect 1: 1% NULLs
        (_gx("ExpectColumnValuesToNotBeNull", seg, column=c, mostly=0.995),),
        (_soda("missing", c, seg, threshold=threshold),),
        "=",
        "=",
    )


def t_email_uniqueness(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"email{s}"
    threshold = {"metric": "percent", "must_be_less_than_or_equal": 5}
    return GridRule(
        f"email_uniqueness{s}",
        f'Uniqueness "{c}" >= 0.95' + _where(seg),
        "pass",
        (_gx("ExpectColumnValuesToBeUnique", seg, column=c, mostly=0.95),),
        (_soda("duplicate", c, seg, threshold=threshold),),
        "=",
        "~",
        "Soda's duplicate percent is (non-NULL rows - distinct values) / non-NULL rows",
    )


def t_status_distinct(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"status{s}"
    return GridRule(
        f"status_distinct{s}",
        f'DistinctValuesCount "{c}" = 5' + _where(seg),
        "pass",
        (_gx("ExpectColumnUniqueValueCountToBeBetween", seg, column=c, min_value=5, max_value=5),),
        (
            _soda(
                "metric",
                None,
                None,
                expression=_filtered(f"COUNT(DISTINCT {c})", seg),
                threshold={"must_be": 5},
            ),
        ),
        "=",
        "=",
    )


def t_price_range(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"price{s}"
    return GridRule(
        f"price_range{s}",
        f'ColumnValues "{c}" between 0 and 501' + _where(seg),
        "pass",
        (_gx("ExpectColumnValuesToBeBetween", seg, column=c, min_value=0, max_value=501, **STRICT),),
        (_soda("invalid", c, seg, valid_min=0, valid_max=501),),
        "=",
        "~",
        "Soda's valid_min/valid_max are inclusive (no price is 0 or 501)",
    )


def t_status_domain(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"status{s}"
    listed = ", ".join(f'"{v}"' for v in gd.STATUSES)
    return GridRule(
        f"status_domain{s}",
        f'ColumnValues "{c}" in [{listed}]' + _where(seg),
        "pass",
        (_gx("ExpectColumnValuesToBeInSet", seg, column=c, value_set=list(gd.STATUSES)),),
        (_soda("invalid", c, seg, valid_values=list(gd.STATUSES)),),
        "=",
        "=",
    )


def t_email_format(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"email{s}"
    return GridRule(
        f"email_format{s}",
        f'ColumnValues "{c}" matches "{EMAIL_REGEX}"' + _where(seg),
        "fail",  # planted defect 2: 0.1% of emails have no '@'
        (_gx("ExpectColumnValuesToMatchRegex", seg, column=c, regex=EMAIL_REGEX),),
        (_soda("invalid", c, seg, valid_format={"name": "email", "regex": EMAIL_REGEX}),),
        "=",
        "=",
    )


def t_amount_positive(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"amount{s}"
    return GridRule(
        f"amount_positive{s}",
        f'ColumnValues "{c}" > 0' + _where(seg),
        "pass",
        (_gx("ExpectColumnValuesToBeBetween", seg, column=c, min_value=0, strict_min=True),),
        (_soda("invalid", c, seg, valid_min=0),),
        "=",
        "~",
        "Soda's valid_min is inclusive (no amount is 0)",
    )


def t_status_length(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"status{s}"
    return GridRule(
        f"status_length{s}",
        f'ColumnLength "{c}" between 5 and 10' + _where(seg),
        "pass",
        (_gx("ExpectColumnValueLengthsToBeBetween", seg, column=c, min_value=5, max_value=10, **STRICT),),
        (_soda("invalid", c, seg, valid_min_length=6, valid_max_length=9),),
        "=",
        "=",
    )


def t_price_mean(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"price{s}"
    threshold = {BETWEEN: {"greater_than": 240, "less_than": 260}}
    return GridRule(
        f"price_mean{s}",
        f'Mean "{c}" between 240 and 260' + _where(seg),
        "pass",
        (_gx("ExpectColumnMeanToBeBetween", seg, column=c, min_value=240, max_value=260, **STRICT),),
        (_soda("aggregate", c, seg, function="avg", threshold=threshold),),
        "=",
        "=",
    )


def t_quantity_sum(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"quantity{s}"
    return GridRule(
        f"quantity_sum{s}",
        f'Sum "{c}" > 0' + _where(seg),
        "pass",
        (_gx("ExpectColumnSumToBeBetween", seg, column=c, min_value=0, strict_min=True),),
        (_soda("aggregate", c, seg, function="sum", threshold={"must_be_greater_than": 0}),),
        "=",
        "=",
    )


def t_score_stddev(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"score{s}"
    threshold = {BETWEEN: {"greater_than": 9, "less_than": 11}}
    return GridRule(
        f"score_stddev{s}",
        f'StandardDeviation "{c}" between 9 and 11' + _where(seg),
        "pass",
        (_gx("ExpectColumnStdevToBeBetween", seg, column=c, min_value=9, max_value=11, **STRICT),),
        (_soda("metric", None, None, expression=_filtered(f"STDDEV_SAMP({c})", seg), threshold=threshold),),
        "=",
        "=",
    )


def t_correlation(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    a, b = f"price{s}", f"amount{s}"
    threshold = {BETWEEN: {"greater_than": -0.05, "less_than": 0.05}}
    return GridRule(
        f"price_amount_corr{s}",
        f'ColumnCorrelation "{a}" "{b}" between -0.05 and 0.05' + _where(seg),
        "pass",
        (),
        (_soda("metric", None, None, expression=_filtered(f"CORR({a}, {b})", seg), threshold=threshold),),
        "-",
        "=",
        "GX core has no correlation expectation",
    )


def t_status_entropy(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"status{s}"
    query = (
        "SELECT -SUM(p * LN(p)) FROM (SELECT COUNT(*) / SUM(COUNT(*)) OVER () AS p "
        f"FROM {SODA_TABLE}{_rows_where(seg, f'{c} IS NOT NULL')} GROUP BY {c})"
    )
    partition = {"values": list(gd.STATUSES), "weights": list(gd.STATUS_WEIGHTS)}
    return GridRule(
        f"status_entropy{s}",
        f'Entropy "{c}" between 1.0 and 1.5' + _where(seg),
        "pass",
        (
            _gx(
                "ExpectColumnKLDivergenceToBeLessThan",
                seg,
                column=c,
                partition_object=partition,
                threshold=0.01,
            ),
        ),
        (
            _soda(
                "metric",
                None,
                None,
                query=query,
                threshold={BETWEEN: {"greater_than": 1.0, "less_than": 1.5}},
            ),
        ),
        "~",
        "=",
        "GX: KL divergence from the generating weights < 0.01 stands for entropy",
    )


def t_city_unique_ratio(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"city{s}"
    query = (
        "SELECT COUNT(*) FILTER (WHERE n = 1) / COUNT(*) FROM (SELECT COUNT(*) AS n "
        f"FROM {SODA_TABLE}{_rows_where(seg, f'{c} IS NOT NULL')} GROUP BY {c})"
    )
    return GridRule(
        f"city_unique_ratio{s}",
        f'UniqueValueRatio "{c}" < 0.1' + _where(seg),
        "pass",
        (
            _gx(
                "ExpectColumnProportionOfUniqueValuesToBeBetween",
                seg,
                column=c,
                max_value=0.1,
                strict_max=True,
            ),
        ),
        (_soda("metric", None, None, query=query, threshold={"must_be_less_than": 0.1}),),
        "~",
        "=",
        "GX: distinct / non-NULL values stands for values seen once / distinct",
    )


def t_freshness(s: str, seg: Segment | None, now: datetime) -> GridRule:
    c = f"created_at{s}"
    threshold = {"unit": "day", "must_be_less_than_or_equal": FRESHNESS_DAYS}
    return GridRule(
        f"created_at_fresh{s}",
        f'DataFreshness "{c}" <= {FRESHNESS_DAYS} days' + _where(seg),
        "pass",
        (
            _gx(
                "ExpectColumnValuesToBeBetween", seg, column=c, min_value=now - timedelta(days=FRESHNESS_DAYS)
            ),
        ),
        (_soda("freshness", None, seg, column=c, threshold=threshold),),
        "=",
        "~",
        "Soda's freshness is the age of the newest value; DQDL's, every value's",
    )


def t_custom_sql(s: str, _seg: Segment | None, _now: datetime) -> GridRule:
    c = f"quantity{s}"
    return GridRule(
        f"max_quantity_sql{s}",
        f'CustomSql "select max({c}) from primary" <= 30',
        "pass",
        (_gx("ExpectColumnMaxToBeBetween", None, column=c, max_value=30),),
        (
            _soda(
                "metric",
                None,
                None,
                query=f"SELECT MAX({c}) FROM {SODA_TABLE}",
                threshold={"must_be_less_than_or_equal": 30},
            ),
        ),
        "=",
        "=",
    )


def t_composite(s: str, _seg: Segment | None, _now: datetime) -> GridRule:
    status, price = f"status{s}", f"price{s}"
    return GridRule(
        f"status_and_price{s}",
        f'(IsComplete "{status}") and (ColumnValues "{price}" >= 1)',
        "pass",
        (
            _gx("ExpectColumnValuesToNotBeNull", None, column=status),
            _gx("ExpectColumnValuesToBeBetween", None, column=price, min_value=1),
        ),
        (_soda("missing", status, None), _soda("invalid", price, None, valid_min=1)),
        "=",
        "=",
    )


def t_cancelled_quantity(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c, status = f"quantity{s}", f"status{s}"
    own = f"{status} = 'cancelled'"
    return GridRule(
        f"cancelled_quantity{s}",
        f'ColumnValues "{c}" <= 8' + _where(seg, own),
        "fail",  # planted defect 3: the Poisson tail, among cancelled rows too
        (_gx("ExpectColumnValuesToBeBetween", seg, ((status, "==", "cancelled"),), column=c, max_value=8),),
        (_soda("invalid", c, seg, own, valid_max=8),),
        "=",
        "=",
    )


def t_amount_threshold(s: str, _seg: Segment | None, _now: datetime) -> GridRule:
    c = f"amount{s}"
    threshold = {"metric": "percent", "must_be_less_than_or_equal": 10}
    return GridRule(
        f"amount_mostly_small{s}",
        f'ColumnValues "{c}" <= 50 with threshold >= 0.9',
        "fail",  # planted defect 4: only ~82% of a lognormal(3, 1) is <= 50
        (_gx("ExpectColumnValuesToBeBetween", None, column=c, max_value=50, mostly=0.9),),
        (_soda("invalid", c, None, valid_max=50, threshold=threshold),),
        "=",
        "=",
    )


def t_city_completeness(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"city{s}"
    threshold = {"metric": "percent", "must_be_less_than_or_equal": 1}
    return GridRule(
        f"city_completeness{s}",
        f'Completeness "{c}" >= 0.99' + _where(seg),
        "pass",  # 0.5% NULLs are allowed
        (_gx("ExpectColumnValuesToNotBeNull", seg, column=c, mostly=0.99),),
        (_soda("missing", c, seg, threshold=threshold),),
        "=",
        "=",
    )


def t_member_complete(s: str, seg: Segment | None, _now: datetime) -> GridRule:
    c = f"is_member{s}"
    return GridRule(
        f"member_complete{s}",
        f'IsComplete "{c}"' + _where(seg),
        "pass",
        (_gx("ExpectColumnValuesToNotBeNull", seg, column=c),),
        (_soda("missing", c, seg),),
        "=",
        "=",
    )


# (template, takes a `where` segment). Threshold rules are not segmented: DQDL counts rows
# outside `where` as passing, GX and Soda compute the share over the filtered rows only.
COLUMN_TEMPLATES: tuple[tuple[Template, bool], ...] = (
    (t_primary_key, True),
    (t_score_completeness, True),
    (t_email_uniqueness, True),
    (t_status_distinct, True),
    (t_price_range, True),
    (t_status_domain, True),
    (t_email_format, True),
    (t_amount_positive, True),
    (t_status_length, True),
    (t_price_mean, True),
    (t_quantity_sum, True),
    (t_score_stddev, True),
    (t_correlation, True),
    (t_status_entropy, True),
    (t_city_unique_ratio, True),
    (t_freshness, True),
    (t_custom_sql, False),
    (t_composite, False),
    (t_cancelled_quantity, True),
    (t_amount_threshold, False),
    (t_city_completeness, True),
    (t_member_complete, True),
)


def table_rules(rows: int, cols: int) -> list[GridRule]:
    return [
        GridRule(
            "row_count",
            f"RowCount = {rows}",
            "pass",
            (Gx("ExpectTableRowCountToEqual", {"value": rows}),),
            (Soda("row_count", {"threshold": {"must_be": rows}}),),
            "=",
            "=",
        ),
        GridRule(
            "column_count",
            f"ColumnCount = {cols}",
            "pass",
            (Gx("ExpectTableColumnCountToEqual", {"value": cols}),),
            (Soda("schema", {}),),
            "=",
            "~",
            "Soda: the schema check (exactly the listed columns) implies the count",
        ),
        GridRule(
            "created_at_exists",
            'ColumnExists "created_at"',
            "pass",
            (Gx("ExpectColumnToExist", {"column": "created_at"}),),
            (),
            "=",
            "-",
            "Soda has no single-column existence check (the schema check covers it)",
        ),
    ]


def grid_rules(rows: int, cols: int, count: int, now: datetime) -> list[GridRule]:
    """The first `count` rules for a table of `rows` x `cols`; `now` is naive UTC (GX freshness)."""
    if count <= 0:
        return []
    copies = gd.copies_for(cols)
    rules = table_rules(rows, cols)
    for copy in range(1, copies + 1):
        rules.extend(template(gd.suffix(copy), None, now) for template, _ in COLUMN_TEMPLATES)
    for index in range(len(segments(""))):
        if len(rules) >= count:
            break
        for copy in range(1, copies + 1):
            s = gd.suffix(copy)
            seg = segments(s)[index]
            for template, segmentable in COLUMN_TEMPLATES:
                if segmentable:
                    rule = template(s, seg, now)
                    rules.append(replace(rule, name=f"{rule.name}_{seg.name}"))
    if len(rules) < count:
        raise SystemExit(f"at most {len(rules)} rules can be built for {cols} columns, not {count}")
    return rules[:count]


# --------------------------------------------------------------------------- without rules


def baseline_gx(rows: int, cols: int) -> tuple[Gx, ...]:
    """What GX validates in a 0-rule cell: the row count and the ordered column list."""
    return (
        Gx("ExpectTableRowCountToEqual", {"value": rows}),
        Gx("ExpectTableColumnsToMatchOrderedList", {"column_list": gd.column_names(cols)}),
    )


def baseline_soda(rows: int) -> tuple[Soda, ...]:
    """What Soda verifies in a 0-rule cell: the row count and the schema (the listed columns)."""
    return (Soda("row_count", {"threshold": {"must_be": rows}}), Soda("schema", {}))


# --------------------------------------------------------------------------- documents


def definition_yaml(
    table: str, rules: Sequence[GridRule], catalog: str, identifier: str, profile: str | None = None
) -> str:
    """Our table definition (JSON strings are valid YAML scalars); `profile`: the level, None the default."""
    lines = [
        f"table: {table}",
        f"source: {{type: iceberg, catalog: {catalog}, identifier: {identifier}}}",
        "key: [id]",
    ]
    if profile is not None:
        lines.append(f"profile: {profile}")
    if rules:
        lines.append("rules:")
        lines.extend(f"  - {{name: {rule.name}, rule: {json.dumps(rule.dqdl)}}}" for rule in rules)
    return "\n".join(lines) + "\n"


def soda_checks(rules: Sequence[GridRule]) -> list[tuple[str, Soda]]:
    """(qualifier, check) for every Soda check of the rules; the qualifier names the rule."""
    return [(f"{rule.name}__{i}", check) for rule in rules for i, check in enumerate(rule.soda)]


def soda_contract(cols: int, checks: Sequence[tuple[str, Soda]]) -> str:
    """A Soda v4 contract: every column listed, column checks under their column, the rest at the top."""
    by_column: dict[str, list[dict[str, Any]]] = {name: [] for name in gd.column_names(cols)}
    top: list[dict[str, Any]] = []
    for qualifier, check in checks:
        entry = {check.check: {"qualifier": qualifier, "name": qualifier.split("__")[0], **check.body}}
        (by_column[check.column] if check.column else top).append(entry)
    columns = [{"name": name, **({"checks": found} if found else {})} for name, found in by_column.items()]
    contract: dict[str, Any] = {"dataset": f"{SODA_DATA_SOURCE}/main/{SODA_TABLE}", "columns": columns}
    if top:
        contract["checks"] = top
    return json.dumps(contract, indent=1, default=str) + "\n"


def soda_data_source(parquet: str) -> str:
    return (
        json.dumps({"type": "duckdb", "name": SODA_DATA_SOURCE, "connection": {"database": parquet}}) + "\n"
    )
