"""Encryption at rest for free-text health data (check-in notes, alert and report excerpts,
conversations, safety plans), with `cryptography`'s Fernet (AES-128-CBC + HMAC-SHA256).

`LANTERN_DATA_KEY` holds one key, or several separated by commas: the first encrypts, all
decrypt (MultiFernet), so a key is rotated by putting the new one first and running
`python -m bot rotate-key`. Stored values carry a prefix, so plaintext written before a key
was set still reads, and `rotate-key` encrypts it too.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "enc1:"


class DataKeyError(ValueError):
    """A key is malformed, or a stored value can't be decrypted with the configured keys."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def parse_keys(raw: str) -> list[str]:
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise DataKeyError("no key given")
    for key in keys:
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise DataKeyError(
                "each key must be 32 url-safe base64-encoded bytes, as printed by "
                "`python -m bot gen-key`"
            ) from None
    return keys


class Cipher:
    """Encrypts with the first key, decrypts with any; None keys = plaintext mode."""

    def __init__(self, keys: Sequence[str] | None) -> None:
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys]) if keys else None

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def encrypt(self, text: str | None) -> str | None:
        if text is None or self._fernet is None:
            return text
        return PREFIX + self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, stored: str | None) -> str | None:
        if stored is None or not stored.startswith(PREFIX):
            return stored
        if self._fernet is None:
            raise DataKeyError("this value is encrypted but LANTERN_DATA_KEY is not set")
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise DataKeyError(
                "a stored value can't be decrypted with LANTERN_DATA_KEY (wrong key?)"
            ) from None

    def rotate(self, stored: str | None) -> str | None:
        """Re-encrypt with the current (first) key; encrypts plaintext too."""
        if stored is None or self._fernet is None:
            return stored
        if not stored.startswith(PREFIX):
            return self.encrypt(stored)
        try:
            return PREFIX + self._fernet.rotate(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise DataKeyError(
                "a stored value can't be decrypted with any configured key"
            ) from None


PLAINTEXT = Cipher(None)
