"""`slipway-release`: version of HEAD, locked wheelhouse, and the full release run.

Exit codes follow CONTRACTS.md; `--json` prints one envelope on stdout (the
version facts, the wheelhouse, or the release record as its `data`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from slipway_contract.cli import DeprecatedSpelling, json_option
from slipway_contract.exit_codes import ExitCode

from slipway_delivery.cli_support import key_values, run_cli, run_subcommand
from slipway_delivery.imagebuild import DEFAULT_BASE_IMAGE
from slipway_delivery.release import (
    DEFAULT_REGISTRY,
    ReleaseOptions,
    configured_smoke_routes,
    run_release,
)
from slipway_delivery.versioning import version_of
from slipway_delivery.wheelhouse import build_wheelhouse, require_project

PROG = "slipway-release"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    common = json_option()

    version = sub.add_parser(
        "version", help="print the SemVer of HEAD (from git tags)", parents=[common]
    )
    version.add_argument("--repo", type=Path, default=Path())
    version.add_argument("--tag", help="release tag CI is building (must be SemVer)")

    wheels = sub.add_parser(
        "wheelhouse", help="write DIR/wheelhouse from the lock file", parents=[common]
    )
    wheels.add_argument("--service-dir", type=Path, default=Path())

    run = sub.add_parser(
        "run", help="build, SBOM, gates, push, pull by digest, smoke", parents=[common]
    )
    run.add_argument("--service-dir", type=Path, default=Path())
    run.add_argument("--service", help="image/service name (default: folder name)")
    run.add_argument("--registry", default=DEFAULT_REGISTRY, help="HOST:PORT to push to")
    run.add_argument("--push", action=argparse.BooleanOptionalAction, default=False)
    run.add_argument("--smoke", action=argparse.BooleanOptionalAction, default=True)
    run.add_argument(
        "--gates", action=argparse.BooleanOptionalAction, default=True,
        help="run slipway-gates on the image (--no-gates records them as not-run)",
    )  # fmt: skip
    run.add_argument("--base-image", default=DEFAULT_BASE_IMAGE)
    run.add_argument("--smoke-route", action="append", default=[], dest="routes")
    run.add_argument("--slo", type=Path, help="slo.yaml (default: DIR/slo.yaml if present)")
    # `--env` names an environment in every Slipway command (CONTRACTS.md): a container
    # variable is `--container-env`; the old `--env KEY=VALUE` still works, with a warning.
    run.add_argument(
        "--container-env", action="append", default=[], metavar="KEY=VALUE",
        help="environment variable for the container (repeatable)",
    )  # fmt: skip
    run.add_argument(
        "--env",
        action=DeprecatedSpelling,
        instead="--container-env",
        append=True,
        dest="container_env",
        default=[],
        help=argparse.SUPPRESS,
    )
    run.add_argument("--tag", help="release tag CI is building (must be SemVer)")
    run.add_argument("--out", type=Path, help="record folder (default DIR/reports/release)")
    return parser


def _run(args: argparse.Namespace) -> tuple[ExitCode, dict[str, Any]]:
    """Do the command, print its lines for a person; the exit code and the JSON data."""
    if args.command == "version":
        v = version_of(args.repo, args.tag)
        print(v.version)
        return ExitCode.OK, {"version": str(v.version), "sha": v.sha, "tag": v.tag,
                             "is_release": v.is_release, "image_tags": v.image_tags}  # fmt: skip
    if args.command == "wheelhouse":
        w = build_wheelhouse(args.service_dir)
        print(f"wheelhouse {w.root}: {len(w.deps)} locked wheels, {len(w.local)} local wheels")
        return ExitCode.OK, {"root": str(w.root), "deps": len(w.deps), "local": len(w.local)}
    service_dir = require_project(args.service_dir)  # before anything is written there
    routes = args.routes or configured_smoke_routes(service_dir)
    slo = args.slo or (service_dir / "slo.yaml" if (service_dir / "slo.yaml").is_file() else None)
    record = run_release(
        ReleaseOptions(
            service_dir=service_dir,
            service=args.service or service_dir.name,
            registry=args.registry,
            push=args.push,
            base_image=args.base_image,
            routes=routes,
            slo_file=slo,
            container_env=key_values(args.container_env, "--container-env"),
            tag=args.tag,
            out=args.out,
            smoke=args.smoke,
            gates=args.gates,
        )
    )
    for gate in record["gates"]:
        print(f"gate {gate['name']}: {gate['status']} {gate['detail'][:200]}")
    print(f"release {record['result']}: {record['record_path']}")
    return (ExitCode.OK if record["result"] == "passed" else ExitCode.FINDING), record


def _main(argv: Sequence[str] | None) -> int:
    return run_subcommand(PROG, _parser(), _run, argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `slipway-release`."""
    return run_cli(_main, argv, PROG, envelope=True)


if __name__ == "__main__":
    raise SystemExit(main())
