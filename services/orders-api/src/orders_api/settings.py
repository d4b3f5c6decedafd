"""orders-api's settings: the chassis' variables plus this service's own.

Read once at start-up from the environment; a missing or invalid variable stops
the process with a message naming it (slipway_chassis.SettingsError).
"""

from __future__ import annotations

from pydantic import SecretStr
from slipway_chassis import ServiceSettings


class Settings(ServiceSettings):
    """Environment variables of orders-api (names: the field names, upper-cased)."""

    # Items returned by GET /items at most.
    items_page_limit: int = 100
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
