import {
  ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS,
  arnInRegion,
  DataPlaneArns,
  keyPolicy,
  kedaScalerTrustPolicy,
  scalerPolicy,
  podIdentityTrustPolicy,
  queuePolicy,
  redriveAllowPolicy,
  redrivePolicy,
  runbookTopicPolicy,
  topicPolicy,
  wildcardActions,
  workloadPolicy,
  workloadRoleName,
} from '../../../stacks/data/policy-documents';
import { WORKLOADS } from '../../../stacks/naming';

const ACCOUNT = '123456789012';
const both = (service: string, resource: string) =>
  ['us-west-2', 'us-east-1'].map((r) => `arn:aws:${service}:${r}:${ACCOUNT}:${resource}`);

const ARNS: DataPlaneArns = {
  streams: both('kinesis', 'stream/prod-transactions'),
  streamConsumers: both('kinesis', 'stream/prod-transactions/consumer/prod-stream-scorer:1'),
  tables: {
    features: both('dynamodb', 'table/prod-features'),
    decisions: both('dynamodb', 'table/prod-decisions'),
    control: both('dynamodb', 'table/prod-control'),
  },
  topics: both('sns', 'prod-risk-decisions'),
  modelFeedbackQueues: both('sqs', 'prod-model-feedback'),
  leaseTables: ['us-west-2', 'us-east-1'].map(
    (r) => `arn:aws:dynamodb:${r}:${ACCOUNT}:table/prod-stream-scorer-leases-${r}`,
  ),
  kclMetadataTables: ['us-west-2', 'us-east-1'].flatMap((r) =>
    ['WorkerMetricStats', 'CoordinatorState'].map(
      (t) => `arn:aws:dynamodb:${r}:${ACCOUNT}:table/prod-stream-scorer-leases-${r}-${t}`,
    ),
  ),
  metricsNamespace: 'prod-stream-scorer',
  keys: both('kms', 'key/mrk-1'),
};

describe('workloadPolicy', () => {
  test.each([...WORKLOADS])('%s has no wildcard action', (w) => {
    expect(wildcardActions(workloadPolicy(w, ARNS))).toEqual([]);
  });

  test.each([...WORKLOADS])('%s names only resources of the data plane, never "*"', (w) => {
    const { metricsNamespace: _namespace, ...arns } = ARNS;
    const all = new Set(Object.values(arns).flatMap((v) => (Array.isArray(v) ? v : Object.values(v).flat())));
    // The lease tables' lease-owner indexes are the only derived resources (an index of a listed table).
    for (const t of ARNS.leaseTables) all.add(`${t}/index/LeaseOwnerToLeaseKeyIndex`);
    for (const s of workloadPolicy(w, ARNS).Statement.filter((x) => x.Resource !== '*'))
      for (const r of [s.Resource].flat()) expect(all.has(String(r))).toBe(true);
  });

  test.each([...WORKLOADS])(
    '%s grants "*" only to actions without resource-level permissions, under a condition',
    (w) => {
      for (const s of workloadPolicy(w, ARNS).Statement.filter((x) => x.Resource === '*')) {
        expect(
          s.Action.every((a) =>
            (ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS as readonly string[]).includes(a),
          ),
        ).toBe(true);
        expect(Object.keys(s.Condition ?? {})).not.toEqual([]);
      }
    },
  );

  test("the stream scorer coordinates through both regions' lease tables, without CreateTable", () => {
    const s = workloadPolicy('stream-scorer', ARNS).Statement.find((x) => x.Sid === 'CoordinateShardLeases');
    expect(s?.Resource).toEqual(ARNS.leaseTables);
    expect(s?.Action).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateTable',
    ]);
  });

  test('KCL 3: the stream scorer queries the lease-owner index of each lease table (issue 15 finding 11)', () => {
    const s = workloadPolicy('stream-scorer', ARNS).Statement.find((x) => x.Sid === 'DiscoverOwnLeases');
    expect(s).toEqual({
      Sid: 'DiscoverOwnLeases',
      Effect: 'Allow',
      Action: ['dynamodb:Query'],
      Resource: [
        'arn:aws:dynamodb:us-west-2:123456789012:table/prod-stream-scorer-leases-us-west-2/index/LeaseOwnerToLeaseKeyIndex',
        'arn:aws:dynamodb:us-east-1:123456789012:table/prod-stream-scorer-leases-us-east-1/index/LeaseOwnerToLeaseKeyIndex',
      ],
    });
  });

  test('KCL 3: the stream scorer uses the worker-metrics and coordinator-state tables, never CreateTable', () => {
    const s = workloadPolicy('stream-scorer', ARNS).Statement.find((x) => x.Sid === 'CoordinateWorkers');
    expect(s?.Resource).toEqual(ARNS.kclMetadataTables);
    expect(s?.Action).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
    const all = workloadPolicy('stream-scorer', ARNS).Statement.flatMap((x) => x.Action);
    expect(all).not.toContain('dynamodb:CreateTable');
  });

  test('the stream scorer publishes metrics to its own CloudWatch namespace only', () => {
    const s = workloadPolicy('stream-scorer', ARNS).Statement.find((x) => x.Sid === 'PublishConsumerMetrics');
    expect(s).toEqual({
      Sid: 'PublishConsumerMetrics',
      Effect: 'Allow',
      Action: ['cloudwatch:PutMetricData'],
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'prod-stream-scorer' } },
    });
  });

  test('only the stream scorer touches the lease tables or CloudWatch', () => {
    for (const w of ['scoring-api', 'feedback-worker'] as const) {
      const statements = workloadPolicy(w, ARNS).Statement;
      expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith('cloudwatch:'))).toEqual([]);
      expect(
        statements.flatMap((s) => [s.Resource].flat()).filter((r) => String(r).includes('leases')),
      ).toEqual([]);
    }
  });

  test('the stream scorer subscribes through its consumer only', () => {
    const s = workloadPolicy('stream-scorer', ARNS).Statement.find((x) =>
      x.Action.includes('kinesis:SubscribeToShard'),
    );
    expect(s?.Resource).toEqual(ARNS.streamConsumers);
  });

  test('the stream scorer can read the stream shape KEDA scales on', () => {
    const actions = workloadPolicy('stream-scorer', ARNS).Statement.flatMap((s) => s.Action);
    expect(actions).toEqual(expect.arrayContaining(['kinesis:DescribeStreamSummary', 'kinesis:ListShards']));
  });

  test.each(['scoring-api', 'stream-scorer', 'feedback-worker'] as const)(
    '%s writes the data plane, so it may read the control record (the write fence), and only read it',
    (w) => {
      const control = workloadPolicy(w, ARNS).Statement.filter((s) =>
        [s.Resource].flat().some((r) => ARNS.tables.control.includes(String(r))),
      );
      expect(control).toEqual([
        expect.objectContaining({
          Sid: 'ReadControl',
          Action: ['dynamodb:GetItem'],
          Resource: ARNS.tables.control,
        }),
      ]);
    },
  );

  test('the feedback worker cannot publish or touch the stream', () => {
    const actions = workloadPolicy('feedback-worker', ARNS).Statement.flatMap((s) => s.Action);
    expect(actions.filter((a) => a.startsWith('sns:') || a.startsWith('kinesis:'))).toEqual([]);
  });

  test('rejects an empty resource list rather than emitting a statement without resources', () => {
    expect(() => workloadPolicy('scoring-api', { ...ARNS, topics: [] })).toThrow(
      new Error(`statement 'PublishDecisions' must name at least one resource`),
    );
  });
});

describe('keyPolicy', () => {
  const doc = keyPolicy({
    accountId: ACCOUNT,
    region: 'us-east-1',
    workloadRoleArns: [`arn:aws:iam::${ACCOUNT}:role/prod-risk-scoring-api`],
    topicArns: [`arn:aws:sns:us-east-1:${ACCOUNT}:prod-risk-decisions`],
  });

  test('has no wildcard principal and no kms:* action', () => {
    for (const s of doc.Statement) {
      expect(s.Principal).not.toBe('*');
      expect(s.Action).not.toContain('kms:*');
    }
  });

  test('administration goes to the account root and excludes decryption', () => {
    const admin = doc.Statement.find((s) => s.Sid === 'KeyAdministration');
    expect(admin?.Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
    expect(admin?.Action).not.toContain('kms:Decrypt');
  });

  test('SNS may use the key only for the platform topics', () => {
    const sns = doc.Statement.find((s) => s.Sid === 'SnsDeliveryToEncryptedQueues');
    expect(sns?.Condition).toEqual({
      ArnEquals: { 'aws:SourceArn': [`arn:aws:sns:us-east-1:${ACCOUNT}:prod-risk-decisions`] },
    });
  });
});

describe('queuePolicy and topicPolicy', () => {
  test('a queue policy without a topic only denies non-TLS access', () => {
    expect(queuePolicy({ queueArn: 'arn:aws:sqs:us-west-2:1:q' }).Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: ['sqs:*'],
        Resource: 'arn:aws:sqs:us-west-2:1:q',
        Condition: { Bool: { 'aws:SecureTransport': false } },
      },
    ]);
  });

  test('a wildcard principal appears only in Deny statements', () => {
    const docs = [
      queuePolicy({ queueArn: 'arn:aws:sqs:us-west-2:1:q', topicArn: 'arn:aws:sns:us-west-2:1:t' }),
      topicPolicy({ topicArn: 'arn:aws:sns:us-west-2:1:t', publisherRoleArns: ['arn:aws:iam::1:role/r'] }),
    ];
    for (const d of docs)
      for (const s of d.Statement.filter((x) => x.Principal === '*')) expect(s.Effect).toBe('Deny');
  });
});

describe('runbookTopicPolicy', () => {
  const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:prod-dr-runbook`;

  test('denies non-TLS requests and lets only the account publish', () => {
    expect(runbookTopicPolicy({ topicArn, accountId: ACCOUNT }).Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: ['sns:*'],
        Resource: topicArn,
        Condition: { Bool: { 'aws:SecureTransport': false } },
      },
      {
        Sid: 'AllowAccountPublish',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: ['sns:Publish'],
        Resource: topicArn,
      },
    ]);
  });
});

describe('redrive policies', () => {
  test('the redrive policy names the DLQ and the receive count', () => {
    expect(JSON.parse(redrivePolicy('arn:dlq', 5))).toEqual({
      deadLetterTargetArn: 'arn:dlq',
      maxReceiveCount: 5,
    });
  });

  test('the DLQ admits only its source queue', () => {
    expect(JSON.parse(redriveAllowPolicy('arn:q'))).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: ['arn:q'],
    });
  });
});

describe('podIdentityTrustPolicy', () => {
  test('rejects a trust without clusters', () => {
    expect(() =>
      podIdentityTrustPolicy({ accountId: ACCOUNT, clusterArns: [], namespace: 'ns', serviceAccount: 'sa' }),
    ).toThrow(new Error(`'clusterArns' ([]) must name at least one cluster`));
  });
});

describe('names and ARNs', () => {
  test('workload role names are <env>-risk-<workload>', () => {
    expect(workloadRoleName('prod', 'feedback-worker')).toBe('prod-risk-feedback-worker');
  });

  test('arnInRegion swaps only the region', () => {
    expect(arnInRegion('arn:aws:dynamodb:us-west-2:1:table/t', 'us-east-1')).toBe(
      'arn:aws:dynamodb:us-east-1:1:table/t',
    );
  });

  test('arnInRegion rejects a non-ARN', () => {
    expect(() => arnInRegion('table/t', 'us-east-1')).toThrow(new Error(`'arn' ("table/t") must be an ARN`));
  });
});

describe('scalerPolicy (issue 15 finding 25)', () => {
  const arns = {
    modelFeedbackQueues: ['arn:aws:sqs:us-west-2:123456789012:prod-model-feedback'],
    regions: ['us-west-2', 'us-east-1'],
  };
  it('gives the stream scorer GetMetricData in the environment regions only', () => {
    expect(scalerPolicy('stream-scorer', arns).Statement).toEqual([
      {
        Sid: 'ReadScalingMetric',
        Effect: 'Allow',
        Action: ['cloudwatch:GetMetricData'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': ['us-west-2', 'us-east-1'] } },
      },
    ]);
  });
  it('gives the feedback worker GetQueueAttributes on its queues only', () => {
    expect(scalerPolicy('feedback-worker', arns).Statement).toEqual([
      {
        Sid: 'ReadQueueDepth',
        Effect: 'Allow',
        Action: ['sqs:GetQueueAttributes'],
        Resource: arns.modelFeedbackQueues,
      },
    ]);
  });
  it('refuses a workload with no AWS scaler', () => {
    expect(() => scalerPolicy('scoring-api', arns)).toThrow(
      `'workload' ("scoring-api") must be a KEDA-scaled workload with an AWS scaler (stream-scorer, feedback-worker)`,
    );
  });
  it('never grants a write: every action is a Get/Describe', () => {
    for (const w of ['stream-scorer', 'feedback-worker'] as const)
      for (const st of scalerPolicy(w, arns).Statement)
        for (const a of st.Action) expect(a.split(':')[1]).toMatch(/^(Get|Describe|List)/);
  });
});

describe('kedaScalerTrustPolicy', () => {
  it('refuses an empty operator list', () => {
    expect(() => kedaScalerTrustPolicy({ accountId: '123456789012', kedaOperatorRoleArns: [] })).toThrow(
      `'kedaOperatorRoleArns' ([]) must name at least one KEDA operator role`,
    );
  });
});
