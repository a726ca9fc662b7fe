"""Where dq keeps what it produces: the alert store, the results store, report artifacts, proposals.

Each location is resolved exactly as the deployment resolves it (alerts.yaml's `store`,
`DQ_RESULTS_URL`, `DQ_ARTIFACTS_DIR`, `DQ_PROPOSALS_DIR`, with the same defaults), so the doctor
checks the place that will really be used.
"""

from __future__ import annotations

import os

from dq_assets.doctor.context import DoctorContext
from dq_assets.doctor.locations import check_location
from dq_assets.doctor.model import Finding, error
from dq_assets.doctor.sql_stores import alerts_schema, check_sql_store, results_schema

ALERT_STORE = "alert store"
RESULTS_STORE = "results store"
ARTIFACTS = "artifacts"
PROPOSALS = "proposals"


def check_alert_store(context: DoctorContext) -> list[Finding]:
    """alerts.yaml's `store`: `url_env` set, or `url`, else the sqlite default; reachable, schema known."""
    from dq_resources.alerts.defaults import DEFAULT_STORE_URL

    spec = context.alerting.config.store
    if spec.url_env is not None:
        url = os.environ.get(spec.url_env)
        if not url:
            return [
                error(
                    ALERT_STORE,
                    f"{spec.url_env} (alerts.yaml store.url_env) is not set",
                    f"export {spec.url_env}=postgresql://user:password@host:5432/db "
                    "(it may be the database of Dagster's storage)",
                )
            ]
        return [check_sql_store(ALERT_STORE, url, url_from=spec.url_env, schema=alerts_schema())]
    if spec.url is not None:
        where = f"store.url in {context.alerting.path}"
        return [check_sql_store(ALERT_STORE, spec.url, url_from=where, schema=alerts_schema())]
    default = f"store.url (or store.url_env) in {context.alerting.path}"
    return [check_sql_store(ALERT_STORE, DEFAULT_STORE_URL, url_from=default, schema=alerts_schema())]


def check_results_store(context: DoctorContext) -> list[Finding]:
    """`DQ_RESULTS_URL`, else the sqlite default: reachable, schema known."""
    from dq_assets.source_resources import RESULTS_URL_ENV
    from dq_resources.results.resource import DEFAULT_RESULTS_URL

    url = os.environ.get(RESULTS_URL_ENV) or DEFAULT_RESULTS_URL
    return [check_sql_store(RESULTS_STORE, url, url_from=RESULTS_URL_ENV, schema=results_schema())]


def check_artifacts(context: DoctorContext) -> list[Finding]:
    """`DQ_ARTIFACTS_DIR` (or `.dq/artifacts`) takes a file."""
    from dq_assets.reports.settings import ARTIFACTS_DIR_ENV, DEFAULT_ARTIFACTS_DIR

    location = os.environ.get(ARTIFACTS_DIR_ENV) or DEFAULT_ARTIFACTS_DIR
    return [
        check_location(ARTIFACTS, location, location_from=ARTIFACTS_DIR_ENV, writer="the run tasks' role")
    ]


def check_proposals(context: DoctorContext) -> list[Finding]:
    """`DQ_PROPOSALS_DIR` (or the project's `.dq/proposals/`) takes a file."""
    from dq_checks.config.paths import PROPOSALS_DIR_ENV, proposals_location

    location = proposals_location(context.config_dir)
    return [
        check_location(
            PROPOSALS, location, location_from=PROPOSALS_DIR_ENV, writer="the run tasks' and the CLI's roles"
        )
    ]
