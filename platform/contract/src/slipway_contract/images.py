"""The platform's own images: their local names, and where a run pulls them from.

scripts/provision.sh builds them here, offline (debootstrap, then apt FROM that
base): the service base image every release builds FROM, and the dependency
images the integration tests and the e2e/load gates start. A hosted CI runner has
none of them, so the platform team pushes them once to the services' registry
(`slipway-release images --registry HOST`), and the generated pipelines set
SLIPWAY_IMAGE_REGISTRY to that registry: every reader below then names
`HOST/slipway/postgres:15` and docker pulls it. Unset, the local names are used,
as provisioned.

Readers: slipway_gates.e2e.stack (dependencies), slipway_delivery.imagebuild
(the base image), template/tests/integration/conftest.py and the drill.
provision.sh builds `slipway/<dir>:<TAG>` from platform/images/ and the base as
PYTHON_BASE; platform/contract/tests/test_images.py pins those to this module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

REGISTRY_ENV = "SLIPWAY_IMAGE_REGISTRY"

PYTHON_BASE = "slipway/python-base:bookworm"
POSTGRES = "slipway/postgres:15"
REDIS = "slipway/redis:7"
RABBITMQ = "slipway/rabbitmq:3"

# Short name -> local tag, in build order (the base first: the others are FROM it).
LOCAL_IMAGES: dict[str, str] = {
    "python-base": PYTHON_BASE,
    "postgres": POSTGRES,
    "redis": REDIS,
    "rabbitmq": RABBITMQ,
}


def registry(environ: Mapping[str, str] | None = None) -> str:
    """SLIPWAY_IMAGE_REGISTRY without a trailing slash; "" when unset (local names).

    ValueError for a value docker cannot use as a reference prefix (a scheme, spaces),
    so a typo stops the run with a message instead of a puzzling pull error."""
    value = (os.environ if environ is None else environ).get(REGISTRY_ENV, "").strip()
    value = value.rstrip("/")
    if "://" in value or any(c.isspace() for c in value) or any(c.isupper() for c in value):
        raise ValueError(
            f"{REGISTRY_ENV}={value!r}: expected HOST[:PORT][/PATH] in lower case, "
            "without a scheme (e.g. ghcr.io/acme or registry.example.com:5000)"
        )
    return value


def published(local: str, registry_prefix: str) -> str:
    """The reference `local` has under `registry_prefix` ("" keeps the local name)."""
    return f"{registry_prefix}/{local}" if registry_prefix else local


def reference(local: str, environ: Mapping[str, str] | None = None) -> str:
    """Where this run takes the platform image `local` from (SLIPWAY_IMAGE_REGISTRY)."""
    return published(local, registry(environ))
