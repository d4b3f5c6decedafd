"""Flag flips in the tree, the flagd JSON export, and tree validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from delivery_helpers import GITOPS_TREE, REPO_ROOT
from slipway_delivery.applications import add_service
from slipway_delivery.errors import UsageError
from slipway_delivery.flags import export_flagd_json, read_flags, set_flag
from slipway_delivery.gitops_tree import ENVIRONMENTS, GitopsTree
from slipway_delivery.tree_check import check_tree


def test_committed_tree_is_valid() -> None:
    t = GitopsTree(GITOPS_TREE)
    assert check_tree(t) == []
    for service in ("orders-api", "events-worker"):
        for env in ENVIRONMENTS:
            app = t.read(t.service_dir(env, service) / "application.yaml")
            assert app["spec"]["destination"]["namespace"] == env
            files = app["spec"]["sources"][0]["helm"]["valueFiles"]
            assert files[-2:] == [
                f"$repo/platform/gitops/envs/{env}/{service}/values.yaml",
                f"$repo/platform/gitops/envs/{env}/{service}/flags.yaml",
            ]


def test_committed_applications_match_the_generator(tmp_path: Path) -> None:
    fresh = GitopsTree(tmp_path)
    (tmp_path / "envs").mkdir()
    for service in ("orders-api", "events-worker"):
        path = f"services/{service}"
        seed = REPO_ROOT / path if (REPO_ROOT / path).is_dir() else None
        add_service(fresh, service, "https://git.example.com/slipway/slipway.git", path, seed)
    for path in tmp_path.rglob("*.yaml"):
        assert path.read_text() == (GITOPS_TREE / path.relative_to(tmp_path)).read_text(), path


def test_kill_switch_declared_and_flipped_in_one_env(tree: Path, tmp_path: Path) -> None:
    t = GitopsTree(tree)
    assert set_flag(t, "prod", "orders-api", "items-kill-switch", "on") == ("off", "on")
    assert (
        read_flags(t, "prod", "orders-api")["flags"]["items-kill-switch"]["defaultVariant"] == "on"
    )
    assert "items-kill-switch" not in read_flags(t, "dev", "orders-api")["flags"]  # env-scoped
    out = export_flagd_json(t, "prod", "orders-api", tmp_path / "flags" / "flags.json")
    doc = json.loads(out.read_text())
    assert doc["flags"]["items-kill-switch"]["variants"] == {"on": True, "off": False}
    assert set_flag(t, "prod", "orders-api", "items-kill-switch", "off") == ("on", "off")
    assert check_tree(t) == []


def test_flags_seeded_from_the_service_flag_files(tmp_path: Path) -> None:
    seed = tmp_path / "svc"
    (seed / "flags").mkdir(parents=True)
    doc = {"flags": {"x": {"state": "ENABLED", "variants": {"on": True, "off": False},
                           "defaultVariant": "on"}}}  # fmt: skip
    (seed / "flags" / "qa.json").write_text(json.dumps(doc))
    t = GitopsTree(tmp_path)
    add_service(t, "svc", "https://git.example.com/r.git", "services/svc", seed)
    assert read_flags(t, "qa", "svc")["flags"] == doc["flags"]
    assert read_flags(t, "dev", "svc")["flags"] == {}
    (seed / "flags" / "dev.json").write_text("{not json")
    with pytest.raises(UsageError, match=r"dev\.json: not valid JSON"):
        add_service(GitopsTree(tmp_path), "svc2", "https://git.example.com/r.git", "s", seed)


def test_unknown_variant_is_refused_with_the_declared_ones(tree: Path) -> None:
    t = GitopsTree(tree)
    set_flag(t, "qa", "orders-api", "new-checkout", "off")
    with pytest.raises(UsageError, match=r"--variant 'maybe' is not a variant .*declared: off, on"):
        set_flag(t, "qa", "orders-api", "new-checkout", "maybe")


def test_check_finds_latest_and_unpinned_images(tree: Path) -> None:
    t = GitopsTree(tree)
    values = t.values_path("dev", "orders-api")
    values.write_text("image:\n  repository: r/orders-api\n  tag: latest\n")
    problems = check_tree(t)
    assert any("mentions the 'latest' tag" in p for p in problems)
    assert any("image.digest must be sha256:<64 hex>" in p for p in problems)
