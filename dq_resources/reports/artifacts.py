"""Artifact stores: where report files (HTML, JSON, Excel, markdown) are kept.

Locally a folder (`.dq/artifacts` by default); in production an S3 prefix through dagster-aws's
S3Resource. A reader never sees half a file: a local file is written beside its target and
renamed over it, an S3 object is one PUT.
"""

from __future__ import annotations

import os
import tempfile
from abc import abstractmethod
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urlencode

import dagster as dg

DEFAULT_ROOT = ".dq/artifacts"
PRESIGNED_SECONDS = 7 * 24 * 3600
"""A presigned report link's life: S3's longest (SigV4), a week of clicking through from the UI."""


def clean_relative_path(relative_path: str) -> str:
    """`relative_path` as `a/b/c`, or ValueError when it is empty, absolute or climbs out with `..`."""
    if not relative_path or relative_path.startswith(("/", "\\")) or "\\" in relative_path:
        raise ValueError(f"artifact path {relative_path!r} must be relative, with '/' between parts")
    parts = [part for part in PurePosixPath(relative_path).parts if part != "."]
    if not parts or ".." in parts or ":" in parts[0]:
        raise ValueError(f"artifact path {relative_path!r} must stay inside the store")
    return "/".join(parts)


class ArtifactStore(dg.ConfigurableResource):
    """Writes and reads report files by a path relative to the store."""

    @abstractmethod
    def write(self, relative_path: str, data: bytes, content_type: str) -> str:
        """Replace the file at `relative_path` with `data`, all at once; returns its location."""

    @abstractmethod
    def read(self, relative_path: str) -> bytes:
        """The file's bytes; FileNotFoundError when there is none."""

    @abstractmethod
    def location(self, relative_path: str) -> str:
        """Where the file at `relative_path` is (a path, or an s3:// URL)."""

    @abstractmethod
    def browser_url(self, relative_path: str) -> str:
        """A URL a browser opens the file at: what the Dagster UI links to."""


class LocalArtifactStore(ArtifactStore):
    """A folder on this machine; a relative `root` is taken from the working directory."""

    root: str = DEFAULT_ROOT

    def write(self, relative_path: str, data: bytes, content_type: str) -> str:
        """Write a temporary file beside the target, then rename it over the target.

        `content_type` is not kept: a file's suffix says what it is.
        """
        target = Path(self.location(relative_path))
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o644)  # mkstemp makes it private; reports are meant to be read
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return str(target)

    def read(self, relative_path: str) -> bytes:
        """The file's bytes."""
        return Path(self.location(relative_path)).read_bytes()

    def location(self, relative_path: str) -> str:
        """The file's path under `root`."""
        return str(Path(self.root).expanduser() / clean_relative_path(relative_path))

    def browser_url(self, relative_path: str) -> str:
        """`file:///...`, absolute: a relative path in the UI opens nothing, whatever folder it ran in."""
        return Path(self.location(relative_path)).resolve().as_uri()


class S3ArtifactStore(ArtifactStore):
    """Objects `<prefix>/<relative path>` in `bucket`, through dagster-aws's S3Resource.

    Endpoint, region and credentials come from the AWS environment unless given here.
    """

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region_name: str | None = None

    def _client(self) -> Any:
        from dagster_aws.s3 import S3Resource  # boto3 loads on use, not with the code location

        return S3Resource(region_name=self.region_name, endpoint_url=self.endpoint_url).get_client()

    def write(self, relative_path: str, data: bytes, content_type: str) -> str:
        """One PUT: readers see the old object or the new one, never a part."""
        key = self._key(relative_path)
        self._client().put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        return f"s3://{self.bucket}/{key}"

    def read(self, relative_path: str) -> bytes:
        """The object's bytes; FileNotFoundError when it does not exist."""
        from botocore.exceptions import ClientError

        key = self._key(relative_path)
        try:
            response = self._client().get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(f"s3://{self.bucket}/{key}") from error
            raise
        return response["Body"].read()

    def location(self, relative_path: str) -> str:
        """The object's s3:// URL."""
        return f"s3://{self.bucket}/{self._key(relative_path)}"

    def browser_url(self, relative_path: str) -> str:
        """The object's page in the AWS console; on another endpoint (MinIO, a stand-in), a presigned GET.

        The console link never expires and asks the engineer's own login; a presigned URL carries
        this process's credentials for PRESIGNED_SECONDS, so it is used only where no console is.
        """
        key = self._key(relative_path)
        if self.endpoint_url is None:
            region = self.region_name or self._client().meta.region_name or "us-east-1"
            query = urlencode({"region": region, "bucketType": "general", "prefix": key})
            return f"https://{region}.console.aws.amazon.com/s3/object/{quote(self.bucket)}?{query}"
        return self._client().generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=PRESIGNED_SECONDS
        )

    def _key(self, relative_path: str) -> str:
        prefix = self.prefix.strip("/")
        path = clean_relative_path(relative_path)
        return f"{prefix}/{path}" if prefix else path


def artifact_store_for(
    location: str, *, endpoint_url: str | None = None, region_name: str | None = None
) -> ArtifactStore:
    """The store at `location`: `s3://bucket/prefix` on S3, anything else a local folder.

    `endpoint_url` and `region_name` apply to S3 only; by default they come from the AWS
    environment (`AWS_ENDPOINT_URL_S3`, `AWS_DEFAULT_REGION`).
    """
    if location.startswith("s3://"):
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        if not bucket:
            raise ValueError(f"{location!r} must look like s3://bucket/prefix")
        return S3ArtifactStore(
            bucket=bucket, prefix=prefix.strip("/"), endpoint_url=endpoint_url, region_name=region_name
        )
    return LocalArtifactStore(root=location.removeprefix("file://") or DEFAULT_ROOT)
