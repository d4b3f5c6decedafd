"""Cache warm-up: `python -m orders_api.warmup --url http://NEW-VERSION:8000`.

Run against a new version before it takes traffic (the blue-green preview service
or the canary pods before their first step, see RUNBOOK.md): it calls each hot
endpoint `--rounds` times, `--concurrency` at a time, so the first real users do
not pay for the cold start: the database pool's connections (each a TCP + SCRAM
handshake), SQLAlchemy's statement compilation, first-use validation paths and lazy imports.

HOT_ENDPOINTS is where the API declares them: the GET routes most real traffic hits,
each with a request shape that runs the same code path (an unknown id still runs the
lookup). Exit codes: 0 every call answered below 500, 1 some did not (the new version
is not ready: do not promote it), 2 usage. `--json`: Slipway's one JSON envelope on
stdout (calls, failures and seconds as its data).

Uses the standard library (urllib + a thread pool) and slipway_contract's exit codes
only, so the service image can run it as a Job or a prePromotion step without an HTTP
client dependency.
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from slipway_contract.cli import human_output_to_stderr, parse_or_envelope, print_envelope
from slipway_contract.exit_codes import ExitCode

HOT_ENDPOINTS: tuple[str, ...] = (
    "/items?limit=50",
    "/items/00000000-0000-0000-0000-000000000000",  # a 404 through the same lookup
    "/readyz",
)
OK, NOT_READY = ExitCode.OK, ExitCode.FINDING  # Slipway's one exit-code table


def call(url: str, timeout: float) -> int:
    """GET `url`; the HTTP status, or 599 when no answer came."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http(s) URL checked in main
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return 599


def warm_up(base_url: str, rounds: int, concurrency: int, timeout: float) -> list[tuple[str, int]]:
    """Every hot endpoint `rounds` times, `concurrency` in flight; (path, status) of failures."""
    paths = [path for _ in range(rounds) for path in HOT_ENDPOINTS]
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = list(pool.map(lambda p: call(base_url.rstrip("/") + p, timeout), paths))
    return [(path, status) for path, status in zip(paths, statuses, strict=True) if status >= 500]


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(
        prog="python -m orders_api.warmup", description="Warm a new version's hot endpoints."
    )
    cli.add_argument(
        "--url", required=True, help="base URL of the new version, e.g. http://preview:8000"
    )
    cli.add_argument("--rounds", type=int, default=10, help="calls per hot endpoint (default 10)")
    cli.add_argument(
        "--concurrency", type=int, default=8, help="calls in flight (>= the DB pool size)"
    )
    cli.add_argument("--timeout", type=float, default=5.0, help="per call, seconds")
    cli.add_argument("--json", action="store_true", help="Slipway's one JSON envelope on stdout")
    args = parse_or_envelope(cli.parse_args, argv, cli.prog)
    if not args.url.startswith(("http://", "https://")) or args.rounds < 1 or args.concurrency < 1:
        problem = "--url must be http(s)://..., --rounds and --concurrency at least 1"
        if args.json:
            print_envelope(cli.prog, ExitCode.USAGE, error=problem)
        cli.error(problem)  # exits 2
    with human_output_to_stderr(args.json):
        started = time.monotonic()
        failed = warm_up(args.url, args.rounds, args.concurrency, args.timeout)
        took = time.monotonic() - started
        calls = args.rounds * len(HOT_ENDPOINTS)
        for path, status in sorted(set(failed)):
            print(f"warmup: {path} answered {status}", file=sys.stderr)
        ok, endpoints = calls - len(failed), len(HOT_ENDPOINTS)
        print(f"warmup: {ok}/{calls} calls ok, {endpoints} hot endpoints, {took:.2f}s")
    code = NOT_READY if failed else OK
    if args.json:
        data = {"calls": calls, "ok": ok, "seconds": round(took, 3),
                "failed": [{"path": p, "status": s} for p, s in sorted(set(failed))]}  # fmt: skip
        return print_envelope(cli.prog, code, data=data)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
