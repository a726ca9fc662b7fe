"""Objects on S3: their metadata, and a streamed download.

Endpoint, region and credentials come from the resource's settings or the AWS environment
(`AWS_ENDPOINT_URL_S3`, `AWS_DEFAULT_REGION`, the usual credential chain). The client is the one
the AWS warehouse sources use, bounded by the source's `connect_timeout_seconds`: dagster-aws's
S3Resource takes no timeout, and botocore's defaults let an endpoint that never answers hold a
run for minutes.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dq_resources.source_contract.errors import SourceError, source_error

if TYPE_CHECKING:
    from dq_checks.config.sources import SourceLimits

DOWNLOAD_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class ObjectVersion:
    """What S3 says about one version of an object."""

    size: int
    modified: datetime
    etag: str


def split_s3_url(url: str, source: str) -> tuple[str, str]:
    """`s3://bucket/key` as (bucket, key), or SourceError when either is missing."""
    bucket, _, key = url.removeprefix("s3://").partition("/")
    if not bucket or not key or key.endswith("/"):
        raise source_error(source, "not a file", f"{url!r} must look like s3://bucket/path/file.ext")
    return bucket, key


def s3_client(endpoint_url: str | None, region: str | None, limits: SourceLimits) -> Any:
    """A boto3 S3 client bounded by `limits` (None settings fall back to the AWS environment)."""
    from dq_resources.aws.common import aws_client  # boto3 loads on use, not with the code location

    return aws_client("s3", region, endpoint_url, limits)


@dataclass(frozen=True)
class S3Object:
    """One object, the client that reads it, and the source it is reported as."""

    client: Any
    bucket: str
    key: str
    source: str
    limits: SourceLimits

    @property
    def url(self) -> str:
        """`s3://bucket/key`."""
        return f"s3://{self.bucket}/{self.key}"


def head_object(found: S3Object) -> ObjectVersion:
    """The object's size, last modification and ETag, or SourceError naming what is missing."""
    try:
        response = found.client.head_object(Bucket=found.bucket, Key=found.key)
    except Exception as error:  # botocore's ClientError, connection and credential errors
        raise _s3_error(found, error) from error
    return _version(response)


def download_object(found: S3Object, target: Path) -> ObjectVersion:
    """Stream the object into `target`, a chunk at a time; returns the version that was read."""
    try:
        response = found.client.get_object(Bucket=found.bucket, Key=found.key)
        with target.open("wb") as out:
            shutil.copyfileobj(response["Body"], out, DOWNLOAD_CHUNK_BYTES)
    except Exception as error:  # missing object, lost connection, full disk
        target.unlink(missing_ok=True)
        raise _s3_error(found, error) from error
    return _version(response)


def _version(response: dict[str, Any]) -> ObjectVersion:
    modified = response["LastModified"]
    if modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)
    return ObjectVersion(
        size=int(response["ContentLength"]),
        modified=modified.astimezone(UTC),
        etag=str(response.get("ETag", "")).strip('"'),
    )


def _s3_error(found: S3Object, error: Exception) -> SourceError:
    """One SourceError naming the object and what went wrong."""
    from botocore.exceptions import ClientError, NoCredentialsError

    from dq_resources.aws.common import is_timeout, timeout_cause

    client, bucket, source, url = found.client, found.bucket, found.source, found.url
    if is_timeout(error):
        return source_error(source, f"cannot read {url}", timeout_cause(error, found.limits))
    if isinstance(error, NoCredentialsError):
        return source_error(source, "cannot reach S3", "no AWS credentials were found")
    if not isinstance(error, ClientError):
        return source_error(source, f"cannot read {url}", error)
    code = str(error.response.get("Error", {}).get("Code", ""))
    if code in ("404", "NoSuchKey", "NotFound", "NoSuchBucket"):
        if code == "NoSuchBucket" or not _bucket_exists(client, bucket):
            return source_error(source, "not found", f"bucket {bucket!r} does not exist (reading {url})")
        return source_error(source, "not found", f"no object {url}")
    if code in ("403", "AccessDenied", "Forbidden"):
        return source_error(source, "access denied", f"the credentials may not read {url}")
    return source_error(source, f"cannot read {url}", error)


def _bucket_exists(client: Any, bucket: str) -> bool:
    """False only when S3 says the bucket is missing; unknown answers count as present."""
    from botocore.exceptions import ClientError

    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as error:
        return str(error.response.get("Error", {}).get("Code", "")) not in ("404", "NoSuchBucket", "NotFound")
    except Exception:  # cannot tell: describe it as a missing object, the common case
        return True
    return True
