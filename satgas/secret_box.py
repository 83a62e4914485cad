"""Secrets the service must be able to read back (webhook signing secrets), encrypted at rest.

A webhook secret cannot be stored as a hash like a password: the worker needs it to sign.
It is encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key
derived with HKDF from SECRET_KEY, which lives in the environment, not in the database: a
leaked database dump or backup alone does not let anyone sign as us. Changing SECRET_KEY
makes the stored secrets unreadable; the worker then records a clear error per delivery and
the admin recreates the webhook (a new secret).
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"satgas webhook signing secrets v1"


class UnreadableSecret(ValueError):
    """The stored secret was sealed under another SECRET_KEY (or is damaged)."""


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(plaintext: str, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(plaintext.encode()).decode("ascii")


def unseal(token: str, secret_key: str) -> str:
    try:
        return _fernet(secret_key).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        raise UnreadableSecret("the webhook secret cannot be decrypted: SECRET_KEY changed since it was "
                               "created; delete the webhook and create it again") from None
