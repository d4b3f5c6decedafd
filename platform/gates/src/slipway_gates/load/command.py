"""`slipway-gates load`: locust against the service, judged by its slo.yaml `load:` block.

Without --host, the service image is built and started with its real
dependencies (the e2e stack), load-tested, and torn down.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from slipway_contract import probes
from slipway_contract.exit_codes import ExitCode
from slipway_observability.slo import SpecError, load_spec

from slipway_gates.e2e.docker_cli import DockerError
from slipway_gates.e2e.image import build_gates_image
from slipway_gates.e2e.stack import ServiceInfo, Stack
from slipway_gates.load.judge import NAME, StatsError, judge, read_final_stats
from slipway_gates.load.runner import LoadPlan, run_locust
from slipway_gates.outcome import CheckResult, exit_code, print_result


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--service-dir", type=Path, default=Path(), help="the service (default: .)")
    p.add_argument("--host", help="base URL of a running service (default: start the image)")
    p.add_argument(
        "--image", help="image to start when no --host (default: build gates-<service>:e2e)"
    )
    p.add_argument("--users", type=int, default=20, help="simulated users (default 20)")
    p.add_argument(
        "--spawn-rate", type=float, default=10, help="users started per second (default 10)"
    )
    p.add_argument("--duration", default="30s", help="run time, e.g. 30s, 2m (default 30s)")
    p.add_argument(
        "--user-rps", type=float, default=10, help="requests/s per user, 0 = flat out (default 10)"
    )
    p.add_argument(
        "--path", action="append", default=[], help="route to GET (repeat; default: service's)"
    )
    p.add_argument(
        "--locustfile",
        type=Path,
        help="locustfile (default: <service-dir>/locustfile.py or built-in)",
    )
    p.add_argument("--slo", type=Path, help="SLO spec (default: <service-dir>/slo.yaml)")
    p.add_argument(
        "--out",
        "--reports",
        dest="reports",
        metavar="DIR",
        type=Path,
        help="report folder (default: <service-dir>/reports/load)",
    )


def default_paths(service: ServiceInfo) -> tuple[str, ...]:
    """A read route of the service's API when it has the template's example resource."""
    package_routes = list(service.directory.glob("src/*/routes.py"))
    if package_routes and "/items" in package_routes[0].read_text():
        return ("/items",)
    return (probes.LIVEZ,)


def run(args: argparse.Namespace) -> int:
    service_dir: Path = args.service_dir
    slo_path: Path = args.slo or service_dir / "slo.yaml"
    try:
        spec = load_spec(slo_path)
    except SpecError as exc:  # an unreadable or invalid slo.yaml is bad input, as in slipway-obs
        print_result(CheckResult.failed(NAME, str(exc), []))
        return ExitCode.USAGE
    if spec.load is None:
        print_result(
            CheckResult.failed(NAME, f"{slo_path} has no `load:` block (CONTRACTS.md)", [])
        )
        return ExitCode.FINDING
    budget = spec.load
    service = ServiceInfo.from_dir(service_dir)
    locustfile = args.locustfile or (
        service_dir / "locustfile.py" if (service_dir / "locustfile.py").is_file() else None
    )
    reports_dir: Path = args.reports or service_dir / "reports" / "load"
    paths = tuple(args.path) or default_paths(service)

    def load_test(host: str) -> CheckResult:
        plan = LoadPlan(
            host=host,
            users=args.users,
            spawn_rate=args.spawn_rate,
            duration=args.duration,
            paths=paths,
            locustfile=locustfile,
            user_rps=args.user_rps,
        )
        code, reports = run_locust(plan, reports_dir)
        print(f"load reports:\n      {reports.describe()}")
        if code not in (0, 1):
            return CheckResult.failed(NAME, f"locust exited with {code}", [])
        try:
            return judge(read_final_stats(reports.final_json), budget, str(slo_path))
        except StatsError as exc:
            return CheckResult.failed(NAME, str(exc), [])

    try:
        if args.host:
            result = load_test(args.host)
        else:
            image = args.image or build_gates_image(service_dir, service.name)
            with Stack(service, image) as stack:
                print(f"{service.name} is up at {stack.url} (image {image})")
                result = load_test(stack.url)
    except (ValueError, DockerError) as exc:
        result = CheckResult.failed(NAME, str(exc), [])
    print_result(result)
    return exit_code([result])
