"""Jinja extension: copier.yml reads the shared facts from slipway-contract.

copier.yml names it in `_jinja_extensions` after
`copier_template_extensions.TemplateExtensionLoader`, which imports
`scripts/copier_extensions/contract_facts.py:ContractFacts` by file path relative
to the template root (copier's Jinja loader searches the template root, where
copier.yml is; `_subdirectory` does not change that). The extension puts one
global into copier's Jinja environment:

    contract.environments      ["dev", "qa", "stage", "prod"]  (ENVIRONMENTS)
    contract.duration_buckets  [0.005, ..., 10.0]               (DURATION_BUCKETS)

so question choices, defaults and validators are written against the contract
instead of holding copies of it.

Why the contract's modules are loaded by path instead of `import slipway_contract`:
this code runs in copier's interpreter. Under `uvx copier` slipway_contract is not
installed at all, and in slipway-fleet (copier in-process) the installed
slipway_contract may be another version than the template release being
rendered. The facts must be the ones of the template's own checkout, so the two
source files are executed from beside this file (same checkout, same commit).
They are stdlib-only for that reason (tests/template/test_copier_contract_facts.py
pins it).
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

# This file is scripts/copier_extensions/contract_facts.py in the template checkout.
CONTRACT_SRC = Path(__file__).resolve().parents[2] / "platform" / "contract" / "src"


def _module_globals(name: str) -> dict[str, Any]:
    path = CONTRACT_SRC / "slipway_contract" / name
    if not path.is_file():
        raise FileNotFoundError(
            f"copier.yml's contract facts: {path} is missing; the template checkout must "
            "include platform/contract/src/slipway_contract/ (render from the repository root)"
        )
    # run_path: executes the file under a throwaway module name, nothing is
    # imported into sys.modules (an installed slipway_contract stays untouched).
    return runpy.run_path(str(path), run_name="_slipway_contract_facts")


def contract_facts() -> dict[str, list[Any]]:
    """The facts copier.yml reads, as Jinja sees them (`contract.<name>`)."""
    environments = _module_globals("environments.py")["ENVIRONMENTS"]
    buckets = _module_globals("metrics.py")["DURATION_BUCKETS"]
    # Lists, not tuples: copier.yml concatenates them with list literals and
    # renders them with `tojson` into the YAML copier parses for `choices`.
    return {"environments": list(environments), "duration_buckets": list(buckets)}


class ContractFacts(Extension):
    """Adds the `contract` global (see the module docstring) to copier's environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["contract"] = contract_facts()
