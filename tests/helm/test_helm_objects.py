"""What each rendered object must say: rollout wiring, autoscaling, network
isolation, monitoring. One section per template, in template order."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helm_render import (
    CHART,
    ENVIRONMENTS,
    Combination,
    app_container,
    by_kind,
    container_env,
    one,
    render,
    run_helm,
    write_values,
)

pytestmark = pytest.mark.requires("helm")

Manifests = list[dict[str, Any]]


@pytest.fixture(scope="module")
def pick(rendered_matrix: dict[Combination, Path]) -> Any:
    def get(name: str) -> Manifests:
        path = next(p for c, p in rendered_matrix.items() if c.name == name)
        return [m for m in yaml.safe_load_all(path.read_text()) if m]

    return get


def named(manifests: Manifests, kind: str, name: str) -> dict[str, Any]:
    return next(m for m in by_kind(manifests, kind) if m["metadata"]["name"] == name)


# ------------------------------------------------------------------ workload and rollout
def test_rolling_uses_a_deployment_only(pick: Any) -> None:
    manifests = pick("dev-rolling-http-api")
    assert not by_kind(manifests, "Rollout")
    assert not by_kind(manifests, "AnalysisTemplate")
    deployment = one(manifests, "Deployment")
    assert deployment["spec"]["replicas"] == 1  # dev: no autoscaler
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


@pytest.mark.parametrize("strategy", ["canary", "blueGreen"])
def test_progressive_rollout_references_the_deployment(pick: Any, strategy: str) -> None:
    manifests = pick(f"qa-{strategy}-http-api")
    deployment, rollout = one(manifests, "Deployment"), one(manifests, "Rollout")
    assert deployment["spec"]["replicas"] == 0  # the Rollout runs the pods
    ref = rollout["spec"]["workloadRef"]
    assert (ref["kind"], ref["name"]) == ("Deployment", deployment["metadata"]["name"])
    assert rollout["spec"]["selector"] == deployment["spec"]["selector"]
    assert rollout["spec"]["rollbackWindow"]["revisions"] >= 1


def _analysis_refs(rollout: dict[str, Any]) -> list[dict[str, Any]]:
    strategy = rollout["spec"]["strategy"]
    if "canary" in strategy:
        return [strategy["canary"]["analysis"]]
    bg = strategy["blueGreen"]
    return [bg["prePromotionAnalysis"], bg["postPromotionAnalysis"]]


@pytest.mark.parametrize("name", ["dev-canary-http-api", "prod-blueGreen-queue-worker"])
def test_analysis_compares_canary_with_stable_by_pod_template_hash(pick: Any, name: str) -> None:
    manifests = pick(name)
    template = one(manifests, "AnalysisTemplate")
    for ref in _analysis_refs(one(manifests, "Rollout")):
        assert ref["templates"] == [{"templateName": template["metadata"]["name"]}]
        hashes = {a["name"]: a["valueFrom"]["podTemplateHashValue"] for a in ref["args"]}
        assert hashes == {"canary-hash": "Latest", "stable-hash": "Stable"}
    metrics = {m["name"]: m for m in template["spec"]["metrics"]}
    assert set(metrics) == {"success-rate", "latency-p95", "error-ratio-vs-stable"}
    for metric in metrics.values():
        query = metric["provider"]["prometheus"]["query"]
        assert 'rollouts_pod_template_hash="{{args.canary-hash}}"' in query
        for condition in (metric["successCondition"], metric["failureCondition"]):
            assert condition.startswith("len(result) > 0 && !isNaN(result[0]) && ")
        assert metric["failureLimit"] >= 0
    stable = 'rollouts_pod_template_hash="{{args.stable-hash}}"'
    assert stable in metrics["error-ratio-vs-stable"]["provider"]["prometheus"]["query"]


def test_blue_green_has_instant_rollback_settings(pick: Any) -> None:
    manifests = pick("stage-blueGreen-http-api")
    bg = one(manifests, "Rollout")["spec"]["strategy"]["blueGreen"]
    assert bg["activeService"] == "orders-api"
    assert bg["previewService"] == "orders-api-preview"
    assert bg["scaleDownDelaySeconds"] >= 30  # Argo's default; >= the longest request
    named(manifests, "Service", "orders-api-preview")


def test_analysis_thresholds_come_from_values(tmp_path: Path) -> None:
    values = {
        "strategy": "canary",
        "analysis": {"successRateMin": 0.995, "latencyP95Seconds": 0.5, "failureLimit": 2},
    }
    manifests = render([write_values(tmp_path / "v.yaml", values)])
    metrics = {m["name"]: m for m in one(manifests, "AnalysisTemplate")["spec"]["metrics"]}
    assert metrics["success-rate"]["successCondition"].endswith(">= 0.995")
    assert 'le="0.5"' in metrics["latency-p95"]["provider"]["prometheus"]["query"]
    assert {m["failureLimit"] for m in metrics.values()} == {2}


# ------------------------------------------------------------------ pod wiring
def test_environment_follows_the_contract(pick: Any) -> None:
    env = container_env(app_container(pick("prod-rolling-http-api")))
    assert env["SERVICE_NAME"] == "orders-api"
    assert env["SERVICE_VERSION"] == "1.4.2"
    assert env["APP_ENV"] == "prod"
    assert env["HTTP_PORT"] == "8000"
    assert env["PROMETHEUS_MULTIPROC_DIR"] == "/run/prometheus"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_runtime_defaults_are_left_to_the_chassis_profile(pick: Any, env: str) -> None:
    """The chart sets APP_ENV only: log level, sampling ratio and docs are the
    chassis' per-profile defaults (test_helm_chassis_contract checks the values),
    so no chart layer can disagree with them."""
    env_vars = container_env(app_container(pick(f"{env}-rolling-queue-worker")))
    assert env_vars["APP_ENV"] == env
    assert not {"LOG_LEVEL", "OTEL_TRACES_SAMPLER_ARG", "DOCS_ENABLED"} & set(env_vars)


def test_flags_configmap_is_mounted_at_flags_file(pick: Any) -> None:
    manifests = pick("dev-rolling-http-api")
    container = app_container(manifests)
    flags_file = Path(container_env(container)["FLAGS_FILE"])
    mount = next(m for m in container["volumeMounts"] if m["name"] == "flags")
    assert Path(mount["mountPath"]) == flags_file.parent
    assert mount["readOnly"] is True
    document = json.loads(one(manifests, "ConfigMap")["data"][flags_file.name])
    assert document["flags"]["new-checkout"]["defaultVariant"] == "off"


def test_secret_env_comes_from_secret_refs(pick: Any) -> None:
    container = app_container(pick("dev-rolling-http-api"))
    ref = next(e for e in container["env"] if e["name"] == "DATABASE_URL")
    assert ref["valueFrom"]["secretKeyRef"] == {"name": "orders-api-db", "key": "url"}


def test_image_by_digest(pick: Any) -> None:
    image = app_container(pick("dev-rolling-queue-worker"))["image"]
    assert image.startswith("127.0.0.1:5000/events-worker:0a1b2c3@sha256:")


def test_topology_spread_and_pdb(pick: Any) -> None:
    manifests = pick("prod-canary-http-api")
    pod = one(manifests, "Deployment")["spec"]["template"]["spec"]
    keys = {c["topologyKey"]: c for c in pod["topologySpreadConstraints"]}
    assert keys["kubernetes.io/hostname"]["whenUnsatisfiable"] == "DoNotSchedule"
    assert keys["topology.kubernetes.io/zone"]["whenUnsatisfiable"] == "ScheduleAnyway"
    pdb = one(manifests, "PodDisruptionBudget")
    assert pdb["spec"]["maxUnavailable"] == 1
    assert pdb["spec"]["selector"] == one(manifests, "Deployment")["spec"]["selector"]
    # dev runs a single replica: a PDB there would block every node drain.
    assert not by_kind(pick("dev-rolling-http-api"), "PodDisruptionBudget")


# ------------------------------------------------------------------ autoscaling
@pytest.mark.parametrize("strategy", ["rolling", "canary"])
def test_hpa_scales_cpu_and_memory_with_explicit_behavior(pick: Any, strategy: str) -> None:
    manifests = pick(f"prod-{strategy}-http-api")
    hpa = one(manifests, "HorizontalPodAutoscaler")
    target = hpa["spec"]["scaleTargetRef"]
    assert target["kind"] == ("Deployment" if strategy == "rolling" else "Rollout")
    resources = [m["resource"]["name"] for m in hpa["spec"]["metrics"] if m["type"] == "Resource"]
    assert resources == ["cpu", "memory"]
    # Latency from the Prometheus Adapter's custom metrics API, on the Service.
    latency = {
        m["object"]["metric"]["name"]: m["object"] for m in hpa["spec"]["metrics"]
        if m["type"] == "Object"
    }  # fmt: skip
    assert {n: o["target"] for n, o in latency.items()} == {
        "http_server_request_duration_seconds_p95": {"type": "Value", "value": "300m"},
        "http_server_request_duration_seconds_p99": {"type": "Value", "value": "1000m"},
    }
    for described in latency.values():
        assert described["describedObject"] == {
            "apiVersion": "v1",
            "kind": "Service",
            "name": "orders-api",
        }
    behavior = hpa["spec"]["behavior"]
    assert behavior["scaleDown"]["stabilizationWindowSeconds"] == 300
    assert behavior["scaleUp"]["policies"]
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 12)
    workload = one(manifests, "Deployment" if strategy == "rolling" else "Rollout")
    assert "replicas" not in workload["spec"], "the autoscaler owns the replica count"
    assert not by_kind(manifests, "ScaledObject")


def test_keda_scales_apis_on_p95_and_p99_latency(pick: Any) -> None:
    manifests = pick("stage-canary-http-api")
    assert not by_kind(manifests, "HorizontalPodAutoscaler")  # KEDA creates its own
    so = one(manifests, "ScaledObject")
    assert so["spec"]["scaleTargetRef"]["kind"] == "Rollout"
    assert so["spec"]["fallback"] == {"failureThreshold": 3, "replicas": 4}
    assert so["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
    triggers = {t["name"]: t for t in so["spec"]["triggers"]}
    assert set(triggers) == {"latency-p95", "latency-p99"}
    for quantile, trigger in (("0.95", triggers["latency-p95"]), ("0.99", triggers["latency-p99"])):
        assert trigger["type"] == "prometheus"
        assert trigger["metricType"] == "Value"
        assert trigger["metadata"]["query"].startswith(f"(histogram_quantile({quantile},")
        assert trigger["metadata"]["ignoreNullValues"] == "false"
    assert triggers["latency-p95"]["metadata"]["threshold"] == "0.3"
    assert triggers["latency-p99"]["metadata"]["threshold"] == "1"


@pytest.mark.parametrize(("env", "trigger", "parameter"), [
    ("stage", "rabbitmq", "host"), ("qa", "redis", "address"),
])  # fmt: skip
def test_keda_scales_workers_on_queue_length(
    pick: Any, env: str, trigger: str, parameter: str
) -> None:
    manifests = pick(f"{env}-rolling-queue-worker")
    so = one(manifests, "ScaledObject")
    triggers = {t["name"]: t for t in so["spec"]["triggers"]}
    assert set(triggers) == {"queue-length", "oldest-message-age"}
    only = triggers["queue-length"]
    assert only["type"] == trigger
    age = triggers["oldest-message-age"]
    assert age["metadata"]["query"].startswith("max(queue_oldest_message_age_seconds{")
    assert age["metadata"]["threshold"] == "30"
    auth = one(manifests, "TriggerAuthentication")
    assert only["authenticationRef"]["name"] == auth["metadata"]["name"]
    refs = {r["parameter"]: r for r in auth["spec"]["secretTargetRef"]}
    # KEDA's documented fields: rabbitmq `host` (the amqp:// URL); redis `address`
    # (host:port, never the redis:// URL) plus `password`.
    assert set(refs) == ({"host"} if trigger == "rabbitmq" else {"address", "password"})
    assert refs[parameter]["key"] == ("url" if trigger == "rabbitmq" else "address")
    assert "fallback" in so["spec"]


# ------------------------------------------------------------------ networking
def test_network_policy_default_deny_then_explicit_allows(pick: Any) -> None:
    manifests = pick("prod-rolling-http-api")
    deny = named(manifests, "NetworkPolicy", "orders-api-default-deny")
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in deny["spec"]
    assert "egress" not in deny["spec"]
    allow = named(manifests, "NetworkPolicy", "orders-api-allow")
    assert allow["spec"]["podSelector"] == deny["spec"]["podSelector"]
    ingress_ports = {p["port"] for rule in allow["spec"]["ingress"] for p in rule["ports"]}
    assert ingress_ports == {8000}
    sources = [rule["from"][0] for rule in allow["spec"]["ingress"]]
    assert any(s.get("namespaceSelector", {}).get("matchLabels") == {
        "kubernetes.io/metadata.name": "monitoring"} for s in sources)  # fmt: skip
    assert any(s.get("namespaceSelector", {}).get("matchLabels") == {
        "kubernetes.io/metadata.name": "ingress-nginx"} for s in sources)  # fmt: skip
    egress = allow["spec"]["egress"]
    dns_ports = {(p["port"], p["protocol"]) for p in egress[0]["ports"]}
    assert dns_ports == {(53, "UDP"), (53, "TCP")}
    assert {"ipBlock": {"cidr": "10.20.0.0/16"}} in egress[1]["to"]
    assert egress[2]["ports"] == [{"port": 4318, "protocol": "TCP"}]


def test_workers_accept_no_ingress_controller_traffic(pick: Any) -> None:
    allow = named(pick("prod-rolling-queue-worker"), "NetworkPolicy", "events-worker-allow")
    sources = [rule["from"][0] for rule in allow["spec"]["ingress"]]
    assert not any("ingress-nginx" in json.dumps(s) for s in sources)


def test_ingress_and_httproute_reach_the_service(pick: Any) -> None:
    ingress = one(pick("dev-rolling-http-api"), "Ingress")
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "orders.example.com"
    assert rule["http"]["paths"][0]["backend"]["service"] == {
        "name": "orders-api", "port": {"name": "http"}}  # fmt: skip
    assert ingress["spec"]["tls"][0]["secretName"] == "orders-example-com-tls"
    route = one(pick("prod-rolling-http-api"), "HTTPRoute")
    assert route["spec"]["rules"][0]["backendRefs"] == [{"name": "orders-api", "port": 80}]
    assert not by_kind(pick("prod-rolling-http-api"), "Ingress")


# ------------------------------------------------------------------ monitoring
def test_service_monitor_scrapes_each_pod_once_with_the_rollout_hash(pick: Any) -> None:
    manifests = pick("stage-blueGreen-http-api")
    sm = one(manifests, "ServiceMonitor")
    assert sm["spec"]["podTargetLabels"] == ["rollouts-pod-template-hash"]
    (endpoint,) = sm["spec"]["endpoints"]
    assert (endpoint["port"], endpoint["path"]) == ("http", "/metrics")
    selected = [
        s for s in by_kind(manifests, "Service")
        if sm["spec"]["selector"]["matchLabels"].items() <= s["metadata"]["labels"].items()
    ]  # fmt: skip
    assert [s["metadata"]["name"] for s in selected] == ["orders-api-metrics"]
    assert selected[0]["spec"]["clusterIP"] == "None"
    relabel = endpoint["relabelings"][0]
    assert (relabel["targetLabel"], relabel["replacement"]) == ("service", "orders-api")
    assert sm["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_prometheus_rule_carries_the_generated_groups_and_release_label(
    pick: Any, tmp_path: Path
) -> None:
    rule = one(pick("prod-rolling-http-api"), "PrometheusRule")
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    names = [g["name"] for g in rule["spec"]["groups"]]
    assert "slo-orders-api-latency-alerts" in names
    manifests = render(
        [CHART / "ci" / "http-api-values.yaml",
         write_values(tmp_path / "r.yaml", {"prometheusRule": {
             "release": "monitoring", "groups": rule["spec"]["groups"]}})]
    )  # fmt: skip
    assert one(manifests, "PrometheusRule")["metadata"]["labels"]["release"] == "monitoring"
    assert not by_kind(render(), "PrometheusRule"), "no groups, no PrometheusRule"


@pytest.mark.requires("promtool")
def test_rendered_rule_groups_pass_promtool_check(pick: Any, tmp_path: Path) -> None:
    rule = one(pick("prod-rolling-queue-worker"), "PrometheusRule")
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    proc = subprocess.run(
        ["promtool", "check", "rules", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ------------------------------------------------------------------ helm test and NOTES
def test_helm_test_pod_calls_readyz_through_the_service(pick: Any) -> None:
    pod = one(pick("qa-canary-http-api"), "Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert pod["spec"]["containers"][0]["command"][-1] == "http://orders-api.qa.svc:80/readyz"
    labels = pod["metadata"]["labels"]
    assert labels["app.kubernetes.io/name"] != "orders-api", "Services must not select it"


def test_notes_render(tmp_path: Path) -> None:
    proc = run_helm(
        "install", "orders-api", str(CHART), "--namespace", "dev", "--dry-run=client",
        "--set", "strategy=canary",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    notes = proc.stdout.split("NOTES:", 1)[1]
    assert "kubectl argo rollouts -n dev get rollout orders-api" in notes
    assert "helm test orders-api -n dev" in notes
