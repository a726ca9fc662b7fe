"""Can dq write where it keeps files: a local folder, or an `s3://bucket/prefix`.

The artifact store and the proposals store write with the deployment's own credentials, so the
check writes a probe there too (and deletes it): permissions on paper are not proof. A local
folder that does not exist yet is fine when it can be created.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dq_assets.doctor.model import Finding, error, ok
from dq_assets.doctor.s3probe import probe_prefix


def check_location(check: str, location: str, *, location_from: str, writer: str) -> Finding:
    """The finding for `location` (a folder or s3://bucket/prefix), set in `location_from`."""
    if location.startswith("s3://"):
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        if not bucket:
            return error(check, f"{location!r} names no bucket", f"set {location_from}=s3://bucket/prefix")
        return probe_prefix(check, bucket, prefix, bucket_from=location_from, writer=writer)
    folder = Path(location.removeprefix("file://")).expanduser().absolute()
    return _check_folder(check, folder, location_from)


def _check_folder(check: str, folder: Path, location_from: str) -> Finding:
    fix = f"make it writable for this user, or set {location_from} to a writable folder or s3://bucket/prefix"
    if folder.exists() and not folder.is_dir():
        return error(check, f"{folder} exists and is not a folder", fix)
    existing = nearest_existing(folder)
    problem = probe_folder(existing)
    if problem is not None:
        return error(check, f"{folder}: cannot write in {existing}: {problem}", fix)
    if existing == folder:
        return ok(check, f"folder {folder} is writable (probe file written and deleted)")
    return ok(check, f"folder {folder} does not exist yet; created on first write ({existing} is writable)")


def nearest_existing(path: Path) -> Path:
    """`path`, or its closest ancestor that exists (where a missing folder would be created)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def probe_folder(folder: Path) -> str | None:
    """Write and delete a file in `folder`; the reason when that fails."""
    try:
        handle, name = tempfile.mkstemp(prefix=".dq-doctor-probe-", dir=folder)
    except OSError as raised:
        return raised.strerror or str(raised)
    os.close(handle)
    Path(name).unlink(missing_ok=True)
    return None
