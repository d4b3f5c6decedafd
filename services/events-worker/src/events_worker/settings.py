"""events-worker's settings: the chassis' variables plus this service's own.

Read once at start-up from the environment; a missing or invalid variable stops
the process with a message naming it (slipway_chassis.SettingsError).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr
from slipway_chassis import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables of events-worker (names: the field names, upper-cased)."""

    # An amqp:// URL with credentials (from a Secret in the Helm values); without
    # credentials aio-pika logs in as RabbitMQ's default guest user (local runs).
    broker_url: SecretStr = SecretStr("amqp://localhost:5672/")
    # Queue consumed; retries and dead letters go to `<queue>.retry` / `<queue>.dead`.
    queue_name: str = "events-worker.work"
    # Delivery attempts before a failing message is dead-lettered.
    max_attempts: Annotated[int, Field(ge=1, le=50)] = 5
    # Retry delay: base * 2 ** (attempt - 1), capped.
    retry_base_seconds: Annotated[float, Field(gt=0)] = 0.5
    retry_max_seconds: Annotated[float, Field(gt=0)] = 60.0
    # Messages processed concurrently (broker prefetch).
    prefetch: Annotated[int, Field(ge=1, le=1000)] = 16
