import { validatePlanManifests } from '../../../tools/plan/run';
import { PlannedResource } from '../../../tools/plan/harness';
import {
  CLUSTER_ADMIN_POLICY_ARN,
  CLUSTER_LOG_TYPES,
  HELM_CHARTS,
  MANAGED_ADDON_VERSIONS,
  SUPPORTED_KUBERNETES_VERSIONS,
} from '../../../stacks/compute';
import { WORKLOADS } from '../../../stacks/naming';
import { ofType, planOf } from '../../helpers/plan';

const REGIONS = ['us-west-2', 'us-east-1'] as const;
const props = (r: PlannedResource) => r.props;
/** The value at a dotted path of a resource's props (or of a plain object). */
function at<T = unknown>(r: PlannedResource | Record<string, unknown>, path: string): T {
  let cur: unknown = 'urn' in r && 'props' in r ? (r as PlannedResource).props : r;
  for (const k of path.split('.'))
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur as T;
}

describe.each(['staging', 'prod'])('compute plane of %s', (env) => {
  it.each(REGIONS)('has one cluster in %s pinned to a version in standard support', async (region) => {
    const plan = await planOf(env);
    const clusters = ofType(plan, 'aws:eks/cluster:Cluster', region);
    expect(clusters).toHaveLength(1);
    expect(SUPPORTED_KUBERNETES_VERSIONS).toContain(at(clusters[0], 'version'));
    expect(at(clusters[0], 'name')).toBe(`${env}-risk-${region}`);
  });

  it('keeps the API endpoint private and enables every control-plane log type', async () => {
    const plan = await planOf(env);
    for (const c of ofType(plan, 'aws:eks/cluster:Cluster')) {
      expect(at(c, 'vpcConfig.endpointPrivateAccess')).toBe(true);
      expect([...at<string[]>(c, 'enabledClusterLogTypes')].sort()).toEqual([...CLUSTER_LOG_TYPES].sort());
    }
  });

  it('envelope-encrypts Secrets with the region’s platform key', async () => {
    const plan = await planOf(env);
    for (const c of ofType(plan, 'aws:eks/cluster:Cluster')) {
      const enc = at<Record<string, unknown>>(c, 'encryptionConfig');
      expect(enc.resources).toEqual(['secrets']);
      expect(at(enc, 'provider.keyArn')).toMatch(new RegExp(`^arn:aws:kms:${c.region}:\\d{12}:key/mrk-`));
    }
  });

  it('authenticates with access entries only and makes the deployer role cluster admin', async () => {
    const plan = await planOf(env);
    for (const c of ofType(plan, 'aws:eks/cluster:Cluster'))
      expect(at(c, 'accessConfig.authenticationMode')).toBe('API');
    const admins = ofType(plan, 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation');
    expect(admins).toHaveLength(2);
    for (const a of admins) {
      expect(props(a)).toMatchObject({
        policyArn: CLUSTER_ADMIN_POLICY_ARN,
        accessScope: { type: 'cluster' },
      });
      expect(at(a, 'principalArn')).toMatch(/:role\/risk-platform-deployer$/);
    }
    const nodeEntries = ofType(plan, 'aws:eks/accessEntry:AccessEntry').filter(
      (e) => at(e, 'type') === 'EC2_LINUX',
    );
    expect(nodeEntries).toHaveLength(2);
  });

  it.each(REGIONS)('runs a managed node group over three private subnets in %s', async (region) => {
    const plan = await planOf(env);
    const [group] = ofType(plan, 'aws:eks/nodeGroup:NodeGroup', region);
    expect(new Set(at<string[]>(group, 'subnetIds')).size).toBe(3);
    expect(at(group, 'instanceTypes')).toEqual(plan.config.cluster.nodeInstanceTypes);
    const { minSize, maxSize } = at<{ minSize: number; maxSize: number }>(group, 'scalingConfig');
    expect(minSize).toBeGreaterThanOrEqual(3);
    expect(maxSize).toBeGreaterThanOrEqual(minSize);
  });

  it('binds every workload’s role through Pod Identity in both regions', async () => {
    const plan = await planOf(env);
    for (const region of REGIONS) {
      const associations = ofType(plan, 'aws:eks/podIdentityAssociation:PodIdentityAssociation', region).map(
        props,
      );
      for (const workload of WORKLOADS) {
        expect(associations).toContainEqual(
          expect.objectContaining({
            namespace: plan.config.workloads.namespace,
            serviceAccount: workload,
            roleArn: expect.stringMatching(new RegExp(`:role/${env}-risk-${workload}$`)),
          }),
        );
      }
    }
  });

  it.each(REGIONS)('installs the pinned add-ons in %s', async (region) => {
    const plan = await planOf(env);
    const addons = Object.fromEntries(
      ofType(plan, 'aws:eks/addon:Addon', region).map((a) => [at(a, 'addonName'), at(a, 'addonVersion')]),
    );
    expect(addons).toEqual(MANAGED_ADDON_VERSIONS);
    const releases = Object.fromEntries(
      ofType(plan, 'kubernetes:helm.sh/v3:Release', region).map((r) => [at(r, 'chart'), at(r, 'version')]),
    );
    expect(releases).toEqual(Object.fromEntries(Object.values(HELM_CHARTS).map((c) => [c.chart, c.version])));
  });

  it('hands the Datadog agent its API key as a secret and enables the external metrics provider', async () => {
    const plan = await planOf(env);
    for (const region of REGIONS) {
      const [datadog] = ofType(plan, 'kubernetes:helm.sh/v3:Release', region).filter(
        (r) => at(r, 'chart') === 'datadog',
      );
      expect(at(datadog, 'values.datadog.apiKey')).toBe('[secret]');
      expect(at(datadog, 'values.clusterAgent')).toMatchObject({
        enabled: true,
        metricsProvider: { enabled: true, useDatadogMetrics: true },
      });
    }
  });

  it.each(REGIONS)(
    'deploys the three workloads with autoscalers, PDBs and network policies in %s',
    async (region) => {
      const plan = await planOf(env);
      const objects = plan.resources.filter(
        (r) => r.type.startsWith('kubernetes:') && r.region === region && at(r, 'kind'),
      );
      const names = (kind: string) =>
        objects.filter((o) => at(o, 'kind') === kind).map((o) => at<string>(o, 'metadata.name'));
      expect(names('Deployment').sort()).toEqual([...WORKLOADS].sort());
      expect(names('PodDisruptionBudget').sort()).toEqual([...WORKLOADS].sort());
      expect(names('HorizontalPodAutoscaler')).toEqual(['scoring-api']);
      expect(names('ScaledObject').sort()).toEqual(['feedback-worker', 'stream-scorer']);
      expect(names('NetworkPolicy')).toContain('default-deny');
    },
  );

  it('runs the DR region at the standby minimums and the primary at full', async () => {
    const plan = await planOf(env);
    const hpa = (region: string) =>
      plan.resources.find(
        (r) => r.region === region && at(r, 'kind') === 'HorizontalPodAutoscaler',
      ) as PlannedResource;
    const primary = hpa('us-west-2');
    const dr = hpa('us-east-1');
    expect(at(dr, 'spec.minReplicas')).toBe(
      Math.max(1, Math.ceil(at<number>(primary, 'spec.minReplicas') * plan.config.dr.standbyFraction)),
    );
    expect(at(dr, 'spec.maxReplicas')).toBe(at(primary, 'spec.maxReplicas'));
  });

  it('validates every manifest against the pinned Kubernetes version', async () => {
    const plan = await planOf(env);
    expect(validatePlanManifests(plan.resources, plan.config.cluster.kubernetesVersion)).toEqual([]);
  });
});

describe('prod', () => {
  it('turns the public API endpoint off', async () => {
    const plan = await planOf('prod');
    for (const c of ofType(plan, 'aws:eks/cluster:Cluster')) {
      expect(at(c, 'vpcConfig.endpointPublicAccess')).toBe(false);
      expect(at(c, 'vpcConfig.publicAccessCidrs')).toBeUndefined();
    }
  });
});

describe('validatePlanManifests', () => {
  it('names the region, object and field of a broken manifest and skips Helm releases', () => {
    // GIVEN a Deployment with no selector, and a Helm release (not a manifest)
    const resources: PlannedResource[] = [
      {
        urn: 'urn:x',
        type: 'kubernetes:apps/v1:Deployment',
        name: 'broken',
        region: 'us-east-1',
        parent: null,
        props: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'broken', namespace: 'ns' },
          spec: { template: {} },
        },
      },
      {
        urn: 'urn:y',
        type: 'kubernetes:helm.sh/v3:Release',
        name: 'keda',
        region: 'us-east-1',
        parent: null,
        props: { chart: 'keda' },
      },
    ];
    // WHEN
    const problems = validatePlanManifests(resources, '1.35');
    // THEN
    expect(problems).toContainEqual(
      expect.objectContaining({ object: 'us-east-1:Deployment/ns/broken', field: 'spec.selector' }),
    );
    expect(problems.every((p) => !p.object.includes('keda'))).toBe(true);
  });
});
