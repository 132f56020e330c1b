import { validatePlanManifests } from '../../../tools/plan/run';
import { PlannedResource } from '../../../tools/plan/harness';
import {
  AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
  CLUSTER_ADMIN_POLICY_ARN,
  EXTERNAL_DNS_SERVICE_ACCOUNT,
  CLUSTER_LOG_TYPES,
  HELM_CHARTS,
  MANAGED_ADDON_VERSIONS,
  SUPPORTED_KUBERNETES_VERSIONS,
} from '../../../stacks/compute';
import { readStackFile, stackFilePath } from '../../../stacks/config/stack-file';
import { WORKLOADS } from '../../../stacks/naming';
import { RunbookOutputs } from '../../../stacks/outputs';
import { MOCK_DYNAMODB_PREFIX_LIST_CIDRS } from '../../../tools/plan/mocks';
import { planSubnets } from '../../../stacks/network/cidr';
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

  it('authenticates with access entries only and makes each configured admin role cluster admin', async () => {
    const plan = await planOf(env);
    for (const c of ofType(plan, 'aws:eks/cluster:Cluster'))
      expect(at(c, 'accessConfig.authenticationMode')).toBe('API');
    const configured = plan.config.cluster.adminRoleArns;
    expect(configured).toEqual([
      'arn:aws:iam::123456789012:role/risk-platform-deployer',
      'arn:aws:iam::123456789012:role/risk-platform-oncall',
    ]);
    for (const region of REGIONS) {
      // The viewer (preview/drift) role's own association is tested in aws-review.test.ts.
      const viewers: string[] = plan.config.cluster.viewerRoleArns;
      const admins = ofType(plan, 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation', region).filter(
        (a) => !viewers.includes(at(a, 'principalArn')),
      );
      expect(admins.map((a) => at(a, 'principalArn')).sort()).toEqual([...configured].sort());
      for (const a of admins) {
        expect(props(a)).toMatchObject({
          policyArn: CLUSTER_ADMIN_POLICY_ARN,
          accessScope: { type: 'cluster' },
        });
      }
      const entries = ofType(plan, 'aws:eks/accessEntry:AccessEntry', region).filter(
        (e) => at(e, 'type') === 'STANDARD' && !viewers.includes(at(e, 'principalArn')),
      );
      expect(entries.map((e) => at(e, 'principalArn')).sort()).toEqual([...configured].sort());
    }
    const nodeEntries = ofType(plan, 'aws:eks/accessEntry:AccessEntry').filter(
      (e) => at(e, 'type') === 'EC2_LINUX',
    );
    expect(nodeEntries).toHaveLength(2);
  });

  it.each(REGIONS)('runs one managed node group per zone in %s, alike but for the subnet', async (region) => {
    const plan = await planOf(env);
    const groups = ofType(plan, 'aws:eks/nodeGroup:NodeGroup', region);
    expect(groups.map((g) => g.name).sort()).toEqual(['a', 'b', 'c'].map((z) => `${region}-nodes-${z}`));
    expect(new Set(groups.flatMap((g) => at<string[]>(g, 'subnetIds'))).size).toBe(3);
    for (const g of groups) {
      expect(at<string[]>(g, 'subnetIds')).toHaveLength(1);
      expect(at(g, 'instanceTypes')).toEqual(plan.config.cluster.nodeInstanceTypes);
      expect(at(g, 'labels')).toEqual({ 'risk-platform/node-pool': 'scoring' });
      expect(at(g, 'scalingConfig')).toEqual(at(groups[0], 'scalingConfig'));
      expect(at(g, 'tags')).toMatchObject({
        'k8s.io/cluster-autoscaler/enabled': 'true',
        [`k8s.io/cluster-autoscaler/${env}-risk-${region}`]: 'owned',
      });
      const { minSize, maxSize } = at<{ minSize: number; maxSize: number }>(g, 'scalingConfig');
      expect(minSize).toBeGreaterThanOrEqual(1);
      expect(maxSize).toBeGreaterThanOrEqual(minSize);
    }
  });

  it.each(REGIONS)('lets Cluster Autoscaler balance the zone groups in %s', async (region) => {
    const plan = await planOf(env);
    const [ca] = ofType(plan, 'kubernetes:helm.sh/v3:Release', region).filter(
      (r) => at(r, 'chart') === 'cluster-autoscaler',
    );
    expect(at(ca, 'values.extraArgs.balance-similar-node-groups')).toBe(true);
    expect(at(ca, 'values.autoDiscovery.clusterName')).toBe(`${env}-risk-${region}`);
  });

  it.each(REGIONS)('enforces NetworkPolicies through the vpc-cni add-on in %s', async (region) => {
    const plan = await planOf(env);
    const [cni] = ofType(plan, 'aws:eks/addon:Addon', region).filter((a) => at(a, 'addonName') === 'vpc-cni');
    expect(JSON.parse(at<string>(cni, 'configurationValues'))).toEqual({ enableNetworkPolicy: 'true' });
  });

  it.each(REGIONS)('lets the pods reach DynamoDB’s prefix-list CIDRs on 443 in %s', async (region) => {
    const plan = await planOf(env);
    const [policy] = plan.resources.filter(
      (r) =>
        r.region === region &&
        at(r, 'kind') === 'NetworkPolicy' &&
        at(r, 'metadata.name') === 'allow-aws-apis-egress',
    );
    const [rule] = at<{ to: { ipBlock: { cidr: string } }[]; ports: unknown[] }[]>(policy, 'spec.egress');
    expect(rule.ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    const site = plan.config.regions[region === 'us-west-2' ? 'primary' : 'dr'];
    expect(rule.to.map((t) => t.ipBlock.cidr)).toEqual([
      // The interface endpoints' own subnets (issue 15 finding 24), not the VPC CIDR.
      ...planSubnets(site.vpcCidr, site.availabilityZoneIds).map((z) => z.endpointCidr),
      ...MOCK_DYNAMODB_PREFIX_LIST_CIDRS[region],
    ]);
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

  it('hands the Datadog agent its API key as a secret and leaves the external metrics APIService to KEDA', async () => {
    const plan = await planOf(env);
    for (const region of REGIONS) {
      const [datadog] = ofType(plan, 'kubernetes:helm.sh/v3:Release', region).filter(
        (r) => at(r, 'chart') === 'datadog',
      );
      expect(at(datadog, 'values.datadog.apiKey')).toBe('[secret]');
      expect(at(datadog, 'values.clusterAgent')).toMatchObject({
        enabled: true,
        metricsProvider: { enabled: true, registerAPIService: false, useDatadogMetrics: true },
        env: [{ name: 'DD_EXTERNAL_METRICS_PROVIDER_ENABLE_DATADOGMETRIC_AUTOGEN', value: 'false' }],
      });
    }
  });

  it.each(REGIONS)(
    'deploys the three workloads with autoscalers, PDBs and network policies, and the heartbeat writer, in %s',
    async (region) => {
      const plan = await planOf(env);
      const objects = plan.resources.filter(
        (r) => r.type.startsWith('kubernetes:') && r.region === region && at(r, 'kind'),
      );
      const names = (kind: string) =>
        objects.filter((o) => at(o, 'kind') === kind).map((o) => at<string>(o, 'metadata.name'));
      expect(names('Deployment').sort()).toEqual([...WORKLOADS, 'replication-heartbeat'].sort());
      expect(names('PodDisruptionBudget').sort()).toEqual([...WORKLOADS, 'replication-heartbeat'].sort());
      expect(names('HorizontalPodAutoscaler')).toEqual([]);
      expect(names('ScaledObject').sort()).toEqual([...WORKLOADS].sort());
      expect(names('NetworkPolicy')).toContain('default-deny');
    },
  );

  it('runs the DR region at the standby minimums and the primary at full by default', async () => {
    const plan = await planOf(env);
    const scoringApi = (region: string) =>
      plan.resources.find(
        (r) =>
          r.region === region && at(r, 'kind') === 'ScaledObject' && at(r, 'metadata.name') === 'scoring-api',
      ) as PlannedResource;
    const primary = scoringApi('us-west-2');
    const dr = scoringApi('us-east-1');
    expect(at(dr, 'spec.minReplicaCount')).toBe(
      Math.max(2, Math.ceil(at<number>(primary, 'spec.minReplicaCount') * plan.config.dr.standbyFraction)),
    );
    expect(at(dr, 'spec.maxReplicaCount')).toBe(at(primary, 'spec.maxReplicaCount'));
  });

  it('validates every manifest against the pinned Kubernetes version', async () => {
    const plan = await planOf(env);
    expect(validatePlanManifests(plan.resources, plan.config.cluster.kubernetesVersion)).toEqual([]);
  });
});

describe('staging after a failover (dr.activeRegion = us-east-1)', () => {
  /** The staging plan with `risk-platform:dr.activeRegion` set to the DR region. */
  const planActiveDr = () => {
    const dr = JSON.parse(readStackFile(stackFilePath('staging')).values['risk-platform:dr']) as object;
    return planOf('staging', { 'risk-platform:dr': JSON.stringify({ ...dr, activeRegion: 'us-east-1' }) });
  };
  /** Each autoscaler's minimum in a region, by kind/name. */
  const minimums = (resources: readonly PlannedResource[], region: string) =>
    Object.fromEntries(
      resources
        .filter(
          (r) => r.region === region && ['HorizontalPodAutoscaler', 'ScaledObject'].includes(at(r, 'kind')),
        )
        .map((r) => [
          `${at<string>(r, 'kind')}/${at<string>(r, 'metadata.name')}`,
          at<number>(r, at(r, 'kind') === 'ScaledObject' ? 'spec.minReplicaCount' : 'spec.minReplicas'),
        ]),
    );

  it('gives the DR autoscalers the full minimums', async () => {
    // GIVEN the default plan (primary active) and the plan with the DR region active
    const [before, after] = [await planOf('staging'), await planActiveDr()];
    // THEN the DR region now runs what the primary ran
    expect(minimums(after.resources, 'us-east-1')).toEqual(minimums(before.resources, 'us-west-2'));
    expect(after.config.activeRegion).toBe('us-east-1');
  });

  it('gives the primary autoscalers the standby minimums', async () => {
    const [before, after] = [await planOf('staging'), await planActiveDr()];
    expect(minimums(after.resources, 'us-west-2')).toEqual(minimums(before.resources, 'us-east-1'));
    const full = minimums(before.resources, 'us-west-2');
    for (const [key, min] of Object.entries(minimums(after.resources, 'us-west-2')))
      expect(min).toBeLessThan(full[key]);
  });

  it('sizes the node groups for the minimums each region now runs', async () => {
    const [before, after] = [await planOf('staging'), await planActiveDr()];
    const nodes = (plan: typeof before, region: string) =>
      ofType(plan, 'aws:eks/nodeGroup:NodeGroup', region)
        .map((g) => at<number>(g, 'scalingConfig.minSize'))
        .reduce((a, b) => a + b, 0);
    expect(nodes(after, 'us-east-1')).toBe(nodes(before, 'us-west-2'));
    expect(nodes(after, 'us-west-2')).toBe(nodes(before, 'us-east-1'));
  });

  it("keeps the runbook output's full and standby minimums per region unchanged", async () => {
    const [before, after] = [await planOf('staging'), await planActiveDr()];
    const scalers = (plan: typeof before) =>
      Object.values((plan.outputs.runbook as RunbookOutputs).regions).map((r) => [
        r.region,
        r.role,
        r.workloads.deployments.map((d) => d.autoscaler),
      ]);
    expect(scalers(after)).toEqual(scalers(before));
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

describe.each(['staging', 'prod'])('ingress add-ons of %s', (env) => {
  const releaseOf = async (chart: string, region: string) => {
    const plan = await planOf(env);
    const [release] = ofType(plan, 'kubernetes:helm.sh/v3:Release', region).filter(
      (r) => at(r, 'chart') === chart,
    );
    return release;
  };
  const policyOf = async (roleSuffix: string, region: string) => {
    const plan = await planOf(env);
    const [policy] = ofType(plan, 'aws:iam/rolePolicy:RolePolicy').filter((p) =>
      String(at(p, 'role')).endsWith(`${env}-risk-${region}-${roleSuffix}`),
    );
    return JSON.parse(at<string>(policy, 'policy')) as {
      Statement: { Sid: string; Action: string[]; Resource: string | string[]; Condition?: unknown }[];
    };
  };

  it.each(REGIONS)(
    'installs the pinned AWS Load Balancer Controller for its cluster and VPC in %s',
    async (region) => {
      const release = await releaseOf('aws-load-balancer-controller', region);
      expect(props(release)).toMatchObject({
        version: HELM_CHARTS.awsLoadBalancerController.version,
        repositoryOpts: { repo: 'https://aws.github.io/eks-charts' },
        namespace: 'kube-system',
      });
      expect(at(release, 'values')).toMatchObject({
        clusterName: `${env}-risk-${region}`,
        region,
        vpcId: expect.stringMatching(/vpc/),
        serviceAccount: { create: true, name: AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT },
        enableShield: false,
        enableWaf: false,
        enableWafv2: false,
      });
    },
  );

  it.each(REGIONS)(
    'installs the pinned external-dns, upsert-only, owned by the cluster in %s',
    async (region) => {
      const plan = await planOf(env);
      const release = await releaseOf('external-dns', region);
      expect(at(release, 'version')).toBe(HELM_CHARTS.externalDns.version);
      expect(at(release, 'values')).toMatchObject({
        provider: { name: 'aws' },
        domainFilters: [plan.config.traffic.hostedZoneName],
        policy: 'upsert-only',
        txtOwnerId: `${env}-risk-${region}`,
        serviceAccount: { create: true, name: EXTERNAL_DNS_SERVICE_ACCOUNT },
      });
    },
  );

  it.each(REGIONS)(
    'binds both controllers’ roles to their service accounts through Pod Identity in %s',
    async (region) => {
      const plan = await planOf(env);
      const associations = ofType(plan, 'aws:eks/podIdentityAssociation:PodIdentityAssociation', region).map(
        props,
      );
      expect(associations).toContainEqual(
        expect.objectContaining({
          namespace: 'kube-system',
          serviceAccount: AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
          roleArn: expect.stringMatching(
            new RegExp(`:role/${env}-risk-${region}-aws-load-balancer-controller$`),
          ),
        }),
      );
      expect(associations).toContainEqual(
        expect.objectContaining({
          namespace: 'external-dns',
          serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT,
          roleArn: expect.stringMatching(new RegExp(`:role/${env}-risk-${region}-external-dns$`)),
        }),
      );
    },
  );

  it.each(REGIONS)('lets external-dns change records only in the hosted zone in %s', async (region) => {
    const plan = await planOf(env);
    const zoneArn = expect.stringMatching(/^arn:aws:route53:::hostedzone\/Z[A-Z0-9]+$/);
    const { Statement } = await policyOf('external-dns', region);
    const change = Statement.filter((s) => s.Action.includes('route53:ChangeResourceRecordSets'));
    expect(change).toHaveLength(1);
    expect(change[0].Resource).toEqual([zoneArn]);
    expect(change[0].Condition).toEqual({
      'ForAllValues:StringLike': {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': [
          `score-${region}.${plan.config.traffic.hostedZoneName}`,
          `*-score-${region}.${plan.config.traffic.hostedZoneName}`,
        ],
      },
    });
    const wildcard = Statement.filter(
      (s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')),
    );
    expect(wildcard.flatMap((s) => s.Action)).toEqual(['route53:ListHostedZones']);
  });

  it.each(REGIONS)(
    'grants the load balancer controller only Describe/Get actions on "*" in %s',
    async (region) => {
      const { Statement } = await policyOf('aws-load-balancer-controller', region);
      const onStar = Statement.filter((s) => s.Resource === '*' && s.Condition === undefined);
      expect(onStar.flatMap((s) => s.Action).every((a) => /^[a-z0-9]+:(Describe|Get)/.test(a))).toBe(true);
      const creates = Statement.find((s) => s.Sid === 'CreateTaggedLoadBalancers');
      expect(creates?.Condition).toEqual({
        StringEquals: { 'aws:RequestTag/elbv2.k8s.aws/cluster': `${env}-risk-${region}` },
      });
    },
  );
});
