"""Request middleware: a request id on every request, log record and response."""

import re
import uuid

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
                request_id=request_id, ip_address=request.META.get("REMOTE_ADDR") or None
            )
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
