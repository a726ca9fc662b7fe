"""Where a monitored table lives: `source.type` and its settings, one model per type.

Secrets never sit in a definition: a `sql` URL may hold `${ENV_VAR}` placeholders (resolved when
the source is opened), and AWS credentials come from the usual AWS chain.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from dq_checks.config.strict import StrictModel

QUALIFIED_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,2}$")
FILE_FORMATS = ("parquet", "csv", "json", "xlsx")


DEFAULT_STATEMENT_TIMEOUT_SECONDS = 300.0
DEFAULT_CONNECT_TIMEOUT_SECONDS = 10.0


class SourceLimits(StrictModel):
    """Time limits every source honours, so a source that never answers cannot hang a run.

    `timeout_seconds` bounds each statement the check step sends (a query pushed down, or one
    query of the local engine): past it the statement is cancelled and what needed it is an
    *error*, while the rest of the table goes on. `connect_timeout_seconds` bounds reaching the
    source at all: a connection, a catalog lookup, a file's first bytes.
    """

    timeout_seconds: float = Field(default=DEFAULT_STATEMENT_TIMEOUT_SECONDS, gt=0, le=86_400)
    connect_timeout_seconds: float = Field(default=DEFAULT_CONNECT_TIMEOUT_SECONDS, gt=0, le=3_600)

    @property
    def table_from_asset(self) -> bool:
        """Whether the asset's `dagster/table_name` names the table at run time (a sql source without one)."""
        return False


def _qualified(value: str, what: str) -> str:
    if not QUALIFIED_NAME.match(value):
        raise ValueError(f"{what} {value!r} must be a name like schema.table (letters, digits, underscores)")
    return value


class IcebergSourceSpec(SourceLimits):
    """An Iceberg table, found through a catalog named in pyiceberg's own configuration (sql, glue, rest)."""

    type: Literal["iceberg"]
    catalog: str = Field(min_length=1, description="catalog name in .pyiceberg.yaml or PYICEBERG_CATALOG__*")
    identifier: str = Field(description="namespace.table")
    _definitions_folder: Path | None = PrivateAttr(default=None)

    def defined_in(self, folder: Path) -> IcebergSourceSpec:
        """A copy of this source defined in `folder`: where its catalog's `.pyiceberg.yaml` is looked for.

        Not a key of the YAML: the loader sets it from the definition file's place.
        """
        copy = self.model_copy()
        copy._definitions_folder = folder.resolve()
        return copy

    @property
    def definitions_folder(self) -> Path | None:
        """The folder of the definition that names this source, when it was loaded from one."""
        return self._definitions_folder

    @field_validator("identifier")
    @classmethod
    def _namespaced(cls, value: str) -> str:
        parts = value.split(".")
        if len(parts) < 2 or not all(parts):
            raise ValueError(f"identifier must be 'namespace.table', got {value!r}")
        return value

    def display(self) -> str:
        """A short human name for messages."""
        return f"iceberg:{self.catalog}/{self.identifier}"

    @property
    def table_name(self) -> str:
        """The table's own name where the data lives."""
        return self.identifier


class AthenaSourceSpec(SourceLimits):
    """A table in the Glue Data Catalog, queried through Athena (plans compiled to Trino SQL)."""

    type: Literal["athena"]
    database: str = Field(min_length=1)
    table: str = Field(min_length=1)
    workgroup: str = "primary"
    output_location: str | None = Field(default=None, pattern=r"^s3://")
    catalog: str = "AwsDataCatalog"
    region: str | None = None

    @field_validator("database", "table")
    @classmethod
    def _names(cls, value: str) -> str:
        return _qualified(value, "name")

    def display(self) -> str:
        """A short human name for messages."""
        return f"athena:{self.database}.{self.table}"

    @property
    def table_name(self) -> str:
        """The table's own name where the data lives."""
        return f"{self.database}.{self.table}"


class RedshiftSourceSpec(SourceLimits):
    """A table in Redshift, queried through the Redshift Data API (serverless workgroup or cluster)."""

    type: Literal["redshift"]
    database: str = Field(min_length=1)
    table: str = Field(description="schema.table")
    workgroup_name: str | None = None
    cluster_identifier: str | None = None
    db_user: str | None = None
    secret_arn: str | None = None
    region: str | None = None

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        return _qualified(value, "table")

    @model_validator(mode="after")
    def _one_target(self) -> RedshiftSourceSpec:
        if (self.workgroup_name is None) == (self.cluster_identifier is None):
            raise ValueError("give exactly one of workgroup_name (serverless) or cluster_identifier")
        return self

    def display(self) -> str:
        """A short human name for messages."""
        return f"redshift:{self.workgroup_name or self.cluster_identifier}/{self.database}.{self.table}"

    @property
    def table_name(self) -> str:
        """The table's own name where the data lives."""
        return self.table


class SqlSourceSpec(SourceLimits):
    """A table in any SQLAlchemy database: `url:` (with `${ENV_VAR}` placeholders) or a named `resource:`.

    Placeholders keep secrets out of the file, but a definition must not become a way to read any
    variable of the process that runs it (an API key put into the database name comes back in the
    error message). So a placeholder may name only a variable whose name starts with `DQ_`, or one
    the definition lists under `env:`; any other is a definition problem (`dq validate` exits 2)
    and is never read. The value of every substituted variable is hidden (`***`) in every message
    the source produces: errors, logs, the results store, not only the password field.
    """

    type: Literal["sql"]
    env: list[str] = Field(
        default_factory=list, description="variables besides DQ_* that `${NAME}` in the url may name"
    )
    url: str | None = None
    resource: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    table: str | None = Field(
        default=None,
        description="schema.table; may be left out with `asset:`, whose `dagster/table_name` then names it",
    )

    @field_validator("env")
    @classmethod
    def _variable_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not VARIABLE_NAME.fullmatch(name):
                raise ValueError(
                    f"{name!r} is not an environment variable name (letters, digits, underscores)"
                )
        return value

    @field_validator("url")
    @classmethod
    def _known_placeholders(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        listed = info.data.get("env", [])
        refused = [name for name in url_placeholders(value) if not placeholder_allowed(name, listed)]
        if refused:
            names = ", ".join(f"${{{name}}}" for name in refused)
            raise ValueError(
                f"{names} may not be used: a url may name only DQ_* variables and those listed under env:"
            )
        return value

    @field_validator("table")
    @classmethod
    def _table(cls, value: str | None) -> str | None:
        return None if value is None else _qualified(value, "table")

    @model_validator(mode="after")
    def _one_connection(self) -> SqlSourceSpec:
        if (self.url is None) == (self.resource is None):
            raise ValueError("give exactly one of url or resource")
        return self

    def display(self) -> str:
        """A short human name for messages; never the URL, which may carry a password."""
        where = self.resource or _url_scheme(self.url or "")
        return f"sql:{where}/{self.table or ASSET_TABLE_NAME}"

    @property
    def table_name(self) -> str:
        """The table's own name where the data lives (the placeholder until the asset names it)."""
        return self.table or ASSET_TABLE_NAME

    @property
    def table_from_asset(self) -> bool:
        """True without `table:`: the asset's `dagster/table_name` names the table when the checks run."""
        return self.table is None


ASSET_TABLE_NAME = "<dagster/table_name>"
"""What a `sql` source without `table:` shows until its asset's `dagster/table_name` names the table."""


PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""`${NAME}` in a sql url."""
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PLACEHOLDER_PREFIX = "DQ_"


def url_placeholders(url: str) -> list[str]:
    """The variable names `${NAME}` placeholders in `url` refer to, in order."""
    return [match.group(1) for match in PLACEHOLDER.finditer(url)]


def placeholder_allowed(name: str, listed: Collection[str]) -> bool:
    """A url may read `DQ_*` variables and those its definition lists under `env:`, nothing else."""
    return name.startswith(PLACEHOLDER_PREFIX) or name in listed


class FileSourceSpec(SourceLimits):
    """A Parquet, CSV, JSON or Excel file, local or on `s3://`."""

    type: Literal["file"]
    path: str = Field(min_length=1)
    format: Literal["parquet", "csv", "json", "xlsx"] | None = None
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    encoding: str | None = None
    header: bool = True
    sheet: str | None = None

    @property
    def file_format(self) -> str:
        """`format`, or the path's extension."""
        if self.format is not None:
            return self.format
        suffix = self.path.rsplit(".", 1)[-1].lower() if "." in self.path else ""
        aliases = {"pq": "parquet", "jsonl": "json", "ndjson": "json", "tsv": "csv", "xls": "xlsx"}
        return aliases.get(suffix, suffix)

    @model_validator(mode="after")
    def _known_format(self) -> FileSourceSpec:
        if self.file_format not in FILE_FORMATS:
            raise ValueError(
                f"cannot tell the format of {self.path!r}; set format: to one of {', '.join(FILE_FORMATS)}"
            )
        return self

    def display(self) -> str:
        """A short human name for messages."""
        return f"file:{self.path}"

    @property
    def table_name(self) -> str:
        """The file's name without folders."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]


CREDENTIAL_VARIABLE = re.compile(r"[A-Z_][A-Z0-9_]*")


def _credential_variable(name: str | None, vendor_prefix: str) -> str | None:
    """The name of the variable a credential is read from: `DQ_*` or the vendor's own (`SNOWFLAKE_*`).

    As with a `sql` url's placeholders, a definition must not become a way to send any variable of
    the process to a server it names.
    """
    if name is None:
        return None
    if not CREDENTIAL_VARIABLE.fullmatch(name):
        raise ValueError(f"{name!r} is not an environment variable name (capitals, digits, underscores)")
    if not name.startswith((PLACEHOLDER_PREFIX, vendor_prefix)):
        raise ValueError(f"{name!r} may not be read: name a DQ_* or {vendor_prefix}* variable")
    return name


class SparkSourceSpec(SourceLimits):
    """A table Spark SQL reads: a catalog table, or files at a path, through a SparkSession.

    The session is local (`master: local[*]`, the default), a cluster (`master: spark://...`,
    `yarn`), or Spark Connect (`remote: sc://...`, also how Databricks clusters are reached).
    `conf` is set on the session (catalogs, Delta or Iceberg extensions the cluster provides).
    """

    type: Literal["spark"]
    table: str | None = Field(
        default=None, description="a catalog table: table, db.table or catalog.db.table"
    )
    path: str | None = Field(default=None, description="files Spark reads in place (Parquet, Delta, ...)")
    format: Literal["parquet", "delta", "iceberg", "orc", "csv", "json"] = "parquet"
    master: str | None = None
    remote: str | None = Field(default=None, pattern=r"^sc://")
    conf: dict[str, str] = Field(default_factory=dict)

    @field_validator("table")
    @classmethod
    def _table(cls, value: str | None) -> str | None:
        return None if value is None else _qualified(value, "table")

    @model_validator(mode="after")
    def _one_place(self) -> SparkSourceSpec:
        if (self.table is None) == (self.path is None):
            raise ValueError("give exactly one of table (a catalog table) or path (files)")
        if self.master is not None and self.remote is not None:
            raise ValueError("give master (a classic session) or remote (Spark Connect), not both")
        return self

    def display(self) -> str:
        """A short human name for messages."""
        return f"spark:{self.table or self.path}"

    @property
    def table_name(self) -> str:
        """The table's own name, or the path's last part."""
        return self.table or (self.path or "").rstrip("/").rsplit("/", 1)[-1]


class DatabricksSourceSpec(SourceLimits):
    """A table in a Databricks SQL warehouse, through databricks-sql-connector.

    The token is read from the variable `token_env` names (a `DQ_*` or `DATABRICKS_*` one).
    `port` is 443 on Databricks; another reaches it through a proxy or a private endpoint
    that listens elsewhere.
    """

    type: Literal["databricks"]
    server_hostname: str = Field(min_length=1)
    http_path: str = Field(min_length=1)
    port: int = Field(default=443, gt=0, lt=65_536)
    table: str = Field(description="catalog.schema.table (or schema.table in the default catalog)")
    token_env: str = "DATABRICKS_TOKEN"

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        return _qualified(value, "table")

    @field_validator("token_env")
    @classmethod
    def _token_variable(cls, value: str) -> str:
        return _credential_variable(value, "DATABRICKS_") or value

    def display(self) -> str:
        """A short human name for messages."""
        return f"databricks:{self.server_hostname}/{self.table}"

    @property
    def table_name(self) -> str:
        """The table's own name where the data lives."""
        return self.table


class SnowflakeSourceSpec(SourceLimits):
    """A table in Snowflake, through snowflake-connector-python.

    Authentication comes from the environment: a password (`password_env`) or a key pair
    (`private_key_file`, with its passphrase in `private_key_passphrase_env` when it has one).
    `host`, `port` and `protocol` reach Snowflake through a private link or a proxy. Names are
    Snowflake's unquoted identifiers: matched case-insensitively (Snowflake stores them in capitals).
    """

    type: Literal["snowflake"]
    account: str = Field(min_length=1)
    user: str = Field(min_length=1)
    database: str = Field(min_length=1)
    table: str = Field(description="schema.table")
    warehouse: str | None = None
    role: str | None = None
    password_env: str | None = None
    private_key_file: str | None = None
    private_key_passphrase_env: str | None = None
    host: str | None = None
    port: int | None = Field(default=None, gt=0, lt=65_536)
    protocol: Literal["https", "http"] = "https"

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        # exactly schema.table: the database is its own setting, and a connection has no schema to assume
        if value.count(".") != 1:
            raise ValueError(f"table {value!r} must be schema.table (the database is set apart)")
        return _qualified(value, "table")

    @field_validator("password_env", "private_key_passphrase_env")
    @classmethod
    def _variables(cls, value: str | None) -> str | None:
        return _credential_variable(value, "SNOWFLAKE_")

    @model_validator(mode="after")
    def _one_credential(self) -> SnowflakeSourceSpec:
        if (self.password_env is None) == (self.private_key_file is None):
            raise ValueError("give exactly one of password_env or private_key_file (key-pair authentication)")
        return self

    def display(self) -> str:
        """A short human name for messages."""
        return f"snowflake:{self.account}/{self.database}.{self.table}"

    @property
    def table_name(self) -> str:
        """The table's own name where the data lives."""
        return f"{self.database}.{self.table}"


BIGQUERY_TABLE = re.compile(r"^([a-z][a-z0-9\-]{4,61}[a-z0-9]\.)?[A-Za-z0-9_]+\.[A-Za-z0-9_\-]+$")
"""`project.dataset.table` or `dataset.table`: a project id may hold hyphens."""


class BigQuerySourceSpec(SourceLimits):
    """A BigQuery table, through google-cloud-bigquery; credentials from Application Default Credentials.

    `maximum_bytes_billed` guards every query: BigQuery refuses one that would bill more, before
    it runs. `project` is the project that runs (and pays for) the queries.
    """

    type: Literal["bigquery"]
    table: str = Field(description="project.dataset.table, or dataset.table in `project`")
    project: str | None = None
    location: str | None = None
    maximum_bytes_billed: int | None = Field(default=None, gt=0)

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        if not BIGQUERY_TABLE.match(value):
            raise ValueError(f"table {value!r} must be project.dataset.table or dataset.table")
        return value

    def display(self) -> str:
        """A short human name for messages."""
        return f"bigquery:{self.table}"

    @property
    def table_name(self) -> str:
        """The table's own name where the data lives."""
        return self.table


class DuckDBSourceSpec(SourceLimits):
    """A table in a DuckDB database file (dbt-duckdb's output), or in MotherDuck (`md:`), read in place.

    The file is opened read-only, so dq never locks out its writer and can change nothing.
    """

    type: Literal["duckdb"]
    path: str = Field(min_length=1, description="the database file, or md:<database>")
    table: str = Field(description="table, schema.table or catalog.schema.table")

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        return _qualified(value, "table")

    def display(self) -> str:
        """A short human name for messages."""
        return f"duckdb:{self.path}/{self.table}"

    @property
    def table_name(self) -> str:
        """The table's own name where the data lives."""
        return self.table


def _url_scheme(url: str) -> str:
    return url.split("://", 1)[0] if "://" in url else "database"


SourceSpec = Annotated[
    IcebergSourceSpec
    | AthenaSourceSpec
    | RedshiftSourceSpec
    | SqlSourceSpec
    | FileSourceSpec
    | SparkSourceSpec
    | DatabricksSourceSpec
    | SnowflakeSourceSpec
    | BigQuerySourceSpec
    | DuckDBSourceSpec,
    Field(discriminator="type"),
]
