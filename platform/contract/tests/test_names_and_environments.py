from __future__ import annotations

import pytest
from slipway_contract.environments import ENVIRONMENTS, check_environment
from slipway_contract.names import is_dns1123_label


@pytest.mark.parametrize("name", ["orders-api", "a", "a1", "x" * 63])
def test_dns1123_accepts(name: str) -> None:
    assert is_dns1123_label(name)


@pytest.mark.parametrize("name", ["", "Orders", "-a", "a-", "a_b", "a.b", "x" * 64])
def test_dns1123_refuses(name: str) -> None:
    assert not is_dns1123_label(name)


def test_environments_in_promotion_order() -> None:
    assert ENVIRONMENTS == ("dev", "qa", "stage", "prod")
    assert check_environment("qa") == "qa"
    with pytest.raises(ValueError, match="choose one of dev, qa, stage, prod"):
        check_environment("production")
