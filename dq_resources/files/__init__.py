"""Parquet, CSV, JSON and Excel files, local or on S3, scanned by the local DuckDB engine.

pyarrow, DuckDB, openpyxl and boto3 are imported inside functions: loading the code
location must stay light.
"""

from dq_resources.files.resource import FileSourceResource, FileTable

__all__ = ["FileSourceResource", "FileTable"]
