"""What the Athena and Redshift resources share: where AWS is, how often to poll, open and test."""

from __future__ import annotations

from typing import Any

import dagster as dg

from dq_resources.aws.common import default_region
from dq_resources.source_contract.summary import describe_summary


class AwsWarehouseResource(dg.ConfigurableResource):
    """Credentials come from the AWS chain (environment, profile, instance role).

    `region_name` applies where a table's `source.region` is not set; `endpoint_url` points every
    client at another endpoint (a VPC endpoint, or a local emulator in tests). Running queries are
    polled every `poll_seconds`.
    """

    region_name: str | None = None
    endpoint_url: str | None = None
    poll_seconds: float = 1.0

    def open(self, source: Any) -> Any:
        """Locate the table, or raise SourceError naming the source and the cause."""
        raise NotImplementedError

    def _open_table(self, table_class: type, source: Any) -> Any:
        region = default_region(source.region or self.region_name)
        table = table_class(
            source, region=region, endpoint_url=self.endpoint_url, poll_seconds=self.poll_seconds
        )
        table.refresh()
        return table

    def test_connection(self, source: Any) -> str:
        """Reach the service and describe the table: a one-line summary, or SourceError."""
        return describe_summary(self.open(source).describe())
