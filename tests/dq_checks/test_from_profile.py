"""The offline profile-based proposer on hand-built profiles of an `orders` table.

Every candidate any test produces is parsed and statically validated like a real proposal,
and its parsed rule type must be the one the candidate claims.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from dq_checks.anomalies.model import Anomaly, Severity
from dq_checks.config.models import RuleSeverity
from dq_checks.dqdl.ast import Rule
from dq_checks.dqdl.parser import parse_rule
from dq_checks.profile.model import ColumnProfile, OutlierStats, TableProfile, ValueCount
from dq_checks.proposing.from_profile import TABLE_LEVEL, ProfileProposerSettings, propose_from_profile
from dq_checks.proposing.model import ProposalContext, ReferenceKey, RuleCandidate
from dq_checks.redaction import REDACTED
from dq_checks.rules.validate import validate_rule
from dq_checks.schema import ColumnKind

ROWS = 1000
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
KNOWN_TABLES = {"orders", "customers"}
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

CUSTOMERS_KEY = ReferenceKey(
    table="customers", column="customer_id", data_type="long", min=1, max=500, distinct_count=500
)


def column(name: str, data_type: str, kind: ColumnKind, **stats: object) -> ColumnProfile:
    """A column of the ROWS-row table; pass any statistic as a keyword."""
    stats.setdefault("row_count", ROWS)
    stats.setdefault("null_count", 0)
    stats.setdefault("distinct_count", None)
    return ColumnProfile(name=name, data_type=data_type, kind=kind, **stats)  # type: ignore[arg-type]


def top(*pairs: tuple[str, int]) -> tuple[ValueCount, ...]:
    return tuple(ValueCount(value, count) for value, count in pairs)


def orders_profile() -> TableProfile:
    columns = [
        # Planted: 10 duplicate ids (990 distinct in 1,000 complete rows).
        column("order_id", "long", ColumnKind.NUMERIC, distinct_count=990, min=1, max=1000),
        # A foreign key whose values 1..480 lie inside customers.customer_id (1..500).
        column("customer_id", "long", ColumnKind.NUMERIC, distinct_count=480, min=1, max=480),
        # An enumeration: three values cover all 1,000 rows.
        column(
            "status",
            "string",
            ColumnKind.STRING,
            distinct_count=3,
            min="cancelled",
            max="shipped",
            top_values=top(("pending", 500), ("shipped", 400), ("cancelled", 100)),
        ),
        # Planted: one isolated extreme, 4,200,000, among values up to 47,533.
        column(
            "amount",
            "decimal(12, 2)",
            ColumnKind.NUMERIC,
            distinct_count=870,
            min=1.5,
            max=4_200_000.0,
            median=120.0,
            q1=40.0,
            q3=400.0,
            outliers=OutlierStats(
                zscore_threshold=3.0,
                zscore_count=1,
                iqr_lower_bound=-500.0,
                iqr_upper_bound=940.0,
                iqr_count=30,
                largest=(4_200_000.0, 47_533.0, 47_210.5, 46_000.0),
                smallest=(1.5, 2.0, 2.25),
            ),
        ),
        # Fixed-length codes: min, max and every top value have 8 characters.
        column(
            "sku",
            "string",
            ColumnKind.STRING,
            distinct_count=200,
            min="SKU-0001",
            max="SKU-0200",
            top_values=top(*((f"SKU-{n:04d}", 20 - n) for n in range(1, 11))),
        ),
        # Planted: 28% NULL, flagged by the null_rate detector (limit 20%).
        column(
            "discount_code",
            "string",
            ColumnKind.STRING,
            null_count=280,
            distinct_count=50,
            min="A1",
            max="WINTER2024",
            top_values=top(("SUMMER", 100), ("A1", 90), ("WINTER2024", 80)),
        ),
        # 5% NULL, below the detector's limit: a completeness bound with a margin.
        column(
            "shipping_note",
            "string",
            ColumnKind.STRING,
            null_count=50,
            distinct_count=700,
            min="at door",
            max="ring twice please",
            top_values=top(("leave at door", 100), ("ring", 50)),
        ),
        # PII, redacted as the pipeline does: its values never appear in a rule.
        column(
            "email",
            "string",
            ColumnKind.STRING,
            distinct_count=ROWS,
            min=REDACTED,
            max=REDACTED,
            top_values=top(*((REDACTED, 1) for _ in range(10))),
        ),
        # Newest value 20 hours before NOW; distinct timestamps are no uniqueness contract.
        column(
            "created_at",
            "timestamptz",
            ColumnKind.TEMPORAL,
            distinct_count=ROWS,
            min="2024-01-01T00:00:00+00:00",
            max="2024-05-31T16:00:00+00:00",
        ),
    ]
    return TableProfile(row_count=ROWS, columns={c.name: c for c in columns})


ANOMALIES = (
    Anomaly(
        column="amount",
        type="isolated_extreme",
        method="gap from median vs next value (largest values)",
        value=88.0,
        threshold=10.0,
        severity=Severity.CRITICAL,
        description="1 isolated extreme value(s) 4,200,000: 88.0x farther from the median (120) than "
        "the next value (47,533)",
        examples=(4_200_000.0,),
    ),
    Anomaly(
        column="discount_code",
        type="null_rate",
        method="null count / row count",
        value=0.28,
        threshold=0.2,
        severity=Severity.WARNING,
        description="280 of 1,000 rows are NULL (28.00%); at most 20.00% expected",
    ),
    Anomaly(
        column="amount",
        type="iqr_outliers",
        method="outside q1 - 1.5*IQR .. q3 + 1.5*IQR",
        value=0.03,
        threshold=0.1,
        severity=Severity.WARNING,
        description="30 values fall outside the fences",
    ),
)


def orders_context(**changes: object) -> ProposalContext:
    context = ProposalContext(
        table="orders",
        profile=orders_profile(),
        key=("order_id",),
        pii_columns=("email",),
        anomalies=ANOMALIES,
        references=(CUSTOMERS_KEY,),
        now=NOW,
    )
    return replace(context, **changes)


def propose(context: ProposalContext, settings: ProfileProposerSettings | None = None) -> list[RuleCandidate]:
    """Propose, and check every candidate the way a proposal is checked before it is stored."""
    candidates = propose_from_profile(context, settings)
    for candidate in candidates:
        parsed = parse_rule(candidate.rule)
        assert isinstance(parsed, Rule), candidate.rule
        problems = validate_rule(parsed, known_tables=KNOWN_TABLES, sql_tables=())
        assert problems == [], (candidate.rule, problems)
        assert parsed.rule_type == candidate.rule_type, candidate.rule
        assert candidate.name is not None and NAME.match(candidate.name), candidate.name
        assert candidate.reasoning.strip()
        assert 1 <= len(candidate.false_positive_scenarios) <= 3
        assert candidate.severity in (RuleSeverity.ERROR, RuleSeverity.WARN)
    names = [c.name for c in candidates]
    assert len(names) == len(set(names)), names
    return candidates


def rules(candidates: list[RuleCandidate]) -> list[str]:
    return [c.rule for c in candidates]


def by_rule(candidates: list[RuleCandidate], rule: str) -> RuleCandidate:
    return next(c for c in candidates if c.rule == rule)


# --- the whole table ------------------------------------------------------------------------------


def test_orders_table_gets_exactly_these_rules_in_column_order() -> None:
    candidates = propose(orders_context())
    assert rules(candidates) == [
        "RowCount between 500 and 2000",
        'IsPrimaryKey "order_id"',
        'IsComplete "customer_id"',
        'ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0',
        'IsComplete "status"',
        'ColumnValues "status" in ["cancelled", "pending", "shipped"]',
        'IsComplete "amount"',
        'ColumnValues "amount" between 0 and 53000',
        'IsComplete "sku"',
        'ColumnLength "sku" = 8',
        'Completeness "discount_code" >= 0.8',
        'Completeness "shipping_note" >= 0.93',
        'IsComplete "email"',
        'IsUnique "email"',
        'IsComplete "created_at"',
        'ColumnValues "created_at" > (now() - 40 hours) with threshold > 0.0',
    ]
    assert [c.name for c in candidates] == [
        "row_count_in_range",
        "order_id_primary_key",
        "customer_id_complete",
        "customer_id_in_customers",
        "status_complete",
        "status_allowed_values",
        "amount_complete",
        "amount_in_range",
        "sku_complete",
        "sku_length",
        "discount_code_completeness",
        "shipping_note_completeness",
        "email_complete",
        "email_unique",
        "created_at_complete",
        "created_at_fresh",
    ]


def test_same_input_twice_gives_the_same_output_whatever_the_input_order() -> None:
    first = propose(orders_context())
    assert propose(orders_context()) == first
    shuffled = orders_context(anomalies=tuple(reversed(ANOMALIES)))
    assert propose(shuffled) == first


def test_empty_table_gets_nothing() -> None:
    assert propose(orders_context(profile=TableProfile(row_count=0))) == []


# --- keys and uniqueness --------------------------------------------------------------------------


def test_declared_key_with_duplicates_still_gets_is_primary_key() -> None:
    candidate = by_rule(propose(orders_context()), 'IsPrimaryKey "order_id"')
    assert candidate.severity is RuleSeverity.ERROR
    assert "990 distinct" in candidate.reasoning and "10 duplicates" in candidate.reasoning
    assert "fails on today's data" in candidate.reasoning


def test_key_gets_no_is_complete_unique_or_range() -> None:
    order_rules = [r for r in rules(propose(orders_context())) if '"order_id"' in r]
    assert order_rules == ['IsPrimaryKey "order_id"']


def test_without_a_declared_key_a_distinct_column_gets_is_unique_but_no_range() -> None:
    profile = orders_profile()
    unique_ids = replace(profile.columns["order_id"], distinct_count=ROWS)
    context = orders_context(profile=replace(profile, columns={**profile.columns, "order_id": unique_ids}))
    order_rules = [r for r in rules(propose(replace(context, key=()))) if '"order_id"' in r]
    assert order_rules == ['IsComplete "order_id"', 'IsUnique "order_id"']


@pytest.mark.parametrize(
    ("data_type", "kind"),
    [
        ("double", ColumnKind.NUMERIC),
        ("decimal(12, 2)", ColumnKind.NUMERIC),
        ("boolean", ColumnKind.BOOLEAN),
        ("timestamptz", ColumnKind.TEMPORAL),
    ],
)
def test_no_is_unique_for_floats_decimals_booleans_and_timestamps(data_type: str, kind: ColumnKind) -> None:
    distinct = column("x", data_type, kind, distinct_count=ROWS)
    context = ProposalContext(table="t", profile=TableProfile(ROWS, {"x": distinct}))
    assert not [c for c in propose(context) if c.rule_type == "IsUnique"]


# --- completeness ---------------------------------------------------------------------------------


def test_null_rate_anomaly_sets_completeness_at_the_detectors_threshold() -> None:
    candidate = by_rule(propose(orders_context()), 'Completeness "discount_code" >= 0.8')
    assert "280 of 1,000 rows are NULL (28.00%)" in candidate.reasoning
    assert "catching the defect" in candidate.reasoning
    assert candidate.severity is RuleSeverity.WARN  # the anomaly was a warning, not critical


def test_without_anomaly_completeness_is_observed_minus_margin_rounded_down() -> None:
    candidates = propose(orders_context())
    candidate = by_rule(candidates, 'Completeness "shipping_note" >= 0.93')  # 0.95 - 0.02
    assert "50 of 1,000 rows are NULL (5.00%)" in candidate.reasoning
    wider = propose(orders_context(), ProfileProposerSettings(completeness_margin=0.055))
    assert 'Completeness "shipping_note" >= 0.89' in rules(wider)  # 0.895 rounded down


def test_same_column_without_the_anomaly_gets_the_margin_bound() -> None:
    context = orders_context(anomalies=())
    assert 'Completeness "discount_code" >= 0.7' in rules(propose(context))  # 0.72 - 0.02


# --- value lists ----------------------------------------------------------------------------------


def test_enum_with_nulls_lists_null() -> None:
    status = column(
        "status",
        "string",
        ColumnKind.STRING,
        null_count=40,
        distinct_count=2,
        min="closed",
        max="open",
        top_values=top(("open", 900), ("closed", 60)),
    )
    context = ProposalContext(table="t", profile=TableProfile(ROWS, {"status": status}))
    assert 'ColumnValues "status" in ["closed", "open", NULL]' in rules(propose(context))


def test_no_value_list_when_top_values_do_not_cover_every_row() -> None:
    profile = orders_profile()
    partial = replace(profile.columns["status"], top_values=top(("pending", 500), ("shipped", 400)))
    context = orders_context(profile=replace(profile, columns={**profile.columns, "status": partial}))
    status_rules = [r for r in rules(propose(context)) if '"status"' in r]
    assert not any(r.startswith('ColumnValues "status" in') for r in status_rules)


# --- numeric ranges -------------------------------------------------------------------------------


def test_isolated_extreme_is_left_out_of_the_range() -> None:
    candidate = by_rule(propose(orders_context()), 'ColumnValues "amount" between 0 and 53000')
    assert candidate.severity is RuleSeverity.ERROR
    assert "4,200,000" in candidate.reasoning and "47,533" in candidate.reasoning


def test_distinct_amounts_are_no_identifier_they_keep_their_range() -> None:
    # Every amount distinct (continuous values): no IsUnique, and the range is still proposed.
    profile = orders_profile()
    distinct = replace(profile.columns["amount"], distinct_count=ROWS)
    context = orders_context(profile=replace(profile, columns={**profile.columns, "amount": distinct}))
    assert [r for r in rules(propose(context)) if '"amount"' in r] == [
        'IsComplete "amount"',
        'ColumnValues "amount" between 0 and 53000',
    ]


def test_without_the_anomaly_the_range_covers_the_extreme() -> None:
    assert 'ColumnValues "amount" between 0 and 4700000' in rules(propose(orders_context(anomalies=())))


def test_integer_column_starting_at_zero_excludes_negatives_and_skips_nulls() -> None:
    # 0..12 widened by 1.2 each side: -1 (exclusive, so >= 0 for integers) and 14; 3 NULL rows.
    quantity = column(
        "quantity", "int", ColumnKind.NUMERIC, null_count=3, distinct_count=13, min=0, max=12, negatives=0
    )
    context = ProposalContext(table="t", profile=TableProfile(ROWS, {"quantity": quantity}))
    assert 'ColumnValues "quantity" between -1 and 14 where "quantity IS NOT NULL"' in rules(propose(context))


def test_negative_values_widen_both_ways_and_an_odd_column_name_is_quoted_in_where() -> None:
    # -40..60 widened by 10 each side; one NULL row, and a name SQL must quote.
    delta = column(
        "unit delta", "double", ColumnKind.NUMERIC, null_count=1, distinct_count=500, min=-40.0, max=60.0
    )
    context = ProposalContext(table="t", profile=TableProfile(ROWS, {"unit delta": delta}))
    assert 'ColumnValues "unit delta" between -50 and 70 where "\\"unit delta\\" IS NOT NULL"' in rules(
        propose(context)
    )


def test_float_column_from_zero_gets_a_small_negative_step() -> None:
    speed = column("wind_speed", "double", ColumnKind.NUMERIC, distinct_count=400, min=0.0, max=47.3)
    context = ProposalContext(table="t", profile=TableProfile(ROWS, {"wind_speed": speed}))
    assert 'ColumnValues "wind_speed" between -0.01 and 53' in rules(propose(context))


# --- lengths --------------------------------------------------------------------------------------


def test_fixed_length_codes_get_column_length() -> None:
    candidate = by_rule(propose(orders_context()), 'ColumnLength "sku" = 8')
    assert "8 characters" in candidate.reasoning
    assert candidate.severity is RuleSeverity.WARN


def test_no_column_length_when_one_top_value_differs() -> None:
    profile = orders_profile()
    sku = profile.columns["sku"]
    mixed = replace(sku, top_values=(*sku.top_values[:-1], ValueCount("SKU-10000", 1)))
    context = orders_context(profile=replace(profile, columns={**profile.columns, "sku": mixed}))
    assert not [r for r in rules(propose(context)) if r.startswith("ColumnLength")]


# --- freshness ------------------------------------------------------------------------------------


def test_freshness_is_twice_the_newest_values_age() -> None:
    candidate = by_rule(
        propose(orders_context()), 'ColumnValues "created_at" > (now() - 40 hours) with threshold > 0.0'
    )
    assert "20 hours old" in candidate.reasoning


def test_freshness_is_at_least_a_day() -> None:
    context = orders_context(now=datetime(2024, 5, 31, 18, 0, tzinfo=UTC))  # 2 hours after the newest
    assert 'ColumnValues "created_at" > (now() - 24 hours) with threshold > 0.0' in rules(propose(context))


def test_freshness_uses_the_configured_maximum_age_of_the_sla_column_only() -> None:
    context = orders_context(freshness_max_age_hours=6.0, freshness_column="created_at")
    assert 'ColumnValues "created_at" > (now() - 6 hours) with threshold > 0.0' in rules(propose(context))
    # The SLA is about the table's own timestamp column; another column's age is learned from the data.
    elsewhere = orders_context(freshness_max_age_hours=6.0, freshness_column="updated_at")
    assert 'ColumnValues "created_at" > (now() - 40 hours) with threshold > 0.0' in rules(propose(elsewhere))


def test_naive_timestamps_and_dates_are_read_as_utc() -> None:
    day = column("day", "date", ColumnKind.TEMPORAL, distinct_count=30, min="2024-05-01", max="2024-05-30")
    context = ProposalContext(
        table="t", profile=TableProfile(ROWS, {"day": day}), now=NOW.replace(tzinfo=None)
    )
    # 2024-05-30 00:00 UTC is 60 hours before NOW: 120 hours.
    assert 'ColumnValues "day" > (now() - 120 hours) with threshold > 0.0' in rules(propose(context))


def test_no_freshness_without_now_or_without_a_timestamp_maximum() -> None:
    assert not [r for r in rules(propose(orders_context(now=None))) if "now()" in r]
    clock = column("opens_at", "time", ColumnKind.TEMPORAL, distinct_count=20, min="08:00:00", max="10:00:00")
    context = ProposalContext(table="t", profile=TableProfile(ROWS, {"opens_at": clock}), now=NOW)
    assert not [r for r in rules(propose(context)) if "now()" in r]


# --- references -----------------------------------------------------------------------------------


def test_table_singular_id_matches_a_key_named_id() -> None:
    context = orders_context(references=(replace(CUSTOMERS_KEY, column="id"),))
    assert 'ReferentialIntegrity "customer_id" "customers.id" = 1.0' in rules(propose(context))


def test_no_reference_when_ranges_do_not_meet_or_types_differ() -> None:
    far = replace(CUSTOMERS_KEY, min=10_000, max=20_000)
    text = replace(CUSTOMERS_KEY, data_type="string", min="C001", max="C500")
    for reference in (far, text):
        assert not [r for r in rules(propose(orders_context(references=(reference,)))) if "Referential" in r]


def test_overlapping_range_is_enough_for_a_reference() -> None:
    overlapping = replace(CUSTOMERS_KEY, min=300, max=450)  # customer_id 1..480 overlaps 300..450
    assert 'ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0' in rules(
        propose(orders_context(references=(overlapping,)))
    )


def test_no_reference_to_the_tables_own_key_or_between_generic_ids() -> None:
    own = ReferenceKey(
        table="orders", column="order_id", data_type="long", min=1, max=1000, distinct_count=990
    )
    generic = ReferenceKey(
        table="customers", column="id", data_type="long", min=1, max=900, distinct_count=900
    )
    order_id = column("order_id", "long", ColumnKind.NUMERIC, distinct_count=ROWS, min=1, max=1000)
    ids = column("id", "long", ColumnKind.NUMERIC, distinct_count=ROWS, min=1, max=1000)
    profile = TableProfile(ROWS, {"order_id": order_id, "id": ids})
    context = ProposalContext(table="orders", profile=profile, references=(own, generic))
    assert not [r for r in rules(propose(context)) if "Referential" in r]


# --- PII, covered columns, requests ---------------------------------------------------------------


def test_pii_columns_get_no_value_rules_even_with_plain_values() -> None:
    # status, amount and sku still hold plain values here: being listed as PII is enough.
    context = orders_context(pii_columns=("email", "status", "amount", "sku", "created_at"))
    proposed = rules(propose(context))
    for name in ("status", "amount", "sku", "created_at"):
        assert [r for r in proposed if f'"{name}"' in r] == [f'IsComplete "{name}"']
    assert [r for r in proposed if '"email"' in r] == ['IsComplete "email"', 'IsUnique "email"']


def test_pii_foreign_key_still_gets_referential_integrity() -> None:
    context = orders_context(pii_columns=("email", "customer_id"))
    assert 'ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0' in rules(propose(context))


def test_covered_columns_and_table_level_are_skipped() -> None:
    context = orders_context(covered_columns=frozenset({"status", "amount", TABLE_LEVEL}))
    proposed = rules(propose(context))
    assert not [r for r in proposed if '"status"' in r or '"amount"' in r or r.startswith("RowCount")]
    assert 'IsPrimaryKey "order_id"' in proposed


def test_request_keeps_the_columns_it_names() -> None:
    context = orders_context(request="Please check the AMOUNT column and shipping note values")
    assert rules(propose(context)) == [
        'IsComplete "amount"',
        'ColumnValues "amount" between 0 and 53000',
        'Completeness "shipping_note" >= 0.93',
    ]


def test_request_about_volume_keeps_row_count() -> None:
    assert rules(propose(orders_context(request="alert me when the row count drops"))) == [
        "RowCount between 500 and 2000"
    ]


def test_request_naming_no_column_keeps_everything() -> None:
    assert propose(orders_context(request="anything else worth checking?")) == propose(orders_context())


def test_a_word_inside_another_word_is_not_a_mention() -> None:
    # "amounts_total" does not name "amount"; "sku" does.
    assert {c.rule for c in propose(orders_context(request="amounts_total and sku"))} == {
        'IsComplete "sku"',
        'ColumnLength "sku" = 8',
    }


# --- names ----------------------------------------------------------------------------------------


def test_colliding_names_are_numbered() -> None:
    upper = column("Amount", "int", ColumnKind.NUMERIC, distinct_count=5, min=1, max=5)
    lower = column("amount", "int", ColumnKind.NUMERIC, distinct_count=5, min=1, max=5)
    context = ProposalContext(table="t", profile=TableProfile(ROWS, {"Amount": upper, "amount": lower}))
    names = [c.name for c in propose(context)]
    assert names == [
        "row_count_in_range",
        "amount_complete",
        "amount_in_range",
        "amount_complete_2",
        "amount_in_range_2",
    ]


def test_a_request_naming_a_column_in_the_plural_names_it() -> None:
    kept = rules(propose(orders_context(request="order amounts are positive")))
    # "order" names order_id too: a key is spoken of by what it identifies
    assert kept == [
        'IsPrimaryKey "order_id"',
        'IsComplete "amount"',
        'ColumnValues "amount" between 0 and 53000',
    ]


def test_a_request_naming_what_a_foreign_key_points_at_names_the_key() -> None:
    kept = rules(propose(orders_context(request="every order has a customer")))
    assert kept == [
        'IsPrimaryKey "order_id"',
        'IsComplete "customer_id"',
        'ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0',
    ]
