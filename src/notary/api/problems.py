"""One error model for every failure: RFC 9457 problem details (`application/problem+json`).

Every `NotaryError` maps to an HTTP status here and nowhere else; its `code` is the stable,
documented error code (one per Solidity error for contract rejections). Responses carry
the error's message and hint, never a stack trace; unexpected errors are logged on the
server and answered with a generic 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from notary import errors
from notary.journal import JournalError
from notary.keystore import KeystoreError

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:notary:problem:"
log = logging.getLogger("notary.api")


class Problem(BaseModel):
    """RFC 9457 problem details, with the stable notary error `code` and an optional `hint`."""

    type: str = Field(description="URI naming the problem type: urn:notary:problem:<code>.")
    title: str = Field(description="Short summary of the problem type.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this occurrence.")
    code: str = Field(description="Stable error code, e.g. record-not-found or NotaryAlreadyAttested.")
    hint: str | None = Field(default=None, description="What to do next, where known.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[dict[str, Any]] | None = Field(default=None, description="Field errors of a malformed request.")


# --------------------------------------------------------------------- API-level errors


class ApiError(errors.NotaryError):
    """An error of the HTTP layer itself (authentication, limits, media types)."""

    status: ClassVar[int] = 400
    code = "bad-request"

    def __init__(self, message: str, *, hint: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, hint=hint)
        self.headers = headers or {}


class UnauthorisedError(ApiError):
    """The request carries no API key, or an unknown one."""

    status = 401
    code = "unauthorised"


class ForbiddenError(ApiError):
    """The API key is valid but lacks the scope this endpoint needs."""

    status = 403
    code = "forbidden"


class RelayDisabledError(ApiError):
    """This service does not relay signed payloads."""

    status = 403
    code = "relay-disabled"


class PayloadTooLargeError(ApiError):
    """The request body is larger than this service accepts."""

    status = 413
    code = "payload-too-large"


class UnsupportedMediaTypeError(ApiError):
    """The request body has a media type this endpoint does not read."""

    status = 415
    code = "unsupported-media-type"


class AmbiguousRecordError(ApiError):
    """Several parties notarised the digest; the request must say whose record it means."""

    status = 409
    code = "ambiguous-record"


class IndexUnavailableError(ApiError):
    """This service has no event index to answer from (disabled, or not open yet)."""

    status = 503
    code = "index-unavailable"


class RateLimitedError(ApiError):
    """The API key has used up its request allowance for now."""

    status = 429
    code = "rate-limited"


# --------------------------------------------------------------------- the mapping

#: Contract rejections that conflict with the current state of the ledger.
CONFLICTS = frozenset(
    {
        "NotaryDuplicateRecord",
        "NotaryAlreadyAttested",
        "NotaryAlreadyCosigned",
        "NotaryWrongState",
        "NotaryNotSignatory",
        "NotaryPartyInactive",
        "NotaryDuplicateAnchor",
        "RegistryPartyExists",
        "RegistryPartySuspended",
        "RegistryPartyNotSuspended",
        "RegistrySignerExists",
        "RegistryRevocationNotEarlier",
    }
)


def status_for(exc: errors.NotaryError) -> int:
    """The HTTP status of a notary error."""
    if isinstance(exc, ApiError):
        return exc.status
    if isinstance(exc, errors.ContractRevertError):
        if exc.solidity_name in CONFLICTS:
            return 409
        return 404 if isinstance(exc, LookupError) else 422
    from notary.audit.export import ExportError
    from notary.index import IndexDatabaseError

    table: tuple[tuple[type[Exception], int], ...] = (
        (errors.RecordNotFoundError, 404),
        (ExportError, 409),
        (IndexDatabaseError, 503),
        (errors.ChainUnreachableError, 503),
        (errors.TransactionTimeoutError, 504),
        (errors.ChainError, 502),
        (errors.DeploymentNotFoundError, 503),
        (errors.ConfigError, 503),
        (KeystoreError, 503),
        (JournalError, 409),
        (errors.WrongDomainError, 422),
        (errors.InvalidInputError, 422),
        (errors.VerificationError, 422),
    )
    return next((status for kind, status in table if isinstance(exc, kind)), 400)


def title_for(exc: errors.NotaryError) -> str:
    if isinstance(exc, errors.ContractRevertError):
        what = "Not found on the ledger" if isinstance(exc, LookupError) else "The ledger rejected the act"
        return f"{what} ({exc.solidity_name})"
    doc = (type(exc).__doc__ or "").strip().splitlines()
    return doc[0].rstrip(".") if doc else "Request failed"


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    request: Request | None = None,
    hint: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = Problem(
        type=TYPE_PREFIX + code,
        title=title,
        status=status,
        detail=detail,
        code=code,
        hint=hint,
        instance=request.url.path if request is not None else None,
        **extra,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status, headers=headers, media_type=MEDIA_TYPE)


async def _notary_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.NotaryError)
    status = status_for(exc)
    if status >= 500:
        log.warning("%s %s failed: %s (%s)", request.method, request.url.path, exc.code, exc.message)
    headers = exc.headers if isinstance(exc, ApiError) else None
    return problem(status, exc.code, title_for(exc), exc.message, request=request, hint=exc.hint, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]
    detail = "; ".join(f"{'.'.join(map(str, f['loc']))}: {f['msg']}" for f in fields) or "the request is malformed"
    return problem(422, "invalid-request", "The request is malformed", detail, request=request, errors=fields)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not-found", 405: "method-not-allowed"}
    code = codes.get(exc.status_code, f"http-{exc.status_code}")
    title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem(exc.status_code, code, title, detail, request=request, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s: unexpected %s", request.method, request.url.path, type(exc).__name__, exc_info=exc)
    return problem(
        500,
        "internal-error",
        "Internal error",
        "the service failed unexpectedly; the error is logged on the server",
        request=request,
    )


def install(app: FastAPI) -> None:
    """Register the handlers: the one place errors become HTTP responses."""
    app.add_exception_handler(errors.NotaryError, _notary_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


def responses(*statuses: int, ok: dict[str, Any] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the problem responses a route can give (and of its 200, if not a model)."""
    described = {
        401: "No API key, or an unknown one",
        403: "The relay is disabled, or the API key lacks the scope this endpoint needs",
        404: "Not found on this ledger",
        409: "The request conflicts with the current state (of the record, or of the index)",
        413: "The request body is too large",
        415: "Unsupported request media type",
        422: "The request or the signed payload is malformed or invalid",
        429: "Rate limit exceeded; see Retry-After",
        502: "The node failed the transaction",
        503: "The chain, the deployment or the event index is not available",
        504: "The transaction was not mined in time",
    }
    schema = {"$ref": "#/components/schemas/Problem"}
    out: dict[int | str, dict[str, Any]] = {200: ok} if ok is not None else {}
    return out | {s: {"description": described[s], "content": {MEDIA_TYPE: {"schema": schema}}} for s in statuses}
