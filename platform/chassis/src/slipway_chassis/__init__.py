"""The service chassis every Slipway service imports.

    from slipway_chassis import ServiceSettings, create_app, serve

    settings = ServiceSettings()
    app = create_app(settings)

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    if __name__ == "__main__":
        serve(app, settings)

See README.md for workers, readiness checks, outbound clients and flags.

The public API is this module's `__all__` and the `slipway_chassis.testing` testkit
(services' tests import it). Every other module is `_`-prefixed: implementation,
not to be imported by services, free to change between releases (the structlog
layout); tests/test_public_api.py pins both rules.
"""

from slipway_chassis._app import create_app
from slipway_chassis._circuits import DependencyCircuit, dependency_breaker
from slipway_chassis._flags import FeatureFlags
from slipway_chassis._health import HealthCheck, HealthState
from slipway_chassis._logs import configure_logging, get_logger
from slipway_chassis._metrics import DURATION_BUCKETS
from slipway_chassis._problems import PROBLEM_JSON, Problem, problem_responses
from slipway_chassis._resilience import (
    CircuitOpenError,
    DependencyUnavailableError,
    resilient_client,
)
from slipway_chassis._server import serve
from slipway_chassis._settings import Environment, ServiceSettings, SettingsError
from slipway_chassis._worker import WorkerContext, create_worker_app, run_worker

__all__ = [
    "DURATION_BUCKETS",
    "PROBLEM_JSON",
    "CircuitOpenError",
    "DependencyCircuit",
    "DependencyUnavailableError",
    "Environment",
    "FeatureFlags",
    "HealthCheck",
    "HealthState",
    "Problem",
    "ServiceSettings",
    "SettingsError",
    "WorkerContext",
    "configure_logging",
    "create_app",
    "create_worker_app",
    "dependency_breaker",
    "get_logger",
    "problem_responses",
    "resilient_client",
    "run_worker",
    "serve",
]
