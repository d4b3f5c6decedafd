"""The platform images' names, and SLIPWAY_IMAGE_REGISTRY (slipway_contract.images)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from slipway_contract import images

REPO = Path(__file__).resolve().parents[3]


def test_unset_means_the_local_names_as_provisioned() -> None:
    assert images.registry({}) == ""
    assert images.reference(images.POSTGRES, {}) == "slipway/postgres:15"
    assert images.reference(images.PYTHON_BASE, {images.REGISTRY_ENV: "  "}) == (
        "slipway/python-base:bookworm"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ghcr.io/acme", "ghcr.io/acme/slipway/redis:7"),
        ("registry.example.com:5000/", "registry.example.com:5000/slipway/redis:7"),
        ("127.0.0.1:5000", "127.0.0.1:5000/slipway/redis:7"),
    ],
)
def test_a_registry_prefixes_the_local_name(value: str, expected: str) -> None:
    assert images.reference(images.REDIS, {images.REGISTRY_ENV: value}) == expected


@pytest.mark.parametrize("value", ["https://ghcr.io/acme", "GHCR.io/acme", "ghcr.io/a b"])
def test_a_value_docker_cannot_prefix_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(ValueError, match=r"SLIPWAY_IMAGE_REGISTRY=.*HOST\[:PORT\]"):
        images.reference(images.REDIS, {images.REGISTRY_ENV: value})


def test_provision_sh_builds_exactly_the_contract_images() -> None:
    """scripts/provision.sh (bash: it cannot import this) builds its base as
    ${SLIPWAY_BASE_IMAGE:-<name>} and each platform/images/<dir> as slipway/<dir>:<TAG>."""
    script = (REPO / "scripts" / "provision.sh").read_text()
    base = re.search(r"^BASE_IMAGE=\$\{SLIPWAY_BASE_IMAGE:-([^}]+)\}$", script, re.MULTILINE)
    assert base, "provision.sh no longer sets BASE_IMAGE=${SLIPWAY_BASE_IMAGE:-...}"
    assert 'tag="slipway/$name:$(cat "$dir/TAG"' in script
    built = {base.group(1)} | {
        f"slipway/{d.name}:{(d / 'TAG').read_text().strip()}"
        for d in (REPO / "platform" / "images").iterdir()
        if (d / "Dockerfile").is_file()
    }
    assert built == set(images.LOCAL_IMAGES.values())
