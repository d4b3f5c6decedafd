"""The HTTP limits of the settings, on a real server process, as a client on a socket meets them.

Each limit is set small (env vars of the sample service) so that the tests are
cheap: body size (413 from Content-Length at once, and while a chunked body
streams in, before it ended), header size and count (431), incomplete request
heads and idle keep-alive connections (closed by the server), the concurrency
cap (503 + Retry-After instead of a queue). Every answer is problem+json.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from chassis_testkit import RawConnection, running_service
from slipway_chassis import PROBLEM_JSON

pytestmark = pytest.mark.timeout(120)
BODY_LIMIT = 64 << 10
HEAD_TIMEOUT = 1.0
KEEP_ALIVE = 1


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_file = tmp_path_factory.mktemp("limits") / "service.log"
    with running_service(
        log_file,
        MAX_REQUEST_BODY_BYTES=str(BODY_LIMIT),
        MAX_REQUEST_HEADER_BYTES="8192",
        MAX_REQUEST_HEADERS="20",
        REQUEST_HEAD_TIMEOUT_SECONDS=str(HEAD_TIMEOUT),
        KEEP_ALIVE_TIMEOUT_SECONDS=str(KEEP_ALIVE),
        MAX_CONCURRENT_REQUESTS="2",
    ) as (base, _process):
        yield base


def _socket(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one response head and its Content-Length body from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response head: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    while len(body) < int(headers.get("content-length", 0)):
        body += sock.recv(65536)
    return int(status_line.split()[1]), headers, body


def _assert_problem(status: int, headers: dict[str, str], body: bytes, expected: int) -> dict:
    assert status == expected, body
    assert headers["content-type"] == PROBLEM_JSON
    problem = json.loads(body)
    assert problem["status"] == expected
    return dict(problem)


def test_declared_body_over_the_limit_is_413_at_once(service: str) -> None:
    with _socket(service) as sock:
        # The head only: the server answers without waiting for a byte of the body.
        sock.sendall(
            b"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {BODY_LIMIT + 1}\r\n\r\n".encode()
        )
        status, headers, body = _read_response(sock)
    problem = _assert_problem(status, headers, body, 413)
    assert "MAX_REQUEST_BODY_BYTES" in problem["detail"]
    assert headers["connection"] == "close"


def test_streamed_body_over_the_limit_is_413_before_it_ends(service: str) -> None:
    with _socket(service) as sock:
        sock.sendall(
            b"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * (16 << 10)
        for _ in range(BODY_LIMIT // len(chunk) + 1):  # just past the limit; never ended
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        status, headers, body = _read_response(sock)
    _assert_problem(status, headers, body, 413)


@pytest.mark.parametrize(
    "extra",
    [
        [("x-big", "a" * 16_000)],  # over MAX_REQUEST_HEADER_BYTES (8 kB)
        [("x-huge", "a" * 100_000)],  # the 100 kB header, several reads
        [(f"x-h{i}", "1") for i in range(30)],  # over MAX_REQUEST_HEADERS (20)
    ],
    ids=["header-bytes", "header-100kB", "header-count"],
)
def test_oversized_heads_are_431(service: str, extra: list[tuple[str, str]]) -> None:
    response = httpx.get(f"{service}/items/1", headers=extra)
    assert response.status_code == 431, response.text
    assert response.headers["content-type"] == PROBLEM_JSON


def test_a_malformed_request_is_a_400_problem(service: str) -> None:
    with _socket(service) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        status, headers, body = _read_response(sock)
    _assert_problem(status, headers, body, 400)
    assert headers["connection"] == "close"


def test_an_incomplete_request_head_is_timed_out(service: str) -> None:
    with _socket(service) as sock, _socket(service) as silent:
        started = time.monotonic()
        sock.sendall(b"GET /items/1 HTTP/1.1\r\nHost: x\r\n")  # never finished
        # Trickling bytes does not push the deadline back (slowloris).
        for _ in range(int(HEAD_TIMEOUT * 10)):
            time.sleep(0.2)
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                break
        sock.settimeout(15)
        silent.settimeout(15)
        assert _closed(sock), "the half-sent head was not timed out"
        assert _closed(silent), "a connection that never sent a byte was not timed out"
        # A generous bound (loaded machines): the point is "closed", not the exact second.
        assert time.monotonic() - started < 15


def test_an_idle_keep_alive_connection_is_closed(service: str) -> None:
    connection = RawConnection(service)
    try:
        assert connection.request("GET", "/items/1")[0] == 200
        assert connection.closed_by_server(within=KEEP_ALIVE + 10)
    finally:
        connection.close()


def _closed(sock: socket.socket) -> bool:
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_over_the_concurrency_cap_is_503_not_a_queue(service: str) -> None:
    results: list[int] = []

    def slow() -> None:
        results.append(httpx.get(f"{service}/slow", params={"seconds": 3}, timeout=30).status_code)

    holders = [threading.Thread(target=slow) for _ in range(2)]  # MAX_CONCURRENT_REQUESTS
    for thread in holders:
        thread.start()
    deadline = time.monotonic() + 20
    extra = httpx.get(f"{service}/items/1", timeout=30)
    while extra.status_code == 200 and time.monotonic() < deadline:  # holders not in yet
        time.sleep(0.1)
        extra = httpx.get(f"{service}/items/1", timeout=30)
    probe = httpx.get(f"{service}/livez", timeout=30)
    for thread in holders:
        thread.join()
    assert extra.status_code == 503, extra.text
    assert extra.headers["content-type"] == PROBLEM_JSON
    assert int(extra.headers["retry-after"]) >= 1
    assert probe.status_code == 200  # probes are not counted against the cap
    assert results == [200, 200]
    assert httpx.get(f"{service}/items/1").status_code == 200  # the cap frees up
