import fc from 'fast-check';
import {
  checkValidity,
  clusterAgentHost,
  clusterAgentTlsValues,
  DATADOG_CLUSTER_AGENT_SERVICE,
  kedaTrustValues,
  METRICS_TLS,
  METRICS_TLS_VALIDITY,
  metricsServerDnsNames,
  pemChecksum,
  renewalSchedule,
} from '../../../stacks/compute';
import { MOCK_TLS_ISSUED_AT, mockPem, TLS_COMPUTED_OUTPUTS } from '../../../tools/plan/mocks';
import { ofType, planOf } from '../../helpers/plan';

type Props = Record<string, unknown>;
const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);

describe('metricsServerDnsNames', () => {
  it('names first the host KEDA dials (<service>.<namespace>), then its .svc forms', () => {
    expect(metricsServerDnsNames(DATADOG_CLUSTER_AGENT_SERVICE)).toEqual([
      'datadog-cluster-agent-metrics-api.datadog',
      'datadog-cluster-agent-metrics-api.datadog.svc',
      'datadog-cluster-agent-metrics-api.datadog.svc.cluster.local',
    ]);
  });

  it('always contains the dialled host, and every name is under it', () => {
    fc.assert(
      fc.property(label, label, (name, namespace) => {
        const names = metricsServerDnsNames({ name, namespace });
        const host = clusterAgentHost({ name, namespace });
        expect(names[0]).toBe(host);
        for (const n of names) expect(n.startsWith(host)).toBe(true);
      }),
    );
  });

  it('refuses a name that is not a DNS label, naming it', () => {
    expect(() => metricsServerDnsNames({ name: 'Metrics_API', namespace: 'datadog' })).toThrow(
      "metrics service name 'Metrics_API' must be a DNS-1123 label (lower-case alphanumerics and '-', at most 63 characters)",
    );
    expect(() => metricsServerDnsNames({ name: 'api', namespace: '' })).toThrow(
      "metrics service namespace ''",
    );
  });
});

describe('certificate validity', () => {
  it('renews the serving certificate in its last 30 days of 365, and the CA in its last of 10 years', () => {
    expect(METRICS_TLS_VALIDITY).toEqual({
      ca: { validityHours: 87600, earlyRenewalHours: 8760 },
      serving: { validityHours: 8760, earlyRenewalHours: 720 },
    });
    expect(() => checkValidity(METRICS_TLS_VALIDITY)).not.toThrow();
    expect(renewalSchedule(METRICS_TLS_VALIDITY.serving)).toEqual({
      renewFromHour: 8040,
      hoursLeftAtRenewal: 720,
    });
  });

  it('refuses a renewal window as long as the validity', () => {
    expect(() =>
      checkValidity({ ...METRICS_TLS_VALIDITY, serving: { validityHours: 720, earlyRenewalHours: 720 } }),
    ).toThrow('serving.earlyRenewalHours (720) must be less than serving.validityHours (720)');
  });

  it('refuses a non-positive or fractional number of hours', () => {
    expect(() =>
      checkValidity({ ...METRICS_TLS_VALIDITY, ca: { validityHours: 0, earlyRenewalHours: 1 } }),
    ).toThrow('ca.validityHours must be a positive whole number of hours, got 0');
    expect(() =>
      checkValidity({ ...METRICS_TLS_VALIDITY, serving: { validityHours: 8760, earlyRenewalHours: 1.5 } }),
    ).toThrow('serving.earlyRenewalHours must be a positive whole number of hours, got 1.5');
  });

  it('refuses a serving certificate that outlives the CA before its renewal', () => {
    expect(() =>
      checkValidity({
        ca: { validityHours: 8760, earlyRenewalHours: 4380 },
        serving: { validityHours: 8760, earlyRenewalHours: 720 },
      }),
    ).toThrow("serving.validityHours (8760) must be at most the CA's validity before renewal (4380)");
  });

  it('accepts every consistent window, and renewal starts before expiry with the window left', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 200_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (v, f) => {
          const early = Math.min(v - 1, Math.max(1, Math.floor(v * f)));
          const s = renewalSchedule({ validityHours: v, earlyRenewalHours: early });
          expect(s.renewFromHour).toBeGreaterThan(0);
          expect(s.renewFromHour + s.hoursLeftAtRenewal).toBe(v);
          const ca = { validityHours: v * 4, earlyRenewalHours: v };
          expect(() =>
            checkValidity({ ca, serving: { validityHours: v, earlyRenewalHours: early } }),
          ).not.toThrow();
        },
      ),
    );
  });
});

describe('chart values', () => {
  it("points the cluster agent's metrics server at the mounted Secret's tls.crt and tls.key", () => {
    const v = clusterAgentTlsValues('c'.repeat(64));
    expect(v.volumes).toEqual([
      { name: 'metrics-tls', secret: { secretName: 'datadog-cluster-agent-metrics-tls' } },
    ]);
    expect(v.volumeMounts).toEqual([
      { name: 'metrics-tls', mountPath: '/etc/datadog-metrics-tls', readOnly: true },
    ]);
    expect(v.datadog_cluster_yaml).toEqual({
      external_metrics_provider: {
        config: {
          'tls-cert-file': '/etc/datadog-metrics-tls/tls.crt',
          'tls-private-key-file': '/etc/datadog-metrics-tls/tls.key',
        },
      },
    });
    expect(v.podAnnotations).toEqual({ 'checksum/metrics-tls': 'c'.repeat(64) });
  });

  it("mounts the CA ConfigMap at KEDA's operator trust directory, and rolls the operator on a new CA", () => {
    expect(kedaTrustValues('d'.repeat(64))).toEqual({
      volumes: {
        keda: {
          extraVolumes: [{ name: 'metrics-ca', configMap: { name: 'datadog-cluster-agent-metrics-ca' } }],
          extraVolumeMounts: [{ name: 'metrics-ca', mountPath: '/custom/ca', readOnly: true }],
        },
      },
      podAnnotations: { keda: { 'checksum/metrics-tls': 'd'.repeat(64) } },
    });
  });
});

describe('the offline mocks of @pulumi/tls', () => {
  it('give certificates a PEM placeholder and a validity window from validityPeriodHours', () => {
    const out = TLS_COMPUTED_OUTPUTS['tls:index/locallySignedCert:LocallySignedCert']({
      name: 'x-serving-cert',
      physical: 'x-serving-cert',
      region: 'us-west-2',
      inputs: { validityPeriodHours: 8760 },
    });
    expect(out).toEqual({
      certPem: mockPem('CERTIFICATE', 'certificate x-serving-cert'),
      validityStartTime: MOCK_TLS_ISSUED_AT,
      validityEndTime: '2027-01-01T00:00:00Z',
      readyForRenewal: false,
    });
    expect(String(out.certPem)).toMatch(
      /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/,
    );
  });
});

describe('the prod plan', () => {
  const regions = ['us-west-2', 'us-east-1'];

  it('issues, per region, a serving certificate whose SANs are the metrics service names, signed by a CA', async () => {
    const plan = await planOf('prod');
    for (const region of regions) {
      const [csr] = ofType(plan, 'tls:index/certRequest:CertRequest', region);
      expect(csr.props.dnsNames).toEqual(metricsServerDnsNames(DATADOG_CLUSTER_AGENT_SERVICE));
      expect(csr.props.privateKeyPem).toBe('[secret]');
      const [ca] = ofType(plan, 'tls:index/selfSignedCert:SelfSignedCert', region);
      expect(ca.props).toMatchObject({
        isCaCertificate: true,
        allowedUses: ['cert_signing', 'crl_signing'],
        validityPeriodHours: 87600,
        earlyRenewalHours: 8760,
        privateKeyPem: '[secret]',
      });
      const [cert] = ofType(plan, 'tls:index/locallySignedCert:LocallySignedCert', region);
      expect(cert.props).toMatchObject({
        allowedUses: ['digital_signature', 'key_encipherment', 'server_auth'],
        validityPeriodHours: 8760,
        earlyRenewalHours: 720,
        caPrivateKeyPem: '[secret]',
      });
      expect(ofType(plan, 'tls:index/privateKey:PrivateKey', region).map((k) => k.props)).toEqual([
        { algorithm: 'ECDSA', ecdsaCurve: 'P256' },
        { algorithm: 'ECDSA', ecdsaCurve: 'P256' },
      ]);
    }
  });

  it('puts the key in a masked kubernetes.io/tls Secret for the cluster agent, and the CA in KEDA’s namespace', async () => {
    const plan = await planOf('prod');
    for (const region of regions) {
      const [secret] = ofType(plan, 'kubernetes:core/v1:Secret', region).filter(
        (s) => (s.props.metadata as Props).name === METRICS_TLS.servingSecret,
      );
      expect(secret.props).toEqual({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'datadog-cluster-agent-metrics-tls', namespace: 'datadog' },
        type: 'kubernetes.io/tls',
        stringData: '[secret]',
      });
      const [cm] = ofType(plan, 'kubernetes:core/v1:ConfigMap', region).filter(
        (c) => (c.props.metadata as Props).name === METRICS_TLS.caConfigMap,
      );
      expect((cm.props.metadata as Props).namespace).toBe('keda');
      const caPem = (cm.props.data as Record<string, string>)[METRICS_TLS.caKey];
      expect(caPem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
      // KEDA's operator restarts exactly when the CA it must load changes.
      const [keda] = ofType(plan, 'kubernetes:helm.sh/v3:Release', region).filter(
        (r) => r.props.chart === 'keda',
      );
      expect(keda.props.values).toMatchObject(kedaTrustValues(pemChecksum(caPem)));
    }
  });

  it('declares the datadog and keda namespaces through a provider that adopts existing ones', async () => {
    const plan = await planOf('prod');
    for (const region of regions) {
      const names = ofType(plan, 'kubernetes:core/v1:Namespace', region).map(
        (n) => (n.props.metadata as Props).name,
      );
      expect(names).toEqual(expect.arrayContaining(['datadog', 'keda']));
      const [adopting] = ofType(plan, 'pulumi:providers:kubernetes', region).filter(
        (p) => p.name === `${region}-k8s-namespaces`,
      );
      expect(adopting.props.upsertExistingObjects).toBe('true');
      const [main] = ofType(plan, 'pulumi:providers:kubernetes', region).filter(
        (p) => p.name === `${region}-k8s`,
      );
      expect(main.props.upsertExistingObjects).toBeUndefined();
    }
  });
});
