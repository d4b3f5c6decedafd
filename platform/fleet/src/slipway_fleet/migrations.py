"""Template `_migrations`: which run between two versions, and in which order.

copier runs the versioned migrations it selects in the order they are *declared*
in copier.yml. A template that lists v2.0 before v1.1 would migrate a v1.0 member
in the wrong order. Slipway guarantees version order: `install_version_order()`
wraps copier's selection (in the worker processes only) with a stable sort by
version, and `applicable()` is what `--dry-run` lists.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from typing import Any

from packaging.version import InvalidVersion, Version


@dataclass(frozen=True)
class Migration:
    """One versioned migration entry of copier.yml."""

    version: str
    command: str
    declared_index: int
    raw: Any = field(default=None, compare=False)  # the command as declared (str or list)


class MigrationConfigError(ValueError):
    """A `_migrations` entry is malformed (names the entry and the rule)."""


def applicable(config: dict[str, Any], current: Version, target: Version) -> list[Migration]:
    """Versioned migrations with current < version <= target, in version order."""
    found = []
    for index, entry in enumerate(config.get("_migrations") or []):
        if not isinstance(entry, dict) or "version" not in entry:
            continue  # unversioned entries run on every update; copier handles them
        try:
            version = Version(str(entry["version"]))
        except InvalidVersion as exc:
            raise MigrationConfigError(
                f"_migrations[{index}].version {entry['version']!r} is not a PEP 440 version"
            ) from exc
        if current < version <= target:
            command = entry.get("command", entry.get("after", entry.get("before", "")))
            shown = shlex.join(map(str, command)) if isinstance(command, list) else str(command)
            found.append(Migration(str(entry["version"]), shown, index, command))
    return sorted(found, key=lambda m: (Version(m.version), m.declared_index))


def rendered_command(
    migration: Migration, config: dict[str, Any], answers: dict[str, Any], src_path: str
) -> str:
    """The command as copier will run it: Jinja rendered with the answers and copier's
    own variables (`_copier_python`, `_copier_conf.*`), so reports show no raw `{{ }}`."""
    from jinja2 import TemplateError  # noqa: PLC0415 - jinja2 comes with copier
    from jinja2.sandbox import SandboxedEnvironment  # noqa: PLC0415

    env = SandboxedEnvironment(**(config.get("_envops") or {}))
    context = {
        **{k: v for k, v in answers.items() if not k.startswith("_")},
        "_copier_python": sys.executable,
        "_copier_conf": {
            "answers_file": config.get("_answers_file", ".copier-answers.yml"),
            "src_path": src_path,
            "dst_path": ".",
        },
        "_stage": "after",
    }
    parts = migration.raw if isinstance(migration.raw, list) else [migration.raw]
    try:
        rendered = [env.from_string(str(part)).render(context) for part in parts]
    except TemplateError as exc:
        return f"{migration.command} (cannot render: {exc})"
    return shlex.join(rendered) if isinstance(migration.raw, list) else rendered[0]


def declared_out_of_order(config: dict[str, Any], current: Version, target: Version) -> bool:
    """True when copier, left alone, would run these migrations out of version order."""
    ordered = applicable(config, current, target)
    return [m.declared_index for m in ordered] != sorted(m.declared_index for m in ordered)


def _version_of(task: Any) -> Version | None:
    value = getattr(task, "extra_vars", {}).get("version_pep440_current")
    return value if isinstance(value, Version) else None


def sort_by_version(tasks: list[Any]) -> list[Any]:
    """Stable-sort versioned tasks by version; unversioned ones keep their slots."""
    versioned = [t for t in tasks if _version_of(t) is not None]
    queue = iter(sorted(versioned, key=lambda t: _version_of(t) or Version("0")))
    return [next(queue) if _version_of(t) is not None else t for t in tasks]


def install_version_order() -> None:
    """Make copier run versioned migrations in version order (idempotent).

    Called in worker processes before any copier update. copier has no option for
    this; if its internals change the wrapper refuses loudly instead of guessing.
    """
    from copier._template import Template  # noqa: PLC0415 - only workers need copier

    original = Template.migration_tasks
    if getattr(original, "_slipway_sorted", False):
        return

    def migration_tasks(self: Any, stage: Any, from_template: Any) -> list[Any]:
        return sort_by_version(list(original(self, stage, from_template)))

    migration_tasks._slipway_sorted = True  # type: ignore[attr-defined]
    Template.migration_tasks = migration_tasks  # type: ignore[method-assign]
