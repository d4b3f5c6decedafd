"""copier task: a standalone render ships a uv.lock made against the platform's index.

    python lock_standalone.py INDEX_URL      (run by copier in the rendered project)

The lock is made right after `copier copy`/`copier update`, so a product team's
first `uv sync --locked` installs exactly what the render was tested with. When the
index does not answer (a laptop without it), the render still succeeds and says
plainly that no lock was made and how to make one; a `uv lock` that fails against
an index that does answer is a real error and fails the render.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

# uv's own override: an index given as `name=url` in UV_INDEX (or --index) replaces
# the pyproject's index of the same name.
OVERRIDE = "UV_INDEX"


def _override() -> str | None:
    for entry in os.environ.get(OVERRIDE, "").split():
        name, sep, url = entry.partition("=")
        if sep and name == "slipway":
            return url
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: lock_standalone.py INDEX_URL", file=sys.stderr)
        return 2
    url = _override() or argv[0]
    uv = shutil.which("uv")
    how = f"then run `uv lock` here (index: {OVERRIDE}=slipway=<url> or [[tool.uv.index]] slipway)"
    if uv is None:
        print(
            f"copier: uv.lock NOT made: uv is not installed (pip install uv); {how}",
            file=sys.stderr,
        )
        return 0
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - the answered index URL
            pass
    except (urllib.error.URLError, OSError) as exc:
        print(
            f"copier: uv.lock NOT made: the platform's package index {url} did not answer ({exc}); "
            f"start it (`nox -s index` in the platform repo) or set {OVERRIDE}=slipway=URL, {how}",
            file=sys.stderr,
        )
        return 0
    done = subprocess.run([uv, "lock", "--quiet"], check=False)
    if done.returncode != 0:
        print(
            f"copier: `uv lock` against {url} failed (exit {done.returncode}); see above",
            file=sys.stderr,
        )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
