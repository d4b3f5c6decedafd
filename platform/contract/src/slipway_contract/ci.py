"""The CI policy: a check that cannot run is skipped locally and FAILS in CI.

CI provisions every tool (scripts/provision.sh), so a skip there would hide an
unchecked gate; on a laptop a missing tool is reported, not fatal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

_TRUE = frozenset({"1", "true", "yes"})


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """True when CI=true (or 1/yes), the variable every CI system sets."""
    env = os.environ if environ is None else environ
    return env.get("CI", "").lower() in _TRUE
