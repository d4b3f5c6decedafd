"""copier.yml reads the environments and the duration buckets from slipway-contract.

The template's Jinja extension (scripts/copier_extensions/contract_facts.py, loaded
by copier-template-extensions) executes the contract's environments.py and
metrics.py from the template checkout being rendered and hands copier the
`contract` global. These tests hold that in place: copier.yml writes out no copy
of either list, a render follows the contract files of the checkout it renders
(not an installed slipway_contract), the copier CLI as users run it names the
contract's buckets, and without the extension package copier says what is missing.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from slipway_contract.environments import ENVIRONMENTS
from slipway_contract.metrics import DURATION_BUCKETS
from template_rendering import ROOT, render, template_snapshot

COPIER_YML = ROOT / "copier.yml"
CONTRACT = Path("platform/contract/src/slipway_contract")
EXTENSION = ROOT / "scripts" / "copier_extensions" / "contract_facts.py"
_NUMBER = r"\d+(?:\.\d+)?"
# Three or more numbers in a row separated by commas/blanks (a written-out bucket list).
_NUMBER_RUN = re.compile(rf"{_NUMBER}(?:[\s,]+{_NUMBER}){{2,}}")
_ENV = "|".join(map(re.escape, ENVIRONMENTS))
# Two environment names in a row, quoted or not (a written-out environment list).
_ENV_RUN = re.compile(rf"\b(?:{_ENV})\b['\"]?[\s,]+['\"]?\b(?:{_ENV})\b")


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(_NUMBER, text)]


def _bucket_message(text: str) -> list[float]:
    """The numbers copier's latency_threshold_seconds refusal lists."""
    match = re.search(r"chassis histogram\s+buckets (.*?) \(got", text, re.DOTALL)
    assert match, f"no bucket refusal in:\n{text[-2000:]}"
    return _numbers(match.group(1))


# ---------------------------------------------------------------- copier.yml as written
def test_copier_yml_writes_out_no_bucket_list() -> None:
    runs = [m.group(0) for m in _NUMBER_RUN.finditer(COPIER_YML.read_text())]
    copies = [run for run in runs if set(_numbers(run)) & set(DURATION_BUCKETS)]
    assert not copies, f"copier.yml writes out buckets {copies}: use contract.duration_buckets"


def test_copier_yml_writes_out_no_environment_list() -> None:
    copies = [m.group(0) for m in _ENV_RUN.finditer(COPIER_YML.read_text())]
    assert not copies, f"copier.yml writes out environments {copies}: use contract.environments"


def test_copier_yml_loads_the_contract_extension_through_the_path_loader() -> None:
    extensions = yaml.safe_load(COPIER_YML.read_text())["_jinja_extensions"]
    # The loader must come first: it patches how Jinja imports the extensions after it.
    assert extensions[0] == "copier_template_extensions.TemplateExtensionLoader"
    path, _, cls = extensions[1].partition(":")
    assert (ROOT / path).resolve() == EXTENSION.resolve()
    assert cls == "ContractFacts"


@pytest.mark.parametrize("name", ["environments.py", "metrics.py"])
def test_the_contract_files_the_extension_executes_are_stdlib_only(name: str) -> None:
    # copier's interpreter (uvx copier, slipway-fleet) has nothing of the workspace.
    tree = ast.parse((ROOT / CONTRACT / name).read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    stdlib = {*sys.stdlib_module_names, "__future__"}
    outside = {m for m in imported if m.split(".")[0] not in stdlib}
    assert not outside, f"{CONTRACT / name} imports {outside}: copier executes it by path"


def test_the_extension_hands_copier_the_contract_facts() -> None:
    spec = importlib.util.spec_from_file_location("_contract_facts_under_test", EXTENSION)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.contract_facts() == {
        "environments": list(ENVIRONMENTS),
        "duration_buckets": list(DURATION_BUCKETS),
    }


# ---------------------------------------------------------------- renders
@pytest.fixture(scope="module")
def altered_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template snapshot whose contract files say other things than the installed package."""
    src = template_snapshot(tmp_path_factory.mktemp("altered-contract"))
    for name, fact, value in (
        ("environments.py", "ENVIRONMENTS: tuple[str, ...]", ("dev", "preprod", "live")),
        ("metrics.py", "DURATION_BUCKETS: tuple[float, ...]", (0.1, 0.33, 0.7, 1.5)),
    ):
        path = src / CONTRACT / name
        text, replaced = re.subn(
            rf"^{re.escape(fact)} = \(.*?\)", f"{fact} = {value!r}", path.read_text(),
            count=1, flags=re.DOTALL | re.MULTILINE,
        )  # fmt: skip
        assert replaced == 1, f"{name} no longer defines `{fact} = (...)` as this test expects"
        path.write_text(text)
    return src


def _refusal(src: Path, dst: Path, answers: dict[str, Any]) -> str:
    with pytest.raises(ValueError, match="Validation error") as refused:
        render(src, dst, {"service_name": "orders-api", "repo_mode": "monorepo", **answers})
    return str(refused.value)


def test_a_render_follows_the_contract_files_of_the_checkout_it_renders(
    altered_template: Path, tmp_path: Path
) -> None:
    # The installed slipway_contract still says dev/qa/stage/prod and 19 buckets: what
    # the render shows can only come from the snapshot's files (fleet renders old and
    # new template releases with one installed contract).
    answers = {"service_name": "orders-api", "repo_mode": "monorepo",
               "latency_threshold_seconds": 0.33}  # fmt: skip
    project = render(altered_template, tmp_path / "out", answers)
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["environments"] == ["dev", "preprod", "live"]  # the default
    slo = yaml.safe_load((project / "slo.yaml").read_text())
    assert slo["load"]["p99_seconds"] == 1.5  # the smallest bucket >= 4 x 0.33

    message = _refusal(altered_template, tmp_path / "refused", {"latency_threshold_seconds": 0.3})
    assert _bucket_message(message) == [0.1, 0.33, 0.7, 1.5]
    message = _refusal(altered_template, tmp_path / "no-env", {"environments": []})
    assert "choose at least one of dev, preprod, live" in message
    with pytest.raises(ValueError, match="stage"):  # not a choice of this checkout
        render(altered_template, tmp_path / "stage", {**answers, "environments": ["dev", "stage"]})


def test_the_environment_question_offers_the_contract_environments(
    template_src: Path, tmp_path: Path
) -> None:
    message = _refusal(template_src, tmp_path / "none", {"environments": []})
    assert f"choose at least one of {', '.join(ENVIRONMENTS)}" in message
    message = _refusal(template_src, tmp_path / "no-first", {"environments": [ENVIRONMENTS[-1]]})
    assert f"must include {ENVIRONMENTS[0]} " in message


def _copier_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*args], capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_the_copier_cli_refuses_an_off_bucket_threshold_listing_the_contract_buckets(
    template_src: Path, tmp_path: Path
) -> None:
    # As users run it (README: copier copy --trust), with this environment's copier,
    # which has copier-template-extensions beside it as `uvx --with` gives.
    done = _copier_cli(
        sys.executable, "-m", "copier", "copy", "--trust", "--defaults",
        "--data", "service_name=orders-api", "--data", "latency_threshold_seconds=0.33",
        str(template_src), str(tmp_path / "out"),
    )  # fmt: skip
    assert done.returncode != 0, done.stdout + done.stderr
    assert _bucket_message(done.stderr) == list(DURATION_BUCKETS)
    assert "(got 0.33)" in done.stderr


def _interpreter_without_extension_package(root: Path) -> Path:
    """A real venv seeing this environment's packages except copier-template-extensions.

    Built from links, not installs (offline, and uv's cache may not hold every
    installed version): its site-packages names a folder of links to everything
    in this environment's site-packages but that package.
    """
    site_packages = Path(copier.__file__).resolve().parents[1]
    visible = root / "visible"
    visible.mkdir(parents=True)
    for entry in site_packages.iterdir():
        if not entry.name.startswith("copier_template_extensions"):  # package and dist-info
            (visible / entry.name).symlink_to(entry)
    venv.create(root / "venv", with_pip=False)
    python = root / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(purelib) / "visible.pth").write_text(f"{visible}\n")
    return python


def test_without_the_extension_package_copier_names_what_to_install(
    template_src: Path, tmp_path: Path
) -> None:
    # Copier as a user without the package runs it (plain `uvx copier`): a real
    # interpreter with copier and its dependencies and no copier-template-extensions.
    # copier's own message names the missing module; the README, CHANGELOG and the
    # services' READMEs say to run `uvx --with copier-template-extensions copier ...`.
    python = _interpreter_without_extension_package(tmp_path / "interpreter")
    done = _copier_cli(
        str(python), "-m", "copier", "copy", "--trust", "--defaults",
        "--data", "service_name=orders-api", str(template_src), str(tmp_path / "out"),
    )  # fmt: skip
    assert done.returncode != 0
    assert "No module named 'copier_template_extensions'" in done.stderr, done.stderr[-2000:]
    assert "install these extensions" in done.stderr
    assert not (tmp_path / "out" / "pyproject.toml").exists()
