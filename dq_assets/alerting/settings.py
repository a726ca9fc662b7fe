"""The alerting settings for a definitions folder, and the store resource they name.

Dagster and the store's resource are imported only where a resource is built: `dq validate`
and `dq run` read the settings through this module, and validating definitions needs no Dagster.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from dq_checks.config.alerting import AlertStoreSpec
from dq_checks.config.alerting_loader import LoadedAlerting, alerting_config_path, load_alerting
from dq_checks.config.loader import LoadedConfig

if TYPE_CHECKING:
    from dq_resources.alerts.resource import AlertStoreResource
    from dq_resources.alerts.store import AlertStore


def load_alerting_for(config_dir: Path, loaded: LoadedConfig) -> LoadedAlerting:
    """`alerts.yaml` beside `config_dir` (or `$DQ_ALERTS_CONFIG`), checked against the loaded tables."""
    return load_alerting(alerting_config_path(config_dir), loaded.tables)


def alert_store_resource(spec: AlertStoreSpec) -> AlertStoreResource:
    """`url_env` becomes an EnvVar (the password stays out of the UI); else `url`; else the sqlite default."""
    import dagster as dg

    from dq_resources.alerts.resource import DEFAULT_STORE_URL, AlertStoreResource

    if spec.url_env is not None:
        return AlertStoreResource(url=dg.EnvVar(spec.url_env))
    return AlertStoreResource(url=spec.url or DEFAULT_STORE_URL)


def open_alert_store(alerting: LoadedAlerting) -> AlertStore:
    """The configured store outside Dagster (the CLI): its `url_env` read the way Dagster's EnvVar reads it.

    It opens the store directly, not through the resource: building a Dagster resource imports
    Dagster and makes an ephemeral instance, most of a `dq alerts` command's time. An unset
    `url_env` is a StoreUnavailable naming the variable, as any other unusable store is.
    """
    from dq_resources.alerts.defaults import DEFAULT_STORE_URL
    from dq_resources.alerts.store import AlertStore

    spec = alerting.config.store
    if spec.url_env is None:
        return AlertStore.connect(spec.url or DEFAULT_STORE_URL)
    url = os.environ.get(spec.url_env)
    if not url:
        from dq_resources.sqlstore.unavailable import StoreUnavailable

        raise StoreUnavailable(f"alert store: {spec.url_env} (store.url_env in alerts.yaml) is not set")
    return AlertStore.connect(url)
