"""OpenAPI schema post-processing: make the published response shapes match what the API sends."""

# Optional e-mail and web addresses are stored blank, and answered as "", which a
# strict `format` would call invalid. Request bodies keep the format (it is checked).
_BLANKABLE_FORMATS = {"email", "uri"}


def blank_string_formats(result, generator, request, public):
    """Drop `format: email|uri` from response components, whose values may be blank."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            continue
        for prop in component.get("properties", {}).values():
            if prop.get("type") == "string" and prop.get("format") in _BLANKABLE_FORMATS:
                del prop["format"]
    return result
