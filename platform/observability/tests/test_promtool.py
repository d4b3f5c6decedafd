"""The promtool wrapper: clear error when the binary is missing, real exit status."""

from __future__ import annotations

from pathlib import Path

import pytest
from slipway_observability import promtool


def test_missing_tool_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(promtool.ToolMissingError, match=r"promtool is not on PATH.*provision"):
        promtool.check_rules(Path("rules.yml"))


@pytest.mark.requires("promtool")
def test_invalid_rules_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("groups:\n- name: g\n  rules:\n  - record: x\n    expr: sum(\n")
    result = promtool.check_rules(bad)
    assert not result.ok
    assert "parse" in result.output
