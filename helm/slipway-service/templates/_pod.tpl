{{/*
slipway.podTemplate: the pod every strategy runs. The Deployment carries it and
the Argo Rollout references that Deployment (workloadRef), so the hardened spec
exists once and is what checkov and Pod Security "restricted" see.
*/}}
{{- define "slipway.podTemplate" -}}
{{- $fullname := include "slipway.fullname" . -}}
metadata:
  labels:
    {{- include "slipway.labels" . | nindent 4 }}
  {{- /* No checksum of the flags ConfigMap here on purpose: flags are kill
  switches, flipped without a rollout; the kubelet refreshes the mounted file
  and the chassis' flagd file provider re-reads it. */}}
  {{- with .Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ $fullname }}
  # The chassis never calls the Kubernetes API: no token in the pod.
  automountServiceAccountToken: false
  # Service links inject one variable per Service in the namespace: noise, and
  # they could shadow the chassis' own settings.
  enableServiceLinks: false
  terminationGracePeriodSeconds: {{ .Values.shutdown.terminationGracePeriodSeconds }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    runAsGroup: 10001
    fsGroup: 10001
    seccompProfile:
      type: RuntimeDefault
  {{- if .Values.topologySpread.enabled }}
  topologySpreadConstraints:
    # Hard across nodes: losing one node never takes more than its share.
    - maxSkew: 1
      topologyKey: kubernetes.io/hostname
      whenUnsatisfiable: DoNotSchedule
      labelSelector:
        matchLabels:
          {{- include "slipway.selectorLabels" . | nindent 10 }}
      # Count only pods of the same revision, so a rollout is not blocked by old pods.
      matchLabelKeys: [pod-template-hash, rollouts-pod-template-hash]
    # Soft across zones: single-zone clusters still schedule.
    - maxSkew: 1
      topologyKey: topology.kubernetes.io/zone
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "slipway.selectorLabels" . | nindent 10 }}
      matchLabelKeys: [pod-template-hash, rollouts-pod-template-hash]
  {{- end }}
  containers:
    - name: app
      image: {{ include "slipway.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      ports:
        - name: http
          containerPort: 8000
          protocol: TCP
      env:
        - name: SERVICE_NAME
          value: {{ include "slipway.serviceName" . | quote }}
        - name: SERVICE_VERSION
          value: {{ include "slipway.version" . | quote }}
        - name: APP_ENV
          value: {{ .Values.env | quote }}
        - name: HTTP_PORT
          value: "8000"
        - name: SHUTDOWN_GRACE_SECONDS
          value: {{ .Values.shutdown.appGraceSeconds | quote }}
        - name: PROMETHEUS_MULTIPROC_DIR
          value: /run/prometheus
        - name: FLAGS_FILE
          value: /etc/slipway/flags/flags.json
        {{- range $name, $value := .Values.envVars }}
        - name: {{ $name }}
          value: {{ toString $value | quote }}
        {{- end }}
        {{- range $name, $ref := .Values.secretEnv }}
        - name: {{ $name }}
          valueFrom:
            secretKeyRef:
              name: {{ $ref.secretName }}
              key: {{ $ref.key }}
        {{- end }}
      # Probe paths are the chassis endpoints (platform/CONTRACTS.md).
      startupProbe:
        httpGet:
          path: /startupz
          port: http
        periodSeconds: {{ .Values.probes.startup.periodSeconds }}
        failureThreshold: {{ .Values.probes.startup.failureThreshold }}
        timeoutSeconds: {{ .Values.probes.startup.timeoutSeconds }}
      livenessProbe:
        httpGet:
          path: /livez
          port: http
        periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
        failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
        timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
      readinessProbe:
        httpGet:
          path: /readyz
          port: http
        periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
        failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
        timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
      lifecycle:
        # Endpoint removal races SIGTERM: keep serving while load balancers
        # catch up, then the app gets SHUTDOWN_GRACE_SECONDS to drain.
        preStop:
          sleep:
            seconds: {{ .Values.shutdown.preStopSleepSeconds }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
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
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        - name: prometheus-multiproc
          mountPath: /run/prometheus
        - name: flags
          mountPath: /etc/slipway/flags
          readOnly: true
  volumes:
    # The root filesystem is read-only: these are the only writable paths.
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    - name: prometheus-multiproc
      emptyDir:
        medium: Memory
        sizeLimit: 32Mi
    - name: flags
      configMap:
        name: {{ $fullname }}-flags
{{- end }}
