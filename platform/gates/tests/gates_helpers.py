"""Helpers shared by the slipway-gates tests (imported by name: not a conftest)."""

from __future__ import annotations

from pathlib import Path


def write_lock(path: Path, pins: dict[str, str]) -> Path:
    """A minimal uv.lock pinning `pins` from PyPI, plus one workspace member."""
    blocks = [
        'version = 1\nrequires-python = ">=3.11"\n',
        '[[package]]\nname = "my-service"\nversion = "0.1.0"\nsource = { editable = "." }\n',
    ]
    for name, version in pins.items():
        blocks.append(
            f'[[package]]\nname = "{name}"\nversion = "{version}"\n'
            'source = { registry = "https://pypi.org/simple" }\n'
        )
    path.write_text("\n".join(blocks))
    return path
