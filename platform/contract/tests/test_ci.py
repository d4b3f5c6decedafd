from __future__ import annotations

import pytest
from slipway_contract.ci import in_ci


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes"])
def test_ci_values(value: str) -> None:
    assert in_ci({"CI": value})


@pytest.mark.parametrize("environ", [{}, {"CI": ""}, {"CI": "false"}, {"CI": "0"}])
def test_not_ci(environ: dict[str, str]) -> None:
    assert not in_ci(environ)
