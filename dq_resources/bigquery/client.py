"""The google-cloud-bigquery client a table uses, and the settings every job it sends carries.

Credentials are Application Default Credentials (a service-account key file named by
GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default login`, or the metadata server
of the machine dq runs on). Every job is labelled as dq's, bounded by `maximum_bytes_billed`
(BigQuery refuses a query that would bill more, before it runs) and by `timeout_seconds`
(dq cancels the job when it is exceeded; BigQuery's own `jobTimeoutMs`, a little later, ends it
even if dq's process is gone).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from google.cloud import bigquery

    from dq_checks.config.sources import BigQuerySourceSpec

JOB_TIMEOUT_GRACE_SECONDS = 30
"""How much later than dq's own deadline BigQuery's `jobTimeoutMs` ends a job: a backstop only."""
LABEL_VALUE = re.compile(r"[^a-z0-9_-]")


def make_client(spec: BigQuerySourceSpec, project: str, api_endpoint: str | None) -> bigquery.Client:
    """A client billing `project`, in the spec's location, with ADC; `api_endpoint` for a private endpoint."""
    from google.cloud import bigquery

    options = {"api_endpoint": api_endpoint} if api_endpoint else None
    return bigquery.Client(project=project, location=spec.location, client_options=options)


def job_config(spec: BigQuerySourceSpec, maximum_bytes_billed: int, *, dry_run: bool = False) -> Any:
    """The QueryJobConfig of every dq job: the bytes guard, dq's labels, BigQuery's own time limit."""
    from google.cloud import bigquery

    return bigquery.QueryJobConfig(
        maximum_bytes_billed=maximum_bytes_billed,
        labels=job_labels(spec),
        job_timeout_ms=round((spec.timeout_seconds + JOB_TIMEOUT_GRACE_SECONDS) * 1000),
        dry_run=dry_run,
        use_query_cache=not dry_run,
    )


def job_labels(spec: BigQuerySourceSpec) -> dict[str, str]:
    """`dq: checks` and the table, in BigQuery's label alphabet, so billing can be read per table."""
    table = LABEL_VALUE.sub("_", spec.table.lower())[:63]
    return {"dq": "checks", "dq_table": table}


def rpc_retry(spec: BigQuerySourceSpec) -> Any:
    """The client's retry, bounded by `connect_timeout_seconds` (its default retries for 10 minutes)."""
    from google.cloud.bigquery.retry import DEFAULT_RETRY

    return DEFAULT_RETRY.with_deadline(spec.connect_timeout_seconds)
