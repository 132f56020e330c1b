import { synthesizeWorkloads } from '../../../charts';
import { exampleWorkloadsProps } from '../../../charts/example-props';
import {
  admissionOrder,
  CLUSTER_AUTOSCALER_IMAGE_TAG,
  clusterAutoscalerValues,
  datadogClusterAgentValues,
  HELM_CHARTS,
  kedaValues,
  withScaleRoom,
} from '../../../stacks/compute';
import { ofType, planOf } from '../../helpers/plan';

describe('KEDA values (chart 2.20.2)', () => {
  const v = kedaValues('c'.repeat(64)) as Record<string, Record<string, unknown>>;

  it('runs two metrics servers and two webhooks, each with a PDB, so a drain never freezes the autoscalers', () => {
    expect(v.metricsServer).toEqual({ replicaCount: 2 });
    expect(v.webhooks).toEqual({ replicaCount: 2 });
    expect(v.operator).toEqual({ replicaCount: 2 });
    expect(v.podDisruptionBudget).toEqual({
      operator: { minAvailable: 1 },
      metricServer: { minAvailable: 1 },
      webhooks: { minAvailable: 1 },
    });
  });

  it('lets the operator read Secrets in its own namespace only', () => {
    expect(v.permissions).toEqual({ operator: { restrict: { secret: true } } });
  });
});

describe('Cluster Autoscaler values', () => {
  it('runs the pinned chart’s own image', () => {
    const v = clusterAutoscalerValues('us-west-2', 'prod-risk-us-west-2');
    expect(v.image).toEqual({ tag: CLUSTER_AUTOSCALER_IMAGE_TAG });
    expect(CLUSTER_AUTOSCALER_IMAGE_TAG).toBe(`v${HELM_CHARTS.clusterAutoscaler.appVersion}`);
    expect(v.autoDiscovery).toEqual({ clusterName: 'prod-risk-us-west-2' });
  });
});

describe('Datadog cluster agent values', () => {
  it('creates its PDB with pdb.create, not the deprecated createPodDisruptionBudget', () => {
    const v = datadogClusterAgentValues('c'.repeat(64));
    expect(v.pdb).toEqual({ create: true, minAvailable: 1 });
    expect(v).not.toHaveProperty('createPodDisruptionBudget');
  });
});

describe('admissionOrder', () => {
  it('applies the ScaledObjects after everything else, so their Deployments exist for the webhook', () => {
    const objs = synthesizeWorkloads(exampleWorkloadsProps('prod', 'us-west-2', 'primary'));
    const { objects, afterWorkloads } = admissionOrder(objs as { kind?: unknown }[]);
    expect(afterWorkloads.map((o) => o.kind)).toEqual(['ScaledObject', 'ScaledObject', 'ScaledObject']);
    expect(objects.filter((o) => o.kind === 'ScaledObject')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Deployment')).toHaveLength(4);
    expect(objects.length + afterWorkloads.length).toBe(objs.length);
  });
});

describe('the prod plan', () => {
  it('puts every ScaledObject under its region’s autoscalers group, and every Deployment under the objects group', async () => {
    const plan = await planOf('prod');
    const groups = ofType(plan, 'kubernetes:yaml:ConfigGroup');
    const parentName = (urn: string | null) => groups.find((g) => g.urn === urn)?.name;
    for (const region of ['us-west-2', 'us-east-1']) {
      const scaled = ofType(plan, 'kubernetes:keda.sh/v1alpha1:ScaledObject', region);
      expect(scaled).toHaveLength(3);
      for (const so of scaled) expect(parentName(so.parent)).toBe(`${region}-autoscalers`);
      for (const d of ofType(plan, 'kubernetes:apps/v1:Deployment', region))
        expect(parentName(d.parent)).toBe(`${region}-objects`);
    }
  });

  it('installs KEDA with the HA values in both regions', async () => {
    const plan = await planOf('prod');
    const keda = ofType(plan, 'kubernetes:helm.sh/v3:Release').filter((r) => r.props.chart === 'keda');
    expect(keda).toHaveLength(2);
    for (const r of keda) {
      const checksum = (r.props.values as { podAnnotations: { keda: Record<string, string> } }).podAnnotations
        .keda['checksum/metrics-tls'];
      expect(checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(r.props.values).toEqual(kedaValues(checksum));
    }
  });
});

describe('node groups leave Cluster Autoscaler room to scale', () => {
  it('adds one node of room where the maximum equals the minimum, and keeps a larger maximum', () => {
    expect(withScaleRoom({ minSize: 2, desiredSize: 2, maxSize: 2 })).toEqual({
      minSize: 2,
      desiredSize: 2,
      maxSize: 3,
    });
    expect(withScaleRoom({ minSize: 4, desiredSize: 4, maxSize: 10 })).toEqual({
      minSize: 4,
      desiredSize: 4,
      maxSize: 10,
    });
  });

  it.each(['dev', 'staging', 'prod'])('%s: every node group may grow above its minimum', async (env) => {
    const plan = await planOf(env);
    const groups = ofType(plan, 'aws:eks/nodeGroup:NodeGroup');
    expect(groups).toHaveLength(6);
    for (const g of groups) {
      const s = g.props.scalingConfig as { minSize: number; maxSize: number };
      expect(s.maxSize).toBeGreaterThan(s.minSize);
    }
  });
});
