"""Build the platform packages at a release version and upload them to the index.

The packages keep a static `version` in their pyproject (hatchling): the release
version is injected into a build copy instead of being computed from git by a
plugin, so a wheel's version is exactly the release tag it was built for, and
workspace dependencies (`slipway-chassis` in slipway-gates) are pinned to that
same release. Building and uploading are uv's own `uv build` and `uv publish`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from packaging.version import InvalidVersion, Version

from slipway_index.packages import PlatformPackage


class PublishError(RuntimeError):
    """A build or upload failed; the message says which and why."""


def release_version(text: str) -> str:
    """`text` as a normalized public PEP 440 version (a leading `v` is allowed)."""
    try:
        version = Version(text.removeprefix("v"))
    except InvalidVersion as exc:
        raise PublishError(f"{text!r} is not a PEP 440 version (e.g. 0.3.0)") from exc
    if version.local:
        raise PublishError(
            f"{text!r} has a local part (+...): an index release needs a public version"
        )
    return str(version)


def tag_at_head(root: Path) -> str:
    """The release tag on HEAD; PublishError if HEAD is not a release."""
    done = subprocess.run(
        ["git", "tag", "--points-at", "HEAD"],  # noqa: S607 - git from PATH, fixed argv
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    tags = []
    for tag in done.stdout.split():
        try:
            tags.append(release_version(tag))
        except PublishError:
            continue
    if not tags:
        raise PublishError(
            "HEAD carries no release tag: make one with `nox -s template-release -- X.Y.Z` "
            "or pass --version"
        )
    return str(max(tags, key=Version))


def versioned_pyproject(text: str, version: str) -> str:
    """The pyproject with `version` set and platform dependencies pinned to it."""
    text, n = re.subn(r'(?m)^version = "[^"]*"$', f'version = "{version}"', text, count=1)
    if n != 1:
        raise PublishError('no top-level `version = "..."` line in [project]')
    # Dependency list items naming a platform package: "slipway-x" -> "slipway-x==version".
    text = re.sub(r'(?m)^(\s+)"(slipway-[a-z0-9-]+)[^"]*"', rf'\1"\2=={version}"', text)
    # Workspace sources mean nothing outside the monorepo.
    return re.sub(r"(?ms)^\[tool\.uv\.sources\]\n.*?(?=^\[|\Z)", "", text)


def build_wheels(packages: list[PlatformPackage], version: str, out: Path) -> list[Path]:
    """One wheel per package at `version`, in `out`; returns the wheel paths."""
    version = release_version(version)
    out.mkdir(parents=True, exist_ok=True)
    wheels = []
    with tempfile.TemporaryDirectory(prefix="slipway-publish-") as tmp:
        for package in packages:
            copy = Path(tmp) / package.path.name
            shutil.copytree(package.path, copy, ignore=shutil.ignore_patterns(
                "tests", "bench", ".venv", "__pycache__", "*.pyc", "build", "dist"))  # fmt: skip
            pyproject = copy / "pyproject.toml"
            pyproject.write_text(versioned_pyproject(pyproject.read_text(), version))
            _uv("build", "--wheel", "--quiet", "--out-dir", str(copy / "dist"), str(copy))
            built = sorted((copy / "dist").glob("*.whl"))
            if len(built) != 1 or f"-{version}-" not in built[0].name:
                raise PublishError(f"{package.name}: expected one wheel at {version}, got {built}")
            wheels.append(Path(shutil.copy2(built[0], out)))
    return wheels


def upload(files: list[Path], url: str, username: str, password: str) -> None:
    """Upload with `uv publish`; an index that refuses a file (e.g. 409 exists) fails it."""
    # Credentials through uv's documented environment variables, not argv: a generated
    # password may start with "-" (argv would read it as an option) and argv is visible
    # to every process on the machine.
    credentials = {"UV_PUBLISH_USERNAME": username, "UV_PUBLISH_PASSWORD": password}
    _uv("publish", "--publish-url", url, *map(str, files), env=credentials)


def _uv(*args: str, env: dict[str, str] | None = None) -> str:
    uv = shutil.which("uv")
    if uv is None:
        raise PublishError("uv not found on PATH (pip install uv)")
    done = subprocess.run(  # noqa: S603
        [uv, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise PublishError(f"uv {' '.join(args)} failed:\n{done.stderr.strip()[-2000:]}")
    return done.stdout
