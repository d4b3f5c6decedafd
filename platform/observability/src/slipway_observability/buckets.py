"""The duration histogram buckets, the only legal latency thresholds.

The list is `slipway_contract.metrics.DURATION_BUCKETS` (CONTRACTS.md), the
one the chassis exports with: a threshold on a boundary makes a latency SLI an
exact ratio of two bucket counters.
"""

from __future__ import annotations

from prometheus_client.utils import floatToGoString
from slipway_contract.metrics import DURATION_BUCKETS

__all__ = ["DURATION_BUCKETS", "le_label"]


def le_label(seconds: float) -> str:
    """The `le` label value prometheus-client writes for a bucket bound (1 -> "1.0")."""
    # The chassis exports with prometheus-client: use its own formatting, not a copy.
    return str(floatToGoString(float(seconds)))  # type: ignore[no-untyped-call]
