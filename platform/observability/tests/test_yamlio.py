"""YAML output: multi-line PromQL as block scalars, round-trip safe, no aliases."""

from __future__ import annotations

import yaml
from slipway_observability.yamlio import dump


def test_multiline_strings_are_blocks() -> None:
    text = dump({"expr": "sum(a)\n/\nsum(b)", "one": "line"})
    assert "expr: |-\n  sum(a)\n  /\n  sum(b)\n" in text
    assert "one: line" in text


def test_no_aliases_for_shared_objects() -> None:
    labels = {"service": "x"}
    text = dump([{"labels": labels}, {"labels": labels}])
    assert "&" not in text
    assert "*" not in text
    assert yaml.safe_load(text) == [{"labels": labels}, {"labels": labels}]
