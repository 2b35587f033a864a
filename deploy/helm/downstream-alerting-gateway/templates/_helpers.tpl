{{- define "gateway.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gateway.labels" -}}
{{ include "gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: gateway
app.kubernetes.io/part-of: downstream-alerting
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "gateway.serviceAccountName" -}}
{{- default (include "gateway.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "gateway.postgres" -}}
{{- if eq .Values.storage.type "postgres" }}true{{ else if eq .Values.storage.type "sqlite" }}{{ else }}{{ fail (printf "storage.type: %q must be sqlite or postgres" .Values.storage.type) }}{{ end -}}
{{- end -}}

{{- define "gateway.replicas" -}}
{{- if include "gateway.postgres" . }}{{ .Values.replicas | int }}{{ else }}1{{ end -}}
{{- end -}}

{{- define "gateway.tlsSecretName" -}}
{{- if .Values.tls.certManager.enabled -}}
{{- printf "%s-tls" (include "gateway.fullname" .) -}}
{{- else -}}
{{- .Values.tls.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* repository:tag or repository@digest; never a floating "latest". */}}
{{- define "gateway.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if eq $tag "latest" -}}{{- fail "image.tag: \"latest\" is not allowed; name a version (or image.digest)" -}}{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* What agents dial: advertisedAddress, else the gRPC Service's cluster DNS name. */}}
{{- define "gateway.advertisedAddress" -}}
{{- default (printf "%s-grpc.%s.svc:%d" (include "gateway.fullname" .) .Release.Namespace (.Values.service.grpc.port | int)) .Values.advertisedAddress -}}
{{- end -}}

{{- define "gateway.podTemplate" -}}
{{- $dataDir := "/var/lib/downstream-alerting" -}}
{{- $tlsSecret := include "gateway.tlsSecretName" . -}}
metadata:
  labels:
    {{- include "gateway.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "gateway.serviceAccountName" . }}
  # The gateway never calls the Kubernetes API.
  automountServiceAccountToken: false
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    runAsGroup: 1000
    fsGroup: 1000
    fsGroupChangePolicy: OnRootMismatch
    seccompProfile:
      type: RuntimeDefault
  terminationGracePeriodSeconds: 30
  containers:
    - name: gateway
      image: {{ include "gateway.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        runAsNonRoot: true
        capabilities:
          drop: [ALL]
      ports:
        - name: grpc
          containerPort: 9090
          protocol: TCP
        - name: http
          containerPort: 8080
          protocol: TCP
      env:
        - name: LOG_LEVEL
          value: {{ .Values.logLevel | quote }}
        - name: GATEWAY_HOST
          value: 0.0.0.0
        - name: GATEWAY_GRPC_PORT
          value: '9090'
        - name: GATEWAY_HTTP_PORT
          value: '8080'
        - name: GATEWAY_DATA_DIR
          value: {{ $dataDir }}
        - name: GATEWAY_ADVERTISED_ADDRESS
          value: {{ include "gateway.advertisedAddress" . | quote }}
        {{- with .Values.externalUrl }}
        - name: GATEWAY_EXTERNAL_URL
          value: {{ . | quote }}
        {{- end }}
        {{- if include "gateway.postgres" . }}
        - name: GATEWAY_STORAGE
          value: postgres
        - name: GATEWAY_POSTGRES_URL
          valueFrom:
            secretKeyRef:
              name: {{ required "storage.postgres.existingSecret: the Secret holding the database URL" .Values.storage.postgres.existingSecret }}
              key: {{ .Values.storage.postgres.secretKey }}
        {{- else }}
        - name: GATEWAY_STORAGE
          value: sqlite
        {{- end }}
        {{- if .Values.adminToken.existingSecret }}
        - name: GATEWAY_ADMIN_TOKEN
          valueFrom:
            secretKeyRef:
              name: {{ .Values.adminToken.existingSecret }}
              key: {{ .Values.adminToken.secretKey }}
        {{- else if include "gateway.postgres" . }}
        {{- fail "adminToken.existingSecret: replicas must share one admin token (required with storage.type=postgres)" }}
        {{- end }}
        {{- if $tlsSecret }}
        - name: GATEWAY_TLS_CERT_FILE
          value: /etc/downstream-alerting/tls/tls.crt
        - name: GATEWAY_TLS_KEY_FILE
          value: /etc/downstream-alerting/tls/tls.key
        {{- if .Values.tls.caKey }}
        - name: GATEWAY_TLS_CA_FILE
          value: /etc/downstream-alerting/tls/{{ .Values.tls.caKey }}
        {{- end }}
        {{- else if include "gateway.postgres" . }}
        {{- fail "tls.existingSecret or tls.certManager.enabled: replicas must share one TLS identity (required with storage.type=postgres)" }}
        {{- end }}
        {{- if .Values.receivers.existingSecret }}
        - name: GATEWAY_RECEIVERS_FILE
          value: /etc/downstream-alerting/receivers/{{ .Values.receivers.secretKey }}
        {{- end }}
        - name: GATEWAY_RETENTION_MAX_AGE
          value: {{ .Values.retention.maxAge | quote }}
        - name: GATEWAY_RETENTION_MAX_COUNT
          value: {{ .Values.retention.maxCount | int64 | quote }}
        - name: GATEWAY_HEALTH_POLL_INTERVAL
          value: {{ .Values.healthPollInterval | quote }}
        - name: GATEWAY_HANDSHAKE_TIMEOUT
          value: {{ .Values.handshake.timeout | quote }}
        - name: GATEWAY_MAX_PENDING_HANDSHAKES
          value: {{ .Values.handshake.maxPending | int64 | quote }}
        - name: GATEWAY_MAX_PENDING_HANDSHAKES_PER_ADDRESS
          value: {{ .Values.handshake.maxPendingPerAddress | int64 | quote }}
        - name: GATEWAY_MAX_JOINS_PER_MINUTE
          value: {{ .Values.joins.maxPerMinute | int64 | quote }}
        - name: GATEWAY_MAX_JOINS_PER_MINUTE_PER_ADDRESS
          value: {{ .Values.joins.maxPerMinutePerAddress | int64 | quote }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      # The gRPC port serves TLS only, which Kubernetes' gRPC probe cannot speak: /healthz on the HTTP port.
      startupProbe:
        httpGet:
          path: /healthz
          port: http
        periodSeconds: {{ .Values.startupProbe.periodSeconds }}
        failureThreshold: {{ .Values.startupProbe.failureThreshold }}
      readinessProbe:
        httpGet:
          path: /healthz
          port: http
        periodSeconds: 10
        timeoutSeconds: 5
      livenessProbe:
        httpGet:
          path: /healthz
          port: http
        periodSeconds: 20
        timeoutSeconds: 5
        failureThreshold: 3
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      volumeMounts:
        - name: data
          mountPath: {{ $dataDir }}
        {{- if $tlsSecret }}
        - name: tls
          mountPath: /etc/downstream-alerting/tls
          readOnly: true
        {{- end }}
        {{- if .Values.receivers.existingSecret }}
        - name: receivers
          mountPath: /etc/downstream-alerting/receivers
          readOnly: true
        {{- end }}
  volumes:
    {{- if include "gateway.postgres" . }}
    # Stateless replicas: the data directory holds nothing that must outlive the pod.
    - name: data
      emptyDir:
        sizeLimit: 1Gi
    {{- end }}
    {{- if $tlsSecret }}
    - name: tls
      secret:
        secretName: {{ $tlsSecret }}
    {{- end }}
    {{- if .Values.receivers.existingSecret }}
    - name: receivers
      secret:
        secretName: {{ .Values.receivers.existingSecret }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
