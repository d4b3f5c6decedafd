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

{{/*
slipway.smokeJob: "true" when the pre-promotion analysis runs the preview
smoke Job (blueGreen HTTP APIs; a worker's preview pods consume real messages).
*/}}
{{- define "slipway.smokeJob" -}}
{{- if and (eq .Values.strategy "blueGreen") (eq .Values.app.kind "http-api") -}}
true
{{- end -}}
{{- end }}

{{/*
slipway.smokePodSpec: the pod of the preview smoke Job. It runs the service's
own image (pinned; the chassis ships python3, so nothing else is pulled or
trusted) under Pod Security "restricted", and carries the helm-test pod's
labels, whose NetworkPolicy lets it reach only the service and DNS.
The script is stdlib only: `requests` paced evenly over `durationSeconds`
against the preview Service, then the share of non-5xx answers must reach
successRateMin and the p95 latency (statistics.quantiles) stay within
latencyP95Seconds - the thresholds of the Prometheus metrics. Exit 1 fails the
metric (the rollout aborts), exit 0 passes it.
*/}}
{{- define "slipway.smokePodSpec" -}}
{{- $a := .Values.analysis -}}
{{- $preview := printf "http://%s-preview.%s.svc:%v" (include "slipway.fullname" .) .Release.Namespace .Values.service.port -}}
restartPolicy: Never
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
# The service's own image: the same pull secrets as its pods.
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  seccompProfile:
    type: RuntimeDefault
{{- with .Values.warmup }}
{{- if .enabled }}
# The warm-up first (warmup.*): an init container, so the smoke load and the
# analysis measure a warmed version; its exit 1 fails the pod, the Job and
# the metric (failureLimit 0), and the rollout aborts before any traffic.
initContainers:
  - name: warmup
    image: {{ include "slipway.image" $ | quote }}
    imagePullPolicy: {{ $.Values.image.pullPolicy }}
    command:
      - python3
      - -m
      - {{ .module }}
      - --url
      - {{ $preview | quote }}
      - --rounds
      - {{ .rounds | quote }}
      - --concurrency
      - {{ .concurrency | quote }}
    {{- include "slipway.smokeContainerLimits" $ | nindent 4 }}
{{- end }}
{{- end }}
containers:
  - name: smoke
    image: {{ include "slipway.image" . | quote }}
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    command:
      - python3
      - -c
      - |
        import statistics, sys, time, urllib.error, urllib.request
        url, requests, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
        success_min, p95_max = float(sys.argv[4]), float(sys.argv[5])
        latencies, failed, start = [], 0, time.monotonic()
        for i in range(requests):
            time.sleep(max(0.0, start + i * duration / requests - time.monotonic()))
            sent = time.monotonic()
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 599  # refused, reset or timed out: the preview failed it
            latencies.append(time.monotonic() - sent)
            failed += status >= 500
        success = 1 - failed / requests
        p95 = statistics.quantiles(latencies, n=20, method="inclusive")[-1]
        ok = success >= success_min and p95 <= p95_max
        print(f"{url}: {requests} requests, success {success:.4f} (min {success_min}), "
              f"p95 {p95:.3f}s (max {p95_max}s): {'passed' if ok else 'failed'}")
        sys.exit(0 if ok else 1)
      - {{ printf "%s%s" $preview $a.smoke.route | quote }}
      - {{ $a.smoke.requests | quote }}
      - {{ $a.smoke.durationSeconds | quote }}
      - {{ $a.successRateMin | quote }}
      - {{ $a.latencyP95Seconds | quote }}
    {{- include "slipway.smokeContainerLimits" . | nindent 4 }}
{{- end }}

{{/*
slipway.smokeContainerLimits: resources and the Pod Security "restricted"
container context of the preview Job's containers (warm-up and smoke).
*/}}
{{- define "slipway.smokeContainerLimits" -}}
resources:
  requests:
    cpu: 50m
    memory: 48Mi
  limits:
    cpu: 200m
    memory: 96Mi
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  privileged: false
  capabilities:
    drop: [ALL]
  seccompProfile:
    type: RuntimeDefault
{{- end }}
