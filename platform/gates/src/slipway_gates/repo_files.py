"""Find the files a gate looks at: git's view of the tree when there is one.

git knows what is ignored (.venv, .nox, reports/...), so scans neither wander into
build artefacts nor miss an untracked file about to be committed.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
from pathlib import Path

_JINJA = re.compile(r"\{\{|\{%")
# Never scanned when git is not available to apply .gitignore.
_ALWAYS_SKIPPED = {".git", ".venv", ".nox", "node_modules", "__pycache__", ".terraform", "reports"}


def list_files(root: Path, *patterns: str) -> list[Path]:
    """Files under `root` matching any glob in `patterns` (all files if none), sorted."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        names = [n for n in out.split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = [
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file() and not _ALWAYS_SKIPPED.intersection(p.relative_to(root).parts)
        ]
    selected = [
        root / n
        for n in names
        if not patterns
        or any(fnmatch.fnmatch(n, pat) or fnmatch.fnmatch(Path(n).name, pat) for pat in patterns)
    ]
    return sorted(p for p in selected if p.is_file())


def is_template_source(path: Path) -> bool:
    """A file with Jinja markers is a template's source: its rendered output gets checked."""
    return bool(_JINJA.search(path.read_text(errors="replace")))


def dockerfiles(root: Path) -> list[Path]:
    """Every Dockerfile (`Dockerfile`, `*.Dockerfile`, `Dockerfile.*`), except templates.

    A file with Jinja markers is a template source, not a Dockerfile: what it
    renders to is checked in the rendered services instead.
    """
    return [
        p
        for p in list_files(root, "Dockerfile", "*.Dockerfile", "Dockerfile.*")
        if not p.name.endswith(".jinja") and not is_template_source(p)
    ]
