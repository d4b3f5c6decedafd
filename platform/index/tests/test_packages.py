"""The platform packages a service needs, found in the real workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from slipway_index.packages import platform_closure, workspace_packages

ROOT = Path(__file__).resolve().parents[3]


def test_closure_holds_what_the_template_names_and_their_platform_dependencies_first() -> None:
    names = [p.name for p in platform_closure(ROOT)]
    assert {"slipway-chassis", "slipway-gates", "slipway-delivery"} <= set(names)
    packages = workspace_packages(ROOT)
    for position, name in enumerate(names):
        for dep in packages[name].platform_dependencies:
            assert dep in names[:position], f"{dep} must be published before {name}"
    assert "slipway-index" not in names, "a service never imports the index tooling"


def test_unknown_root_is_named() -> None:
    with pytest.raises(KeyError, match="slipway-nope"):
        platform_closure(ROOT, ("slipway-nope",))
