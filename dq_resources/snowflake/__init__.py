"""The `snowflake` source: a table in Snowflake, through snowflake-connector-python."""

from dq_resources.snowflake.resource import SnowflakeSourceResource

__all__ = ["SnowflakeSourceResource"]
