"""orders-api's nox sessions: the same names and gates as the Slipway platform.

    nox                  # lint, typecheck, tests
    nox -s security      # checkov, SAST, dependency vulnerabilities, licences, secrets, hadolint
    nox -s load -- --users 50 --duration 60s
    nox -s e2e           # image + real dependencies + OTLP receiver + Prometheus
    nox -s e2e-kind      # the same on a kind cluster (where kind exists)
    nox -s drill         # recovery drill: backup, destroy, restore, consistency; RTO/RPO
    nox -s release -- --registry 127.0.0.1:5000

pyproject.toml is the single source of truth for dependencies: sessions install
from the lock with `uv sync`, choosing dependency groups, never their own pins.
"""

from __future__ import annotations

import os

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# testcontainers must not try to pull its Ryuk reaper image (air-gapped machines).
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")


def _sync(s: nox.Session, *groups: str) -> None:
    """Install this service from the lock, plus the named dependency groups."""
    args = ["uv", "sync", "--inexact"]
    if IN_CI:
        args.append("--locked")  # CI refuses a stale lock instead of re-resolving
    args += [f"--group={g}" for g in groups]
    s.run_install(*args, env={"UV_PROJECT_ENVIRONMENT": s.virtualenv.location}, silent=True)


@nox.session(tags=["ci"])
def lint(s: nox.Session) -> None:
    """Lint: ruff check, ruff format --check, yamllint."""
    _sync(s, "lint")
    s.run("ruff", "check", ".")
    s.run("ruff", "format", "--check", ".")
    s.run("yamllint", "--strict", ".")


@nox.session(tags=["ci"])
def typecheck(s: nox.Session) -> None:
    """Type-check the service with mypy."""
    _sync(s, "typecheck", "test")
    s.run("mypy", "src", *s.posargs)


@nox.session(tags=["ci"])
def tests(s: nox.Session) -> None:
    """Unit tests, then integration tests against real containers (posargs pass through)."""
    _sync(s, "test")
    s.run("pytest", *(s.posargs or ["tests/unit", "tests/integration"]))


@nox.session(tags=["ci"])
def security(s: nox.Session) -> None:
    """Security gates: checkov, SAST, vulnerabilities, licences, secrets, hadolint."""
    _sync(s, "gates")
    s.run("slipway-gates", "security", "--root", ".", *s.posargs)


@nox.session(tags=["ci"])
def load(s: nox.Session) -> None:
    """Locust against the running service, judged by slo.yaml's `load:` block."""
    _sync(s, "gates")
    s.run("slipway-gates", "load", "--service-dir", ".", *s.posargs)


@nox.session(tags=["ci"])
def e2e(s: nox.Session) -> None:
    """End-to-end on Docker: image, real dependencies, OTLP receiver, Prometheus."""
    _sync(s, "gates")
    s.run("slipway-gates", "e2e", "--service-dir", ".", *s.posargs)


@nox.session
def drill(s: nox.Session) -> None:
    """Recovery drill: backup, destroy, restore (full + point in time), consistency; RTO/RPO."""
    _sync(s, "test")
    s.run("python", "drill/recovery.py", *s.posargs)


@nox.session(name="e2e-kind")
def e2e_kind(s: nox.Session) -> None:
    """End-to-end on a kind cluster, per environment namespace (needs docker + kind)."""
    _sync(s, "gates")
    chart = ["--chart", "../../helm/slipway-service"]  # the platform chart, in this monorepo
    s.run("slipway-gates", "e2e-kind", "--service-dir", ".", *chart, *s.posargs)


@nox.session
def release(s: nox.Session) -> None:
    """Build the image from the locked wheelhouse, SBOM, scan, push, smoke-test by digest."""
    _sync(s, "delivery")
    s.run(
        "slipway-release",
        "run",
        "--service-dir",
        ".",
        *(s.posargs or ["--registry", "127.0.0.1:5000", "--push"]),
        "--smoke-route",
        "/items",
    )
