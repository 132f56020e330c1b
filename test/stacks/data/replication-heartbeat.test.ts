import { replicationHeartbeatPolicy, PolicyDocument } from '../../../stacks/data/policy-documents';
import { deploymentsOf } from '../../../stacks/compute';
import { jsonProp, ofType, planOf } from '../../helpers/plan';

const ACCOUNT = '123456789012';
const cluster = (region: string) => `arn:aws:eks:${region}:${ACCOUNT}:cluster/prod-risk-${region}`;
const table = (region: string) => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/prod-control`;
const putStatement = (region: string, sid: string) => ({
  Sid: sid,
  Effect: 'Allow',
  Action: ['dynamodb:UpdateItem'],
  Resource: [table(region)],
  Condition: {
    'ForAllValues:StringEquals': {
      'dynamodb:LeadingKeys': [`heartbeat#${region}`],
      'dynamodb:Attributes': ['pk', 'sk', 'writtenAt', 'writer', 'inboundLagMs', 'inboundWrittenAt'],
    },
    Null: { 'dynamodb:LeadingKeys': 'false', 'dynamodb:Attributes': 'false' },
    StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
    StringEquals: { 'aws:PrincipalTag/eks-cluster-arn': cluster(region) },
  },
});
/** GetItem in `region`'s replica of the OTHER region's heartbeat only, from `region`'s cluster. */
const readPeerStatement = (region: string, peer: string, sid: string) => ({
  Sid: sid,
  Effect: 'Allow',
  Action: ['dynamodb:GetItem'],
  Resource: [table(region)],
  Condition: {
    'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [`heartbeat#${peer}`] },
    Null: { 'dynamodb:LeadingKeys': 'false' },
    StringEquals: { 'aws:PrincipalTag/eks-cluster-arn': cluster(region) },
  },
});

describe('replication heartbeat (prod plan)', () => {
  test('both regions run the replication-heartbeat Deployment with one replica', async () => {
    const plan = await planOf('prod');
    const deployments = plan.resources.filter(
      (r) =>
        r.type === 'kubernetes:apps/v1:Deployment' &&
        (r.props.metadata as { name?: string } | undefined)?.name === 'replication-heartbeat',
    );
    expect(
      deployments.map((d) => [d.region, (d.props.spec as { replicas: number }).replicas]).sort(),
    ).toEqual([
      ['us-east-1', 1],
      ['us-west-2', 1],
    ]);
  });

  test('its role is trusted by Pod Identity in both clusters for its ServiceAccount only', async () => {
    const plan = await planOf('prod');
    const role = ofType(plan, 'aws:iam/role:Role').find((r) => r.name === 'workloads-replication-heartbeat');
    expect(role?.props.name).toBe('prod-risk-replication-heartbeat');
    const trust = jsonProp<PolicyDocument>(role!, 'assumeRolePolicy');
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0].Condition?.StringEquals).toEqual({
      'aws:SourceAccount': ACCOUNT,
      'aws:RequestTag/eks-cluster-arn': [cluster('us-west-2'), cluster('us-east-1')],
      'aws:RequestTag/kubernetes-namespace': 'risk-scoring',
      'aws:RequestTag/kubernetes-service-account': 'replication-heartbeat',
    });
  });

  test.each([
    ['us-west-2', 'us-east-1', 'UsWest2'],
    ['us-east-1', 'us-west-2', 'UsEast1'],
  ])(
    "its %s policy (that region's stack) is exactly UpdateItem of the region's own heartbeat and GetItem of the other's, on that region's control table",
    async (region, peer, sid) => {
      const plan = await planOf('prod');
      const policy = ofType(plan, 'aws:iam/rolePolicy:RolePolicy').find(
        (r) => r.name === `${region}-workloads-replication-heartbeat`,
      );
      expect(policy?.urn).toMatch(new RegExp(`^urn:pulumi:prod-${region}::`));
      expect(policy?.props.role).toBe('prod-risk-replication-heartbeat');
      expect(policy?.props.name).toBe(`replication-heartbeat-${region}`);
      const doc = jsonProp<PolicyDocument>(policy!, 'policy');
      expect(doc.Statement.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')))).toEqual([
        putStatement(region, `WriteHeartbeat${sid}`),
        readPeerStatement(region, peer, `ReadPeerHeartbeat${sid}`),
      ]);
      // The only other statement: the region's control table key, through DynamoDB, for that table only.
      expect(doc.Statement.filter((s) => !s.Action.some((a) => a.startsWith('dynamodb:')))).toEqual([
        {
          Sid: 'UseControlTableKey',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: [`arn:aws:kms:${region}:${ACCOUNT}:key/mrk-keys-primary`],
          Condition: {
            StringEquals: {
              'kms:ViaService': [`dynamodb.${region}.amazonaws.com`],
              'kms:EncryptionContext:aws:dynamodb:tableName': 'prod-control',
            },
          },
        },
      ]);
    },
  );

  test('each cluster binds the role to the replication-heartbeat ServiceAccount', async () => {
    const plan = await planOf('prod');
    const associations = ofType(plan, 'aws:eks/podIdentityAssociation:PodIdentityAssociation').filter(
      (a) => a.props.serviceAccount === 'replication-heartbeat',
    );
    expect(associations.map((a) => [a.props.clusterName, a.props.namespace, a.props.roleArn]).sort()).toEqual(
      [
        [
          'prod-risk-us-east-1',
          'risk-scoring',
          `arn:aws:iam::${ACCOUNT}:role/prod-risk-replication-heartbeat`,
        ],
        [
          'prod-risk-us-west-2',
          'risk-scoring',
          `arn:aws:iam::${ACCOUNT}:role/prod-risk-replication-heartbeat`,
        ],
      ],
    );
  });

  test('the runbook outputs do not list it as a scaled workload', async () => {
    const plan = await planOf('prod');
    const runbook = (
      plan.outputs as {
        runbook: { regions: Record<string, { workloads: { deployments: { name: string }[] } }> };
      }
    ).runbook;
    for (const r of Object.values(runbook.regions))
      expect(r.workloads.deployments.map((d) => d.name)).not.toContain('replication-heartbeat');
  });
});

describe('replicationHeartbeatPolicy', () => {
  test('a single region gets no GetItem statement (no other heartbeat to read)', () => {
    const doc = replicationHeartbeatPolicy({
      controlTableName: 'prod-control',
      regions: [
        {
          region: 'us-west-2',
          controlTableArn: table('us-west-2'),
          keyArn: 'arn:aws:kms:us-west-2:123456789012:key/k',
          clusterArn: cluster('us-west-2'),
        },
      ],
    });
    expect(doc.Statement.flatMap((s) => s.Action)).not.toContain('dynamodb:GetItem');
  });

  test("refuses no regions, naming 'regions'", () => {
    expect(() => replicationHeartbeatPolicy({ controlTableName: 'prod-control', regions: [] })).toThrow(
      "'regions' ([]) must name at least one region",
    );
  });
});

describe('deploymentsOf and fixed-size Deployments', () => {
  const deployment = (labels?: Record<string, string>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'replication-heartbeat', ...(labels ? { labels } : {}) },
    spec: { replicas: 1 },
  });

  test("skips a Deployment labelled 'risk-platform/autoscaling: none'", () => {
    expect(deploymentsOf([deployment({ 'risk-platform/autoscaling': 'none' })], 0.25)).toEqual([]);
  });

  test('still refuses a Deployment without the label and without an autoscaler', () => {
    expect(() => deploymentsOf([deployment()], 0.25)).toThrow(
      "Deployment 'replication-heartbeat' has no HorizontalPodAutoscaler or ScaledObject targeting it",
    );
    expect(() => deploymentsOf([deployment({ 'risk-platform/autoscaling': 'keda' })], 0.25)).toThrow(
      /has no HorizontalPodAutoscaler or ScaledObject/,
    );
  });
});
