"""The gates layer values files as the real deployment does.

slipway_gates.security.helm_render.value_layers (checkov's renders and the kind
e2e plan) must load the chart's and the service's values files in the order of
each service's Argo CD Application in platform/gitops, the one that deploys it.
The Application also loads the GitOps tree's own files after them (SLO rules,
promoted image, flags), which are not the gates' business.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helm_render import CHART, generated_services, service_value_files
from slipway_contract.environments import ENVIRONMENTS
from slipway_gates.security.helm_render import value_layers


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("service", generated_services(), ids=lambda p: p.name)
def test_gates_layer_values_as_the_application_does(service: Path, env: str) -> None:
    helm_dir = service / "deploy" / "helm"
    application = service_value_files(service, env)
    own = [p for p in application if p.is_relative_to(CHART) or p.is_relative_to(helm_dir)]
    assert own == list(value_layers(CHART, helm_dir, env))
    assert own[0] == CHART / "environments" / f"{env}.yaml"  # the chart's layer comes first
    assert application[: len(own)] == own  # and the GitOps tree's files come after them
