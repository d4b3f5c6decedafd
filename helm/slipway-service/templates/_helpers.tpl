{{/*
Names, labels and small building blocks shared by every template.
Named templates are namespaced `slipway.` so a parent chart cannot collide.
*/}}

{{/* slipway.name: the chart name, or nameOverride. */}}
{{- define "slipway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* slipway.fullname: the base name of every object: fullnameOverride, else
SERVICE_NAME, so the Kubernetes Service (the `service` label Prometheus adds)
carries the name the SLO rules select on. */}}
{{- define "slipway.fullname" -}}
{{- default (include "slipway.serviceName" .) .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* slipway.serviceName: SERVICE_NAME, the name metrics and SLO rules select on. */}}
{{- define "slipway.serviceName" -}}
{{- default .Release.Name .Values.app.name }}
{{- end }}

{{/* slipway.version: SERVICE_VERSION (app.version, else image.tag, else appVersion). */}}
{{- define "slipway.version" -}}
{{- coalesce .Values.app.version .Values.image.tag .Chart.AppVersion }}
{{- end }}

{{/* slipway.selectorLabels: immutable labels that select this release's pods. */}}
{{- define "slipway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "slipway.serviceName" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* slipway.labels: the full label set on every object. */}}
{{- define "slipway.labels" -}}
{{ include "slipway.selectorLabels" . }}
app.kubernetes.io/version: {{ include "slipway.version" . | quote }}
app.kubernetes.io/component: {{ .Values.app.kind }}
app.kubernetes.io/part-of: slipway
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
slipway.dev/environment: {{ .Values.env }}
slipway.dev/team: {{ .Values.app.team }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* slipway.image: repository:tag, repository@digest or repository:tag@digest. */}}
{{- define "slipway.image" -}}
{{- $img := .Values.image -}}
{{- if and $img.tag $img.digest -}}
{{ $img.repository }}:{{ $img.tag }}@{{ $img.digest }}
{{- else if $img.digest -}}
{{ $img.repository }}@{{ $img.digest }}
{{- else -}}
{{ $img.repository }}:{{ $img.tag }}
{{- end }}
{{- end }}

{{/* slipway.progressive: "true" when Argo Rollouts owns the pods. */}}
{{- define "slipway.progressive" -}}
{{- if ne .Values.strategy "rolling" }}true{{ end }}
{{- end }}

{{/* slipway.scaleTarget: apiVersion/kind/name of the object autoscalers scale. */}}
{{- define "slipway.scaleTarget" -}}
{{- if include "slipway.progressive" . -}}
apiVersion: argoproj.io/v1alpha1
kind: Rollout
{{- else -}}
apiVersion: apps/v1
kind: Deployment
{{- end }}
name: {{ include "slipway.fullname" . }}
{{- end }}

{{/* slipway.leMatcher: a PromQL `le` matcher for a bucket boundary that works on
Prometheus 2 (le="1.0" as prometheus-client writes it) and Prometheus 3
(which normalises it to le="1" on ingestion). */}}
{{- define "slipway.leMatcher" -}}
{{- $le := toString . -}}
{{- if contains "." $le -}}
le="{{ $le }}"
{{- else -}}
le=~"{{ $le }}(\\.0)?"
{{- end }}
{{- end }}

{{/* slipway.maxPods: the most pods this release can run (decides PDB and spreading). */}}
{{- define "slipway.maxPods" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.maxReplicas }}{{ else }}{{ .Values.replicas }}{{ end }}
{{- end }}

{{/* slipway.testSelectorLabels: labels of the `helm test` pod (never the app's selector). */}}
{{- define "slipway.testSelectorLabels" -}}
app.kubernetes.io/name: {{ include "slipway.serviceName" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* slipway.checkovSkips: inline checkov skips for the workload, each with its
reason, rendered as checkov.io/skipN annotations. Argument: list (root
context) (number of skips the caller already wrote). */}}
{{- define "slipway.checkovSkips" -}}
{{- $offset := index . 1 -}}
{{- with index . 0 -}}
{{- $skips := list -}}
{{- if not .Values.image.digest -}}
{{- $skips = append $skips "CKV_K8S_43=Images are pinned by immutable release tag (never latest, enforced by the chart); set image.digest to pin by digest" -}}
{{- end -}}
{{- if and .Values.image.digest (ne .Values.image.pullPolicy "Always") -}}
{{- $skips = append $skips "CKV_K8S_15=The image is pinned by digest, so a cached copy is byte-identical to the registry's" -}}
{{- end -}}
{{- if .Values.secretEnv -}}
{{- $skips = append $skips "CKV_K8S_35=Settings are read from the environment (pydantic-settings, 12-factor); values come from Secrets via secretKeyRef, never from values files" -}}
{{- end -}}
{{- range $i, $s := $skips }}
checkov.io/skip{{ add1 $i | add $offset }}: {{ $s }}
{{- end }}
{{- end }}
{{- end }}
