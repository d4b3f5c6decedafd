"""`nox -s demo`: generate a new service, build its image, start it, call it.

    python tests/template/demo.py [--name demo-api] [--kind http-api] [--bench]

1. `copier copy` a fresh service (monorepo mode) into a temporary copy of the
   workspace's packages, and lock it (`uv lock`: versions follow the repo's lock);
2. write its locked wheelhouse and build its image with BuildKit (slipway-delivery);
3. start the container (read-only root filesystem, UID 10001, loopback port);
4. call /readyz and the example endpoint, print one JSON log line with its trace_id;
5. print the wall time from the command to the first successful request; clean up.

`--bench` also times a warm rebuild after a code-only change, the generated
unit tests, and compares the image size with the base image.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from slipway_delivery.imagebuild import build_image
from slipway_delivery.wheelhouse import build_wheelhouse
from template_rendering import ROOT, render, template_snapshot

BASE_IMAGE = os.environ.get("SLIPWAY_BASE_IMAGE", "slipway/python-base:bookworm")
IMAGE_REPOSITORY = "template-demo"  # local only, never pushed; prefixed with the area


@dataclass
class Clock:
    """Phase timings relative to one start."""

    started: float = field(default_factory=time.perf_counter)
    phases: list[tuple[str, float]] = field(default_factory=list)

    def mark(self, phase: str) -> float:
        now = time.perf_counter() - self.started
        self.phases.append((phase, now))
        print(f"[demo] {now:6.1f}s  {phase}", flush=True)
        return now


def workspace(tmp: Path) -> Path:
    """A copy of the uv workspace's packages (no tests), with the root pyproject and lock."""
    ws = tmp / "ws"
    (ws / "services").mkdir(parents=True)
    shutil.copy2(ROOT / "pyproject.toml", ws / "pyproject.toml")
    shutil.copy2(ROOT / "uv.lock", ws / "uv.lock")  # preferences: same versions as the repo
    skip = shutil.ignore_patterns("tests", "bench", "__pycache__", ".venv", "*.egg-info")
    for package in sorted((ROOT / "platform").glob("*/pyproject.toml")):
        shutil.copytree(package.parent, ws / "platform" / package.parent.name, ignore=skip)
    return ws


def generate(ws: Path, name: str, kind: str) -> Path:
    """Render the fresh service into the workspace and lock it."""
    answers = {"service_name": name, "service_kind": kind, "repo_mode": "monorepo"}
    service = render(template_snapshot(ws.parent / "template"), ws / "services" / name, answers)
    subprocess.run(["uv", "lock", "--quiet"], cwd=ws, check=True)
    return service


def build(service: Path, tag: str) -> tuple[str, float, int]:
    """Wheelhouse + BuildKit build; returns (image ref, build seconds, size bytes)."""
    build_wheelhouse(service)
    built = build_image(service, f"{IMAGE_REPOSITORY}/{service.name}", [tag], base_image=BASE_IMAGE)
    return built.refs[0], built.seconds, built.size_bytes


@contextlib.contextmanager
def running(image: str, name: str) -> Iterator[tuple[str, str]]:
    """Run the image hardened as the chart runs it; yields (container id, base URL)."""
    hardening = ["--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL"]
    hardening += ["--security-opt", "no-new-privileges"]
    container = subprocess.run(
        ["docker", "run", "-d", "--name", f"template-demo-{name}-{os.getpid()}", *hardening,
         "-e", "APP_ENV=dev", "-p", "127.0.0.1::8000", image],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    try:
        port = (
            subprocess.run(
                ["docker", "port", container, "8000/tcp"],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.split()[0]
            .rsplit(":", 1)[1]
        )
        yield container, f"http://127.0.0.1:{port}"
    finally:
        subprocess.run(["docker", "rm", "-f", container], check=False, capture_output=True)


def first_success(url: str, timeout: float = 120) -> None:
    """Poll until `url` answers 200."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise SystemExit(f"demo: {url} did not answer 200 within {timeout:.0f}s")
        time.sleep(0.05)


def call_example(base: str, kind: str) -> httpx.Response:
    """The example endpoint: create an item (http-api) or enqueue a message (worker)."""
    if kind == "http-api":
        body = {"name": "blue mug", "quantity": 2, "unit_price": "9.50"}
        response = httpx.post(f"{base}/items", json=body, timeout=10)
        if response.status_code == 201:
            httpx.get(f"{base}/items/{response.json()['id']}", timeout=10).raise_for_status()
        return response
    return httpx.post(f"{base}/messages", json={"order_id": "demo-1", "amount": "9.50"}, timeout=10)


def traced_log_line(container: str) -> dict[str, object]:
    """The first JSON log line of the container that carries a trace_id."""
    logs = subprocess.run(["docker", "logs", container], capture_output=True, text=True, check=True)
    for line in (logs.stdout + logs.stderr).splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict) and entry.get("trace_id"):
                return entry
    raise SystemExit("demo: no JSON log line with a trace_id in the container's logs")


def bench(service: Path, image: str, base_size: int, size: int) -> None:
    """Warm rebuild after a code-only change, unit tests, image size against the base."""
    routes = service / "src" / service.name.replace("-", "_") / "routes.py"
    routes.write_text(routes.read_text() + "\n# a code-only change\n")
    _, warm_seconds, _ = build(service, "0.1.1")
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(service / "src")}
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit"],
                   cwd=service, env=env, check=True, capture_output=True)  # fmt: skip
    unit_seconds = time.perf_counter() - started
    print(
        f"[bench] warm image rebuild after a code-only change: {warm_seconds:.1f}s (target < 10s)"
    )
    print(f"[bench] generated unit tests: {unit_seconds:.1f}s (target < 20s)")
    extra = (size - base_size) / 1e6
    print(f"[bench] image {size / 1e6:.0f} MB = base {base_size / 1e6:.0f} MB + {extra:.0f} MB")
    print("[bench]   (target: base + at most 80 MB)")
    subprocess.run(
        ["docker", "rmi", f"{IMAGE_REPOSITORY}/{service.name}:0.1.1"],
        check=False,
        capture_output=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--name", default="demo-api", help="service name (DNS-1123 label)")
    parser.add_argument("--kind", default="http-api", choices=["http-api"], help="service kind")
    parser.add_argument("--bench", action="store_true", help="also time rebuild, unit tests, size")
    args = parser.parse_args(argv)
    clock = Clock()
    with tempfile.TemporaryDirectory(prefix="slipway-demo-") as tmp:
        ws = workspace(Path(tmp))
        service = generate(ws, args.name, args.kind)
        clock.mark(f"generated and locked services/{args.name} (copier copy + uv lock)")
        image, seconds, size = build(service, "0.1.0")
        clock.mark(f"built {image} from the locked wheelhouse (docker build {seconds:.1f}s)")
        try:
            with running(image, args.name) as (container, base):
                first_success(f"{base}/readyz")
                first = clock.mark(f"first successful request: GET {base}/readyz -> 200")
                response = call_example(base, args.kind)
                if response.status_code not in {201, 202}:
                    raise SystemExit(
                        f"demo: example endpoint answered {response.status_code}: {response.text}"
                    )
                clock.mark(f"example endpoint -> {response.status_code} {response.text}")
                print(json.dumps(traced_log_line(container)))
            print(
                f"[demo] wall time from the command to the first successful request: {first:.1f}s"
            )
            if args.bench:
                inspect = ["docker", "image", "inspect", "-f", "{{.Size}}", BASE_IMAGE]
                size_out = subprocess.run(inspect, capture_output=True, text=True, check=True)
                base_size = int(size_out.stdout)
                bench(service, image, base_size, size)
        finally:
            subprocess.run(["docker", "rmi", image], check=False, capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
