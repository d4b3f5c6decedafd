"""Publishing the platform's images (slipway_delivery.platform_images): what goes
wrong says what to do. The push that works, and the pull from it, are tested where
the images are used: platform/gates/tests/test_stack_registry.py."""

from __future__ import annotations

import socket

import pytest
from slipway_contract import images
from slipway_delivery import platform_images
from slipway_delivery.errors import DeliveryError, UsageError
from slipway_delivery.imagebuild import docker


def test_an_unknown_image_name_lists_the_known_ones() -> None:
    with pytest.raises(UsageError, match="no platform image named nginx; known: python-base"):
        platform_images.publish("127.0.0.1:5000", ["nginx"])


@pytest.mark.parametrize("registry", ["", "https://ghcr.io/acme"])
def test_a_registry_that_is_not_a_reference_prefix_is_refused(registry: str) -> None:
    with pytest.raises((UsageError, ValueError), match="HOST"):
        platform_images.publish(registry)


@pytest.mark.requires("docker")
def test_a_missing_image_says_to_run_provision_and_pushes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(images.LOCAL_IMAGES, "ghost", "slipway/t15img-ghost:0")
    pushed: list[str] = []
    with pytest.raises(
        DeliveryError, match=r"slipway/t15img-ghost:0 is not on .*scripts/provision\.sh"
    ):
        platform_images.publish("127.0.0.1:5000/t15img", [], pushed.append)
    assert pushed == []  # every image is checked before the first push


@pytest.mark.requires("docker")
def test_a_registry_that_refuses_the_push_is_named_with_what_to_do() -> None:
    with socket.socket() as sock:  # a port nothing listens on: the push is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ref = images.published(images.REDIS, f"127.0.0.1:{port}")
    with pytest.raises(DeliveryError, match=rf"could not push {ref}: .*`docker login 127"):
        platform_images.publish(f"127.0.0.1:{port}", ["redis"], lambda _line: None)
    # The tag made for the push is gone again; the provisioned image is not.
    assert docker("image", "ls", "-q", ref, what="listing") == ""
    assert docker("image", "ls", "-q", images.REDIS, what="listing") != ""
