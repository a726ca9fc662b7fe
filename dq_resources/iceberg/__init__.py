"""Iceberg tables through pyiceberg, scanned by the local DuckDB engine.

pyiceberg is imported inside functions: loading the code location must stay light.
"""

from dq_resources.iceberg.resource import IcebergCatalogResource

__all__ = ["IcebergCatalogResource"]
