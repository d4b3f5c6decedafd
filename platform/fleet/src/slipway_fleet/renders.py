"""Reference renders: the template at one version with one member's answers.

Used to tell template files from member edits (drift, a deleted file the member had
edited, a file the member deleted). Cached on disk per (commit, answers) so a fleet
with a few distinct answer sets renders each version only a few times, and shared
by worker processes through a file lock.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from slipway_fleet.template_source import TemplateSource, file_lock

ANSWERS_FILE = ".copier-answers.yml"


class RenderError(RuntimeError):
    """The template could not be rendered at that version with those answers."""


def answers_data(answers: dict[str, Any]) -> dict[str, Any]:
    """The user answers only (copier's own `_src_path`, `_commit`... removed)."""
    return {k: v for k, v in answers.items() if not k.startswith("_")}


def render(source: TemplateSource, ref: str, answers: dict[str, Any], cache_root: Path) -> Path:
    """Folder holding the template rendered at `ref` with `answers` (cached)."""
    import copier  # noqa: PLC0415 - heavy import, only in worker processes

    commit = source.resolve(ref) or ref
    data = answers_data(answers)
    key = hashlib.sha256(
        json.dumps([source.url, commit, data], sort_keys=True, default=str).encode()
    ).hexdigest()[:20]
    target = cache_root / "renders" / key
    with file_lock(cache_root / "locks" / f"render-{key}"):
        if target.is_dir():
            return target
        scratch = Path(tempfile.mkdtemp(prefix="render-", dir=cache_root))
        try:
            copier.run_copy(
                str(source.clone),
                scratch / "out",
                data=data,
                vcs_ref=commit,
                defaults=True,
                overwrite=True,
                quiet=True,
                unsafe=True,
                skip_tasks=True,  # a reference render must not run the template's tasks
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            (scratch / "out").rename(target)
        except Exception as exc:
            raise RenderError(f"rendering the template at {ref} failed: {exc}") from exc
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return target


def files_of(folder: Path) -> dict[str, bytes]:
    """Relative path -> content of every file under `folder` (answers file excluded)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel != ANSWERS_FILE and not rel.startswith(".git/"):
            out[rel] = path.read_bytes()
    return out


def read_files(folder: Path, paths: list[str] | set[str]) -> dict[str, bytes]:
    """Content of those relative paths that exist under `folder` (others left out)."""
    out = {}
    for rel in paths:
        path = folder / rel
        if path.is_file():
            out[rel] = path.read_bytes()
    return out
