"""`docker stop` under keep-alive load, repeated: no request may be dropped.

The clients model what reaches a pod in Kubernetes while it terminates:
- keep-alive clients hold one connection each and reuse it for as long as the
  server keeps it open (kube-proxy's conntrack keeps established connections
  flowing to a terminating pod: nothing stops them but the server), right up to
  the end of the drain window if the server let them;
- a new connection is opened only while the endpoint is routable: until the
  monitor sees `/readyz` answer 503 (the endpoint leaves the Service);
- busy clients send back to back, slow clients pause between requests, idle
  connections were opened before the signal and are never written to again
  (the server must close them itself during the drain, before its listener closes).

A request that was written and got no response (reset, EOF, timeout) or a 5xx
is a failure. Clients talk to the container's address on the Docker bridge (a
pod IP), not through docker-proxy's published port, whose own connection
handling would hide what the service did (under a remote daemon, GitLab's dind,
whose bridge is out of reach: its published port, see `client_address`).

Why http.client and not httpx: the check needs exact control of one connection
per client (never reconnect behind our back, see whether the server closed an
idle connection before writing to it, tell `Connection: close` apart from a drop);
httpx's pool deliberately hides all three.
"""

from __future__ import annotations

import http.client
import json
import random
import select
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from slipway_contract import docker_host

from slipway_gates.e2e.docker_cli import docker, inspect, logs, published_url
from slipway_gates.e2e.stack import Stack
from slipway_gates.outcome import CheckResult

BUSY_CLIENTS = 6
SLOW_CLIENTS = 2  # pause 0.05-0.5 s between requests on the same connection
IDLE_CONNECTIONS = 2
STEADY_LOAD_SECONDS = 1.0
CLIENT_TIMEOUT = 30.0  # a slow shared machine; a request never legitimately takes this long


@dataclass
class RunResult:
    """One `docker stop` round."""

    requests: int = 0
    failures: list[str] = field(default_factory=list)
    closed_by_header: int = 0  # connections ended by the server's `Connection: close`
    idle_closed_after: list[float] = field(default_factory=list)  # s after `docker stop`
    idle_closed_at: list[float] = field(default_factory=list)  # wall clock (epoch s)
    listener_closed_at: float | None = None  # the server's "draining" log line (epoch s)
    last_response_after: float = 0.0  # s after `docker stop`
    ready_503_after: float | None = None
    exit_code: int | None = None
    drain_seconds: float | None = None

    def problems(self) -> list[str]:
        found = []
        if self.failures:
            found.append(
                f"{len(self.failures)} of {self.requests} requests failed: "
                f"{sorted(set(self.failures))[:5]}"
            )
        if self.ready_503_after is None:
            found.append("/readyz never answered 503 after SIGTERM (the server just went away)")
        if len(self.idle_closed_after) < IDLE_CONNECTIONS:
            found.append(
                f"{IDLE_CONNECTIONS - len(self.idle_closed_after)} idle keep-alive connections "
                "were never closed by the server"
            )
        elif self.listener_closed_at is None:
            found.append("no 'draining: no new connections' log line: when did the listener close?")
        elif max(self.idle_closed_at) >= self.listener_closed_at:
            late = max(self.idle_closed_at) - self.listener_closed_at
            found.append(
                f"an idle keep-alive connection was closed only {late:.2f} s after the listener "
                "closed, not during the drain window (a client may write into it meanwhile)"
            )
        if self.exit_code != 0:
            found.append(f"the service exited with code {self.exit_code} (expected 0)")
        if self.requests == 0:
            found.append("no request completed: the load never ran")
        return found

    def summary(self) -> str:
        idle = ", ".join(f"{t:.2f}" for t in sorted(self.idle_closed_after)) or "-"
        ready = "never" if self.ready_503_after is None else f"{self.ready_503_after:.2f} s"
        return (
            f"{self.requests} requests, {len(self.failures)} failed; readiness 503 after "
            f"{ready}; {self.closed_by_header} connections ended by Connection: close; idle "
            f"connections closed after {idle} s (drain {self.drain_seconds} s); last response "
            f"{self.last_response_after:.2f} s after the stop; exit code {self.exit_code}"
        )


class _Round:
    """The clients and the monitor of one round, sharing what they saw."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.host, self.port, self.path = host, port, path
        self.routable = threading.Event()
        self.routable.set()
        self.stopping = threading.Event()  # set once the stop is under way
        self.done = threading.Event()  # the container has exited
        self.stop_at = 0.0
        self.result = RunResult()
        self.lock = threading.Lock()

    def _connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=CLIENT_TIMEOUT)
        conn.connect()
        return conn

    def _since_stop(self) -> float:
        return time.monotonic() - self.stop_at if self.stopping.is_set() else 0.0

    def client(self, pause: tuple[float, float] | None) -> None:
        conn: http.client.HTTPConnection | None = None
        while not self.done.is_set():
            if conn is not None and conn.sock is not None and _closed_by_peer(conn):
                conn.close()  # the server closed it while idle: what a pool notices
                conn = None
            if conn is None or conn.sock is None:
                if not self.routable.is_set():
                    return  # no new connections to an endpoint that left the Service
                try:
                    conn = self._connect()
                except OSError as exc:
                    self._record(f"connect: {type(exc).__name__}: {exc}")
                    return
            try:
                conn.request("GET", self.path, headers={"accept": "application/json"})
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException) as exc:
                self._record(f"{type(exc).__name__}: {exc}")
                conn.close()
                return
            self._record(None if resp.status < 500 else f"HTTP {resp.status}")
            if resp.will_close:
                with self.lock:
                    self.result.closed_by_header += 1
                conn.close()
            if pause is not None:
                time.sleep(random.uniform(*pause))  # noqa: S311 - load jitter, not crypto
        if conn is not None:
            conn.close()

    def _record(self, failure: str | None) -> None:
        with self.lock:
            self.result.requests += 1
            if failure is not None:
                self.result.failures.append(failure)
            self.result.last_response_after = self._since_stop()

    def idle_connection(self) -> None:
        """One request, then idle: the server must close it during the drain."""
        conn = self._connect()
        conn.request("GET", self.path)
        conn.getresponse().read()
        self.stopping.wait()
        if conn.sock is None:
            return
        ready, _, _ = select.select([conn.sock], [], [], CLIENT_TIMEOUT)
        if ready and conn.sock.recv(1) == b"":
            with self.lock:
                self.result.idle_closed_after.append(self._since_stop())
                self.result.idle_closed_at.append(time.time())
        conn.close()

    def monitor(self) -> None:
        """Poll /readyz on fresh connections; the first 503 (or refusal) unroutes the endpoint."""
        while not self.done.is_set():
            try:
                conn = self._connect()
                conn.request("GET", "/readyz")
                status = conn.getresponse().status
                conn.close()
            except (OSError, http.client.HTTPException):
                status = 0
            if self.stopping.is_set() and status != 200:
                if status == 503 and self.result.ready_503_after is None:
                    self.result.ready_503_after = self._since_stop()
                self.routable.clear()
                return
            time.sleep(0.05)


def _closed_by_peer(conn: http.client.HTTPConnection) -> bool:
    """An idle connection is readable only when the server closed it (EOF)."""
    return conn.sock is not None and bool(select.select([conn.sock], [], [], 0)[0])


def _bridge_address(stack: Stack) -> str:
    networks = inspect(stack.service_container)["NetworkSettings"]["Networks"]
    return str(networks[stack.network]["IPAddress"])


def client_address(stack: Stack) -> tuple[str, int]:
    """Where the round's clients connect.

    The container's bridge address (a pod IP) when this machine is on that bridge (the
    local daemon): a published port goes through docker-proxy, whose own connection
    handling would hide what the service did. A remote daemon's bridge (GitLab's
    docker:dind) is not routable from here: its published port, which traffic from
    another host reaches through the daemon's DNAT rule straight to the container
    (docker-proxy serves only the daemon host's own loopback)."""
    if docker_host.is_local_address(stack.gateway()):
        return _bridge_address(stack), stack.service.port
    published = urlsplit(stack.url)
    if published.hostname is None or published.port is None:
        raise ValueError(f"the stack's URL {stack.url!r} names no host and port")
    return published.hostname, published.port


def _shutdown_log(container: str) -> tuple[float | None, float | None]:
    """(drain_seconds, when the listener closed) from the chassis' latest shutdown log lines."""
    drain = closed = None
    for line in reversed(logs(container).splitlines()):
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        event = str(entry.get("event", ""))
        if closed is None and event.startswith("draining: no new connections"):
            closed = datetime.fromisoformat(entry["timestamp"]).timestamp()
        if drain is None and "drain_seconds" in entry:
            drain = float(entry["drain_seconds"])
        if drain is not None and closed is not None:
            break
    return drain, closed


def one_stop(stack: Stack, path: str) -> RunResult:
    """Keep-alive load, `docker stop` mid-load, and what the clients saw."""
    round_ = _Round(*client_address(stack), path)
    threads = [threading.Thread(target=round_.client, args=(None,)) for _ in range(BUSY_CLIENTS)]
    threads += [
        threading.Thread(target=round_.client, args=((0.05, 0.5),)) for _ in range(SLOW_CLIENTS)
    ]
    threads += [threading.Thread(target=round_.idle_connection) for _ in range(IDLE_CONNECTIONS)]
    threads.append(threading.Thread(target=round_.monitor))
    for t in threads:
        t.start()
    time.sleep(STEADY_LOAD_SECONDS)
    round_.stop_at = time.monotonic()
    round_.stopping.set()
    try:
        docker("stop", "-t", "30", stack.service_container, timeout=60)
    finally:
        round_.done.set()
        round_.routable.clear()
        for t in threads:
            t.join(timeout=CLIENT_TIMEOUT + 5)
    state = inspect(stack.service_container)["State"]
    round_.result.exit_code = state.get("ExitCode")
    round_.result.drain_seconds, round_.result.listener_closed_at = _shutdown_log(
        stack.service_container
    )
    return round_.result


def check_docker_stop_runs(stack: Stack, path: str, runs: int = 10) -> CheckResult:
    """`runs` consecutive `docker stop` rounds under keep-alive load (restarting in between)."""
    name = f"e2e: docker stop under keep-alive load drops nothing ({runs} runs)"
    lines: list[str] = []
    findings: list[str] = []
    started = time.monotonic()
    for number in range(1, runs + 1):
        if number > 1:  # the same container again: a fresh process, a new published port
            docker("start", stack.service_container)
            stack.url = published_url(stack.service_container, stack.service.port)
            stack.wait_ready(120)
        result = one_stop(stack, path)
        line = f"run {number}/{runs}: {result.summary()}"
        print(f"  {line}", flush=True)
        lines.append(line)
        findings += [f"run {number}: {p}" for p in result.problems()]
    if findings:
        return CheckResult.failed(name, "a shutdown under load was not clean", findings + lines)
    took = time.monotonic() - started
    return CheckResult.passed(
        name, f"{runs} runs in {took:.0f} s, 0 failed requests:\n    " + "\n    ".join(lines)
    )
