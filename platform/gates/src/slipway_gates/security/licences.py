"""Licence policy: every installed third-party distribution must carry an allowed licence.

Licences are read with importlib.metadata (PEP 639 `License-Expression` first, then
trove classifiers, then a short `License:` field), mapped to SPDX ids with the
policy's alias table, and judged against its allow-list. An SPDX expression
`A OR B` passes when one side is allowed, `A AND B` when both are. A distribution
whose licence cannot be recognised fails unless the policy lists it under
`[exceptions]` with the reason it was accepted.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from slipway_gates.outcome import CheckResult
from slipway_gates.security.lockfile import find_lock, normalise, own_packages

NAME = "licences"
POLICY_FILENAME = "licence-policy.toml"
_CLASSIFIER_PREFIX = "License :: "


@dataclass(frozen=True)
class Policy:
    allowed: frozenset[str]
    aliases: dict[str, str]
    exceptions: dict[str, str]
    source: str


class PolicyError(ValueError):
    """The policy file is malformed; the message names the file and the field."""


def load_policy(path: Path | None = None) -> Policy:
    """Read a policy file, or the packaged default when `path` is None."""
    if path is None:
        text = resources.files("slipway_gates.security").joinpath(POLICY_FILENAME).read_text()
        source = f"packaged default {POLICY_FILENAME}"
    else:
        text, source = path.read_text(), str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from exc
    allowed = data.get("allow", {}).get("spdx")
    if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
        raise PolicyError(f"{source}: [allow] spdx must be a list of SPDX identifiers")
    exceptions = data.get("exceptions", {})
    for dist, reason in exceptions.items():
        if not isinstance(reason, str) or not reason.strip():
            raise PolicyError(f"{source}: [exceptions] {dist} needs a non-empty reason string")
    return Policy(
        allowed=frozenset(allowed),
        aliases={k.lower(): v for k, v in data.get("aliases", {}).items()},
        exceptions={normalise(k): v for k, v in exceptions.items()},
        source=source,
    )


def _to_spdx(text: str, policy: Policy) -> str:
    text = text.strip()
    return policy.aliases.get(text.lower(), text)


def licences_of(dist: metadata.Distribution, policy: Policy) -> list[str]:
    """Candidate SPDX expressions for a distribution, most authoritative first."""
    meta: Any = dist.metadata  # an email.message.Message at run time (get, get_all)
    if expr := meta.get("License-Expression"):
        return [expr.strip()]
    found = []
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith(_CLASSIFIER_PREFIX):
            leaf = classifier.split(" :: ")[-1]
            if leaf not in {"OSI Approved", "Other/Proprietary License"}:
                found.append(_to_spdx(leaf, policy))
    if not found and (field := (meta.get("License") or "").strip()):
        first_line = field.splitlines()[0].strip()
        # Some projects paste the whole licence text; only a short name is meaningful.
        if len(first_line) <= 80:
            found.append(_to_spdx(first_line, policy))
    return found


def expression_allowed(expr: str, policy: Policy) -> bool:
    """Evaluate an SPDX expression against the allow-list (AND binds tighter than OR)."""
    tokens = re.findall(r"\(|\)|[^\s()]+", expr)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return str(tokens[pos - 1])

    def atom() -> bool:
        if peek() == "(":
            take()
            value = disjunction()
            if peek() == ")":
                take()
            return value
        ident = take() if peek() is not None else ""
        if peek() == "WITH":  # a licence exception (e.g. Classpath) keeps the base licence
            take()
            take()
        return _to_spdx(ident, policy) in policy.allowed

    def conjunction() -> bool:
        value = atom()
        while peek() == "AND":
            take()
            value = atom() and value
        return value

    def disjunction() -> bool:
        value = conjunction()
        while peek() == "OR":
            take()
            value = conjunction() or value
        return value

    if " AND " not in f" {expr} " and " OR " not in f" {expr} " and "(" not in expr:
        # A free-text name (maybe with spaces), or one identifier WITH an exception.
        return _to_spdx(expr.split(" WITH ", maxsplit=1)[0], policy) in policy.allowed
    return disjunction()


@dataclass(frozen=True)
class Verdict:
    dist: str
    version: str
    licences: tuple[str, ...]
    ok: bool
    why: str


def judge_distribution(dist: metadata.Distribution, policy: Policy) -> Verdict:
    name = normalise(dist.metadata["Name"] or "?")
    found = licences_of(dist, policy)
    if found and any(expression_allowed(e, policy) for e in found):
        return Verdict(name, dist.version, tuple(found), True, "allowed")
    if name in policy.exceptions:
        return Verdict(
            name, dist.version, tuple(found), True, f"exception: {policy.exceptions[name]}"
        )
    why = (
        f"licence {' / '.join(found)} is not in the allow-list"
        if found
        else "no licence in its metadata; read the project, then add it to [exceptions] with why"
    )
    return Verdict(name, dist.version, tuple(found), False, why)


def run(
    root: Path,
    policy_path: Path | None = None,
    distributions: Iterable[metadata.Distribution] | None = None,
    own_names: set[str] | None = None,
) -> CheckResult:
    """Judge every installed distribution except the repository's own packages."""
    if policy_path is None and (root / POLICY_FILENAME).is_file():
        policy_path = root / POLICY_FILENAME
    try:
        policy = load_policy(policy_path)
    except (PolicyError, OSError) as exc:
        return CheckResult.failed(NAME, str(exc), [])
    dists = list(metadata.distributions() if distributions is None else distributions)
    own = own_names if own_names is not None else _own_packages(root)
    verdicts = {}
    for d in dists:
        if not d.metadata["Name"] or normalise(d.metadata["Name"]) in own:
            continue
        v = judge_distribution(d, policy)
        verdicts[v.dist] = v
    if not verdicts:
        return CheckResult.not_run(NAME, "no installed third-party distribution found")
    bad = [v for v in verdicts.values() if not v.ok]
    if bad:
        return CheckResult.failed(
            NAME,
            f"{len(bad)} of {len(verdicts)} distributions break the policy ({policy.source})",
            [f"{v.dist}=={v.version}: {v.why}" for v in sorted(bad, key=lambda v: v.dist)],
        )
    excepted = sum(1 for v in verdicts.values() if v.why.startswith("exception"))
    return CheckResult.passed(
        NAME,
        f"{len(verdicts)} distributions allowed "
        f"({excepted} by reviewed exception; {policy.source})",
    )


def _own_packages(root: Path) -> set[str]:
    """The repository's own distributions (workspace members): not third-party."""
    names = {"slipway-workspace", *own_packages(find_lock(root))}
    for pyproject in [root / "pyproject.toml", *root.glob("*/*/pyproject.toml")]:
        if pyproject.is_file():
            try:
                project = tomllib.loads(pyproject.read_text()).get("project", {})
            except tomllib.TOMLDecodeError:
                continue
            if "name" in project:
                names.add(normalise(project["name"]))
    return names
