"""Redaction of restricted clients' identifying details: the one place it is decided.

A restricted client's names, NHI, address and contact details are shown only
to staff assigned to them (a direct `view_client_identity` grant); everywhere
else — lists, search, team leads, other caseworkers, reports, exports — they
are replaced. Unrestricted clients are shown in full to anyone who may see
them at all.
"""

from casework.models import Client

REDACTED = "[restricted]"
REDACTED_DISPLAY_NAME = "Restricted client"


def identity_is_visible(client: Client, identity_visible: bool) -> bool:
    """True if the viewer may see who `client` is (`identity_visible`: the selector annotation)."""
    return not client.is_restricted or bool(identity_visible)


# The columns `client_display_name` reads: a list that joins clients loads only these.
CLIENT_NAME_COLUMNS = ("legal_given_names", "legal_family_name", "preferred_name", "is_restricted")


def client_display_name(client: Client, identity_visible: bool) -> str:
    """The client's name as this viewer may see it."""
    if identity_is_visible(client, identity_visible):
        return client.display_name
    return REDACTED_DISPLAY_NAME


def redact_client_fields(data: dict, client: Client, identity_visible: bool) -> dict:
    """Replace the identifying fields of a serialized client the viewer may not identify."""
    if identity_is_visible(client, identity_visible):
        return data
    redacted = dict(data)
    for name in Client.IDENTIFYING_FIELDS:
        if name in redacted:
            redacted[name] = None if name == "nhi" else REDACTED
    if "display_name" in redacted:
        redacted["display_name"] = REDACTED_DISPLAY_NAME
    return redacted
