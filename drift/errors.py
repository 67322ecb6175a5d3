"""One error shape for every layer: `{"error": {"code", "message", "details", "requestId"}}`.

DRF exceptions go through `exception_handler`; Django's own 400/403/404/500
paths go through the `handler*` views wired in `drift.urls`.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger("drift.errors")

CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "IDEMPOTENCY_KEY_MISMATCH",
    429: "RATE_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource is in a state that does not allow this change."


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since you last read it."


class IdempotencyKeyMismatch(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used with another request body."


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A service DRIFT depends on is unavailable."


def error_body(
    request: HttpRequest | None, *, code: str, message: str, details: Any = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    request_id = getattr(request, "request_id", None)
    if request_id:
        error["requestId"] = request_id
    return {"error": error}


def error_response(
    request: HttpRequest | None,
    *,
    status: int,
    code: str | None = None,
    message: str,
    details: Any = None,
) -> JsonResponse:
    body = error_body(
        request, code=code or CODES.get(status, "ERROR"), message=message, details=details
    )
    return JsonResponse(body, status=status)


def validation_issues(detail: Any, path: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested error detail into `[{"field": "activities[3].duration", "issue"}]`."""
    if isinstance(detail, dict):
        issues = []
        for key, value in detail.items():
            if isinstance(key, int):
                child = f"{path}[{key}]"
            elif key == "non_field_errors":
                child = path
            else:
                child = f"{path}.{key}" if path else str(key)
            issues += validation_issues(value, child)
        return issues
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"field": path or "body", "issue": str(item)} for item in detail]
        issues = []
        for index, item in enumerate(detail):
            issues += validation_issues(item, f"{path}[{index}]")
        return issues
    return [{"field": path or "body", "issue": str(detail)}]


def _validation_response(request: HttpRequest, exc: exceptions.ValidationError) -> JsonResponse:
    issues = validation_issues(exc.detail)
    first = issues[0] if issues else {"field": "body", "issue": "Invalid."}
    details = {**first, "errors": issues}
    message = f"Invalid request: {first['field']}: {first['issue']}"
    return error_response(request, status=400, message=message, details=details)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | JsonResponse:
    """DRF's exception handler: every exception from an API view becomes the envelope."""
    request = context.get("request")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()

    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(request, exc)
    if not isinstance(exc, exceptions.APIException):
        logger.exception("Unhandled error in %s", getattr(request, "path", "?"))
        return error_response(request, status=500, message="Internal server error.")

    message = exc.detail if isinstance(exc.detail, str) else "Request failed."
    if isinstance(exc, exceptions.ParseError):
        message = "Malformed JSON in the request body."
    response = error_response(request, status=exc.status_code, message=str(message))
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        response["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait is not None:
        response["Retry-After"] = str(max(1, int(wait + 0.999)))
    return response


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return error_response(request, status=413, message="Request body is too large.")
    return error_response(request, status=400, message="Bad request.")


def handler403(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_response(request, status=403, message="You do not have permission to do this.")


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_response(request, status=404, message="Not found.")


def handler500(request: HttpRequest) -> JsonResponse:
    return error_response(request, status=500, message="Internal server error.")
