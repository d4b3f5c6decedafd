"""The real Slipway template as a fleet source: two releases cut from this repository's
history, and members generated from the older one with varied answers.

Used by `slipway-fleet bench` and the real-template test. The template is a
temporary clone of the repository (objects shared with it, nothing copied); the
two newest commits that changed the template (`copier.yml`, `template/`,
`scripts/migrations`...), `RELEASES_BACK` template changes apart, are tagged as releases, so an
update carries real template changes, whatever they are at the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slipway_fleet.gitcmd import GitError, git

# What a template release consists of: the migrations, tasks and Jinja extension copier
# runs live in scripts/; the extension reads the contract's facts from their source files.
# (tests/template's template_snapshot copies these same paths.)
TEMPLATE_PATHS = (
    "copier.yml",
    "template",
    "scripts/migrations",
    "scripts/copier_tasks",
    "scripts/copier_extensions",
    "platform/contract/src/slipway_contract/environments.py",
    "platform/contract/src/slipway_contract/metrics.py",
)
RELEASES_BACK = 3  # the older release is this many template changes before the newer one
OLD_TAG, NEW_TAG = "v1.0.0", "v1.1.0"

# Shapes real services take (every choice of the questions that change the file set).
ANSWER_SHAPES: list[dict[str, Any]] = [
    {"service_kind": "http-api", "database": "postgres", "rollout_strategy": "canary"},
    {"service_kind": "queue-worker", "queue": "rabbitmq", "rollout_strategy": "blueGreen"},
    {"service_kind": "http-api", "database": "none", "ci_provider": "gitlab"},
    {"service_kind": "queue-worker", "queue": "redis", "ci_provider": "both"},
    {"service_kind": "http-api", "database": "postgres", "repo_mode": "monorepo"},
    {"service_kind": "http-api", "database": "none", "environments": ["dev", "prod"]},
]


class RealTemplateError(RuntimeError):
    """The Slipway template cannot be found or has too little history."""


@dataclass(frozen=True)
class RealTemplate:
    repo: Path  # the temporary template repository with the two release tags
    old_commit: str
    new_commit: str


def find_repository(start: Path) -> Path:
    """The Slipway checkout containing `start` (it has copier.yml and template/)."""
    try:
        top = Path(git("rev-parse", "--show-toplevel", cwd=start).strip())
    except GitError as exc:
        raise RealTemplateError(f"{start} is not inside a git checkout of Slipway") from exc
    if not (top / "copier.yml").is_file() or not (top / "template").is_dir():
        raise RealTemplateError(f"{top} has no copier.yml + template/: not a Slipway checkout")
    return top


def cut_releases(source: Path, dest: Path, back: int = RELEASES_BACK) -> RealTemplate:
    """Clone `source` to `dest` and tag two of its template commits as releases."""
    git("clone", "--quiet", "--no-checkout", "--shared", str(source), str(dest), timeout=600)
    commits = git("log", "--format=%H", "HEAD", "--", *TEMPLATE_PATHS, cwd=dest).split()
    if len(commits) <= back:
        raise RealTemplateError(
            f"{source} has {len(commits)} template commit(s); {back + 1} are needed"
        )
    new, old = commits[0], commits[back]
    git("tag", OLD_TAG, old, cwd=dest)
    git("tag", NEW_TAG, new, cwd=dest)
    return RealTemplate(dest, old, new)


def member_answers(index: int) -> dict[str, Any]:
    """Answers of fleet member `index`: its own name and team, one of the shapes."""
    return {
        **ANSWER_SHAPES[index % len(ANSWER_SHAPES)],
        "service_name": f"svc-{index:03d}",
        "owner_team": f"team-{index % 7}",
    }
