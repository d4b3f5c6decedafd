"""The gates' image comes from slipway-delivery's one build; its failures read as a gate's."""

from __future__ import annotations

from pathlib import Path

import pytest
from slipway_contract.runner import CommandError
from slipway_gates.e2e.image import build_gates_image, gates_image_ref


def test_the_gates_image_reference() -> None:
    assert gates_image_ref("orders-api") == "gates-orders-api:e2e"


def test_a_delivery_refusal_is_a_command_error_naming_the_image(tmp_path: Path) -> None:
    # delivery refuses a folder without pyproject.toml before any docker or uv call.
    with pytest.raises(CommandError) as caught:
        build_gates_image(tmp_path, "orders-api")
    assert str(caught.value) == (
        f"building gates-orders-api:e2e: --service-dir {tmp_path}: no pyproject.toml there"
    )
