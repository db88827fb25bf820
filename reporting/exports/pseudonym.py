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

from django.conf import settings

KEY_HEX_LENGTH = 32  # 128 bits: no collisions at any plausible caseload.
_DOMAIN = b"tautoko-export-pseudonym-v1\x00"


def _secret() -> bytes:
    secret = settings.EXPORT_PSEUDONYM_SECRET
    if not secret:
        raise RuntimeError("EXPORT_PSEUDONYM_SECRET is not set.")
    return secret.encode("utf-8")


def funder_key(funder: str) -> bytes:
    """The HMAC key of one funder, derived from the secret and the funder's name."""
    name = " ".join(funder.split()).casefold().encode("utf-8")
    return hmac.new(_secret(), _DOMAIN + name, hashlib.sha256).digest()


class Pseudonymiser:
    """Turns record ids into stable pseudonymous keys for one funder and one kind of record."""

    def __init__(self, funder: str):
        # Keyed once; each key copies the keyed state (half the cost of a fresh HMAC).
        self._keyed = hmac.new(funder_key(funder), digestmod=hashlib.sha256)

    def key(self, record_id, *, kind: str = "client") -> str | None:
        """The key of one record id (a UUID); None for None."""
        if record_id is None:
            return None
        raw = (
            record_id.bytes if isinstance(record_id, uuid.UUID) else uuid.UUID(str(record_id)).bytes
        )
        mac = self._keyed.copy()
        mac.update(kind.encode("ascii") + b"\x00" + raw)
        return mac.hexdigest()[:KEY_HEX_LENGTH]
