"""Helpers shared by the chassis tests (a uniquely named module: tests/ has no __init__)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

HERE = Path(__file__).parent
SAMPLE_SERVICE = HERE / "sample_service.py"
PYTHON = sys.executable

# Variables the chassis reads; cleared so the developer's shell cannot leak into tests.
CHASSIS_VARS = (
    "SERVICE_NAME",
    "SERVICE_VERSION",
    "APP_ENV",
    "LOG_LEVEL",
    "LOG_REDACT_KEYS",
    "TRACING_ENABLED",
    "OTEL_TRACES_SAMPLER_ARG",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "METRICS_ENABLED",
    "PROMETHEUS_MULTIPROC_DIR",
    "FLAGS_FILE",
    "HTTP_PORT",
    "SHUTDOWN_GRACE_SECONDS",
    "DOCS_ENABLED",
)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a sample-service subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in CHASSIS_VARS}
    env.update({"SERVICE_NAME": "orders-api", "APP_ENV": "dev", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env
