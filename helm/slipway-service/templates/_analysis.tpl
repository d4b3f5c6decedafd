{{/*
slipway.analysisArgs: the pod-template hashes Argo Rollouts passes to the
AnalysisTemplate. The ServiceMonitor copies the pod label
rollouts-pod-template-hash onto every series as rollouts_pod_template_hash.
*/}}
{{- define "slipway.analysisArgs" -}}
- name: canary-hash
  valueFrom:
    podTemplateHashValue: Latest
- name: stable-hash
  valueFrom:
    podTemplateHashValue: Stable
{{- end }}

{{/*
slipway.analysisSeries: chassis metric names per service kind
(platform/CONTRACTS.md). `total`/`bad` count work items, `bucket`/`count` are
the duration histogram. http-api: requests, bad = 5xx. queue-worker:
messages, bad = dead-lettered.
*/}}
{{- define "slipway.analysisSeries" -}}
{{- if eq .Values.app.kind "http-api" -}}
total: http_server_requests_total
bad: status_class="5xx"
bucket: http_server_request_duration_seconds_bucket
count: http_server_request_duration_seconds_count
{{- else -}}
total: queue_messages_total
bad: outcome="dead_lettered"
bucket: queue_message_processing_seconds_bucket
count: queue_message_processing_seconds_count
{{- end }}
{{- end }}

{{/*
slipway.analysisConditions: success and failure conditions for a threshold.
Both require a real number: an empty result (no series) or NaN (series with
no traffic, 0/0) matches neither, which Argo Rollouts records as Inconclusive
- never as success. Arguments: list (operator-for-success) (threshold).
*/}}
{{- define "slipway.analysisConditions" -}}
{{- $op := index . 0 -}}
{{- $thr := index . 1 -}}
{{- $fail := dict ">=" "<" "<=" ">" -}}
successCondition: len(result) > 0 && !isNaN(result[0]) && result[0] {{ $op }} {{ $thr }}
failureCondition: len(result) > 0 && !isNaN(result[0]) && result[0] {{ get $fail $op }} {{ $thr }}
{{- end }}
