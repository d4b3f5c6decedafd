"""The locked wheelhouse: the only package source a service image installs from.

Layout (the Dockerfile contract in README.md):

    wheelhouse/requirements.txt   third-party pins from uv.lock, with hashes
    wheelhouse/deps/*.whl         those wheels, for the image's Python and platform
    wheelhouse/local/*.whl        the service and the workspace packages it uses

Images cannot reach PyPI (TLS interception), and air-gapped users need the same
path, so wheels are fetched on the host and installed with `--no-index`.
`pip download --only-binary` (uv has no download command) targets the image's
interpreter, not the host's, and checks every file against the lock's hashes.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from slipway_contract.runner import CommandError, run

from slipway_delivery.errors import DeliveryError, UsageError

# The image's interpreter: Debian 12 (glibc 2.36), CPython 3.11, x86_64. pip does
# not expand `--platform manylinux_2_36` to older glibc tags, so every compatible
# tag is listed (a wheel built for glibc 2.28 runs on 2.36).
IMAGE_PYTHON = "3.11"
IMAGE_GLIBC_MINOR = 36
IMAGE_PLATFORMS = (
    *(f"manylinux_2_{minor}_x86_64" for minor in range(IMAGE_GLIBC_MINOR, 16, -1)),
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
    "linux_x86_64",
)


@dataclass(frozen=True)
class Wheelhouse:
    """Where the wheelhouse was written and what it holds."""

    root: Path
    requirements: Path
    deps: list[Path]
    local: list[Path]


def _run(args: list[str], cwd: Path, what: str) -> str:
    try:
        return run(args, cwd=cwd).stdout
    except CommandError as exc:
        # pip's per-index "WARNING: Location ... is ignored" lines would bury the error.
        lines = (exc.output + exc.stderr).splitlines()
        detail = "\n".join(ln for ln in lines if not ln.startswith("WARNING:"))[-3000:]
        raise DeliveryError(
            f"{what} failed (exit {exc.returncode}): {' '.join(args)}\n{detail}"
        ) from None


def _uv() -> str:
    uv = shutil.which("uv")
    if uv is None:
        raise DeliveryError("uv not found on PATH: install it (pip install uv) to export uv.lock")
    return uv


def workspace_root(service_dir: Path) -> Path:
    """The folder whose uv.lock covers `service_dir`: the workspace root, or itself.

    uv writes local paths in an export relative to that folder.
    """
    for folder in (service_dir, *service_dir.parents):
        if (folder / "uv.lock").is_file():
            return folder
        if (folder / ".git").exists():
            break
    raise DeliveryError(f"--service-dir {service_dir}: no uv.lock here or in a parent (uv lock)")


def export_requirements(service_dir: Path) -> tuple[str, list[Path]]:
    """Third-party pins with hashes, and the local (workspace) packages to build."""
    uv = _uv()
    base = [uv, "export", "--frozen", "--no-dev", "--no-editable", "--project", str(service_dir)]
    # --emit-index-url: a standalone service's platform packages live on the platform's
    # private index ([[tool.uv.index]] slipway), so pip download must ask it too.
    pinned = _run(
        [*base, "--no-emit-workspace", "--no-header", "--emit-index-url"], service_dir, "uv export"
    )
    everything = _run([*base, "--no-hashes", "--no-header"], service_dir, "uv export")
    local: list[Path] = []
    root = workspace_root(service_dir)
    for line in everything.splitlines():
        entry = line.strip()
        if entry.startswith(("./", "../", "/", ".")):
            local.append((root / entry).resolve())
    if not local:
        local.append(service_dir.resolve())
    return pinned, sorted(set(local))


def require_project(service_dir: Path) -> Path:
    """`service_dir`, resolved, if it holds a pyproject.toml; a usage error otherwise."""
    service_dir = service_dir.resolve()
    if not (service_dir / "pyproject.toml").is_file():
        raise UsageError(f"--service-dir {service_dir}: no pyproject.toml there")
    return service_dir


def build_wheelhouse(service_dir: Path, out: Path | None = None) -> Wheelhouse:
    """Write the wheelhouse for `service_dir` (default `service_dir/wheelhouse`)."""
    service_dir = require_project(service_dir)
    root = (out or service_dir / "wheelhouse").resolve()
    if root.exists():
        shutil.rmtree(root)
    (root / "deps").mkdir(parents=True)
    (root / "local").mkdir()

    pinned, local_projects = export_requirements(service_dir)
    requirements = root / "requirements.txt"
    requirements.write_text(pinned)
    if any(line and not line.startswith(("#", " ", "--")) for line in pinned.splitlines()):
        platforms = [arg for p in IMAGE_PLATFORMS for arg in ("--platform", p)]
        _run(
            [
                sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                "--no-deps", "--only-binary=:all:", "--require-hashes",
                "--python-version", IMAGE_PYTHON, "--implementation", "cp", *platforms,
                "-d", str(root / "deps"), "-r", str(requirements),
            ],
            service_dir,
            "pip download of the locked wheels (a package without a wheel for "
            f"CPython {IMAGE_PYTHON} on Linux x86_64 cannot go into the image)",
        )  # fmt: skip
    for project in local_projects:
        # hatchling wheels are reproducible (fixed timestamps): an unchanged
        # package gives identical bytes, so BuildKit's COPY layer stays cached.
        _run(
            [_uv(), "build", "--wheel", "--quiet", "--out-dir", str(root / "local"), str(project)],
            service_dir,
            f"uv build --wheel {project}",
        )
    return Wheelhouse(
        root=root,
        requirements=requirements,
        deps=sorted((root / "deps").glob("*.whl")),
        local=sorted((root / "local").glob("*.whl")),
    )
