"""Gate: detect-secrets over the repository, and over images' filesystems."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from slipway_contract.runner import CommandError

from slipway_gates.e2e.image import build_gates_image
from slipway_gates.e2e.stack import ServiceInfo
from slipway_gates.outcome import CheckResult
from slipway_gates.security import secrets_scan

NAME = "secrets"
HELP = "detect-secrets over the repository (and --image)"


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--image", action="append", default=[], help="also scan this image's filesystem for secrets"
    )
    parser.add_argument(
        "--build-image",
        action="append",
        default=[],
        type=Path,
        metavar="SERVICE_DIR",
        help="build this service's image (gates-<service>:e2e) and scan it like --image",
    )
    parser.add_argument(
        "--baseline", type=Path, help="detect-secrets baseline (default: <root>/.secrets.baseline)"
    )
    parser.add_argument(
        "--update-baseline", action="store_true", help="write/refresh the baseline and exit"
    )


def _built_images(service_dirs: list[Path]) -> tuple[list[str], list[CheckResult]]:
    """Build each service's image; a build that fails is a failed check, not a crash."""
    images, failures = [], []
    for service_dir in service_dirs:
        try:
            name = ServiceInfo.from_dir(service_dir).name
            images.append(build_gates_image(service_dir, name))
        except CommandError as exc:
            failures.append(CheckResult.failed("image build", str(exc), []))
    return images, failures


def run(args: argparse.Namespace) -> Iterator[CheckResult]:
    built, failures = _built_images(args.build_image)
    yield from failures
    yield secrets_scan.scan_repo(args.root, args.baseline)
    baseline = args.baseline or args.root / secrets_scan.BASELINE_FILENAME
    for image in [*args.image, *built]:  # one result each, printed as soon as it is known
        yield secrets_scan.scan_image(image, baseline)
