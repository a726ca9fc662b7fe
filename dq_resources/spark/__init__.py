"""The `spark` source: a catalog table or files, read by Spark SQL through a SparkSession."""

from dq_resources.spark.resource import SparkSourceResource

__all__ = ["SparkSourceResource"]
