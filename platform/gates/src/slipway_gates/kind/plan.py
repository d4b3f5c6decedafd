"""The e2e-kind command plan: a pure function from inputs to the exact commands.

Kept separate from running it so the plan is unit-tested everywhere, including
machines where kind cannot run (no node image can be pulled here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from slipway_contract import probes

from slipway_gates.e2e.stack import DEPENDENCIES

# Chart features that need CRDs or add-ons a bare kind cluster does not have
# (Prometheus Operator, Argo Rollouts, KEDA): switched off for the smoke test.
# Names follow helm/slipway-service/values.yaml.
DEFAULT_DISABLED_FEATURES = (
    "serviceMonitor.enabled=false",
    "prometheusRule.enabled=false",
    "strategy=rolling",  # a plain Deployment: no Argo Rollouts CRDs
    "autoscaling.enabled=false",  # no KEDA / metrics-server
    "networkPolicy.enabled=false",  # smoke test only; kindnet policies vary by version
)


def default_kind_config() -> Path:
    """The kind cluster config shipped with this package."""
    return Path(str(resources.files("slipway_gates.kind").joinpath("kind-config.yaml")))


@dataclass(frozen=True)
class Step:
    """One command. `teardown` steps run in a finally block, even after a failure."""

    what: str
    argv: tuple[str, ...]
    teardown: bool = False
    smoke_paths: tuple[str, ...] = field(default=())  # set on port-forward steps

    def shell(self) -> str:
        return " ".join(self.argv)


@dataclass(frozen=True)
class KindInputs:
    service: str
    image: str  # repository:tag, e.g. 127.0.0.1:5000/orders-api:0.1.0
    chart: Path
    values_for_env: dict[str, tuple[Path, ...]]  # layered: chart env file, then the service's
    cluster: str = "slipway-gates-e2e"
    kind_config: Path | None = None
    disabled_features: tuple[str, ...] = DEFAULT_DISABLED_FEATURES
    timeout: str = "5m"
    # Dependencies (postgres, redis, rabbitmq) to run in each namespace, and the
    # chart's secretEnv (VAR -> (Secret name, key)) to fill with their URLs.
    dependencies: tuple[str, ...] = ()
    secret_env: dict[str, tuple[str, str]] = field(default_factory=dict)


def dependency_manifest(kind: str) -> Path:
    """Deployment + Service for a dependency, shipped with this package."""
    return Path(str(resources.files("slipway_gates.kind").joinpath(f"dependencies/{kind}.yaml")))


def _secret_values(inputs: KindInputs) -> dict[tuple[str, str], str]:
    """(Secret, key) -> URL of the dependency providing that variable; error if none does."""
    provided = {
        var: url
        for kind in inputs.dependencies
        for var, url in DEPENDENCIES[kind].service_env.items()
    }
    values = {}
    for var, (secret, key) in sorted(inputs.secret_env.items()):
        if var not in provided:
            raise ValueError(
                f"secretEnv.{var} (Secret {secret}) has no provider among the dependencies "
                f"{list(inputs.dependencies)}: add one, or create the Secret before running"
            )
        values[(secret, key)] = provided[var]
    return values


def build_plan(inputs: KindInputs) -> list[Step]:
    """Create, load, then per env: helm upgrade --install --wait, rollout, smoke; delete."""
    if ":" not in inputs.image.rsplit("/", 1)[-1]:
        raise ValueError(f"image {inputs.image!r} needs an explicit tag (never `latest`)")
    repository, tag = inputs.image.rsplit(":", 1)
    if tag == "latest":
        raise ValueError("image tag `latest` is not allowed (CONTRACTS.md: X.Y.Z or git sha)")
    config = inputs.kind_config or default_kind_config()
    steps = [
        Step(
            "create the kind cluster",
            (
                "kind",
                "create",
                "cluster",
                "--name",
                inputs.cluster,
                "--config",
                str(config),
                "--wait",
                "120s",
            ),
        ),
        Step(
            "load the image into the cluster's node",
            ("kind", "load", "docker-image", inputs.image, "--name", inputs.cluster),
        ),
    ]
    context = f"kind-{inputs.cluster}"
    urls = _secret_values(inputs)
    for kind in inputs.dependencies:
        steps.append(
            Step(
                f"load the {kind} image",
                (
                    "kind",
                    "load",
                    "docker-image",
                    DEPENDENCIES[kind].image,
                    "--name",
                    inputs.cluster,
                ),
            )
        )
    for env, values in inputs.values_for_env.items():
        kubectl = ("kubectl", "--context", context, "--namespace", env)
        if inputs.dependencies or urls:
            steps.append(
                Step(
                    f"[{env}] create the namespace",
                    ("kubectl", "--context", context, "create", "namespace", env),
                )
            )
        for kind in inputs.dependencies:
            steps.append(
                Step(
                    f"[{env}] start {kind}",
                    (*kubectl, "apply", "-f", str(dependency_manifest(kind))),
                )
            )
            steps.append(
                Step(
                    f"[{env}] wait for {kind}",
                    (
                        *kubectl,
                        "rollout",
                        "status",
                        f"deployment/{kind}",
                        f"--timeout={inputs.timeout}",
                    ),
                )
            )
        for (secret, key), url in urls.items():
            steps.append(
                Step(
                    f"[{env}] Secret {secret} for the chart's secretEnv",
                    (
                        *kubectl,
                        "create",
                        "secret",
                        "generic",
                        secret,
                        f"--from-literal={key}={url}",
                    ),
                )
            )
        helm = [
            "helm",
            "upgrade",
            "--install",
            inputs.service,
            str(inputs.chart),
            "--kube-context",
            context,
            "--namespace",
            env,
            "--create-namespace",
        ]
        for layer in values:
            helm += ["--values", str(layer)]
        helm += ["--set", f"image.repository={repository}", "--set", f"image.tag={tag}"]
        # `kind load` put the image on the node; there is no registry to pull from.
        helm += ["--set", "image.pullPolicy=Never"]
        for feature in inputs.disabled_features:
            helm += ["--set", feature]
        helm += ["--wait", "--timeout", inputs.timeout]
        steps.append(Step(f"[{env}] install the chart and wait for it", tuple(helm)))
        steps.append(
            Step(
                f"[{env}] wait for the rollout",
                (
                    "kubectl",
                    "--context",
                    context,
                    "--namespace",
                    env,
                    "rollout",
                    "status",
                    f"deployment/{inputs.service}",
                    f"--timeout={inputs.timeout}",
                ),
            )
        )
        steps.append(
            Step(
                f"[{env}] smoke test through port-forward",
                (
                    "kubectl",
                    "--context",
                    context,
                    "--namespace",
                    env,
                    "port-forward",
                    f"service/{inputs.service}",
                    ":80",
                ),
                smoke_paths=(probes.LIVEZ, probes.READYZ, probes.METRICS),
            )
        )
    steps.append(
        Step(
            "delete the kind cluster",
            ("kind", "delete", "cluster", "--name", inputs.cluster),
            teardown=True,
        )
    )
    return steps
