"""What the Athena and Redshift sources share: where AWS is, how often to poll, open and test.

A table of either kind can read, in the same statement, another table of its kind at the same
`location_key` (Athena: endpoint, region and catalog; Redshift: target, database and user).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import dagster as dg
from sqlglot import exp

from dq_resources.aws.common import default_region
from dq_resources.source_contract.summary import describe_summary
from dq_resources.source_contract.table import OpenedTable

if TYPE_CHECKING:
    from dq_checks.partitions.row_slice import RowSlice


class AwsWarehouseTable:
    """An Athena or Redshift table: its spec, where its service is, and the references it can read."""

    kind: ClassVar[str]
    """What a table of this class is, in a message: `an Athena table`."""
    statements: ClassVar[str]
    """What runs over it, in a message: `Athena queries`."""
    relation: exp.Table

    def __init__(
        self, spec: Any, *, region: str | None, endpoint_url: str | None, poll_seconds: float
    ) -> None:
        self.name = spec.display()
        self.spec = spec
        self.region = region
        self.endpoint_url = endpoint_url
        self.poll_seconds = poll_seconds

    @property
    def location_key(self) -> tuple[Any, ...]:
        """Tables with the same key can be read by one statement."""
        raise NotImplementedError

    def elsewhere(self, other: Any) -> str:
        """Why `other`, a table of this kind at another location key, cannot be read with this one."""
        raise NotImplementedError

    def pruned(self, row_slice: RowSlice) -> AwsWarehouseTable:
        """Itself: a partition's filter reaches the warehouse with each query."""
        return self

    def reference_relation(self, other: OpenedTable) -> exp.Table | str:
        """`other` when one statement over this table can read it (same kind, same location); else why not."""
        if not isinstance(other, type(self)):
            return f"{other.name} is not {self.kind}; {self.statements} over {self.name} cannot read it"
        if other.location_key != self.location_key:
            return self.elsewhere(other)
        return other.relation.copy()


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
