import { validateManifests } from '../../tools/manifests';
import { drProps, primaryProps, synth } from './fixtures';

describe('synthesizeWorkloads', () => {
  test('emits 38 objects per region in a fixed order', () => {
    expect(synth(primaryProps()).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/risk-scoring',
      'NetworkPolicy/default-deny',
      'NetworkPolicy/allow-dns-egress',
      'NetworkPolicy/allow-aws-apis-egress',
      'NetworkPolicy/allow-pod-identity-agent-egress',
      'NetworkPolicy/allow-datadog-agent-egress',
      'NetworkPolicy/allow-scoring-api-ingress',
      'NetworkPolicy/allow-datadog-scrape-ingress',
      'ServiceAccount/scoring-api',
      'ConfigMap/scoring-api-config',
      'Deployment/scoring-api',
      'PodDisruptionBudget/scoring-api',
      'Service/scoring-api',
      'DatadogMetric/scoring-api-rps',
      'ServiceAccount/scoring-api-metrics-reader',
      'Role/scoring-api-metrics-reader-token-requester',
      'RoleBinding/scoring-api-metrics-reader-token-requester',
      'ClusterRole/risk-scoring-scoring-api-metrics-reader',
      'ClusterRoleBinding/risk-scoring-scoring-api-metrics-reader',
      'ConfigMap/scoring-api-metrics-reader-scaler',
      'TriggerAuthentication/scoring-api-datadog',
      'ScaledObject/scoring-api',
      'ServiceAccount/stream-scorer',
      'ConfigMap/stream-scorer-config',
      'Deployment/stream-scorer',
      'PodDisruptionBudget/stream-scorer',
      'TriggerAuthentication/stream-scorer-aws',
      'ScaledObject/stream-scorer',
      'ServiceAccount/feedback-worker',
      'ConfigMap/feedback-worker-config',
      'Deployment/feedback-worker',
      'PodDisruptionBudget/feedback-worker',
      'TriggerAuthentication/feedback-worker-aws',
      'ScaledObject/feedback-worker',
      'ServiceAccount/replication-heartbeat',
      'ConfigMap/replication-heartbeat-writer',
      'Deployment/replication-heartbeat',
      'PodDisruptionBudget/replication-heartbeat',
    ]);
  });

  test('two runs give identical manifests', () => {
    expect(JSON.stringify(synth(drProps()))).toBe(JSON.stringify(synth(drProps())));
  });

  test.each([
    ['primary', primaryProps()],
    ['dr', drProps()],
  ])('every %s object validates against its schema and Kubernetes 1.33', (_role, props) => {
    expect(validateManifests(synth(props), { kubernetesVersion: '1.33' })).toEqual([]);
  });

  test('every namespaced object lands in the workload namespace', () => {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
    const objs = synth(primaryProps()).filter((o) => !clusterScoped.includes(o.kind));
    expect(new Set(objs.map((o) => o.metadata.namespace))).toEqual(new Set(['risk-scoring']));
  });

  test('every object carries the name, part-of, environment, region and role labels', () => {
    for (const o of synth(drProps())) {
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/part-of': 'risk-platform',
        'risk-platform/environment': 'prod',
        'risk-platform/region': 'us-east-1',
        'risk-platform/role': 'dr',
      });
      expect(o.metadata.labels?.['app.kubernetes.io/name']).toEqual(expect.any(String));
    }
  });

  test('matches the snapshot (on top of the assertions above)', () => {
    // The heartbeat writer's bundle (about 340 kB of minified JavaScript, asserted byte for byte in
    // replication-heartbeat.test.ts) and its hash annotation are replaced by a placeholder: the
    // snapshot shows the manifests' shape, not esbuild's output.
    const shown = JSON.parse(
      JSON.stringify(synth(primaryProps()))
        .replace(/("writer\.js":)"(?:[^"\\]|\\.)*"/, '$1"<bundle of tools/heartbeat/entry.ts>"')
        .replace(/("risk-platform\/writer-sha256":)"[a-f0-9]{64}"/, '$1"<sha256 of the bundle>"'),
    ) as unknown;
    expect(shown).toMatchSnapshot();
  });
});
