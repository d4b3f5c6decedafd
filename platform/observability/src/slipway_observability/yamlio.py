"""YAML output that humans can review: block scalars for multi-line PromQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class _ReadableDumper(yaml.SafeDumper):  # type: ignore[misc] # untyped without types-PyYAML
    """SafeDumper that writes multi-line strings as `|` blocks and never uses aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReadableDumper.add_representer(str, _str)


def dump(data: Any) -> str:
    """YAML text with keys in insertion order."""
    return str(yaml.dump(data, Dumper=_ReadableDumper, sort_keys=False, width=100))


def write(data: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(data), encoding="utf-8")
    return path
