"""`slipway-gates security`: every security check, in order of cost, one summary."""

from __future__ import annotations

import time
from pathlib import Path

from slipway_gates.outcome import CheckResult, print_result
from slipway_gates.security import checkov_scan, hadolint, licences, sast, secrets_scan, vulns

CHECKS = ("hadolint", "sast", "vulns", "licences", "secrets", "checkov")


def run(
    root: Path,
    *,
    only: tuple[str, ...] = CHECKS,
    images: tuple[str, ...] = (),
    advisory_db: Path | None = None,
    vuln_mode: str = "auto",
    policy: Path | None = None,
    baseline: Path | None = None,
    test_only: tuple[str, ...] = (),
) -> list[CheckResult]:
    """Run the selected checks, printing each result as soon as it is known."""
    results: list[CheckResult] = []

    started = time.monotonic()

    def record(*items: CheckResult) -> None:
        nonlocal started
        elapsed = time.monotonic() - started
        for item in items:
            item.summary += f" [{elapsed:.0f}s]"
            print_result(item)
            results.append(item)
        started = time.monotonic()

    for check in only:
        if check == "hadolint":
            record(hadolint.run(root))
        elif check == "sast":
            record(*sast.run(root))
        elif check == "vulns":
            record(vulns.run(root, vuln_mode, advisory_db))
        elif check == "licences":
            record(licences.run(root, policy))
        elif check == "secrets":
            record(secrets_scan.scan_repo(root, baseline))
            for image in images:
                record(
                    secrets_scan.scan_image(
                        image, baseline or root / secrets_scan.BASELINE_FILENAME
                    )
                )
        elif check == "checkov":
            record(checkov_scan.run(root, test_only=test_only))
        else:
            raise ValueError(f"unknown security check {check!r}; choose from {', '.join(CHECKS)}")
    return results
