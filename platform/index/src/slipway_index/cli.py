"""`slipway-index`: serve the private index, publish the platform packages to it.

    SLIPWAY_INDEX_PASSWORD=... slipway-index serve [--dir DIR] [--port 3141] [--detach]
    SLIPWAY_INDEX_PASSWORD=... slipway-index publish [--version X.Y.Z] [--url URL]

Credentials come from the environment (never from argv, which `ps` shows):
SLIPWAY_INDEX_USER (default `slipway`) and SLIPWAY_INDEX_PASSWORD.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from slipway_index.packages import SERVICE_ROOTS, platform_closure
from slipway_index.publish import PublishError, build_wheels, release_version, tag_at_head, upload
from slipway_index.server import IndexServer, pid_alive, write_htpasswd

DEFAULT_PORT = 3141
DEFAULT_DIR = Path(os.environ.get("SLIPWAY_STATE_DIR", "/var/lib/slipway")) / "index"
ENV_USER, ENV_PASSWORD, ENV_URL = (
    "SLIPWAY_INDEX_USER",
    "SLIPWAY_INDEX_PASSWORD",
    "SLIPWAY_INDEX_URL",
)


def _credentials() -> tuple[str, str]:
    password = os.environ.get(ENV_PASSWORD, "")
    if not password:
        raise SystemExit(
            f"slipway-index: set {ENV_PASSWORD} (and optionally {ENV_USER}): the upload credentials"
        )
    return os.environ.get(ENV_USER, "slipway"), password


def serve(args: argparse.Namespace) -> int:
    user, password = _credentials()
    state: Path = args.dir
    server = IndexServer(
        state / "packages", write_htpasswd(state / "htpasswd", user, password), args.port
    )
    pidfile = state / "pypiserver.pid"
    if (pid := pid_alive(pidfile)) is not None:
        print(f"slipway-index: already running (pid {pid}, {pidfile}) on {server.url}")
        return 0
    if not args.detach:
        os.execv(server.command()[0], server.command())  # noqa: S606 - pypiserver in the foreground
    proc = server.start(state / "pypiserver.log", pidfile)
    print(
        f"slipway-index: pypiserver pid {proc.pid} on {server.url} (index {server.simple_url}); "
        f"pid file {pidfile}"
    )
    return 0


def publish(args: argparse.Namespace) -> int:
    user, password = _credentials()
    root: Path = args.root.resolve()
    try:
        version = release_version(args.version) if args.version else tag_at_head(root)
        packages = platform_closure(root, tuple(args.package or SERVICE_ROOTS))
        wheels = build_wheels(packages, version, args.out)
        upload(wheels, args.url, user, password)
    except PublishError as exc:
        print(f"slipway-index publish: {exc}", file=sys.stderr)
        return 1
    for wheel in wheels:
        print(f"published {wheel.name} to {args.url}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="slipway-index", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run pypiserver on 127.0.0.1 with upload auth")
    s.add_argument(
        "--dir", type=Path, default=DEFAULT_DIR, help=f"state folder (default {DEFAULT_DIR})"
    )
    s.add_argument("--port", type=int, default=DEFAULT_PORT)
    s.add_argument(
        "--detach", action="store_true", help="run in the background under DIR/pypiserver.pid"
    )
    s.set_defaults(func=serve)
    p = sub.add_parser(
        "publish", help="build the platform packages a service needs and upload them"
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
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
