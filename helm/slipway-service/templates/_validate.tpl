{{/*
slipway.validate: rules values.schema.json cannot express. Each failure names
the value and the rule, so the fix is obvious from the error alone.
*/}}
{{- define "slipway.validate" -}}
{{- $v := .Values -}}
{{- if regexMatch "(?i)^latest$" (toString $v.image.tag) }}
{{- fail "image.tag: 'latest' is not allowed; set a fixed release tag (X.Y.Z or a git sha) or image.digest" }}
{{- end }}
{{- if and (not $v.image.tag) (not $v.image.digest) }}
{{- fail "image: set image.tag (a fixed release tag) or image.digest (sha256:...); an untagged image means latest" }}
{{- end }}
{{- $managed := dict "SERVICE_NAME" "app.name" "SERVICE_VERSION" "app.version" "APP_ENV" "env" "HTTP_PORT" "(fixed: 8000)" "SHUTDOWN_GRACE_SECONDS" "shutdown.appGraceSeconds" "PROMETHEUS_MULTIPROC_DIR" "(fixed: /run/prometheus)" "FLAGS_FILE" "flags" -}}
{{- range $name, $from := $managed }}
{{- if or (hasKey $v.envVars $name) (hasKey $v.secretEnv $name) }}
{{- fail (printf "envVars/secretEnv %s: the chart sets %s itself (from %s); remove it there" $name $name $from) }}
{{- end }}
{{- end }}
{{- $sd := $v.shutdown -}}
{{- if ge (add $sd.preStopSleepSeconds $sd.appGraceSeconds | int) ($sd.terminationGracePeriodSeconds | int) }}
{{- fail (printf "shutdown: preStopSleepSeconds (%v) + appGraceSeconds (%v) must be less than terminationGracePeriodSeconds (%v), or the kubelet kills the app mid-drain" $sd.preStopSleepSeconds $sd.appGraceSeconds $sd.terminationGracePeriodSeconds) }}
{{- end }}
{{- if eq $v.app.kind "queue-worker" }}
{{- if $v.ingress.enabled }}
{{- fail "ingress.enabled: a queue-worker serves no public HTTP; disable ingress or set app.kind=http-api" }}
{{- end }}
{{- if $v.httpRoute.enabled }}
{{- fail "httpRoute.enabled: a queue-worker serves no public HTTP; disable httpRoute or set app.kind=http-api" }}
{{- end }}
{{- end }}
{{- if and $v.ingress.enabled $v.httpRoute.enabled }}
{{- fail "ingress.enabled and httpRoute.enabled: choose one way in (Ingress or Gateway API HTTPRoute)" }}
{{- end }}
{{- if $v.autoscaling.enabled }}
{{- if gt ($v.autoscaling.minReplicas | int) ($v.autoscaling.maxReplicas | int) }}
{{- fail (printf "autoscaling: minReplicas (%v) must not exceed maxReplicas (%v)" $v.autoscaling.minReplicas $v.autoscaling.maxReplicas) }}
{{- end }}
{{- if and (eq $v.autoscaling.engine "keda") (eq $v.app.kind "http-api") }}
{{- if gt ($v.autoscaling.keda.latency.p95Seconds | float64) ($v.autoscaling.keda.latency.p99Seconds | float64) }}
{{- fail (printf "autoscaling.keda.latency: p95Seconds (%v) must not exceed p99Seconds (%v)" $v.autoscaling.keda.latency.p95Seconds $v.autoscaling.keda.latency.p99Seconds) }}
{{- end }}
{{- end }}
{{- if and (eq $v.autoscaling.engine "keda") (eq $v.app.kind "queue-worker") (eq $v.autoscaling.keda.queue.type "redis") (eq $v.autoscaling.keda.queue.connectionSecret.key "url") }}
{{- fail "autoscaling.keda.queue.connectionSecret.key: KEDA's redis scaler reads `address` as host:port, not a redis:// URL; point key at a Secret key holding host:port (e.g. address) and passwordKey at the password" }}
{{- end }}
{{- end }}
{{- if and (eq $v.env "prod") (eq $v.strategy "blueGreen") $v.rollout.blueGreen.autoPromotionEnabled }}
{{- fail "rollout.blueGreen.autoPromotionEnabled: prod is promoted by a human (kubectl argo rollouts promote); set it to false for env prod" }}
{{- end }}
{{- if and $v.warmup.enabled (not $v.warmup.module) }}
{{- fail "warmup.enabled: set warmup.module to the service's warm-up module (e.g. orders_api.warmup, run as python3 -m <module>), or disable warmup" }}
{{- end }}
{{- if and (eq $v.strategy "blueGreen") (gt ($v.rollout.blueGreen.previewReplicaCount | int) ($v.replicas | int)) }}
{{- fail (printf "rollout.blueGreen.previewReplicaCount (%v) must not exceed replicas (%v)" $v.rollout.blueGreen.previewReplicaCount $v.replicas) }}
{{- end }}
{{- end }}
