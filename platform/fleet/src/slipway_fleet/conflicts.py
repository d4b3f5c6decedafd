"""Find what a `copier update` could not merge: inline markers and `.rej` files.

copier exits 0 when it leaves conflicts behind, so the tool must look itself.
"""

from __future__ import annotations

from pathlib import Path

_OPEN = b"<<<<<<< "
_CLOSE = b">>>>>>> "


def has_markers(path: Path) -> bool:
    """True when the file holds a complete `<<<<<<< ... >>>>>>>` conflict block."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    opened = False
    for line in data.splitlines():
        if line.startswith(_OPEN):
            opened = True
        elif opened and line.startswith(_CLOSE):
            return True
    return False


def conflicted_files(root: Path, candidates: list[str]) -> list[str]:
    """Candidates (relative to `root`) that are rejects or contain conflict markers."""
    out = []
    for rel in candidates:
        if rel.endswith(".rej") or has_markers(root / rel):
            out.append(rel)
    return sorted(set(out))
