"""The pinned third-party distributions of a `uv.lock` (what a vulnerability scan checks)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Pin:
    """One locked distribution: normalised name (PEP 503) and exact version."""

    name: str
    version: str


def normalise(name: str) -> str:
    """PEP 503 normalisation: `PyYAML`, `pyyaml` and `py_yaml` are the same project."""
    return re.sub(r"[-_.]+", "-", name).lower()


class LockError(ValueError):
    """The lock file is missing or not a uv lock; the message says which and where."""


def find_lock(root: Path) -> Path:
    """<root>/uv.lock, else the workspace's, up to the git top (a monorepo service)."""
    root = root.resolve()
    for base in (root, *root.parents):
        if (base / "uv.lock").is_file():
            return base / "uv.lock"
        if (base / ".git").exists():
            break
    return root / "uv.lock"


def own_packages(lock: Path) -> set[str]:
    """The lock's local projects (workspace members, editable/path sources): not third-party."""
    if not lock.is_file():
        return set()
    data = tomllib.loads(lock.read_text())
    local_sources = {"editable", "virtual", "directory", "path"}
    return {
        normalise(pkg["name"])
        for pkg in data.get("package", [])
        if local_sources & set(pkg.get("source", {}))
    }


def read_pins(lock: Path) -> list[Pin]:
    """Registry-sourced packages of a uv.lock; workspace members are not on PyPI and skipped."""
    if not lock.is_file():
        raise LockError(f"{lock}: no such lock file (run `uv lock` first)")
    try:
        data = tomllib.loads(lock.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise LockError(f"{lock}: not valid TOML: {exc}") from exc
    packages = data.get("package")
    if not isinstance(packages, list):
        raise LockError(f"{lock}: no [[package]] tables: is this a uv.lock?")
    pins = set()
    for pkg in packages:
        source = pkg.get("source", {})
        if not ("registry" in source or "url" in source) or "version" not in pkg:
            continue  # editable/virtual/path/git: code of this repository, not a published pin
        pins.add(Pin(normalise(pkg["name"]), str(pkg["version"])))
    return sorted(pins)
