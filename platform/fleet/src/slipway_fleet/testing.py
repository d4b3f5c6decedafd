"""Test helpers (public, like `structlog.testing`): a small template with real releases
and fast member generation. Used by this package's tests and by `slipway-fleet bench`.

The template's releases, as PEP 440 tags:
  v0.9.0  broken (a Jinja syntax error): members on it cannot be replayed
  v1.0.0  README.md, app.py, config.yaml, legacy.txt, optional worker.py
  v1.1.0  config.yaml gains a line, ci.yml added; migration 1.1.0
  v2.0.0  README.md and app.py changed, legacy.txt deleted, docs/index.md added;
          migrations declared out of version order (2.0.0 before 1.1.0); the 2.0.0
          migration fails in a member holding a FAIL_MIGRATION file
  v3.0.0  a new required question `cost_center` (no default); migration 3.0.0 (its
          command uses Jinja: reports must show it rendered)
Every migration appends its version to `.migrations.log` in the member.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from slipway_fleet.gitcmd import git

_QUESTIONS = """\
_subdirectory: template
_templates_suffix: .jinja
_answers_file: .copier-answers.yml

project_name:
  type: str
  help: Name of the service
  default: demo
owner:
  type: str
  help: Owning team
  default: team-a
use_worker:
  type: bool
  help: Include a queue worker
  default: false
"""
_ANSWERS = "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml -}}\n"
_README = """\
# {{ project_name }}

Template generation: VERSION_LINE

Owned by {{ owner }}.

## Running

Run it with `python app.py`.
Configuration lives in config.yaml.

## Notes

Nothing else to say.
"""
_APP = """\
\"\"\"{{ project_name }} service.\"\"\"

import sys

NAME = "{{ project_name }}"
OWNER = "{{ owner }}"


def settings():
    return {"name": NAME, "owner": OWNER}
TIMEOUT_LINE

def main():
    print(settings())


def helper():
    return 42


if __name__ == "__main__":
    sys.exit(main())
"""
_CONFIG = """\
name: {{ project_name }}
owner: {{ owner }}
replicas: 1
port: 8000
log_level: info
metrics: true
tracing: true
EXTRA"""


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _commit_and_tag(repo: Path, tag: str) -> None:
    git("add", "--all", cwd=repo)
    git("commit", "--quiet", "--allow-empty", "-m", f"release {tag}", cwd=repo)
    git("tag", tag, cwd=repo)


def _migration(version: str, extra: str = "") -> str:
    command = f"{extra}echo {version} >> .migrations.log"
    return f"  - version: v{version}\n    command: '{command}'\n"


def make_template_repo(root: Path) -> Path:
    """A git repository holding the template above, with its five release tags."""
    repo = root / "template-repo"
    (repo / "template").mkdir(parents=True)
    git("init", "--quiet", "-b", "main", cwd=repo)
    t = "template/"
    base = {
        "copier.yml": _QUESTIONS,
        t + "{{_copier_conf.answers_file}}.jinja": _ANSWERS,
        t + "README.md.jinja": _README.replace("VERSION_LINE", "1"),
        t + "app.py.jinja": _APP.replace("TIMEOUT_LINE", "\n\nTIMEOUT = 5\n"),
        t + "config.yaml.jinja": _CONFIG.replace("EXTRA", ""),
        t + "legacy.txt": "legacy notes from the first release\n",
        t + "{% if use_worker %}worker.py{% endif %}.jinja": "def work():\n    return 'ok'\n",
    }
    _write(repo, {**base, t + "README.md.jinja": "# {{ project_name \n"})  # broken Jinja
    _commit_and_tag(repo, "v0.9.0")
    _write(repo, base)
    _commit_and_tag(repo, "v1.0.0")
    _write(
        repo,
        {
            "copier.yml": _QUESTIONS + "\n_migrations:\n" + _migration("1.1.0"),
            t + "config.yaml.jinja": _CONFIG.replace("EXTRA", "timeout: 30\n"),
            t + "ci.yml": "steps:\n  - run: make test\n",
        },
    )
    _commit_and_tag(repo, "v1.1.0")
    v2_migrations = _migration("2.0.0", "test ! -e FAIL_MIGRATION && ") + _migration("1.1.0")
    _write(
        repo,
        {
            "copier.yml": _QUESTIONS + "\n_migrations:\n" + v2_migrations,
            t + "README.md.jinja": _README.replace("VERSION_LINE", "2"),
            t + "app.py.jinja": _APP.replace("TIMEOUT_LINE", "\n\nTIMEOUT = 10\n"),
            t + "docs/index.md.jinja": "# {{ project_name }} docs\n",
        },
    )
    (repo / t / "legacy.txt").unlink()
    _commit_and_tag(repo, "v2.0.0")
    required = "cost_center:\n  type: str\n  help: Billing cost centre (required, no default)\n"
    _write(
        repo,
        {
            "copier.yml": _QUESTIONS
            + required
            + "\n_migrations:\n"
            + v2_migrations
            + _migration("3.0.0", "test -f {{ _copier_conf.answers_file }} && "),
            t + "billing.txt.jinja": "cost centre: {{ cost_center }}\n",
        },
    )
    _commit_and_tag(repo, "v3.0.0")
    return repo


class MemberFactory:
    """Generate members fast: `copier copy` once per (version, answers), then copy files."""

    def __init__(self, template: Path, cache: Path) -> None:
        self.template = template
        self.cache = cache
        self.copies = 0  # how many real copier runs happened (for tests and bench)

    def _rendered(self, tag: str, answers: dict[str, Any]) -> Path:
        import copier  # noqa: PLC0415 - heavy import, only when generating

        key = hashlib.sha256(json.dumps([tag, answers], sort_keys=True).encode()).hexdigest()[:16]
        out = self.cache / key
        if not out.is_dir():
            copier.run_copy(
                str(self.template),
                out,
                data=answers,
                vcs_ref=tag,
                defaults=True,
                quiet=True,
                unsafe=True,
                skip_tasks=True,
            )
            self.copies += 1
        return out

    def render_into(self, dest: Path, tag: str, answers: dict[str, Any]) -> Path:
        """Files of the template at `tag` for `answers`, copied to `dest` (no git)."""
        shutil.copytree(self._rendered(tag, answers), dest, dirs_exist_ok=True)
        return dest

    def member(self, dest: Path, tag: str = "v1.1.0", **answers: Any) -> Path:
        """A git repository at `dest` generated from `tag` with `answers`, committed."""
        self.render_into(dest, tag, answers)
        init_repo(dest)
        return dest


def init_repo(path: Path) -> None:
    """`git init` + commit everything on `main` (the member's first commit)."""
    git("init", "--quiet", "-b", "main", cwd=path)
    git("add", "--all", cwd=path)
    git("commit", "--quiet", "-m", "generated from the template", cwd=path)


def commit_all(path: Path, message: str) -> None:
    git("add", "--all", cwd=path)
    git("commit", "--quiet", "-m", message, cwd=path)


def refs_snapshot(repo: Path) -> dict[str, str]:
    """Every ref -> sha of a repository (to prove a rerun created nothing)."""
    out = git("for-each-ref", "--format=%(refname) %(objectname)", cwd=repo)
    return dict(line.split(" ", 1) for line in out.splitlines())
