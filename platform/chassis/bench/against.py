"""The sides of a comparison run: this checkout, and another git ref built to bench against.

`run.py --against REF` measures REF's chassis in the same rounds as this checkout's,
variant by variant, so a shared machine's drift hits both alike. REF is checked out
as a detached `git worktree` in a temporary folder with its own venv synced from
*its* uv.lock (`uv sync --frozen`): REF's chassis, REF's bench apps and REF's
locked libraries, i.e. that commit as it was. Each side's ratios are to its own
bare FastAPI app, measured in the same rounds. The worktree is removed on exit.

Only variants both sides define are compared (older refs have fewer rows).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from slipway_contract.runner import CommandError, run

BENCH_DIR = Path("platform/chassis/bench")  # relative to a checkout's root
# What each side's bench_apps.VARIANTS holds, asked from that side's interpreter
# (two versions of bench_apps cannot be imported into one process). Refs older
# than the "as serve() runs it" row have no `http` field: they ran httptools.
_LIST_VARIANTS = """
import json, sys
sys.path.insert(0, sys.argv[1])
from bench_apps import VARIANTS
print(json.dumps({n: [v.label, getattr(v, "http", "httptools")] for n, v in VARIANTS.items()}))
"""


@dataclass(frozen=True)
class Side:
    """One chassis under test: its interpreter, its bench apps, the variants it has."""

    name: str  # "HEAD" or the ref as given, with its short commit
    python: Path
    bench_dir: Path
    variants: dict[str, tuple[str, str]]  # name -> (label, http: "httptools" | "guarded")


def side(name: str, python: Path, bench_dir: Path) -> Side:
    """A Side whose variants `python` reads from the bench apps module in `bench_dir`."""
    listed = run([str(python), "-c", _LIST_VARIANTS, str(bench_dir)], timeout=120)
    variants = {n: (label, http) for n, (label, http) in json.loads(listed.stdout).items()}
    return Side(name, python, bench_dir, variants)


def this_checkout(bench_dir: Path) -> Side:
    """The side being measured: the running interpreter and this checkout's bench apps."""
    return side("HEAD", Path(sys.executable), bench_dir)


def resolve_commit(ref: str, repo_root: Path) -> str:
    """REF's commit id; ValueError (a usage error) when REF names no commit."""
    try:
        return run(
            ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=repo_root
        ).stdout.strip()
    except CommandError as exc:
        raise ValueError(
            f"--against {ref}: not a commit in {repo_root} (give a tag, branch or commit id)"
        ) from exc


@contextmanager
def checkout(ref: str, commit: str, repo_root: Path) -> Iterator[Side]:
    """REF (at `commit`) as a temporary worktree with its own synced venv; removed after."""
    folder = Path(tempfile.mkdtemp(prefix="slipway-bench-against-"))
    tree = folder / "tree"
    run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=repo_root)
    try:
        if not (tree / BENCH_DIR / "bench_apps.py").is_file():
            raise SystemExit(f"--against {ref}: {BENCH_DIR}/bench_apps.py does not exist there")
        venv = tree / ".venv"
        print(f"--against {ref}: syncing {commit[:9]}'s venv from its uv.lock ...", flush=True)
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        env["UV_PROJECT_ENVIRONMENT"] = str(venv)
        # --frozen: the ref's lock as committed, never re-resolved against today's index.
        run(["uv", "sync", "--all-packages", "--group", "bench", "--frozen"], cwd=tree,
            env=env, timeout=900)  # fmt: skip
        yield side(f"{ref} ({commit[:7]})", venv / "bin" / "python", tree / BENCH_DIR)
    finally:
        run(["git", "worktree", "remove", "--force", str(tree)], cwd=repo_root, check=False)
        shutil.rmtree(folder, ignore_errors=True)
