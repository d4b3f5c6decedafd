"""Every shared fact is written once: a scan of the tree for literal copies.

slipway_contract owns the facts (platform/contract/README.md has the table). The
copy-prone ones are searched for in their literal forms, built from the owner's
own values so the scan follows the contract:

- the histogram buckets as a sequence (`0.005, 0.01, 0.025, ...` in any syntax);
- the environment list (`"dev", "qa", "stage"`, `[dev, qa, stage`, `dev,qa,stage`);
- the DNS-1123 label rule (`[a-z0-9]([-a-z0-9]...`);
- "am I in CI" read from the environment (`os.environ.get("CI")` and its spellings).

A hit outside the owner fails with file:line, unless it is in EXCEPTIONS: files
that cannot import Python (Helm JSON schema, Terraform, YAML configs, copier.yml),
or run where slipway_contract is not installed (a generated service's noxfile, a
stand-in test service). Each exception names the test that fails when it drifts
from the owner; the pins not written elsewhere are the `test_pin_*` tests below.
Not scanned: prose for people, i.e. Markdown (CONTRACTS.md is held to the
contract by platform/contract/tests/test_contracts_md.py) and Python docstrings,
and services/ (byte-exact renders of template/, tests/template/test_examples.py).
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import yaml
from slipway_contract.ci import in_ci
from slipway_contract.env_vars import CHASSIS_ENV_VARS
from slipway_contract.environments import ENVIRONMENTS
from slipway_contract.metrics import DURATION_BUCKETS, METRIC_NAMES, family
from slipway_contract.names import DNS1123_LABEL, is_dns1123_label

ROOT = Path(__file__).resolve().parents[2]
OWNER = "platform/contract/*"  # the contract's source, and its tests pinning its values
NOT_SCANNED = ("services/*", "*.md", "uv.lock", "tests/repo/test_single_source.py")


def _sequence(items: tuple[str, ...], sep: str = r"[^\w.]{1,30}") -> str:
    return sep.join(re.escape(i) + r"\b" for i in items)


_QUOTED_ENVS = r"\s*,\s*".join(rf"(['\"]){e}\{n + 1}" for n, e in enumerate(ENVIRONMENTS[:3]))
PATTERNS: dict[str, re.Pattern[str]] = {
    "duration buckets": re.compile(
        r"(?<![\w.])" + _sequence(tuple(f"{b:g}" for b in DURATION_BUCKETS[:3]))
    ),
    "environment list": re.compile(
        "|".join(
            (
                _QUOTED_ENVS,  # Python, JSON, HCL, Jinja: "dev", "qa", "stage"
                r"\[\s*" + _sequence(ENVIRONMENTS[:3], r"\s*,\s*"),  # YAML flow: [dev, qa, stage
                r"\b" + _sequence(ENVIRONMENTS[:3], ","),  # a CLI argument: dev,qa,stage
                r"-\s*" + _sequence(ENVIRONMENTS[:3], r"\s*\n\s*-\s*"),  # YAML block list
            )
        )
    ),
    # The label rule's opening, with a digit or a letter first: `[a-z0-9]([-a-z0-9]`.
    "DNS-1123 rule": re.compile(r"\[a-z(?:0-9)?\]\(\[(?:-a-z0-9|a-z0-9-)\]"),
    "CI detection": re.compile(
        r"""environ(?:\.get)?\s*[(\[]\s*['"]CI['"]|getenv\(\s*['"]CI['"]|['"]CI['"]\s+in\s+os\.environ"""
    ),
}


@dataclass(frozen=True)
class Excepted:
    """Files allowed to hold a copy of `fact`: why, and the test that pins the copy."""

    fact: str
    paths: str  # a glob, relative to the root
    why: str
    pinned_by: str
    may_vanish: bool = False  # a copy being removed by work in progress (listed as such)


EXCEPTIONS = (
    # copier.yml reads the environments and buckets from the contract through its
    # Jinja extension (scripts/copier_extensions/contract_facts.py); its name rules
    # are stricter than the label rule on purpose.
    Excepted(
        "DNS-1123 rule",
        "copier.yml",
        "service_name and owner_team: a letter first (a Python package name), at most 40",
        "test_pin_stricter_name_rules_accept_only_labels",
    ),
    Excepted(
        "duration buckets",
        "helm/slipway-service/values.schema.json",
        "JSON schema enums of every latency threshold (Helm cannot import Python)",
        "tests/helm/test_helm_values.py::test_schema_latency_thresholds_are_the_contract_buckets",
    ),
    Excepted(
        "environment list",
        "helm/slipway-service/values.schema.json",
        "the JSON schema enum of `env` (APP_ENV)",
        "tests/helm/test_helm_values.py::test_schema_environments_are_the_contract_environments",
    ),
    Excepted(
        "DNS-1123 rule",
        "helm/slipway-service/values.schema.json",
        "JSON schema patterns of service and Kubernetes object names (maxLength beside)",
        "test_pin_schema_name_patterns_are_the_label_rule",
    ),
    Excepted(
        "environment list",
        "terraform/modules/*/variables.tf",
        "`contains([...], var.environment)` validations (HCL cannot import Python)",
        "test_pin_terraform_environment_validations",
    ),
    Excepted(
        "DNS-1123 rule",
        "terraform/modules/*/variables.tf",
        "team and namespace variables, and domain names (labels joined by dots)",
        "test_pin_terraform_name_rules",
    ),
    Excepted(
        "environment list",
        "platform/observability/configs/prometheus.yml",
        "the namespaces Prometheus discovers (one per environment)",
        "test_pin_prometheus_namespaces",
    ),
    Excepted(
        "duration buckets",
        "platform/delivery/tests/fixtures/hello-service/src/hello_service/app.py",
        "a stand-in service built into an image without the platform packages",
        "test_pin_hello_service_buckets_and_metric_names",
    ),
    Excepted(
        "CI detection",
        "template/noxfile.py",
        "a generated service's noxfile runs in nox's interpreter (`uvx nox`), no contract there",
        "test_pin_template_noxfile_ci_policy",
    ),
)


@cache
def _files() -> tuple[str, ...]:
    """Tracked files plus new ones not yet added (a copy must fail before it is committed)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return tuple(
        sorted(
            p
            for p in set(listed.split("\0"))
            if p
            and (ROOT / p).is_file()
            and not any(fnmatch.fnmatch(p, g) for g in (OWNER, *NOT_SCANNED))
        )
    )


@cache
def _text(path: str) -> str | None:
    """The file's text, a Python file's docstrings blanked (line numbers kept)."""
    try:
        text = (ROOT / path).read_text()
    except (UnicodeDecodeError, OSError):
        return None  # a binary file holds no copy anyone edits
    if path.endswith(".py") and any(p.search(text) for p in PATTERNS.values()):
        return _without_docstrings(text)  # parsed only when there is something to find
    return text


def _without_docstrings(text: str) -> str:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text  # a Jinja template of a Python file: scanned whole
    lines = text.splitlines(keepends=True)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list) or not body:
            continue
        first = body[0]
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
            and first.end_lineno is not None
        ):
            for i in range(first.lineno - 1, first.end_lineno):
                lines[i] = "\n"
    return "".join(lines)


def find_copies(
    files: tuple[str, ...], read: Callable[[str], str | None] = _text
) -> list[tuple[str, str, int, str]]:
    """(fact, path, line, text) for every literal copy in `files`."""
    hits = []
    for path in files:
        text = read(path)
        if not text:
            continue
        for fact, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                hits.append((fact, path, line, text.splitlines()[line - 1].strip()[:120]))
    return hits


@cache
def _repository_copies() -> tuple[tuple[str, str, int, str], ...]:
    return tuple(find_copies(_files()))


def _excepted(fact: str, path: str) -> bool:
    return any(e.fact == fact and fnmatch.fnmatch(path, e.paths) for e in EXCEPTIONS)


def test_no_shared_fact_is_copied_outside_its_owner() -> None:
    stray = [
        f"{path}:{line}: {fact}: {text}"
        for fact, path, line, text in sorted(_repository_copies(), key=lambda h: h[1:3])
        if not _excepted(fact, path)
    ]
    assert not stray, (
        "literal copies of a fact slipway_contract owns; import it from there "
        "(platform/contract/README.md), or, where the file cannot import Python, add it "
        "to EXCEPTIONS with a test pinning it to the contract:\n" + "\n".join(stray)
    )


def test_every_exception_still_holds_a_copy() -> None:
    """An exception whose file no longer copies the fact must go (or the pattern rotted)."""
    found = {(fact, path) for fact, path, _, _ in _repository_copies()}
    stale = [
        f"{e.fact} in {e.paths}"
        for e in EXCEPTIONS
        if not e.may_vanish
        and not any(f == e.fact and fnmatch.fnmatch(p, e.paths) for f, p in found)
    ]
    assert not stale, f"EXCEPTIONS without a copy any more: {stale}"


@pytest.mark.parametrize(
    ("fact", "copy"),
    [
        ("duration buckets", f"BUCKETS = {list(DURATION_BUCKETS)!r}\n"),
        ("duration buckets", "le: [0.005,\n  0.01,\n  0.025]\n"),
        ("duration buckets", "- 0.005\n- 0.01\n- 0.025\n"),
        ("environment list", f"ENVS = {ENVIRONMENTS!r}\n"),
        ("environment list", 'condition = contains(["dev", "qa", "stage", "prod"], var.env)\n'),
        ("environment list", "names: [dev, qa, stage, prod]\n"),
        ("environment list", 'envs="dev,qa,stage,prod"\n'),
        ("DNS-1123 rule", f"NAME = re.compile(r{DNS1123_LABEL!r})\n"),
        ("CI detection", 'IN_CI = os.environ.get("CI") == "true"\n'),
        ("CI detection", "if os.getenv('CI'): pass\n"),
        ("CI detection", 'ci = "CI" in os.environ\n'),
    ],
)
def test_the_scan_finds_a_new_copy(fact: str, copy: str) -> None:
    """A copy in a new file is reported with its file and line."""
    files = ("platform/gates/src/slipway_gates/new_module.py",)
    hits = find_copies(files, lambda _: "# a new module\n" + copy)
    assert (fact, files[0], 2) in {(f, p, n) for f, p, n, _ in hits}
    assert not _excepted(fact, files[0])


def test_the_scan_leaves_prose_and_other_numbers_alone() -> None:
    text = "dev, qa, stage or prod\nretries = [0.5, 1, 2]\nCI_TOKEN = os.environ['CI_TOKEN']\n"
    assert find_copies(("x.py",), lambda _: text) == []
    documented = f'def f():\n    """Returns {ENVIRONMENTS!r}."""\n'
    assert find_copies(("x.py",), lambda _: _without_docstrings(documented)) == []
    assert find_copies(("x.py",), lambda _: documented)  # the same text, as code


# --- the pins of the exceptions (where no test elsewhere holds them) ---------

_SAMPLE_NAMES = (
    "orders-api", "a", "0", "9lives", "a-b-c", "x" * 40, "x" * 63, "x" * 64,
    "-a", "a-", "Orders", "orders_api", "orders.api", "", "a--b", "ledger-2",
)  # fmt: skip


def _jinja_or_hcl_regex(text: str) -> str:
    """A regex written inside a quoted string of copier.yml or HCL (backslashes doubled)."""
    return text.replace("\\\\", "\\")


def test_pin_stricter_name_rules_accept_only_labels() -> None:
    """copier.yml's service_name/owner_team rules accept nothing the contract refuses."""
    rules = re.findall(r"regex_search\('([^']+)'\)", (ROOT / "copier.yml").read_text())
    assert rules, "copier.yml: no regex_search rule found (has the question moved?)"
    for rule in (r for r in rules if PATTERNS["DNS-1123 rule"].search(r)):
        pattern = re.compile(_jinja_or_hcl_regex(rule))
        for name in (n for n in _SAMPLE_NAMES if len(n) <= 40):  # copier checks <= 40 apart
            if pattern.search(name):
                assert is_dns1123_label(name), (rule, name)


def _schema_patterns(node: object, path: str = "") -> list[tuple[str, str, int | None]]:
    found = []
    if isinstance(node, dict):
        pattern = node.get("pattern")
        if isinstance(pattern, str) and PATTERNS["DNS-1123 rule"].search(pattern):
            found.append((path, pattern, node.get("maxLength")))
        for key, value in node.items():
            found += _schema_patterns(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _schema_patterns(value, f"{path}/{i}")
    return found


def test_pin_schema_name_patterns_are_the_label_rule() -> None:
    """Each DNS-1123 pattern of the chart's schema, with its maxLength (63 when unset:
    Kubernetes' own limit), accepts exactly the contract's labels (or an empty string
    where `^$|` allows it)."""
    schema = json.loads((ROOT / "helm" / "slipway-service" / "values.schema.json").read_text())
    patterns = _schema_patterns(schema)
    assert patterns
    for where, pattern, max_length in patterns:
        for name in _SAMPLE_NAMES:
            accepted = re.search(pattern, name) is not None and len(name) <= (max_length or 63)
            expected = is_dns1123_label(name) or (name == "" and pattern.startswith("^$|"))
            assert accepted == expected, (where, pattern, name)


def test_pin_terraform_environment_validations() -> None:
    variables = sorted((ROOT / "terraform" / "modules").glob("*/variables.tf"))
    lists = {
        f"{path.parent.name}:{n}": json.loads(found)
        for path in variables
        for n, found in enumerate(
            re.findall(r"contains\((\[[^\]]*\]),\s*var\.environment\)", path.read_text())
        )
    }
    assert len(lists) >= 7, lists  # every module that takes an environment validates it
    for where, listed in lists.items():  # all of them, or some (audit: stage and prod only)
        assert listed == [e for e in ENVIRONMENTS if e in listed], where
        assert set(listed) <= set(ENVIRONMENTS), where
    assert sum(tuple(v) == ENVIRONMENTS for v in lists.values()) >= 7, lists


def test_pin_terraform_name_rules() -> None:
    """Namespaces are the label rule; teams a letter-first subset; a domain name is
    labels of the rule joined by dots."""
    checked = 0
    for path in sorted((ROOT / "terraform" / "modules").glob("*/variables.tf")):
        for rule in re.findall(r'regex\("([^"]+)"', path.read_text()):
            if not PATTERNS["DNS-1123 rule"].search(rule):
                continue
            pattern = re.compile(_jinja_or_hcl_regex(rule))
            checked += 1
            for name in _SAMPLE_NAMES:
                for candidate in (name, f"{name}.example.com"):
                    if pattern.search(candidate):
                        labels = candidate.split(".")
                        assert all(is_dns1123_label(label) for label in labels), (rule, candidate)
            if rule == DNS1123_LABEL:
                assert all(bool(pattern.search(n)) == is_dns1123_label(n) for n in _SAMPLE_NAMES)
    assert checked >= 3


def test_pin_prometheus_namespaces() -> None:
    config = yaml.safe_load(
        (ROOT / "platform" / "observability" / "configs" / "prometheus.yml").read_text()
    )
    namespaces = [
        tuple(sd["namespaces"]["names"])
        for job in config["scrape_configs"]
        for sd in job.get("kubernetes_sd_configs", [])
        if "namespaces" in sd
    ]
    assert namespaces
    assert all(n == ENVIRONMENTS for n in namespaces), namespaces


def test_pin_hello_service_buckets_and_metric_names() -> None:
    """The stand-in's histogram buckets, and every metric it defines, are the contract's."""
    app = ROOT / "platform/delivery/tests/fixtures/hello-service/src/hello_service/app.py"
    tree = ast.parse(app.read_text())
    defined = [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"Counter", "Histogram", "Gauge"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]
    assert len(defined) >= 3, defined
    assert set(defined) <= {family(name) for name in METRIC_NAMES}, defined
    buckets = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "BUCKETS" for t in node.targets)
    )
    assert tuple(float(b) for b in buckets) == DURATION_BUCKETS


@pytest.mark.parametrize(
    "value", [None, "", "true", "TRUE", "True", "1", "yes", "false", "0", "no", "on"]
)
def test_pin_template_noxfile_ci_policy(value: str | None) -> None:
    """The template noxfile's IN_CI expression decides as slipway_contract.ci.in_ci."""
    # The file is a Jinja template: its one IN_CI line is plain Python.
    line = re.search(r"^IN_CI = (.+)$", (ROOT / "template" / "noxfile.py").read_text(), re.M)
    assert line, "template/noxfile.py: no `IN_CI = ...` line"
    expression = ast.parse(line.group(1), mode="eval").body
    environ = {} if value is None else {"CI": value}

    class _Os:  # stands in for `os` so the expression reads this environ, not the process's
        pass

    fake_os = _Os()
    fake_os.environ = environ  # type: ignore[attr-defined]
    code = compile(ast.Expression(expression), "template/noxfile.py", "eval")
    assert eval(code, {"os": fake_os}) is in_ci(environ)  # noqa: S307 - the repo's own file


def test_pin_chassis_environments() -> None:
    """The chassis' Environment enum is a literal class (mypy types no enum built from
    a list; services type-check `Environment.PROD`): its members are the contract's
    environments, in order (read from its source: importing the chassis costs a second)."""
    settings = ROOT / "platform/chassis/src/slipway_chassis/_settings.py"
    tree = ast.parse(settings.read_text())
    enum = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Environment")
    values = tuple(ast.literal_eval(n.value) for n in enum.body if isinstance(n, ast.Assign))
    assert values == ENVIRONMENTS


def test_pin_chassis_settings_read_the_contract_env_vars() -> None:
    """ServiceSettings' fields are the variables it reads (pydantic: upper-cased field
    names), so they cannot import the names; they must equal CHASSIS_ENV_VARS."""
    settings = ROOT / "platform/chassis/src/slipway_chassis/_settings.py"
    tree = ast.parse(settings.read_text())
    service = next(
        n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ServiceSettings"
    )
    fields = {
        n.target.id.upper()
        for n in service.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }
    assert fields == set(CHASSIS_ENV_VARS)


@pytest.mark.parametrize(
    "layout",
    [
        "helm/slipway-service/environments/*.yaml",  # replicas, resources, autoscaling, networks
        "helm/namespaces/*.yaml",
        "platform/gitops/envs/*/",
        "terraform/stacks/*/",
    ],
)
def test_one_file_or_folder_per_contract_environment(layout: str) -> None:
    """The per-environment layouts hold exactly the contract's environments: a new
    environment in slipway_contract fails here until each layout has it."""
    folders_only = layout.endswith("/")
    found = {
        p.stem
        for p in ROOT.glob(layout.rstrip("/"))
        if (p.is_dir() if folders_only else p.is_file())
    }
    assert found == set(ENVIRONMENTS), layout
