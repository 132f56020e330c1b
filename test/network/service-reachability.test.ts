/**
 * Every AWS service a workload's IAM policy names is reachable from its pods, in every region: the
 * workloads' NetworkPolicy allows 443 only to the endpoint subnets and to the DynamoDB prefix list, so a
 * service needs an interface endpoint (private DNS, in the endpoint subnets) or a gateway endpoint whose
 * prefix list the NetworkPolicy allows. Derived from the plan: the workload roles' policies against
 * each region's VPC endpoints and NetworkPolicies, so a new permission without a path fails here.
 */
import { EnvironmentPlan, PlannedResource } from '../../tools/plan/harness';
import { MOCK_DYNAMODB_PREFIX_LIST_CIDRS } from '../../tools/plan/mocks';
import { ofType, planOf } from '../helpers/plan';

type Props = Record<string, unknown>;

/** The VPC endpoint service (`com.amazonaws.<region>.<service>`) of an IAM action prefix. */
const ENDPOINT_SERVICE_OF_ACTION_PREFIX: Readonly<Record<string, string>> = {
  dynamodb: 'dynamodb',
  kinesis: 'kinesis-streams',
  sqs: 'sqs',
  sns: 'sns',
  kms: 'kms',
  cloudwatch: 'monitoring',
  sts: 'sts',
  logs: 'logs',
  ssm: 'ssm',
  s3: 's3',
  secretsmanager: 'secretsmanager',
};

/** The CIDRs of the managed prefix list a gateway endpoint routes to, as the plan's mocks return them. */
const GATEWAY_PREFIX_LIST_CIDRS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  dynamodb: MOCK_DYNAMODB_PREFIX_LIST_CIDRS,
};

const WORKLOAD_PERMISSIONS = 'risk-platform:data:WorkloadPermissions';

/**
 * The workload role policies: the inline policies of the WorkloadPermissions component, except the
 * KEDA scaler roles' (`-scaler`), which KEDA's operator uses from its own namespace, outside the
 * workloads' default-deny NetworkPolicies.
 */
function workloadPolicies(resources: readonly PlannedResource[]): PlannedResource[] {
  return resources.filter(
    (r) =>
      r.type === 'aws:iam/rolePolicy:RolePolicy' &&
      (r.parent ?? '').includes(`${WORKLOAD_PERMISSIONS}::`) &&
      !r.name.endsWith('-scaler'),
  );
}

/** The IAM action prefixes (services) one policy document allows. */
function actionPrefixes(policy: PlannedResource): string[] {
  const doc = JSON.parse(policy.props.policy as string) as { Statement: Props[] };
  const actions = doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action ?? []].flat());
  return [...new Set((actions as string[]).map((a) => a.split(':')[0].toLowerCase()))].sort();
}

/** The CIDRs the workloads' namespace may reach on 443 in a region (all egress NetworkPolicies there). */
function httpsEgressCidrs(
  resources: readonly PlannedResource[],
  region: string,
  namespace: string,
): Set<string> {
  const cidrs = new Set<string>();
  for (const np of resources.filter(
    (r) => r.type === 'kubernetes:networking.k8s.io/v1:NetworkPolicy' && r.region === region,
  )) {
    const props = np.props as { metadata?: { namespace?: string }; spec?: { egress?: Props[] } };
    if (props.metadata?.namespace !== namespace) continue;
    for (const rule of props.spec?.egress ?? []) {
      const ports = (rule.ports as { port?: number }[] | undefined) ?? [];
      if (ports.length > 0 && !ports.some((p) => p.port === 443)) continue;
      for (const to of (rule.to as Props[] | undefined) ?? []) {
        const cidr = (to.ipBlock as { cidr?: string } | undefined)?.cidr;
        if (cidr) cidrs.add(cidr);
      }
    }
  }
  return cidrs;
}

/** Every (region, workload policy, service) a pod could not reach, with the reason. */
function unreachableServices(resources: readonly PlannedResource[], namespace: string): string[] {
  const problems: string[] = [];
  const vpcs = resources.filter((r) => r.type === 'aws:ec2/vpc:Vpc');
  for (const vpc of vpcs) {
    const region = vpc.region as string;
    const endpoints = resources.filter(
      (r) => r.type === 'aws:ec2/vpcEndpoint:VpcEndpoint' && r.region === region,
    );
    const endpoint = (service: string) =>
      endpoints.find((e) => e.props.serviceName === `com.amazonaws.${region}.${service}`);
    const allowed = httpsEgressCidrs(resources, region, namespace);
    // One stack per region: each region's grants are its own stack's policies (`<region>-workloads-*`).
    for (const policy of workloadPolicies(resources).filter((p) => p.name.startsWith(`${region}-`))) {
      for (const prefix of actionPrefixes(policy)) {
        const service = ENDPOINT_SERVICE_OF_ACTION_PREFIX[prefix];
        const where = `${region}: ${policy.name} calls ${prefix}`;
        if (service === undefined) {
          problems.push(`${where}, which has no known VPC endpoint service`);
          continue;
        }
        const e = endpoint(service);
        if (e === undefined) {
          problems.push(`${where}, but the VPC has no com.amazonaws.${region}.${service} endpoint`);
        } else if (e.props.vpcEndpointType === 'Interface') {
          if (e.props.privateDnsEnabled !== true)
            problems.push(`${where}, but its interface endpoint has no private DNS`);
          // The endpoint's own subnets (mock IDs are `<logical name>-id`), each of which must be allowed.
          const subnets = ((e.props.subnetIds as string[] | undefined) ?? []).map((id) =>
            resources.find((r) => r.type === 'aws:ec2/subnet:Subnet' && `${r.name}-id` === id),
          );
          if (subnets.length === 0 || subnets.some((sub) => !allowed.has(sub?.props.cidrBlock as string)))
            problems.push(
              `${where}, but the NetworkPolicy does not allow 443 to its interface endpoint's subnets`,
            );
        } else {
          const listCidrs = GATEWAY_PREFIX_LIST_CIDRS[service]?.[region] ?? [];
          if (listCidrs.length === 0 || !listCidrs.every((c) => allowed.has(c)))
            problems.push(
              `${where}, but the NetworkPolicy does not allow its gateway endpoint's prefix list`,
            );
        }
      }
    }
  }
  return problems;
}

describe.each(['dev', 'prod'])('%s: the services the workload roles may call', (env) => {
  let plan: EnvironmentPlan;
  beforeAll(async () => {
    plan = await planOf(env);
  });

  test("are read from the four workload role policies, one per region's stack", () => {
    expect(
      workloadPolicies(plan.resources)
        .map((p) => p.name)
        .sort(),
    ).toEqual(
      ['us-east-1', 'us-west-2'].flatMap((r) =>
        ['feedback-worker', 'replication-heartbeat', 'scoring-api', 'stream-scorer'].map(
          (w) => `${r}-workloads-${w}`,
        ),
      ),
    );
  });

  test('include CloudWatch (the stream scorer publishes its KCL metrics)', () => {
    const scorer = workloadPolicies(plan.resources).find(
      (p) => p.name === 'us-west-2-workloads-stream-scorer',
    );
    expect(scorer && actionPrefixes(scorer)).toContain('cloudwatch');
  });

  test('are each reachable from the pods in every region (an endpoint the NetworkPolicy allows)', () => {
    expect(unreachableServices(plan.resources, plan.config.workloads.namespace)).toEqual([]);
  });
});

describe('unreachableServices', () => {
  let plan: EnvironmentPlan;
  beforeAll(async () => {
    plan = await planOf('prod');
  });
  const ns = () => plan.config.workloads.namespace;

  test('reports a service whose interface endpoint is missing (CloudWatch without monitoring)', () => {
    const withoutMonitoring = plan.resources.filter(
      (r) =>
        !(
          r.type === 'aws:ec2/vpcEndpoint:VpcEndpoint' && String(r.props.serviceName).endsWith('.monitoring')
        ),
    );
    expect(unreachableServices(withoutMonitoring, ns())).toEqual([
      'us-east-1: us-east-1-workloads-stream-scorer calls cloudwatch, but the VPC has no com.amazonaws.us-east-1.monitoring endpoint',
      'us-west-2: us-west-2-workloads-stream-scorer calls cloudwatch, but the VPC has no com.amazonaws.us-west-2.monitoring endpoint',
    ]);
  });

  test('reports a permission for a gateway service whose prefix list the NetworkPolicy does not allow (S3)', () => {
    const resources = plan.resources.map((r) => {
      if (!r.name.endsWith('-workloads-feedback-worker') || r.type !== 'aws:iam/rolePolicy:RolePolicy')
        return r;
      const doc = JSON.parse(r.props.policy as string) as { Statement: Props[] };
      doc.Statement.push({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::models/*' });
      return { ...r, props: { ...r.props, policy: JSON.stringify(doc) } };
    });
    expect(unreachableServices(resources, ns())).toEqual([
      "us-east-1: us-east-1-workloads-feedback-worker calls s3, but the NetworkPolicy does not allow its gateway endpoint's prefix list",
      "us-west-2: us-west-2-workloads-feedback-worker calls s3, but the NetworkPolicy does not allow its gateway endpoint's prefix list",
    ]);
  });
});

test('every region of the prod plan has a VPC with its endpoints', async () => {
  const plan = await planOf('prod');
  expect(
    ofType(plan, 'aws:ec2/vpc:Vpc')
      // The canary's VPC in the third region (issue 13) is tested in test/stacks/observability.
      .filter((v) => !v.urn.includes('CanaryNetwork'))
      .map((v) => v.region)
      .sort(),
  ).toEqual(['us-east-1', 'us-west-2']);
});
