// Validate custom resources with validators generated from the published CRD
// schemas (@kubernetes-models/*). Reads a JSON list of manifests on stdin and
// prints one JSON result per manifest: {kind, name, ok} | {kind, name, error}
// | {kind, name, skipped} for kinds these packages do not model.
import fs from "node:fs";
import { AnalysisTemplate, Rollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1";
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { PrometheusRule, ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const models = {
  "argoproj.io/v1alpha1/Rollout": Rollout,
  "argoproj.io/v1alpha1/AnalysisTemplate": AnalysisTemplate,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
  "monitoring.coreos.com/v1/PrometheusRule": PrometheusRule,
};

const manifests = JSON.parse(fs.readFileSync(0, "utf8"));
const results = manifests.map((m) => {
  const id = { kind: m.kind, name: m.metadata?.name };
  const Model = models[`${m.apiVersion}/${m.kind}`];
  if (!Model) return { ...id, skipped: true };
  try {
    new Model(m).validate();
    return { ...id, ok: true };
  } catch (err) {
    return { ...id, error: String(err?.message ?? err) };
  }
});
process.stdout.write(JSON.stringify(results));
