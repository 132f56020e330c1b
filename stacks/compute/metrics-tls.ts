import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as tls from '@pulumi/tls';
import {
  checkValidity,
  CertValidity,
  METRICS_TLS,
  METRICS_TLS_VALIDITY,
  metricsServerDnsNames,
  pemChecksum,
  ServiceAddress,
} from './metrics-tls-values';

export interface ClusterAgentMetricsTlsArgs {
  /** The cluster's name, in the certificates' subjects. */
  readonly clusterName: string;
  /** The cluster agent's metrics service, the endpoint KEDA's datadog scaler dials. */
  readonly service: ServiceAddress;
  /** KEDA's namespace: the CA ConfigMap goes there. */
  readonly kedaNamespace: string;
  /** The cluster's Kubernetes provider. */
  readonly provider: k8s.Provider;
  /** The namespaces the Secret and the ConfigMap land in (they must exist before them). */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  /** @default {@link METRICS_TLS_VALIDITY} */
  readonly validity?: { readonly ca: CertValidity; readonly serving: CertValidity };
}

/**
 * The Datadog cluster agent's metrics-server certificate, issued by a CA of its own, so KEDA's
 * `datadog` scaler verifies the server it sends its bearer token to (no `unsafeSsl`):
 * - a CA: ECDSA P-256 key, self-signed, `isCaCertificate`, allowed only to sign certificates;
 * - a serving key and certificate for the metrics service's DNS names, signed by the CA;
 * - the serving certificate and key as a `kubernetes.io/tls` Secret in the cluster agent's namespace,
 *   and the CA certificate as a ConfigMap in KEDA's namespace (a certificate is no secret).
 *
 * Rotation is `pulumi up`: within `earlyRenewalHours` of expiry the tls provider plans a replacement
 * of the certificate (its `readyForRenewal`), the Secret takes the new one and the checksum annotation
 * rolls the cluster agent (see ./metrics-tls-values.ts). Private keys stay in the stack state,
 * encrypted: the tls provider marks `privateKeyPem` secret, and every use here wraps it again.
 * @see https://www.pulumi.com/registry/packages/tls/api-docs/locallysignedcert/
 */
export class ClusterAgentMetricsTls extends pulumi.ComponentResource {
  readonly caCertPem: pulumi.Output<string>;
  readonly servingCertPem: pulumi.Output<string>;
  /** When the serving certificate expires (RFC 3339). */
  readonly servingValidityEndTime: pulumi.Output<string>;
  /** The DNS SANs of the serving certificate. */
  readonly dnsNames: readonly string[];
  readonly servingSecret: k8s.core.v1.Secret;
  readonly caConfigMap: k8s.core.v1.ConfigMap;
  /** Checksums of the two certificates, for the pods' annotations. */
  readonly servingChecksum: pulumi.Output<string>;
  readonly caChecksum: pulumi.Output<string>;

  constructor(name: string, args: ClusterAgentMetricsTlsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:compute:ClusterAgentMetricsTls', name, {}, opts);
    const validity = args.validity ?? METRICS_TLS_VALIDITY;
    checkValidity(validity);
    this.dnsNames = metricsServerDnsNames(args.service);
    const parent = { parent: this };
    const subject = (commonName: string) => ({ commonName, organization: 'risk-platform' });

    const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: 'ECDSA', ecdsaCurve: 'P256' }, parent);
    const ca = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: pulumi.secret(caKey.privateKeyPem),
        subject: subject(`${args.clusterName} cluster-agent metrics CA`),
        isCaCertificate: true,
        allowedUses: ['cert_signing', 'crl_signing'],
        validityPeriodHours: validity.ca.validityHours,
        earlyRenewalHours: validity.ca.earlyRenewalHours,
      },
      parent,
    );
    const servingKey = new tls.PrivateKey(
      `${name}-serving-key`,
      { algorithm: 'ECDSA', ecdsaCurve: 'P256' },
      parent,
    );
    const request = new tls.CertRequest(
      `${name}-serving-csr`,
      {
        privateKeyPem: pulumi.secret(servingKey.privateKeyPem),
        subject: subject(this.dnsNames[0]),
        dnsNames: [...this.dnsNames],
      },
      parent,
    );
    const serving = new tls.LocallySignedCert(
      `${name}-serving-cert`,
      {
        certRequestPem: request.certRequestPem,
        caPrivateKeyPem: pulumi.secret(caKey.privateKeyPem),
        caCertPem: ca.certPem,
        allowedUses: ['digital_signature', 'key_encipherment', 'server_auth'],
        validityPeriodHours: validity.serving.validityHours,
        earlyRenewalHours: validity.serving.earlyRenewalHours,
      },
      parent,
    );
    this.caCertPem = ca.certPem;
    this.servingCertPem = serving.certPem;
    this.servingValidityEndTime = serving.validityEndTime;
    this.servingChecksum = serving.certPem.apply(pemChecksum);
    this.caChecksum = ca.certPem.apply(pemChecksum);

    const k8sOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
    this.servingSecret = new k8s.core.v1.Secret(
      `${name}-serving-secret`,
      {
        metadata: { name: METRICS_TLS.servingSecret, namespace: args.service.namespace },
        type: 'kubernetes.io/tls',
        stringData: {
          'tls.crt': serving.certPem,
          'tls.key': pulumi.secret(servingKey.privateKeyPem),
        },
      },
      k8sOpts,
    );
    this.caConfigMap = new k8s.core.v1.ConfigMap(
      `${name}-ca-configmap`,
      {
        metadata: { name: METRICS_TLS.caConfigMap, namespace: args.kedaNamespace },
        data: { [METRICS_TLS.caKey]: ca.certPem },
      },
      k8sOpts,
    );
    this.registerOutputs({
      caCertPem: this.caCertPem,
      servingCertPem: this.servingCertPem,
      servingValidityEndTime: this.servingValidityEndTime,
    });
  }
}
