"""The full local pipeline on a real Docker engine and the local registry.

build (cold, then warm from the BuildKit cache) -> SBOM -> gates -> push to
127.0.0.1:5000 -> pull by digest -> run -> smoke -> promote dev -> qa in a temp
copy of the GitOps tree -> an unverified promotion to prod is refused.
The service is tests/fixtures/hello-service (speaks the chassis contract).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from delivery_helpers import FIXTURE_SERVICE, git
from slipway_contract.exit_codes import ExitCode
from slipway_delivery import gitops_cli, smoke_cli
from slipway_delivery.containers import run_service
from slipway_delivery.imagebuild import build_image, docker
from slipway_delivery.registry import push
from slipway_delivery.release import ReleaseOptions, run_release
from slipway_delivery.wheelhouse import build_wheelhouse

pytestmark = [pytest.mark.requires("docker", "registry"), pytest.mark.timeout(600)]

SERVICE = "delivery-hello"  # area-prefixed image name (shared Docker engine)
REGISTRY = "127.0.0.1:5000"


def _say(request: pytest.FixtureRequest, text: str) -> None:
    """Figures for the report, printed past pytest's capture (visible in CI logs)."""
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n[delivery] {text}", flush=True)


def _layers(image_id: str) -> list[str]:
    return json.loads(
        docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", image_id, what="x")
    )


@pytest.fixture(scope="module")
def cold_build() -> Any:
    build_wheelhouse(FIXTURE_SERVICE)
    # The release stamps the commit time into the layer (SOURCE_DATE_EPOCH): so does this.
    epoch = int(git(FIXTURE_SERVICE, "log", "-1", "--format=%ct"))
    return build_image(
        FIXTURE_SERVICE,
        f"{REGISTRY}/{SERVICE}",
        ["0.0.0-cold"],
        no_cache=True,
        source_date_epoch=epoch,
    )


@pytest.fixture(scope="module")
def release(cold_build: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("release")
    return run_release(
        ReleaseOptions(
            service_dir=FIXTURE_SERVICE,
            service=SERVICE,
            registry=REGISTRY,
            push=True,
            routes=["/items"],
            out=out,
        )
    )


def test_warm_rebuild_reuses_the_cache(
    cold_build: Any, release: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    warm = release["build"]
    ratio = warm["seconds"] / cold_build.seconds
    _say(
        request,
        f"build cold {cold_build.seconds:.1f}s, warm {warm['seconds']:.1f}s "
        f"(warm/cold {ratio:.2f}), cached steps {warm['cached_steps']}, "
        f"image {warm['size_bytes'] / 1e6:.1f} MB",
    )
    # Same inputs -> every step from the cache -> the very same layers (the
    # release adds OCI labels, which change only the config, not the layers).
    assert _layers(warm["image_id"]) == _layers(cold_build.image_id)
    assert warm["cached_steps"] >= 5
    assert cold_build.cached_steps < warm["cached_steps"]


def test_release_tags_version_and_sha_never_latest(release: dict[str, Any]) -> None:
    version, sha = release["tags"]
    assert version == release["version"]
    assert len(sha) == 40
    tags = httpx.get(f"http://{REGISTRY}/v2/{SERVICE}/tags/list", timeout=10).json()["tags"]
    assert {version, sha} <= set(tags)
    assert "latest" not in tags


def test_pushed_digest_is_in_the_registry(release: dict[str, Any]) -> None:
    digest = release["digest"]
    response = httpx.head(
        f"http://{REGISTRY}/v2/{SERVICE}/manifests/{digest}",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Docker-Content-Digest"] == digest
    assert release["smoke_image"] == f"{REGISTRY}/{SERVICE}@{digest}"


def test_sbom_lists_the_image_python_environment(release: dict[str, Any]) -> None:
    sbom = json.loads(Path(release["sbom"]["path"]).read_text())
    assert sbom["bomFormat"] == "CycloneDX"
    assert sbom["specVersion"] == "1.6"
    purls = {c["purl"] for c in sbom["components"]}
    assert "pkg:pypi/prometheus-client@0.21.1" in purls
    assert "pkg:pypi/hello-service@0.1.0" in purls
    # What shipped, not the lock: setuptools (from python3 -m venv) is listed, pip was removed.
    assert any(p.startswith("pkg:pypi/setuptools@") for p in purls)
    assert not any(p.startswith("pkg:pypi/pip@") for p in purls)
    image = {p["value"] for p in sbom["metadata"]["properties"] if p["name"] == "slipway:image"}
    assert image == {release["build"]["refs"][0]}


def test_gates_are_recorded_honestly(
    release: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    statuses = {g["name"]: g["status"] for g in release["gates"]}
    _say(request, f"image gates: {statuses}")
    assert statuses
    assert set(statuses.values()) <= {"passed", "failed", "error", "not-run"}
    blocking = {"failed", "error"} & set(statuses.values())
    assert (release["result"] == "failed") == bool(
        blocking or release["smoke"]["result"] != "passed"
    )


def test_image_pulled_by_digest_passes_the_smoke_test(release: dict[str, Any]) -> None:
    smoke = release["smoke"]
    assert smoke["result"] == "passed", smoke
    names = {c["name"] for c in smoke["checks"]}
    assert {"health /livez", "health /readyz", "health /startupz", "route /items"} <= names
    assert {"slo-availability", "slo-latency"} <= names
    assert smoke["window"]["requests_counted"] == smoke["window"]["requests_sent"]


def test_smoke_fails_a_broken_deploy_so_the_pipeline_rolls_back(
    release: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"SERVICE_NAME": SERVICE, "APP_ENV": "dev", "HELLO_FAIL_EVERY": "10"}
    with run_service(release["smoke_image"], env=env, name_prefix=SERVICE) as svc:
        args = ["--url", svc.url, "--route", "/items", "--window", "1"]
        code = smoke_cli.main([*args, "--out", str(tmp_path / "e.json")])
    out = capsys.readouterr().out
    assert code == 1
    assert re.search(r"FAIL slo-availability: 5xx ratio 0\.(09|10)\d+ \(\d+/\d+\)", out), out
    assert "FAIL route /items" in out
    assert json.loads((tmp_path / "e.json").read_text())["result"] == "failed"


def test_promote_dev_to_qa_and_refuse_unverified_prod(
    release: dict[str, Any], tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    digest, version = release["digest"], release["version"]
    base = ["--tree", str(tree)]
    common = ["--service", SERVICE, "--digest", digest]
    evidence = tmp_path / "release.json"
    evidence.write_text(json.dumps(release))
    repo_url = "https://git.example.com/slipway/slipway.git"
    assert (
        gitops_cli.main([*base, "add-service", "--service", SERVICE, "--repo-url", repo_url]) == 0
    )
    assert gitops_cli.main([*base, "record", *common, "--env", "build",
                            "--result", release["smoke"]["result"], "--version", version,
                            "--evidence", str(evidence)]) == 0  # fmt: skip
    image = ["--image", f"{REGISTRY}/{SERVICE}"]
    assert gitops_cli.main([*base, "promote", *common, "--env", "dev", "--version", version,
                            *image, "--trigger", "merge"]) == 0  # fmt: skip

    # "dev" here is the image pulled by digest, run in a container: smoke it, record it.
    smoke_json = tmp_path / "dev-smoke.json"
    with run_service(f"{REGISTRY}/{SERVICE}@{digest}", env={"APP_ENV": "dev"}) as svc:
        code = smoke_cli.main(["--url", svc.url, "--route", "/items", "--window", "1",
                               "--out", str(smoke_json)])  # fmt: skip
    assert code == 0
    assert gitops_cli.main([*base, "record", *common, "--env", "dev", "--result", "passed",
                            "--evidence", str(smoke_json)]) == 0  # fmt: skip
    pr = tmp_path / "pr.md"
    assert gitops_cli.main([*base, "promote", *common, "--env", "qa", "--version", version,
                            *image, "--pr-body", str(pr)]) == 0  # fmt: skip
    assert pr.read_text().startswith(f"deploy(qa): {SERVICE} {version}")
    qa_values = (tree / "envs" / "qa" / SERVICE / "values.yaml").read_text()
    assert f"digest: {digest}" in qa_values

    capsys.readouterr()
    code = gitops_cli.main([*base, "promote", *common, "--env", "prod", "--version", version,
                            "--trigger", "tag", "--approved-by", "alice"])  # fmt: skip
    assert code == ExitCode.NEEDS_HUMAN  # refused: CONTRACTS.md exit 4
    assert "slipway-gitops: error: refused: " in (err := capsys.readouterr().err)
    assert "no recorded verification in 'stage'" in err
    assert not (tree / "envs" / "prod" / SERVICE / "values.yaml").exists()
    # Even verified in stage, this untagged build's pre-release version stays out of prod.
    assert gitops_cli.main([*base, "record", *common, "--env", "stage", "--result", "passed"]) == 0
    code = gitops_cli.main([*base, "promote", *common, "--env", "prod", "--version", version,
                            "--trigger", "tag", "--approved-by", "alice"])  # fmt: skip
    assert code == ExitCode.NEEDS_HUMAN  # refused: CONTRACTS.md exit 4
    assert "prod takes release versions only" in capsys.readouterr().err
    assert gitops_cli.main([*base, "check"]) == 0


def test_failed_smoke_rolls_dev_back_and_blocks_qa(
    release: dict[str, Any], tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second release that misbehaves in dev: smoke exits 1, dev rolls back, qa refuses it."""
    good, version = release["digest"], release["version"]
    repository = f"{REGISTRY}/{SERVICE}"
    # Same layers, another config (a label): a distinct digest, as a new build would have.
    bad_image = build_image(
        FIXTURE_SERVICE, repository, [f"{version}-bad"], labels={"slipway.test": "bad-release"}
    )
    bad = push(bad_image.refs)
    assert bad != good
    base = ["--tree", str(tree)]
    svc = ["--service", SERVICE]
    promote = [*base, "promote", *svc, "--env", "dev", "--version", version, "--image", repository]
    for digest in (good, bad):
        assert gitops_cli.main([*base, "record", *svc, "--env", "build", "--digest", digest,
                                "--result", "passed"]) == 0  # fmt: skip
        assert gitops_cli.main([*promote, "--digest", digest]) == 0
        if digest == good:  # the good release passed its dev checks before the bad one came
            assert gitops_cli.main([*base, "record", *svc, "--env", "dev", "--digest", good,
                                    "--result", "passed"]) == 0  # fmt: skip

    env = {"APP_ENV": "dev", "HELLO_FAIL_EVERY": "5"}  # the bad release's bug
    with run_service(f"{repository}@{bad}", env=env, name_prefix=SERVICE) as svc_:
        code = smoke_cli.main(["--url", svc_.url, "--route", "/items", "--window", "1"])
    assert code == 1
    assert gitops_cli.main([*base, "record", *svc, "--env", "dev", "--digest", bad,
                            "--result", "failed"]) == 0  # fmt: skip
    assert gitops_cli.main([*base, "rollback", *svc, "--env", "dev", "--reason", "smoke"]) == 0
    values = (tree / "envs" / "dev" / SERVICE / "values.yaml").read_text()
    assert f"digest: {good}" in values
    capsys.readouterr()
    code = gitops_cli.main([*base, "promote", *svc, "--env", "qa", "--digest", bad,
                            "--version", version, "--image", repository])  # fmt: skip
    assert code == ExitCode.NEEDS_HUMAN  # refused: CONTRACTS.md exit 4
    assert "failed its 'dev' checks" in capsys.readouterr().err
