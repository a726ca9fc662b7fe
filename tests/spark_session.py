"""The one SparkSession of a test run: local, two cores, no UI, its warehouse in pytest's tmp.

Spark takes seconds to start and a process holds one SparkContext, so every test that needs
Spark shares this session-scoped fixture (registered in `tests/conftest.py`); the `spark`
source's resource finds it running and reuses it. Without `java` on the PATH the tests skip
(or fail, with DQ_REQUIRE_SPARK=1): `make test` installs a JRE where it can.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
}


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """A classic local[2] session for the whole run, stopped at its end."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        message = "Spark needs Java: no `java` on the PATH"
        if os.environ.get("DQ_REQUIRE_SPARK") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    builder = SparkSession.builder.master("local[2]").config("spark.sql.warehouse.dir", str(warehouse))
    session = builder.config(map=SPARK_CONF).getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
