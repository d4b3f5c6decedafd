"""The e2e assertions for a queue worker (service_kind queue-worker), each a CheckResult.

The worker's input is its queue; `POST /messages` publishes an OrderPlaced
message carrying the request's W3C trace context, and the consumer processes it
inside a CONSUMER span continuing that trace. Order matters: the shutdown check
runs last because it stops the service (and starts it again to drain the queue).
"""

from __future__ import annotations

import secrets
import textwrap
import threading
import time
from dataclasses import dataclass, field

import httpx
from slipway_chassis.testing import OTLPReceiver
from slipway_contract import metrics as names
from slipway_contract import probes
from slipway_contract.waiting import poll

from slipway_gates.e2e.docker_cli import DockerError, docker, inspect, published_url
from slipway_gates.e2e.prometheus import PrometheusServer
from slipway_gates.e2e.scenario import _log_entries
from slipway_gates.e2e.stack import Stack
from slipway_gates.outcome import CheckResult

SPAN_KIND_CONSUMER = 5  # OTLP's enum (opentelemetry-proto), not the API's SpanKind
PROCESSED_EVENT = "order processed"  # the template's processing.handle log line


def order(order_id: str) -> dict[str, str]:
    """A valid OrderPlaced body (the template's messages.py)."""
    return {"order_id": order_id, "amount": "1.00"}


def traceparent(trace_id: str) -> str:
    return f"00-{trace_id}-{secrets.token_hex(8)}-01"


def package_name(service: str) -> str:
    """The template's package_name for a service_name (copier.yml: dashes to underscores)."""
    return service.replace("-", "_")


def poison_publisher(package: str, body: bytes) -> str:
    """Python run inside the service container: its own consumer publishes raw `body`.

    POST /messages validates (422 on poison), so the poison goes through the same
    `Consumer.publish` the endpoint uses, with the container's own settings (env).
    """
    return textwrap.dedent(
        f"""
        import asyncio
        from {package}.consumer import Consumer
        from {package}.settings import Settings

        async def main():
            consumer = Consumer(Settings())
            await consumer.connect()
            try:
                await consumer.publish({body!r})
            finally:
                await consumer.close()

        asyncio.run(main())
        """
    )


def processed_ids(container: str) -> dict[str, list[str]]:
    """order_id -> trace ids of its `order processed` log lines (JSON lines only)."""
    seen: dict[str, list[str]] = {}
    for entry in _log_entries(container):
        if entry.get("event") == PROCESSED_EVENT and entry.get("order_id"):
            seen.setdefault(str(entry["order_id"]), []).append(str(entry.get("trace_id", "")))
    return seen


def _acked(prometheus: PrometheusServer, service: str) -> float:
    rows = prometheus.query(
        f'sum({names.QUEUE_MESSAGES_TOTAL}{{service="{service}",outcome="acked"}})'
    )
    return float(rows[0]["value"][1]) if rows else 0.0


def check_messages_consumed(
    stack: Stack, receiver: OTLPReceiver, prometheus: PrometheusServer, count: int = 10
) -> list[CheckResult]:
    """Publish `count` traced messages; judge consumption (Prometheus) and tracing apart."""
    consumed_name = "e2e worker: published messages are consumed (acked, scraped by Prometheus)"
    traced_name = "e2e worker: message trace ids are in JSON log lines and consumer spans"
    service = stack.service.name
    up = prometheus.wait_for(f'up{{service="{service}"}} == 1', timeout=30)
    before = _acked(prometheus, service)
    sent: dict[str, str] = {}  # order_id -> trace_id
    refused = []
    with httpx.Client(base_url=stack.url, timeout=10) as client:
        for i in range(count):
            order_id, trace_id = f"e2e-{i}-{secrets.token_hex(4)}", secrets.token_hex(16)
            resp = client.post(
                "/messages", json=order(order_id), headers={"traceparent": traceparent(trace_id)}
            )
            if resp.status_code == 202:
                sent[order_id] = trace_id
            else:
                refused.append(f"POST /messages answered {resp.status_code}: {resp.text[:200]}")
    target = before + len(sent)
    grown = prometheus.wait_for(
        f'sum({names.QUEUE_MESSAGES_TOTAL}{{service="{service}",outcome="acked"}}) >= {target}',
        timeout=60,
    )
    findings = list(refused)
    if not up:
        findings.append(f'up{{service="{service}"}} never became 1')
    if not grown:
        findings.append(
            f'{names.QUEUE_MESSAGES_TOTAL}{{outcome="acked"}} stayed at '
            f"{_acked(prometheus, service):g} (wanted >= {target:g}) in Prometheus within 60 s"
        )
    consumed = (
        CheckResult.failed(consumed_name, "messages not consumed", findings)
        if findings
        else CheckResult.passed(
            consumed_name,
            f"{len(sent)} messages published via POST /messages; Prometheus saw "
            f'{names.QUEUE_MESSAGES_TOTAL}{{outcome="acked"}} grow {before:g} -> '
            f"{float(grown[0]['value'][1]):g}",
        )
    )
    wanted = set(sent.values())
    missing_spans = receiver.wait_for_traces(wanted, timeout=30)
    consumer_traces = {s.trace_id for s in receiver.spans if s.kind == SPAN_KIND_CONSUMER}
    # Judged below from the logs: waiting only gives slow consumers their time.
    poll(lambda: set(sent) <= set(processed_ids(stack.service_container)), timeout=30)
    logged = processed_ids(stack.service_container)
    problems = [f"trace {t}: no span received" for t in sorted(missing_spans)]
    problems += [
        f"trace {t}: no CONSUMER span" for t in sorted(wanted - consumer_traces - missing_spans)
    ]
    for order_id, trace_id in sorted(sent.items()):
        if trace_id not in logged.get(order_id, []):
            problems.append(
                f"{order_id}: its '{PROCESSED_EVENT}' log line carries "
                f"{logged.get(order_id) or 'nothing'}, not the producer's trace {trace_id}"
            )
    traced = (
        CheckResult.failed(traced_name, f"{len(problems)} mismatches", problems)
        if problems
        else CheckResult.passed(
            traced_name,
            f"{len(sent)} messages with our traceparent: each trace id is in the consumer's "
            f"'{PROCESSED_EVENT}' JSON log line and in a received CONSUMER span "
            f"({len(receiver.spans)} spans received)",
        )
    )
    return [consumed, traced]


def check_poison_dead_lettered(stack: Stack, prometheus: PrometheusServer) -> CheckResult:
    name = "e2e worker: a poison message is dead-lettered"
    service = stack.service.name
    expr = f'sum({names.QUEUE_MESSAGES_TOTAL}{{service="{service}",outcome="dead_lettered"}})'
    rows = prometheus.query(expr)
    before = float(rows[0]["value"][1]) if rows else 0.0
    script = poison_publisher(package_name(service), b"{not json")
    try:
        docker("exec", stack.service_container, "python3", "-c", script, timeout=60)
    except DockerError as exc:
        return CheckResult.failed(name, "could not publish the poison message", [str(exc)])
    grown = prometheus.wait_for(f"{expr} >= {before + 1}", timeout=60)
    if not grown:
        return CheckResult.failed(
            name,
            "poison not dead-lettered",
            [
                f'{names.QUEUE_MESSAGES_TOTAL}{{outcome="dead_lettered"}} '
                f"stayed at {before:g} for 60 s"
            ],
        )
    return CheckResult.passed(
        name,
        f"raw '{{not json' published on the queue -> "
        f'{names.QUEUE_MESSAGES_TOTAL}{{outcome="dead_lettered"}} {before:g} -> '
        f"{float(grown[0]['value'][1]):g} (scraped by Prometheus)",
    )


def _ready(stack: Stack) -> int:
    try:
        return httpx.get(stack.url + probes.READYZ, timeout=5).status_code
    except httpx.HTTPError:
        return 0


def check_broker_outage(stack: Stack) -> CheckResult:
    """Stop the broker: /readyz 503 naming it; start it: /readyz 200 and messages flow again."""
    name = "e2e worker: broker outage fails readiness, recovery restores it"
    if not stack.service.dependencies:
        return CheckResult.not_run(name, f"{stack.service.name} declares no broker")
    kind = stack.service.dependencies[0]
    docker("stop", "-t", "5", stack.containers[kind])
    down_at = time.monotonic()
    failed = poll(lambda: _ready(stack) == 503, timeout=60).reached
    noticed = time.monotonic() - down_at
    body = httpx.get(stack.url + probes.READYZ, timeout=5).text[:300] if failed else ""
    docker("start", stack.containers[kind])
    stack.wait_dependency(kind)
    up_at = time.monotonic()
    back = poll(lambda: _ready(stack) == 200, timeout=120).reached
    recovered = time.monotonic() - up_at
    flows = False
    if back:
        order_id = f"e2e-after-outage-{secrets.token_hex(4)}"
        with httpx.Client(base_url=stack.url, timeout=10) as client:
            accepted = client.post("/messages", json=order(order_id)).status_code == 202
        flows = (
            accepted
            and poll(lambda: order_id in processed_ids(stack.service_container), timeout=60).reached
        )
    if failed and back and flows:
        return CheckResult.passed(
            name,
            f"{kind} stopped -> /readyz 503 after {noticed:.1f}s ({body}); restarted -> "
            f"/readyz 200 after {recovered:.1f}s and a new message is consumed",
        )
    return CheckResult.failed(
        name,
        f"outage of {kind} mishandled",
        [
            f"/readyz during the outage: {'503' if failed else 'never 503 within 60 s'}",
            f"/readyz after recovery: {'200' if back else 'not 200 within 120 s'}",
            f"a message after recovery: {'consumed' if flows else 'NOT consumed within 60 s'}",
        ],
    )


@dataclass
class _Publisher:
    """Publishes through POST /messages until told to stop; remembers what was accepted."""

    url: str
    stop: threading.Event = field(default_factory=threading.Event)
    accepted: list[str] = field(default_factory=list)
    refused: int = 0

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=5) as client:
            i = 0
            while not self.stop.is_set():
                order_id = f"e2e-flow-{i}-{secrets.token_hex(3)}"
                i += 1
                try:
                    ok = client.post("/messages", json=order(order_id)).status_code == 202
                except httpx.HTTPError:
                    ok = False
                if ok:
                    self.accepted.append(order_id)
                else:
                    self.refused += 1
                    time.sleep(0.05)


def check_stop_while_flowing(stack: Stack) -> CheckResult:
    """`docker stop` while messages flow: exit 0, and every accepted message is processed.

    A 202 from POST /messages means the broker confirmed the message. After the
    stop the same container is started again: every accepted order must show an
    `order processed` line across both runs (at-least-once: duplicates allowed).
    """
    name = "e2e worker: docker stop while messages flow loses no accepted message, exit 0"
    publisher = _Publisher(stack.url)
    thread = threading.Thread(target=publisher.run)
    thread.start()
    time.sleep(3)  # messages flowing before the signal
    in_flight_at_stop = len(publisher.accepted)
    try:
        docker("stop", "-t", "30", stack.service_container, timeout=60)
    finally:
        publisher.stop.set()
        thread.join(timeout=30)
    exit_code = inspect(stack.service_container)["State"].get("ExitCode")
    docker("start", stack.service_container)
    stack.url = published_url(stack.service_container, stack.service.port)
    stack.wait_ready()
    accepted = set(publisher.accepted)
    poll(lambda: accepted <= set(processed_ids(stack.service_container)), timeout=90)
    lost = accepted - set(processed_ids(stack.service_container))
    findings = []
    if exit_code != 0:
        findings.append(f"the worker exited with code {exit_code} (expected 0 after draining)")
    if in_flight_at_stop == 0:
        findings.append("no message was accepted before the stop: nothing flowed")
    if lost:
        findings.append(f"{len(lost)} of {len(accepted)} accepted messages never processed")
    if findings:
        return CheckResult.failed(name, "stop while flowing was not clean", findings)
    return CheckResult.passed(
        name,
        f"{len(accepted)} messages accepted ({in_flight_at_stop} before SIGTERM), "
        f"exit code 0; after a restart all {len(accepted)} were processed, none lost",
    )
