"""The release pipeline of one service, step by step, ending in one JSON record.

wheelhouse -> BuildKit build (version + SHA tags) -> CycloneDX SBOM -> image
gates -> push + digest -> pull by digest -> run that container -> smoke.
Every step's outcome lands in the record, including gates that could not run.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slipway_contract import env_vars
from slipway_contract.outcome import Status

from slipway_delivery.containers import run_service
from slipway_delivery.errors import DeliveryError, UsageError
from slipway_delivery.gates import GateResult, run_image_gates
from slipway_delivery.imagebuild import DEFAULT_BASE_IMAGE, build_image
from slipway_delivery.registry import pull_by_digest, push
from slipway_delivery.sbom import write_sbom
from slipway_delivery.slo_thresholds import SloThresholds, load_thresholds
from slipway_delivery.smoke import run_smoke
from slipway_delivery.versioning import version_of
from slipway_delivery.wheelhouse import build_wheelhouse

DEFAULT_REGISTRY = "127.0.0.1:5000"


@dataclass
class ReleaseOptions:
    """What `slipway-release run` was asked to do."""

    service_dir: Path
    service: str
    registry: str = DEFAULT_REGISTRY
    push: bool = False
    base_image: str = DEFAULT_BASE_IMAGE
    routes: list[str] = field(default_factory=list)
    slo_file: Path | None = None
    container_env: dict[str, str] = field(default_factory=dict)
    tag: str | None = None
    out: Path | None = None
    smoke: bool = True
    gates: bool = True  # False records the gates as not-run (never as passed)
    smoke_window_seconds: float = 3.0


def configured_smoke_routes(service_dir: Path) -> list[str]:
    """`[tool.slipway.delivery] smoke-routes` of the service's pyproject.toml, if any."""
    pyproject = service_dir / "pyproject.toml"
    if not pyproject.is_file():
        return []
    config = tomllib.loads(pyproject.read_text()).get("tool", {}).get("slipway", {})
    routes = config.get("delivery", {}).get("smoke-routes", [])
    if not isinstance(routes, list) or not all(
        isinstance(r, str) and r.startswith("/") for r in routes
    ):
        raise UsageError(
            f"{pyproject}: [tool.slipway.delivery] smoke-routes must be a list of paths "
            'starting with "/", e.g. ["/items"]'
        )
    return routes


def _commit_epoch(repo: Path) -> int:
    out = subprocess.run(
        ["git", "log", "-1", "--format=%ct"],  # noqa: S607
        cwd=repo, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(out.stdout.strip())


def run_release(opts: ReleaseOptions) -> dict[str, Any]:
    """Run the pipeline; the record (also written to `<out>/release.json`)."""
    service_dir = opts.service_dir.resolve()
    out = (opts.out or service_dir / "reports" / "release").resolve()
    out.mkdir(parents=True, exist_ok=True)
    version = version_of(service_dir, opts.tag)
    repository = f"{opts.registry}/{opts.service}"
    record: dict[str, Any] = {
        "service": opts.service,
        "version": str(version.version),
        "git_sha": version.sha,
        "release_tag": version.tag,
        "repository": repository,
        "tags": version.image_tags,
    }

    wheelhouse = build_wheelhouse(service_dir)
    record["wheelhouse"] = {
        "deps": [p.name for p in wheelhouse.deps],
        "local": [p.name for p in wheelhouse.local],
    }
    labels = {
        "org.opencontainers.image.title": opts.service,
        "org.opencontainers.image.version": str(version.version),
        "org.opencontainers.image.revision": version.sha,
    }
    image = build_image(
        service_dir,
        repository,
        version.image_tags,
        base_image=opts.base_image,
        labels=labels,
        source_date_epoch=_commit_epoch(service_dir),
    )
    record["build"] = {
        "image_id": image.image_id,
        "refs": image.refs,
        "seconds": round(image.seconds, 2),
        "cached_steps": image.cached_steps,
        "size_bytes": image.size_bytes,
    }

    sbom_path = out / "sbom.cdx.json"
    sbom = write_sbom(image.refs[0], sbom_path, pyproject=service_dir / "pyproject.toml")
    record["sbom"] = {"path": str(sbom_path), "components": len(sbom.get("components", []))}

    if opts.gates:
        gates = run_image_gates(service_dir, image.refs[0])
    else:
        gates = [GateResult("slipway-gates", Status.NOT_RUN, [], "disabled with --no-gates")]
    record["gates"] = [g.as_dict() for g in gates]

    run_ref = image.refs[0]
    if opts.push:
        digest = push(image.refs)
        pulled_id = pull_by_digest(repository, digest)
        if pulled_id != image.image_id:
            raise DeliveryError(f"pulled {digest} is image {pulled_id}, built {image.image_id}")
        record["digest"] = digest
        run_ref = f"{repository}@{digest}"
    record["smoke_image"] = run_ref

    if opts.smoke:
        record["smoke"] = _smoke(opts, run_ref, str(version.version))
    failed = [g.name for g in gates if g.status in (Status.FAILED, Status.ERROR)]
    smoke_ok = record.get("smoke", {}).get("result", "passed") == "passed"
    record["result"] = "passed" if not failed and smoke_ok else "failed"
    (out / "release.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    record["record_path"] = str(out / "release.json")
    return record


def _smoke(opts: ReleaseOptions, image_ref: str, version: str) -> dict[str, Any]:
    slo = load_thresholds(opts.slo_file) if opts.slo_file else SloThresholds()
    env = {
        env_vars.SERVICE_NAME: opts.service,
        env_vars.SERVICE_VERSION: version,
        env_vars.APP_ENV: "dev",
        **opts.container_env,
    }
    with run_service(image_ref, env=env, name_prefix=f"delivery-{opts.service}") as svc:
        report = run_smoke(svc.url, opts.routes, slo, window_seconds=opts.smoke_window_seconds)
        result = report.as_dict()
        if not report.ok:
            result["container_logs"] = svc.logs()[-3000:]
    return result
