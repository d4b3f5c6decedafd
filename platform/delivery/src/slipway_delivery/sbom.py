"""CycloneDX SBOM of a built image: its Python environment and its Debian packages.

The package list comes from the image itself (importlib.metadata run by the
image's own interpreter, so runtime images without pip or a shell work too), not
from the lock file: the SBOM describes what shipped. The CycloneDX document is
written by `cyclonedx-py requirements` (cyclonedx-bom), then tagged with the image
reference it describes. The Debian packages the image's files came from are added
from its dpkg status (the template's distroless stage keeps that file as data);
`slipway:coverage` says what the document lists and what it cannot see.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from slipway_delivery.errors import DeliveryError
from slipway_delivery.imagebuild import docker

IMAGE_PYTHON = "/opt/venv/bin/python"
DPKG_STATUS = "/var/lib/dpkg/status"
_READ_DPKG_STATUS = (
    "import pathlib, sys\n"
    f"p = pathlib.Path({DPKG_STATUS!r})\n"
    "sys.stdout.write(p.read_text() if p.is_file() else '')\n"
)
_LIST_DISTRIBUTIONS = (
    "import importlib.metadata as m\n"
    "for d in m.distributions():\n"
    "    print(f\"{d.metadata['Name']}=={d.version}\")\n"
)


def installed_packages(image_ref: str, python: str = IMAGE_PYTHON) -> list[str]:
    """`name==version` of every distribution in the image's environment, sorted."""
    out = docker(
        "run", "--rm", "--network=none", "--entrypoint", python, image_ref,
        "-c", _LIST_DISTRIBUTIONS,
        what=f"listing distributions inside {image_ref} (is {python} the image's interpreter?)",
    )  # fmt: skip
    return sorted(line for line in out.splitlines() if "==" in line)


def debian_packages(status_text: str) -> list[dict[str, str]]:
    """Installed packages of a dpkg status file: name, version, architecture."""
    found = []
    for stanza in status_text.split("\n\n"):
        fields = dict(
            line.split(":", 1) for line in stanza.splitlines() if ":" in line and line[:1] != " "
        )
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        if "Package" in fields and fields.get("Status", "").endswith(" installed"):
            found.append(
                {
                    "name": fields["Package"],
                    "version": fields.get("Version", ""),
                    "arch": fields.get("Architecture", ""),
                }
            )
    return sorted(found, key=lambda p: p["name"])


def debian_components(packages: list[dict[str, str]]) -> list[dict[str, Any]]:
    """CycloneDX components (purl type `deb`) for dpkg packages."""
    components = []
    for pkg in packages:
        purl = f"pkg:deb/debian/{pkg['name']}@{pkg['version']}"
        if pkg["arch"]:
            purl += f"?arch={pkg['arch']}"
        components.append(
            {
                "type": "library",
                "bom-ref": purl,
                "name": pkg["name"],
                "version": pkg["version"],
                "purl": purl,
            }
        )
    return components


def coverage_note(python_count: int, debian_count: int) -> str:
    """What the SBOM lists and what it cannot see (the `slipway:coverage` property)."""
    listed = f"{python_count} Python distributions (importlib.metadata of {IMAGE_PYTHON})"
    if debian_count == 0:
        return (
            f"{listed} only: the image has no dpkg status ({DPKG_STATUS}), so its OS files "
            "(interpreter, shared libraries, certificates) are NOT listed"
        )
    return (
        f"{listed} and the {debian_count} Debian packages of {DPKG_STATUS}; a distroless image "
        "carries only the files it needs of each package; not listed: libraries vendored "
        "inside wheels (*.libs, part of their wheel's component) and files no package owns"
    )


def write_sbom(
    image_ref: str,
    out: Path,
    *,
    pyproject: Path | None = None,
    python: str = IMAGE_PYTHON,
) -> dict[str, Any]:
    """Write the image's CycloneDX 1.6 JSON SBOM to `out`; returns the document."""
    packages = installed_packages(image_ref, python)
    if not packages:
        raise DeliveryError(f"no Python distributions found in {image_ref} via {python}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="slipway-sbom-") as tmp:
        reqs = Path(tmp) / "requirements.txt"
        reqs.write_text("\n".join(packages) + "\n")
        cmd = [sys.executable, "-m", "cyclonedx_py", "requirements", str(reqs)]
        cmd += ["--sv", "1.6", "--of", "JSON", "--output-reproducible", "-o", str(out)]
        if pyproject is not None and pyproject.is_file():
            cmd += ["--pyproject", str(pyproject)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise DeliveryError(f"cyclonedx-py failed:\n{done.stderr[-3000:]}")
    document: dict[str, Any] = json.loads(out.read_text())
    status = docker(
        "run", "--rm", "--network=none", "--entrypoint", python, image_ref,
        "-c", _READ_DPKG_STATUS,
        what=f"reading {DPKG_STATUS} inside {image_ref}",
    )  # fmt: skip
    debs = debian_components(debian_packages(status))
    document.setdefault("components", []).extend(debs)
    metadata = document.setdefault("metadata", {})
    metadata.setdefault("properties", []).extend(
        [
            {"name": "slipway:image", "value": image_ref},
            {"name": "slipway:coverage", "value": coverage_note(len(packages), len(debs))},
        ]
    )
    out.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return document
