"""Every file or folder a README, a docstring or a comment names exists (docs must not rot).

A "path" is a file name with a known extension (`OPERATIONS.md`, `kind/plan.py`)
anywhere in the text, or a backticked folder (`security/checks/`). It exists when
it resolves from the document's folder or one above it, or (for a name inside a
package) somewhere in that document's own folder or workspace member; a bare
file name (`slo.yaml`) may name any file of that name in the repository. Names
of files that only exist at run time are listed below, each with why.
A Markdown link's target (`[text](../CONTRACTS.md#exit-codes)`), whatever its
extension, must resolve from the document's folder to a path in the repository.
Rendered and Jinja sources (services/, template/) are checked by their own tests.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import tokenize
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_EXT = r"(?:md|py|toml|ya?ml|sh|json|tf|cfg|lock|hcl|jinja|ini)"
# A file name, with optional folders; not part of a URL, a glob or a template.
_FILE = re.compile(
    rf"(?<![\w/.<>{{}}$*:-])((?:\.\.?/)*(?:[\w.-]+/)*[\w-][\w.-]*\.{_EXT})(?![\w/-]|\.\w)"
)
_FOLDER = re.compile(r"`((?:\.\.?/)*(?:[\w.-]+/)+)`")
_COMMENTED_FILE = re.compile(rf"#.*\.{_EXT}\b")  # a line that may comment on a file
_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")  # [text](target "title")
_PLACEHOLDER = re.compile(r"(^|/)([A-Z][A-Z_]*|[^/]*\.\.\.[^/]*)(/|$)")  # DIR/..., v0_2_0_...py

# Written at run time (or a web site), so never in the repository.
RUNTIME_NAMES = {
    "reports/latest.json": "the benchmark's report (nox -s bench, git-ignored)",
    "reports/standalone/timings.json": "the standalone proof's timings (git-ignored)",
    "reports/tests/": "the tests session's member-suite logs (git-ignored)",
    "release/sbom.cdx.json": "written by slipway-release run",
    "promotions.yaml": "written into the GitOps tree by slipway-gitops promote",
    "verifications/": "written into the GitOps tree by slipway-gitops record",
    "state.json": "slipway-fleet's run state",
    "cache/": "slipway-fleet's template cache",
    "work/": "slipway-fleet's scratch clones",
    "cache/checkouts/": "slipway-fleet's template checkouts",
    "cache/pristine/": "slipway-fleet's pristine renders",
    "shard-2.json": "a slipway-fleet --shard report in the README's example",
    "shard-K.json": "a slipway-fleet --shard report in the README's example",
    ".github/workflows/fleet.yml": "the workflow a platform team adds to its own fleet repository",
    "fleet.yml": "the fleet file a platform team writes (an example in the README)",
    "answers/billing.yml": "a member's answers file in the README's example fleet",
    "config.yaml": "written by slipway_fleet.testing into a throwaway template",
    "docs/index.md": "written by slipway_fleet.testing into a throwaway template",
    "worker.py": "written by slipway_fleet.testing into a throwaway template",
    "rule.yaml": "an output file name in the README's example command",
    "values-slo.yaml": "an output file name in the README's example command",
    ".terraform/": "terraform init's working folder",
    "keda.sh": "KEDA's web site, not a file",
    "smoke.json": "written by slipway-smoke --out (a comment's example)",
}


@cache
def _tracked() -> tuple[str, ...]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return tuple(p for p in listed.split("\0") if p and (ROOT / p).exists())


@cache
def _known_paths() -> frozenset[str]:
    """Tracked files and every folder above them, relative to the root."""
    known = set(_tracked())
    for path in _tracked():
        known |= {str(parent) for parent in Path(path).parents if str(parent) != "."}
    return frozenset(known)


@cache
def _basenames() -> frozenset[str]:
    return frozenset(Path(p).name for p in _tracked())


def _documents() -> list[str]:
    return [
        p
        for p in _tracked()
        if p.endswith((".md", ".py"))
        and not p.startswith(("services/", "template/"))
        and ROOT / p != Path(__file__).resolve()  # its docstring shows examples
    ]


def _texts(path: Path) -> list[str]:
    """A Markdown file's text, or a Python file's docstrings (module, classes,
    functions) and comments (`# see OPERATIONS.md` rots like a docstring)."""
    if path.suffix == ".md":
        return [path.read_text()]
    source = path.read_text()
    comments = []
    if _COMMENTED_FILE.search(source):  # tokenizing every file would double the test's time
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
        comments = [t.string for t in tokens if t.type == tokenize.COMMENT]
    tree = ast.parse(source)
    nodes = [
        tree,
        *(
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ),
    ]
    return [doc for node in nodes if (doc := ast.get_docstring(node))] + comments


def _member(path: Path) -> Path | None:
    """The workspace member (folder with a pyproject.toml) a file belongs to."""
    return next((a for a in path.parents if a != ROOT and (a / "pyproject.toml").is_file()), None)


def _exists(name: str, document: Path) -> bool:
    folder = document.parent
    member = _member(document)
    bases = [folder, *(a for a in folder.parents if a == ROOT or ROOT in a.parents)]
    if member is not None and (member / "src").is_dir():
        bases += [d for d in (member / "src").iterdir() if d.is_dir()]
    if any((base / name).exists() for base in bases):
        return True
    bare = name.removeprefix("./").strip("/")
    if "/" not in bare and bare in _basenames():
        return True
    scope = str((member or folder).relative_to(ROOT))
    return any(k.startswith(f"{scope}/") and k.endswith(f"/{bare}") for k in _known_paths())


def _named_paths(document: Path) -> set[str]:
    names: set[str] = set()
    for text in _texts(document):
        names |= set(_FILE.findall(text)) | set(_FOLDER.findall(text))
    return {n for n in names if not _PLACEHOLDER.search(n)}


def test_every_named_path_exists() -> None:
    missing = [
        f"{doc}: {name}"
        for doc in _documents()
        for name in sorted(_named_paths(ROOT / doc))
        if name not in RUNTIME_NAMES and not _exists(name, ROOT / doc)
    ]
    assert not missing, "paths named in docs that do not exist:\n" + "\n".join(missing)


def _broken_links(document: str, text: str) -> list[str]:
    """Relative Markdown link targets that resolve to nothing inside the repository."""
    broken = []
    for target in _LINK.findall(text):
        path = target.split("#", 1)[0]
        if not path or re.match(r"^[a-z][a-z0-9+.-]*:", target):  # an anchor, a URL
            continue
        resolved = ((ROOT / document).parent / path).resolve()
        if not (resolved.is_relative_to(ROOT) and resolved.exists()):
            broken.append(f"{document}: ]({target})")
    return broken


def test_every_markdown_link_resolves() -> None:
    broken = [
        link
        for doc in _documents()
        if doc.endswith(".md")
        for link in _broken_links(doc, (ROOT / doc).read_text())
    ]
    assert not broken, "Markdown links to nothing in the repository:\n" + "\n".join(broken)


def test_the_link_check_finds_a_broken_link() -> None:
    text = "[ok](CONTRACTS.md#exit-codes) [web](https://x.org/a.md) [gone](chassis/logs.md)"
    text += " [outside](../../shared/OPERATIONS.md) [here](#top)"
    assert _broken_links("platform/README.md", text) == [
        "platform/README.md: ](chassis/logs.md)",
        "platform/README.md: ](../../shared/OPERATIONS.md)",
    ]


@pytest.mark.parametrize("name", sorted(RUNTIME_NAMES))
def test_runtime_names_are_really_absent(name: str) -> None:
    """A name listed as run-time only that now exists belongs to the normal check."""
    assert not any(k == name.strip("/") or k.endswith("/" + name.strip("/")) for k in _tracked())


def test_the_check_finds_a_missing_file(tmp_path: Path) -> None:
    doc = ROOT / "platform" / "chassis" / "src" / "slipway_chassis" / "_logs.py"
    assert _exists("README.md", doc)
    assert not _exists("OPERATIONS.md", doc)  # it lives in ../shared, outside the repository
    assert "kind/plan.py" in _named_paths(ROOT / "platform" / "gates" / "README.md")


def test_comments_are_read_too(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""Docs: see RUNBOOK.md."""\n\nX = 1  # limits: see OPERATIONS.md\n')
    assert _named_paths(module) == {"RUNBOOK.md", "OPERATIONS.md"}
