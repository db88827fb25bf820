"""Application errors and the one error shape every 4xx answer of the API takes.

Every error body is::

    {"error": {"status": 400, "code": "invalid", "message": "…",
               "fields": {"nhi": ["…"]}, "request_id": "…"}}

`fields` appears only for validation errors and maps field names to messages
(nested the same way as the request body).
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.request_context import current_request_context

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A business rule refused the request; services raise it, the API answers `status`.

    `code` is a stable machine-readable name (e.g. ``over_budget``); `fields`
    maps field names to messages when the refusal concerns particular fields.
    """

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict | None = None,
        status_code: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code


class ConflictError(ApplicationError):
    """The request conflicts with the record's current state (409)."""

    status_code = status.HTTP_409_CONFLICT


def error_body(*, status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    """Build the error envelope shared by every 4xx and 5xx answer."""
    body = {
        "status": status_code,
        "code": code,
        "message": message,
        "request_id": current_request_context().request_id,
    }
    if fields:
        body["fields"] = fields
    return {"error": body}


def _django_validation_fields(error: DjangoValidationError) -> tuple[str, dict]:
    if hasattr(error, "error_dict"):
        fields = {name: [str(m) for m in msgs] for name, msgs in error.message_dict.items()}
        general = fields.pop("__all__", None)
        return (" ".join(general) if general else "Invalid input."), fields
    return " ".join(str(m) for m in error.messages), {}


def _first_code(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None) or "invalid"


def api_exception_handler(exc, context):
    """DRF exception handler: translate every refusal into the one error shape."""
    if isinstance(exc, ApplicationError):
        return Response(
            error_body(
                status_code=exc.status_code,
                code=exc.code,
                message=exc.message,
                fields=exc.fields,
            ),
            status=exc.status_code,
        )
    if isinstance(exc, DjangoValidationError):
        message, fields = _django_validation_fields(exc)
        return Response(
            error_body(status_code=400, code="invalid", message=message, fields=fields),
            status=400,
        )
    if isinstance(exc, IntegrityError):
        # A constraint caught what the services did not; the write was rolled back.
        logger.warning("Integrity error turned into 409: %s", exc)
        return Response(
            error_body(
                status_code=409,
                code="conflict",
                message="The change conflicts with existing data and was not saved.",
            ),
            status=409,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    detail = getattr(exc, "detail", None)
    fields = None
    if isinstance(exc, exceptions.ValidationError):
        code = _first_code(detail) if detail is not None else "invalid"
        code = "invalid" if code in {"required", "null", "blank"} else code
        if isinstance(detail, dict):
            fields = dict(detail)
            general = fields.pop("non_field_errors", None)
            message = " ".join(str(m) for m in general) if general else "Invalid input."
        else:
            items = detail if isinstance(detail, list) else [detail]
            message = " ".join(str(m) for m in items)
    else:
        code = getattr(detail, "code", None) or exc.default_code
        message = str(detail) if detail is not None else str(exc)

    response.data = error_body(
        status_code=response.status_code, code=str(code), message=message, fields=fields
    )
    return response


def json_not_found(request, exception=None):
    """Django 404 handler: the same envelope as the API, for paths outside DRF."""
    return JsonResponse(
        error_body(status_code=404, code="not_found", message="Not found."), status=404
    )


def json_server_error(request):
    """Django 500 handler: no stack trace or HTML, just the envelope and the request id."""
    return JsonResponse(
        error_body(
            status_code=500,
            code="server_error",
            message="Something went wrong on our side. Quote the request id if you report it.",
        ),
        status=500,
    )


def json_bad_request(request, exception=None):
    return JsonResponse(
        error_body(status_code=400, code="bad_request", message="Bad request."), status=400
    )


def json_permission_denied(request, exception=None):
    return JsonResponse(
        error_body(status_code=403, code="permission_denied", message="Permission denied."),
        status=403,
    )
