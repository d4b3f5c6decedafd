"""`slipway-gates`: the one command line every noxfile calls (see README.md).

Each subcommand prints what it checked and exits 1 on a finding; a check that
could not run is reported as NOT RUN and fails under CI=true.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from slipway_gates.e2e import command as e2e_command
from slipway_gates.e2e.docker_cli import DockerError
from slipway_gates.e2e.stack import ServiceInfo, build_image
from slipway_gates.kind import command as kind_command
from slipway_gates.load import command as load_command
from slipway_gates.outcome import CheckResult, exit_code, print_result
from slipway_gates.security import gate, secrets_scan


def _security_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", type=Path, default=Path(), help="directory to check (default: .)")
    p.add_argument(
        "--image", action="append", default=[], help="also scan this image's filesystem for secrets"
    )
    p.add_argument(
        "--advisory-db", type=Path, help="OSV advisory directory for offline vulnerability checks"
    )
    p.add_argument("--vuln-mode", choices=["auto", "online", "offline"], default="auto")
    p.add_argument(
        "--policy",
        type=Path,
        help="licence policy TOML (default: <root>/licence-policy.toml or packaged)",
    )
    p.add_argument(
        "--baseline", type=Path, help="detect-secrets baseline (default: <root>/.secrets.baseline)"
    )
    p.add_argument(
        "--test-only",
        action="append",
        default=[],
        metavar="GLOB",
        help="Dockerfiles of test-only images that are never deployed: not checked by checkov",
    )
    p.add_argument(
        "--build-image",
        action="append",
        default=[],
        type=Path,
        metavar="SERVICE_DIR",
        help="build this service's image (gates-<service>:e2e) and scan it like --image",
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slipway-gates", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    for name, what in [
        ("security", "every security check below"),
        ("checkov", "checkov on terraform/, rendered helm charts (per env) and Dockerfiles"),
        ("sast", "bandit and ruff S rules"),
        ("vulns", "uv.lock against pip-audit or an OSV advisory directory"),
        ("licences", "installed distributions against the licence allow-list"),
        ("secrets", "detect-secrets over the repository (and --image)"),
        ("hadolint", "hadolint on every Dockerfile"),
    ]:
        p = sub.add_parser(name, help=what)
        _security_args(p)
        if name == "secrets":
            p.add_argument(
                "--update-baseline", action="store_true", help="write/refresh the baseline and exit"
            )

    load = sub.add_parser("load", help="locust against the service, judged by slo.yaml `load:`")
    load_command.add_arguments(load)

    e2e = sub.add_parser("e2e", help="end-to-end on Docker with real dependencies")
    e2e_command.add_arguments(e2e)

    kind = sub.add_parser(
        "e2e-kind", help="end-to-end on a kind cluster (plan only where kind cannot run)"
    )
    kind_command.add_arguments(kind)
    return parser


def _build(service_dir: Path) -> str:
    service = ServiceInfo.from_dir(service_dir)
    return build_image(service_dir, f"gates-{service.name}:e2e")


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    command: str = args.command
    if command in {"security", "checkov", "sast", "vulns", "licences", "secrets", "hadolint"}:
        if command == "secrets" and args.update_baseline:
            path = secrets_scan.update_baseline(args.root.resolve(), args.baseline)
            print(f"wrote {path}: review it (`detect-secrets audit {path}`) before committing")
            return 0
        only = gate.CHECKS if command == "security" else (command,)
        images, build_failures = list(args.image), []
        for service_dir in args.build_image:
            try:
                images.append(_build(service_dir))
            except DockerError as exc:
                build_failures.append(CheckResult.failed("image build", str(exc), []))
                print_result(build_failures[-1])
        results = build_failures + gate.run(
            args.root.resolve(),
            only=only,
            images=tuple(images),
            advisory_db=args.advisory_db,
            vuln_mode=args.vuln_mode,
            policy=args.policy,
            baseline=args.baseline,
            test_only=tuple(args.test_only),
        )
        return exit_code(results)
    if command == "load":
        return load_command.run(args)
    if command == "e2e":
        return e2e_command.run(args)
    return kind_command.run(args)


if __name__ == "__main__":
    sys.exit(main())
