import { PlannedResource } from '../../../tools/plan/harness';
import { ofType, planOf } from '../../helpers/plan';

/** The value at a dotted path of a resource's props. */
function at<T = unknown>(r: PlannedResource, path: string): T {
  let cur: unknown = r.props;
  for (const k of path.split('.'))
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur as T;
}
/** Mock IDs are `<logical name>-id` (tools/plan/mocks.ts). */
const byMockId = (resources: readonly PlannedResource[], id: string) =>
  resources.find((r) => `${r.name}-id` === id);

describe('the private API endpoint admits the deploy runners (issue 15 finding 4)', () => {
  it.each(['us-west-2', 'us-east-1'])(
    'prod %s: the cluster carries a security group admitting 443 from cluster.privateApiAccessCidrs only',
    async (region) => {
      const plan = await planOf('prod');
      const [cluster] = ofType(plan, 'aws:eks/cluster:Cluster', region);
      const ids = at<string[]>(cluster, 'vpcConfig.securityGroupIds');
      expect(ids).toHaveLength(1);
      const sg = byMockId(ofType(plan, 'aws:ec2/securityGroup:SecurityGroup', region), ids[0]);
      expect(sg?.name).toBe(`${region}-api`);
      expect(at(sg!, 'name')).toBe(`prod-risk-${region}-api`);
      expect(at(sg!, 'vpcId')).toBe(`${region}-vpc-id`);
      expect(at(sg!, 'ingress')).toEqual([
        {
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ['10.250.0.0/22'],
          description: 'deploy runners / runbook (cluster.privateApiAccessCidrs)',
        },
      ]);
      expect(plan.config.cluster.privateApiAccessCidrs).toEqual(['10.250.0.0/22']);
    },
  );

  it('staging (public endpoint to named CIDRs) attaches the group with no ingress', async () => {
    const plan = await planOf('staging');
    for (const cluster of ofType(plan, 'aws:eks/cluster:Cluster')) {
      const [id] = at<string[]>(cluster, 'vpcConfig.securityGroupIds');
      const sg = byMockId(ofType(plan, 'aws:ec2/securityGroup:SecurityGroup'), id);
      expect(at(sg!, 'ingress')).toEqual([]);
    }
  });
});

describe('the AWS-APIs egress names the endpoint subnets, not the VPC (issue 15 finding 24)', () => {
  it.each(['us-west-2', 'us-east-1'])(
    'prod %s: 443 to the three endpoint subnets and the DynamoDB prefix list only',
    async (region) => {
      const plan = await planOf('prod');
      const [vpc] = ofType(plan, 'aws:ec2/vpc:Vpc', region);
      const policy = ofType(plan, 'kubernetes:networking.k8s.io/v1:NetworkPolicy', region).find(
        (p) => at(p, 'metadata.name') === 'allow-aws-apis-egress',
      );
      const egress = at<{ to: { ipBlock: { cidr: string } }[] }[]>(policy!, 'spec.egress');
      const cidrs = egress.flatMap((e) => e.to.map((t) => t.ipBlock.cidr));
      const endpointSubnets = ofType(plan, 'aws:ec2/subnet:Subnet', region).filter(
        (s) => at(s, 'tags.tier') === 'endpoints',
      );
      expect(endpointSubnets.map((s) => s.name).sort()).toEqual(
        ['a', 'b', 'c'].map((z) => `${region}-endpoints-${z}`),
      );
      const endpointCidrs = endpointSubnets.map((s) => at<string>(s, 'cidrBlock'));
      expect(cidrs.slice(0, 3)).toEqual(endpointCidrs);
      expect(cidrs).not.toContain(at(vpc, 'cidrBlock'));
      // Every interface endpoint sits in exactly those subnets.
      for (const e of ofType(plan, 'aws:ec2/vpcEndpoint:VpcEndpoint', region).filter(
        (x) => at(x, 'vpcEndpointType') === 'Interface',
      ))
        expect(at(e, 'subnetIds')).toEqual(endpointSubnets.map((s) => `${s.name}-id`));
    },
  );
});

describe('KEDA assumes read-only scaler roles only (issue 15 finding 25)', () => {
  it.each(['us-west-2', 'us-east-1'])(
    'prod %s: each TriggerAuthentication names its scaler role, and the operator may assume those alone',
    async (region) => {
      const plan = await planOf('prod');
      const auths = ofType(plan, 'kubernetes:keda.sh/v1alpha1:TriggerAuthentication', region);
      const aws = auths
        .map((a) => at<{ provider: string; roleArn: string } | undefined>(a, 'spec.podIdentity'))
        .filter((p): p is { provider: string; roleArn: string } => p !== undefined);
      expect(aws.map((p) => p.roleArn.split('/').pop()).sort()).toEqual([
        'prod-risk-feedback-worker-scaler',
        'prod-risk-stream-scorer-scaler',
      ]);
      const operator = ofType(plan, 'aws:iam/rolePolicy:RolePolicy').find(
        (p) => p.name === `${region}-keda-operator`,
      );
      const doc = JSON.parse(at<string>(operator!, 'policy')) as { Statement: Record<string, unknown>[] };
      expect(doc.Statement).toEqual([
        {
          Sid: 'AssumeScalerRoles',
          Effect: 'Allow',
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Resource: [
            expect.stringMatching(/:role\/prod-risk-stream-scorer-scaler$/),
            expect.stringMatching(/:role\/prod-risk-feedback-worker-scaler$/),
          ],
        },
      ]);
    },
  );
});

describe('pods cannot take the node role (issue 15 finding 23)', () => {
  it.each(['us-west-2', 'us-east-1'])(
    'prod %s: every node group launches from a template with IMDSv2 only and hop limit 1',
    async (region) => {
      const plan = await planOf('prod');
      const [lt] = ofType(plan, 'aws:ec2/launchTemplate:LaunchTemplate', region);
      expect(at(lt, 'metadataOptions')).toEqual({
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
      });
      const groups = ofType(plan, 'aws:eks/nodeGroup:NodeGroup', region);
      expect(groups.map((g) => at(g, 'nodeGroupName')).sort()).toEqual(
        ['a', 'b', 'c'].map((z) => `prod-risk-${region}-scoring-${z}-v2`),
      );
      for (const g of groups) expect(at(g, 'launchTemplate.id')).toBe(`${lt.name}-id`);
    },
  );

  it.each(['us-west-2', 'us-east-1'])(
    "prod %s: the node role has no CNI policy; aws-node gets it through the vpc-cni add-on's Pod Identity",
    async (region) => {
      const plan = await planOf('prod');
      const nodePolicies = ofType(plan, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment')
        .filter((a) => at(a, 'role') === `prod-risk-${region}-node`)
        .map((a) => at<string>(a, 'policyArn'));
      expect(nodePolicies.sort()).toEqual([
        'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
        'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      ]);
      const cni = ofType(plan, 'aws:eks/addon:Addon', region).find((a) => at(a, 'addonName') === 'vpc-cni');
      expect(at(cni!, 'podIdentityAssociations')).toEqual([
        {
          roleArn: expect.stringMatching(new RegExp(`:role/prod-risk-${region}-vpc-cni$`)),
          serviceAccount: 'aws-node',
        },
      ]);
      const cniRole = ofType(plan, 'aws:iam/role:Role').find(
        (r) => at(r, 'name') === `prod-risk-${region}-vpc-cni`,
      );
      const trust = JSON.parse(at<string>(cniRole!, 'assumeRolePolicy')) as {
        Statement: { Condition: { StringEquals: Record<string, unknown> } }[];
      };
      expect(trust.Statement[0].Condition.StringEquals).toMatchObject({
        'aws:RequestTag/kubernetes-namespace': 'kube-system',
        'aws:RequestTag/kubernetes-service-account': 'aws-node',
      });
      expect(
        ofType(plan, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment')
          .filter((a) => at(a, 'role') === `prod-risk-${region}-vpc-cni`)
          .map((a) => at(a, 'policyArn')),
      ).toEqual(['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy']);
    },
  );
});

describe('the preview/drift role can read the clusters (issue 15 finding 19)', () => {
  it.each(['us-west-2', 'us-east-1'])(
    'prod %s: cluster.viewerRoleArns get an access entry with AmazonEKSAdminViewPolicy, cluster scope',
    async (region) => {
      const plan = await planOf('prod');
      expect(plan.config.cluster.viewerRoleArns).toEqual([
        'arn:aws:iam::123456789012:role/risk-platform-preview',
      ]);
      const viewer = ofType(plan, 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation', region).filter(
        (a) => at(a, 'principalArn') === 'arn:aws:iam::123456789012:role/risk-platform-preview',
      );
      expect(viewer.map((a) => [at(a, 'policyArn'), at(a, 'accessScope')])).toEqual([
        ['arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy', { type: 'cluster' }],
      ]);
      expect(
        ofType(plan, 'aws:eks/accessEntry:AccessEntry', region).filter(
          (e) => at(e, 'principalArn') === 'arn:aws:iam::123456789012:role/risk-platform-preview',
        ),
      ).toHaveLength(1);
    },
  );
});
