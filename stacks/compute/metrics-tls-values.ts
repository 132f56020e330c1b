import { createHash } from 'node:crypto';

/**
 * The pure half of the cluster agent's metrics-server TLS (issue 15 finding 20): which names the
 * serving certificate carries, how long certificates live, and the Helm values that mount them.
 * The Pulumi resources that issue them are in ./metrics-tls.ts.
 */

/** A Kubernetes Service, as KEDA's datadog scaler addresses it. */
export interface ServiceAddress {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
}

/**
 * The host KEDA's `datadog` scaler connects to in cluster-agent mode: `https://<service>.<namespace>:<port>`
 * (`buildClusterAgentURL`, pkg/scalers/datadog_scaler.go:142-143 at kedacore/keda v2.20.2). Go's TLS
 * client verifies the certificate against exactly this host, so it must be one of the serving
 * certificate's DNS SANs.
 */
export function clusterAgentHost(service: Pick<ServiceAddress, 'name' | 'namespace'>): string {
  return `${service.name}.${service.namespace}`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The DNS SANs of the metrics server's certificate: the host KEDA dials ({@link clusterAgentHost})
 * first, then the `.svc` and `.svc.cluster.local` forms any other in-cluster client would use.
 * Throws when the name or namespace is not a DNS-1123 label (it could never resolve).
 */
export function metricsServerDnsNames(service: Pick<ServiceAddress, 'name' | 'namespace'>): string[] {
  for (const [key, value] of Object.entries({ name: service.name, namespace: service.namespace })) {
    if (value.length > 63 || !DNS_LABEL.test(value)) {
      throw new Error(
        `metrics service ${key} '${value}' must be a DNS-1123 label (lower-case alphanumerics and '-', at most 63 characters)`,
      );
    }
  }
  const host = clusterAgentHost(service);
  return [host, `${host}.svc`, `${host}.svc.cluster.local`];
}

/** How long a certificate lives, and how long before its end `pulumi up` replaces it. */
export interface CertValidity {
  /** Hours from issue to expiry (`validityPeriodHours`). */
  readonly validityHours: number;
  /** Hours before expiry from which a `pulumi up` (or the nightly preview) plans a replacement. */
  readonly earlyRenewalHours: number;
}

/**
 * The validity of the two certificates:
 * - the CA: 10 years, renewed in its last year. Replacing it re-issues the serving certificate and
 *   restarts KEDA's operator (which reads /custom/ca once per process, see ./metrics-tls.ts);
 * - the serving certificate: 1 year, renewed in its last 30 days, so any `pulumi up` in that month
 *   (and the nightly drift preview, which then shows the replacement) rotates it well before expiry.
 */
export const METRICS_TLS_VALIDITY: Readonly<{ ca: CertValidity; serving: CertValidity }> = {
  ca: { validityHours: 10 * 8760, earlyRenewalHours: 8760 },
  serving: { validityHours: 8760, earlyRenewalHours: 30 * 24 },
};

/**
 * Checks a validity window: positive whole hours, renewal window shorter than the validity, and a
 * serving certificate that expires before its CA's renewal starts (otherwise a CA rotation would be
 * the only thing that rotates it). Throws naming the field, the value and what was expected.
 */
export function checkValidity(validity: { ca: CertValidity; serving: CertValidity }): void {
  for (const [which, v] of Object.entries(validity)) {
    for (const [key, value] of Object.entries(v)) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new Error(`${which}.${key} must be a positive whole number of hours, got ${String(value)}`);
      }
    }
    if (v.earlyRenewalHours >= v.validityHours) {
      throw new Error(
        `${which}.earlyRenewalHours (${v.earlyRenewalHours}) must be less than ${which}.validityHours (${v.validityHours})`,
      );
    }
  }
  const caRenewsAfter = validity.ca.validityHours - validity.ca.earlyRenewalHours;
  if (validity.serving.validityHours > caRenewsAfter) {
    throw new Error(
      `serving.validityHours (${validity.serving.validityHours}) must be at most the CA's validity before renewal (${caRenewsAfter})`,
    );
  }
}

/**
 * The hour (after issue) from which a certificate is replaced, and the hours of validity left then:
 * what the runbook promises on-call.
 */
export function renewalSchedule(v: CertValidity): { renewFromHour: number; hoursLeftAtRenewal: number } {
  return { renewFromHour: v.validityHours - v.earlyRenewalHours, hoursLeftAtRenewal: v.earlyRenewalHours };
}

/** Where the serving certificate and its CA live in the cluster. */
export const METRICS_TLS = {
  /** The `kubernetes.io/tls` Secret in the cluster agent's namespace (keys `tls.crt`, `tls.key`). */
  servingSecret: 'datadog-cluster-agent-metrics-tls',
  /** Where the cluster agent mounts it (outside /etc/datadog-agent, which the chart fills at start). */
  servingMountPath: '/etc/datadog-metrics-tls',
  /** The ConfigMap with the CA certificate, in KEDA's namespace. */
  caConfigMap: 'datadog-cluster-agent-metrics-ca',
  /** Its one key, a PEM file in the trust directory. */
  caKey: 'datadog-cluster-agent-metrics-ca.crt',
  /**
   * KEDA's default trust directory: every file in it is added to the scalers' root CAs
   * (`--ca-dir` default, cmd/operator/main.go:119; pkg/util/certificates.go:32,67-99 at v2.20.2).
   */
  kedaCaDir: '/custom/ca',
  /** The pod annotation whose change rolls the pods when a certificate is replaced. */
  checksumAnnotation: 'checksum/metrics-tls',
} as const;

/** A SHA-256 of a PEM, for the checksum annotations (certificates only: never hash a key into a label). */
export function pemChecksum(pem: string): string {
  return createHash('sha256').update(pem).digest('hex');
}

/**
 * The cluster agent's values that make its metrics server serve the issued certificate (datadog
 * chart 3.146.1, cluster agent 7.72.1):
 * - `clusterAgent.volumes`/`volumeMounts` mount the Secret (values.yaml 1660-1670, rendered by
 *   templates/cluster-agent-deployment.yaml 473-475 and 557-559);
 * - `clusterAgent.datadog_cluster_yaml` becomes /etc/datadog-agent/datadog-cluster.yaml (values.yaml
 *   1672; templates/cluster-agent-config-configmap.yaml). Its `external_metrics_provider.config` map is
 *   passed to the metrics server as `--<key>=<value>` flags (cmd/cluster-agent/custommetrics/server.go,
 *   `RunServer`), parsed by the custom-metrics-apiserver's SecureServing flags: with `tls-cert-file`
 *   and `tls-private-key-file` set, `MaybeDefaultWithSelfSignedCerts` generates nothing and the
 *   server serves these files, reloading them when they change (k8s.io/apiserver
 *   dynamiccertificates);
 * - the certificate's checksum as a pod annotation (`clusterAgent.podAnnotations`, values.yaml 1636,
 *   deployment template 72-74), so a rotation also rolls the two replicas.
 */
export function clusterAgentTlsValues(certChecksum: string): Record<string, unknown> {
  const dir = METRICS_TLS.servingMountPath;
  return {
    volumes: [{ name: 'metrics-tls', secret: { secretName: METRICS_TLS.servingSecret } }],
    volumeMounts: [{ name: 'metrics-tls', mountPath: dir, readOnly: true }],
    datadog_cluster_yaml: {
      external_metrics_provider: {
        config: { 'tls-cert-file': `${dir}/tls.crt`, 'tls-private-key-file': `${dir}/tls.key` },
      },
    },
    podAnnotations: { [METRICS_TLS.checksumAnnotation]: certChecksum },
  };
}

/**
 * KEDA's values that make the operator (where the scalers run) trust the CA (keda chart 2.20.2):
 * the ConfigMap mounted at /custom/ca (`volumes.keda.extraVolumes`/`extraVolumeMounts`, values.yaml
 * 657-662, templates/manager/deployment.yaml 203-205 and 235-237), and the CA's checksum as an
 * operator pod annotation (`podAnnotations.keda`, values.yaml 308-310): KEDA loads the trust
 * directory once per process (`getRootCAs` caches the pool, pkg/util/certificates.go:53-55), so a new
 * CA needs a restart.
 */
export function kedaTrustValues(caChecksum: string): Record<string, unknown> {
  return {
    volumes: {
      keda: {
        extraVolumes: [{ name: 'metrics-ca', configMap: { name: METRICS_TLS.caConfigMap } }],
        extraVolumeMounts: [{ name: 'metrics-ca', mountPath: METRICS_TLS.kedaCaDir, readOnly: true }],
      },
    },
    podAnnotations: { keda: { [METRICS_TLS.checksumAnnotation]: caChecksum } },
  };
}
