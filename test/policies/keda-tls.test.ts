/**
 * `keda-cluster-agent-tls` on the real prod plan: clean as planned, and each link of the TLS chain
 * (no unsafeSsl, SANs naming the dialled host, the cluster agent serving the issued certificate,
 * KEDA trusting the CA) caught when it breaks, with its exact message.
 */
import { kedaClusterAgentTls } from '../../policies/keda-tls';
import { EnvironmentPlan, PlannedResource } from '../../tools/plan/harness';
import { evaluatePolicies } from '../../tools/policy/evaluate';
import { planOf } from '../helpers/plan';
import { withChange } from './fixtures';

type Props = Record<string, unknown>;

let plan: EnvironmentPlan;
beforeAll(async () => {
  plan = await planOf('prod');
});

const SO = 'us-west-2-risk-scoring/scoring-api';
const WHERE = "ScaledObject 'risk-scoring/scoring-api' (us-west-2)";

/** `resources` (default: the plan's) with `change` applied to a copy of the resource named `name`. */
const changed = (
  name: string,
  change: (p: Props) => void,
  resources: readonly PlannedResource[] = plan.resources,
): PlannedResource[] => withChange(resources, name, change);

/** The violations' own messages (the evaluator prefixes each with the policy's description line). */
const messages = async (resources: readonly PlannedResource[]) =>
  (await evaluatePolicies(resources, {}, [kedaClusterAgentTls])).map((v) => {
    expect(v.message.startsWith(`${kedaClusterAgentTls.description}\n`)).toBe(true);
    return v.message.slice(kedaClusterAgentTls.description.length + 1);
  });

test('the prod plan passes: every cluster-agent trigger has its certificate, server and trust', async () => {
  expect(await messages(plan.resources)).toEqual([]);
});

test('fails if the TriggerAuthentication reads unsafeSsl true again', async () => {
  const withParameter = changed('us-west-2-risk-scoring/scoring-api-metrics-reader-scaler', (p) => {
    (p.data as Props).unsafeSsl = 'true';
  });
  const resources = changed(
    'us-west-2-risk-scoring/scoring-api-datadog',
    (p) => {
      ((p.spec as Props).configMapTargetRef as Props[]).push({
        parameter: 'unsafeSsl',
        name: 'scoring-api-metrics-reader-scaler',
        key: 'unsafeSsl',
      });
    },
    withParameter,
  );
  expect(await messages(resources)).toEqual([
    "TriggerAuthentication 'risk-scoring/scoring-api-datadog' (us-west-2) reads unsafeSsl 'true': KEDA would skip " +
      "verifying the server it sends credentials to; drop the parameter (KEDA's default is false) and give the server " +
      'a certificate KEDA trusts.',
  ]);
});

test('fails if a trigger sets unsafeSsl in its metadata', async () => {
  const resources = changed(SO, (p) => {
    if (p.kind !== 'ScaledObject') return; // the Deployment, Service, ... share the name
    const t = ((p.spec as Props).triggers as Props[]).find((x) => x.type === 'datadog') as Props;
    (t.metadata as Props).unsafeSsl = 'true';
  });
  expect(await messages(resources)).toEqual([
    `${WHERE}: its datadog trigger sets unsafeSsl 'true'; drop it and trust the server's CA instead.`,
  ]);
});

test("fails if the serving certificate's SANs stop naming the host KEDA dials", async () => {
  const resources = changed('us-west-2-metrics-tls-serving-csr', (p) => {
    p.dnsNames = ['datadog-cluster-agent-metrics-api.datadog.svc'];
  });
  expect(await messages(resources)).toEqual([
    `${WHERE} dials https://datadog-cluster-agent-metrics-api.datadog, but no tls CertRequest of stack 'prod-us-west-2' ` +
      `has it as a DNS SAN (SANs: [["datadog-cluster-agent-metrics-api.datadog.svc"]]); issue the cluster agent's ` +
      "serving certificate for 'datadog-cluster-agent-metrics-api.datadog'.",
  ]);
});

test('fails if the trigger dials a service the certificate does not name', async () => {
  const resources = changed('us-west-2-risk-scoring/scoring-api-metrics-reader-scaler', (p) => {
    (p.data as Props).datadogNamespace = 'monitoring';
  });
  const out = await messages(resources);
  expect(out).toHaveLength(1);
  expect(out[0]).toContain(
    'dials https://datadog-cluster-agent-metrics-api.monitoring, but no tls CertRequest',
  );
});

test('fails if the cluster agent is not given the certificate (it would self-sign)', async () => {
  const resources = changed('us-west-2-datadog', (p) => {
    delete ((p.values as Props).clusterAgent as Props).datadog_cluster_yaml;
  });
  expect(await messages(resources)).toEqual([
    `${WHERE} reads the cluster agent, whose metrics server must serve a provided certificate: the datadog release ` +
      "of stack 'prod-us-west-2' sets no clusterAgent.datadog_cluster_yaml.external_metrics_provider.config.tls-cert-file, " +
      'so it serves a certificate it self-signs at start, which KEDA cannot verify.',
  ]);
});

test("fails if KEDA's operator mounts no trust directory", async () => {
  const resources = changed('us-west-2-keda', (p) => {
    delete (p.values as Props).volumes;
  });
  expect(await messages(resources)).toEqual([
    `${WHERE}: KEDA's operator must trust the cluster agent's CA, but the keda release of stack 'prod-us-west-2' ` +
      'mounts nothing at /custom/ca (or a certificates.operator.caDirs entry) through volumes.keda.extraVolumeMounts.',
  ]);
});

test('accepts a trust directory moved with certificates.operator.caDirs', async () => {
  const resources = changed('us-west-2-keda', (p) => {
    const values = p.values as Props;
    values.certificates = { operator: { caDirs: ['/etc/keda-ca'] } };
    ((values.volumes as Props).keda as Props).extraVolumeMounts = [
      { name: 'metrics-ca', mountPath: '/etc/keda-ca' },
    ];
  });
  expect(await messages(resources)).toEqual([]);
});

test('fails if the TriggerAuthentication does not name the metrics service', async () => {
  const resources = changed('us-west-2-risk-scoring/scoring-api-datadog', (p) => {
    const spec = p.spec as Props;
    spec.configMapTargetRef = (spec.configMapTargetRef as Props[]).filter(
      (r) => r.parameter !== 'datadogMetricsService',
    );
  });
  expect(await messages(resources)).toEqual([
    `${WHERE}: its datadog trigger's TriggerAuthentication 'scoring-api-datadog' must name the cluster agent's metrics ` +
      'service (datadogMetricsService, datadogNamespace), got {"namespace":"datadog"}.',
  ]);
});
