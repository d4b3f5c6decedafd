"""Slipway's nox sessions: the same gates locally and in CI.

`nox -l` lists them; `nox -t ci` runs everything CI runs. pyproject.toml is the
single source of truth for dependencies: sessions install the workspace from
uv.lock with `uv sync`, choosing dependency groups, never their own pins.

Adding a session is a few lines: decorate a function with `@session(...)`,
call `_sync(s, "group")`, run the tool.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import nox

# nox runs this file with its own interpreter, outside the workspace venv:
# slipway-contract has no dependencies, so its source is importable as is.
sys.path.insert(0, str(Path(__file__).parent / "platform" / "contract" / "src"))
from slipway_contract.ci import in_ci

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
# `nox` with no arguments runs the fast, everyday gates.
nox.options.sessions = ["lint", "typecheck", "tests"]

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PYTHON = "3.11"
TOOLS_BIN = Path(os.environ.get("SLIPWAY_TOOLS_DIR", "/opt/slipway")) / "bin"
IN_CI = in_ci()  # the CI policy: a check that cannot run skips locally, fails in CI

# Tools provisioned by scripts/provision.sh come first in PATH for every session.
os.environ["PATH"] = f"{TOOLS_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.setdefault("TF_CLI_CONFIG_FILE", str(ROOT / "terraform" / "terraformrc"))
# testcontainers must not try to pull its Ryuk reaper image (no registry here).
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

session = nox.session  # alias: every session below is declared the same way


def _sync(s: nox.Session, *groups: str) -> None:
    """Install the whole workspace from uv.lock plus the named dependency groups."""
    args = ["uv", "sync", "--all-packages", "--inexact"]
    if IN_CI:
        args.append("--locked")  # CI refuses a stale lock instead of re-resolving
    args += [f"--group={g}" for g in groups]
    s.run_install(*args, env={"UV_PROJECT_ENVIRONMENT": s.virtualenv.location}, silent=True)


def _require(s: nox.Session, *tools: str) -> bool:
    """True if every tool is on PATH; otherwise skip (laptop) or fail (CI)."""
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return True
    msg = f"{', '.join(missing)} not found: this session's checks were NOT run"
    if IN_CI:
        s.error(f"{msg} (CI=true requires them; run scripts/provision.sh)")
    s.skip(f"{msg}. Run scripts/provision.sh to install them.")
    return False


def _git_files(*patterns: str) -> list[str]:
    """Tracked and untracked-but-not-ignored files matching git pathspecs."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *patterns],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return [f for f in out if (ROOT / f).exists()]


def workspace_members() -> list[Path]:
    """Workspace member folders, as declared in the root pyproject.toml."""
    ws = PYPROJECT["tool"]["uv"]["workspace"]
    excluded = {ROOT / e for e in ws.get("exclude", [])}
    members: list[Path] = []
    for pattern in ws["members"]:
        for path in sorted(ROOT.glob(pattern)):
            if path not in excluded and (path / "pyproject.toml").is_file():
                members.append(path)
    return members


# ------------------------------------------------------------------ everyday gates
@session(python=PYTHON, tags=["ci", "fast"])
def lint(s: nox.Session) -> None:
    """Lint: ruff, ruff format, yamllint, hadolint, shellcheck, actionlint, GitLab CI schema."""
    _sync(s, "lint")
    s.run("ruff", "check", ".")
    s.run("ruff", "format", "--check", ".")
    s.run("yamllint", "--strict", ".")
    # template/ holds Jinja sources, not Dockerfiles or scripts: their rendered
    # output (services/, and the template tests' render matrix) is linted instead.
    if dockerfiles := _git_files("*Dockerfile", ":!template/"):
        s.run("hadolint", *dockerfiles)
    if scripts := _git_files("*.sh", ".ci/run", ":!template/"):
        s.run("shellcheck", "--severity=style", *scripts)
    if workflows := _git_files(".github/workflows/*.yml", "services/*/.github/workflows/*.yml"):
        s.run("actionlint", *workflows)
    # GitLab CI: its JSON schema; the root file is generated (scripts/ci_workflows.py).
    if gitlab := _git_files(".gitlab-ci.yml", "services/*/.gitlab-ci.yml"):
        s.run("check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", *gitlab)
    s.run("python", "scripts/ci_workflows.py", "--check")


@session(python=PYTHON, tags=["ci", "fast"])
def typecheck(s: nox.Session) -> None:
    """Type-check the platform packages with mypy (strict for the chassis)."""
    _sync(s, "typecheck", "test")
    s.run("mypy", *s.posargs)


@session(python=PYTHON, tags=["ci"])
def tests(s: nox.Session) -> None:
    """Run pytest for the root tests and every workspace member (posargs pass through)."""
    _sync(s, "test")
    if s.posargs:
        s.run("pytest", *s.posargs)
        return
    # One pytest run per suite (members' helper modules may share names), and
    # every suite runs even when an earlier one fails: CI shows all failures.
    # Two lanes: the root suite (live output) beside the members' suites one after
    # another (each logged to reports/tests/, printed when it ends). Most tests wait
    # on containers and child processes, so two lanes keep both cores busy: the
    # session took 19.5 min in one lane on the 2-core CI machine.
    members = [
        str(m.relative_to(ROOT) / "tests") for m in workspace_members() if (m / "tests").is_dir()
    ]
    logs = ROOT / "reports" / "tests"
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        **{k: v for k, v in s.env.items() if v is not None},
        "PATH": f"{s.bin}{os.pathsep}{os.environ['PATH']}",
        "VIRTUAL_ENV": str(s.virtualenv.location),
    }
    pytest = str(Path(s.bin) / "pytest")
    member_results: dict[str, tuple[int, float, Path]] = {}

    def member_lane() -> None:
        for suite in members:
            log = logs / (suite.replace("/", "_") + ".log")
            started = time.monotonic()
            with log.open("w") as out:
                code = subprocess.call(
                    [pytest, suite, "--durations=10", "-p", "no:cacheprovider"],
                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
            member_results[suite] = (code, time.monotonic() - started, log)
            verdict = "passed" if code == 0 else f"FAILED (exit {code})"
            print(f"[members] {suite} {verdict} in {member_results[suite][1]:.0f} s", flush=True)

    lane = threading.Thread(target=member_lane, name="member-suites")
    lane.start()
    failed = []
    try:
        # --durations: what each suite costs is visible in every CI log.
        s.run("pytest", "tests", "--durations=10")
    except nox.command.CommandFailed:
        failed.append("tests")
    lane.join()
    for suite in members:
        if suite not in member_results:  # the lane itself broke: its traceback is above
            failed.append(suite)
            continue
        code, seconds, log = member_results[suite]
        s.log(f"----- {suite}: exit {code} in {seconds:.0f} s ({log.relative_to(ROOT)})")
        print(log.read_text(), flush=True)
        if code != 0:
            failed.append(suite)
    if failed:
        s.error(f"pytest failed in: {', '.join(failed)}")


# Area sessions follow, one block per area. Each block is owned by one area;
# keep session bodies thin (logic lives in the area's package or tests).


# ------------------------------------------------------------------ chassis (bench)
# (sessions: bench)
@session(python=PYTHON, default=False)
def bench(s: nox.Session) -> None:
    """Chassis overhead vs bare FastAPI and the template's timings, one table; not a CI gate.

    `nox -s bench -- --skip-template --against REF` compares another commit's chassis
    in the same rounds (platform/chassis/bench/against.py; needs git and uv).
    """
    if not _require(s, "wrk", "taskset", "docker"):  # wrk: `apt-get install wrk`
        return
    _sync(s, "bench", "test")  # test: copier and pytest for the template timings
    s.run("python", "platform/chassis/bench/run.py", *s.posargs)


# ------------------------------------------------------------------ template
# (sessions: template, demo)
@session(python=PYTHON)
def template(s: nox.Session) -> None:
    """Template tests: questions, render matrix, example re-render, update (CI: via `tests`)."""
    _sync(s, "test", "lint")
    s.run("pytest", "tests/template", *s.posargs)


@session(python=PYTHON)
def demo(s: nox.Session) -> None:
    """Generate a new service, build its image, start it, call it (`-- --bench` times more)."""
    if not _require(s, "docker"):
        return
    _sync(s, "test")
    s.run("python", "tests/template/demo.py", *s.posargs)


# ------------------------------------------------------------------ helm
# (sessions: helm)
@session(python=PYTHON)
def helm(s: nox.Session) -> None:
    """The Helm chart: lint, render matrix, kubernetes-validate, checkov, promtool (tests/helm)."""
    # Not tagged "ci": the root `tests` session already runs tests/helm.
    if not _require(s, "helm", "checkov", "promtool"):
        return
    _sync(s, "test")
    s.run("pytest", *(s.posargs or ["tests/helm"]))


# ------------------------------------------------------------------ observability
# (sessions: observability)
# Not tagged "ci": its pytest suite already runs in `tests`; this one adds the
# generated artefacts for every service spec (build/observability/, git-ignored).
@session(python=PYTHON, tags=["observability"])
def observability(s: nox.Session) -> None:
    """Check every slo.yaml, run its promtool alert tests, render dashboards (JSON+PNG)."""
    _sync(s, "test")
    if not _require(s, "promtool", "amtool", "prometheus", "alertmanager"):
        return
    specs = [ROOT / p for p in _git_files("services/*/slo.yaml", "platform/observability/examples")]
    for spec in sorted(p for p in specs if p.name.endswith("slo.yaml")):
        out = ROOT / "build" / "observability" / spec.parent.name / spec.stem
        s.run("slipway-obs", "check", str(spec))
        s.run("slipway-obs", "test", str(spec), "-o", str(out / "rules"))
        s.run("slipway-obs", "dashboards", str(spec), "-o", str(out / "dashboards"))
    s.run("pytest", "platform/observability/tests", *s.posargs)


# ------------------------------------------------------------------ terraform and ansible
# Not tagged "ci": both are pytest suites under tests/, which the `tests` session
# already runs in CI. These sessions run one area alone (posargs go to pytest).
@session(python=PYTHON)
def terraform(s: nox.Session) -> None:
    """Terraform: fmt, init -backend=false, validate, terraform test, checkov."""
    _sync(s, "test")
    if _require(s, "terraform", "checkov"):
        s.run("pytest", "tests/terraform", *s.posargs)


@session(python=PYTHON)
def ansible(s: nox.Session) -> None:
    """Ansible: ansible-lint, then the bastion playbook twice against a container."""
    _sync(s, "test", "ansible")
    if _require(s, "docker"):
        s.run("pytest", "tests/ansible", *s.posargs)


# ------------------------------------------------------------------ quality gates
# (sessions: security, load, e2e, e2e-kind)
# Logic lives in slipway-gates (platform/gates); generated services call the same CLI.
# Test-only dependency images (CONTRACTS.md "Images"): never deployed, so checkov's
# deployment rules (HEALTHCHECK, pinned FROM) do not apply; hadolint still lints them.
_TEST_ONLY_IMAGES = ("platform/images/*", "*/tests/fixtures/*")


def _example_services(kind: str | None = None) -> list[str]:
    """services/* generated from the template (optionally only one service_kind)."""
    found = []
    for answers in sorted(ROOT.glob("services/*/.copier-answers.yml")):
        text = answers.read_text()
        if kind is None or f"service_kind: {kind}" in text:
            found.append(str(answers.parent.relative_to(ROOT)))
    return found


def _services_to_check(s: nox.Session, kind: str | None = None) -> list[str]:
    """The example services, or stop: a gate with nothing to run must not pass silently."""
    if found := _example_services(kind):
        return found
    msg = f"no example {kind or ''} service under services/: this session's checks were NOT run"
    if IN_CI:
        s.error(msg)
    s.skip(msg)
    return []


@session(python=PYTHON, tags=["ci"])
def security(s: nox.Session) -> None:
    """Security gates: checkov, bandit + ruff S, vulnerabilities, licences, secrets, hadolint."""
    if not _require(s, "checkov", "helm", "docker"):
        return
    _sync(s)
    test_only = [a for g in _TEST_ONLY_IMAGES for a in ("--test-only", g)]
    images = [a for svc in _services_to_check(s) for a in ("--build-image", svc)]
    s.run("slipway-gates", "security", "--root", ".", *test_only, *images, *s.posargs)


@session(python=PYTHON, tags=["ci"])
def load(s: nox.Session) -> None:
    """Locust against each example HTTP service in Docker, judged by its slo.yaml `load:`."""
    if not _require(s, "docker"):
        return
    _sync(s)
    # CI judges the SLO at a modest, steady load (2 shared cores): 10 users for 20 s.
    args = s.posargs or ["--users", "10", "--spawn-rate", "5", "--duration", "20s"]
    for svc in _services_to_check(s, "http-api"):
        s.run("slipway-gates", "load", "--service-dir", svc, *args)


@session(python=PYTHON, tags=["ci"])
def e2e(s: nox.Session) -> None:
    """Example services (HTTP and worker) on Docker with real deps, OTLP receiver, Prometheus."""
    if not _require(s, "docker", "prometheus"):
        return
    _sync(s, "test")  # the recovery drill drives Docker and the API with the test group's clients
    for svc in _services_to_check(s):
        s.run("slipway-gates", "e2e", "--service-dir", svc, *s.posargs)
    # The recovery drill of every example with a database (backup, destroy, full and
    # point-in-time restore, consistency check): its RTO/RPO and warm-up p95 in the output.
    for svc in _services_to_check(s):
        if (ROOT / svc / "drill" / "recovery.py").is_file():
            report = ROOT / "reports" / f"drill-{Path(svc).name}.json"
            with s.chdir(ROOT / svc):
                s.run("python", "drill/recovery.py", "--report", str(report))


@session(python=PYTHON, name="e2e-kind")
def e2e_kind(s: nox.Session) -> None:
    """The chart on a kind cluster per environment (skips loudly where kind cannot run)."""
    _sync(s)
    for svc in _services_to_check(s):
        s.run("slipway-gates", "e2e-kind", "--service-dir", svc, "--chart", "helm/slipway-service")


# ------------------------------------------------------------------ delivery
# (sessions: release, pipeline)
EXAMPLE_SERVICE = "services/orders-api"


@session(python=PYTHON, default=False)
def release(s: nox.Session) -> None:
    """Release a service: wheelhouse, build, SBOM, gates, push, pull by digest, smoke."""
    _sync(s, "lint", "test")  # lint brings hadolint for the image gates
    if not _require(s, "docker"):
        return
    args = s.posargs or ["--service-dir", EXAMPLE_SERVICE, "--push", "--smoke-route", "/items"]
    s.run("slipway-release", "run", *args)


@session(python=PYTHON, default=False)
def images(s: nox.Session) -> None:
    """Push the platform's images (base, test dependencies) once: -- --registry HOST[:PORT]."""
    _sync(s)
    if not _require(s, "docker"):
        return
    s.run("python", "-m", "slipway_delivery.platform_images", *s.posargs)


@session(python=PYTHON, tags=["ci"])
def pipeline(s: nox.Session) -> None:
    """Full local pipeline on orders-api: release, dev + kill switch flip, qa, prod refused."""
    _sync(s, "lint", "test")  # lint brings hadolint for the image gates
    if not _require(s, "docker"):
        return
    # The image gates (secrets in the image, hadolint) run on the real release; the
    # kill switch flip runs against the real chassis (flagd file watcher).
    item = '{"name": "mug", "quantity": 1, "unit_price": "2.50"}'
    args = s.posargs or [
        "--service-dir", EXAMPLE_SERVICE, "--smoke-route", "/items",
        "--kill-switch", "items-write-enabled", "--kill-switch-request", f"POST /items {item}",
    ]  # fmt: skip
    s.run("python", "-m", "slipway_delivery.local_pipeline", *args)


# ------------------------------------------------------------------ fleet
# (sessions: fleet)
@session(python=PYTHON)
def fleet(s: nox.Session) -> None:
    """Fleet updates: slipway-fleet tests, then the 20/50-member benchmark (1 and 2 workers)."""
    # Not tagged "ci": the root `tests` session already runs platform/fleet/tests.
    _sync(s, "test")
    s.run("pytest", "platform/fleet/tests", *s.posargs)
    s.run("slipway-fleet", "bench", "--members", "20,50", "--jobs", "1,2")


# ------------------------------------------------------------------ index and template releases
# (sessions: index, publish, template-release). Logic: platform/index (slipway-index)
# and scripts/template_release.py. Not tagged "ci": their tests run in `tests`.
@session(python=PYTHON, default=False)
def index(s: nox.Session) -> None:
    """Serve the private package index (pypiserver, upload auth) on 127.0.0.1:3141."""
    _sync(s)
    s.run("slipway-index", "serve", *s.posargs)


@session(python=PYTHON, default=False)
def publish(s: nox.Session) -> None:
    """Build the platform packages a service needs at the release tag, upload to the index."""
    _sync(s)
    s.run("slipway-index", "publish", *s.posargs)


@session(python=PYTHON, name="template-release", default=False)
def template_release(s: nox.Session) -> None:
    """Release the template: check migrations, changelog, examples' drift, newer tag; tag."""
    if not s.posargs:
        s.error("give the version: nox -s template-release -- X.Y.Z")
    _sync(s, "test")  # copier renders the examples for the drift check
    s.run("python", "scripts/template_release.py", *s.posargs)
