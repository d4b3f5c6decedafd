"""The error model from outside: a real uvicorn process answers hostile input as problem+json."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from chassis_testkit import RawConnection, log_entries, running_service
from fastapi import FastAPI
from slipway_chassis import PROBLEM_JSON, Problem, ServiceSettings, create_app, problem_responses
from slipway_chassis._problems import MAX_ECHO_CHARS, sanitize, validation_issues

TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log_file = tmp_path_factory.mktemp("problems") / "service.log"
    # The dev profile: the one that used to return Python tracebacks as the body.
    with running_service(log_file, APP_ENV="dev") as (base, _process):
        yield base, log_file


def _assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    Problem.model_validate(body)
    assert body["status"] == status
    assert TRACE_ID.match(str(body["trace_id"])), body
    assert "Traceback" not in response.text
    return dict(body)


GOOD = {"name": "mug", "quantity": 1, "price": "1.00"}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        # A lone surrogate: the 422 renderer used to crash on it (UnicodeEncodeError).
        (b'{"name":"abcdef\\ud800","quantity":1,"price":"1.00"}', 422, "name"),
        # 1e400 parses as float inf: rendering its 422 used to raise ValueError.
        (b'{"name":"mug","quantity":1,"price":1e400}', 422, "price"),
        (b'{"name":"mug","quantity":1e400,"price":"1.00"}', 422, "quantity"),
        # An unknown field whose name is a lone surrogate, NUL and 1 kB long.
        (
            b'{"name":"mug","quantity":1,"price":"1","\\u0000' + b"k" * 1000 + b'\\udfff":1}',
            422,
            None,
        ),
        (b"\xff\xfe\x00{not utf-8", 400, None),
        (b'{"name": "mug", ', 400, None),
        (b"[" + b'"x",' * 10_000 + b'"x"]', 422, None),
    ],
)
def test_invalid_input_is_a_4xx_problem_naming_the_field(
    service: tuple[str, Path], body: bytes, status: int, field: str | None
) -> None:
    base, _log = service
    response = httpx.post(
        f"{base}/orders", content=body, headers={"content-type": "application/json"}
    )
    problem = _assert_problem(response, status)
    assert problem["instance"] == "/orders"
    if field is not None:
        errors = problem["errors"]
        assert isinstance(errors, list)
        assert any(e["loc"] == ["body", field] for e in errors), problem
        assert field in str(problem["detail"])
    # Nothing the client sent is echoed back beyond a sanitized, bounded field name.
    assert len(response.content) < 4000
    response.content.decode("utf-8")  # valid UTF-8, always


def test_wrong_content_type_is_415_naming_it(service: tuple[str, Path]) -> None:
    base, _log = service
    response = httpx.post(
        f"{base}/orders", content=json.dumps(GOOD), headers={"content-type": "text/plain"}
    )
    problem = _assert_problem(response, 415)
    assert "Content-Type" in str(problem["detail"])


def test_http_errors_are_problems(service: tuple[str, Path]) -> None:
    base, _log = service
    _assert_problem(httpx.get(f"{base}/nowhere"), 404)
    _assert_problem(httpx.get(f"{base}/items/not-a-number"), 422)
    _assert_problem(httpx.delete(f"{base}/orders"), 405)
    assert httpx.post(f"{base}/orders", json=GOOD).status_code == 200


def test_unexpected_exception_is_logged_once_and_the_connection_stays_usable(
    service: tuple[str, Path],
) -> None:
    base, log_file = service
    connection = RawConnection(base)
    try:
        status, headers, body = connection.request("GET", "/boom")
        assert status == 500
        assert headers["content-type"] == PROBLEM_JSON
        problem = json.loads(body)
        assert problem["detail"] == "unexpected error"
        assert b"sample failure" not in body
        assert b"Traceback" not in body
        assert "close" not in headers.get("connection", "")
        # Same socket, next request: the keep-alive connection survived the 500.
        assert connection.request("GET", "/items/7")[0] == 200
    finally:
        connection.close()
    lines = [e for e in log_entries(log_file) if "sample failure" in json.dumps(e)]
    assert len(lines) == 1, lines  # once: not by the chassis and uvicorn both
    assert lines[0]["trace_id"] == problem["trace_id"]
    assert lines[0]["level"] == "error"


def test_an_unguarded_outage_is_503_with_retry_after_not_500(service: tuple[str, Path]) -> None:
    base, log_file = service
    response = httpx.get(f"{base}/outage")
    problem = _assert_problem(response, 503)
    assert int(response.headers["retry-after"]) >= 1
    assert "10.0.0.1" not in response.text  # the cause is logged, not answered
    assert httpx.get(f"{base}/items/1").status_code == 200  # the log line is out by now
    lines = [e for e in log_entries(log_file) if e.get("event") == "dependency unavailable"]
    assert len(lines) == 1, lines
    assert lines[0]["trace_id"] == problem["trace_id"]
    assert lines[0]["level"] == "warning"


def test_rendering_never_fails_on_hostile_locations() -> None:
    raw = [
        {"loc": ("body", "\udc80" + "x" * 500), "msg": "bad \ud800", "type": "t", "input": 1e400}
    ]
    issue = validation_issues(raw)[0]
    assert len(str(issue.loc[1])) <= MAX_ECHO_CHARS + 20
    issue.model_dump_json()  # encodable
    assert sanitize("a\ud800b") == "a\\ud800b"


def test_problem_responses_document_problem_json(
    chassis_env: pytest.MonkeyPatch,
) -> None:
    app: FastAPI = create_app(ServiceSettings())

    @app.get("/things/{thing_id}", responses=problem_responses(404, 503))
    async def thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    document = app.openapi()
    responses = document["paths"]["/things/{thing_id}"]["get"]["responses"]
    for status in ("404", "503"):
        schema = responses[status]["content"][PROBLEM_JSON]["schema"]
        assert schema == {"$ref": "#/components/schemas/Problem"}
    assert "Retry-After" in responses["503"]["headers"]
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance", "trace_id", "errors"} <= set(
        problem["properties"]
    )
    with pytest.raises(ValueError, match="not an error status"):
        problem_responses(200)


def test_openapi_lists_every_status_the_chassis_answers(chassis_env: pytest.MonkeyPatch) -> None:
    app: FastAPI = create_app(ServiceSettings())

    @app.post("/orders", responses=problem_responses(409))
    async def order(new: dict[str, int]) -> dict[str, int]:
        return new

    @app.get("/health-of-nothing")
    async def plain() -> dict[str, int]:
        return {}

    paths = app.openapi()["paths"]
    post = paths["/orders"]["post"]["responses"]
    get = paths["/health-of-nothing"]["get"]["responses"]
    for status in ("400", "409", "413", "415", "422", "431", "500", "503"):
        schema = post[status]["content"][PROBLEM_JSON]["schema"]
        assert schema == {"$ref": "#/components/schemas/Problem"}, status
    assert set(get) == {"200", "431", "500", "503"}  # no body, no parameters
    assert "HTTPValidationError" not in app.openapi()["components"]["schemas"]
