"""Load Iceberg catalogs by name from pyiceberg's own configuration, read afresh each time.

pyiceberg reads `.pyiceberg.yaml` and the `PYICEBERG_CATALOG__*` variables once, when
`pyiceberg.catalog` is first imported. Reading them again on every load means a catalog
configured later in the process (by a test, a notebook, a long-lived code server after
its environment changed) is seen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog


def catalog_properties(name: str) -> dict[str, Any]:
    """The configured properties of catalog `name` (empty when it is not configured)."""
    from pyiceberg.utils.config import Config

    return dict(Config().get_catalog_config(name) or {})


def load_named_catalog(name: str) -> Catalog:
    """The catalog called `name` in `.pyiceberg.yaml` or `PYICEBERG_CATALOG__<NAME>__*`."""
    from pyiceberg.catalog import load_catalog

    return load_catalog(name, **catalog_properties(name))
