"""The two SLO numbers a smoke test judges, read from a service's slo.yaml.

Only `slos.availability.objective` and `slos.latency.{objective,threshold_seconds}`
matter here (CONTRACTS.md format). The full spec is validated by
slipway_observability.slo.load_spec; this reader checks just what it uses, so the
smoke command also works in a deploy job that does not install the generators.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# CONTRACTS.md: every latency threshold must be one of the chassis histogram buckets.
from slipway_contract.metrics import DURATION_BUCKETS

from slipway_delivery.errors import UsageError


@dataclass(frozen=True)
class SloThresholds:
    """Availability objective, latency objective and its threshold (seconds)."""

    availability_objective: float = 0.999
    latency_objective: float = 0.99
    latency_threshold_seconds: float = 0.3

    def __post_init__(self) -> None:
        for name in ("availability_objective", "latency_objective"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise UsageError(f"slo {name} {value} must be between 0 and 1 (exclusive)")
        if self.latency_threshold_seconds not in DURATION_BUCKETS:
            raise UsageError(
                f"slos.latency.threshold_seconds {self.latency_threshold_seconds} must be one of "
                f"the chassis histogram buckets [{', '.join(f'{b:g}' for b in DURATION_BUCKETS)}]"
            )


def _number(doc: dict[str, Any], path: str, default: float) -> float:
    node: Any = doc
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    if isinstance(node, bool) or not isinstance(node, int | float):
        raise UsageError(f"slo.yaml: {path} must be a number, got {node!r}")
    return float(node)


def load_thresholds(path: Path) -> SloThresholds:
    """Thresholds from `path`; defaults for an SLO the file does not declare."""
    try:
        doc = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"--slo {path}: file not found") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"--slo {path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise UsageError(f"--slo {path}: expected a mapping with a 'slos' key")
    defaults = SloThresholds()
    return SloThresholds(
        availability_objective=_number(
            doc, "slos.availability.objective", defaults.availability_objective
        ),
        latency_objective=_number(doc, "slos.latency.objective", defaults.latency_objective),
        latency_threshold_seconds=_number(
            doc, "slos.latency.threshold_seconds", defaults.latency_threshold_seconds
        ),
    )
