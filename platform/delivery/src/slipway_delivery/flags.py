"""Feature flags per environment, flipped through the GitOps tree (no deploy).

`envs/<env>/<service>/flags.yaml` is a Helm values file holding a flagd
document under `flags:`; the chart renders it into the ConfigMap mounted at
`FLAGS_FILE`, and the chassis (flagd file mode) reloads it when the kubelet
updates the mounted file. Flipping a flag is a one-line pull request.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slipway_delivery.errors import UsageError
from slipway_delivery.gitops_tree import GitopsTree

FLAGD_SCHEMA = "https://flagd.dev/schema/v0/flags.json"
HEADER = (
    "Feature flags (flagd format under `flags:`), rendered into the FLAGS_FILE ConfigMap.\n"
    "Flip with `slipway-gitops flag`; the service reloads them without a restart."
)


def empty_document() -> dict[str, Any]:
    return {"$schema": FLAGD_SCHEMA, "flags": {}}


def read_flags(tree: GitopsTree, env: str, service: str) -> dict[str, Any]:
    """The flagd document for `service` in `env` (empty when none is declared)."""
    values = tree.read(tree.flags_path(env, service), default={}) or {}
    document = values.get("flags") or empty_document()
    if not isinstance(document.get("flags"), dict):
        raise UsageError(f"{tree.flags_path(env, service)}: `flags.flags` must be a mapping")
    return dict(document)


def set_flag(
    tree: GitopsTree, env: str, service: str, name: str, variant: str
) -> tuple[str | None, str]:
    """Make `variant` the default of flag `name`; returns (old variant, new variant).

    A flag not yet declared is added as a boolean switch with variants on/off,
    enabled, so a kill switch can be declared and thrown in one change.
    """
    document = read_flags(tree, env, service)
    flag = document["flags"].get(name)
    if flag is None:
        if variant not in ("on", "off"):
            raise UsageError(
                f"--flag {name!r} is not declared in {env}: new flags are boolean, "
                "use --variant on|off"
            )
        flag = {"state": "ENABLED", "variants": {"on": True, "off": False}, "defaultVariant": "off"}
        document["flags"][name] = flag
    variants = flag.get("variants") or {}
    if variant not in variants:
        raise UsageError(
            f"--variant {variant!r} is not a variant of flag {name!r} "
            f"(declared: {', '.join(sorted(variants))})"
        )
    old = flag.get("defaultVariant")
    flag["defaultVariant"] = variant
    flag["state"] = "ENABLED"
    tree.write(tree.flags_path(env, service), {"flags": document}, HEADER)
    return old, variant


def export_flagd_json(tree: GitopsTree, env: str, service: str, out: Path) -> Path:
    """Write the flagd JSON the ConfigMap would carry (what the kubelet projects)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(read_flags(tree, env, service), indent=2, sort_keys=True) + "\n")
    # Atomic swap, like the kubelet's symlink flip: readers never see half a file.
    tmp.replace(out)
    return out
