"""The "did you mean" hint: the closest known name, ignoring case, and none when nothing is close."""

from __future__ import annotations

import pytest

from dq_checks.config.alerting import AlertingConfig
from dq_checks.config.model_keys import accepted_keys
from dq_checks.config.models import TableSpec
from dq_checks.suggestions import closest, did_you_mean, unknown_table


@pytest.mark.parametrize(
    ("name", "known", "expected"),
    [
        ("fresshness", ["freshness", "profile", "volume"], "freshness"),  # a doubled letter
        ("emial", ["order_id", "email", "updated_at"], "email"),  # two letters swapped
        ("EMAL", ["order_id", "email"], "email"),  # case is ignored, the known spelling returned
        ("ordrs", ["customers", "orders", "order_items"], "orders"),
        ("zzz", ["customers", "orders"], None),  # nothing is close: no guess
        ("orders", ["orders", "order"], None),  # the name itself is known: nothing to suggest
        ("x", [], None),
    ],
)
def test_closest(name: str, known: list[str], expected: str | None) -> None:
    assert closest(name, known) == expected


def test_did_you_mean_is_a_suffix_or_nothing() -> None:
    assert did_you_mean("fresshness", ["freshness"]) == "; did you mean 'freshness'?"
    assert did_you_mean("zzz", ["freshness"]) == ""


def test_unknown_table_lists_the_tables_and_the_closest() -> None:
    assert unknown_table("ordrs", ["orders", "customers"]) == (
        "unknown table 'ordrs'; defined tables: customers, orders; did you mean 'orders'?"
    )
    assert unknown_table("ordrs", []) == "unknown table 'ordrs'; defined tables: none"


def test_accepted_keys_follow_the_location_into_nested_models() -> None:
    assert accepted_keys(TableSpec, ("freshness",)) == {
        "max_age_hours",
        "warn_after_hours",
        "timestamp_column",
        "deadline_cron",
        "timezone",
    }
    # A dict of per-column settings: the key under `columns` is a column name, then its settings.
    assert "null_rate_max" in accepted_keys(TableSpec, ("anomalies", "columns", "email"))
    # A list of rule entries: the index, then the entry's keys.
    assert accepted_keys(TableSpec, ("rules", 0)) == {"name", "rule", "severity", "scope", "blocking"}


def test_accepted_keys_take_the_union_member_the_tag_names() -> None:
    # pydantic puts the tagged union's `type:` value into the location: `source.file.delimter`.
    file_keys = accepted_keys(TableSpec, ("source", "file"))
    assert "delimiter" in file_keys and "catalog" not in file_keys
    iceberg_keys = accepted_keys(TableSpec, ("source", "iceberg"))
    assert {"catalog", "identifier"} <= iceberg_keys and "delimiter" not in iceberg_keys
    assert accepted_keys(AlertingConfig, ("channels", "ops", "slack")) == {
        "type",
        "channel",
        "token_env",
        "api_url",
    }


def test_a_location_the_model_does_not_have_gives_no_keys() -> None:
    assert accepted_keys(TableSpec, ("no_such_key", "deeper")) == frozenset()


def test_a_misspelt_timezone_names_the_real_one() -> None:
    from pydantic import ValidationError

    from dq_checks.config.models import FreshnessSpec

    with pytest.raises(ValidationError) as raised:
        FreshnessSpec(max_age_hours=1, deadline_cron="0 6 * * *", timezone="Europe/Pari")  # planted: Paris
    assert "unknown timezone 'Europe/Pari'; did you mean 'Europe/Paris'?" in str(raised.value)
