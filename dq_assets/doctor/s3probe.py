"""Is an S3 prefix usable: the bucket exists, and an object can be written and deleted under the prefix.

A HEAD on the bucket says it exists; only a real PUT proves the credentials may write where dq
writes. The probe object is deleted at once. The client honours `AWS_ENDPOINT_URL` (and
`AWS_ENDPOINT_URL_S3`) as boto3 does, with short timeouts and a single attempt: a doctor should
answer in seconds, not retry for a minute.
"""

from __future__ import annotations

import uuid
from typing import Any

from dq_assets.doctor.model import Finding, error, ok, warn
from dq_resources.source_contract import redact

CREDENTIALS_FIX = (
    "give this process AWS credentials: AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
    "or the task's IAM role"
)
_MISSING = frozenset({"404", "NoSuchBucket", "NotFound"})
_DENIED = frozenset({"403", "AccessDenied", "Forbidden", "AllAccessDisabled", "InvalidAccessKeyId"})


def aws_client(service: str, *, endpoint_url: str | None = None, region: str | None = None) -> Any:
    """A boto3 client that gives up quickly; endpoint and region default to the AWS environment."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=5, read_timeout=15, retries={"mode": "standard", "total_max_attempts": 1})
    return boto3.session.Session().client(
        service, endpoint_url=endpoint_url, region_name=region, config=config
    )


def error_code(raised: BaseException) -> str:
    """Botocore's error code ("NoSuchBucket", "403", ...), or "" for a failure without one."""
    from botocore.exceptions import ClientError

    if isinstance(raised, ClientError):
        return str(raised.response.get("Error", {}).get("Code", ""))
    return ""


def transport_fix(raised: BaseException, endpoint: str) -> str | None:
    """The fix for a failure before S3 answered at all (no credentials, no endpoint, no region)."""
    from botocore.exceptions import (
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    if isinstance(raised, NoCredentialsError | PartialCredentialsError):
        return CREDENTIALS_FIX
    if isinstance(raised, NoRegionError):
        return "set AWS_REGION (or AWS_DEFAULT_REGION)"
    if isinstance(raised, EndpointConnectionError):
        return f"check the network path to {endpoint} (AWS_ENDPOINT_URL, a VPC endpoint, a proxy)"
    return None


def probe_prefix(
    check: str,
    bucket: str,
    prefix: str,
    *,
    bucket_from: str,
    writer: str,
    endpoint_url: str | None = None,
    region: str | None = None,
) -> Finding:
    """The finding for s3://bucket/prefix: exists, writable, and the probe object deleted again.

    `bucket_from` names the setting that holds the bucket; `writer` says who writes there, for the
    IAM hint (e.g. "the run tasks' role").
    """
    client = aws_client("s3", endpoint_url=endpoint_url, region=region)
    endpoint = client.meta.endpoint_url
    prefix = prefix.strip("/")
    where = f"s3://{bucket}/{prefix + '/' if prefix else ''}"
    objects = f"arn:aws:s3:::{bucket}/{prefix + '/' if prefix else ''}*"
    try:
        client.head_bucket(Bucket=bucket)
    except Exception as raised:  # botocore's ClientError, connection and credential errors
        code = error_code(raised)
        if code in _MISSING:
            return error(
                check,
                f"bucket {bucket!r} does not exist ({endpoint})",
                f"create it (aws s3 mb s3://{bucket}) or set {bucket_from} to an existing bucket",
            )
        if code in _DENIED:
            return error(
                check,
                f"access to bucket {bucket!r} denied ({code})",
                f"grant {writer} s3:ListBucket on arn:aws:s3:::{bucket} and s3:PutObject, s3:GetObject, "
                f"s3:DeleteObject on {objects}",
            )
        fix = transport_fix(raised, endpoint) or f"check {bucket_from} and the AWS environment"
        return error(check, f"cannot reach bucket {bucket!r}: {_describe(raised)}", fix)

    key = f"{prefix + '/' if prefix else ''}dq-doctor-probe-{uuid.uuid4().hex}.txt"
    try:
        client.put_object(Bucket=bucket, Key=key, Body=b"dq doctor probe; safe to delete\n")
    except Exception as raised:
        fix = transport_fix(raised, endpoint) or f"grant {writer} s3:PutObject, s3:GetObject on {objects}"
        return error(check, f"{where} is not writable: {_describe(raised)}", fix)
    try:
        client.delete_object(Bucket=bucket, Key=key)
    except Exception as raised:
        return warn(
            check,
            f"{where} is writable, but the probe object could not be deleted: {_describe(raised)}",
            f"delete s3://{bucket}/{key} by hand; grant {writer} s3:DeleteObject on {objects} "
            "so that step logs and reports can be cleaned up",
        )
    return ok(check, f"{where} exists and is writable (probe object written and deleted)")


def _describe(raised: BaseException) -> str:
    return redact(" ".join(f"{type(raised).__name__}: {raised}".split()))
