import { capacityPlan } from '../../../stacks/capacity';
import { PolicyDocument, PolicyStatement, wildcardActions } from '../../../stacks/data/policy-documents';
import { PlannedResource } from '../../../tools/plan/harness';
import { jsonProp, mergedWorkloadPolicy, ofType, planOf } from '../../helpers/plan';

/*
 * The data plane as the offline plan registers it (tools/plan under Pulumi mocks). One file for all the
 * data units so each environment is planned once (a plan takes seconds under ts-jest); the pure
 * builders and component options are tested in their own files.
 */

const TABLE = 'aws:dynamodb/table:Table';
const TABLE_REPLICA = 'aws:dynamodb/tableReplica:TableReplica';
/** The global tables (children of a GlobalTable), not the regional lease tables. */
const globalTables = (plan: Parameters<typeof ofType>[0]) =>
  ofType(plan, TABLE).filter((t) => t.urn.includes('risk-platform:data:GlobalTable'));
/** The lease tables proper (KCL 3's other metadata tables are tested in kcl-tables.test.ts). */
const leaseTables = (plan: Parameters<typeof ofType>[0]) =>
  ofType(plan, TABLE).filter(
    (t) => t.urn.includes('risk-platform:data:LeaseTable') && t.urn.endsWith('-leases-table'),
  );
const QUEUE = 'aws:sqs/queue:Queue';
const QUEUE_POLICY = 'aws:sqs/queuePolicy:QueuePolicy';
const ROLE = 'aws:iam/role:Role';
const ROLE_POLICY = 'aws:iam/rolePolicy:RolePolicy';

const STREAM = 'aws:kinesis/stream:Stream';
const CONSUMER = 'aws:kinesis/streamConsumer:StreamConsumer';

describe('TransactionStream', () => {
  test.each(['staging', 'prod'])(
    '%s: the shard count in both regions equals the capacity model',
    async (env) => {
      const plan = await planOf(env);
      const streams = ofType(plan, STREAM);
      expect(streams.map((s) => s.region).sort()).toEqual(['us-east-1', 'us-west-2']);
      for (const s of streams) {
        expect(s.props.shardCount).toBe(capacityPlan(plan.config).stream.shardCount);
        expect(s.props.streamModeDetails).toEqual({ streamMode: 'PROVISIONED' });
      }
    },
  );

  test('prod: the byte rate sizes the stream at 108 shards', async () => {
    const plan = await planOf('prod');
    expect(ofType(plan, STREAM).map((s) => s.props.shardCount)).toEqual([108, 108]);
  });

  test('dev: an ON_DEMAND stream has no shard count', async () => {
    const plan = await planOf('dev');
    for (const s of ofType(plan, STREAM)) {
      expect(s.props.streamModeDetails).toEqual({ streamMode: 'ON_DEMAND' });
      expect(s.props.shardCount).toBeUndefined();
    }
  });

  test("changing prod's peak throughput changes the shard count as the capacity model says", async () => {
    const base = await planOf('prod');
    const targets = { ...base.config.targets, peakStreamRecordsPerSec: 120000, meanRecordBytes: 800 };
    const plan = await planOf('prod', { 'risk-platform:targets': JSON.stringify(targets) });
    // 120000 x 1.5 = 180000 records/s -> 180 shards by records; x 800 B = 137.3 MiB/s -> 138 by bytes.
    const expected = capacityPlan({ ...base.config, targets }).stream.shardCount;
    expect(expected).toBe(180);
    expect(ofType(plan, STREAM).map((s) => s.props.shardCount)).toEqual([expected, expected]);
  });

  test('prod: every stream is KMS-encrypted with its own region key and keeps the configured retention', async () => {
    const plan = await planOf('prod');
    for (const s of ofType(plan, STREAM)) {
      expect(s.props.encryptionType).toBe('KMS');
      expect(String(s.props.kmsKeyId)).toMatch(new RegExp(`^arn:aws:kms:${s.region}:`));
      expect(s.props.retentionPeriod).toBe(168);
      expect(s.props.name).toBe('prod-transactions');
    }
  });

  test('prod: each region registers the stream scorer as an enhanced fan-out consumer of its stream', async () => {
    const plan = await planOf('prod');
    const consumers = ofType(plan, CONSUMER);
    expect(consumers).toHaveLength(2);
    for (const c of consumers) {
      expect(c.props.name).toBe('prod-stream-scorer');
      expect(c.props.streamArn).toBe(`arn:aws:kinesis:${c.region}:123456789012:stream/prod-transactions`);
    }
  });
});

const mine = (rs: PlannedResource[]) => rs.filter((r) => r.urn.includes('risk-platform:data:'));
const statements = (doc: PolicyDocument, sid: string): PolicyStatement => {
  const s = doc.Statement.find((x) => x.Sid === sid);
  if (!s) throw new Error(`no statement ${sid} in ${JSON.stringify(doc)}`);
  return s;
};

describe('PlatformKeys', () => {
  test('prod: one multi-region key with rotation in the primary region and its replica in DR', async () => {
    const plan = await planOf('prod');
    const [key] = ofType(plan, 'aws:kms/key:Key').filter((k) => k.name === 'keys-primary');
    expect(key).toMatchObject({ region: 'us-west-2', props: { multiRegion: true, enableKeyRotation: true } });
    const [replica] = ofType(plan, 'aws:kms/replicaKey:ReplicaKey');
    expect(replica.region).toBe('us-east-1');
    expect(replica.props.primaryKeyArn).toBe('arn:aws:kms:us-west-2:123456789012:key/mrk-keys-primary');
  });

  test('prod: no key policy statement allows a wildcard principal or names a principal outside the account', async () => {
    const plan = await planOf('prod');
    const keys = [
      ...ofType(plan, 'aws:kms/key:Key'),
      ...ofType(plan, 'aws:kms/replicaKey:ReplicaKey'),
    ].filter((k) => k.urn.includes('PlatformKeys'));
    expect(keys).toHaveLength(2);
    for (const k of keys) {
      for (const st of jsonProp<PolicyDocument>(k, 'policy').Statement) {
        expect(st.Principal).not.toBe('*');
        const aws =
          st.Principal && typeof st.Principal === 'object' && 'AWS' in st.Principal ? st.Principal.AWS : [];
        for (const p of [aws].flat()) expect(p).toMatch(/^arn:aws:iam::123456789012:(root|role\/prod-risk-)/);
      }
    }
  });

  test('prod: the DR replica key lets services use it only through the DR region endpoints', async () => {
    const plan = await planOf('prod');
    const [replica] = ofType(plan, 'aws:kms/replicaKey:ReplicaKey');
    const use = statements(jsonProp<PolicyDocument>(replica, 'policy'), 'AccountUseThroughPlatformServices');
    expect(use.Condition?.StringEquals?.['kms:ViaService']).toEqual([
      'dynamodb.us-east-1.amazonaws.com',
      'kinesis.us-east-1.amazonaws.com',
      'sqs.us-east-1.amazonaws.com',
      'sns.us-east-1.amazonaws.com',
      'eks.us-east-1.amazonaws.com',
    ]);
  });
});

describe('GlobalTable', () => {
  test.each(['staging', 'prod'])(
    '%s: every table has its DR replica with PITR and the DR CMK',
    async (env) => {
      const plan = await planOf(env);
      const tables = globalTables(plan);
      const replicas = ofType(plan, TABLE_REPLICA);
      expect(tables.map((t) => t.props.name).sort()).toEqual([
        `${env}-control`,
        `${env}-decisions`,
        `${env}-features`,
      ]);
      for (const t of tables) {
        expect(t.region).toBe('us-west-2');
        expect(t.props.pointInTimeRecovery).toEqual({ enabled: true });
        expect(t.props.serverSideEncryption).toEqual({
          enabled: true,
          kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/mrk-keys-primary',
        });
        // The replica is a TableReplica of its own, never inline.
        expect(t.props.replicas).toBeUndefined();
        const mineReplicas = replicas.filter(
          (r) =>
            r.props.globalTableArn ===
            `arn:aws:dynamodb:us-west-2:123456789012:table/${String(t.props.name)}`,
        );
        expect(mineReplicas).toHaveLength(1);
        expect(mineReplicas[0].region).toBe('us-east-1');
        expect(mineReplicas[0].props).toMatchObject({
          region: 'us-east-1',
          pointInTimeRecovery: true,
          kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-keys-primary',
        });
      }
      expect(replicas).toHaveLength(3);
    },
  );

  test('dev: on-demand tables get their DR replica the same way (one shape in every plan)', async () => {
    const plan = await planOf('dev');
    expect(
      ofType(plan, TABLE_REPLICA)
        .map((r) => [r.name, r.region])
        .sort(),
    ).toEqual([
      ['control-replica', 'us-east-1'],
      ['decisions-replica', 'us-east-1'],
      ['features-replica', 'us-east-1'],
    ]);
  });

  test('prod: tables and replicas have deletion protection', async () => {
    const plan = await planOf('prod');
    for (const t of ofType(plan, TABLE)) expect(t.props.deletionProtectionEnabled).toBe(true);
    const replicas = ofType(plan, TABLE_REPLICA);
    expect(replicas).toHaveLength(3);
    for (const r of replicas) expect(r.props.deletionProtectionEnabled).toBe(true);
  });

  test('dev: tables are not deletion-protected (config tables.protect is false)', async () => {
    const plan = await planOf('dev');
    for (const t of ofType(plan, TABLE)) expect(t.props.deletionProtectionEnabled).toBe(false);
    for (const r of ofType(plan, TABLE_REPLICA)) expect(r.props.deletionProtectionEnabled).toBe(false);
  });

  test('prod: streams are on with new and old images, as global table replication needs', async () => {
    const plan = await planOf('prod');
    for (const t of globalTables(plan)) {
      expect(t.props).toMatchObject({ streamEnabled: true, streamViewType: 'NEW_AND_OLD_IMAGES' });
    }
  });

  test('prod: only the decisions table has a TTL, on expiresAt', async () => {
    const plan = await planOf('prod');
    const ttl = Object.fromEntries(globalTables(plan).map((t) => [t.props.name, t.props.ttl]));
    expect(ttl).toEqual({
      'prod-decisions': { attributeName: 'expiresAt', enabled: true },
      'prod-features': undefined,
      'prod-control': undefined,
    });
  });

  test('prod: tables are created at the autoscaling minimum of the capacity model', async () => {
    const plan = await planOf('prod');
    const cap = capacityPlan(plan.config).tables;
    const features = ofType(plan, TABLE).find((t) => t.props.name === 'prod-features');
    expect(features?.props).toMatchObject({
      billingMode: 'PROVISIONED',
      readCapacity: cap.features.reads.min,
      writeCapacity: cap.features.writes.min,
    });
    // Eventually consistent reads (prod config): 40,000 x 3 x 0.5 = 60,000 at peak; min half, max x1.5.
    expect([cap.features.reads.min, cap.features.reads.max]).toEqual([30000, 90000]);
  });

  test('prod: every table autoscales reads in both regions and writes once, in the home region, within the model bounds', async () => {
    const plan = await planOf('prod');
    const cap = capacityPlan(plan.config).tables;
    const targets = ofType(plan, 'aws:appautoscaling/target:Target');
    // Per table: home reads + writes, DR reads (DynamoDB passes the write settings to the replica).
    expect(targets).toHaveLength(3 * 3);
    const decisions = (dimension: string) =>
      targets.filter(
        (t) => t.props.resourceId === 'table/prod-decisions' && t.props.scalableDimension === dimension,
      );
    const decisionsWrites = decisions('dynamodb:table:WriteCapacityUnits');
    expect(decisionsWrites.map((t) => t.region)).toEqual(['us-west-2']);
    expect(decisionsWrites[0].props).toMatchObject({
      minCapacity: cap.decisions.writes.min,
      maxCapacity: cap.decisions.writes.max,
    });
    const decisionsReads = decisions('dynamodb:table:ReadCapacityUnits');
    expect(decisionsReads.map((t) => t.region).sort()).toEqual(['us-east-1', 'us-west-2']);
    const byRegion = Object.fromEntries(decisionsReads.map((t) => [t.region, t.props]));
    expect(byRegion['us-west-2']).toMatchObject({
      minCapacity: cap.decisions.reads.min,
      maxCapacity: cap.decisions.reads.max,
    });
    // The DR replica idles at the standby fraction (0.25) of the home floor, with the home maximum.
    expect(byRegion['us-east-1']).toMatchObject({
      minCapacity: Math.max(5, Math.ceil(cap.decisions.reads.min * 0.25)),
      maxCapacity: cap.decisions.reads.max,
    });
    const features = targets.find(
      (t) => t.region === 'us-east-1' && t.props.resourceId === 'table/prod-features',
    );
    expect(features?.props.minCapacity).toBe(7500); // 30,000 x 0.25
    expect(ofType(plan, 'aws:appautoscaling/policy:Policy')).toHaveLength(9);
  });

  test('dev: on-demand tables have no capacity and no autoscaling', async () => {
    const plan = await planOf('dev');
    for (const t of ofType(plan, TABLE)) {
      expect(t.props.billingMode).toBe('PAY_PER_REQUEST');
      expect(t.props.readCapacity).toBeUndefined();
    }
    expect(mine(ofType(plan, 'aws:appautoscaling/target:Target'))).toHaveLength(0);
  });
});

describe('DecisionFanout', () => {
  const sourceQueues = (rs: PlannedResource[]) => rs.filter((q) => !String(q.props.name).endsWith('-dlq'));

  test('prod: every queue has a DLQ with the configured maxReceiveCount', async () => {
    const plan = await planOf('prod');
    const queues = mine(ofType(plan, QUEUE));
    const arns = new Set(queues.map((q) => `arn:aws:sqs:${q.region}:123456789012:${String(q.props.name)}`));
    const sources = sourceQueues(queues);
    expect(sources.map((q) => `${q.region}/${String(q.props.name)}`).sort()).toEqual([
      'us-east-1/prod-case-review',
      'us-east-1/prod-model-feedback',
      'us-west-2/prod-case-review',
      'us-west-2/prod-model-feedback',
    ]);
    for (const q of sources) {
      const redrive = jsonProp<{ deadLetterTargetArn: string; maxReceiveCount: number }>(q, 'redrivePolicy');
      expect(redrive.deadLetterTargetArn).toBe(
        `arn:aws:sqs:${q.region}:123456789012:${String(q.props.name)}-dlq`,
      );
      expect(arns.has(redrive.deadLetterTargetArn)).toBe(true);
      expect(redrive.maxReceiveCount).toBe(5);
    }
  });

  test('prod: every queue and DLQ has a policy denying non-TLS access', async () => {
    const plan = await planOf('prod');
    const policies = mine(ofType(plan, QUEUE_POLICY));
    const covered = policies.map((p) => String(p.props.queueUrl).split('/').pop()).sort();
    expect(covered).toEqual(
      mine(ofType(plan, QUEUE))
        .map((q) => String(q.props.name))
        .sort(),
    );
    for (const p of policies) {
      const deny = statements(jsonProp<PolicyDocument>(p, 'policy'), 'DenyInsecureTransport');
      expect(deny).toMatchObject({
        Effect: 'Deny',
        Principal: '*',
        Condition: { Bool: { 'aws:SecureTransport': false } },
      });
    }
  });

  test('prod: a source queue admits only SNS on behalf of its region topic', async () => {
    const plan = await planOf('prod');
    for (const p of mine(ofType(plan, QUEUE_POLICY)).filter(
      (x) => !String(x.props.queueUrl).endsWith('-dlq'),
    )) {
      const allow = jsonProp<PolicyDocument>(p, 'policy').Statement.filter((s) => s.Effect === 'Allow');
      expect(allow).toEqual([
        expect.objectContaining({
          Principal: { Service: 'sns.amazonaws.com' },
          Action: ['sqs:SendMessage'],
          Condition: {
            ArnEquals: { 'aws:SourceArn': `arn:aws:sns:${p.region}:123456789012:prod-risk-decisions` },
          },
        }),
      ]);
    }
  });

  test.each(['dev', 'staging', 'prod'])(
    '%s: every DLQ keeps messages longer than its source queue (the enqueue timestamp moves with the message)',
    async (env) => {
      const plan = await planOf(env);
      const queues = mine(ofType(plan, QUEUE));
      const sources = queues.filter((q) => !String(q.props.name).endsWith('-dlq'));
      expect(sources).toHaveLength(4);
      for (const q of sources) {
        const dlq = queues.find(
          (d) => d.region === q.region && d.props.name === `${String(q.props.name)}-dlq`,
        );
        expect(Number(dlq?.props.messageRetentionSeconds)).toBeGreaterThan(
          Number(q.props.messageRetentionSeconds),
        );
      }
    },
  );

  test('prod: queues are KMS-encrypted, visible for 6x the processing time, and DLQs keep messages 14 days', async () => {
    const plan = await planOf('prod');
    for (const q of mine(ofType(plan, QUEUE))) {
      expect(String(q.props.kmsMasterKeyId)).toMatch(new RegExp(`^arn:aws:kms:${q.region}:`));
      if (String(q.props.name).endsWith('-dlq')) expect(q.props.messageRetentionSeconds).toBe(1209600);
      else expect(q.props.visibilityTimeoutSeconds).toBe(120);
    }
  });

  test('prod: the topic fans out to both queues with raw message delivery', async () => {
    const plan = await planOf('prod');
    const subs = mine(ofType(plan, 'aws:sns/topicSubscription:TopicSubscription'));
    expect(subs).toHaveLength(4);
    for (const s of subs) {
      expect(s.props).toMatchObject({
        protocol: 'sqs',
        rawMessageDelivery: true,
        topic: `arn:aws:sns:${s.region}:123456789012:prod-risk-decisions`,
      });
    }
  });

  test('prod: only the scoring roles may publish, over TLS', async () => {
    const plan = await planOf('prod');
    for (const p of ofType(plan, 'aws:sns/topicPolicy:TopicPolicy').filter((x) =>
      x.urn.includes('DecisionFanout'),
    )) {
      const doc = jsonProp<PolicyDocument>(p, 'policy');
      expect(statements(doc, 'AllowScoringPublishers').Principal).toEqual({
        AWS: [
          'arn:aws:iam::123456789012:role/prod-risk-scoring-api',
          'arn:aws:iam::123456789012:role/prod-risk-stream-scorer',
        ],
      });
      expect(statements(doc, 'DenyInsecureTransport').Effect).toBe('Deny');
    }
  });
});

describe('WorkloadIdentities', () => {
  const roleOf = (rs: PlannedResource[], workload: string) => {
    const r = rs.find((x) => x.props.name === `prod-risk-${workload}`);
    if (!r) throw new Error(`no role for ${workload}`);
    return r;
  };

  test.each(['scoring-api', 'stream-scorer', 'feedback-worker'])(
    'prod: %s trusts Pod Identity in both clusters for its exact service account',
    async (workload) => {
      const plan = await planOf('prod');
      const trust = jsonProp<PolicyDocument>(roleOf(ofType(plan, ROLE), workload), 'assumeRolePolicy');
      expect(trust.Statement[0]).toEqual({
        Sid: 'EksPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: {
            'aws:SourceAccount': '123456789012',
            'aws:RequestTag/eks-cluster-arn': [
              'arn:aws:eks:us-west-2:123456789012:cluster/prod-risk-us-west-2',
              'arn:aws:eks:us-east-1:123456789012:cluster/prod-risk-us-east-1',
            ],
            'aws:RequestTag/kubernetes-namespace': 'risk-scoring',
            'aws:RequestTag/kubernetes-service-account': workload,
          },
        },
      });
    },
  );

  test.each(['stream-scorer', 'feedback-worker'])(
    'prod: %s trusts Pod Identity only: KEDA assumes its scaler role instead (issue 15 finding 25)',
    async (workload) => {
      const plan = await planOf('prod');
      const trust = jsonProp<PolicyDocument>(roleOf(ofType(plan, ROLE), workload), 'assumeRolePolicy');
      expect(trust.Statement.map((st) => st.Sid)).toEqual(['EksPodIdentity']);
    },
  );

  test.each(['stream-scorer', 'feedback-worker'])(
    'prod: the %s scaler role may be assumed by the KEDA operators of both clusters, and only them',
    async (workload) => {
      const plan = await planOf('prod');
      const trust = jsonProp<PolicyDocument>(
        roleOf(ofType(plan, ROLE), `${workload}-scaler`),
        'assumeRolePolicy',
      );
      expect(trust.Statement).toEqual([
        {
          Sid: 'KedaOperatorReadsScalingMetric',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            ArnEquals: {
              'aws:PrincipalArn': [
                'arn:aws:iam::123456789012:role/prod-risk-us-west-2-keda-operator',
                'arn:aws:iam::123456789012:role/prod-risk-us-east-1-keda-operator',
              ],
            },
          },
        },
      ]);
    },
  );

  test.each(['us-west-2', 'us-east-1'])(
    "prod: the scaler roles may only read their scaling metric, each region's stack granting its own region",
    async (region) => {
      const plan = await planOf('prod');
      const policyOf = (roleName: string) => {
        const p = ofType(plan, ROLE_POLICY).filter(
          (x) => x.props.role === roleName && x.urn.startsWith(`urn:pulumi:prod-${region}::`),
        );
        expect(p.map((x) => x.props.name)).toEqual([`scaling-metric-${region}`]);
        return jsonProp<PolicyDocument>(p[0], 'policy').Statement;
      };
      expect(policyOf('prod-risk-stream-scorer-scaler')).toEqual([
        {
          Sid: 'ReadScalingMetric',
          Effect: 'Allow',
          Action: ['cloudwatch:GetMetricData'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': [region] } },
        },
      ]);
      const queue = policyOf('prod-risk-feedback-worker-scaler');
      expect(queue).toHaveLength(1);
      expect(queue[0]).toMatchObject({
        Sid: 'ReadQueueDepth',
        Effect: 'Allow',
        Action: ['sqs:GetQueueAttributes'],
      });
      expect(queue[0].Resource).toEqual([
        expect.stringMatching(new RegExp(`^arn:aws:sqs:${region}:\\d{12}:prod-model-feedback$`)),
      ]);
    },
  );

  test('prod: the scoring API role trusts Pod Identity only (it is not KEDA-scaled)', async () => {
    const plan = await planOf('prod');
    const trust = jsonProp<PolicyDocument>(roleOf(ofType(plan, ROLE), 'scoring-api'), 'assumeRolePolicy');
    expect(trust.Statement.map((st) => st.Sid)).toEqual(['EksPodIdentity']);
  });

  test('prod: the KEDA operator roles the workload roles trust are the ones the clusters create', async () => {
    const plan = await planOf('prod');
    const kedaRoles = ofType(plan, ROLE)
      .map((r) => String(r.props.name))
      .filter((n) => n.endsWith('-keda-operator'))
      .sort();
    expect(kedaRoles).toEqual(['prod-risk-us-east-1-keda-operator', 'prod-risk-us-west-2-keda-operator']);
  });

  test('prod: no IAM policy of the data plane has a wildcard action', async () => {
    const plan = await planOf('prod');
    const policies = mine(ofType(plan, ROLE_POLICY));
    // Four workloads, one grant per regional stack each (one stack per region), plus the two KEDA
    // scalers' read-only policies per region.
    expect(policies).toHaveLength(12);
    expect(new Set(policies.map((p) => p.props.name))).toEqual(
      new Set([
        'data-plane-us-west-2',
        'data-plane-us-east-1',
        'replication-heartbeat-us-west-2',
        'replication-heartbeat-us-east-1',
        'scaling-metric-us-west-2',
        'scaling-metric-us-east-1',
      ]),
    );
    for (const p of policies) expect(wildcardActions(jsonProp<PolicyDocument>(p, 'policy'))).toEqual([]);
  });

  test('prod: the feedback worker may consume only the model-feedback queues of both regions', async () => {
    const plan = await planOf('prod');
    const doc = mergedWorkloadPolicy(plan, 'feedback-worker') as PolicyDocument;
    expect(statements(doc, 'ConsumeModelFeedback').Resource).toEqual([
      'arn:aws:sqs:us-west-2:123456789012:prod-model-feedback',
      'arn:aws:sqs:us-east-1:123456789012:prod-model-feedback',
    ]);
    expect(
      doc.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith('sqs:') || a.startsWith('kinesis:')),
    ).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
    ]);
  });

  test('prod: the scoring API reads features in both regions (the DR replica ARN included)', async () => {
    const plan = await planOf('prod');
    const doc = mergedWorkloadPolicy(plan, 'scoring-api') as PolicyDocument;
    expect(statements(doc, 'ReadFeatures')).toEqual({
      Sid: 'ReadFeatures',
      Effect: 'Allow',
      Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      Resource: [
        'arn:aws:dynamodb:us-west-2:123456789012:table/prod-features',
        'arn:aws:dynamodb:us-east-1:123456789012:table/prod-features',
      ],
    });
  });
});

describe('LeaseTable', () => {
  test.each(['dev', 'staging', 'prod'])(
    '%s: each region has its own stream-scorer lease table, on-demand, with PITR and its region CMK',
    async (env) => {
      const plan = await planOf(env);
      const tables = leaseTables(plan);
      expect(tables.map((t) => [t.region, t.props.name]).sort()).toEqual([
        ['us-east-1', `${env}-stream-scorer-leases-us-east-1`],
        ['us-west-2', `${env}-stream-scorer-leases-us-west-2`],
      ]);
      for (const t of tables) {
        expect(t.props).toMatchObject({
          region: t.region,
          billingMode: 'PAY_PER_REQUEST',
          hashKey: 'leaseKey',
          attributes: [
            { name: 'leaseKey', type: 'S' },
            { name: 'leaseOwner', type: 'S' },
          ],
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: {
            enabled: true,
            kmsKeyArn: expect.stringMatching(`^arn:aws:kms:${t.region}:`),
          },
          deletionProtectionEnabled: plan.config.tables.protect,
          tags: plan.config.tags,
        });
        expect(t.props.replicas).toBeUndefined();
      }
      expect(ofType(plan, TABLE_REPLICA).some((r) => String(r.props.globalTableArn).includes('leases'))).toBe(
        false,
      );
    },
  );

  test("prod: the stream scorer coordinates through both regions' lease tables, without CreateTable", async () => {
    const plan = await planOf('prod');
    const doc = mergedWorkloadPolicy(plan, 'stream-scorer') as PolicyDocument;
    expect(statements(doc, 'CoordinateShardLeases').Resource).toEqual([
      'arn:aws:dynamodb:us-west-2:123456789012:table/prod-stream-scorer-leases-us-west-2',
      'arn:aws:dynamodb:us-east-1:123456789012:table/prod-stream-scorer-leases-us-east-1',
    ]);
    expect(doc.Statement.flatMap((s) => s.Action)).not.toContain('dynamodb:CreateTable');
    expect(statements(doc, 'PublishConsumerMetrics')).toMatchObject({
      Action: ['cloudwatch:PutMetricData'],
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'prod-stream-scorer' } },
    });
  });
});

describe('tags', () => {
  test('prod: every taggable data-plane resource carries the environment tags', async () => {
    const plan = await planOf('prod');
    const untaggable = new Set([
      'aws:kms/alias:Alias',
      'aws:sqs/queuePolicy:QueuePolicy',
      'aws:sqs/redriveAllowPolicy:RedriveAllowPolicy',
      'aws:sns/topicPolicy:TopicPolicy',
      'aws:sns/topicSubscription:TopicSubscription',
      'aws:appautoscaling/policy:Policy',
      // PutScheduledAction takes no tags (issue 12 launch windows).
      'aws:appautoscaling/scheduledAction:ScheduledAction',
      'aws:iam/rolePolicy:RolePolicy',
    ]);
    const taggable = mine(plan.resources).filter((r) => r.type.startsWith('aws:') && !untaggable.has(r.type));
    expect(taggable.length).toBeGreaterThan(30);
    for (const r of taggable) expect(r.props.tags).toMatchObject(plan.config.tags);
  });
});
