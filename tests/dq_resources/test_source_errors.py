"""Every source's error text has its secrets hidden, whatever shape of URL carries them."""

from __future__ import annotations

from dq_resources.source_contract.errors import redact, source_error


def test_a_query_string_and_a_spark_connect_url_keep_their_other_parameters() -> None:
    assert redact("https://h/x?token=abc&b=1") == "https://h/x?token=***&b=1"
    assert redact("sc://h:15002/;token=abc;user_id=bob") == "sc://h:15002/;token=***;user_id=bob"
    assert redact("postgresql://me:hunter2@db/x") == "postgresql://me:***@db/x"


def test_a_source_error_is_redacted() -> None:
    error = source_error("spark:t", "cannot reach Spark Connect", "refused, at sc://h:1/;token=abc")
    assert str(error) == "spark:t: cannot reach Spark Connect: refused, at sc://h:1/;token=***"
