"""Render an Argo CD Application the way Argo CD does, with the real `helm template`.

Everything comes from the Application itself: the chart `path` of the source
that has `helm`, its `releaseName`, `valueFiles` (`$<ref>/...` resolved against
the source named by `ref`, others against the chart folder, as Argo CD does),
`ignoreMissingValueFiles`, inline `valuesObject`/`values` and `parameters`
(highest precedence), and the destination namespace. Every source's
`repoURL` is taken to be the repository checked out at `repo_root`: the
render is of the working tree, which is what a merge would deliver.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from slipway_delivery.errors import DeliveryError, UsageError

Manifest = dict[str, Any]


@dataclass(frozen=True)
class HelmSource:
    """The helm invocation an Application stands for."""

    release: str
    namespace: str
    chart: Path
    value_files: tuple[Path, ...]
    inline_values: Manifest | None
    parameters: tuple[tuple[str, str, bool], ...]  # name, value, forceString

    def helm_args(self, values_file: Path | None) -> list[str]:
        args = ["template", self.release, str(self.chart), "--namespace", self.namespace]
        for path in self.value_files:
            args += ["--values", str(path)]
        if values_file is not None:
            args += ["--values", str(values_file)]
        for name, value, force_string in self.parameters:
            args += ["--set-string" if force_string else "--set", f"{name}={value}"]
        return args


def _helm_source(app: Manifest, where: Path) -> tuple[Manifest, dict[str, Manifest]]:
    spec = app.get("spec") or {}
    sources = spec.get("sources") or ([spec["source"]] if spec.get("source") else [])
    charts = [s for s in sources if isinstance(s, dict) and "helm" in s]
    if len(charts) != 1:
        raise UsageError(f"{where}: expected exactly one source with `helm`, found {len(charts)}")
    refs = {s["ref"]: s for s in sources if isinstance(s, dict) and s.get("ref")}
    return charts[0], refs


def helm_source(app_path: Path, repo_root: Path) -> HelmSource:
    """Read `app_path` (an Application) into the helm invocation it stands for."""
    app = yaml.safe_load(app_path.read_text())
    if not isinstance(app, dict) or app.get("kind") != "Application":
        raise UsageError(f"{app_path}: not an Argo CD Application")
    source, refs = _helm_source(app, app_path)
    helm = source["helm"] or {}
    chart = repo_root / source["path"]
    files: list[Path] = []
    for entry in helm.get("valueFiles") or []:
        if entry.startswith("$"):
            ref, _, rest = entry[1:].partition("/")
            if ref not in refs:
                raise UsageError(f"{app_path}: value file {entry!r} names no source ref {ref!r}")
            path = repo_root / (refs[ref].get("path") or "") / rest
        else:
            path = chart / entry
        if path.is_file():
            files.append(path)
        elif not helm.get("ignoreMissingValueFiles"):
            raise UsageError(f"{app_path}: value file {entry!r} is missing ({path})")
    inline = helm.get("valuesObject")
    if inline is None and helm.get("values"):
        inline = yaml.safe_load(helm["values"])
    params = tuple(
        (str(p["name"]), str(p["value"]), bool(p.get("forceString")))
        for p in helm.get("parameters") or []
    )
    return HelmSource(
        release=helm.get("releaseName") or app["metadata"]["name"],
        namespace=app["spec"]["destination"]["namespace"],
        chart=chart,
        value_files=tuple(files),
        inline_values=inline,
        parameters=params,
    )


def render(source: HelmSource) -> list[Manifest]:
    """`helm template` of the source; DeliveryError with helm's message on failure."""
    helm = shutil.which("helm")
    if helm is None:
        raise DeliveryError("helm not found on PATH (needed to render the Applications)")
    with tempfile.TemporaryDirectory(prefix="slipway-render-") as tmp:
        values_file = None
        if source.inline_values:
            values_file = Path(tmp) / "inline-values.yaml"
            values_file.write_text(yaml.safe_dump(source.inline_values))
        proc = subprocess.run(  # noqa: S603 - the helm found on PATH, args from the Application
            [helm, *source.helm_args(values_file)],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
    if proc.returncode != 0:
        raise DeliveryError(f"helm template {source.release} -n {source.namespace}: {proc.stderr}")
    return [d for d in yaml.safe_load_all(proc.stdout) if isinstance(d, dict)]
