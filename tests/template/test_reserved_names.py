"""copier.yml's lists of names a service's package cannot take are complete.

Copier's Jinja cannot import `keyword` or `sys`, so copier.yml carries the lists
(questions computed, never asked). These tests hold them to the running Python
and to the modules of the template's dependencies as installed here.
"""

from __future__ import annotations

import keyword
import re
import sys
from importlib import metadata

import yaml
from packaging.requirements import Requirement
from template_rendering import ROOT

QUESTIONS = yaml.safe_load((ROOT / "copier.yml").read_text())
# What service_name can become: a DNS-1123 label with '-' -> '_'.
PACKAGE = re.compile(r"[a-z][a-z0-9_]*")


def _listed(question: str) -> set[str]:
    return set(QUESTIONS[question]["default"].split())


def _missing(expected: set[str], question: str) -> str:
    return f"add to copier.yml's {question}: {', '.join(sorted(expected - _listed(question)))}"


def test_keywords_are_listed() -> None:
    expected = {k for k in keyword.kwlist if PACKAGE.fullmatch(k)}
    assert expected <= _listed("python_keywords"), _missing(expected, "python_keywords")


def test_stdlib_modules_are_listed() -> None:
    expected = {m for m in sys.stdlib_module_names if PACKAGE.fullmatch(m)}
    assert expected <= _listed("python_stdlib_modules"), _missing(expected, "python_stdlib_modules")


def _requirements(block: str) -> list[Requirement]:
    """The requirements in template/pyproject.toml's `<block> = [...]` (Jinja lines skipped)."""
    text = (ROOT / "template" / "pyproject.toml").read_text()
    body = re.search(rf"^{block} = \[\n(.*?)^\]", text, re.MULTILINE | re.DOTALL)
    assert body, f"template/pyproject.toml has no `{block} = [` block"
    names = re.findall(r'^\s*"([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)', body.group(1), re.M)
    return [Requirement(name) for name in names]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(roots: list[Requirement]) -> set[str]:
    """Distribution names the roots pull in at run time (extras and markers honoured)."""
    installed = {_normal(d.metadata["Name"]): d for d in metadata.distributions()}
    missing = sorted({_normal(r.name) for r in roots} - set(installed))
    assert not missing, f"not installed here, cannot list their modules: {missing}"
    visited: set[tuple[str, frozenset[str]]] = set()
    todo = [(_normal(r.name), frozenset(r.extras)) for r in roots]
    while todo:
        name, extras = todo.pop()
        if name not in installed or (name, extras) in visited:
            continue
        visited.add((name, extras))
        for line in installed[name].requires or []:
            req = Requirement(line)
            environments = [{"extra": e} for e in extras or {""}]
            if req.marker is None or any(req.marker.evaluate(e) for e in environments):
                todo.append((_normal(req.name), frozenset(req.extras)))
    return {name for name, _ in visited}


def _modules(distributions: set[str]) -> set[str]:
    by_module = metadata.packages_distributions()
    return {
        module
        for module, dists in by_module.items()
        if PACKAGE.fullmatch(module) and any(_normal(d) in distributions for d in dists)
    }


def test_dependency_modules_are_listed() -> None:
    runtime = _closure(_requirements("dependencies"))
    assert {"fastapi", "uvicorn", "sqlalchemy", "pydantic", "aio-pika", "redis"} <= runtime
    tools = {_normal(r.name) for r in _requirements("test")}  # their own modules, not closures
    expected = _modules(runtime | tools) | {"slipway_chassis"}
    assert {"fastapi", "starlette", "pytest", "yaml"} <= expected
    assert expected <= _listed("dependency_modules"), _missing(expected, "dependency_modules")
