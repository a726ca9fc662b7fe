"""Proposal stores: a local folder written atomically, and an S3 prefix on moto's real HTTP endpoint."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from dq_resources.proposals.store import (
    LocalProposalStore,
    ProposalStoreError,
    S3ProposalStore,
    file_name,
    proposal_store_for,
)
from tests.conftest import AWS_TEST_REGION


def test_nested_table_names_become_flat_file_names() -> None:
    assert file_name("shop/orders") == "shop__orders.yaml"
    assert file_name("orders") == "orders.yaml"


def test_local_store_reads_nothing_then_what_it_wrote(tmp_path: Path) -> None:
    store = LocalProposalStore(directory=str(tmp_path / "proposals"))
    assert store.read("orders") == ""
    store.write("orders", "table: orders\n")
    store.write("orders", "table: orders\nproposals: []\n")
    assert store.read("orders") == "table: orders\nproposals: []\n"
    assert sorted(p.name for p in (tmp_path / "proposals").iterdir()) == ["orders.yaml"]  # no temp file left
    assert store.location("orders") == str(tmp_path / "proposals" / "orders.yaml")


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path: Path) -> None:
    store = LocalProposalStore(directory=str(tmp_path))
    store.write("orders", "old\n")
    with pytest.raises(UnicodeEncodeError):
        store.write("orders", "new \ud800 half-written\n")  # planted: text that cannot be encoded
    assert store.read("orders") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["orders.yaml"]


def test_s3_store_on_moto(moto_url: str, aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    boto3.client("s3", region_name=AWS_TEST_REGION, endpoint_url=moto_url).create_bucket(
        Bucket="dq-prod", CreateBucketConfiguration={"LocationConstraint": AWS_TEST_REGION}
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_url)  # the AWS environment, as in production
    store = proposal_store_for("s3://dq-prod/team/proposals")
    assert isinstance(store, S3ProposalStore)
    assert (store.bucket, store.prefix) == ("dq-prod", "team/proposals")
    assert store.read("shop/orders") == ""
    store.write("shop/orders", "table: shop/orders\n")
    assert store.read("shop/orders") == "table: shop/orders\n"
    assert store.location("shop/orders") == "s3://dq-prod/team/proposals/shop__orders.yaml"
    keys = boto3.client("s3", region_name=AWS_TEST_REGION, endpoint_url=moto_url).list_objects_v2(
        Bucket="dq-prod"
    )
    assert [o["Key"] for o in keys["Contents"]] == ["team/proposals/shop__orders.yaml"]


def test_an_s3_store_whose_bucket_is_missing_raises(moto_url: str, aws_env: None) -> None:
    store = S3ProposalStore(bucket="no-such-bucket", endpoint_url=moto_url)
    with pytest.raises(
        ProposalStoreError, match=r"^s3://no-such-bucket/orders.yaml: cannot be read: .*NoSuchBucket"
    ):
        store.read("orders")
    with pytest.raises(ProposalStoreError, match=r"^s3://no-such-bucket/orders.yaml: cannot be written: "):
        store.write("orders", "table: orders\n")


def test_anything_else_is_a_local_folder(tmp_path: Path) -> None:
    store = proposal_store_for(str(tmp_path))
    assert isinstance(store, LocalProposalStore) and store.directory == str(tmp_path)
