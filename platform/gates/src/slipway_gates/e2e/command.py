"""`slipway-gates e2e`: build the image, start the stack, run the scenario, tear down."""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from slipway_contract import env_vars

from slipway_gates.e2e.docker_cli import DockerError
from slipway_gates.e2e.image import build_gates_image
from slipway_gates.e2e.prometheus import PrometheusServer
from slipway_gates.e2e.stack import ServiceInfo, Stack
from slipway_gates.load.command import default_paths
from slipway_gates.outcome import CheckResult, apply_known_gaps, exit_code, print_result

if TYPE_CHECKING:
    from slipway_chassis.testing import OTLPReceiver

# Consecutive `docker stop` rounds under keep-alive load (issue 13: a drop is rare).
STOP_RUNS = 10
# The executables the gate runs (it is NOT run without them). The generated CI pipelines
# install each one in the jobs that run `nox -s e2e` (tests/template/test_ci_tools.py).
REQUIRED_TOOLS = ("docker", "prometheus")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--service-dir", type=Path, default=Path(), help="the service (default: .)")
    p.add_argument("--image", help="use this image instead of building gates-<service>:e2e")
    p.add_argument(
        "--known-gap",
        action="append",
        default=[],
        metavar="KEY=REASON",
        help="a check (name containing KEY) known to fail, reported as KNOWN GAP; fails once fixed",
    )
    p.add_argument(
        "--path", help="API route the scenario calls (default: /items if present, else /livez)"
    )


def run_scenario(
    service: ServiceInfo, image: str, path: str, known_gaps: dict[str, str] | None = None
) -> list[CheckResult]:
    # Imported here: the scenarios pull in the chassis (FastAPI, OpenTelemetry), seconds
    # of start-up every other subcommand (`slipway-gates hadolint`...) would pay.
    from slipway_chassis.testing import OTLPReceiver  # noqa: PLC0415

    from slipway_gates.e2e import scenario, shutdown  # noqa: PLC0415

    results: list[CheckResult] = []

    def record(result: CheckResult) -> None:
        result = apply_known_gaps(result, known_gaps or {})
        print_result(result)
        results.append(result)

    # A 2 s drain (SHUTDOWN_GRACE_SECONDS 8, the chassis takes a quarter) keeps the
    # STOP_RUNS shutdown rounds short; the drain's length does not change what they test.
    extra_env = {env_vars.SHUTDOWN_GRACE_SECONDS: "8"} if service.kind != "queue-worker" else {}
    stack = Stack(service, image, extra_env=extra_env)
    stack.create_network()
    try:
        with OTLPReceiver(stack.callback_address()) as receiver:
            stack.otlp_endpoint = receiver.endpoint
            stack.start()
            print(f"{service.name} up at {stack.url} (image {image}, OTLP -> {receiver.endpoint})")
            with PrometheusServer(stack.url.removeprefix("http://"), service.name) as prometheus:
                record(scenario.check_smoke(stack))
                if service.kind == "queue-worker":
                    _worker_checks(stack, receiver, prometheus, record)
                else:
                    record(scenario.check_traces_match_logs(stack, receiver, path))
                    record(scenario.check_metrics_scraped(prometheus, service.name))
                    for result in scenario.check_dependency_outage(stack, path):
                        record(result)
                    record(shutdown.check_docker_stop_runs(stack, path, STOP_RUNS))
    finally:
        stack.stop()
    return results


def _worker_checks(
    stack: Stack,
    receiver: OTLPReceiver,
    prometheus: PrometheusServer,
    record: Callable[[CheckResult], None],
) -> None:
    """A queue worker's scenario (its input is the queue; POST /messages feeds it)."""
    from slipway_gates.e2e import worker_scenario  # noqa: PLC0415 - see run_scenario

    for result in worker_scenario.check_messages_consumed(stack, receiver, prometheus):
        record(result)
    record(worker_scenario.check_poison_dead_lettered(stack, prometheus))
    record(worker_scenario.check_broker_outage(stack))
    record(worker_scenario.check_stop_while_flowing(stack))


def run(args: argparse.Namespace) -> int:
    service = ServiceInfo.from_dir(args.service_dir)
    missing = [t for t in REQUIRED_TOOLS if shutil.which(t) is None]
    if missing:
        result = CheckResult.not_run(
            "e2e", f"{', '.join(missing)} not installed (scripts/provision.sh)"
        )
        print_result(result)
        return exit_code([result])
    try:
        image = args.image or build_gates_image(args.service_dir, service.name)
        gaps = {}
        for entry in args.known_gap:
            key, sep, reason = entry.partition("=")
            if not sep or not key.strip() or not reason.strip():
                raise SystemExit(f"--known-gap {entry!r}: write KEY=REASON, e.g. circuit=why")
            gaps[key.strip()] = reason.strip()
        results = run_scenario(service, image, args.path or default_paths(service)[0], gaps)
    except (DockerError, RuntimeError, OSError, httpx.HTTPError) as exc:
        results = [CheckResult.failed("e2e", f"the stack could not run: {exc}", [])]
        print_result(results[0])
    return exit_code(results)
