"""Request middleware: a request id on every request and response; refusal of unusable requests."""

import re
import uuid

from django.conf import settings
from django.http import JsonResponse

from core.errors import error_body
from core.request_context import RequestContext, reset_request_context, set_request_context

REQUEST_ID_HEADER = "X-Request-ID"
# An upstream proxy's id is kept only if it is short and plain, so it cannot
# smuggle anything into logs or audit rows.
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Give each request an id (the proxy's X-Request-ID when sane) and remember the client IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _ACCEPTABLE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = set_request_context(
            RequestContext(
                request_id=request_id,
                ip_address=request.META.get("REMOTE_ADDR") or None,
                memo={},
            )
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestGuardMiddleware:
    """Refuse requests no view should see, in the API's error shape, before any parsing.

    - A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (multipart uploads:
      API_MAX_UPLOAD_SIZE) answers 413, instead of being half-read by a parser.
    - A NUL character in the path or query string answers 400: PostgreSQL
      cannot store or compare it, and no identifier or filter needs it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def _refusal(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        is_multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = (
            settings.API_MAX_UPLOAD_SIZE if is_multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if length < 0:
            return JsonResponse(
                error_body(
                    status_code=400, code="bad_request", message="Invalid Content-Length header."
                ),
                status=400,
            )
        if limit is not None and length > limit:
            return JsonResponse(
                error_body(
                    status_code=413,
                    code="request_too_large",
                    message=f"The request body is larger than the {limit} bytes allowed.",
                ),
                status=413,
            )
        query = request.GET
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in query.getlist(key)) for key in query
        ):
            return JsonResponse(
                error_body(
                    status_code=400,
                    code="null_characters_not_allowed",
                    message="The address contains a NUL character.",
                ),
                status=400,
            )
        return None
