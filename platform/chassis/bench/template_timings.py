"""The template's timings for the bench table: generate, test, build, rebuild, size, start.

Reuses the steps of `tests/template/demo.py` (`nox -s demo`) so the bench measures
exactly what the demo shows: a fresh http-api service rendered with copier into a
temporary copy of the workspace, locked with uv, its generated unit tests run, its
image built from the locked wheelhouse (cold, then warm after a code-only change),
its size compared with the base image, and the time from `docker run` to the
first 200 from `/readyz`. Figures and ratios only: nothing here asserts a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "template"))

import demo  # noqa: E402  (tests/template/demo.py)
from slipway_delivery.imagebuild import build_image  # noqa: E402
from slipway_delivery.wheelhouse import build_wheelhouse  # noqa: E402
from template_rendering import render, template_snapshot  # noqa: E402

SERVICE = "bench-api"
T = TypeVar("T")


@dataclass(frozen=True)
class Figure:
    """One measured figure, optionally with a ratio and the issue's reference target."""

    measure: str
    value: float
    unit: str
    ratio: float | None = None
    ratio_means: str = ""
    reference: str = ""


def _timed(step: str, fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"[template] {step}: {seconds:.1f}s", flush=True)
    return result, seconds


def _base_image_size() -> int:
    inspect = ["docker", "image", "inspect", "-f", "{{.Size}}", demo.BASE_IMAGE]
    done = subprocess.run(inspect, capture_output=True, text=True, check=True)  # noqa: S603
    return int(done.stdout)


def _unit_tests(service: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(service / "src")}
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit"],
        cwd=service, env=env, check=True, capture_output=True,
    )  # fmt: skip


def _build(service: Path, tag: str, *, cold: bool) -> tuple[str, float, int]:
    """demo.build, but the cold build ignores BuildKit's cache (every layer rebuilt)."""
    if not cold:
        return demo.build(service, tag)  # type: ignore[no-any-return]
    build_wheelhouse(service)
    built = build_image(
        service, f"{demo.IMAGE_REPOSITORY}/{service.name}", [tag], base_image=demo.BASE_IMAGE,
        no_cache=True,
    )  # fmt: skip
    return built.refs[0], built.seconds, built.size_bytes


def _first_request_seconds(image: str) -> float:
    started = time.perf_counter()
    with demo.running(image, SERVICE) as (_container, base):
        demo.first_success(f"{base}/readyz")
        return time.perf_counter() - started


def measure() -> list[Figure]:
    """Run every step once; returns the figures in table order."""
    images: list[str] = []
    with tempfile.TemporaryDirectory(prefix="slipway-bench-template-") as tmp:
        ws = demo.workspace(Path(tmp))
        answers = {"service_name": SERVICE, "service_kind": "http-api", "repo_mode": "monorepo"}
        src = template_snapshot(Path(tmp) / "template")
        service, copy_s = _timed(
            "copier copy", lambda: render(src, ws / "services" / SERVICE, answers)
        )
        lock = ["uv", "lock", "--quiet"]  # fixed argvs throughout, no shell, no outside input
        _, lock_s = _timed("uv lock", lambda: subprocess.run(lock, cwd=ws, check=True))  # noqa: S603
        _, unit_s = _timed("generated unit tests", lambda: _unit_tests(service))
        try:
            (image, cold_docker_s, size), cold_s = _timed(
                "cold build (wheelhouse + docker build --no-cache)",
                lambda: _build(service, "0.1.0", cold=True),
            )
            images.append(image)
            first_s = _first_request_seconds(image)
            print(f"[template] docker run -> first /readyz 200: {first_s:.1f}s", flush=True)
            routes = service / "src" / SERVICE.replace("-", "_") / "routes.py"
            routes.write_text(routes.read_text() + "\n# a code-only change\n")
            (warm_image, warm_docker_s, _), warm_total_s = _timed(
                "warm rebuild (wheelhouse + docker build)",
                lambda: _build(service, "0.1.1", cold=False),
            )
            images.append(warm_image)
        finally:
            for ref in images:
                rmi = ["docker", "rmi", ref]
                subprocess.run(rmi, check=False, capture_output=True)  # noqa: S603
    base = _base_image_size()
    return [
        Figure("copier copy (render a new service)", copy_s, "s"),
        Figure("uv lock of the generated service", lock_s, "s"),
        Figure("generated unit tests", unit_s, "s", reference="< 20 s (issue 7)"),
        Figure("cold image build, no cache (wheelhouse + docker build)", cold_s, "s"),
        Figure("cold image build, no cache (docker build)", cold_docker_s, "s"),
        Figure(
            "warm rebuild after a code-only change (docker build)", warm_docker_s, "s",
            ratio=warm_docker_s / cold_docker_s, ratio_means="x cold docker build",
            reference="< 10 s (issue 4)",
        ),
        Figure(
            "warm rebuild incl. wheelhouse", warm_total_s, "s",
            ratio=warm_total_s / cold_s, ratio_means="x cold build",
        ),
        Figure("image size", size / 1e6, "MB", ratio=size / base, ratio_means="x base image"),
        Figure(
            "image size over the base", (size - base) / 1e6, "MB",
            reference="base + <= 80 MB (issue 4)",
        ),
        Figure("docker run -> first /readyz 200", first_s, "s"),
    ]  # fmt: skip
