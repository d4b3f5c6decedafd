"""Move a member between two reference renders by a per-file three-way merge.

copier refuses downgrades, so `--allow-downgrade` applies the difference between
the template at the member's version (base) and at the target (theirs) to the
member's files (ours) itself, with `git merge-file` (conflict markers like copier's
`conflict="inline"`). Files the member deleted or edited where the target deletes
them are left to `apply_release.keep_member_files`.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from slipway_fleet.gitcmd import git


def merge_renders(sub: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    """Bring `sub` from render `old` to render `new`, keeping the member's edits."""
    for rel in sorted(set(old) | set(new)):
        path = sub / rel
        ours = path.read_bytes() if path.is_file() else None
        base, theirs = old.get(rel), new.get(rel)
        if theirs is None:
            if ours is not None and ours == base:
                path.unlink()  # the target does not have it and the member never edited it
            continue
        if ours is None:
            if base is None:  # new in the target; a file the member deleted stays deleted
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(theirs)
            continue
        if ours in (theirs, base):
            path.write_bytes(theirs if ours == base else ours)
            continue
        path.write_bytes(_merge_file(ours, base or b"", theirs))


def _merge_file(ours: bytes, base: bytes, theirs: bytes) -> bytes:
    with tempfile.TemporaryDirectory(prefix="slipway-merge-") as tmp:
        files = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            (Path(tmp) / name).write_bytes(data)
            files.append(str(Path(tmp) / name))
        labels = ["-L", "before updating", "-L", "base", "-L", "after updating"]
        return git("merge-file", "-p", *labels, *files, check=False).encode()


def set_answers_commit(sub: Path, answers_file: str, tag: str) -> None:
    """Record the release the member is now on (copier's `_commit`)."""
    path = sub / answers_file
    path.write_text(re.sub(r"(?m)^_commit: .*$", f"_commit: {tag}", path.read_text()))
