"""The `dq` command line, run as a user runs it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dq_assets.cli.main import cli
from dq_checks.config.paths import PACKAGED_TABLES_DIR

ORDERS_SOURCE = "{type: iceberg, catalog: demo, identifier: shop.orders}"

# What a user sees on the demo: docs/demo.md's table of demo rules says the same.
DEMO_OUTCOMES = {
    "customers": {
        "profile": "pass",
        "anomalies": "fail",  # phone is NULL for 28% of customers (warning)
        "customer_id_is_primary_key": "pass",
        "phone_mostly_present": "fail",  # completeness 0.72 < 0.9
        "email_is_valid": "pass",
        "email_is_unique": "pass",
        "country_is_known": "pass",
        "enough_customers": "pass",
        "quality_score": "pass",  # 5 of 6 rules
        "freshness": "pass",
        "volume": "skip",  # no earlier run to learn from
        "schema": "pass",  # no earlier run to compare with
        "drift": "skip",  # no earlier data version to compare with
    },
    "order_items": {
        "profile": "pass",
        "anomalies": "pass",  # a clean table
        "order_item_id_is_primary_key": "pass",
        "product_exists": "pass",
        "order_exists": "pass",
        "quantity_in_range": "pass",
        "discount_in_range": "pass",
        "average_quantity": "pass",
        "quality_score": "pass",
        "freshness": "pass",
        "volume": "skip",  # no earlier run to learn from
        "schema": "pass",  # no earlier run to compare with
        "drift": "skip",  # no earlier data version to compare with
    },
    "orders": {
        "profile": "pass",
        "anomalies": "fail",  # the absurd amount, the cents bug, status dominance
        "order_id_is_primary_key": "fail",  # 150 duplicated ids
        "customer_exists": "fail",  # 300 orphan orders
        "amount_in_range": "fail",  # the 4,200,000.00 order
        "status_is_known": "pass",
        "channel_is_known": "pass",
        "daily_volume": "pass",
        "order_ts_complete": "pass",
        "no_negative_amounts": "pass",
        "quality_score": "fail",  # 5 of 8 rules = 0.625 < 0.8
        "freshness": "pass",
        "volume": "skip",  # no earlier run to learn from
        "schema": "pass",  # no earlier run to compare with
        "drift": "skip",  # no earlier data version to compare with
    },
    "products": {
        "profile": "pass",
        "anomalies": "pass",  # a natural long tail of prices, not flagged
        "product_id_is_primary_key": "pass",
        "price_is_positive": "pass",
        "sku_is_unique": "pass",
        "sku_format": "pass",
        "enough_categories": "pass",
        "quality_score": "pass",
        "freshness": "fail",  # the last snapshot is 5 days old; SLA 48 h
        "volume": "skip",  # no earlier run to learn from
        "schema": "pass",  # no earlier run to compare with
        "drift": "skip",  # no earlier data version to compare with
    },
}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_run(demo_warehouse: dict[str, int]) -> tuple[int, dict]:
    result = invoke("run", "--json")
    return result.exit_code, json.loads(result.output)


def by_table(payload: dict) -> dict[str, dict]:
    return {t["table"]: t for t in payload["tables"]}


def outcomes(table: dict) -> dict[str, str]:
    return {c["name"]: c["outcome"] for c in table["checks"]}


def test_demo_run_exits_1_because_checks_fail(demo_run: tuple[int, dict]) -> None:
    exit_code, payload = demo_run
    assert exit_code == 1
    assert payload["problems"] == []
    tables = by_table(payload)
    assert {name: outcomes(t) for name, t in tables.items()} == DEMO_OUTCOMES


def test_demo_run_json_has_the_documented_shape(demo_run: tuple[int, dict]) -> None:
    orders = by_table(demo_run[1])["orders"]
    assert orders["row_count"] == 200_000
    assert orders["last_updated"].endswith("+00:00")
    amount = orders["profile"]["columns"]["amount"]
    for key in (
        "type",
        "null_count",
        "null_pct",
        "distinct_count",
        "min",
        "max",
        "mean",
        "median",
        "std",
        "q1",
        "q3",
        "top_values",
    ):
        assert key in amount
    assert amount["max"] == 4_200_000.0
    assert amount["type"] == "decimal(12, 2)"
    status = orders["profile"]["columns"]["status"]
    assert status["top_values"][0] == {"value": "delivered", "count": 194_000}
    assert orders["profile"]["columns"]["order_id"]["distinct_count"] == 199_850
    anomaly = next(a for a in orders["anomalies"] if a["type"] == "isolated_extreme")
    assert set(anomaly) >= {"column", "type", "method", "value", "threshold", "severity", "description"}
    assert anomaly["examples"] == [4_200_000.0]
    check = next(c for c in orders["checks"] if c["name"] == "anomalies")
    assert set(check) == {"name", "outcome", "severity", "description", "metadata"}
    assert check["severity"] == "ERROR"
    customers = by_table(demo_run[1])["customers"]
    phone = customers["profile"]["columns"]["phone"]
    assert (phone["null_count"], phone["null_pct"]) == (1_400, 28.0)
    assert [(a["column"], a["type"]) for a in customers["anomalies"]] == [("phone", "null_rate")]


def test_run_selected_tables_prints_a_readable_table(demo_warehouse: dict[str, int]) -> None:
    result = invoke("run", "orders", "products")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].split() == ["table", "rows", "check", "outcome", "severity", "description"]
    assert any(line.split()[:5] == ["orders", "200,000", "anomalies", "fail", "ERROR"] for line in lines)
    assert any("isolated_extreme" in line and "4,200,000" in line for line in lines)
    assert lines[-1] == "2 tables, 27 checks: 17 pass, 6 fail, 0 error, 4 skip"


def test_passing_tables_exit_0(demo_warehouse: dict[str, int]) -> None:
    assert invoke("run", "order_items").exit_code == 0  # a skip (no history yet) is not a failure


def test_unknown_table_is_reported_and_exits_2(demo_warehouse: dict[str, int]) -> None:
    result = invoke("run", "products", "nope", "--json")
    payload = json.loads(result.output)
    assert result.exit_code == 2
    assert payload["problems"] == [
        "unknown table 'nope'; defined tables: customers, order_items, orders, products"
    ]
    assert outcomes(by_table(payload)["products"]) == DEMO_OUTCOMES["products"]


def test_unreadable_source_errors_while_other_tables_still_run(
    tmp_path: Path, demo_warehouse: dict[str, int]
) -> None:
    (tmp_path / "gone.yaml").write_text(
        "table: gone\nsource: {type: iceberg, catalog: demo, identifier: shop.gone}\n"
    )
    (tmp_path / "orders.yaml").write_text(f"table: orders\nsource: {ORDERS_SOURCE}\n")
    result = invoke("run", "--json", "--config", str(tmp_path))
    payload = by_table(json.loads(result.output))
    assert result.exit_code == 2
    assert outcomes(payload["gone"]) == {
        "profile": "error",
        "anomalies": "error",
        "volume": "error",
        "schema": "error",
        "drift": "error",
    }
    assert "shop.gone" in payload["gone"]["checks"][0]["metadata"]["error"]
    assert outcomes(payload["orders"]) == {
        "profile": "pass",
        "anomalies": "fail",
        "volume": "skip",
        "schema": "pass",
        "drift": "skip",
    }


def test_sources_test_lists_every_source_as_json_and_leaves_signals_as_they_were(
    tmp_path: Path, demo_warehouse: dict[str, int]
) -> None:
    import signal

    (tmp_path / "gone.yaml").write_text(
        "table: gone\nsource: {type: iceberg, catalog: demo, identifier: shop.gone}\n"
    )  # planted: no such table
    (tmp_path / "orders.yaml").write_text(f"table: orders\nsource: {ORDERS_SOURCE}\n")
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    result = invoke("sources", "test", "--json", "--config", str(tmp_path))
    assert {s: signal.getsignal(s) for s in handlers} == handlers  # restored once the probes ended
    assert result.exit_code == 2
    gone, orders = json.loads(result.output)
    assert gone == {
        "table": "gone",
        "source": "iceberg:demo/shop.gone",
        "status": "error",
        "detail": "iceberg:demo/shop.gone: table 'shop.gone' not found in catalog 'demo'",
    }
    assert (orders["table"], orders["status"]) == ("orders", "ok")
    assert orders["detail"].startswith(f"{demo_warehouse['shop.orders']:,} rows, ")
    assert invoke("sources", "test", "--json", "orders", "--config", str(tmp_path)).exit_code == 0


def test_invalid_definition_is_reported_and_the_rest_run(
    tmp_path: Path, demo_warehouse: dict[str, int]
) -> None:
    (tmp_path / "broken.yaml").write_text("table: broken\nsource:\n  type: iceberg\n  catalog: demo\n")
    (tmp_path / "orders.yaml").write_text(f"table: orders\nsource: {ORDERS_SOURCE}\n")
    result = invoke("run", "--json", "--config", str(tmp_path))
    payload = json.loads(result.output)
    assert result.exit_code == 2
    assert payload["problems"] == [f"{tmp_path / 'broken.yaml'}:2: missing required key 'source.identifier'"]
    assert list(by_table(payload)) == ["orders"]


def test_validate_accepts_the_demo() -> None:
    result = invoke("validate")
    assert result.exit_code == 0
    assert (
        result.output == f"ok: 4 table definitions, 25 rules in {PACKAGED_TABLES_DIR}; 1 alert channel(s)\n"
    )


def test_validate_reports_every_invalid_file_with_path_and_line(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(f"table: a\nsource: {ORDERS_SOURCE}\n")  # valid
    (tmp_path / "b.yaml").write_text(  # planted: a cron that is not one
        textwrap.dedent(
            """\
            table: b
            source: {type: iceberg, catalog: demo, identifier: shop.b}
            schedule: "every day"
            """
        )
    )
    # planted: an unclosed flow mapping
    (tmp_path / "c.yaml").write_text("table: c\nsource: {type: iceberg, catalog: demo, identifier: shop.c\n")
    (tmp_path / "d.yaml").write_text(f"\ntable: a\nsource: {ORDERS_SOURCE}\n")  # planted: a's name again
    result = CliRunner().invoke(cli, ["validate", "--config", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert (
        lines[0]
        == f"{tmp_path / 'b.yaml'}:3: schedule: 'every day' is not a valid five-field cron expression"
    )
    assert lines[1].startswith(f"{tmp_path / 'c.yaml'}:3: invalid YAML")
    assert (
        lines[2]
        == f"{tmp_path / 'd.yaml'}:2: duplicate table name 'a', already defined at {tmp_path / 'a.yaml'}:1"
    )
    assert lines[3] == f"3 problem(s) in {tmp_path}"


def test_dq_config_dir_points_at_another_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "orders.yaml").write_text(f"table: orders\nsource: {ORDERS_SOURCE}\n")
    monkeypatch.setenv("DQ_CONFIG_DIR", str(tmp_path))
    assert (
        invoke("validate").output == f"ok: 1 table definitions, 0 rules in {tmp_path}; 1 alert channel(s)\n"
    )


def test_validate_reports_alert_routing_problems(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    tables.mkdir()
    # planted: the table routes to a channel alerts.yaml does not define
    (tables / "orders.yaml").write_text(
        f"table: orders\nsource: {ORDERS_SOURCE}\nalerts:\n  channels: [log, pager]\n"
    )
    # planted: an SNS topic that is not an ARN
    (tmp_path / "alerts.yaml").write_text("channels:\n  ops:\n    type: sns\n    topic_arn: dq-alerts\n")
    result = CliRunner().invoke(cli, ["validate", "--config", str(tables)])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0].startswith(
        f"{tmp_path / 'alerts.yaml'}:4: channels.ops.topic_arn: String should match pattern"
    )
    assert lines[1] == f"{tables / 'orders.yaml'}:4: alerts: unknown channel 'pager'; channels: log"
    assert lines[2] == f"2 problem(s) in {tables}"


def test_an_unexpected_error_is_one_line_with_any_url_password_hidden() -> None:
    from dq_assets.cli.errors import one_line

    # planted: a driver message over three lines that quotes a URL with its password
    error = RuntimeError(
        "could not open postgresql://dq:s3cr3t@db.internal:5432/shop\n\n  (Background: https://example.org/e)\n"
    )
    assert one_line(error) == (
        "RuntimeError: could not open postgresql://dq:***@db.internal:5432/shop; "
        "(Background: https://example.org/e)"
    )
    assert one_line(ValueError()) == "ValueError"
    assert len(one_line(ValueError("x" * 5000))) == 400
