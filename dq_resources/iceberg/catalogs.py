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


_INTEGER_PROPERTIES = ("glue.max-retries",)
"""Properties pyiceberg hands to boto unconverted, where boto needs an int.

`.pyiceberg.yaml` and the environment give every value as a string, and botocore's
`Config(retries={"max_attempts": "3"})` raises TypeError, so without this a configured
`glue.max-retries` made the catalog unusable. A value of 0 still fails for a catalog that was
already configured when pyiceberg was imported: `load_catalog` merges its import-time configuration
back in with `new or old`, and 0 is falsy.
"""


def catalog_properties(name: str) -> dict[str, Any]:
    """The configured properties of catalog `name` (empty when it is not configured)."""
    from pyiceberg.utils.config import Config

    properties = dict(Config().get_catalog_config(name) or {})
    for key in _INTEGER_PROPERTIES:
        value = properties.get(key)
        if isinstance(value, str):
            try:
                properties[key] = int(value)
            except ValueError:
                raise ValueError(f"{key} must be an integer, got {value!r}") from None
    return properties


def load_named_catalog(name: str) -> Catalog:
    """The catalog called `name` in `.pyiceberg.yaml` or `PYICEBERG_CATALOG__<NAME>__*`."""
    from pyiceberg.catalog import load_catalog

    return load_catalog(name, **catalog_properties(name))
