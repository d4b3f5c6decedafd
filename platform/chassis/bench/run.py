"""Benchmark: bare FastAPI vs the chassis piece by piece, and the template's timings.

`nox -s bench` prints one table: the chassis overhead (below) and the template's
timings (`template_timings.py`: copier copy, generated unit tests, cold/warm image
build, image size against the base, start to first request). Figures and ratios
only; the targets shown are the issues' references, nothing is asserted.

For each round (rounds interleave every variant, in a rotated order, so drift on
this shared machine hits all variants alike): start the variant's uvicorn
pinned to one core, load it with wrk pinned to another, record req/s and
p50/p99 and the server's CPU time, stop it. Report medians over rounds: server
CPU µs per request and the ratio to bare FastAPI measured in the same run
(bare CPU/request over the variant's: the throughput ratio one dedicated core
would show; req/s ratios are printed too but swing with the machine's load).

    python platform/chassis/bench/run.py [--rounds 3] [--seconds 4] [--connections 32]
                                         [--skip-chassis] [--skip-template] [--against REF]

`--against REF` also measures another commit's chassis (`against.py`: a temporary
worktree and venv of REF) in the same rounds, variant by variant, and prints a
second table: each side's ratio to its own bare app, per-round spread, verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import comparison  # noqa: E402
from against import Side, checkout, resolve_commit, this_checkout  # noqa: E402
from bench_apps import VARIANTS  # noqa: E402
from comparison import Results  # noqa: E402
from slipway_chassis.testing import OTLPReceiver  # noqa: E402
from template_timings import Figure  # noqa: E402
from wrk import run  # noqa: E402

REPORTS = HERE / "reports"
REPO_ROOT = HERE.parents[2]
ITEM = "/items/42"
# Extra endpoints measured on these variants (probe/metrics cost vs hand-written routes).
EXTRA_ENDPOINTS = {"bare": ("/livez", "/metrics"), "all-0.1": ("/livez", "/metrics")}
# Issue 13: everything at 0.1 >= 0.65x bare, at 1.0 >= 0.45x (the database rows too).
TARGETS = {"all-0.1": 0.65, "all-1.0": 0.45, "all-0.1-db": 0.65, "all-1.0-db": 0.45}
PROBE_TARGET = 0.9


def _start_server(
    side: Side, variant: str, port: int, core: int, otlp: str
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BENCH_VARIANT": variant, "OTEL_EXPORTER_OTLP_ENDPOINT": otlp}
    python, apps = str(side.python), str(side.bench_dir)
    http = side.variants[variant][1]
    if http == "guarded":
        command = ["taskset", "-c", str(core), python, f"{apps}/guarded_server.py",
                   str(port)]  # fmt: skip
        env["PYTHONPATH"] = os.pathsep.join([apps, env.get("PYTHONPATH", "")])
    else:
        command = [
            "taskset", "-c", str(core), python, "-m", "uvicorn", "--factory",
            "bench_apps:build", "--app-dir", apps, "--host", "127.0.0.1",
            "--port", str(port), "--no-access-log", "--log-level", "warning",
            "--loop", "uvloop", "--http", http,
        ]  # fmt: skip
    # A fixed argv built here (no shell, no outside input).
    return subprocess.Popen(  # noqa: S603
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited during start-up ({process.returncode})")
        try:
            if httpx.get(f"{base}/livez", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start within 60 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measure(args: argparse.Namespace, otlp: str, sides: list[Side]) -> dict[str, Results]:
    """results[side][variant][endpoint] = one WrkResult per round.

    With two sides, each variant runs on both back to back (which side goes first
    alternates by round), so drift on the shared machine hits both alike.
    """
    names = list(VARIANTS)
    results: dict[str, Results] = {s.name: {} for s in sides}
    for round_no in range(args.rounds):
        shift = round_no % len(names)
        order = names[shift:] + names[:shift]
        turn = sides if round_no % 2 == 0 else sides[::-1]
        for side, variant in ((s, v) for v in order for s in turn if v in s.variants):
            port = 20000 + os.getpid() % 10000
            process = _start_server(side, variant, port, args.server_core, otlp)
            base = f"http://127.0.0.1:{port}"
            try:
                _wait_ready(base, process)
                for endpoint in (ITEM, *EXTRA_ENDPOINTS.get(variant, ())):
                    url = base + endpoint
                    run(url, seconds=1, connections=args.connections, core=args.load_core)  # warm
                    result = run(
                        url,
                        seconds=args.seconds,
                        connections=args.connections,
                        core=args.load_core,
                        pid=process.pid,
                    )
                    per_variant = results[side.name].setdefault(variant, {})
                    per_variant.setdefault(endpoint, []).append(result)
                    print(
                        f"round {round_no + 1} {side.name[:16]:16} {variant:14} {endpoint:10} "
                        f"{result.requests_per_second:9.0f} req/s "
                        f"{result.cpu_us_per_request:7.1f} cpu-µs/req errors={result.errors}",
                        flush=True,
                    )
            finally:
                _stop(process)
    return results


def summarise(results: Results) -> list[dict[str, object]]:
    """Median per (variant, endpoint), with µs/request and the ratio to bare."""

    def median(values: list[float]) -> float:
        return statistics.median(values)

    bare_rps = {
        e: median([r.requests_per_second for r in runs]) for e, runs in results["bare"].items()
    }
    bare_cpu = {
        e: median([r.cpu_us_per_request for r in runs]) for e, runs in results["bare"].items()
    }
    rows: list[dict[str, object]] = []
    for variant, endpoints in results.items():
        for endpoint, runs in endpoints.items():
            rps = median([r.requests_per_second for r in runs])
            cpu = median([r.cpu_us_per_request for r in runs])
            if endpoint == ITEM:
                target = TARGETS.get(variant)
            else:
                target = PROBE_TARGET if variant != "bare" else None
            rows.append(
                {
                    "variant": variant,
                    "label": VARIANTS[variant].label,
                    "endpoint": endpoint,
                    "rounds": len(runs),
                    "requests_per_second": round(rps, 1),
                    "cpu_us_per_request": round(cpu, 1),
                    "extra_cpu_us_vs_bare": round(cpu - bare_cpu[endpoint], 1),
                    # Requests one core serves, relative to bare: bare CPU/req over ours.
                    "ratio_to_bare": round(bare_cpu[endpoint] / cpu, 3),
                    "throughput_ratio_to_bare": round(rps / bare_rps[endpoint], 3),
                    "p50_ms": round(median([r.p50_seconds for r in runs]) * 1000, 2),
                    "p99_ms": round(median([r.p99_seconds for r in runs]) * 1000, 2),
                    "errors": sum(r.errors for r in runs),
                    "target": target,
                }
            )
    return rows


def combined_rows(chassis: list[dict[str, object]], template: list[Figure]) -> list[Figure]:
    """Chassis medians and template figures as rows of one table."""
    rows = []
    for row in chassis:
        target = row["target"]
        rows.append(
            Figure(
                measure=f"chassis: {row['label']} {row['endpoint']}",
                value=float(row["cpu_us_per_request"]),  # type: ignore[arg-type]
                unit="CPU µs/req",
                ratio=float(row["ratio_to_bare"]),  # type: ignore[arg-type]
                ratio_means="x bare FastAPI (CPU)",
                reference=(
                    f">= {target} (issue {13 if row['variant'] in TARGETS else 3})"
                    if isinstance(target, float)
                    else ""
                ),
            )
        )
    rows += [Figure(f"template: {f.measure}", f.value, f.unit, f.ratio, f.ratio_means,
                    f.reference) for f in template]  # fmt: skip
    return rows


def render(rows: list[Figure], console: Console, meta: dict[str, object]) -> None:
    """Print the one combined table."""
    parts = []
    if not meta["skip_chassis"]:
        parts.append(f"chassis overhead ({meta['rounds']} rounds x {meta['seconds']} s, medians)")
    if not meta["skip_template"]:
        parts.append("template timings (one run)")
    title = f"Slipway bench: {' + '.join(parts)}, {meta['cpu_count']} shared cores"
    table = Table(title=title)
    for column in ("measure", "figure", "unit", "ratio", "ratio of", "reference (issue)"):
        table.add_column(column, justify="right" if column in ("figure", "ratio") else "left")
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        table.add_row(row.measure, f"{row.value:.1f}", row.unit, ratio, row.ratio_means,
                      row.reference)  # fmt: skip
    console.print(table)


def _raw(results: Results) -> dict[str, Any]:
    """The wrk runs as JSON: [variant][endpoint] = one dict per round."""
    return {v: {e: [asdict(r) for r in rs] for e, rs in eps.items()} for v, eps in results.items()}


def _arguments(argv: list[str] | None) -> tuple[argparse.Namespace, str]:
    """The parsed arguments and, with --against, the ref's commit id."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--server-core", type=int, default=1)
    parser.add_argument("--load-core", type=int, default=0)
    parser.add_argument("--skip-chassis", action="store_true", help="template timings only")
    parser.add_argument("--skip-template", action="store_true", help="chassis overhead only")
    parser.add_argument(
        "--against",
        metavar="REF",
        help="also measure REF's chassis (commit, tag, branch) in the same rounds, and compare",
    )
    args = parser.parse_args(argv)
    if args.against and args.skip_chassis:
        parser.error("--against compares the chassis: drop --skip-chassis")
    commit = ""
    if args.against:
        try:
            commit = resolve_commit(args.against, REPO_ROOT)
        except ValueError as exc:
            parser.error(str(exc))
    return args, commit


def measure_chassis(
    args: argparse.Namespace, against_commit: str, meta: dict[str, Any]
) -> dict[str, Any]:
    """This checkout's rows (and, with --against, the ref's and the comparison)."""
    head = this_checkout(HERE)
    with ExitStack() as stack:
        sides = [head]
        if args.against:
            sides.append(stack.enter_context(checkout(args.against, against_commit, REPO_ROOT)))
        # The harness (and its OTLP receiver thread) shares the load generator's core.
        affinity = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {args.load_core})
        with OTLPReceiver() as receiver:
            results = measure(args, receiver.endpoint, sides)
            meta["spans_received"] = len(receiver.spans)
        os.sched_setaffinity(0, affinity)
    chassis: dict[str, Any] = {
        "rows": summarise(results[head.name]),
        "raw": _raw(results[head.name]),
    }
    if args.against:
        ref = sides[1].name
        chassis["against"] = {
            "ref": ref,
            "rows": summarise(results[ref]),
            "comparison": comparison.compare(results[head.name], results[ref]),
            "raw": _raw(results[ref]),
        }
    return chassis


def main(argv: list[str] | None = None) -> int:
    args, against_commit = _arguments(argv)
    meta: dict[str, Any] = {**vars(args), "cpu_count": os.cpu_count()}
    chassis: dict[str, Any] = {"rows": [], "raw": {}}
    if not args.skip_chassis:
        chassis = measure_chassis(args, against_commit, meta)
    template: list[Figure] = []
    if not args.skip_template:
        import template_timings  # noqa: PLC0415 - needs docker, copier: only when asked

        template = template_timings.measure()
    console = Console(record=True, width=170)
    render(combined_rows(chassis["rows"], template), console, meta)
    if "spans_received" in meta:
        console.print(f"OTLP spans received by the in-harness collector: {meta['spans_received']}")
    if against := chassis.get("against"):
        comparison.render(against["comparison"], console, "HEAD", against["ref"])
    REPORTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    report = {
        "meta": meta,
        "rows": chassis["rows"],
        "template": [asdict(f) for f in template],
        "raw": chassis["raw"],
        **({"against": against} if against else {}),
    }
    (REPORTS / f"bench-{stamp}.json").write_text(json.dumps(report, indent=2))
    (REPORTS / "latest.json").write_text(json.dumps(report, indent=2))
    console.save_html(str(REPORTS / "latest.html"))
    print(f"reports: {REPORTS}/latest.json, latest.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
