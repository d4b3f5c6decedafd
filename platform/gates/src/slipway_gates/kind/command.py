"""`slipway-gates e2e-kind`: print the plan, and run it only where kind can run.

Where kind cannot run (no `kind` binary, or its node image cannot be had, as on
Slipway's own build machines), the command prints the plan and SKIPS loudly with
exit code 0 - even under CI=true. This is the one documented exception to
"a gate that cannot run fails in CI": the kind e2e is exercised by the generated
CI config on runners that have kind.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

import httpx
import yaml
from slipway_contract.environments import ENVIRONMENTS
from slipway_contract.exit_codes import ExitCode
from slipway_contract.waiting import poll

from slipway_gates.e2e.image import build_gates_image, gates_image_ref
from slipway_gates.e2e.stack import ServiceInfo
from slipway_gates.kind.plan import KindInputs, Step, build_plan, default_kind_config
from slipway_gates.security.helm_render import find_charts, value_layers

SKIP_BANNER = "*" * 78


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--service-dir", type=Path, default=Path(), help="the service (default: .)")
    p.add_argument("--service", help="service name (default: from slo.yaml or the directory name)")
    p.add_argument("--image", help="image to load (default: <service>:e2e)")
    p.add_argument(
        "--chart",
        type=Path,
        help="chart directory (default: the first chart under the service dir)",
    )
    p.add_argument(
        "--env", action="append", choices=ENVIRONMENTS, dest="env",
        help="an environment to install (repeatable; default: all)",
    )  # fmt: skip
    # `--envs dev,qa`, the first spelling: still read (`--env` is every command's word)
    p.add_argument("--envs", default=",".join(ENVIRONMENTS), help=argparse.SUPPRESS)
    p.add_argument(
        "--kind-config", type=Path, help="kind cluster config (default: the packaged one)"
    )
    p.add_argument("--plan-only", action="store_true", help="print the plan and exit")


def kind_unavailable_reason(kind_config: Path) -> str | None:
    """Why kind cannot run here, or None."""
    if shutil.which("kind") is None:
        return "the `kind` binary is not installed"
    if shutil.which("docker") is None:
        return "docker is not installed"
    node_images = re.findall(r"image:\s*(\S+)", kind_config.read_text())
    for image in node_images:
        have = subprocess.run(
            ["docker", "image", "inspect", image], capture_output=True, check=False
        )
        if have.returncode != 0:
            pull = subprocess.run(["docker", "pull", image], capture_output=True, check=False)
            if pull.returncode != 0:
                return f"the kind node image {image} is not present and cannot be pulled"
    return None


def _service_name(service_dir: Path, explicit: str | None) -> str:
    if explicit:
        return explicit
    slo = service_dir / "slo.yaml"
    if slo.is_file():
        return str(yaml.safe_load(slo.read_text())["service"])
    return service_dir.resolve().name


def inputs_from_args(args: argparse.Namespace) -> KindInputs:
    service_dir: Path = args.service_dir
    service = _service_name(service_dir, args.service)
    chart = args.chart
    if chart is None:
        charts = find_charts(service_dir)
        if not charts:
            raise SystemExit(f"e2e-kind: no chart under {service_dir}; pass --chart PATH")
        chart = charts[0]
    envs = tuple(getattr(args, "env", None) or (e for e in args.envs.split(",") if e))
    if unknown := sorted(set(envs) - set(ENVIRONMENTS)):
        raise SystemExit(f"e2e-kind: unknown environment(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(ENVIRONMENTS)}")  # fmt: skip
    helm_dir = service_dir / "deploy" / "helm"
    values = {env: value_layers(chart, helm_dir, env) for env in envs}
    secret_env: dict[str, tuple[str, str]] = {}
    for layers in values.values():
        for layer in layers:
            for var, ref in (
                (yaml.safe_load(layer.read_text()) or {}).get("secretEnv") or {}
            ).items():
                secret_env[var] = (ref["secretName"], ref["key"])
    return KindInputs(
        dependencies=ServiceInfo.from_dir(service_dir).dependencies,
        secret_env=secret_env,
        service=service,
        image=args.image or gates_image_ref(service),
        chart=chart,
        values_for_env=values,
        kind_config=args.kind_config or default_kind_config(),
    )


def _answer(url: str) -> str:
    """One GET through the port-forward: "200", "<status>: <body>", or the error."""
    try:
        resp = httpx.get(url, timeout=5)
    except httpx.HTTPError as exc:  # the forward may need a moment
        return repr(exc)
    return "200" if resp.status_code == 200 else f"{resp.status_code}: {resp.text[:200]}"


def _is_200(answer: str) -> bool:
    return answer == "200"


def _smoke(step: Step) -> None:
    """Start the port-forward, read its local port, GET each smoke path, stop it."""
    with subprocess.Popen(step.argv, stdout=subprocess.PIPE, text=True) as proc:
        try:
            if proc.stdout is None:
                raise RuntimeError("port-forward has no stdout")
            line = proc.stdout.readline()  # "Forwarding from 127.0.0.1:PORT -> 8000"
            match = re.search(r"127\.0\.0\.1:(\d+)", line)
            if not match:
                raise RuntimeError(f"port-forward did not report a port: {line!r}")
            base = f"http://127.0.0.1:{match.group(1)}"
            for path in step.smoke_paths:
                answered = poll(
                    partial(_answer, base + path), until=_is_200, timeout=30, interval=1
                )
                if not answered.reached:
                    raise RuntimeError(f"{path} never answered 200 in 30 s (last: {answered.last})")
                print(f"    {path}: 200", flush=True)
        finally:
            proc.terminate()


def execute(steps: list[Step]) -> None:
    """Run the plan; teardown steps always run."""
    try:
        for step in (s for s in steps if not s.teardown):
            print(f"==> {step.what}: {step.shell()}", flush=True)
            if step.smoke_paths:
                _smoke(step)
            else:
                subprocess.run(step.argv, check=True)
    finally:
        for step in (s for s in steps if s.teardown):
            print(f"==> {step.what}: {step.shell()}", flush=True)
            subprocess.run(step.argv, check=False)


def run(args: argparse.Namespace) -> int:
    steps = build_plan(inputs_from_args(args))
    # the plan is this command's data (`--json`: the envelope's `data.plan`)
    args.envelope_data = {
        "plan": [{"what": s.what, "argv": list(s.argv), "teardown": s.teardown} for s in steps]
    }
    print("e2e-kind plan:")
    for i, step in enumerate(steps, 1):
        print(f"  {i:2}. {'(finally) ' if step.teardown else ''}{step.what}\n      {step.shell()}")
    if args.plan_only:
        return ExitCode.OK
    reason = kind_unavailable_reason(args.kind_config or default_kind_config())
    if reason:
        print(
            f"\n{SKIP_BANNER}\n e2e-kind SKIPPED: {reason}.\n"
            " Nothing above was run. This is the one"
            f" gate allowed to skip under CI=true:\n kind cannot run on Slipway's build machines;"
            " the generated CI config runs it\n on runners that have kind and docker.\n"
            f"{SKIP_BANNER}",
            file=sys.stderr,
        )
        return ExitCode.OK
    if not args.image:
        build_gates_image(args.service_dir, _service_name(args.service_dir, args.service))
    execute(steps)
    print("e2e-kind: every environment installed, rolled out and answered its smoke test")
    return ExitCode.OK
