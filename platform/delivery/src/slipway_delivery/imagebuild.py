"""Build a service image with BuildKit: the one image build of the platform.

`slipway-release` builds its release images here (tagged by version and git SHA)
and the gates (`slipway-gates e2e`, `load`, `e2e-kind`, `security --build-image`)
build `gates-<service>:e2e` through `build_from_lock`, so a gate tests the image
a release would ship: the same Dockerfile, wheelhouse, base image and client.

BuildKit only works here through Debian's 20.10 client (`/usr/bin/docker` with
`DOCKER_BUILDKIT=1`; the 28.x client first in PATH has no buildx), so the
client is chosen explicitly; `SLIPWAY_DOCKER_BUILD` overrides it elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from slipway_contract import images
from slipway_contract.runner import CommandError, run

from slipway_delivery.errors import DeliveryError
from slipway_delivery.wheelhouse import build_wheelhouse

# The platform's base image, from SLIPWAY_IMAGE_REGISTRY when set (a hosted runner
# pulls it there; slipway_contract.images), else the name scripts/provision.sh builds.
DEFAULT_BASE_IMAGE = images.reference(images.PYTHON_BASE)


@dataclass(frozen=True)
class BuiltImage:
    """A local image: its id, the references it was tagged with, and build facts."""

    image_id: str
    refs: list[str]
    seconds: float
    size_bytes: int
    cached_steps: int  # BuildKit steps answered from the cache ("#N CACHED")


def buildkit_client() -> str:
    """The docker client that can drive BuildKit on this machine."""
    override = os.environ.get("SLIPWAY_DOCKER_BUILD")
    if override:
        return override
    if Path("/usr/bin/docker").is_file():
        return "/usr/bin/docker"
    found = shutil.which("docker")
    if found is None:
        raise DeliveryError("docker not found: install Docker (scripts/provision.sh does)")
    return found


def docker(*args: str, what: str, timeout: float = 900) -> str:
    """Run the default docker client through the contract's runner (one runner for
    every tool); DeliveryError with its stderr on failure or timeout."""
    exe = shutil.which("docker")
    if exe is None:
        raise DeliveryError("docker not found: install Docker (scripts/provision.sh does)")
    try:
        return run([exe, *args], timeout=timeout).stdout.strip()
    except CommandError as exc:
        detail = exc.stderr.strip() or str(exc)
        raise DeliveryError(f"{what} failed: docker {' '.join(args)}\n{detail}") from exc


def image_size(ref: str) -> int:
    """Size of a local image in bytes, as `docker image inspect` reports it."""
    return int(docker("image", "inspect", "-f", "{{.Size}}", ref, what="docker image inspect"))


def build_image(
    context: Path,
    repository: str,
    tags: list[str],
    *,
    base_image: str = DEFAULT_BASE_IMAGE,
    labels: dict[str, str] | None = None,
    source_date_epoch: int | None = None,
    no_cache: bool = False,
) -> BuiltImage:
    """`docker build` `context` into `<repository>:<tag>` for every tag (never `latest`)."""
    if not tags:
        raise DeliveryError("no image tag given: a release needs the version and the git SHA")
    if "latest" in tags:
        raise DeliveryError("image tag 'latest' is refused: deploy files pin versions/digests")
    if not (context / "Dockerfile").is_file():
        raise DeliveryError(f"--service-dir {context}: no Dockerfile there")
    refs = [f"{repository}:{t}" for t in tags]
    env = {**os.environ, "DOCKER_BUILDKIT": "1"}
    epoch_arg: list[str] = []
    if source_date_epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
        # Docker 20.10's BuildKit does not pass it on: Dockerfiles read it as a build arg.
        epoch_arg = ["--build-arg", f"SOURCE_DATE_EPOCH={source_date_epoch}"]
    with tempfile.TemporaryDirectory(prefix="slipway-build-") as tmp:
        iidfile = Path(tmp) / "iid"
        cmd = [buildkit_client(), "build", "--progress=plain", "--iidfile", str(iidfile)]
        cmd += ["--build-arg", f"BASE_IMAGE={base_image}", *epoch_arg]
        if no_cache:  # a cold build, for measuring what the cache saves
            cmd.append("--no-cache")
        for key, value in sorted((labels or {}).items()):
            cmd += ["--label", f"{key}={value}"]
        for ref in refs:
            cmd += ["-t", ref]
        started = time.perf_counter()
        try:
            done = run([*cmd, str(context)], env=env, check=False)
        except CommandError as exc:  # the client is missing (a wrong SLIPWAY_DOCKER_BUILD)
            raise DeliveryError(f"docker build of {context}: {exc}") from exc
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise DeliveryError(f"docker build of {context} failed:\n{done.stderr[-4000:]}")
        image_id = iidfile.read_text().strip()
    cached = len(set(re.findall(r"^(#\d+) CACHED$", done.stderr, flags=re.MULTILINE)))
    return BuiltImage(image_id, refs, seconds, image_size(image_id), cached)


def build_from_lock(
    service_dir: Path, repository: str, tags: list[str], *, base_image: str = DEFAULT_BASE_IMAGE
) -> BuiltImage:
    """The service's locked wheelhouse (what its Dockerfile installs from), then its image."""
    build_wheelhouse(service_dir)
    return build_image(service_dir.resolve(), repository, tags, base_image=base_image)
