"""Pseudonymous keys for exported rows: HMAC-SHA256 under a key derived per funder.

The secret is `EXPORT_PSEUDONYM_SECRET` (required in production). A funder's
key is HMAC(secret, funder name, case-folded), so the same client gets the
same key in every export to that funder, quarter after quarter, and an
unrelated key for any other funder: two funders cannot join their extracts
on it, and nobody without the secret can turn a key back into a record.
"""

import hashlib
import hmac
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings

KEY_HEX_LENGTH = 32  # 128 bits: no collisions at any plausible caseload.
_DOMAIN = b"tautoko-export-pseudonym-v1\x00"
_SHA256_BLOCK = 64  # bytes; the B of RFC 2104
_IPAD, _OPAD = 0x36, 0x5C


def _secret() -> bytes:
    secret = settings.EXPORT_PSEUDONYM_SECRET
    if not secret:
        raise RuntimeError("EXPORT_PSEUDONYM_SECRET is not set.")
    return secret.encode("utf-8")


def funder_key(funder: str) -> bytes:
    """The HMAC key of one funder, derived from the secret and the funder's name."""
    name = " ".join(funder.split()).casefold().encode("utf-8")
    return hmac.new(_secret(), _DOMAIN + name, hashlib.sha256).digest()


def _uuid_bytes(record_id) -> bytes:
    return record_id.bytes if isinstance(record_id, uuid.UUID) else uuid.UUID(str(record_id)).bytes


class Pseudonymiser:
    """Turns record ids into stable pseudonymous keys for one funder and one kind of record."""

    def __init__(self, funder: str):
        key = funder_key(funder)
        if len(key) > _SHA256_BLOCK:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(_SHA256_BLOCK, b"\x00")
        # HMAC as RFC 2104 defines it, H((K ^ opad) || H((K ^ ipad) || m)), with both padded
        # keys hashed once here: a key then costs two copies of a hash state, where
        # hmac.HMAC.copy() also builds Python objects, about 2 s more a million keys.
        # tests/reporting/test_export_streaming.py pins equality with hmac.new.
        self._inner = hashlib.sha256(bytes(b ^ _IPAD for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ _OPAD for b in padded))

    def keyer(self, kind: str = "client") -> Callable[[object], str | None]:
        """A function giving the key of one record id (a UUID) of `kind`; None for None."""
        prefix = kind.encode("ascii") + b"\x00"
        inner_state, outer_state = self._inner.copy, self._outer.copy

        def key(record_id) -> str | None:
            if record_id is None:
                return None
            inner = inner_state()
            inner.update(prefix + _uuid_bytes(record_id))
            outer = outer_state()
            outer.update(inner.digest())
            return outer.hexdigest()[:KEY_HEX_LENGTH]

        return key

    def keys(self, record_ids: Iterable, *, kind: str = "client") -> list[str | None]:
        """The keys of many record ids (UUIDs) of `kind`, in order; None for None."""
        return list(map(self.keyer(kind), record_ids))

    def key(self, record_id, *, kind: str = "client") -> str | None:
        """The key of one record id (a UUID); None for None."""
        return self.keyer(kind)(record_id)
