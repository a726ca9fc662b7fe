"""From a source's failure message to the fix: which variable to set, which IAM actions to grant.

Every source failure is one SourceError whose text names the cause (dq_resources/source_contract/errors.py),
so the hint is read off that text, most specific pattern first. The IAM lists are the calls each
source really makes (see dq_resources/aws/ and dq_resources/files/s3.py), plus what AWS checks
behind them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from dq_checks.config.sources import (
    AthenaSourceSpec,
    FileSourceSpec,
    IcebergSourceSpec,
    RedshiftSourceSpec,
    SourceSpec,
    SqlSourceSpec,
)

ATHENA_ACTIONS = (
    "athena:StartQueryExecution, athena:GetQueryExecution, athena:GetQueryResults, athena:StopQueryExecution "
    "(and athena:GetDataCatalog for a non-default catalog) on the workgroup; glue:GetTable, glue:GetDatabase "
    "on the table; s3:GetObject, s3:ListBucket on its data; s3:PutObject, s3:GetObject, s3:GetBucketLocation "
    "on the output location"
)
REDSHIFT_ACTIONS = (
    "redshift-data:ExecuteStatement, redshift-data:DescribeStatement, redshift-data:GetStatementResult, "
    "redshift-data:CancelStatement, redshift-data:DescribeTable; plus redshift-serverless:GetCredentials "
    "(workgroup_name), redshift:GetClusterCredentials (cluster_identifier with db_user) or "
    "secretsmanager:GetSecretValue (secret_arn)"
)
S3_FILE_ACTIONS = "s3:GetObject on the file and s3:ListBucket on its bucket (so a missing file reads as 404)"
ICEBERG_GLUE_ACTIONS = (
    "glue:GetTable, glue:GetDatabase on the table, and s3:GetObject, s3:ListBucket on its files"
)
CREDENTIALS = "AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the task's IAM role"


@dataclass(frozen=True)
class Hint:
    """A pattern in the failure text and the fix it calls for."""

    pattern: re.Pattern[str]
    fix: Callable[[re.Match[str], SourceSpec, str], str]


def _iam_actions(source: SourceSpec) -> str:
    if isinstance(source, AthenaSourceSpec):
        return ATHENA_ACTIONS
    if isinstance(source, RedshiftSourceSpec):
        return REDSHIFT_ACTIONS
    if isinstance(source, IcebergSourceSpec):
        return f"what catalog {source.catalog!r} needs: for a Glue catalog, {ICEBERG_GLUE_ACTIONS}"
    return S3_FILE_ACTIONS


def _access(_match: re.Match[str], source: SourceSpec, where: str) -> str:
    return f"grant the role dq runs as {_iam_actions(source)}"


def _not_found(_match: re.Match[str], source: SourceSpec, where: str) -> str:
    if isinstance(source, AthenaSourceSpec):
        what = f"database {source.database!r} and table {source.table!r} (aws glue get-table)"
    elif isinstance(source, RedshiftSourceSpec):
        what = f"table {source.table!r} in database {source.database!r} and the workgroup or cluster"
    elif isinstance(source, IcebergSourceSpec):
        what = f"identifier {source.identifier!r} in catalog {source.catalog!r}"
    elif isinstance(source, FileSourceSpec):
        what = f"path {source.path!r} (the file must exist when the check runs)"
    else:
        what = f"table {source.table!r} (schema.table) and that the user may see it (GRANT SELECT)"
    return f"check {what} in {where}"


def _connection(_match: re.Match[str], source: SourceSpec, where: str) -> str:
    return f"check the host and port in the url of {where}, and that this machine may reach the database"


def _login(_match: re.Match[str], source: SourceSpec, where: str) -> str:
    return f"check the user and password in the url of {where} (and the variables its ${{...}} name)"


HINTS: tuple[Hint, ...] = (
    Hint(
        re.compile(r"environment variable ([A-Za-z_][A-Za-z0-9_]*) \(used in url\) is not set"),
        lambda m, s, w: f"export {m.group(1)}=...: the url in {w} uses ${{{m.group(1)}}}",
    ),
    Hint(
        re.compile(r"no connection named '([A-Za-z_][A-Za-z0-9_]*)'"),
        lambda m, s, w: (
            f"export DQ_SQL__{m.group(1).upper()}__URL=<SQLAlchemy URL> (named by resource: in {w})"
        ),
    ),
    Hint(
        re.compile(r"iceberg catalog '([^']+)' has no database yet: run `dq demo seed`"),
        lambda m, s, w: "run `dq demo seed` (from any folder) to create the demo warehouse",
    ),
    Hint(
        re.compile(r"iceberg catalog '([^']+)' has no database yet"),
        lambda m, s, w: (
            f"create catalog {m.group(1)!r} (its first table creates its database) or correct its uri"
        ),
    ),
    Hint(
        re.compile(r"iceberg catalog '([^']+)' is not configured"),
        lambda m, s, w: (
            f"add catalog {m.group(1)!r} to the project's .pyiceberg.yaml (beside pyproject.toml or in the "
            f"definitions' folder) or set PYICEBERG_CATALOG__{m.group(1).upper()}__URI"
        ),
    ),
    Hint(
        re.compile(r"iceberg catalog '([^']+)' is not usable \(\(sqlite3\.OperationalError\) unable to open"),
        lambda m, s, w: (
            f"catalog {m.group(1)!r} is a sqlite file that does not exist yet: seed it "
            "(`dq demo seed` for the demo) or correct its uri in .pyiceberg.yaml or "
            f"PYICEBERG_CATALOG__{m.group(1).upper()}__URI"
        ),
    ),
    Hint(
        re.compile(r"iceberg catalog '([^']+)' is not usable"),
        lambda m, s, w: (
            f"correct catalog {m.group(1)!r}'s properties where the message says it is configured "
            "(the cause is in the parentheses)"
        ),
    ),
    Hint(
        re.compile(
            r"no AWS credentials|Unable to locate credentials|NoCredentialsError|security token", re.I
        ),
        lambda m, s, w: f"give this process AWS credentials: {CREDENTIALS}",
    ),
    Hint(
        re.compile(r"You must specify a region|NoRegionError", re.I),
        lambda m, s, w: f"set AWS_REGION (or `region:` in {w})",
    ),
    Hint(
        re.compile(r"AccessDenied|access denied|not authorized|UnauthorizedOperation|Forbidden", re.I),
        _access,
    ),
    Hint(
        re.compile(r"Could not connect to the endpoint URL|EndpointConnectionError", re.I),
        lambda m, s, w: "check the network path to AWS (AWS_ENDPOINT_URL, a VPC endpoint, a proxy)",
    ),
    Hint(
        re.compile(r"database \"[^\"]+\" does not exist", re.I),
        lambda m, s, w: f"create the database, or correct the url in {w}",
    ),
    Hint(re.compile(r"password authentication failed|role \"[^\"]+\" does not exist", re.I), _login),
    Hint(
        re.compile(
            r"connection refused|could not translate host name|timeout expired|could not connect", re.I
        ),
        _connection,
    ),
    Hint(
        re.compile(r"Can't load plugin|No module named", re.I),
        lambda m, s, w: (
            "install the database's SQLAlchemy dialect and driver (pip install 'dq[snowflake]' for Snowflake)"
        ),
    ),
    Hint(
        re.compile(r"bucket '([^']+)' does not exist"),
        lambda m, s, w: f"create bucket {m.group(1)!r} or correct the path in {w}",
    ),
    Hint(re.compile(r"not found|no such file|no object|does not exist", re.I), _not_found),
)


def source_fix(source: SourceSpec, detail: str, where: str) -> str:
    """The fix for `detail`, the failure of `source` defined at `where` (path:line)."""
    for hint in HINTS:
        match = hint.pattern.search(detail)
        if match is not None:
            return hint.fix(match, source, where)
    if isinstance(source, SqlSourceSpec):
        return f"check the connection in {where}; `dq sources test` gives the same answer"
    return f"check the source in {where}; `dq sources test` gives the same answer"
