import { synthesizeWorkloads } from '../../charts';
import { notServedReason, toFieldPath, validateManifests } from '../../tools/manifests';
import { primaryProps } from '../charts/fixtures';

const V = { kubernetesVersion: '1.33' };

/** A valid Deployment ("happy path"); tests break one field. */
function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'scoring-api', namespace: 'risk-scoring' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x:1' }] } },
    },
  };
}

describe('validateManifests', () => {
  test('accepts a valid Deployment', () => {
    expect(validateManifests([deployment()], V)).toEqual([]);
  });

  test('names the object and field of a wrongly typed replicas', () => {
    const d = deployment();
    (d.spec as Record<string, unknown>).replicas = 'three';
    expect(validateManifests([d], V)).toEqual([
      { object: 'Deployment/risk-scoring/scoring-api', field: 'spec.replicas', message: 'must be integer' },
    ]);
  });

  test('names the missing container name', () => {
    const d = deployment();
    const spec = d.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } };
    delete spec.template.spec.containers[0].name;
    expect(validateManifests([d], V)).toEqual([
      {
        object: 'Deployment/risk-scoring/scoring-api',
        field: 'spec.template.spec.containers[0].name',
        message: 'must have required property name',
      },
    ]);
  });

  test('rejects policy/v1beta1, removed in Kubernetes 1.25', () => {
    const pdb = {
      apiVersion: 'policy/v1beta1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'p', namespace: 'n' },
      spec: {},
    };
    expect(validateManifests([pdb], V)).toEqual([
      {
        object: 'PodDisruptionBudget/n/p',
        field: 'apiVersion',
        message:
          'policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 and is not served by 1.33; use policy/v1',
      },
    ]);
  });

  test('rejects autoscaling/v2beta2, removed in Kubernetes 1.26', () => {
    expect(notServedReason('autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.33')).toBe(
      'autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26 and is not served by 1.33; use autoscaling/v2',
    );
  });

  test('accepts autoscaling/v2beta2 on a cluster that still served it', () => {
    expect(notServedReason('autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.25')).toBeUndefined();
  });

  test('rejects autoscaling/v2 on a cluster older than 1.23', () => {
    expect(notServedReason('autoscaling/v2', 'HorizontalPodAutoscaler', '1.22')).toBe(
      'autoscaling/v2 HorizontalPodAutoscaler is served from Kubernetes 1.23, not by 1.22',
    );
  });

  test('rejects a kind that is not in the served-API table', () => {
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'n' } };
    expect(validateManifests([cron], V)).toEqual([
      {
        object: 'CronJob/n/c',
        field: 'apiVersion',
        message: 'kind CronJob (batch/v1) is not in the table of served APIs',
      },
    ]);
  });

  test('validates KEDA objects against the KEDA schema', () => {
    const so = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 's', namespace: 'n' },
      spec: {
        scaleTargetRef: { name: 'd' },
        minReplicaCount: 'one',
        triggers: [{ type: 'aws-sqs-queue', metadata: {} }],
      },
    };
    expect(validateManifests([so], V)).toEqual([
      { object: 'ScaledObject/n/s', field: 'spec.minReplicaCount', message: 'must be integer' },
    ]);
  });

  test('catches a DatadogMetric without a query', () => {
    const dm = {
      apiVersion: 'datadoghq.com/v1alpha1',
      kind: 'DatadogMetric',
      metadata: { name: 'm', namespace: 'n' },
      spec: {},
    };
    expect(validateManifests([dm], V)).toEqual([
      {
        object: 'DatadogMetric/n/m',
        field: 'spec.query',
        message: 'must be a non-empty Datadog query string',
      },
    ]);
  });

  test('catches a broken object among the synthesized ones', () => {
    const objs = synthesizeWorkloads(primaryProps());
    const broken = JSON.parse(JSON.stringify(objs)) as Array<Record<string, unknown>>;
    const so = broken.find(
      (o) => o.kind === 'ScaledObject' && (o.metadata as { name: string }).name === 'scoring-api',
    ) as { spec: Record<string, unknown> };
    so.spec.maxReplicaCount = '120';
    expect(validateManifests(broken, V)).toEqual([
      {
        object: 'ScaledObject/risk-scoring/scoring-api',
        field: 'spec.maxReplicaCount',
        message: 'must be integer',
      },
    ]);
  });

  test('throws on a malformed cluster version, naming it', () => {
    expect(() => validateManifests([], { kubernetesVersion: 'v1.33' })).toThrow(
      new Error(`'kubernetesVersion' ("v1.33") must be a Kubernetes minor version such as 1.33`),
    );
  });

  test('turns a JSON pointer into a field path', () => {
    expect(toFieldPath('/spec/template/spec/containers/0', 'name')).toBe(
      'spec.template.spec.containers[0].name',
    );
    expect(toFieldPath('/metadata/labels/app.kubernetes.io~1name')).toBe(
      'metadata.labels.app.kubernetes.io/name',
    );
  });
});
