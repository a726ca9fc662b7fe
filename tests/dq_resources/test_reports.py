"""ydata-profiling reports (HTML and JSON, summary on top, PII kept out) and the artifact stores."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import boto3
import numpy as np
import pandas as pd
import pytest

from dq_resources.reports.artifacts import (
    LocalArtifactStore,
    S3ArtifactStore,
    artifact_store_for,
    clean_relative_path,
)
from dq_resources.reports.ydata import SUMMARY_ELEMENT_ID, inline_html, mask_columns, ydata_report
from tests.conftest import AWS_TEST_REGION

PLANTED_TEXT = "zz-planted-secret@example.com"
PLANTED_NUMBER = 987654.321
SUMMARY = (
    "**shop/orders** has 200 rows in 5 columns and a quality score of **0.75** (3 of 4 rules pass). "
    "1 check does not pass: `amount_positive` (error): 3 of 200 rows fail: 'amount' \\> 0 on every row."
)


def sample(rows: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "order_id": np.arange(rows),
            "amount": rng.normal(100, 10, rows).round(2),
            "email": [f"user{i}@example.com" for i in range(rows)],
            "salary": rng.normal(50_000, 1_000, rows).round(2),
            "status": rng.choice(["open", "closed"], rows),
        }
    )
    frame.loc[3, "email"] = PLANTED_TEXT
    frame.loc[4, "salary"] = PLANTED_NUMBER
    frame.loc[5, "email"] = None
    return frame


@pytest.fixture(scope="module")
def plain_report() -> tuple[str, str]:
    return ydata_report(sample(), title="shop/orders", sensitive=False, summary_markdown=SUMMARY)


def test_html_has_the_title_the_summary_on_top_and_every_column(plain_report: tuple[str, str]) -> None:
    page, _ = plain_report
    assert "shop/orders" in page
    body = page.index("<body")
    summary_at = page.index(f'id="{SUMMARY_ELEMENT_ID}"')
    assert body < summary_at < page.index("<nav")  # right after <body>, before ydata's own page
    assert inline_html(SUMMARY) in page
    assert "<strong>0.75</strong>" in page and "<code>amount_positive</code>" in page
    assert "'amount' &gt; 0 on every row" in page
    for column in sample().columns:
        assert column in page
    # Without `sensitive`, values show: what the sensitive report below must hide is really there.
    assert PLANTED_TEXT in page


def test_json_parses_and_lists_the_columns(plain_report: tuple[str, str]) -> None:
    _, document = plain_report
    data = json.loads(document)
    assert list(data["variables"]) == list(sample().columns)
    assert data["table"]["n"] == 200
    assert data["analysis"]["title"] == "shop/orders"


def test_sensitive_report_shows_no_raw_value(monkeypatch: pytest.MonkeyPatch) -> None:
    import ydata_profiling.utils.common as ydata_common

    calls: list[str] = []
    monkeypatch.delenv("YDATA_PROFILING_NO_ANALYTICS", raising=False)
    monkeypatch.setattr(ydata_common.requests, "get", lambda url, *a, **k: calls.append(url))

    page, document = ydata_report(
        sample(), title="shop/people", sensitive=True, summary_markdown=SUMMARY, pii_columns=["salary"]
    )

    for text in (page, document):
        assert PLANTED_TEXT not in text  # ydata's sensitive mode hides text values
        assert "user1@example.com" not in text
        for shown in ("987654", "987,654"):  # a number only the PII masking hides
            assert shown not in text
    assert "salary" in page and inline_html(SUMMARY) in page
    assert json.loads(document)["variables"]["salary"]["n_distinct"] == 200
    # No analytics: the variable is set inside, and ydata's request was never made.
    assert calls == []
    assert os.environ["YDATA_PROFILING_NO_ANALYTICS"] == "True"


def test_masking_keeps_nulls_and_distinct_counts() -> None:
    frame = pd.DataFrame({"a": ["x", "y", None, "x"], "b": [1.5, 2.5, 1.5, None], "c": [1, 2, 3, 4]})
    masked = mask_columns(frame, ["a", "b", "missing"])
    assert masked["a"].tolist() == ["value 1", "value 2", None, "value 1"]
    assert masked["b"].tolist() == ["value 1", "value 2", "value 1", None]
    assert masked["c"].tolist() == [1, 2, 3, 4]
    assert frame["a"].tolist() == ["x", "y", None, "x"]  # the input is left alone
    assert mask_columns(frame, []) is frame


def test_an_empty_sample_still_gets_a_report() -> None:
    page, document = ydata_report(
        sample().iloc[:0], title="shop/empty", sensitive=False, summary_markdown="Nothing **here**."
    )
    assert "shop/empty" in page and "Nothing <strong>here</strong>." in page
    data = json.loads(document)
    assert data["table"]["n"] == 0 and list(data["variables"]) == list(sample().columns)


# -- artifact stores


def test_local_store_writes_atomically_and_reads_back(tmp_path: Path) -> None:
    store = LocalArtifactStore(root=str(tmp_path / "artifacts"))
    location = store.write("shop/orders/report.html", b"<html>one</html>", "text/html")
    assert location == str(tmp_path / "artifacts" / "shop" / "orders" / "report.html")
    assert Path(location).read_bytes() == b"<html>one</html>"
    store.write("shop/orders/report.html", b"<html>two</html>", "text/html")
    assert store.read("shop/orders/report.html") == b"<html>two</html>"
    assert sorted(p.name for p in Path(location).parent.iterdir()) == ["report.html"]  # no temp file left
    with pytest.raises(FileNotFoundError):
        store.read("shop/orders/missing.json")


@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../outside", "a/../../b", "a\\b", "C:/x"])
def test_paths_must_stay_inside_the_store(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="artifact path"):
        LocalArtifactStore(root=str(tmp_path)).write(bad, b"x", "text/plain")


def test_relative_paths_are_normalised() -> None:
    assert clean_relative_path("./a//b/./c.json") == "a/b/c.json"


def test_location_picks_the_store(tmp_path: Path) -> None:
    s3 = artifact_store_for("s3://dq-reports/team/runs/", endpoint_url="http://127.0.0.1:1")
    assert isinstance(s3, S3ArtifactStore)
    assert (s3.bucket, s3.prefix, s3.endpoint_url) == ("dq-reports", "team/runs", "http://127.0.0.1:1")
    local = artifact_store_for(str(tmp_path))
    assert isinstance(local, LocalArtifactStore) and local.root == str(tmp_path)
    assert LocalArtifactStore().root == ".dq/artifacts"
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        artifact_store_for("s3:///nobucket")


def test_s3_store_on_moto(moto_url: str, aws_env: None) -> None:
    client = boto3.client("s3", region_name=AWS_TEST_REGION, endpoint_url=moto_url)
    client.create_bucket(
        Bucket="dq-reports", CreateBucketConfiguration={"LocationConstraint": AWS_TEST_REGION}
    )
    store = artifact_store_for("s3://dq-reports/runs", endpoint_url=moto_url)

    location = store.write("shop/orders/report.json", b'{"ok": true}', "application/json")

    assert location == "s3://dq-reports/runs/shop/orders/report.json"
    assert store.read("shop/orders/report.json") == b'{"ok": true}'
    head = client.head_object(Bucket="dq-reports", Key="runs/shop/orders/report.json")
    assert head["ContentType"] == "application/json"
    with pytest.raises(FileNotFoundError, match=r"s3://dq-reports/runs/shop/orders/missing\.json"):
        store.read("shop/orders/missing.json")
    # off AWS (here the stand-in), the UI's link is a presigned GET a browser opens as it is
    link = store.browser_url("shop/orders/report.json")
    assert link.startswith(f"{moto_url}/dq-reports/runs/shop/orders/report.json?")
    with urllib.request.urlopen(link, timeout=10) as response:
        assert response.read() == b'{"ok": true}'


def test_the_ui_links_a_local_report_as_an_absolute_file_url_and_an_s3_one_to_the_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = LocalArtifactStore(root="artifacts")  # relative: taken from the working folder
    store.write("shop/report.html", b"<html/>", "text/html")
    assert store.browser_url("shop/report.html") == (tmp_path / "artifacts" / "shop" / "report.html").as_uri()
    on_aws = S3ArtifactStore(bucket="dq-reports", prefix="team", region_name="eu-west-1")
    assert on_aws.browser_url("shop/report.html") == (
        "https://eu-west-1.console.aws.amazon.com/s3/object/dq-reports"
        "?region=eu-west-1&bucketType=general&prefix=team%2Fshop%2Freport.html"
    )


def test_decimal_columns_are_profiled_as_numbers() -> None:
    from decimal import Decimal

    import pandas as pd

    from dq_resources.reports.ydata import decimals_as_floats

    frame = pd.DataFrame({"amount": [Decimal("1.50"), None, Decimal("2.25")], "name": ["a", "b", None]})
    converted = decimals_as_floats(frame)
    assert converted["amount"].dtype == float and converted["amount"].tolist()[::2] == [1.5, 2.25]
    assert converted["name"].dtype == object
