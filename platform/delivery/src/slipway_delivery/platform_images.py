"""Publish the platform's own images (slipway_contract.images) to a registry, once.

A hosted CI runner has none of the images scripts/provision.sh builds offline; a
generated pipeline pulls them from SLIPWAY_IMAGE_REGISTRY (the service's
`image_registry`). `nox -s images -- --registry HOST` (this module's `main`) is how
the platform team puts them there: each local image is tagged `HOST/<local name>`
and pushed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from slipway_contract import images

from slipway_delivery.cli_support import run_cli
from slipway_delivery.errors import DeliveryError, UsageError
from slipway_delivery.imagebuild import docker
from slipway_delivery.registry import push


@dataclass(frozen=True)
class PublishedImage:
    """One platform image in the registry: its local name, reference and digest."""

    name: str
    local: str
    reference: str
    digest: str


def chosen(names: Sequence[str]) -> dict[str, str]:
    """The platform images to publish (all when `names` is empty); UsageError naming the
    known ones for an unknown name."""
    if not names:
        return dict(images.LOCAL_IMAGES)
    unknown = sorted(set(names) - set(images.LOCAL_IMAGES))
    if unknown:
        raise UsageError(
            f"no platform image named {', '.join(unknown)}; known: {', '.join(images.LOCAL_IMAGES)}"
        )
    return {name: images.LOCAL_IMAGES[name] for name in names}


def require_local(local: str) -> None:
    """DeliveryError saying how to build `local` when this machine's daemon lacks it."""
    try:
        docker("image", "inspect", "-f", "{{.Id}}", local, what=f"inspect of {local}")
    except DeliveryError as exc:
        raise DeliveryError(
            f"platform image {local} is not on this machine's Docker daemon: build it with "
            "`bash scripts/provision.sh` (it builds every platform image offline), then retry"
        ) from exc


def publish(
    registry: str,
    names: Sequence[str] = (),
    progress: Callable[[str], None] = print,
) -> list[PublishedImage]:
    """Tag and push each chosen local platform image as `<registry>/<local name>`.

    Every image is checked before the first push, so a missing one stops the run
    with nothing half-published."""
    prefix = images.registry({images.REGISTRY_ENV: registry})
    if not prefix:
        raise UsageError("--registry must name a registry: HOST[:PORT][/PATH]")
    selected = chosen(names)
    for local in selected.values():
        require_local(local)
    done = []
    for name, local in selected.items():
        ref = images.published(local, prefix)
        progress(f"pushing {local} -> {ref}")
        docker("tag", local, ref, what=f"tag of {local} as {ref}")
        try:
            digest = push([ref])
        except DeliveryError as exc:
            docker("image", "rm", ref, what=f"removal of the tag {ref}")  # leave nothing behind
            raise DeliveryError(
                f"could not push {ref}: the registry refused it or is not reachable (log in "
                f"first: `docker login {prefix.split('/')[0]}`; an http-only registry must be in "
                f"the daemon's insecure-registries):\n{exc}"
            ) from exc
        progress(f"pushed {ref}@{digest}")
        done.append(PublishedImage(name, local, ref, digest))
    return done


PROG = "python -m slipway_delivery.platform_images"


def _main(argv: Sequence[str] | None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument(
        "--registry", required=True, help="HOST[:PORT][/PATH]: the services' image_registry"
    )
    parser.add_argument(
        "--image", action="append", default=[], dest="names", metavar="NAME",
        help=f"only this one (repeatable; default all: {', '.join(images.LOCAL_IMAGES)})",
    )  # fmt: skip
    args = parser.parse_args(argv)
    pushed = publish(args.registry, args.names)
    print(f"{len(pushed)} platform images in {args.registry}: "
          f"set {images.REGISTRY_ENV}={args.registry} where they are pulled")  # fmt: skip
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Publish the platform images; a missing image or a refusing registry is one message."""
    return run_cli(_main, argv, PROG)


if __name__ == "__main__":
    raise SystemExit(main())
