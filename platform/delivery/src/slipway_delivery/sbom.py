"""CycloneDX SBOM of the Python environment inside a built image.

The package list comes from the image itself (importlib.metadata run by the
image's own interpreter, so runtime images without pip work too), not from the
lock file: the SBOM describes what shipped. The
CycloneDX document is written by `cyclonedx-py requirements` (cyclonedx-bom),
then tagged with the image reference it describes.
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
    metadata = document.setdefault("metadata", {})
    metadata.setdefault("properties", []).append({"name": "slipway:image", "value": image_ref})
    out.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return document
