"""The repository's shape: top-level folders documented, packages in the workspace."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL_FOLDERS = ["template", "services", "platform", "terraform", "helm", "scripts", "tests"]
TOP_LEVEL_FILES = ["noxfile.py", "copier.yml", "README.md", "pyproject.toml", "uv.lock"]


def _workspace() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]


def _members() -> set[Path]:
    ws = _workspace()
    excluded = {(ROOT / e).resolve() for e in ws.get("exclude", [])}
    found: set[Path] = set()
    for pattern in ws["members"]:
        # uv treats only directories matched by a member glob as members.
        found |= {
            p.resolve() for p in ROOT.glob(pattern) if p.is_dir() and p.resolve() not in excluded
        }
    return found


@pytest.mark.parametrize("folder", TOP_LEVEL_FOLDERS)
def test_top_level_folder_has_readme(folder: str) -> None:
    readme = ROOT / folder / "README.md"
    assert readme.is_file(), f"{folder}/ needs a README.md saying what lives there"
    text = readme.read_text()
    assert len(text.split()) >= 20, f"{folder}/README.md is too short to say what lives there"


@pytest.mark.parametrize("name", TOP_LEVEL_FILES)
def test_top_level_file_exists(name: str) -> None:
    assert (ROOT / name).is_file(), f"{name} is missing at the repository root"


def _python_packages() -> list[Path]:
    """Every folder under platform/ and services/ that is a Python package."""
    return sorted(
        p.parent.resolve()
        for base in ("platform", "services")
        for p in (ROOT / base).glob("*/pyproject.toml")
    )


def test_every_python_package_is_a_workspace_member() -> None:
    members = _members()
    packages = _python_packages()
    assert packages, "expected at least one package under platform/ or services/"
    missing = [str(p.relative_to(ROOT)) for p in packages if p not in members]
    assert not missing, f"packages not in [tool.uv.workspace] members: {missing}"


def test_every_workspace_member_is_a_package() -> None:
    not_packages = [
        str(m.relative_to(ROOT)) for m in _members() if not (m / "pyproject.toml").is_file()
    ]
    assert not not_packages, (
        f"workspace members without pyproject.toml (add to exclude): {not_packages}"
    )


def test_no_package_shadows_the_standard_library() -> None:
    """Nothing importable as `platform` or `logging` may exist in the workspace."""
    offenders = [
        str(p.relative_to(ROOT))
        for base in ("platform", "services")
        for name in ("platform", "logging")
        for p in (ROOT / base).glob(f"*/src/**/{name}")
        if p.is_dir() or p.with_suffix(".py").exists()
    ]
    offenders += [
        str(p.relative_to(ROOT))
        for p in (ROOT / "platform").glob("*/src/*")
        if p.name in {"platform", "platform.py", "logging", "logging.py"}
    ]
    assert not offenders, f"these would shadow the standard library: {offenders}"
    assert not (ROOT / "platform" / "__init__.py").exists(), "platform/ must not be a package"
