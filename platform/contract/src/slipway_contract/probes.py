"""The HTTP paths every service serves, and its container port (CONTRACTS.md)."""

from __future__ import annotations

LIVEZ = "/livez"
READYZ = "/readyz"
STARTUPZ = "/startupz"
METRICS = "/metrics"

HEALTH_PATHS: tuple[str, ...] = (LIVEZ, READYZ, STARTUPZ)
PROBE_PATHS: tuple[str, ...] = (*HEALTH_PATHS, METRICS)

CONTAINER_PORT = 8000
