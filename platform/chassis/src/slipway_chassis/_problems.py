"""The error model of every Slipway service: `application/problem+json` (RFC 9457).

Every error a chassis app answers, whatever raised it and in every profile, is
one JSON object with `Content-Type: application/problem+json`:

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "body.quantity: Input should be a valid integer",
     "instance": "/items", "trace_id": "4bf92f35...",
     "errors": [{"loc": ["body", "quantity"], "msg": "...", "type": "int_parsing"}]}

`install_problem_handlers` (called by `create_app`) maps HTTPException,
RequestValidationError, DependencyUnavailableError and CircuitOpenError (503 +
Retry-After) and any other exception (500, no traceback) to that shape; the
chassis middleware answers 413/431/503 from its limits with it too. Document
the statuses of a route with `responses=problem_responses(404, 503)`; the
OpenAPI document gets those the chassis answers itself on every route.

Rendering never fails: nothing the client sent is echoed back except the
location of the invalid field, and that is sanitized (lone surrogates escaped,
cut to `MAX_ECHO_CHARS`); pydantic's `input` and `ctx` are dropped (an input may
be infinite, huge, or not encodable as UTF-8).
"""

from __future__ import annotations

import json
import math
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from opentelemetry import trace
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from slipway_chassis._circuits import DependencyUnavailableError

PROBLEM_JSON = "application/problem+json"
# Longest piece of client input (a field name) repeated in an error response.
MAX_ECHO_CHARS = 120
# Validation errors listed in one response; a 10 000-element body lists the first ones.
MAX_LISTED_ERRORS = 20


class ValidationIssue(BaseModel):
    """One invalid field: where it is, what is wrong, pydantic's error type."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, plus the request's `trace_id` and validation `errors`."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"title": "Problem"})

    type: Annotated[str, Field(description="URI of the problem type")] = "about:blank"
    title: Annotated[str, Field(description="short summary of the status")]
    status: Annotated[int, Field(ge=100, le=599, description="the HTTP status code")]
    detail: Annotated[str | None, Field(description="what went wrong, for a human")] = None
    instance: Annotated[str | None, Field(description="the request path")] = None
    trace_id: Annotated[
        str | None, Field(description="W3C trace id of the request (32 hex), for support")
    ] = None
    errors: Annotated[
        list[ValidationIssue] | None, Field(description="invalid fields (422 only)")
    ] = None


_DESCRIPTIONS = {
    400: "malformed request (the body is not valid JSON or not UTF-8)",
    404: "no such resource",
    413: "request body larger than MAX_REQUEST_BODY_BYTES",
    415: "the body is not application/json",
    422: "a field is invalid; `errors` names each one",
    429: "too many requests",
    431: "request headers too many or too large",
    500: "unexpected error (logged with the trace_id)",
    503: "a dependency is unavailable, a feature is switched off, or the server is at its "
    "concurrency limit; retry after `Retry-After` seconds",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting each status as problem+json."""
    schema = {"$ref": "#/components/schemas/Problem"}
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        if not 400 <= status <= 599:
            raise ValueError(f"problem_responses: {status} is not an error status (400-599)")
        entry: dict[str, Any] = {
            "description": _DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
            "content": {PROBLEM_JSON: {"schema": schema}},
        }
        if status in (503, 429):
            entry["headers"] = {
                "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
            }
        out[status] = entry
    return out


def current_trace_id() -> str | None:
    """The current span's trace id (32 hex), or None outside a valid span."""
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def sanitize(text: str) -> str:
    """`text` safe to put in a response: valid UTF-8, at most MAX_ECHO_CHARS."""
    if len(text) > MAX_ECHO_CHARS:
        text = text[:MAX_ECHO_CHARS] + "..."
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(
    status: int,
    detail: str | None = None,
    *,
    instance: str | None = None,
    errors: list[ValidationIssue] | None = None,
    extra: dict[str, Any] | None = None,
) -> bytes:
    """The serialized problem document (never raises on odd text)."""
    problem = Problem(
        title=_phrase(status),
        status=status,
        detail=None if detail is None else sanitize(detail),
        instance=None if instance is None else sanitize(instance),
        trace_id=current_trace_id(),
        errors=errors,
        **(extra or {}),
    )
    return problem.model_dump_json(exclude_none=True).encode()


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    instance: str | None = None,
    errors: list[ValidationIssue] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """A problem+json `Response`."""
    body = problem_body(status, detail, instance=instance, errors=errors, extra=extra)
    return Response(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def validation_issues(raw: list[Any]) -> list[ValidationIssue]:
    """pydantic/FastAPI errors without `input`/`ctx`, every string sanitized."""
    issues: list[ValidationIssue] = []
    for err in raw[:MAX_LISTED_ERRORS]:
        loc = [p if isinstance(p, int) else sanitize(str(p)) for p in err.get("loc", ())]
        issues.append(
            ValidationIssue(
                loc=loc,
                msg=sanitize(str(err.get("msg", "invalid"))),
                type=sanitize(str(err.get("type", "value_error"))),
            )
        )
    return issues


def _describe(issues: list[ValidationIssue], total: int) -> str:
    first = issues[0] if issues else None
    if first is None:
        return "the request is invalid"
    where = ".".join(str(p) for p in first.loc) or "request"
    more = f" (and {total - 1} more)" if total > 1 else ""
    return f"{where}: {first.msg}{more}"


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    """422 listing the invalid fields; a body that is not JSON at all is 400."""
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this type
    raw = list(exc.errors())
    content_type = request.headers.get("content-type", "")
    if (
        content_type
        and not _is_json(content_type)
        and any(tuple(e.get("loc", ())) == ("body",) for e in raw)
    ):
        return problem_response(
            415,
            f"body: Content-Type must be application/json (got {content_type!r})",
            instance=request.url.path,
        )
    issues = validation_issues(raw)
    status = 400 if raw and all(e.get("type") == "json_invalid" for e in raw) else 422
    return problem_response(
        status, _describe(issues, len(raw)), instance=request.url.path, errors=issues
    )


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """HTTPException -> problem+json with its status, detail and headers."""
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for this type
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers or {})
    if exc.status_code == 503:
        headers.setdefault("Retry-After", "1")
    if exc.status_code in (204, 304):  # no body allowed
        return Response(status_code=exc.status_code, headers=headers)
    return problem_response(exc.status_code, detail, instance=request.url.path, headers=headers)


async def dependency_unavailable_handler(request: Request, exc: Exception) -> Response:
    """`DependencyUnavailableError` (`CircuitOpenError` too) -> 503 + `Retry-After` (>= 1 s)."""
    assert isinstance(exc, DependencyUnavailableError)  # noqa: S101 - registered for this type
    retry_after = max(1, math.ceil(exc.retry_after_seconds))
    return problem_response(
        503,
        f"dependency {exc.dependency!r} unavailable",
        instance=request.url.path,
        headers={"Retry-After": str(retry_after)},
        extra={"dependency": exc.dependency},
    )


async def unexpected_error_handler(request: Request, _exc: Exception) -> Response:
    """Last resort (Starlette's ServerErrorMiddleware): 500, never a traceback.

    The chassis middleware normally answers unexpected errors itself (and logs
    them once); this covers an exception raised outside it.
    """
    return problem_response(500, "unexpected error", instance=request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers above on `app` (`create_app` does it)."""
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)
    app.add_exception_handler(DependencyUnavailableError, dependency_unavailable_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
    app.openapi_schema = None
    _register_schema(app)


# Statuses the chassis itself can answer on any route (limits, outages, the last resort)
# and on a route that reads a body (malformed, too large, not JSON).
EVERY_ROUTE_STATUSES = (431, 500, 503)
BODY_ROUTE_STATUSES = (400, 413, 415)
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _register_schema(app: FastAPI) -> None:
    """Complete the OpenAPI document: `Problem`, and every error status each route can return.

    A route documents its own statuses (`responses=problem_responses(404)`); the
    chassis adds what it answers itself, and FastAPI's 422 schema is replaced by
    `Problem` (what the 422 really is).
    """
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in _problem_schemas().items():
                components.setdefault(name, definition)
            for item in schema.get("paths", {}).values():
                for method, operation in item.items():
                    if method in _METHODS:
                        _document_errors(operation)
            for unused in ("HTTPValidationError", "ValidationError"):
                if f'"#/components/schemas/{unused}"' not in json.dumps(schema["paths"]):
                    components.pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_errors(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    statuses = list(EVERY_ROUTE_STATUSES)
    if "requestBody" in operation:
        statuses += BODY_ROUTE_STATUSES
    if "requestBody" in operation or operation.get("parameters"):
        statuses.append(422)
    for status, entry in problem_responses(*statuses).items():
        if str(status) == "422" or str(status) not in responses:
            responses[str(status)] = entry


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {"Problem": schema, **defs}
