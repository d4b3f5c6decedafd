"""The chassis' duration histogram buckets, the only legal latency thresholds.

The canonical list is `slipway_chassis.metrics.DURATION_BUCKETS` (CONTRACTS.md).
The fallback copy keeps this package usable while the chassis module is absent
(for instance in a wheel installed without the chassis); a test pins both to the
same values so they cannot drift.
"""

from __future__ import annotations

from prometheus_client.utils import floatToGoString

CONTRACT_BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3,
    0.4, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0,
)  # fmt: skip

try:
    from slipway_chassis.metrics import DURATION_BUCKETS as _CHASSIS_BUCKETS
except ImportError:  # the chassis is not installed (or not written yet)
    DURATION_BUCKETS: tuple[float, ...] = CONTRACT_BUCKETS
else:
    DURATION_BUCKETS = tuple(float(b) for b in _CHASSIS_BUCKETS)


def le_label(seconds: float) -> str:
    """The `le` label value prometheus-client writes for a bucket bound (1 -> "1.0")."""
    # The chassis exports with prometheus-client: use its own formatting, not a copy.
    return str(floatToGoString(float(seconds)))  # type: ignore[no-untyped-call]
