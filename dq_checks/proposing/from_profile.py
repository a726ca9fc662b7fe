"""The offline rule proposer: rules read off one profile, as AWS Glue's recommendation runs do.

Pure and deterministic: the same context always gives the same candidates, in the same order.
Nothing here is trusted later either; every candidate is parsed, validated and dry-run.

Per column, in this order (a column in `covered_columns` gets none of them):

- `IsPrimaryKey "c"`: `c` is the context's single-column key, even when today's data has
  duplicates (the rule is there to catch them).
- `IsComplete "c"`: no NULLs (not for the key: IsPrimaryKey already requires it).
- `Completeness "c" >= x`: some NULLs; x = observed completeness minus `completeness_margin`,
  rounded down to 2 decimals. With a `null_rate` anomaly on the column, x = 1 - the anomaly's
  threshold instead, so that the rule catches today's defect.
- `IsUnique "c"`: every non-NULL value distinct (more than one of them, and at least
  `min_values_for_patterns`), for string and integer columns only: distinct floats, decimals
  and timestamps are a coincidence, not a contract.
- `ReferentialIntegrity "c" "t.k" = 1.0`: `c` is named `k` (a non-generic name) or `<t singular>_k`,
  for a key `k` of another table `t`, with the same kind of type and a range that fits.
- `ColumnValues "c" in [...]`: a string column with at most `enum_max_distinct` values whose top
  values cover every non-NULL row.
- `ColumnValues "c" between L and H`: a numeric column, its range widened (see below); not for
  identifiers (the key, a unique column, a foreign key), whose values grow.
- `ColumnLength "c" = n`: a string column whose min, max and every top value have length n
  (not when a value list was proposed: the list is stricter).
- `ColumnValues "c" > (now() - H hours) with threshold > 0.0`: a temporal column whose maximum
  is a date or timestamp: at least one row newer than H hours.

and once per table, first: `RowCount between L and H` (half to twice today's count), unless
`TABLE_LEVEL` is among the covered columns.

Value rules (value lists, ranges, lengths, freshness) are never proposed for PII columns: their
profile is redacted. `ColumnValues` and `ColumnLength` fail NULL rows, so on a column with NULLs
the value list lists `NULL`, and ranges and lengths get `where "c IS NOT NULL"`.

Ranges. `between` is exclusive. The bounds are min - m and max + m with m = `range_margin` x
(max - min), rounded outwards to two significant digits of their span (whole numbers for integer
types, at most the scale of a decimal type). A bound never crosses zero: a column of positive
values gets `between 0 and ...` (strictly positive, like today), and one whose minimum is exactly
0 gets `between -step and ...` with step the smallest step its type holds (1 for integers,
10^-scale for decimals, a hundredth of the rounding unit for floats), which for integers and
decimals means exactly `>= 0`. The maximum side is handled the same way. Values an
`isolated_extreme` anomaly reported are left out, the next values from the profile's
extremes taking their place, so the rule catches the absurd value.

Freshness. `DataFreshness` would require *every* row to be recent, and in this project it takes
no `with threshold`; "at least one row newer than H hours" is written as a ColumnValues rule with
`with threshold > 0.0` instead (NULL rows fail it, which the threshold tolerates).

Severity: `error` for IsPrimaryKey, ReferentialIntegrity, a range that leaves out an isolated
extreme (a critical anomaly), and a completeness rule taken from a critical `null_rate` anomaly;
`warn` for everything else, which is read off a single day's data.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from sqlglot import exp

from dq_checks.anomalies.model import Anomaly, Severity
from dq_checks.config.models import Detector, RuleSeverity
from dq_checks.dqdl.printer import quote
from dq_checks.profile.model import ColumnProfile, Scalar
from dq_checks.proposing.model import ProposalContext, ReferenceKey, RuleCandidate
from dq_checks.render.numbers import format_number, format_percent
from dq_checks.rules.sql_safety import UnsafeSql, vet_predicate
from dq_checks.schema import ColumnKind

TABLE_LEVEL = "*"
"""In `ProposalContext.covered_columns`: table-level rules (RowCount) are already covered."""

MAX_NAME = 64

_GENERIC_KEY_NAMES = frozenset({"id", "uuid", "key", "pk", "code"})
_INTEGER_TYPE = re.compile(r"^u?(tiny|small|big|huge|medium)?int(eger)?\d*$|^(long|short|byte|serial\w*)$")
_DECIMAL_TYPE = re.compile(r"^(decimal|numeric)\s*\(\s*\d+\s*,\s*(\d+)\s*\)")
_FLOAT_TYPES = frozenset({"float", "double", "real", "float4", "float8", "double precision"})
_TABLE_WORDS = re.compile(r"(?<![a-z0-9_])(row\s*counts?|rows|volume)(?![a-z0-9_])", re.IGNORECASE)


@dataclass(frozen=True)
class ProfileProposerSettings:
    """Margins and limits of the profile-based proposer."""

    completeness_margin: float = 0.02
    """Completeness bound = observed completeness minus this, rounded down to 2 decimals."""
    enum_max_distinct: int = 10
    """A string column with at most this many distinct values gets a value list."""
    min_values_for_patterns: int = 10
    """IsUnique and value lists need this many non-NULL values: in a handful of rows every
    column looks unique, and every column looks like an enumeration."""
    range_margin: float = 0.1
    """Numeric ranges are widened on each side by this share of (max - min)."""
    row_count_low_factor: float = 0.5
    """RowCount's lower bound, as a share of today's count."""
    row_count_high_factor: float = 2.0
    """RowCount's upper bound, as a multiple of today's count."""
    freshness_age_factor: float = 2.0
    """Without a configured maximum age, the newest value may be this many times as old as today."""
    freshness_min_hours: int = 24
    """The smallest freshness window proposed from the data, in hours."""
    reference_tolerance: float = 0.1
    """A foreign key's min and max may lie this share of the referenced key's range outside it."""


@dataclass(frozen=True)
class _Proposed:
    """A candidate with the column it is about (None for a table-level rule), for filtering and order."""

    column: str | None
    order: int
    candidate: RuleCandidate


# The fixed order of rules within a column.
_PRIMARY_KEY, _COMPLETE, _COMPLETENESS, _UNIQUE, _REFERENCE, _VALUE_LIST, _RANGE, _LENGTH, _FRESH = range(9)


def propose_from_profile(
    context: ProposalContext, settings: ProfileProposerSettings | None = None
) -> list[RuleCandidate]:
    """Rules read off the context's profile, in column order, then a fixed rule order per column.

    Columns in `context.covered_columns` get none (`TABLE_LEVEL` there covers RowCount). With a
    `request`, only the candidates whose column the request names are kept, unless it names none.
    Names are unique within the result.
    """
    settings = settings or ProfileProposerSettings()
    profile = context.profile
    if profile.row_count <= 0:
        return []
    proposed: list[_Proposed] = []
    if TABLE_LEVEL not in context.covered_columns:
        proposed += _row_count(profile.row_count, settings)
    for column in profile.columns.values():
        if column.name in context.covered_columns:
            continue
        proposed += _column_rules(column, context, settings)
    proposed = _filter_by_request(proposed, context.request)
    positions = {column.name: index for index, column in enumerate(profile.columns.values())}
    proposed.sort(key=lambda p: (-1 if p.column is None else positions[p.column], p.order))
    return _unique_names([p.candidate for p in proposed])


def _column_rules(
    column: ColumnProfile, context: ProposalContext, settings: ProfileProposerSettings
) -> list[_Proposed]:
    if column.row_count <= 0:
        return []
    anomalies = [a for a in context.anomalies if a.column == column.name]
    pii = column.name in context.pii_columns
    is_key = context.key == (column.name,)
    unique = _unique(column, settings, is_key=is_key)
    reference = _reference(column, context, settings)
    found = [
        *_primary_key(column, is_key),
        *_completeness(column, anomalies, settings, is_key=is_key),
        *unique,
        *reference,
    ]
    if not pii:
        value_list = _value_list(column, settings)
        found += value_list
        if not (is_key or unique or reference):  # identifiers grow: their range says nothing
            found += _range(column, anomalies, settings)
        if not value_list:
            found += _length(column)
        found += _freshness(column, context, settings)
    return found


# --- rules ------------------------------------------------------------------------------------


def _row_count(row_count: int, settings: ProfileProposerSettings) -> list[_Proposed]:
    low = _round_significant(row_count * settings.row_count_low_factor, ROUND_FLOOR, whole=True)
    high = _round_significant(row_count * settings.row_count_high_factor, ROUND_CEILING, whole=True)
    if not low < row_count < high:
        return []
    rule = f"RowCount between {_text(low)} and {_text(high)}"
    return [
        _Proposed(
            None,
            0,
            RuleCandidate(
                rule=rule,
                reasoning=(
                    f"The table has {row_count:,} rows today; the range allows roughly "
                    f"{format_number(settings.row_count_low_factor)}x to "
                    f"{format_number(settings.row_count_high_factor)}x that, so a load that loses "
                    "or duplicates most rows fails."
                ),
                false_positive_scenarios=(
                    "A legitimate backfill or purge changes the volume sharply",
                    "The table grows steadily and outgrows the upper bound",
                ),
                severity=RuleSeverity.WARN,
                rule_type="RowCount",
                name="row_count_in_range",
            ),
        )
    ]


def _primary_key(column: ColumnProfile, is_key: bool) -> list[_Proposed]:
    if not is_key:
        return []
    non_null = column.non_null_count
    distinct = column.distinct_count
    if distinct is None:
        observed = f"{column.null_count:,} NULLs in {column.row_count:,} rows"
    else:
        duplicates = non_null - distinct
        observed = (
            f"{distinct:,} distinct values in {column.row_count:,} rows "
            f"({duplicates:,} duplicates, {column.null_count:,} NULLs)"
        )
    fails = column.null_count > 0 or (distinct is not None and distinct < non_null)
    verdict = (
        "it fails on today's data, which is the defect it is there to catch"
        if fails
        else "today's data satisfies it"
    )
    return [
        _candidate(
            column.name,
            _PRIMARY_KEY,
            rule=f"IsPrimaryKey {quote(column.name)}",
            reasoning=f"{column.name!r} is the table's declared key: {observed}; {verdict}.",
            false_positives=("A late correction re-inserts a row instead of updating it",),
            severity=RuleSeverity.ERROR,
            rule_type="IsPrimaryKey",
            suffix="primary_key",
        )
    ]


def _completeness(
    column: ColumnProfile, anomalies: Sequence[Anomaly], settings: ProfileProposerSettings, *, is_key: bool
) -> list[_Proposed]:
    if column.null_count == 0:
        if is_key:
            return []  # IsPrimaryKey requires completeness already
        return [
            _candidate(
                column.name,
                _COMPLETE,
                rule=f"IsComplete {quote(column.name)}",
                reasoning=f"None of the {column.row_count:,} rows is NULL.",
                false_positives=("The column is optional and simply had no missing values yet",),
                severity=RuleSeverity.WARN,
                rule_type="IsComplete",
                suffix="complete",
            )
        ]
    observed = column.non_null_count / column.row_count
    nulls = f"{column.null_count:,} of {column.row_count:,} rows are NULL ({format_percent(1 - observed)})"
    null_rate = next((a for a in anomalies if a.type == Detector.NULL_RATE.value), None)
    if null_rate is not None:
        bound = Decimal(str(round(1.0 - null_rate.threshold, 6))).quantize(Decimal("0.01"), ROUND_FLOOR)
        if bound > 0:
            catches = "fails on today's data, catching the defect" if observed < bound else "passes today"
            return [
                _candidate(
                    column.name,
                    _COMPLETENESS,
                    rule=f"Completeness {quote(column.name)} >= {_text(bound)}",
                    reasoning=f"{nulls}, above the null_rate detector's limit of "
                    f"{format_percent(null_rate.threshold)}; the rule asks for the detector's own bound "
                    f"({_text(bound)}), so it {catches}.",
                    false_positives=(
                        "The column became optional on purpose",
                        "A partial load is completed later the same day",
                    ),
                    severity=RuleSeverity.ERROR
                    if null_rate.severity is Severity.CRITICAL
                    else RuleSeverity.WARN,
                    rule_type="Completeness",
                    suffix="completeness",
                )
            ]
    bound = Decimal(str(round(observed - settings.completeness_margin, 9))).quantize(
        Decimal("0.01"), ROUND_FLOOR
    )
    if bound <= 0:
        return []
    return [
        _candidate(
            column.name,
            _COMPLETENESS,
            rule=f"Completeness {quote(column.name)} >= {_text(bound)}",
            reasoning=f"{nulls}; completeness {format_number(round(observed, 4))}, less a margin of "
            f"{format_number(settings.completeness_margin)}, gives the bound {_text(bound)}.",
            false_positives=("The share of missing values drifts slowly over time",),
            severity=RuleSeverity.WARN,
            rule_type="Completeness",
            suffix="completeness",
        )
    ]


def _unique(column: ColumnProfile, settings: ProfileProposerSettings, *, is_key: bool) -> list[_Proposed]:
    distinct = column.distinct_count
    if is_key or distinct is None or distinct <= 1 or distinct != column.non_null_count:
        return []
    if column.non_null_count < settings.min_values_for_patterns:
        return []
    if column.kind not in (ColumnKind.NUMERIC, ColumnKind.STRING):
        return []
    if column.kind is ColumnKind.NUMERIC and _decimal_scale(column.data_type) != 0:
        return []  # distinct amounts or measurements are a coincidence; identifiers are whole numbers
    return [
        _candidate(
            column.name,
            _UNIQUE,
            rule=f"IsUnique {quote(column.name)}",
            reasoning=f"All {column.non_null_count:,} non-NULL values are distinct.",
            false_positives=("Values are unique today by coincidence and may legitimately repeat",),
            severity=RuleSeverity.WARN,
            rule_type="IsUnique",
            suffix="unique",
        )
    ]


def _reference(
    column: ColumnProfile, context: ProposalContext, settings: ProfileProposerSettings
) -> list[_Proposed]:
    matches = [
        (0 if column.name == ref.column else 1, ref.table, ref.column, ref)
        for ref in context.references
        if _names_reference(column.name, ref) and ref.table != context.table
    ]
    for _, _, _, ref in sorted(matches, key=lambda m: m[:3]):
        fit = _fits_reference(column, ref, settings.reference_tolerance)
        if fit is None:
            continue
        target = f"{ref.table}.{ref.column}"
        return [
            _candidate(
                column.name,
                _REFERENCE,
                rule=f"ReferentialIntegrity {quote(column.name)} {quote(target)} = 1.0",
                reasoning=f"{column.name!r} is named after {target}, the key of table {ref.table!r}; {fit}.",
                false_positives=(
                    f"Rows arrive here before their {ref.table} row is loaded",
                    f"{ref.table} rows are deleted while rows here still point at them",
                ),
                severity=RuleSeverity.ERROR,
                rule_type="ReferentialIntegrity",
                suffix=f"in_{_slug(ref.table)}",
            )
        ]
    return []


def _value_list(column: ColumnProfile, settings: ProfileProposerSettings) -> list[_Proposed]:
    distinct = column.distinct_count
    non_null = column.non_null_count
    if column.kind is not ColumnKind.STRING or distinct is None or not column.top_values:
        return []
    if not 1 <= distinct <= settings.enum_max_distinct or distinct >= non_null:
        return []
    if non_null < settings.min_values_for_patterns:
        return []
    values = [v.value for v in column.top_values]
    if sum(v.count for v in column.top_values) != non_null or len(values) != distinct:
        return []
    if not all(isinstance(v, str) for v in values):
        return []
    listed = [quote(v) for v in sorted(str(v) for v in values)]
    null_note = ""
    if column.null_count:
        listed.append("NULL")
        null_note = f"; NULL is listed because {column.null_count:,} rows are NULL today"
    return [
        _candidate(
            column.name,
            _VALUE_LIST,
            rule=f"ColumnValues {quote(column.name)} in [{', '.join(listed)}]",
            reasoning=f"The {distinct} distinct values cover all {non_null:,} non-NULL rows{null_note}.",
            false_positives=("A new category is introduced on purpose",),
            severity=RuleSeverity.WARN,
            rule_type="ColumnValues",
            suffix="allowed_values",
        )
    ]


def _range(
    column: ColumnProfile, anomalies: Sequence[Anomaly], settings: ProfileProposerSettings
) -> list[_Proposed]:
    if column.kind is not ColumnKind.NUMERIC or column.non_null_count == 0:
        return []
    low, high = _number(column.min), _number(column.max)
    if low is None or high is None:
        return []
    isolated = {
        number
        for a in anomalies
        if a.type == Detector.ISOLATED_EXTREME.value
        for v in a.examples
        if (number := _number(v)) is not None
    }
    tails = column.outliers
    kept_low: float | None = low
    kept_high: float | None = high
    if high in isolated:  # the largest values beyond the gap; the next one down takes their place
        kept_high = next((v for v in (tails.largest if tails else ()) if v not in isolated), None)
    if low in isolated:
        kept_low = next((v for v in (tails.smallest if tails else ()) if v not in isolated), None)
    if kept_low is None or kept_high is None or kept_low > kept_high:
        return []
    excluded = sorted(v for v in isolated if v > kept_high or v < kept_low)
    low, high = kept_low, kept_high
    bounds = _bounds(column, low, high, settings)
    if bounds is None:
        return []
    low_bound, high_bound = bounds
    rule = f"ColumnValues {quote(column.name)} between {_text(low_bound)} and {_text(high_bound)}"
    rule += _not_null_where(column)
    reasoning = (
        f"Values range from {format_number(low)} to {format_number(high)}; the bounds widen that by "
        f"{format_percent(settings.range_margin)} of the range"
    )
    if low == 0:
        reasoning += ", without allowing negative values"
    elif low > 0 and low_bound == 0:
        reasoning += ", keeping values positive"
    if excluded:
        shown = ", ".join(format_number(v) for v in excluded)
        reasoning += f". The isolated extreme value(s) {shown} are left out, so the rule catches them"
    return [
        _candidate(
            column.name,
            _RANGE,
            rule=rule,
            reasoning=reasoning + ".",
            false_positives=(
                "A legitimate value beyond today's range appears (a new large customer, a price change)",
            ),
            severity=RuleSeverity.ERROR if excluded else RuleSeverity.WARN,
            rule_type="ColumnValues",
            suffix="in_range",
        )
    ]


def _length(column: ColumnProfile) -> list[_Proposed]:
    if column.kind is not ColumnKind.STRING or not column.top_values:
        return []
    if column.distinct_count is None or column.distinct_count < 2:
        return []
    samples: list[Scalar] = [column.min, column.max, *(v.value for v in column.top_values)]
    if not all(isinstance(s, str) for s in samples):
        return []
    lengths = {len(str(s)) for s in samples}
    if len(lengths) != 1:
        return []
    length = lengths.pop()
    if length == 0:
        return []
    return [
        _candidate(
            column.name,
            _LENGTH,
            rule=f"ColumnLength {quote(column.name)} = {length}{_not_null_where(column)}",
            reasoning=(
                f"The minimum, the maximum and the {len(column.top_values)} most frequent values "
                f"all have {length} characters."
            ),
            false_positives=("Codes of another length are introduced (a new format or region)",),
            severity=RuleSeverity.WARN,
            rule_type="ColumnLength",
            suffix="length",
        )
    ]


def _freshness(
    column: ColumnProfile, context: ProposalContext, settings: ProfileProposerSettings
) -> list[_Proposed]:
    if column.kind is not ColumnKind.TEMPORAL or context.now is None:
        return []
    newest = _instant(column.max)
    if newest is None:
        return []
    now = context.now if context.now.tzinfo else context.now.replace(tzinfo=UTC)
    age_hours = (now - newest).total_seconds() / 3600
    if context.freshness_max_age_hours is not None and column.name == context.freshness_column:
        hours = max(1, math.ceil(context.freshness_max_age_hours))
        why = f"the table's configured maximum age is {format_number(context.freshness_max_age_hours)} hours"
    else:
        hours = max(settings.freshness_min_hours, math.ceil(settings.freshness_age_factor * age_hours))
        why = (
            f"{format_number(settings.freshness_age_factor)}x that age, at least "
            f"{settings.freshness_min_hours} hours, rounded up"
        )
    return [
        _candidate(
            column.name,
            _FRESH,
            rule=f"ColumnValues {quote(column.name)} > (now() - {hours} hours) with threshold > 0.0",
            reasoning=(
                f"The newest value ({newest.isoformat()}) was {format_number(round(age_hours, 1))} "
                f"hours old at {now.isoformat()}; the rule wants at least one row newer than "
                f"{hours} hours ({why})."
            ),
            false_positives=(
                "Loads pause on weekends or holidays",
                "An upstream delay that is announced and accepted",
            ),
            severity=RuleSeverity.WARN,
            rule_type="ColumnValues",
            suffix="fresh",
        )
    ]


# --- helpers ----------------------------------------------------------------------------------


def _candidate(
    column: str,
    order: int,
    *,
    rule: str,
    reasoning: str,
    false_positives: tuple[str, ...],
    severity: RuleSeverity,
    rule_type: str,
    suffix: str,
) -> _Proposed:
    return _Proposed(
        column,
        order,
        RuleCandidate(
            rule=rule,
            reasoning=reasoning,
            false_positive_scenarios=false_positives,
            severity=severity,
            rule_type=rule_type,
            name=f"{_slug(column)}_{suffix}",
        ),
    )


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "column"
    return f"c_{slug}" if slug[0].isdigit() else slug


def _unique_names(candidates: Iterable[RuleCandidate]) -> list[RuleCandidate]:
    """Shorten long names (keeping them stable with a hash) and number repeated ones."""
    seen: set[str] = set()
    result = []
    for candidate in candidates:
        base = candidate.name or "rule"
        if len(base) > MAX_NAME:
            digest = hashlib.sha1(base.encode("utf-8")).hexdigest()[:8]
            base = f"{base[: MAX_NAME - 9].rstrip('_')}_{digest}"
        name, counter = base, 2
        while name in seen:
            name, counter = f"{base[: MAX_NAME - 4]}_{counter}", counter + 1
        seen.add(name)
        result.append(replace(candidate, name=name))
    return result


def _filter_by_request(proposed: list[_Proposed], request: str | None) -> list[_Proposed]:
    """Keep the candidates whose column the request names (whole words, plurals too), or all if none."""
    if not request or not request.strip():
        return proposed
    kept = [p for p in proposed if _mentions(request, p.column)]
    return kept or proposed


def _mentions(request: str, column: str | None) -> bool:
    if column is None:
        return _TABLE_WORDS.search(request) is not None
    # "customer" names customer_id: a foreign key is spoken of by what it points at
    stem = column.removesuffix("_id") if column.endswith("_id") and len(column) > 3 else column
    for spelling in {column, column.replace("_", " "), stem}:
        pattern = rf"(?<![A-Za-z0-9_]){re.escape(spelling)}(?:e?s)?(?![A-Za-z0-9_])"  # "amounts" names amount
        if re.search(pattern, request, re.IGNORECASE):
            return True
    return False


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _type_name(data_type: str) -> str:
    return data_type.lower().split("(")[0].strip()


def _decimal_scale(data_type: str) -> int | None:
    """The decimal places a type holds: 0 for integers, s for decimal(p, s), None for floats."""
    if _INTEGER_TYPE.match(_type_name(data_type)):
        return 0
    match = _DECIMAL_TYPE.match(data_type.lower().strip())
    return int(match.group(2)) if match else None


def _bounds(
    column: ColumnProfile, low: float, high: float, settings: ProfileProposerSettings
) -> tuple[Decimal, Decimal] | None:
    """Exclusive bounds around [low, high]: widened, rounded outwards, never crossing zero."""
    span = high - low
    # A constant column is widened by a share of its value (or by 1 around zero).
    margin = settings.range_margin * span if span > 0 else (settings.range_margin * abs(high) or 1.0)
    raw_low, raw_high = low - margin, high + margin
    exponent = math.floor(math.log10(raw_high - raw_low)) - 1
    scale = _decimal_scale(column.data_type)
    if scale is not None:
        exponent = max(exponent, -scale)
    unit = Decimal(1).scaleb(exponent)
    step = Decimal(1).scaleb(-scale) if scale is not None else unit / 100
    low_bound = _round_to(raw_low, unit, ROUND_FLOOR)
    high_bound = _round_to(raw_high, unit, ROUND_CEILING)
    if low == 0:
        low_bound = -step
    elif low > 0 and low_bound < 0:
        low_bound = Decimal(0)
    if high == 0:
        high_bound = step
    elif high < 0 and high_bound > 0:
        high_bound = Decimal(0)
    if not low_bound < high_bound:
        return None
    return low_bound, high_bound


def _round_to(value: float, unit: Decimal, rounding: str) -> Decimal:
    return (Decimal(repr(value)) / unit).to_integral_value(rounding=rounding) * unit


def _round_significant(value: float, rounding: str, *, whole: bool) -> Decimal:
    """`value` rounded to two significant digits, in the given direction."""
    if value <= 0:
        return Decimal(0)
    exponent = math.floor(math.log10(value)) - 1
    if whole:
        exponent = max(exponent, 0)
    return _round_to(value, Decimal(1).scaleb(exponent), rounding)


def _text(value: Decimal) -> str:
    """A DQDL number without exponent or trailing zeros: `53000`, `0.93`, `-0.01`."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0", "") else text


def _not_null_where(column: ColumnProfile) -> str:
    """`where "c IS NOT NULL"` for a column with NULLs (which ColumnValues and ColumnLength fail).

    The name is written plainly when SQL reads it back as exactly that column, quoted otherwise.
    """
    if column.null_count == 0:
        return ""
    plain = f"{column.name} IS NOT NULL"
    if re.fullmatch(r"[a-z_][a-z0-9_]*", column.name):
        try:
            parsed = vet_predicate(plain)
        except UnsafeSql:
            parsed = None
        if isinstance(parsed, exp.Not) and [c.name for c in parsed.find_all(exp.Column)] == [column.name]:
            return f" where {quote(plain)}"
    identifier = '"' + column.name.replace('"', '""') + '"'
    return f" where {quote(f'{identifier} IS NOT NULL')}"


def _instant(value: object) -> datetime | None:
    """A date or timestamp (as the profile stores them, ISO text) as an aware datetime, else None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _singular(table: str) -> str:
    name = table.lower()
    if name.endswith("ies"):
        return name[:-3] + "y"
    if re.search(r"(s|x|z|ch|sh)es$", name):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def _names_reference(name: str, ref: ReferenceKey) -> bool:
    """The column is named like the key (`customer_id` ~ customers.customer_id or customers.id)."""
    if "." in ref.table or any(ch in ref.table + ref.column for ch in ",{}"):
        return False  # the reference could not be written as "table.column"
    if name == ref.column and name.lower() not in _GENERIC_KEY_NAMES:
        return True
    return name.lower() == f"{_singular(ref.table)}_{ref.column.lower()}"


def _kind_of_type(data_type: str) -> ColumnKind | None:
    name = _type_name(data_type)
    if _INTEGER_TYPE.match(name) or name in _FLOAT_TYPES or name in ("decimal", "numeric", "number"):
        return ColumnKind.NUMERIC
    if any(word in name for word in ("char", "string", "text")):
        return ColumnKind.STRING
    if name.startswith(("timestamp", "date", "time")):
        return ColumnKind.TEMPORAL
    if name in ("bool", "boolean"):
        return ColumnKind.BOOLEAN
    return None


def _fits_reference(column: ColumnProfile, ref: ReferenceKey, tolerance: float) -> str | None:
    """Why the column's values fit the referenced key, or None when they cannot."""
    kind = _kind_of_type(ref.data_type)
    if kind is None or kind is not column.kind:
        return None
    described = f"both are {kind.value}"
    if kind is ColumnKind.NUMERIC:
        low, high = _number(column.min), _number(column.max)
        ref_low, ref_high = _number(ref.min), _number(ref.max)
        if None in (low, high, ref_low, ref_high):
            return f"{described}; their values could not be compared"
        assert low is not None and high is not None and ref_low is not None and ref_high is not None
        slack = (ref_high - ref_low) * tolerance or abs(ref_high) * tolerance
        within = ref_low - slack <= low and high <= ref_high + slack
        if not within and (high < ref_low or low > ref_high):
            return None
        shown = f"{format_number(low)} to {format_number(high)}"
        ref_shown = f"{format_number(ref_low)} to {format_number(ref_high)}"
        relation = "lie within" if within else "overlap"
        return f"{described} and its values ({shown}) {relation} the key's ({ref_shown})"
    texts = [column.min, column.max, ref.min, ref.max]
    if not all(isinstance(t, str) for t in texts) or "<redacted>" in texts:
        return f"{described}; their values could not be compared"
    low_s, high_s, ref_low_s, ref_high_s = (str(t) for t in texts)
    if high_s < ref_low_s or low_s > ref_high_s:
        return None
    return f"{described} and its values ({low_s} to {high_s}) overlap the key's ({ref_low_s} to {ref_high_s})"
