"""Rendering helpers shared by the template tests (and the examples' regeneration).

    python tests/template/template_rendering.py --regenerate-examples
    python tests/template/template_rendering.py --pin-commit

`--regenerate-examples` re-renders services/<name> from their answers files: the
way to update the examples after a template change (the re-render test fails
until then); it also rewrites the root CI files (scripts/ci_workflows.py). A
render from a dirty checkout records a commit that exists only in copier's
temporary copy, so after committing, `--pin-commit` re-renders from a
clean clone of HEAD and copies the answers files back: their `_commit` is then a
real commit, and `copier update` inside services/<name> works.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import copier
import yaml
from slipway_fleet.real_template import TEMPLATE_PATHS

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
ANSWERS_FILE = ".copier-answers.yml"
# Template-controlled answers-file keys that depend on where/when it was rendered.
VOLATILE_ANSWERS = ("_commit", "_src_path")


def template_snapshot(dst: Path) -> Path:
    """Copy what copier needs (TEMPLATE_PATHS: copier.yml, template/, the scripts and
    contract files copier runs or reads) to `dst`, at the same relative paths.

    Rendering from a plain folder skips copier's git clone of the whole
    monorepo: the same files, much faster, and uncommitted edits included.
    """
    dst.mkdir(parents=True, exist_ok=True)
    for rel in TEMPLATE_PATHS:
        source, target = ROOT / rel, dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(
                source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, target)
    return dst


def render(src: Path | str, dst: Path, answers: dict[str, Any], **options: Any) -> Path:
    """`copier copy` non-interactively; returns the rendered project folder."""
    copier.run_copy(
        str(src),
        str(dst),
        data=answers,
        defaults=True,
        unsafe=True,
        quiet=True,
        **options,
    )
    return dst


def user_answers(project: Path) -> dict[str, Any]:
    """The answers recorded in a project's answers file, without copier's private keys."""
    recorded = yaml.safe_load((project / ANSWERS_FILE).read_text())
    return {k: v for k, v in recorded.items() if not k.startswith("_")}


def project_files(project: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file a render produces (no caches, no venvs)."""
    skip_dirs = {"__pycache__", ".venv", ".nox", ".pytest_cache", ".ruff_cache", ".mypy_cache",
                 ".terraform", "wheelhouse", "release", "reports"}  # fmt: skip
    files: dict[str, bytes] = {}
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        if path.is_file() and not skip_dirs.intersection(rel.parts):
            files[rel.as_posix()] = path.read_bytes()
    return files


def without_volatile(answers_text: bytes) -> bytes:
    """The answers file minus the lines naming the template's location and commit."""
    return b"\n".join(
        line
        for line in answers_text.split(b"\n")
        if not line.startswith(tuple(f"{k}:".encode() for k in VOLATILE_ANSWERS))
    )


def regenerate_examples() -> None:
    """Re-render every services/<name> in place from its own answers file."""
    for answers_file in sorted(SERVICES.glob(f"*/{ANSWERS_FILE}")):
        project = answers_file.parent
        answers = user_answers(project)
        for path in list(project.iterdir()):
            if path.name in {".venv", ".nox"}:
                continue
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        # Rendered from inside the service so `_src_path` is `../..`: a plain
        # `copier update` run in services/<name> finds the template.
        with contextlib.chdir(project):
            render("../..", Path("."), answers, vcs_ref="HEAD")
        print(f"regenerated {project.relative_to(ROOT)}")
    # The root CI files GitHub/GitLab read are copies of the examples' pipelines.
    subprocess.run([sys.executable, str(ROOT / "scripts" / "ci_workflows.py")], check=True)


def pin_commit() -> None:
    """Record HEAD (a real commit) as `_commit` in every example's answers file."""
    with tempfile.TemporaryDirectory(prefix="slipway-pin-") as tmp:
        clone = Path(tmp) / "repo"
        # --no-tags: copier records `git describe`, and a describe string such as
        # 0.2.0-40-gb7b410e reads as release 0.2.0.post40 where the tag exists and as a
        # bare commit where it does not (a clone of the pushed commits): a plain commit id
        # means the same in every clone.
        subprocess.run(["git", "clone", "--quiet", "--no-tags", str(ROOT), str(clone)], check=True)
        for answers_file in sorted(SERVICES.glob(f"*/{ANSWERS_FILE}")):
            name = answers_file.parent.name
            out = Path(tmp) / "out" / name  # outside the clone: it stays clean
            with contextlib.chdir(clone / "services" / name):
                render("../..", out, user_answers(answers_file.parent), vcs_ref="HEAD")
            recorded = (out / ANSWERS_FILE).read_bytes()
            if without_volatile(recorded) != without_volatile(answers_file.read_bytes()):
                sys.exit(f"{answers_file}: answers differ from HEAD's; commit them first")
            answers_file.write_bytes(recorded)
            print(f"pinned {answers_file.relative_to(ROOT)}: {recorded.splitlines()[1].decode()}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--regenerate-examples"]:
        regenerate_examples()
    elif sys.argv[1:] == ["--pin-commit"]:
        pin_commit()
    else:
        sys.exit(__doc__)
