"""The whole delivery pipeline of one service, locally, as CI runs it (`nox -s pipeline`).

release (build, SBOM, gates, push, pull by digest, smoke) -> record `build`
-> promote to dev -> smoke the digest as "dev" (a container: no cluster here,
its FLAGS_FILE mounted from the tree's dev flags) -> optionally flip a kill
switch through the tree and watch the running container change behaviour
without a restart -> record dev -> promote to qa -> a promotion to prod is
refused (no stage verification). It works on a temporary copy of the GitOps tree and prints
every step; exit 0 only if every expectation held.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
from slipway_contract import env_vars
from slipway_contract.exit_codes import ExitCode
from slipway_contract.waiting import poll

from slipway_delivery.cli_support import run_cli
from slipway_delivery.containers import RunningService, run_service
from slipway_delivery.errors import DeliveryError, PromotionRefusedError
from slipway_delivery.flags import export_flagd_json, set_flag
from slipway_delivery.gitops_tree import GitopsTree
from slipway_delivery.imagebuild import docker
from slipway_delivery.promotion import promote, record_verification
from slipway_delivery.release import (
    DEFAULT_REGISTRY,
    ReleaseOptions,
    configured_smoke_routes,
    run_release,
)
from slipway_delivery.slo_thresholds import SloThresholds, load_thresholds
from slipway_delivery.smoke import run_smoke


def _say(text: str) -> None:
    print(f"[pipeline] {text}", flush=True)


def _request(url: str, spec: str) -> int:
    method, _, rest = spec.partition(" ")
    path, _, body = rest.partition(" ")
    response = httpx.request(method, f"{url}{path}", content=body or None,
                             headers={"Content-Type": "application/json"}, timeout=5)  # fmt: skip
    return response.status_code


def _wait_for(url: str, spec: str, wanted: Callable[[int], bool], timeout: float = 20.0) -> int:
    """The status of `spec` once `wanted`, or the last one seen after `timeout` seconds
    (the caller judges it)."""
    return poll(lambda: _request(url, spec), until=wanted, timeout=timeout, interval=0.25).last


def _flip_kill_switch(
    tree: GitopsTree, service: str, svc: RunningService, *, flags_file: Path, flag: str, spec: str
) -> None:
    """Flip `flag` off then on through the tree; the running container must follow."""
    started = docker("inspect", "-f", "{{.State.StartedAt}}", svc.name, what="inspect")
    before = _request(svc.url, spec)
    if not 200 <= before < 300:
        raise DeliveryError(f"kill switch: {spec} answered {before} before the flip")
    set_flag(tree, "dev", service, flag, "off")
    export_flagd_json(tree, "dev", service, flags_file)
    off = _wait_for(svc.url, spec, lambda s: s == 503)
    set_flag(tree, "dev", service, flag, "on")
    export_flagd_json(tree, "dev", service, flags_file)
    back = _wait_for(svc.url, spec, lambda s: 200 <= s < 300)
    after = docker("inspect", "-f", "{{.State.StartedAt}}", svc.name, what="inspect")
    _say(f"kill switch {flag}: {spec} {before} -> off {off} -> on {back}; "
         f"same process: {started == after}")  # fmt: skip
    if off != 503 or not 200 <= back < 300 or started != after:
        raise DeliveryError(f"kill switch {flag} did not act on the running container")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m slipway_delivery.local_pipeline")
    parser.add_argument("--service-dir", type=Path, required=True)
    parser.add_argument("--tree", type=Path, default=Path("platform/gitops"))
    parser.add_argument("--registry", default=DEFAULT_REGISTRY)
    parser.add_argument("--smoke-route", action="append", default=[], dest="routes")
    parser.add_argument("--gates", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--kill-switch", help="boolean flag that, off, makes a request fail")
    parser.add_argument(
        "--kill-switch-request", default="GET /items",
        help='the request it guards: "METHOD /path [JSON body]"',
    )  # fmt: skip
    return parser


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    service_dir = args.service_dir.resolve()
    service = service_dir.name
    routes = args.routes or configured_smoke_routes(service_dir)
    slo_file = service_dir / "slo.yaml"
    slo = load_thresholds(slo_file) if slo_file.is_file() else SloThresholds()

    record = run_release(
        ReleaseOptions(
            service_dir=service_dir, service=service, registry=args.registry, push=True,
            routes=routes, slo_file=slo_file if slo_file.is_file() else None, gates=args.gates,
        )
    )  # fmt: skip
    build = record["build"]
    _say(f"release {service} {record['version']} -> {record['digest']}")
    size_mb = build["size_bytes"] / 1e6
    _say(f"build {build['seconds']}s, {build['cached_steps']} cached steps, image {size_mb:.1f} MB")
    _say(f"SBOM {record['sbom']['components']} components: {record['sbom']['path']}")
    for gate in record["gates"]:
        _say(f"gate {gate['name']}: {gate['status']}")
    _say(f"smoke of the image pulled by digest: {record['smoke']['result']}")
    if record["result"] != "passed":
        raise DeliveryError(f"release failed; record: {record['record_path']}")

    with tempfile.TemporaryDirectory(prefix="delivery-gitops-") as tmp:
        tree = GitopsTree(Path(shutil.copytree(args.tree, Path(tmp) / "gitops")))
        digest, version = record["digest"], record["version"]
        repository = record["repository"]
        record_verification(tree, service, "build", digest, "passed", version=version)
        rules = slo_file if slo_file.is_file() else None
        done, _ = promote(tree, service, "dev", digest, version, repository=repository,
                          trigger="merge", slo=rules)  # fmt: skip
        _say(f"promoted to dev: {', '.join(done.files)}")
        flags_dir = Path(tmp) / "flags"
        flags_dir.mkdir(mode=0o755)
        flags_dir.chmod(0o755)  # a ConfigMap volume is world-readable; the container is UID 10001
        flags_file = export_flagd_json(tree, "dev", service, flags_dir / "flags.json")
        env = {
            env_vars.APP_ENV: "dev",
            env_vars.FLAGS_FILE: f"/etc/slipway-flags/{flags_file.name}",
        }
        with run_service(
            f"{repository}@{digest}", env=env, volumes={str(flags_dir): "/etc/slipway-flags"}
        ) as svc:
            report = run_smoke(svc.url, routes, slo, window_seconds=3)
            if args.kill_switch and report.ok:
                _flip_kill_switch(
                    tree, service, svc, flags_file=flags_file, flag=args.kill_switch,
                    spec=args.kill_switch_request,
                )  # fmt: skip
        _say(f"dev smoke: {'passed' if report.ok else 'FAILED'}; not judged: {report.not_judged}")
        result = "passed" if report.ok else "failed"
        record_verification(tree, service, "dev", digest, result, evidence=report.as_dict())
        if not report.ok:
            raise DeliveryError(json.dumps(report.as_dict(), indent=2))
        done, _ = promote(tree, service, "qa", digest, version, repository=repository,
                          trigger="merge", slo=rules)  # fmt: skip
        _say(f"promoted to qa: {', '.join(done.files)}")
        try:
            promote(tree, service, "prod", digest, version, repository=repository,
                    trigger="tag", approved_by="pipeline")  # fmt: skip
        except PromotionRefusedError as exc:
            _say(f"prod promotion refused as expected: {exc}")
        else:
            raise DeliveryError("an unverified digest was promoted to prod: the policy is broken")
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point (`python -m slipway_delivery.local_pipeline`)."""
    return run_cli(_main, argv, "slipway-pipeline")


if __name__ == "__main__":
    raise SystemExit(main())
