"""RabbitMQ consumer (aio-pika): consume, ack, retry with backoff, dead-letter.

Topology, declared idempotently at start-up:
- `<queue>`: the work queue;
- `<queue>.retry`: messages wait there for their backoff (per-message TTL), then
  RabbitMQ dead-letters them back to `<queue>` (no sleeping consumer, no lost message);
- `<queue>.dead`: poison messages and those out of attempts, with the reason in a header.
A message is acked only after its retry or dead-letter copy was published
(publisher confirms), so a crash at any point re-delivers rather than loses it.

Tracing: every publish injects the current W3C trace context into the message
headers; every delivery is processed inside one CONSUMER span continuing it, so
the log lines of that message carry the producer's trace_id.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from slipway_chassis import WorkerContext, get_logger

from events_worker.processing import Outcome, process
from events_worker.settings import Settings

ATTEMPT_HEADER = "x-attempt"
log = get_logger("events_worker.consumer")


def trace_carrier(headers: Mapping[str, object] | None) -> dict[str, str]:
    """The text headers of a delivery (where `traceparent` travels), for extraction."""
    carrier: dict[str, str] = {}
    for key, value in (headers or {}).items():
        if isinstance(value, bytes):
            carrier[key] = value.decode(errors="replace")
        elif isinstance(value, str):
            carrier[key] = value
    return carrier


class Consumer:
    """Consumes `settings.queue_name` until stopped."""

    def __init__(self, settings: Settings, *, enabled: Callable[[], bool] = lambda: True) -> None:
        self.settings = settings
        self.queue = settings.queue_name
        self._enabled = enabled
        self._connection: AbstractRobustConnection | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None
        self._stopping = asyncio.Event()
        # Per consumer, not per module: resolves to the provider of this app's lifespan.
        self._tracer = trace.get_tracer("events_worker.consumer")
        # Age of the message consumed last: while a backlog exists, the best cheap
        # estimate of the oldest message's age (RabbitMQ cannot peek the head).
        self._oldest_age = 0.0

    async def connect(self) -> None:
        self._connection = await aio_pika.connect_robust(
            self.settings.broker_url.get_secret_value()
        )
        self._channel = await self._connection.channel(publisher_confirms=True)
        await self._channel.set_qos(prefetch_count=self.settings.prefetch)
        await self._channel.declare_queue(self.queue, durable=True)
        await self._channel.declare_queue(
            f"{self.queue}.retry",
            durable=True,
            arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": self.queue},
        )
        await self._channel.declare_queue(f"{self.queue}.dead", durable=True)

    async def publish(self, body: bytes, *, attempt: int = 1) -> None:
        """Put a message on the work queue (used by POST /messages and tests)."""
        await self._send(self.queue, body, attempt=attempt)

    async def _send(
        self,
        routing_key: str,
        body: bytes,
        *,
        attempt: int,
        expiration: float | None = None,
        reason: str | None = None,
    ) -> None:
        assert self._channel is not None, "connect() first"  # noqa: S101 - programming error
        headers: dict[str, aio_pika.abc.FieldValue] = {ATTEMPT_HEADER: attempt}
        if reason:
            headers["x-death-reason"] = reason
        # The current trace context (the POST /messages request's, or the consumer
        # span's for a retry or dead letter) travels with the message.
        context: dict[str, str] = {}
        propagate.inject(context)
        headers.update(context)
        message = aio_pika.Message(
            body,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers=headers,
            timestamp=time.time(),
            expiration=expiration,
        )
        await self._channel.default_exchange.publish(message, routing_key=routing_key)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        with self._tracer.start_as_current_span(
            f"{self.queue} process",
            context=propagate.extract(trace_carrier(message.headers)),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.operation": "process",
                "messaging.destination.name": self.queue,
            },
        ) as span:
            outcome = await self._process(message)
            span.set_attribute("messaging.outcome", outcome.value)

    async def _process(self, message: AbstractIncomingMessage) -> Outcome:
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 1))  # type: ignore[arg-type]
        if message.timestamp is not None:
            self._oldest_age = max(0.0, time.time() - message.timestamp.timestamp())
        started = time.perf_counter()
        decision = await process(
            message.body,
            attempt,
            max_attempts=self.settings.max_attempts,
            base=self.settings.retry_base_seconds,
            cap=self.settings.retry_max_seconds,
        )
        if decision.outcome is Outcome.RETRIED:
            await self._send(
                f"{self.queue}.retry",
                message.body,
                attempt=attempt + 1,
                expiration=decision.delay_seconds,
            )
        elif decision.outcome is Outcome.DEAD_LETTERED:
            await self._send(
                f"{self.queue}.dead", message.body, attempt=attempt, reason=decision.reason
            )
        await message.ack()
        WorkerContext.record_message(
            self.queue, decision.outcome.value, time.perf_counter() - started
        )
        if decision.outcome is not Outcome.ACKED:
            log.warning(
                "message not processed",
                outcome=decision.outcome.value,
                attempt=attempt,
                reason=decision.reason,
                retry_in_seconds=decision.delay_seconds,
            )
        return decision.outcome

    async def run(self) -> None:
        """Consume until stop(); pauses (no new deliveries) while the flag is off."""
        assert self._channel is not None, "connect() first"  # noqa: S101
        queue = await self._channel.get_queue(self.queue)
        tag: str | None = None
        while not self._stopping.is_set():
            if self._enabled() and tag is None:
                tag = await queue.consume(self._on_message)
            elif not self._enabled() and tag is not None:
                await queue.cancel(tag)
                tag = None
            declared = await self._channel.declare_queue(self.queue, durable=True, passive=True)
            depth = declared.declaration_result.message_count or 0
            if depth == 0:
                self._oldest_age = 0.0
            WorkerContext.record_backlog(self.queue, depth, self._oldest_age)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=1.0)
            except TimeoutError:
                continue
        if tag is not None:
            await queue.cancel(tag)

    async def stop(self) -> None:
        self._stopping.set()

    async def ping(self) -> None:
        """Readiness: the connection is up (raises otherwise).

        A robust connection is never `is_closed` while it reconnects after a broker
        outage; its `connected` event is cleared as soon as the link drops.
        """
        if (
            self._connection is None
            or self._connection.is_closed
            or not self._connection.connected.is_set()
        ):
            raise ConnectionError("not connected to RabbitMQ")

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
