"""`order_summary`: the daily revenue the finance team reads, as a Parquet file.

Plain Python downstream of the dbt `orders` model. dq's checks on `orders` include a blocking
one (`order_id_is_primary_key`): while the orders hold duplicates, this asset does not run, so
the duplicated revenue never reaches finance.
"""

import dagster as dg

from shop_dbt.warehouse import DATA_DIR, warehouse_path

SUMMARY_FILE = DATA_DIR / "order_summary.parquet"

DAILY_REVENUE = """
    select
        order_date,
        count(*) as order_count,
        count(distinct customer_id) as customer_count,
        sum(amount) as revenue
    from main.orders
    where status <> 'cancelled'
    group by order_date
    order by order_date
"""


@dg.asset(
    deps=[dg.AssetKey("orders")],
    kinds={"python", "parquet"},
    description="Orders and revenue per day, for finance (data/order_summary.parquet).",
    metadata={"dagster/uri": SUMMARY_FILE.as_uri()},
)
def order_summary(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Aggregate the `orders` mart per day and write it to a Parquet file."""
    import duckdb
    import pyarrow.parquet as pq

    with duckdb.connect(str(warehouse_path()), read_only=True) as connection:
        table = connection.sql(DAILY_REVENUE).to_arrow_table()
    pq.write_table(table, SUMMARY_FILE)
    context.log.info(f"wrote {table.num_rows} days to {SUMMARY_FILE}")
    return dg.MaterializeResult(metadata={"dagster/row_count": table.num_rows})
