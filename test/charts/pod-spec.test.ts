import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IServiceAccount } from 'kubernetes-models/v1';
import { CONFIG_HASH_ANNOTATION, SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION } from '../../charts';
import { find, primaryProps, synth, WORKLOAD_NAMES } from './fixtures';

const props = primaryProps();
const objs = synth(props);
const deployments = WORKLOAD_NAMES.map(
  (name) => [name, find<IDeployment>(objs, 'Deployment', name)] as const,
);
const containers = deployments.flatMap(([name, d]) =>
  (d.spec?.template.spec?.containers ?? []).map((c) => [name, c] as const),
);

describe('workload pod specs', () => {
  test('every workload has exactly one container', () => {
    expect(containers.map(([name, c]) => [name, c.name])).toEqual(WORKLOAD_NAMES.map((n) => [n, n]));
  });

  test.each(containers)('%s: the container runs with the restricted security context', (_name, c) => {
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      privileged: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test.each(deployments)('%s: the pod runs non-root with seccomp RuntimeDefault', (_name, d) => {
    expect(d.spec?.template.spec?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test.each(containers)('%s: the container has startup, readiness and liveness probes', (_name, c) => {
    expect(c.startupProbe?.httpGet).toEqual({ path: '/healthz/startup', port: 8081, scheme: 'HTTP' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/healthz/ready', port: 8081, scheme: 'HTTP' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz/live', port: 8081, scheme: 'HTTP' });
    expect((c.startupProbe?.failureThreshold ?? 0) * (c.startupProbe?.periodSeconds ?? 0)).toBe(120);
  });

  test.each(containers)('%s: the container sets CPU and memory requests and limits', (_name, c) => {
    expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(c.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
  });

  test.each(deployments)('%s: /tmp is a size-limited emptyDir', (_name, d) => {
    expect(d.spec?.template.spec?.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(d.spec?.template.spec?.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  test.each(deployments)(
    '%s: pods spread across zones with maxSkew 1, preferring (ScheduleAnyway)',
    (name, d) => {
      expect(d.spec?.template.spec?.topologySpreadConstraints?.[0]).toEqual({
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: {
          matchLabels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'risk-platform' },
        },
        matchLabelKeys: ['pod-template-hash'],
      });
    },
  );

  test.each(deployments)('%s: pods run as their own ServiceAccount, without an API token', (name, d) => {
    const sa = find<IServiceAccount>(objs, 'ServiceAccount', name);
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(d.spec?.template.spec?.serviceAccountName).toBe(name);
    expect(d.spec?.template.spec?.automountServiceAccountToken).toBe(false);
  });

  test('each container runs the image from the props', () => {
    expect(containers.map(([, c]) => c.image)).toEqual([
      props.images.scoringApi,
      props.images.streamScorer,
      props.images.feedbackWorker,
    ]);
  });

  test('the ConfigMap publishes the model version, region, role and the region data-plane names', () => {
    const cm = find<IConfigMap>(objs, 'ConfigMap', 'stream-scorer-config');
    expect(cm.data).toEqual({
      WORKLOAD: 'stream-scorer',
      ENVIRONMENT: 'prod',
      AWS_REGION: 'us-west-2',
      REGION_ROLE: 'primary',
      MODEL_VERSION: '2024.11.3',
      SCORING_LATENCY_SLO_MS: '50',
      TRANSACTIONS_STREAM_NAME: 'prod-transactions',
      TRANSACTIONS_STREAM_ARN: 'arn:aws:kinesis:us-west-2:123456789012:stream/prod-transactions',
      FEATURES_TABLE_NAME: 'prod-features',
      DECISIONS_TABLE_NAME: 'prod-decisions',
      CONTROL_TABLE_NAME: 'prod-control',
      DECISIONS_TOPIC_ARN: 'arn:aws:sns:us-west-2:123456789012:prod-risk-decisions',
      CASE_REVIEW_QUEUE_URL: 'https://sqs.us-west-2.amazonaws.com/123456789012/prod-case-review',
      MODEL_FEEDBACK_QUEUE_URL: 'https://sqs.us-west-2.amazonaws.com/123456789012/prod-model-feedback',
      MODEL_FEEDBACK_QUEUE_NAME: 'prod-model-feedback',
      STREAM_CONSUMER_NAME: 'prod-stream-scorer',
      STREAM_CONSUMER_ARN:
        'arn:aws:kinesis:us-west-2:123456789012:stream/prod-transactions/consumer/prod-stream-scorer:1700000000',
      LEASE_TABLE_NAME: 'prod-stream-scorer-leases-us-west-2',
      WORKER_METRICS_TABLE_NAME: 'prod-stream-scorer-leases-us-west-2-WorkerMetricStats',
      COORDINATOR_STATE_TABLE_NAME: 'prod-stream-scorer-leases-us-west-2-CoordinatorState',
      KCL_VERSION: '>=3.0.0 <4.0.0',
      METRICS_NAMESPACE: 'prod-stream-scorer',
    });
  });

  test('only the stream scorer is told its lease table and fan-out consumer', () => {
    for (const name of ['scoring-api', 'feedback-worker']) {
      const cm = find<IConfigMap>(objs, 'ConfigMap', `${name}-config`);
      expect(Object.keys(cm.data ?? {}).filter((k) => /LEASE|CONSUMER|METRICS_NAMESPACE/.test(k))).toEqual(
        [],
      );
    }
  });

  test.each(deployments)('%s: the container reads its ConfigMap as environment variables', (name, d) => {
    expect(d.spec?.template.spec?.containers[0].envFrom).toEqual([
      { configMapRef: { name: `${name}-config` } },
    ]);
  });

  test('a new model version changes the pod template, so the pods roll', () => {
    const hash = (version: string) =>
      find<IDeployment>(synth(primaryProps({ modelVersion: version })), 'Deployment', 'scoring-api').spec
        ?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
    expect(hash('1.0.0')).toMatch(/^[a-f0-9]{16}$/);
    expect(hash('1.0.0')).not.toBe(hash('1.0.1'));
  });
});

describe('Cluster Autoscaler may remove the nodes the platform pods run on', () => {
  const all = [
    ...deployments,
    ['replication-heartbeat', find<IDeployment>(objs, 'Deployment', 'replication-heartbeat')] as const,
  ];
  test.each(all)('%s: every emptyDir is listed as safe to evict', (_name, d) => {
    const emptyDirs = (d.spec?.template.spec?.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name);
    expect(emptyDirs.length).toBeGreaterThan(0);
    const listed = d.spec?.template.metadata?.annotations?.[SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION];
    expect(listed?.split(',').sort()).toEqual(emptyDirs.sort());
  });
});

describe('Datadog collects every platform pod’s logs and /metrics', () => {
  test.each(deployments)('%s: logs tagged with its service, and /metrics on the admin port', (name, d) => {
    const a = d.spec?.template.metadata?.annotations ?? {};
    expect(JSON.parse(a[`ad.datadoghq.com/${name}.logs`])).toEqual([{ source: name, service: name }]);
    const checks = JSON.parse(a[`ad.datadoghq.com/${name}.checks`]);
    expect(checks.openmetrics.instances).toEqual([
      {
        openmetrics_endpoint: 'http://%%host%%:8081/metrics',
        namespace: name.replace(/-/g, '_'),
        metrics: ['.*'],
      },
    ]);
  });

  test('the heartbeat writer’s logs too (no /metrics)', () => {
    const a =
      find<IDeployment>(objs, 'Deployment', 'replication-heartbeat').spec?.template.metadata?.annotations ??
      {};
    expect(JSON.parse(a['ad.datadoghq.com/replication-heartbeat.logs'])).toEqual([
      { source: 'replication-heartbeat', service: 'replication-heartbeat' },
    ]);
    expect(a).not.toHaveProperty('ad.datadoghq.com/replication-heartbeat.checks');
  });
});
