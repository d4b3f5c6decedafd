"""Which lock covers a service: its own (standalone) or the workspace root's."""

from __future__ import annotations

from pathlib import Path

import pytest
from delivery_helpers import FIXTURE_SERVICE, REPO_ROOT
from slipway_delivery.errors import DeliveryError
from slipway_delivery.wheelhouse import IMAGE_PLATFORMS, workspace_root


def test_standalone_project_is_its_own_root() -> None:
    assert workspace_root(FIXTURE_SERVICE) == FIXTURE_SERVICE


def test_workspace_member_resolves_to_the_workspace_root() -> None:
    assert workspace_root(REPO_ROOT / "platform" / "delivery") == REPO_ROOT


def test_no_lock_is_an_actionable_error(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    with pytest.raises(DeliveryError, match=r"no uv.lock here or in a parent \(uv lock\)"):
        workspace_root(tmp_path)


def test_every_glibc_tag_up_to_the_image_is_accepted() -> None:
    # pip does not expand manylinux_2_36 downwards: wheels tagged 2_28 must still match.
    assert "manylinux_2_28_x86_64" in IMAGE_PLATFORMS
    assert "manylinux_2_17_x86_64" in IMAGE_PLATFORMS
    assert "manylinux_2_37_x86_64" not in IMAGE_PLATFORMS
