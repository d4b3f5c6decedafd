"""The e2e assertions, each a function returning a CheckResult.

Order matters: smoke, traces, metrics and the dependency outage run on a live
stack; graceful shutdown (`shutdown.py`) runs last because it stops the service.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from collections.abc import Callable

import httpx
from slipway_chassis.testing import OTLPReceiver
from slipway_contract import metrics as names
from slipway_contract import probes
from slipway_contract.waiting import poll

from slipway_gates.e2e.docker_cli import docker, logs
from slipway_gates.e2e.prometheus import PrometheusServer
from slipway_gates.e2e.stack import Stack
from slipway_gates.outcome import CheckResult

PROBES = probes.PROBE_PATHS  # /livez, /readyz, /startupz, /metrics (CONTRACTS.md)


def check_smoke(stack: Stack) -> CheckResult:
    name = "e2e: probes answer"
    bad = []
    for path in PROBES:
        resp = httpx.get(stack.url + path, timeout=5, follow_redirects=False)
        if resp.status_code != 200:
            bad.append(f"{path} answered {resp.status_code}: {resp.text[:200]}")
    metrics = httpx.get(stack.url + probes.METRICS, timeout=5).text
    if names.SERVICE_BUILD_INFO not in metrics:
        bad.append(f"{probes.METRICS} has no {names.SERVICE_BUILD_INFO} (CONTRACTS.md)")
    if bad:
        return CheckResult.failed(name, "a probe misbehaved", bad)
    return CheckResult.passed(
        name, f"{', '.join(PROBES)} all 200; {probes.METRICS} carries {names.SERVICE_BUILD_INFO}"
    )


def _log_entries(container: str) -> list[dict[str, object]]:
    entries = []
    for raw in logs(container).splitlines():
        line = raw.strip()
        if line.startswith("{"):
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return entries


def check_traces_match_logs(
    stack: Stack, receiver: OTLPReceiver, path: str, count: int = 10
) -> CheckResult:
    """Requests carrying our own traceparent: each trace id must be in a log line AND a span."""
    name = "e2e: log trace ids match received spans"
    sent = set()
    with httpx.Client(base_url=stack.url, timeout=10) as client:
        for _ in range(count):
            trace_id, parent = secrets.token_hex(16), secrets.token_hex(8)
            client.get(path, headers={"traceparent": f"00-{trace_id}-{parent}-01"})
            sent.add(trace_id)
    missing_spans = receiver.wait_for_traces(sent, timeout=30)
    logged = {
        str(e.get("trace_id")) for e in _log_entries(stack.service_container) if e.get("trace_id")
    }
    missing_logs = sent - logged
    # Every trace id any log line carries must belong to a received span, too.
    orphans = logged - receiver.trace_ids()
    findings = [f"trace {t}: no span received" for t in sorted(missing_spans)]
    findings += [f"trace {t}: no JSON log line carries it" for t in sorted(missing_logs)]
    findings += [f"log trace_id {t} has no received span" for t in sorted(orphans)]
    if findings:
        return CheckResult.failed(
            name, f"{len(findings)} mismatches over {count} traced requests", findings
        )
    return CheckResult.passed(
        name,
        f"{count} requests to {path} with our traceparent: every trace id is in a JSON "
        f"log line and in a received span ({len(receiver.spans)} spans, "
        f"{len(logged)} logged trace ids, none orphaned)",
    )


def check_metrics_scraped(prometheus: PrometheusServer, service: str) -> CheckResult:
    name = "e2e: Prometheus scrapes the service"
    up = prometheus.wait_for(f'up{{service="{service}"}} == 1', timeout=30)
    requests = prometheus.wait_for(
        f'sum({names.HTTP_REQUESTS_TOTAL}{{service="{service}"}}) > 0', timeout=30
    )
    buckets = prometheus.wait_for(
        f'count({names.HTTP_REQUEST_DURATION_SECONDS}_bucket{{service="{service}"}}) > 0',
        timeout=10,
    )
    findings = []
    if not up:
        findings.append(f'up{{service="{service}"}} never became 1')
    if not requests:
        findings.append(f"{names.HTTP_REQUESTS_TOTAL} never appeared in Prometheus")
    if not buckets:
        findings.append(
            f"{names.HTTP_REQUEST_DURATION_SECONDS}_bucket never appeared in Prometheus"
        )
    if findings:
        return CheckResult.failed(name, "metrics not scraped", findings)
    total = float(requests[0]["value"][1])
    return CheckResult.passed(
        name, f"up=1, {names.HTTP_REQUESTS_TOTAL}={total:g} and duration buckets scraped"
    )


def _circuit_states(stack: Stack) -> dict[str, float]:
    text = httpx.get(stack.url + probes.METRICS, timeout=5).text
    states = {}
    for line in text.splitlines():
        if line.startswith(names.CIRCUIT_BREAKER_STATE + "{"):
            labels, _, value = line.rpartition(" ")
            dep = (
                labels.split('dependency="', 1)[1].split('"', 1)[0]
                if 'dependency="' in labels
                else "?"
            )
            states[dep] = float(value)
    return states


def _drive_until(stack: Stack, path: str, done: Callable[[], bool], timeout: float) -> bool:
    """Send requests to `path` (the breaker only moves with traffic) until done() or timeout."""
    with httpx.Client(base_url=stack.url, timeout=5) as client:

        def request_then_look() -> bool:
            with contextlib.suppress(httpx.HTTPError):
                client.get(path)
            return done()

        return poll(request_then_look, timeout=timeout, interval=0.2).reached


def check_dependency_outage(stack: Stack, path: str) -> list[CheckResult]:
    """Stop a dependency, then start it again; judge readiness and the circuit breaker apart.

    Readiness: 503 naming the failing check during the outage, 200 after recovery.
    Circuit: `circuit_breaker_state` reaches 2 (open) under traffic during the
    outage and 0 (closed) after recovery.
    """
    ready_name = "e2e: dependency outage fails readiness, recovery restores it"
    circuit_name = "e2e: dependency outage opens the circuit, recovery closes it"
    if not stack.service.dependencies:
        reason = f"{stack.service.name} declares no dependency"
        return [CheckResult.not_run(ready_name, reason), CheckResult.not_run(circuit_name, reason)]
    kind = stack.service.dependencies[0]
    seen: dict[str, object] = {"ready503": None, "open": False, "since": None}

    def outage_seen() -> bool:
        resp = httpx.get(stack.url + probes.READYZ, timeout=5)
        states = _circuit_states(stack)
        if resp.status_code == 503 and seen["ready503"] is None:
            seen["ready503"], seen["since"] = resp.text[:300], time.monotonic()
        seen["open"] = seen["open"] or any(v == 2 for v in states.values())
        # No breaker series at all 10 s into a visible outage: none will appear.
        no_breaker = not states and seen["since"] and time.monotonic() - seen["since"] > 10  # type: ignore[operator]
        return bool(seen["ready503"]) and (bool(seen["open"]) or bool(no_breaker))

    def recovered() -> bool:
        states = _circuit_states(stack)
        ok = httpx.get(stack.url + probes.READYZ, timeout=5).status_code == 200
        return ok and all(v == 0 for v in states.values())

    docker("stop", "-t", "5", stack.containers[kind])
    _drive_until(stack, path, outage_seen, timeout=60)
    during = _circuit_states(stack)
    docker("start", stack.containers[kind])
    stack.wait_dependency(kind)
    back = _drive_until(stack, path, recovered, timeout=90)
    after = _circuit_states(stack)
    ready_ok = bool(seen["ready503"]) and back
    readiness = (
        CheckResult.passed(
            ready_name,
            f"{kind} stopped -> /readyz 503 {seen['ready503']}; restarted -> /readyz 200",
        )
        if ready_ok
        else CheckResult.failed(
            ready_name,
            f"outage of {kind} mishandled",
            [
                f"/readyz during the outage: {seen['ready503'] or 'never 503 within 60 s'}",
                f"/readyz after recovery: {'200' if back else 'not 200 within 90 s'}",
            ],
        )
    )
    if not during and not after:
        circuit = CheckResult.failed(
            circuit_name,
            f"no circuit breaker guards {kind}",
            [
                f"no {names.CIRCUIT_BREAKER_STATE} series while {kind} was down: the service's "
                f"calls to {kind} do not go through a breaker (slipway_chassis.dependency_breaker)"
            ],
        )
    elif seen["open"] and all(v == 0 for v in after.values()):
        circuit = CheckResult.passed(
            circuit_name, f"open (2) during the outage, closed after: {after}"
        )
    else:
        circuit = CheckResult.failed(
            circuit_name,
            f"breaker did not follow the outage of {kind}",
            [f"during: {during}", f"after recovery: {after}"],
        )
    return [readiness, circuit]
