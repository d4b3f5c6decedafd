"""Which platform packages a service needs: the closure over `slipway-*` dependencies.

A service depends on slipway-chassis (runtime) and on slipway-gates and
slipway-delivery (its `gates` and `delivery` dependency groups); those pull in
other workspace packages (observability). All of them must be on the index.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

# What the template's pyproject names (template/pyproject.toml).
SERVICE_ROOTS = ("slipway-chassis", "slipway-gates", "slipway-delivery")
_NAME = re.compile(r"^\s*(slipway-[a-z0-9-]+)")


@dataclass(frozen=True)
class PlatformPackage:
    name: str
    path: Path
    platform_dependencies: tuple[str, ...]


def workspace_packages(root: Path) -> dict[str, PlatformPackage]:
    """Every `platform/*/pyproject.toml` package, by distribution name."""
    found: dict[str, PlatformPackage] = {}
    for pyproject in sorted((root / "platform").glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        deps = tuple(m.group(1) for d in project.get("dependencies", []) if (m := _NAME.match(d)))
        found[project["name"]] = PlatformPackage(project["name"], pyproject.parent, deps)
    return found


def platform_closure(root: Path, roots: tuple[str, ...] = SERVICE_ROOTS) -> list[PlatformPackage]:
    """`roots` and every platform package they depend on, dependencies first."""
    packages = workspace_packages(root)
    ordered: list[PlatformPackage] = []

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name not in packages:
            raise KeyError(
                f"{name} (needed by {' -> '.join(chain) or 'a service'}) is not under platform/"
            )
        if any(p.name == name for p in ordered):
            return
        for dep in packages[name].platform_dependencies:
            visit(dep, (*chain, name))
        ordered.append(packages[name])

    for name in roots:
        visit(name, ())
    return ordered
