"""The file source on real Parquet, CSV, JSON and Excel files, profiled end to end.

Each file is written into tmp_path; a YAML definition `source: {type: file, path: ...}` is
loaded with the real loader, and the real inspect step profiles it through the local
DuckDB engine. The same rows in four formats must give the same profile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlglot import exp

from dq_checks.config.loader import DefinedTable, load_table_specs
from dq_checks.config.sources import FileSourceSpec
from dq_checks.results.inspection import TableInspection
from dq_resources.files import FileSourceResource, FileTable
from dq_resources.source_contract import ReferenceRequest, SourceError
from dq_runs.inspect import inspect_table
from tests.conftest import AWS_TEST_REGION
from tests.silent_server import SilentServer

TIMES = [
    datetime(2026, 1, 1, 8),
    datetime(2026, 1, 2, 9, 30),
    None,
    datetime(2026, 1, 3),
    datetime(2025, 12, 31, 23, 59, 59),
    datetime(2026, 1, 5, 12),
]
SAMPLE = pa.table(
    {
        "id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
        "price": pa.array([1.5, None, 3.25, 0.0, 10.0, -2.5], pa.float64()),
        "name": pa.array(["a", "b", None, "b", "c", None], pa.string()),
        "ok": pa.array([True, False, True, None, False, True], pa.bool_()),
        "at": pa.array(TIMES, pa.timestamp("us")),
    }
)
FORMATS = ("parquet", "csv", "json", "xlsx")

# What every format must profile to: (null_count, distinct_count, min, max) per column.
EXPECTED_COLUMNS = {
    "id": (0, 6, 1, 6),
    "price": (1, 5, -2.5, 10.0),
    "name": (2, 3, "a", "c"),
    "ok": (1, 2, None, None),  # booleans are profiled by their frequencies, without min/max
    "at": (1, 5, "2025-12-31T23:59:59", "2026-01-05T12:00:00"),
}
EXPECTED_SCHEMA = [
    ("id", "long", "numeric"),
    ("price", "double", "numeric"),
    ("name", "string", "string"),
    ("ok", "boolean", "boolean"),
    ("at", "timestamp", "temporal"),
]
FIXED_MTIME = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


# -- writers: the same rows in each format -----------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def write_sample(folder: Path, file_format: str, table: pa.Table = SAMPLE) -> Path:
    path = folder / f"sample.{file_format}"
    rows = table.to_pylist()
    if file_format == "parquet":
        pq.write_table(table, path)
    elif file_format == "csv":
        lines = [",".join(table.column_names)] + [",".join(_text(v) for v in r.values()) for r in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif file_format == "json":
        records = [
            {k: v.isoformat(sep=" ") if isinstance(v, datetime) else v for k, v in r.items()} for r in rows
        ]
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    else:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "data"
        sheet.append(table.column_names)
        for row in rows:
            sheet.append(list(row.values()))
        workbook.save(path)
    stamp = FIXED_MTIME.timestamp()
    os.utime(path, (stamp, stamp))
    return path


def define(folder: Path, source: dict[str, object], table: str = "sample") -> DefinedTable:
    """A definition loaded by the real loader from `<folder>/defs/<table>.yaml`."""
    defs = folder / "defs"
    defs.mkdir(exist_ok=True)
    lines = [f"table: {table}", "source:"] + [f"  {k}: {json.dumps(v)}" for k, v in source.items()]
    (defs / f"{table}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_table_specs(defs)
    loaded.raise_for_problems()
    found = loaded.by_name(table)
    assert found is not None
    return found


def inspect(
    folder: Path, source: dict[str, object], resource: FileSourceResource | None = None
) -> tuple[TableInspection, FileTable]:
    defined = define(folder, source)
    opened = (resource or FileSourceResource()).open(defined.spec.source)
    return inspect_table(defined, opened), opened


def profile_numbers(inspection: TableInspection) -> dict[str, object]:
    profile = inspection.profile
    return {
        "rows": profile.row_count,
        **{
            name: (c.null_count, c.distinct_count, c.min, c.max)
            for name, c in sorted(profile.columns.items())
        },
    }


def assert_sample_profile(inspection: TableInspection) -> None:
    profile = inspection.profile
    assert profile.row_count == 6
    for name, (nulls, distinct, low, high) in EXPECTED_COLUMNS.items():
        column = profile.columns[name]
        assert (column.null_count, column.distinct_count, column.min, column.max) == (
            nulls,
            distinct,
            low,
            high,
        ), name
    assert profile.columns["price"].mean == pytest.approx(2.45)
    assert profile.columns["price"].zeros == 1
    assert profile.columns["price"].negatives == 1
    assert {(v.value, v.count) for v in profile.columns["ok"].top_values} == {(True, 3), (False, 2)}


# -- every format, end to end -------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_each_format_profiles_to_the_same_numbers(tmp_path: Path, file_format: str) -> None:
    path = write_sample(tmp_path, file_format)
    inspection, opened = inspect(tmp_path, {"type": "file", "path": str(path)})

    described = opened.describe()
    assert [(c.name, c.data_type, c.kind.value) for c in described.columns] == EXPECTED_SCHEMA
    # Parquet's footer and the Excel pass know the count; CSV and JSON only once read.
    assert described.row_count == (None if file_format in ("csv", "json") else 6)
    assert described.last_updated == FIXED_MTIME
    assert described.extra["format"] == file_format
    assert_sample_profile(inspection)

    sample = opened.sample(5)
    assert len(sample) == 5
    assert sample["id"].tolist() == [1, 2, 3, 4, 5]
    assert len(opened.sample(1000)) == 6


def test_all_formats_agree_exactly(tmp_path: Path) -> None:
    numbers = {}
    for file_format in FORMATS:
        folder = tmp_path / file_format
        folder.mkdir()
        path = write_sample(folder, file_format)
        numbers[file_format] = profile_numbers(inspect(folder, {"type": "file", "path": str(path)})[0])
    assert numbers["csv"] == numbers["parquet"]
    assert numbers["json"] == numbers["parquet"]
    assert numbers["xlsx"] == numbers["parquet"]


def test_test_connection_answers_with_the_summary_line(tmp_path: Path) -> None:
    resource = FileSourceResource()
    parquet = FileSourceSpec(type="file", path=str(write_sample(tmp_path, "parquet")))
    csv = FileSourceSpec(type="file", path=str(write_sample(tmp_path, "csv")))
    assert resource.test_connection(parquet) == "6 rows, 5 columns, last updated 2026-03-04 05:06 UTC"
    assert resource.test_connection(csv) == "row count unknown, 5 columns, last updated 2026-03-04 05:06 UTC"


def test_data_version_changes_with_the_file(tmp_path: Path) -> None:
    path = write_sample(tmp_path, "csv")
    spec = FileSourceSpec(type="file", path=str(path))
    before = FileSourceResource().open(spec).describe().data_version
    assert FileSourceResource().open(spec).describe().data_version == before  # unchanged file
    path.write_text(path.read_text() + "7,1.0,d,true,2026-01-06 00:00:00\n")
    assert FileSourceResource().open(spec).describe().data_version != before


# -- CSV settings and size ----------------------------------------------------------------------


def test_semicolon_latin1_csv(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    # Latin-1 bytes: é is 0xE9 and ï is 0xEF, which are not valid UTF-8 on their own.
    path.write_bytes("id;name;city\n1;José;Besançon\n2;naïve;Zürich\n3;;Köln\n".encode("latin-1"))
    inspection, _ = inspect(
        tmp_path, {"type": "file", "path": str(path), "delimiter": ";", "encoding": "latin-1"}
    )
    columns = inspection.profile.columns
    assert inspection.profile.row_count == 3
    assert (columns["name"].null_count, columns["name"].min, columns["name"].max) == (1, "José", "naïve")
    assert (columns["city"].min, columns["city"].max) == ("Besançon", "Zürich")
    assert (columns["id"].min, columns["id"].max) == (1, 3)


def test_an_encoding_duckdb_lacks_is_reencoded(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    # cp1252: the euro sign is the single byte 0x80, which DuckDB cannot read as cp1252 itself.
    path.write_bytes("item,label\n1,5 €\n2,10 €\n".encode("cp1252"))
    inspection, _ = inspect(tmp_path, {"type": "file", "path": str(path), "encoding": "cp1252"})
    assert (inspection.profile.columns["label"].min, inspection.profile.columns["label"].max) == (
        "10 €",
        "5 €",
    )


def test_a_large_csv_is_profiled_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rows = 2_000_000
    with path.open("w", encoding="utf-8") as out:
        out.write("id,amount,category,note\n")
        for start in range(0, rows, 100_000):  # written in chunks: the test itself stays small
            out.writelines(
                f"{i},{(i % 1000) / 4},c{i % 7},{'' if i % 10 == 0 else 'x'}\n"
                for i in range(start, start + 100_000)
            )
    resource = FileSourceResource(scan_memory_limit="256MB", load_memory_limit="128MB")
    inspection, _ = inspect(tmp_path, {"type": "file", "path": str(path)}, resource)
    columns = inspection.profile.columns
    assert inspection.profile.row_count == rows
    assert (columns["id"].min, columns["id"].max, columns["id"].distinct_count) == (0, rows - 1, rows)
    assert (columns["amount"].min, columns["amount"].max) == (0.0, 249.75)
    assert columns["category"].distinct_count == 7
    assert columns["note"].null_count == rows // 10  # every tenth note is empty


# -- defects ------------------------------------------------------------------------------------


def test_a_malformed_row_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    # Planted: line 5 has four fields where the header has three.
    path.write_text("id,name,price\n1,a,1.5\n2,b,2.5\n3,c,3.5\n4,secret@example.com,e,f\n5,e,5.5\n")
    with pytest.raises(SourceError) as error:
        inspect(tmp_path, {"type": "file", "path": str(path)})
    message = str(error.value)
    assert message.startswith(f"file:{path}: ")
    assert "line 5" in message
    assert "secret@example.com" not in message  # the row itself may be personal data


def test_a_malformed_row_past_the_sniffed_rows_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    with path.open("w") as out:
        out.write("id,price\n")
        out.writelines(f"{i},{i}.5\n" for i in range(30_000))
        out.write("30000,1.5,extra\n")  # planted: line 30,002 has a third field
        out.writelines(f"{i},{i}.5\n" for i in range(30_001, 30_010))
    with pytest.raises(SourceError, match="line 30002") as error:
        inspect(tmp_path, {"type": "file", "path": str(path)})
    assert str(path) in str(error.value)


def test_leading_rows_are_never_skipped_unseen(tmp_path: Path) -> None:
    path = tmp_path / "wide_last.csv"
    # Planted: only the last row is wider. DuckDB's own guess would take it for the header
    # and skip the rows above it, returning no rows and no error.
    path.write_text("id,name\n1,a\n2,b,c\n")
    with pytest.raises(SourceError, match="line 3"):
        FileSourceResource().open(FileSourceSpec(type="file", path=str(path))).describe()


def test_bytes_that_do_not_decode_name_the_line(tmp_path: Path) -> None:
    native = tmp_path / "native.csv"
    # Planted: a Latin-1 é (0xE9) on line 3 of a file read as UTF-8.
    native.write_bytes(b"id,name\n1,plain\n2,caf\xe9\n")
    with pytest.raises(SourceError, match=r"line 3: Invalid unicode.*utf-8"):
        FileSourceResource().open(FileSourceSpec(type="file", path=str(native))).describe()

    reencoded = tmp_path / "reencoded.csv"
    # Planted: 0x81 on line 4, a byte cp1252 leaves undefined.
    reencoded.write_bytes(b"id,name\n1,a\n2,b\n3,\x81\n")
    spec = FileSourceSpec(type="file", path=str(reencoded), encoding="cp1252")
    with pytest.raises(SourceError, match="line 4: the bytes do not decode as cp1252"):
        FileSourceResource().open(spec).describe()


def test_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")  # planted: zero bytes
    with pytest.raises(SourceError, match="the file is empty") as error:
        inspect(tmp_path, {"type": "file", "path": str(empty)})
    assert str(empty) in str(error.value)

    # A Parquet file with a schema and no rows is an empty table, not an error.
    no_rows = tmp_path / "no_rows.parquet"
    pq.write_table(SAMPLE.slice(0, 0), no_rows)
    folder = tmp_path / "parquet"
    folder.mkdir()
    inspection, opened = inspect(folder, {"type": "file", "path": str(no_rows)})
    assert opened.describe().row_count == 0
    assert inspection.profile.row_count == 0
    assert inspection.profile.columns["price"].null_count == 0

    # Nor is a CSV with a header and no rows.
    header_only = tmp_path / "header_only.csv"
    header_only.write_text("id,name\n")
    folder = tmp_path / "csv"
    folder.mkdir()
    inspection, _ = inspect(folder, {"type": "file", "path": str(header_only)})
    assert inspection.profile.row_count == 0


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found: no such file") as error:
        FileSourceResource().open(FileSourceSpec(type="file", path=str(tmp_path / "nope.parquet")))
    assert f"file:{tmp_path / 'nope.parquet'}" in str(error.value)


def test_an_unknown_sheet_names_the_sheets_there_are(tmp_path: Path) -> None:
    path = write_sample(tmp_path, "xlsx")
    named = FileSourceResource().open(FileSourceSpec(type="file", path=str(path), sheet="data"))
    assert named.describe().row_count == 6
    wrong = FileSourceResource().open(FileSourceSpec(type="file", path=str(path), sheet="Sheet9"))
    with pytest.raises(SourceError, match=r"no sheet 'Sheet9' \(sheets: 'data'\)") as error:
        wrong.describe()
    assert str(path) in str(error.value)


def test_excel_columns_take_the_type_of_all_their_values(tmp_path: Path) -> None:
    path = tmp_path / "mixed.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["whole", "mixed_number", "code", None, "whole"])
    sheet.append([1, 1, "A1", None, 7])
    sheet.append([None, None, None, None, None])  # a formatted but empty row is not data
    sheet.append([2, 2.5, 42, "extra", 8])  # a number in a text column; a value under no header
    workbook.save(path)
    described = FileSourceResource().open(FileSourceSpec(type="file", path=str(path))).describe()
    assert [(c.name, c.data_type) for c in described.columns] == [
        ("whole", "long"),
        ("mixed_number", "double"),
        ("code", "string"),
        ("column3", "string"),
        ("whole_1", "long"),
    ]
    assert described.row_count == 2
    sample = FileSourceResource().open(FileSourceSpec(type="file", path=str(path))).sample(10)
    assert sample["code"].tolist() == ["A1", "42"]


# -- a file as a reference for another table --------------------------------------------------


def test_a_file_streams_as_a_reference(tmp_path: Path) -> None:
    resource = FileSourceResource()
    primary = resource.open(FileSourceSpec(type="file", path=str(write_sample(tmp_path, "parquet"))))
    reference = resource.open(FileSourceSpec(type="file", path=str(write_sample(tmp_path, "csv"))))
    broken_path = tmp_path / "broken.csv"
    broken_path.write_text("id,name\n1,a\n2,b,c\n")  # planted: line 3 has an extra field
    broken = resource.open(FileSourceSpec(type="file", path=str(broken_path)))
    requests = [
        ReferenceRequest("other", reference, frozenset({"name"})),
        ReferenceRequest("broken", broken, None),
    ]
    with primary.query_runner(requests) as runner:
        relation = runner.references["other"]
        (count, names) = runner.fetch_rows(exp.select("count(*)", "count(DISTINCT name)").from_(relation))[0]
        columns = runner.fetch_rows(exp.select("*").from_(relation).limit(1))
        assert (count, names, len(columns[0])) == (6, 3, 1)
        assert "line 3" in runner.reference_errors["broken"]
        assert runner.reference_errors["broken"].startswith(f"file:{broken_path}: ")


# -- S3, on moto's real HTTP endpoint ---------------------------------------------------------


@pytest.fixture
def bucket(moto_url: str, aws_env: None) -> Iterator[str]:
    name = "dq-files"
    client = boto3.client("s3", region_name=AWS_TEST_REGION, endpoint_url=moto_url)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": AWS_TEST_REGION})
    yield name
    for item in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_s3_profiles_like_the_local_file(
    tmp_path: Path, moto_url: str, bucket: str, file_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = write_sample(tmp_path, file_format)
    client = boto3.client("s3", region_name=AWS_TEST_REGION, endpoint_url=moto_url)
    key = f"landing/2026/sample.{file_format}"
    client.upload_file(str(local), bucket, key)
    head = client.head_object(Bucket=bucket, Key=key)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_url)  # the endpoint from the AWS environment
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # to see that the download is removed

    local_numbers = profile_numbers(inspect(tmp_path, {"type": "file", "path": str(local)})[0])
    folder = tmp_path / "s3"
    folder.mkdir()
    inspection, opened = inspect(folder, {"type": "file", "path": f"s3://{bucket}/{key}"})

    assert profile_numbers(inspection) == local_numbers
    assert_sample_profile(inspection)
    described = opened.describe()
    assert described.data_version == head["ETag"].strip('"')
    assert described.last_updated == head["LastModified"].astimezone(UTC)
    assert len(opened.sample(5)) == 5
    assert list(scratch.iterdir())  # the downloaded copy, while the table is open
    opened.close()
    assert list(scratch.iterdir()) == []


def test_s3_missing_object_and_bucket(tmp_path: Path, moto_url: str, bucket: str) -> None:
    resource = FileSourceResource(s3_endpoint_url=moto_url, s3_region=AWS_TEST_REGION)
    with pytest.raises(SourceError, match=f"no object s3://{bucket}/missing/data.parquet"):
        resource.open(FileSourceSpec(type="file", path=f"s3://{bucket}/missing/data.parquet"))
    with pytest.raises(SourceError, match="bucket 'no-such-bucket' does not exist") as error:
        resource.open(FileSourceSpec(type="file", path="s3://no-such-bucket/data.csv"))
    assert "s3://no-such-bucket/data.csv" in str(error.value)


def test_s3_test_connection(tmp_path: Path, moto_url: str, bucket: str) -> None:
    client = boto3.client("s3", region_name=AWS_TEST_REGION, endpoint_url=moto_url)
    client.upload_file(str(write_sample(tmp_path, "parquet")), bucket, "sample.parquet")
    resource = FileSourceResource(s3_endpoint_url=moto_url)
    summary = resource.test_connection(FileSourceSpec(type="file", path=f"s3://{bucket}/sample.parquet"))
    assert summary.startswith("6 rows, 5 columns, last updated ")


# -- S3 endpoints that never answer, or stop answering: real sockets -----------------------------


def test_an_s3_endpoint_that_never_answers_times_out(aws_env: None) -> None:
    with SilentServer() as silent:
        resource = FileSourceResource(s3_endpoint_url=silent.url, s3_region=AWS_TEST_REGION)
        spec = FileSourceSpec(type="file", path="s3://lake/orders.parquet", connect_timeout_seconds=0.5)
        with pytest.raises(SourceError) as raised:
            resource.test_connection(spec)
        assert silent.connections == 3  # the first attempt and two retries, each timed out
    assert str(raised.value) == (
        "file:s3://lake/orders.parquet: cannot read s3://lake/orders.parquet: timed out "
        f'(connect_timeout_seconds is 0.5): Read timeout on endpoint URL: "{silent.url}/lake/orders.parquet"'
    )


class _StallingS3(BaseHTTPRequestHandler):
    """Answers HEAD like S3; for GET, sends the headers and then never a byte of the body."""

    release = threading.Event()

    def _headers(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.send_header("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT")
        self.send_header("ETag", '"abc"')
        self.end_headers()

    def do_HEAD(self) -> None:
        self._headers()

    def do_GET(self) -> None:
        self._headers()
        self.wfile.flush()
        self.release.wait(60)  # stalls mid-download until the test ends

    def log_message(self, *args: object) -> None:
        pass


def test_a_download_that_stalls_times_out(aws_env: None) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StallingS3)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        resource = FileSourceResource(s3_endpoint_url=endpoint, s3_region=AWS_TEST_REGION)
        spec = FileSourceSpec(type="file", path="s3://lake/orders.parquet", connect_timeout_seconds=0.5)
        with pytest.raises(SourceError) as raised:
            resource.test_connection(spec)  # the HEAD answers; the download's body never comes
    finally:
        _StallingS3.release.set()
        server.shutdown()
        server.server_close()
    message = str(raised.value)
    assert message.startswith(
        "file:s3://lake/orders.parquet: cannot read s3://lake/orders.parquet: timed out "
        "(connect_timeout_seconds is 0.5): Read timeout on endpoint URL"
    )


# -- the code location stays light ------------------------------------------------------------


def test_importing_the_module_loads_no_heavy_library() -> None:
    code = (
        "import sys, dq_resources.files\n"
        "heavy = ('pyarrow', 'duckdb', 'openpyxl', 'boto3', 'dagster_aws')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
