"""Warehouse sources on AWS: Glue tables queried through Athena, and Redshift through its Data API.

The plan is pushed down as SQL in each service's dialect; only aggregates and bounded samples
come back. boto3 is imported inside functions: loading the code location must stay light.
"""

from dq_resources.aws.athena import AthenaRunner, AthenaSourceResource, AthenaTable
from dq_resources.aws.redshift import RedshiftRunner, RedshiftSourceResource, RedshiftTable

__all__ = [
    "AthenaRunner",
    "AthenaSourceResource",
    "AthenaTable",
    "RedshiftRunner",
    "RedshiftSourceResource",
    "RedshiftTable",
]
