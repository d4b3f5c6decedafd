"""Publishing: the platform packages built at a release version, uploaded once, never twice."""

from __future__ import annotations

import urllib.request
import zipfile
from pathlib import Path

import pytest
from slipway_index.packages import platform_closure
from slipway_index.publish import (
    PublishError,
    build_wheels,
    release_version,
    upload,
    versioned_pyproject,
)
from slipway_index.server import IndexServer

from conftest import PASSWORD, USER

ROOT = Path(__file__).resolve().parents[3]

PYPROJECT = """[project]
name = "slipway-gates"
version = "0.1.0"
dependencies = [
  "slipway-observability",  # slo.yaml parsing
  "slipway-chassis>=0.1",
  "pyyaml>=6",
]
[tool.uv.sources]
slipway-observability = { workspace = true }

[build-system]
requires = ["hatchling"]
"""


def test_versioned_pyproject_sets_the_version_and_pins_platform_dependencies() -> None:
    text = versioned_pyproject(PYPROJECT, "1.2.3")
    assert 'version = "1.2.3"' in text
    assert 'name = "slipway-gates"' in text
    assert '"slipway-observability==1.2.3",  # slo.yaml parsing' in text
    assert '"slipway-chassis==1.2.3",' in text
    assert '"pyyaml>=6",' in text
    assert "tool.uv.sources" not in text
    assert "[build-system]" in text


@pytest.mark.parametrize("bad", ["latest", "1.0+local", ""])
def test_release_version_refuses_what_an_index_cannot_serve(bad: str) -> None:
    with pytest.raises(PublishError, match="version"):
        release_version(bad)


def test_release_version_accepts_a_tag() -> None:
    assert release_version("v0.3.0") == "0.3.0"


@pytest.mark.requires("uv")
def test_publish_the_closure_then_a_second_upload_is_refused(
    index: IndexServer, tmp_path: Path
) -> None:
    packages = platform_closure(ROOT)
    wheels = build_wheels(packages, "7.7.7", tmp_path / "wheels")
    assert [w.name.split("-")[0] for w in wheels] == [p.name.replace("-", "_") for p in packages]
    upload(wheels, index.url, USER, PASSWORD)
    for package in packages:
        with urllib.request.urlopen(f"{index.simple_url}{package.name}/", timeout=10) as page:  # noqa: S310
            assert "-7.7.7-py3-none-any.whl" in page.read().decode()
    gates = next(w for w in wheels if w.name.startswith("slipway_gates-"))
    with zipfile.ZipFile(gates) as wheel:
        metadata = wheel.read("slipway_gates-7.7.7.dist-info/METADATA").decode()
    assert "Requires-Dist: slipway-chassis==7.7.7" in metadata

    with pytest.raises(PublishError, match=r"409|[Cc]onflict|already exists"):
        upload(wheels[:1], index.url, USER, PASSWORD)
    with pytest.raises(PublishError, match=r"40[13]|[Uu]nauthori|[Ff]orbidden"):
        upload(wheels[:1], index.url, USER, "wrong-password")
