"""Slipway delivery: versioning, release, SBOM, GitOps promotion, smoke checks.

CLIs: `slipway-release`, `slipway-gitops`, `slipway-smoke` (README.md).
"""

from slipway_delivery.errors import DeliveryError, PromotionRefusedError, UsageError
from slipway_delivery.promotion import promote, record_verification, rollback
from slipway_delivery.release import ReleaseOptions, run_release
from slipway_delivery.smoke import run_smoke
from slipway_delivery.versioning import ReleaseVersion, parse_tag, version_of

__all__ = [
    "DeliveryError",
    "PromotionRefusedError",
    "ReleaseOptions",
    "ReleaseVersion",
    "UsageError",
    "parse_tag",
    "promote",
    "record_verification",
    "rollback",
    "run_release",
    "run_smoke",
    "version_of",
]
