"""Promotion policy on a temporary copy of the GitOps tree."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from slipway_contract.environments import ENVIRONMENTS
from slipway_delivery.errors import PromotionRefusedError, UsageError
from slipway_delivery.gitops_tree import GitopsTree
from slipway_delivery.promotion import promote, record_verification, rollback
from slipway_delivery.tree_check import check_tree

D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64
REPO = "127.0.0.1:5000/orders-api"


def _promote(t: GitopsTree, env: str, digest: str = D1, version: str = "1.4.0", **kw: object):
    kw.setdefault("trigger", "merge")
    return promote(t, "orders-api", env, digest, version, repository=REPO, **kw)  # type: ignore[arg-type]


@pytest.fixture
def built(tree: Path) -> GitopsTree:
    t = GitopsTree(tree)
    record_verification(t, "orders-api", "build", D1, "passed", version="1.4.0")
    return t


def test_dev_then_qa_after_dev_passed(built: GitopsTree) -> None:
    done, _ = _promote(built, "dev")
    assert done.files == ["envs/dev/orders-api/values.yaml", "envs/dev/orders-api/promotions.yaml"]
    values = yaml.safe_load(built.values_path("dev", "orders-api").read_text())
    assert values["image"] == {"repository": REPO, "tag": "1.4.0", "digest": D1}
    with pytest.raises(PromotionRefusedError, match="no recorded verification in 'dev'"):
        _promote(built, "qa")
    record_verification(built, "orders-api", "dev", D1, "passed")
    done, evidence = _promote(built, "qa")
    assert evidence["result"] == "passed"
    assert "deploy(qa): orders-api 1.4.0" in done.pr_title()
    assert check_tree(built) == []


def test_unbuilt_digest_never_reaches_dev(tree: Path) -> None:
    with pytest.raises(PromotionRefusedError, match="no recorded verification in 'build'"):
        _promote(GitopsTree(tree), "dev")


def test_failed_check_blocks_even_after_an_earlier_pass(built: GitopsTree) -> None:
    record_verification(built, "orders-api", "dev", D1, "passed")
    record_verification(built, "orders-api", "dev", D1, "failed")
    with pytest.raises(PromotionRefusedError, match="failed its 'dev' checks"):
        _promote(built, "qa")


def test_prod_refuses_an_unverified_digest(built: GitopsTree) -> None:
    with pytest.raises(PromotionRefusedError, match="no recorded verification in 'stage'"):
        _promote(built, "prod", trigger="tag", approved_by="alice")
    assert not built.values_path("prod", "orders-api").exists()


@pytest.mark.parametrize(
    ("kw", "version", "message"),
    [
        ({"trigger": "merge", "approved_by": "alice"}, "1.4.0", "moves only on a release tag"),
        ({"trigger": "tag"}, "1.4.0", "needs an approval: --approved-by"),
        ({"trigger": "tag", "approved_by": "alice"}, "1.4.1-rc.1", "release versions only"),
    ],
)
def test_stage_needs_tag_release_version_and_approval(
    built: GitopsTree, kw: dict[str, str], version: str, message: str
) -> None:
    record_verification(built, "orders-api", "qa", D1, "passed")
    with pytest.raises(PromotionRefusedError, match=message):
        _promote(built, "stage", version=version, **kw)


def test_stage_and_prod_with_tag_and_approval(built: GitopsTree) -> None:
    for env in ("dev", "qa"):
        record_verification(built, "orders-api", env, D1, "passed")
    _promote(built, "stage", trigger="tag", approved_by="alice", git_ref="refs/tags/v1.4.0")
    history = built.promotions("stage", "orders-api")
    assert history[-1]["approved_by"] == "alice"
    assert history[-1]["from"] == "qa"
    with pytest.raises(PromotionRefusedError, match="no recorded verification in 'stage'"):
        _promote(built, "prod", trigger="tag", approved_by="alice")
    record_verification(built, "orders-api", "stage", D1, "passed")
    _promote(built, "prod", trigger="tag", approved_by="bob")
    assert built.current_image("prod", "orders-api")["digest"] == D1


def test_version_must_match_the_build(built: GitopsTree) -> None:
    with pytest.raises(PromotionRefusedError, match=r"was built as version 1.4.0, not 9.9.9"):
        _promote(built, "dev", version="9.9.9")


def test_rollback_pins_the_previous_digest(built: GitopsTree) -> None:
    record_verification(built, "orders-api", "build", D2, "passed", version="1.5.0")
    _promote(built, "dev")
    record_verification(built, "orders-api", "dev", D1, "passed")
    _promote(built, "dev", digest=D2, version="1.5.0")
    done, _ = rollback(built, "orders-api", "dev")
    assert (done.previous_digest, done.digest) == (D2, D1)
    assert built.current_image("dev", "orders-api")["digest"] == D1
    assert built.promotions("dev", "orders-api")[-1]["trigger"] == "rollback"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"digest": "sha256:abc"}, "is not an image digest"),
        ({"version": "v1"}, "--version 'v1' is not SemVer"),
        ({"trigger": "push"}, "--trigger 'push' must be"),
    ],
)
def test_bad_input_names_the_field(built: GitopsTree, args: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _promote(built, "dev", **args)


def test_unknown_environment_and_service_name(built: GitopsTree) -> None:
    legal = ", ".join(ENVIRONMENTS)
    with pytest.raises(UsageError, match=f"--env 'preprod' is not one of {legal}"):
        _promote(built, "preprod")
    with pytest.raises(UsageError, match="DNS-1123"):
        promote(built, "Orders_API", "dev", D1, "1.4.0", repository=REPO, trigger="merge")
