"""Relative file paths in a table definition, read from the folder of the file that names them.

A definition names files: a file source's `path:`, a DuckDB database's `path:`, a Snowflake
`private_key_file:` (a `ruleset_file:` and a drift `baseline: {file: ...}` are read the same way
where they are opened). Read against the working directory, the same definitions meant different
files depending on where `dq` was started, and a table that passed from the repository root
errored from any other folder. Read against the definition's own folder, they mean one file
wherever dq runs: `dq run`, the Dagster code location and `dq doctor` alike.

A path that is absolute, starts with `~`, or has a scheme (`s3://`, `https://`, `md:`) is kept as
written. A Spark source's `path:` is kept too: Spark reads it on its own filesystem (HDFS, DBFS),
where a relative path means that filesystem's working folder, not this machine's.
"""

from __future__ import annotations

import re
from pathlib import Path

from dq_checks.config.models import TableSpec
from dq_checks.config.sources import DuckDBSourceSpec, FileSourceSpec, IcebergSourceSpec, SnowflakeSourceSpec

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
"""`s3:`, `https:`, `md:`, `file:`; at least two letters, so a Windows drive (`C:`) is no scheme."""


def is_local_relative(path: str) -> bool:
    """Whether `path` is a relative local path: no scheme, not absolute, not `~`, not `:memory:`."""
    return bool(path) and not (
        _SCHEME.match(path) or path.startswith("~") or path == ":memory:" or Path(path).is_absolute()
    )


def from_definition(path: str, definition: Path) -> str:
    """`path` as the definition file `definition` means it: a relative local path from its folder."""
    return str((definition.parent / path).resolve()) if is_local_relative(path) else path


def anchored(spec: TableSpec, definition: Path) -> TableSpec:
    """`spec` with its source's relative file paths read from the folder of `definition`.

    An Iceberg source also learns the definitions' folder, where its catalog's configuration is
    looked for when pyiceberg's own lookup does not name the catalog.
    """
    source = spec.source
    if isinstance(source, FileSourceSpec | DuckDBSourceSpec):
        source = source.model_copy(update={"path": from_definition(source.path, definition)})
    elif isinstance(source, SnowflakeSourceSpec) and source.private_key_file is not None:
        key = from_definition(source.private_key_file, definition)
        source = source.model_copy(update={"private_key_file": key})
    elif isinstance(source, IcebergSourceSpec):
        source = source.defined_in(definition.parent)
    return spec if source is spec.source else spec.model_copy(update={"source": source})
