"""`slipway-index`: serve the private index, publish the platform packages to it.

    SLIPWAY_INDEX_PASSWORD=... slipway-index serve [--dir DIR] [--port 3141] [--detach]
    SLIPWAY_INDEX_PASSWORD=... slipway-index publish [--version X.Y.Z] [--url URL]

Credentials come from the environment (never from argv, which `ps` shows):
SLIPWAY_INDEX_USER (default `slipway`) and SLIPWAY_INDEX_PASSWORD. Exit codes follow
CONTRACTS.md (a missing password is a usage error, 2); `--json` prints one envelope
on stdout (the server's URL and pid, or the wheels published, as `data`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from slipway_contract.cli import (
    human_output_to_stderr,
    json_option,
    parse_or_envelope,
    print_envelope,
)
from slipway_contract.exit_codes import ExitCode

from slipway_index.packages import SERVICE_ROOTS, platform_closure
from slipway_index.publish import PublishError, build_wheels, release_version, tag_at_head, upload
from slipway_index.server import IndexServer, pid_alive, write_htpasswd

PROG = "slipway-index"
DEFAULT_PORT = 3141
DEFAULT_DIR = Path(os.environ.get("SLIPWAY_STATE_DIR", "/var/lib/slipway")) / "index"
ENV_USER, ENV_PASSWORD, ENV_URL = (
    "SLIPWAY_INDEX_USER",
    "SLIPWAY_INDEX_PASSWORD",
    "SLIPWAY_INDEX_URL",
)


class UsageError(Exception):
    """Bad input (a missing variable, a conflicting flag): exit 2."""


def _credentials() -> tuple[str, str]:
    password = os.environ.get(ENV_PASSWORD, "")
    if not password:
        raise UsageError(f"set {ENV_PASSWORD} (and optionally {ENV_USER}): the upload credentials")
    return os.environ.get(ENV_USER, "slipway"), password


def serve(args: argparse.Namespace) -> tuple[ExitCode, dict[str, Any]]:
    if args.json and not args.detach:
        raise UsageError("serve --json needs --detach (a server in the foreground has no result)")
    user, password = _credentials()
    state: Path = args.dir
    server = IndexServer(
        state / "packages", write_htpasswd(state / "htpasswd", user, password), args.port
    )
    pidfile = state / "pypiserver.pid"
    data: dict[str, Any] = {"url": server.url, "index": server.simple_url, "pidfile": str(pidfile)}
    if (pid := pid_alive(pidfile)) is not None:
        print(f"{PROG}: already running (pid {pid}, {pidfile}) on {server.url}")
        return ExitCode.OK, {**data, "pid": pid, "started": False}
    if not args.detach:
        os.execv(server.command()[0], server.command())  # noqa: S606 - pypiserver in the foreground
    proc = server.start(state / "pypiserver.log", pidfile)
    print(
        f"{PROG}: pypiserver pid {proc.pid} on {server.url} (index {server.simple_url}); "
        f"pid file {pidfile}"
    )
    return ExitCode.OK, {**data, "pid": proc.pid, "started": True}


def publish(args: argparse.Namespace) -> tuple[ExitCode, dict[str, Any]]:
    user, password = _credentials()
    root: Path = args.root.resolve()
    try:
        version = release_version(args.version) if args.version else tag_at_head(root)
        packages = platform_closure(root, tuple(args.package or SERVICE_ROOTS))
        wheels = build_wheels(packages, version, args.out)
        upload(wheels, args.url, user, password)
    except PublishError as exc:
        print(f"{PROG} publish: {exc}", file=sys.stderr)
        return ExitCode.FINDING, {"error": str(exc), "published": []}
    for wheel in wheels:
        print(f"published {wheel.name} to {args.url}")
    return ExitCode.OK, {"version": version, "url": args.url, "published": [w.name for w in wheels]}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    common = json_option()
    s = sub.add_parser(
        "serve", help="run pypiserver on 127.0.0.1 with upload auth", parents=[common]
    )
    s.add_argument(
        "--dir", type=Path, default=DEFAULT_DIR, help=f"state folder (default {DEFAULT_DIR})"
    )
    s.add_argument("--port", type=int, default=DEFAULT_PORT)
    s.add_argument(
        "--detach", action="store_true", help="run in the background under DIR/pypiserver.pid"
    )
    s.set_defaults(func=serve)
    p = sub.add_parser(
        "publish",
        help="build the platform packages a service needs and upload them",
        parents=[common],
    )
    p.add_argument("--version", help="release version (default: the release tag on HEAD)")
    p.add_argument("--url", default=os.environ.get(ENV_URL, f"http://127.0.0.1:{DEFAULT_PORT}/"),
                   help=f"upload URL (default ${ENV_URL} or the local index)")  # fmt: skip
    p.add_argument("--root", type=Path, default=Path.cwd(), help="the Slipway checkout")
    p.add_argument(
        "--out", type=Path, default=Path("build/index-wheels"), help="where the wheels are kept"
    )
    p.add_argument(
        "--package", action="append", help="publish these (and their platform deps) only"
    )
    p.set_defaults(func=publish)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_or_envelope(_parser().parse_args, argv, PROG)
    command = f"{PROG} {args.command}"
    try:
        with human_output_to_stderr(args.json):
            code, data = args.func(args)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        if args.json:
            return print_envelope(command, ExitCode.USAGE, error=str(exc))
        return int(ExitCode.USAGE)
    if args.json:
        error = data.pop("error", None)
        return print_envelope(command, code, data=data, error=error)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
