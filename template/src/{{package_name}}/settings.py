"""{{ service_name }}'s settings: the chassis' variables plus this service's own.

Read once at start-up from the environment; a missing or invalid variable stops
the process with a message naming it (slipway_chassis.SettingsError).
"""

from __future__ import annotations

{% if service_kind == 'http-api' and database == 'postgres' %}
from pydantic import SecretStr
{% elif service_kind == 'queue-worker' %}
from typing import Annotated

from pydantic import Field, SecretStr
{% endif %}
from slipway_chassis import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables of {{ service_name }} (names: the field names, upper-cased)."""

{% if service_kind == 'http-api' %}
    # Items returned by GET /items at most.
    items_page_limit: int = 100
{% if database == 'postgres' %}
    # A postgresql+asyncpg:// URL (credentials, host, port, database). Unset: items live in memory
    # (tests, local runs); the Helm values set it from a Secret in every environment.
    database_url: SecretStr | None = None
    database_pool_size: int = 5
    # Circuit breaker on the database: this many failed calls in a row open it (requests
    # then get 503 + Retry-After at once, /readyz fails) for this long, then one trial call.
    database_breaker_failures: int = 5
    database_breaker_recovery_seconds: float = 30.0
    # A database call (connect included) slower than this fails and counts against it;
    # below the 2 s readiness timeout so that slow probes count too.
    database_timeout_seconds: float = 1.5
{% endif %}
{% else %}
{% if queue == 'rabbitmq' %}
    # An amqp:// URL with credentials (from a Secret in the Helm values); without
    # credentials aio-pika logs in as RabbitMQ's default guest user (local runs).
    broker_url: SecretStr = SecretStr("amqp://localhost:5672/")
{% else %}
    # redis://host:6379/0 (from a Secret in the Helm values).
    broker_url: SecretStr = SecretStr("redis://localhost:6379/0")
{% endif %}
    # Queue consumed; retries and dead letters go to `<queue>.retry` / `<queue>.dead`.
    queue_name: str = "{{ service_name }}.work"
    # Delivery attempts before a failing message is dead-lettered.
    max_attempts: Annotated[int, Field(ge=1, le=50)] = 5
    # Retry delay: base * 2 ** (attempt - 1), capped.
    retry_base_seconds: Annotated[float, Field(gt=0)] = 0.5
    retry_max_seconds: Annotated[float, Field(gt=0)] = 60.0
    # Messages processed concurrently (broker prefetch).
    prefetch: Annotated[int, Field(ge=1, le=1000)] = 16
{% endif %}
