"""OpenAPI schema settings: make the published shapes and their descriptions match the API."""

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


def lib_doc_excludes() -> list:
    """drf-spectacular's classes whose docstrings never describe a component, and our mixins'.

    A component without a docstring of its own takes the first one up its
    bases; a mixin's note to developers is not a description of the shape.
    """
    from drf_spectacular.plumbing import get_lib_doc_excludes

    from core.fast_read import FastReadMixin

    return [*get_lib_doc_excludes(), FastReadMixin]
