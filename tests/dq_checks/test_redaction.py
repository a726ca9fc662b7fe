"""PII redaction: values of PII columns never leave the check step; counts and shapes do."""

from __future__ import annotations

from dq_checks.anomalies import Anomaly, Severity, detect_anomalies
from dq_checks.config.models import AnomalySettings
from dq_checks.profile.model import ColumnProfile, OutlierStats, TableProfile, ValueCount
from dq_checks.redaction import REDACTED, hidden_columns, redact_anomalies, redact_profile
from dq_checks.schema import ColumnKind

EMAILS = (
    ValueCount("ann@example.com", 9600),
    ValueCount("bob@example.com", 300),
    ValueCount("cy@example.com", 100),
)
SALARY_LARGEST = (1_000_000.0, 98_000.0, 97_500.0, 96_000.0)
SALARY_SMALLEST = (12_000.0, 15_000.0, 15_500.0, 16_000.0)


def email_column() -> ColumnProfile:
    # Planted: one address dominates (96%), so a dominance anomaly quotes it.
    return ColumnProfile(
        name="email",
        data_type="string",
        kind=ColumnKind.STRING,
        row_count=10_500,
        null_count=500,
        distinct_count=3,
        min="ann@example.com",
        max="cy@example.com",
        top_values=EMAILS,
    )


def salary_column() -> ColumnProfile:
    # Planted: one absurd salary of 1,000,000 among values under 100,000.
    return ColumnProfile(
        name="salary",
        data_type="double",
        kind=ColumnKind.NUMERIC,
        row_count=10_000,
        null_count=2_500,
        distinct_count=7_000,
        min=12_000.0,
        max=1_000_000.0,
        mean=52_000.0,
        median=50_000.0,
        std=20_000.0,
        q1=40_000.0,
        q3=60_000.0,
        zeros=0,
        negatives=0,
        outliers=OutlierStats(
            zscore_threshold=3.0,
            zscore_count=12,
            iqr_lower_bound=10_000.0,
            iqr_upper_bound=90_000.0,
            iqr_count=40,
            largest=SALARY_LARGEST,
            smallest=SALARY_SMALLEST,
        ),
    )


def status_column() -> ColumnProfile:
    return ColumnProfile(
        name="status",
        data_type="string",
        kind=ColumnKind.STRING,
        row_count=10_000,
        null_count=0,
        distinct_count=2,
        min="delivered",
        max="shipped",
        top_values=(ValueCount("delivered", 9_700), ValueCount("shipped", 300)),
    )


def shop_profile() -> TableProfile:
    columns = [email_column(), salary_column(), status_column()]
    return TableProfile(row_count=10_000, columns={c.name: c for c in columns}, queries=4)


PII = ("email", "salary")


def test_pii_string_column_loses_values_but_keeps_counts():
    email = redact_profile(shop_profile(), PII).columns["email"]

    assert email.top_values == (
        ValueCount(REDACTED, 9600),
        ValueCount(REDACTED, 300),
        ValueCount(REDACTED, 100),
    )
    assert (email.min, email.max) == (REDACTED, REDACTED)
    assert REDACTED == "<redacted>"
    # Counts and shape stay.
    assert (email.row_count, email.null_count, email.distinct_count) == (10_500, 500, 3)
    assert (email.name, email.data_type, email.kind) == ("email", "string", ColumnKind.STRING)


def test_pii_numeric_column_loses_min_max_quartiles_and_extremes():
    original = salary_column()
    salary = redact_profile(shop_profile(), PII).columns["salary"]

    assert (salary.min, salary.max) == (REDACTED, REDACTED)
    assert (salary.outliers.largest, salary.outliers.smallest) == ((), ())
    # Outlier counts stay, as do the other counts. The fences go: 10,000 and 90,000 give
    # q1 + q3 = lower + upper and q3 - q1 = (upper - lower) / 4, so q1 = 40,000 and q3 = 60,000.
    assert (salary.outliers.zscore_count, salary.outliers.iqr_count) == (12, 40)
    assert (original.outliers.iqr_lower_bound, original.outliers.iqr_upper_bound) == (10_000.0, 90_000.0)
    assert (salary.outliers.iqr_lower_bound, salary.outliers.iqr_upper_bound) == (None, None)
    assert salary.outliers.zscore_threshold == 3.0
    assert (salary.row_count, salary.null_count, salary.distinct_count) == (10_000, 2_500, 7_000)
    assert (salary.zeros, salary.negatives) == (0, 0)
    # The median and quartiles can be one person's exact value: gone too.
    assert (salary.median, salary.q1, salary.q3) == (None, None, None)
    # Aggregates over everyone stay.
    assert (salary.mean, salary.std) == (original.mean, original.std)


def test_non_pii_columns_are_untouched():
    profile = shop_profile()

    redacted = redact_profile(profile, PII)

    assert redacted.columns["status"] == status_column()
    assert list(redacted.columns) == ["email", "salary", "status"]
    assert (redacted.row_count, redacted.queries) == (10_000, 4)


def test_redaction_leaves_the_input_unchanged():
    profile = shop_profile()

    redact_profile(profile, PII)

    assert profile == shop_profile()
    assert profile.columns["email"].top_values == EMAILS


def test_no_pii_columns_means_no_change():
    assert redact_profile(shop_profile(), ()) == shop_profile()
    assert redact_profile(shop_profile(), ["not_a_column"]) == shop_profile()


def test_pii_column_without_outliers_stays_without():
    email = redact_profile(shop_profile(), ["email"]).columns["email"]
    assert email.outliers is None


def test_redacted_values_do_not_appear_anywhere_in_the_json_shape():
    data = redact_profile(shop_profile(), PII).to_dict()

    text = repr(data)
    for secret in ("ann@example.com", "bob@example.com", "cy@example.com", "1000000.0", "12000.0", "98000.0"):
        assert secret not in text
    assert data["columns"]["status"]["top_values"][0] == {"value": "delivered", "count": 9_700}


# --- anomalies ------------------------------------------------------------------------------


def detected():
    return detect_anomalies(shop_profile(), AnomalySettings())


def test_detected_anomalies_quote_pii_values_before_redaction():
    found = {(a.column, a.type): a for a in detected()}

    assert set(found) == {
        ("salary", "null_rate"),
        ("salary", "isolated_extreme"),
        ("email", "single_value_dominance"),
        ("status", "single_value_dominance"),
    }
    assert found[("email", "single_value_dominance")].examples == ("ann@example.com",)
    assert "ann@example.com" in found[("email", "single_value_dominance")].description
    assert found[("salary", "isolated_extreme")].examples == (1_000_000.0,)
    assert "1,000,000" in found[("salary", "isolated_extreme")].description


def test_pii_anomalies_with_examples_lose_their_values():
    anomalies = detected()

    redacted = {(a.column, a.type): a for a in redact_anomalies(anomalies, PII)}

    dominance = redacted[("email", "single_value_dominance")]
    assert dominance.examples == ()
    assert dominance.description == (
        "single_value_dominance (most frequent value's count / non-null count): measured 0.96 against "
        "threshold 0.95; values of this PII column are redacted"
    )
    assert (dominance.value, dominance.threshold, dominance.severity) == (0.96, 0.95, Severity.WARNING)

    extreme = redacted[("salary", "isolated_extreme")]
    assert extreme.examples == ()
    assert "1,000,000" not in extreme.description
    assert "98,000" not in extreme.description  # the next value is a value too
    assert "50,000" not in extreme.description  # and so is the median
    assert extreme.description.endswith("values of this PII column are redacted")
    assert extreme.severity is Severity.CRITICAL


def test_pii_anomalies_without_examples_are_unchanged():
    anomalies = detected()
    null_rate = next(a for a in anomalies if a.type == "null_rate")

    redacted = redact_anomalies(anomalies, PII)

    assert null_rate.column == "salary"
    assert null_rate.examples == ()
    assert next(a for a in redacted if a.type == "null_rate") is null_rate
    assert null_rate.description == "2,500 of 10,000 rows are NULL (25.00%); at most 20.00% expected"


def test_non_pii_anomalies_keep_their_values():
    anomalies = detected()
    status = next(a for a in anomalies if a.column == "status")

    redacted = redact_anomalies(anomalies, PII)

    assert next(a for a in redacted if a.column == "status") is status
    assert status.examples == ("delivered",)


def test_redaction_keeps_order_and_length():
    anomalies = detected()

    redacted = redact_anomalies(anomalies, PII)

    assert [(a.column, a.type, a.severity) for a in redacted] == [
        (a.column, a.type, a.severity) for a in anomalies
    ]


def test_redact_anomalies_hand_built():
    quoting = Anomaly(
        column="phone",
        type="single_value_dominance",
        method="m",
        value=0.5,
        threshold=0.25,
        severity=Severity.WARNING,
        description="'555-0100' everywhere",
        examples=("555-0100",),
    )

    assert redact_anomalies([quoting], ["phone"]) == [
        Anomaly(
            column="phone",
            type="single_value_dominance",
            method="m",
            value=0.5,
            threshold=0.25,
            severity=Severity.WARNING,
            description=(
                "single_value_dominance (m): measured 0.5 against threshold 0.25; "
                "values of this PII column are redacted"
            ),
            examples=(),
        )
    ]
    assert redact_anomalies([quoting], ["email"]) == [quoting]
    assert redact_anomalies([], ["phone"]) == []


def test_failing_row_samples_hide_the_values_of_pii_columns() -> None:
    from dq_checks.config.models import RuleSeverity
    from dq_checks.config.rule_entries import RuleDefinition
    from dq_checks.results.model import Outcome
    from dq_checks.results.rule_results import rule_result
    from dq_checks.rules.model import RuleOutcome

    definition = RuleDefinition(
        "email_is_valid",
        'ColumnValues "email" matches "[^@]+@[^@]+"',
        RuleSeverity.ERROR,
        False,
        "t.yaml:3",
        None,
    )
    # planted: the failing row carries a person's (malformed) address and a NULL phone
    sample = [{"customer_id": 7, "email": "ann.smith(at)example.com", "phone": None}]
    outcome = RuleOutcome(
        Outcome.FAIL, "1 of 10 rows fail", 0.9, {"failed_count": 1, "failed_sample": sample}
    )
    result = rule_result(definition, outcome, pii_columns={"email", "phone"})
    assert result.metadata["failed_sample"] == [{"customer_id": 7, "email": REDACTED, "phone": None}]
    assert "ann.smith" not in str(result.metadata["failed_sample_table"])
    assert (
        rule_result(definition, outcome).metadata["failed_sample"] == sample
    )  # no PII declared: as measured


def test_an_iqr_anomaly_on_a_pii_column_loses_its_fences() -> None:
    # planted: 40 of 7,500 salaries outside [10,000, 90,000]: the fences give q1 and q3 away
    iqr = Anomaly(
        column="salary",
        type="iqr_outliers",
        method="outside q1 - 1.5*IQR .. q3 + 1.5*IQR",
        value=0.2,
        threshold=0.1,
        severity=Severity.WARNING,
        description="1,500 values (20.00%) fall outside [10,000, 90,000]; at most 10.00% expected",
    )

    (redacted,) = redact_anomalies([iqr], PII)

    assert redacted.description == (
        "iqr_outliers (outside q1 - 1.5*IQR .. q3 + 1.5*IQR): measured 0.2 against threshold 0.1; "
        "values of this PII column are redacted"
    )
    assert redact_anomalies([iqr], ["email"]) == [iqr]


def test_hidden_columns_are_the_pii_columns_when_each_is_a_column() -> None:
    assert hidden_columns(["email", "phone"], ["id", "email", "phone", "amount"]) == ("email", "phone")
    assert hidden_columns([], ["id", "email"]) == ()


def test_a_pii_entry_that_is_no_column_hides_every_column() -> None:
    # planted: 'emial' is a typo for 'email'; the step cannot know which column was meant
    assert hidden_columns(["emial"], ["id", "email", "amount"]) == ("id", "email", "amount")
    assert hidden_columns(["email", "Phone"], ["id", "email", "phone"]) == ("id", "email", "phone")
