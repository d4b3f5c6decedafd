"""Push to an image registry, record the digest, pull back by digest."""

from __future__ import annotations

import re

from slipway_delivery.errors import DeliveryError, UsageError
from slipway_delivery.imagebuild import docker

_DIGEST = re.compile(r"digest: (sha256:[0-9a-f]{64})")
DIGEST_PATTERN = re.compile(r"^sha256:[0-9a-f]{64}$")


def check_digest(digest: str, field: str = "--digest") -> str:
    """The digest if it is `sha256:<64 hex>`; UsageError naming the field otherwise."""
    if not DIGEST_PATTERN.match(digest):
        raise UsageError(f"{field} {digest!r} is not an image digest (expected sha256:<64 hex>)")
    return digest


def push(refs: list[str]) -> str:
    """Push every ref (same image, several tags); the manifest digest the registry stored."""
    digests: set[str] = set()
    for ref in refs:
        out = docker("push", ref, what=f"push of {ref}")
        found = _DIGEST.findall(out)
        if not found:
            raise DeliveryError(f"push of {ref} printed no digest:\n{out}")
        digests.add(found[-1])
    if len(digests) != 1:
        raise DeliveryError(f"tags of one image were stored under different digests: {digests}")
    return digests.pop()


def pull_by_digest(repository: str, digest: str) -> str:
    """Pull `<repository>@<digest>`; the local image id it resolved to."""
    ref = f"{repository}@{check_digest(digest)}"
    docker("pull", ref, what=f"pull of {ref}")
    return docker("image", "inspect", "-f", "{{.Id}}", ref, what="inspect of the pulled image")
