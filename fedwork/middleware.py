"""Request ids: every request gets one (or keeps the X-Request-ID a proxy sent), every log line carries
it, and the response returns it, so an error a user reports can be found in the logs."""

import contextvars
import logging
import re
import uuid

_request_id = contextvars.ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request.id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _request_id.get()
        return True


class TodoCountMiddleware:
    """The user's own writes (any request but GET, HEAD, OPTIONS) drop the top bar's 待办 count kept in
    the session (submissions.todo.count_for_request), so the next page counts afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            from submissions.todo import forget_count  # submissions depends on fedwork

            forget_count(request)
        return self.get_response(request)
