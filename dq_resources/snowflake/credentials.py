"""The credentials a Snowflake connection presents: a password, or a private key, from the environment.

A definition names only where the secret is (`password_env`, `private_key_file` and
`private_key_passphrase_env`); the secret itself is read when a table is opened and never
appears in a message.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from dq_checks.config.sources import SnowflakeSourceSpec
from dq_checks.error_text import first_line
from dq_resources.source_contract.errors import source_error


@dataclass(frozen=True)
class Credentials:
    """What `snowflake.connector.connect` is given to authenticate: a password, or a key (DER, PKCS#8)."""

    password: str | None = field(default=None, repr=False)
    private_key: bytes | None = field(default=None, repr=False)

    @property
    def fingerprint(self) -> str:
        """A hash of the secret: connections are shared per credential without keeping it in a key."""
        secret = self.private_key if self.private_key is not None else (self.password or "").encode()
        return hashlib.sha256(secret).hexdigest()

    def connect_arguments(self) -> dict[str, object]:
        """`password=` or `private_key=` (the connector then signs a JWT: `SNOWFLAKE_JWT`)."""
        if self.private_key is not None:
            return {"private_key": self.private_key}
        return {"password": self.password}


def credentials_for(spec: SnowflakeSourceSpec) -> Credentials:
    """The spec's password or private key, or SourceError naming the variable or file (never a secret)."""
    if spec.private_key_file is not None:
        return Credentials(private_key=private_key_der(spec))
    assert spec.password_env is not None  # the spec holds exactly one of the two
    password = os.environ.get(spec.password_env, "")
    if not password:
        raise source_error(spec.display(), "no password", f"the variable {spec.password_env} is not set")
    return Credentials(password=password)


def private_key_der(spec: SnowflakeSourceSpec) -> bytes:
    """The PEM key in `private_key_file`, decrypted with the passphrase, as unencrypted PKCS#8 DER.

    The connector takes the key as DER bytes; `cryptography` reads any PEM private key (PKCS#8,
    encrypted or not, or PKCS#1) and writes it the way Snowflake's key-pair authentication wants.
    """
    from cryptography.hazmat.primitives import serialization

    assert spec.private_key_file is not None
    where = spec.display()
    path = Path(spec.private_key_file).expanduser()
    try:
        pem = path.read_bytes()
    except OSError as error:
        raise source_error(where, f"cannot read the private key file {path}", error.strerror) from None
    passphrase: bytes | None = None
    if spec.private_key_passphrase_env is not None:
        value = os.environ.get(spec.private_key_passphrase_env, "")
        if not value:
            raise source_error(
                where, "no key passphrase", f"the variable {spec.private_key_passphrase_env} is not set"
            )
        passphrase = value.encode()
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
    except (
        ValueError,
        TypeError,
    ) as error:  # a wrong or missing passphrase, not a PEM key: never the passphrase
        raise source_error(where, f"cannot load the private key in {path}", first_line(error)) from None
    return key.private_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
