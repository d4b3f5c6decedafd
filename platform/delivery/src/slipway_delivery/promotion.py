"""Promotion policy: which digest may move into which environment, and the change it writes.

Rules (issue 9, item 3):
* the order is build -> dev -> qa -> stage -> prod; a digest enters an
  environment only if its newest recorded verification in the previous stage
  passed (`build` is the release pipeline's gates + smoke result);
* dev and qa follow every merge to main (trigger `merge`; a tag also qualifies);
* stage and prod move only on a release tag (trigger `tag`, SemVer without
  pre-release) plus a named approver, and only with the version the digest was
  built as.
The command writes files; opening the pull request is the caller's (CI's) job.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from slipway_delivery.errors import PromotionRefusedError, UsageError
from slipway_delivery.gitops_tree import ENVIRONMENTS, STAGES, GitopsTree, check_env, now
from slipway_delivery.registry import check_digest
from slipway_delivery.slo_rules import write_slo_rules

GATED = ("stage", "prod")  # need a release tag and an approval
TRIGGERS = ("merge", "tag", "rollback")
VALUES_HEADER = (
    "Written by `slipway-gitops promote`: the image this environment runs, pinned by digest.\n"
    "Do not edit by hand; promote or roll back instead (platform/gitops/README.md)."
)
PROMOTIONS_HEADER = "Append-only promotion history, written by `slipway-gitops`."
VERIFY_HEADER = "Append-only verification results per digest, written by `slipway-gitops record`."


@dataclass(frozen=True)
class Promotion:
    """What was written, for the pull request that carries it."""

    service: str
    env: str
    digest: str
    version: str
    previous_digest: str | None
    files: list[str]

    def pr_title(self) -> str:
        return f"deploy({self.env}): {self.service} {self.version}"

    def pr_body(self, evidence: dict[str, Any] | None) -> str:
        lines = [
            f"Promote **{self.service}** `{self.version}` to **{self.env}**.",
            "",
            f"- digest: `{self.previous_digest or '(none)'}` -> `{self.digest}`",
            *(f"- changed: `{f}`" for f in self.files),
        ]
        if evidence:
            lines += ["", "Verification in the previous stage:", "```yaml"]
            lines += [f"{k}: {v}" for k, v in sorted(evidence.items()) if k != "checks"]
            lines += ["```"]
        return "\n".join(lines) + "\n"


def previous_stage(env: str) -> str:
    return STAGES[STAGES.index(env) - 1]


def check_promotion(
    tree: GitopsTree,
    service: str,
    env: str,
    digest: str,
    version: str,
    *,
    trigger: str,
    approved_by: str | None,
) -> dict[str, Any]:
    """Raise PromotionRefusedError naming the rule broken; returns the evidence relied on."""
    check_env(env, ENVIRONMENTS, "--env")
    check_digest(digest)
    if trigger not in TRIGGERS[:2]:
        raise UsageError(f"--trigger {trigger!r} must be 'merge' or 'tag'")
    try:
        parsed = semver.Version.parse(version)
    except ValueError:
        raise UsageError(f"--version {version!r} is not SemVer (e.g. 1.4.0)") from None
    prev = previous_stage(env)
    evidence = tree.latest_verification(prev, service, digest)
    if evidence is None:
        raise PromotionRefusedError(
            f"refused: {service}@{digest} has no recorded verification in {prev!r}; "
            f"run the {prev} checks and `slipway-gitops record --env {prev}` first"
        )
    if evidence.get("result") != "passed":
        raise PromotionRefusedError(
            f"refused: {service}@{digest} failed its {prev!r} checks "
            f"(recorded {evidence.get('recorded_at')}); a failed digest never moves forward"
        )
    if env in GATED:
        if trigger != "tag":
            raise PromotionRefusedError(
                f"refused: {env} moves only on a release tag: --trigger tag (got {trigger!r}); "
                "merges to main deploy dev and qa only"
            )
        if parsed.prerelease or parsed.build:
            raise PromotionRefusedError(
                f"refused: {env} takes release versions only, not {version!r} "
                "(tag vX.Y.Z without suffix)"
            )
        if not approved_by:
            raise PromotionRefusedError(
                f"refused: {env} needs an approval: --approved-by NAME (the approver)"
            )
    built = tree.latest_verification("build", service, digest) or {}
    if built.get("version") and built["version"] != version:
        raise PromotionRefusedError(
            f"refused: {digest} was built as version {built['version']}, not {version}"
        )
    return evidence


def promote(
    tree: GitopsTree,
    service: str,
    env: str,
    digest: str,
    version: str,
    *,
    repository: str,
    trigger: str,
    git_ref: str | None = None,
    approved_by: str | None = None,
    slo: Path | None = None,
) -> tuple[Promotion, dict[str, Any]]:
    """Check the policy, then pin `digest` in env's values and append the history.

    With `slo` (the service's slo.yaml) the environment's slo-rules.yaml is
    rewritten too: the SLO alert rules travel with the digest they were written for.
    """
    evidence = check_promotion(
        tree, service, env, digest, version, trigger=trigger, approved_by=approved_by
    )
    previous = tree.current_image(env, service)
    why = {
        "trigger": trigger,
        "git_ref": git_ref,
        "approved_by": approved_by,
        "from": previous_stage(env),
    }
    written = _pin(
        tree, service=service, env=env, digest=digest, version=version,
        repository=repository, why=why, previous=previous,
    )  # fmt: skip
    if slo is not None:
        rules = write_slo_rules(tree, env, service, slo)
        written = dataclasses.replace(written, files=[*written.files, rules])
    return written, evidence


def _pin(
    tree: GitopsTree,
    *,
    service: str,
    env: str,
    digest: str,
    version: str,
    repository: str,
    why: dict[str, Any],
    previous: dict[str, Any] | None,
) -> Promotion:
    if ":" in repository.rsplit("/", 1)[-1] or "@" in repository:
        raise UsageError(f"--image {repository!r} must be a repository without tag or digest")
    values_path = tree.values_path(env, service)
    values = tree.read(values_path, default={}) or {}
    values["image"] = {"repository": repository, "tag": version, "digest": digest}
    tree.write(values_path, values, VALUES_HEADER)
    record = {"digest": digest, "version": version, "at": now(), **why}
    tree.append(tree.promotions_path(env, service), record, PROMOTIONS_HEADER)
    rel = [str(p.relative_to(tree.root)) for p in (values_path, tree.promotions_path(env, service))]
    return Promotion(service, env, digest, version, (previous or {}).get("digest"), rel)


def rollback(
    tree: GitopsTree, service: str, env: str, *, digest: str | None = None
) -> tuple[Promotion, dict[str, Any]]:
    """Pin again the newest earlier digest that passed `env`'s checks (or `digest`).

    A digest qualifies only if its newest verification recorded in `env` passed:
    a digest that never passed there (never checked, or failed last) is refused,
    chosen explicitly or not. Returns the change and the verification relied on.
    """
    check_env(env)
    current = tree.current_image(env, service)
    if current is None:
        raise UsageError(f"{service} has never been promoted to {env}: nothing to roll back")
    deployed = [r for r in tree.promotions(env, service) if r.get("digest")]
    if digest is not None:
        check_digest(digest)
        if digest == current.get("digest"):
            raise PromotionRefusedError(f"refused: {service} in {env} already runs {digest}")
        candidates = [r for r in deployed if r["digest"] == digest]
        if not candidates:
            raise PromotionRefusedError(
                f"refused: {service}@{digest} was never deployed to {env}; "
                "roll back only to a digest that ran there"
            )
    else:
        candidates = [r for r in deployed if r["digest"] != current.get("digest")]
    seen: dict[str, str] = {}
    for record in reversed(candidates):
        evidence = tree.latest_verification(env, service, record["digest"])
        if evidence and evidence.get("result") == "passed":
            why = {"trigger": "rollback", "from": env, "git_ref": None, "approved_by": None}
            done = _pin(
                tree, service=service, env=env, digest=record["digest"],
                version=record["version"], repository=current["repository"],
                why=why, previous=current,
            )  # fmt: skip
            return done, evidence
        seen.setdefault(record["digest"], (evidence or {}).get("result", "never checked"))
    tried = ", ".join(f"{d} ({why})" for d, why in seen.items()) or "none"
    raise PromotionRefusedError(
        f"refused: no earlier digest of {service} passed its {env} checks "
        f"(candidates: {tried}); record a passed check with `slipway-gitops record --env {env}` "
        "or roll forward"
    )


def record_verification(
    tree: GitopsTree,
    service: str,
    stage: str,
    digest: str,
    result: str,
    *,
    version: str | None = None,
    evidence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Append a check result for `digest` at `stage` (build, dev, qa, stage, prod)."""
    check_env(stage, STAGES)
    check_digest(digest)
    if result not in ("passed", "failed"):
        raise UsageError(f"--result {result!r} must be 'passed' or 'failed'")
    entry: dict[str, Any] = {"digest": digest, "result": result, "recorded_at": now()}
    if version:
        entry["version"] = version
    if evidence:
        entry["evidence"] = evidence
    tree.append(tree.verifications_path(stage, service), entry, VERIFY_HEADER)
    return entry
