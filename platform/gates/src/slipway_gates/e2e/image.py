"""The image a gate runs: `gates-<service>:e2e`, built by slipway-delivery.

The gates do not build images themselves: `slipway_delivery.imagebuild` is the
one image build (the locked wheelhouse, then BuildKit through the client that can
drive it), so what a gate tests is what `slipway-release` would ship. Delivery
calls the gates only as a command (`slipway-gates ... --json`, its security
gates), never as a library, so this dependency has no cycle.
"""

from __future__ import annotations

from pathlib import Path

from slipway_gates.e2e.docker_cli import DockerError

TAG = "e2e"


def gates_image_ref(service_name: str) -> str:
    """The local reference the gates build and run a service's image as."""
    return f"gates-{service_name}:{TAG}"


def build_gates_image(service_dir: Path, service_name: str) -> str:
    """Build `service_dir`'s image as `gates-<service_name>:e2e`; its reference.

    A failure is a DockerError (a CommandError, like every other external step of
    a gate) carrying delivery's message: what failed and its output.
    """
    # Imported here: slipway_delivery's package import pulls in its release pipeline
    # (httpx, the observability rules...), start-up that `slipway-gates hadolint` and
    # every other subcommand that builds nothing would pay.
    from slipway_delivery.errors import DeliveryError  # noqa: PLC0415
    from slipway_delivery.imagebuild import build_from_lock  # noqa: PLC0415

    try:
        built = build_from_lock(service_dir, f"gates-{service_name}", [TAG])
    except DeliveryError as exc:
        raise DockerError(f"building {gates_image_ref(service_name)}: {exc}") from exc
    return built.refs[0]
