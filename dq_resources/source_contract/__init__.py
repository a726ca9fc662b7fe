"""What every table source promises the check step, and what the sources share. No source lives here.

Each source is a package of its own beside this one: `dq_resources/iceberg/`, `files/`, `sql/` and
`aws/` (Athena, Redshift). A new source goes in a new package there: a ConfigurableResource whose
`open(spec)` returns an `OpenedTable` (`table.py`), for a spec declared in `dq_checks/config/sources.py`
and registered by its `type` in `dq_assets/source_resources.py`. Here:

- `table.py`: the contract (`OpenedTable`, `SourceResource`, `ReferenceRequest`) and the sample cap;
- `runner.py`: `SourceRunner`, the query runner a source hands out, with its references;
- `errors.py`: `SourceError` and `source_error`, the one redacting way a source fails;
- `local_scan.py`: what the sources streamed into the local DuckDB engine share (Iceberg, files);
- `pushdown.py`: what the sources that push SQL down share (sql, Athena, Redshift);
- `summary.py`: the one line `test_connection` answers with.
"""

from dq_resources.source_contract.errors import SourceError, redact, source_error
from dq_resources.source_contract.table import (
    MAX_SAMPLE_ROWS,
    OpenedTable,
    ReferenceRequest,
    SourceResource,
    capped_sample_size,
)

__all__ = [
    "MAX_SAMPLE_ROWS",
    "OpenedTable",
    "ReferenceRequest",
    "SourceError",
    "SourceResource",
    "capped_sample_size",
    "redact",
    "source_error",
]
