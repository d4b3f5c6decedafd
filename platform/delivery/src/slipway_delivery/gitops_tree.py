"""The environments repository on disk: where each file lives and how it is read.

    envs/<env>/<service>/application.yaml   Argo CD Application (one per env and service)
    envs/<env>/<service>/values.yaml        image pinned by digest (written by promotion)
    envs/<env>/<service>/flags.yaml         feature flags, flagd document under `flags:`
    envs/<env>/<service>/slo-rules.yaml     SLO alert rules (chart values, slo_rules.py)
    envs/<env>/<service>/promotions.yaml    append-only history of promotions
    verifications/<service>/<stage>.yaml    append-only check results per digest

Every writer here produces the whole file (sorted keys, a header comment), so a
promotion's pull request diff is exactly the lines that changed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from slipway_contract import environments
from slipway_contract.names import is_dns1123_label

from slipway_delivery.errors import UsageError

ENVIRONMENTS = environments.ENVIRONMENTS  # the contract's list; callers import it from here
# The stage before dev is the release pipeline itself (gates + smoke on the image).
STAGES = ("build", *ENVIRONMENTS)
DEFAULT_TREE = Path("platform/gitops")


def now() -> str:
    """UTC timestamp for records, second precision."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def check_env(env: str, allowed: tuple[str, ...] = ENVIRONMENTS, field: str = "--env") -> str:
    if env not in allowed:
        raise UsageError(f"{field} {env!r} is not one of {', '.join(allowed)}")
    return env


def check_service(service: str) -> str:
    """A DNS-1123 label (CONTRACTS.md SERVICE_NAME rule)."""
    if not is_dns1123_label(service):
        raise UsageError(
            f"--service {service!r} must be a DNS-1123 label (lowercase letters, digits, '-', "
            "at most 63 characters, starting and ending with a letter or digit)"
        )
    return service


class GitopsTree:
    """Read and write the files of one environments tree rooted at `root`."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise UsageError(f"--tree {root}: not a directory (the GitOps tree root)")
        self.root = root

    def service_dir(self, env: str, service: str) -> Path:
        return self.root / "envs" / check_env(env) / check_service(service)

    def values_path(self, env: str, service: str) -> Path:
        return self.service_dir(env, service) / "values.yaml"

    def flags_path(self, env: str, service: str) -> Path:
        return self.service_dir(env, service) / "flags.yaml"

    def promotions_path(self, env: str, service: str) -> Path:
        return self.service_dir(env, service) / "promotions.yaml"

    def verifications_path(self, stage: str, service: str) -> Path:
        check_env(stage, STAGES)
        return self.root / "verifications" / check_service(service) / f"{stage}.yaml"

    # ------------------------------------------------------------------ io
    @staticmethod
    def read(path: Path, default: Any = None) -> Any:
        if not path.is_file():
            return default
        try:
            return yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise UsageError(f"{path}: not valid YAML: {exc}") from None

    @staticmethod
    def write(path: Path, data: Any, header: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        body = yaml.safe_dump(data, sort_keys=True, default_flow_style=False)
        comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
        path.write_text(comment + body)

    def append(self, path: Path, entry: dict[str, Any], header: str) -> None:
        history = self.read(path, default=[]) or []
        if not isinstance(history, list):
            raise UsageError(f"{path}: expected a list of records")
        history.append(entry)
        self.write(path, history, header)

    # ------------------------------------------------------------------ queries
    def verifications(self, stage: str, service: str) -> list[dict[str, Any]]:
        records = self.read(self.verifications_path(stage, service), default=[]) or []
        return [r for r in records if isinstance(r, dict)]

    def latest_verification(self, stage: str, service: str, digest: str) -> dict[str, Any] | None:
        """The newest record for `digest` at `stage` (a later failure beats an earlier pass)."""
        matching = [r for r in self.verifications(stage, service) if r.get("digest") == digest]
        return matching[-1] if matching else None

    def promotions(self, env: str, service: str) -> list[dict[str, Any]]:
        records = self.read(self.promotions_path(env, service), default=[]) or []
        return [r for r in records if isinstance(r, dict)]

    def current_image(self, env: str, service: str) -> dict[str, Any] | None:
        values = self.read(self.values_path(env, service), default={}) or {}
        image = values.get("image")
        return image if isinstance(image, dict) else None
