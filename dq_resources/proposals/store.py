"""Proposal stores: one text file per table, written whole and atomically.

Locally the files sit in the project's `.dq/proposals/` (see `proposals_location`) or `$DQ_PROPOSALS_DIR`;
in production `$DQ_PROPOSALS_DIR=s3://bucket/prefix` keeps them on S3 through dagster-aws's
S3Resource. A failed proposal run never leaves a partial file: a local file is replaced by a
rename, an S3 object by one PUT.
"""

from __future__ import annotations

import os
import tempfile
from abc import abstractmethod
from pathlib import Path

import dagster as dg

from dq_checks.config.safe_yaml import YamlProblem, decode_utf8

SUFFIX = ".yaml"


class ProposalStoreError(Exception):
    """The proposals file cannot be read or written; the message names it and the cause."""


def file_name(table: str) -> str:
    """`shop/orders` is kept as `shop__orders.yaml`."""
    return table.replace("/", "__") + SUFFIX


class ProposalStore(dg.ConfigurableResource):
    """Reads and writes the proposals text of a table."""

    @abstractmethod
    def read(self, table: str) -> str:
        """The table's proposals file, or "" when there is none."""

    @abstractmethod
    def write(self, table: str, text: str) -> None:
        """Replace the table's proposals file with `text`, all at once."""

    @abstractmethod
    def location(self, table: str) -> str:
        """Where the table's file is, for messages."""


class LocalProposalStore(ProposalStore):
    """A folder of `<table>.yaml` files, usually in the repository beside `tables/`."""

    directory: str

    def read(self, table: str) -> str:
        """The file's text, or ""."""
        path = Path(self.directory) / file_name(table)
        try:
            return decode_utf8(path.read_bytes()) if path.is_file() else ""
        except YamlProblem as problem:
            raise ProposalStoreError(f"{path}: {problem.message}") from None
        except OSError as error:
            raise ProposalStoreError(f"{path}: cannot be read: {_cause(error)}") from None

    def write(self, table: str, text: str) -> None:
        """Write a temporary file beside the target, then rename it over the target."""
        folder = Path(self.directory)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".proposals-", suffix=SUFFIX, dir=folder)
        except OSError as error:
            raise ProposalStoreError(f"{folder}: cannot write proposals there: {_cause(error)}") from None
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, folder / file_name(table))
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            target = folder / file_name(table)
            raise ProposalStoreError(f"{target}: cannot be written: {_cause(error)}") from None
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def location(self, table: str) -> str:
        """The file's path."""
        return str(Path(self.directory) / file_name(table))


class S3ProposalStore(ProposalStore):
    """Objects `<prefix><table>.yaml` in `bucket`, through dagster-aws's S3Resource.

    Endpoint and credentials come from the AWS environment unless given here.
    """

    bucket: str
    prefix: str = ""
    region_name: str | None = None
    endpoint_url: str | None = None

    def _client(self) -> object:
        from dagster_aws.s3 import S3Resource  # boto3 loads on use, not with the code location

        return S3Resource(region_name=self.region_name, endpoint_url=self.endpoint_url).get_client()

    def read(self, table: str) -> str:
        """The object's text, or "" when it does not exist."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._client().get_object(  # type: ignore[attr-defined]
                Bucket=self.bucket, Key=self._key(table)
            )
            return decode_utf8(response["Body"].read())
        except YamlProblem as problem:
            raise ProposalStoreError(f"{self.location(table)}: {problem.message}") from None
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return ""
            raise ProposalStoreError(f"{self.location(table)}: cannot be read: {error}") from None
        except BotoCoreError as error:
            raise ProposalStoreError(f"{self.location(table)}: cannot be read: {error}") from None

    def write(self, table: str, text: str) -> None:
        """One PUT: readers see the old object or the new one, never a part."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client().put_object(  # type: ignore[attr-defined]
                Bucket=self.bucket,
                Key=self._key(table),
                Body=text.encode("utf-8"),
                ContentType="application/yaml",
            )
        except (BotoCoreError, ClientError) as error:
            raise ProposalStoreError(f"{self.location(table)}: cannot be written: {error}") from None

    def location(self, table: str) -> str:
        """The object's s3:// URL."""
        return f"s3://{self.bucket}/{self._key(table)}"

    def _key(self, table: str) -> str:
        prefix = self.prefix if not self.prefix or self.prefix.endswith("/") else self.prefix + "/"
        return prefix + file_name(table)


def proposal_store_for(location: str) -> ProposalStore:
    """The store at `location`: `s3://bucket/prefix` on S3, anything else a local folder.

    S3's endpoint and credentials come from the AWS environment.
    """
    if location.startswith("s3://"):
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        return S3ProposalStore(bucket=bucket, prefix=prefix)
    return LocalProposalStore(directory=location)


def _cause(error: BaseException) -> str:
    if isinstance(error, FileExistsError) and error.filename:
        return f"{error.filename} exists and is not a folder"
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return str(error)
