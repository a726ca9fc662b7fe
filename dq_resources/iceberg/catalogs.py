"""Load Iceberg catalogs by name from pyiceberg's own configuration, read afresh each time.

pyiceberg reads `.pyiceberg.yaml` and the `PYICEBERG_CATALOG__*` variables once, when
`pyiceberg.catalog` is first imported. Reading them again on every load means a catalog
configured later in the process (by a test, a notebook, a long-lived code server after
its environment changed) is seen. A catalog pyiceberg's lookup does not name is looked for in the
project's `.pyiceberg.yaml` above the definitions (`dq_resources.iceberg.catalog_lookup`).

A catalog loaded for a source is bounded by the source's limits (`bounded_properties`): left
to their defaults, a REST catalog, a Postgres-backed sql catalog or Glue that accepts a
connection and never answers would hold a run forever.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dq_resources.iceberg.catalog_lookup import FoundCatalog, find_catalog

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog

    from dq_checks.config.sources import SourceLimits


_INTEGER_PROPERTIES = ("glue.max-retries",)
"""Properties pyiceberg hands to boto unconverted, where boto needs an int.

`.pyiceberg.yaml` and the environment give every value as a string, and botocore's
`Config(retries={"max_attempts": "3"})` raises TypeError, so without this a configured
`glue.max-retries` made the catalog unusable. A value of 0 still fails for a catalog that was
already configured when pyiceberg was imported: `load_catalog` merges its import-time configuration
back in with `new or old`, and 0 is falsy.
"""

S3_CONNECT_TIMEOUT = "s3.connect-timeout"
S3_REQUEST_TIMEOUT = "s3.request-timeout"


class CatalogNotConfigured(ValueError):
    """No configuration file or variable names the catalog; the message lists the files looked in."""


def configured_catalog(name: str, definitions: Path | None = None) -> FoundCatalog:
    """Catalog `name` as configured; CatalogNotConfigured names the files looked in when nothing is.

    `definitions` is the folder of the definition naming it, where the project's `.pyiceberg.yaml`
    is looked for when pyiceberg's own lookup does not name the catalog.
    """
    found = find_catalog(name, definitions)
    if not found.configured:
        raise CatalogNotConfigured(found.not_configured())
    return replace(found, properties=_usable(found.properties))


def _usable(found: dict[str, Any]) -> dict[str, Any]:
    properties = dict(found)
    for key in _INTEGER_PROPERTIES:
        value = properties.get(key)
        if isinstance(value, str):
            try:
                properties[key] = int(value)
            except ValueError:
                raise ValueError(f"{key} must be an integer, got {value!r}") from None
    return properties


def catalog_kind(name: str, properties: dict[str, Any]) -> str:
    """`rest`, `sql`, `glue`, ...: the `type` property, or what pyiceberg infers from the URI."""
    from pyiceberg.catalog import infer_catalog_type

    kind = properties.get("type")
    if isinstance(kind, str) and kind:
        return kind.lower()
    inferred = infer_catalog_type(name, properties)
    return inferred.value if inferred is not None else ""


def load_named_catalog(
    name: str, limits: SourceLimits | None = None, definitions: Path | None = None
) -> Catalog:
    """The catalog called `name` in `.pyiceberg.yaml` or `PYICEBERG_CATALOG__<NAME>__*`.

    With `limits`, every request the catalog makes (and its FileIO's S3 requests) is bounded by
    `connect_timeout_seconds`, and each statement of a Postgres-backed sql catalog by
    `timeout_seconds`. A setting the catalog's own configuration gives is kept. `definitions`:
    see `configured_catalog`. A catalog nothing names raises CatalogNotConfigured.
    """
    return load_found_catalog(configured_catalog(name, definitions), limits)


def load_found_catalog(found: FoundCatalog, limits: SourceLimits | None = None) -> Catalog:
    """The catalog `found` configures, bounded by `limits` (see `load_named_catalog`)."""
    from pyiceberg.catalog import load_catalog

    name, properties = found.name, found.properties
    if limits is None:
        return load_catalog(name, **properties)
    kind = catalog_kind(name, properties)
    bounded = bounded_properties(kind, properties, limits)
    if kind == "rest":
        from dq_resources.iceberg.rest import BoundedRestCatalog

        return BoundedRestCatalog(name, request_timeout=limits.connect_timeout_seconds, **bounded)
    return load_catalog(name, **bounded)


def bounded_properties(kind: str, properties: dict[str, Any], limits: SourceLimits) -> dict[str, Any]:
    """`properties` with the time limits of `limits` added where the catalog's kind takes them."""
    bounded = dict(properties)
    seconds = f"{limits.connect_timeout_seconds:g}"
    bounded.setdefault(S3_CONNECT_TIMEOUT, seconds)
    bounded.setdefault(S3_REQUEST_TIMEOUT, seconds)
    if kind == "sql" and isinstance(bounded.get("uri"), str):
        bounded["uri"] = bounded_sql_uri(bounded["uri"], limits)
    if kind == "glue":
        from dq_resources.aws.common import MAX_ATTEMPTS, botocore_session

        bounded.setdefault("botocore_session", botocore_session(limits))
        # pyiceberg's own default is 10 retries: ten timeouts and their back-off before an answer.
        bounded.setdefault("glue.max-retries", MAX_ATTEMPTS - 1)
    return bounded


def bounded_sql_uri(uri: str, limits: SourceLimits) -> str:
    """A Postgres catalog URI with libpq's `connect_timeout` and a `statement_timeout`, unless it has them.

    pyiceberg's sql catalog takes no connection arguments but its URI, whose query psycopg2
    hands to libpq. libpq counts `connect_timeout` in whole seconds, at least 2.
    """
    from sqlalchemy.engine import make_url

    url = make_url(uri)
    if url.get_backend_name() != "postgresql" or url.get_driver_name() not in ("psycopg2", ""):
        return uri
    query: dict[str, str] = {}
    if "connect_timeout" not in url.query:
        query["connect_timeout"] = str(max(2, round(limits.connect_timeout_seconds)))
    if "options" not in url.query:
        query["options"] = f"-c statement_timeout={round(limits.timeout_seconds * 1000)}"
    return url.update_query_dict(query).render_as_string(hide_password=False) if query else uri


def timed_out(error: BaseException) -> bool:
    """Whether `error`, or an error it was raised from, is a connect or read timeout of a catalog client.

    Each client says it its own way: requests raises `Timeout`, botocore `ConnectTimeoutError` or
    `ReadTimeoutError`, libpq "timeout expired" (wrapped by SQLAlchemy), sockets `TimeoutError`.
    """
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
    from requests.exceptions import Timeout

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, Timeout | ConnectTimeoutError | ReadTimeoutError | TimeoutError):
            return True
        if "timeout expired" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False
