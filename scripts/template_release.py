"""Release the template: check, then tag (annotated) HEAD as X.Y.Z.

    nox -s template-release -- X.Y.Z [--repo PATH] [--check-only]

Checks, each against HEAD's committed files (a temporary clone, so uncommitted
work never leaks into a release):
  1. X.Y.Z is a public PEP 440 version newer than every release tag;
  2. CHANGELOG.md has a `## X.Y.Z` entry, and an entry with a `### Breaking`
     section (or that ships a migration) has a `### Upgrading` section;
  3. copier.yml's `_migrations` have PEP 440 versions no newer than X.Y.Z, in
     ascending order, and the scripts they run exist;
  4. the examples (services/*) are byte-exact renders of their answers at HEAD.
Then `git tag -a X.Y.Z` on HEAD: copier update and slipway-fleet read releases
from these tags. Push the tag yourself (`git push origin X.Y.Z`).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import copier
import yaml
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
CHANGELOG = "CHANGELOG.md"
_ENTRY = re.compile(r"(?m)^## \[?v?([0-9][^\]\s]*)\]?.*$")
_VOLATILE = (b"_commit:", b"_src_path:")


class ReleaseError(Exception):
    """A check failed; the message says which and how to fix it."""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def release_tags(repo: Path) -> dict[Version, str]:
    found = {}
    for tag in git(repo, "tag", "--list").split():
        try:
            found[Version(tag.removeprefix("v"))] = tag
        except InvalidVersion:
            continue
    return found


def check_version(text: str, tags: dict[Version, str]) -> Version:
    try:
        version = Version(text)
    except InvalidVersion as exc:
        raise ReleaseError(f"{text!r} is not a PEP 440 version (e.g. 0.3.0)") from exc
    if version.local or str(version) != text:
        raise ReleaseError(f"{text!r}: give the normalized public version {version.public!r}")
    if tags and version <= max(tags):
        raise ReleaseError(f"{text} is not newer than the latest release {tags[max(tags)]}")
    return version


def changelog_entries(text: str) -> dict[str, str]:
    """`## X.Y.Z` heading -> the entry's text (up to the next `## `)."""
    heads = list(_ENTRY.finditer(text))
    return {
        m.group(1): text[m.end() : heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        for i, m in enumerate(heads)
    }


def check_changelog(text: str, version: Version, new_migrations: list[str]) -> None:
    entries = changelog_entries(text)
    entry = entries.get(str(version))
    if entry is None:
        raise ReleaseError(f"{CHANGELOG} has no `## {version}` entry: write what changed first")
    for name, body in entries.items():
        if "### Breaking" in body and "### Upgrading" not in body:
            raise ReleaseError(
                f"{CHANGELOG} {name}: a `### Breaking` entry needs `### Upgrading` steps"
            )
    if new_migrations and "### Upgrading" not in entry:
        raise ReleaseError(
            f"{CHANGELOG} {version}: ships migration(s) {', '.join(new_migrations)}: "
            "add an `### Upgrading` section saying what they change"
        )


def check_migrations(repo: Path, version: Version, previous: Version | None) -> list[str]:
    """Validate copier.yml `_migrations`; return the versions new since `previous`."""
    config = yaml.safe_load((repo / "copier.yml").read_text())
    seen: list[Version] = []
    new = []
    for entry in config.get("_migrations", []):
        try:
            mig = Version(str(entry["version"]))
        except (KeyError, InvalidVersion) as exc:
            raise ReleaseError(
                f"copier.yml _migrations: {entry!r} has no PEP 440 `version`"
            ) from exc
        if mig > version:
            raise ReleaseError(f"copier.yml migration {mig} is newer than the release {version}")
        if seen and mig < seen[-1]:
            raise ReleaseError(f"copier.yml migrations out of order: {mig} after {seen[-1]}")
        seen.append(mig)
        for arg in entry.get("command", []) if isinstance(entry.get("command"), list) else []:
            if "_copier_conf.src_path" in arg:
                script = repo / arg.split("}}", 1)[1].lstrip("/")
                if not script.is_file():
                    raise ReleaseError(
                        f"copier.yml migration {mig} runs {script.relative_to(repo)}: missing"
                    )
        if previous is None or mig > previous:
            new.append(str(mig))
    return new


def check_examples(repo: Path, scratch: Path) -> int:
    """Re-render every services/<name> from its answers; any difference is drift (all named)."""
    count, drifted = 0, []
    for answers_file in sorted(repo.glob("services/*/.copier-answers.yml")):
        recorded = yaml.safe_load(answers_file.read_text())
        answers = {k: v for k, v in recorded.items() if not k.startswith("_")}
        out = scratch / answers_file.parent.name
        copier.run_copy(str(repo), str(out), data=answers, vcs_ref="HEAD", defaults=True,
                        unsafe=True, quiet=True, skip_tasks=True)  # fmt: skip
        expected, actual = _files(out), _files(answers_file.parent)
        differ = sorted(
            k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)
        )
        if differ:
            where = answers_file.parent.relative_to(repo)
            drifted.append(f"{where} drifted from the template ({', '.join(differ[:8])})")
        count += 1
    if drifted:
        raise ReleaseError(
            "; ".join(drifted)
            + "; run tests/template/template_rendering.py --regenerate-examples and commit"
        )
    return count


def _files(folder: Path) -> dict[str, bytes]:
    files = {}
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if path.is_file() and not {".venv", ".nox", "__pycache__"}.intersection(rel.parts):
            data = path.read_bytes()
            if rel.name == ".copier-answers.yml":
                data = b"\n".join(
                    line for line in data.split(b"\n") if not line.startswith(_VOLATILE)
                )
            files[rel.as_posix()] = data
    return files


def release(repo: Path, text: str, *, check_only: bool = False) -> str:
    tags = release_tags(repo)
    version = check_version(text, tags)
    with tempfile.TemporaryDirectory(prefix="slipway-template-release-") as tmp:
        clone = Path(tmp) / "head"
        git(repo, "clone", "--quiet", "--no-local", str(repo), str(clone))
        new_migrations = check_migrations(clone, version, max(tags) if tags else None)
        changelog = clone / CHANGELOG
        check_changelog(
            changelog.read_text() if changelog.is_file() else "", version, new_migrations
        )
        examples = check_examples(clone, Path(tmp) / "renders")
    head = git(repo, "rev-parse", "--short", "HEAD").strip()
    summary = (
        f"template {version}: {examples} example(s) without drift, "
        f"migrations {new_migrations or 'none new'}"
    )
    if check_only:
        return f"checks passed (not tagged): {summary}"
    git(repo, "-c", "user.name=Slipway release", "-c", "user.email=release@slipway.invalid",
        "tag", "-a", str(version), "-m", f"Slipway template {version}", "HEAD")  # fmt: skip
    return f"tagged {version} at {head}: {summary}; push it with `git push origin {version}`"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="template-release", description=__doc__.splitlines()[0])
    parser.add_argument("version", help="the new release, PEP 440 (e.g. 0.3.0)")
    parser.add_argument(
        "--repo", type=Path, default=ROOT, help="the Slipway repository (default: this one)"
    )
    parser.add_argument("--check-only", action="store_true", help="run the checks, do not tag")
    args = parser.parse_args(argv)
    try:
        print(release(args.repo.resolve(), args.version, check_only=args.check_only))
    except ReleaseError as exc:
        print(f"template-release: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
