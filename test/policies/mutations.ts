import * as fs from 'fs';
import * as path from 'path';
import { PlannedResource } from '../../tools/plan/harness';

type Props = Record<string, unknown>;
type Doc = { Statement: Props[] };

/** One single-property mutation of the real prod plan, and the exact set of policies it must trip. */
export interface Mutation {
  /** The rule class it exercises (a policy name). */
  readonly policy: string;
  readonly type: string;
  /** The logical name of the resource in the prod plan. */
  readonly resource: string;
  /** The property changed, for the test name and the report. */
  readonly property: string;
  readonly change: (props: Props) => void;
  readonly expect: readonly string[];
}

const T = {
  stream: 'aws:kinesis/stream:Stream',
  table: 'aws:dynamodb/table:Table',
  tableReplica: 'aws:dynamodb/tableReplica:TableReplica',
  queue: 'aws:sqs/queue:Queue',
  queuePolicy: 'aws:sqs/queuePolicy:QueuePolicy',
  topic: 'aws:sns/topic:Topic',
  topicPolicy: 'aws:sns/topicPolicy:TopicPolicy',
  key: 'aws:kms/key:Key',
  replicaKey: 'aws:kms/replicaKey:ReplicaKey',
  cluster: 'aws:eks/cluster:Cluster',
  nodeGroup: 'aws:eks/nodeGroup:NodeGroup',
  role: 'aws:iam/role:Role',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  deployment: 'kubernetes:apps/v1:Deployment',
  pdb: 'kubernetes:policy/v1:PodDisruptionBudget',
  netpol: 'kubernetes:networking.k8s.io/v1:NetworkPolicy',
  scaledObject: 'kubernetes:keda.sh/v1alpha1:ScaledObject',
  triggerAuth: 'kubernetes:keda.sh/v1alpha1:TriggerAuthentication',
} as const;

/** Edits the JSON document held in `props[key]` (policies and redrive policies are JSON strings). */
const editDoc =
  (key: string, edit: (d: Doc) => void) =>
  (p: Props): void => {
    const d = JSON.parse(p[key] as string) as Doc;
    edit(d);
    p[key] = JSON.stringify(d);
  };
const spec = (p: Props) => p.spec as Props;
const pod = (p: Props) => ((p.spec as Props).template as { spec: Props }).spec;
const container = (p: Props) => (pod(p).containers as Props[])[0];
const securityContext = (p: Props) => container(p).securityContext as Props;

export const MUTATIONS: readonly Mutation[] = [
  {
    policy: 'required-tags',
    type: T.stream,
    resource: 'us-west-2-transactions-stream',
    property: 'tags.owner',
    change: (p) => void delete (p.tags as Props).owner,
    expect: ['required-tags'],
  },
  {
    policy: 'dynamodb-pitr',
    type: T.table,
    resource: 'features-table',
    property: 'pointInTimeRecovery.enabled',
    change: (p) => void ((p.pointInTimeRecovery as Props).enabled = false),
    expect: ['dynamodb-pitr'],
  },
  {
    policy: 'dynamodb-cmk-encryption',
    type: T.tableReplica,
    resource: 'features-replica',
    property: 'kmsKeyArn',
    change: (p) => void delete p.kmsKeyArn,
    expect: ['dynamodb-cmk-encryption'],
  },
  {
    policy: 'dynamodb-deletion-protection',
    type: T.table,
    resource: 'decisions-table',
    property: 'deletionProtectionEnabled',
    change: (p) => void (p.deletionProtectionEnabled = false),
    expect: ['dynamodb-deletion-protection'],
  },
  {
    policy: 'dynamodb-dr-replica',
    type: T.tableReplica,
    resource: 'control-replica',
    property: 'region',
    change: (p) => void (p.region = 'eu-west-1'),
    // No monitor watches eu-west-1: the moved replica is unwatched too.
    expect: ['dr-parity', 'dynamodb-dr-replica', 'monitoring-coverage'],
  },
  {
    policy: 'dynamodb-throughput-quotas',
    type: 'aws:appautoscaling/target:Target',
    resource: 'decisions-us-west-2-writes',
    property: 'maxCapacity',
    change: (p) => void (p.maxCapacity = 200000),
    expect: ['dynamodb-throughput-quotas'],
  },
  {
    policy: 'kinesis-kms-encryption',
    type: T.stream,
    resource: 'us-east-1-transactions-stream',
    property: 'encryptionType',
    change: (p) => void (p.encryptionType = 'NONE'),
    expect: ['kinesis-kms-encryption'],
  },
  {
    policy: 'kinesis-retention',
    type: T.stream,
    resource: 'us-west-2-transactions-stream',
    property: 'retentionPeriod',
    change: (p) => void (p.retentionPeriod = 24),
    expect: ['kinesis-retention'],
  },
  {
    policy: 'kinesis-shard-capacity',
    type: T.stream,
    resource: 'us-west-2-transactions-stream',
    property: 'shardCount',
    change: (p) => void (p.shardCount = 100),
    expect: ['kinesis-shard-capacity'],
  },
  {
    policy: 'sqs-kms-encryption',
    type: T.queue,
    resource: 'us-west-2-decisions-prod-model-feedback-dlq',
    property: 'kmsMasterKeyId',
    change: (p) => void delete p.kmsMasterKeyId,
    expect: ['sqs-kms-encryption'],
  },
  {
    policy: 'sqs-dead-letter-queue',
    type: T.queue,
    resource: 'us-west-2-decisions-prod-case-review',
    property: 'redrivePolicy.maxReceiveCount',
    change: editDoc('redrivePolicy', (d) => void ((d as unknown as Props).maxReceiveCount = 100)),
    expect: ['sqs-dead-letter-queue'],
  },
  {
    policy: 'sqs-tls-only',
    type: T.queuePolicy,
    resource: 'us-east-1-decisions-prod-case-review-dlq',
    property: "policy.Statement[0].Condition.Bool['aws:SecureTransport']",
    change: editDoc(
      'policy',
      (d) => void (d.Statement[0].Condition = { Bool: { 'aws:SecureTransport': true } }),
    ),
    expect: ['sqs-tls-only'],
  },
  {
    policy: 'sqs-no-public-principal',
    type: T.queuePolicy,
    resource: 'us-west-2-decisions-prod-case-review',
    property: 'policy.Statement[1].Principal',
    change: editDoc('policy', (d) => {
      d.Statement[1].Principal = '*';
      delete d.Statement[1].Condition;
    }),
    expect: ['sqs-no-public-principal'],
  },
  {
    policy: 'sns-kms-encryption',
    type: T.topic,
    resource: 'us-west-2-decisions-topic',
    property: 'kmsMasterKeyId',
    change: (p) => void delete p.kmsMasterKeyId,
    expect: ['sns-kms-encryption'],
  },
  {
    policy: 'sns-no-public-principal',
    type: T.topicPolicy,
    resource: 'us-west-2-decisions-topic',
    property: 'policy.Statement[1].Principal',
    change: editDoc('policy', (d) => void (d.Statement[1].Principal = { AWS: '*' })),
    expect: ['sns-no-public-principal'],
  },
  {
    policy: 'kms-key-rotation',
    type: T.key,
    resource: 'keys-primary',
    property: 'enableKeyRotation',
    change: (p) => void (p.enableKeyRotation = false),
    expect: ['kms-key-rotation'],
  },
  {
    policy: 'kms-no-wildcard-principal',
    type: T.replicaKey,
    resource: 'keys-replica',
    property: 'policy.Statement[0].Principal',
    change: editDoc('policy', (d) => void (d.Statement[0].Principal = '*')),
    expect: ['kms-no-wildcard-principal'],
  },
  {
    policy: 'eks-supported-version',
    type: T.cluster,
    resource: 'us-west-2-cluster',
    property: 'version',
    change: (p) => void (p.version = '1.29'),
    expect: ['eks-supported-version'],
  },
  {
    policy: 'eks-no-public-endpoint',
    type: T.cluster,
    resource: 'us-east-1-cluster',
    property: 'vpcConfig.endpointPublicAccess',
    change: (p) => void ((p.vpcConfig as Props).endpointPublicAccess = true),
    expect: ['eks-no-public-endpoint'],
  },
  {
    policy: 'eks-control-plane-logging',
    type: T.cluster,
    resource: 'us-west-2-cluster',
    property: 'enabledClusterLogTypes',
    change: (p) =>
      void (p.enabledClusterLogTypes = (p.enabledClusterLogTypes as string[]).filter((t) => t !== 'audit')),
    expect: ['eks-control-plane-logging'],
  },
  {
    policy: 'eks-secrets-encryption',
    type: T.cluster,
    resource: 'us-east-1-cluster',
    property: 'encryptionConfig',
    change: (p) => void delete p.encryptionConfig,
    expect: ['eks-secrets-encryption'],
  },
  {
    policy: 'eks-node-group-azs',
    type: T.nodeGroup,
    resource: 'us-east-1-nodes-c',
    property: 'subnetIds',
    // The zone-c group moves into zone a: the cluster's groups then span two AZs together.
    change: (p) => void (p.subnetIds = (p.subnetIds as string[]).map((id) => id.replace('-c-', '-a-'))),
    expect: ['eks-node-group-azs'],
  },
  {
    policy: 'iam-no-wildcard-actions',
    type: T.rolePolicy,
    resource: 'us-west-2-workloads-stream-scorer',
    property: 'policy.Statement[0].Action',
    change: editDoc('policy', (d) => void (d.Statement[0].Action = 'kinesis:*')),
    expect: ['iam-no-wildcard-actions'],
  },
  {
    policy: 'iam-no-wildcard-data-plane-resources',
    type: T.rolePolicy,
    resource: 'us-west-2-workloads-stream-scorer',
    property: 'policy.Statement[0].Resource',
    change: editDoc('policy', (d) => void (d.Statement[0].Resource = '*')),
    expect: ['iam-no-wildcard-data-plane-resources'],
  },
  {
    policy: 'iam-trust-scoped',
    type: T.role,
    resource: 'workloads-stream-scorer',
    property: 'assumeRolePolicy.Statement[0].Condition',
    change: editDoc('assumeRolePolicy', (d) => void delete d.Statement[0].Condition),
    expect: ['iam-trust-scoped'],
  },
  {
    policy: 'image-tag-pinned',
    type: T.deployment,
    resource: 'us-west-2-risk-scoring/scoring-api',
    property: 'spec.template.spec.containers[0].image',
    change: (p) =>
      void (container(p).image = '123456789012.dkr.ecr.us-west-2.amazonaws.com/risk/scoring-api:latest'),
    expect: ['image-digest', 'image-tag-pinned'],
  },
  {
    policy: 'image-digest',
    type: T.deployment,
    resource: 'us-east-1-risk-scoring/stream-scorer',
    property: 'spec.template.spec.containers[0].image',
    change: (p) =>
      void (container(p).image =
        '123456789012.dkr.ecr.us-east-1.amazonaws.com/risk/stream-scorer:2026.11.20-4f9c2ab'),
    expect: ['image-digest'],
  },
  {
    policy: 'image-registry-in-region',
    type: T.deployment,
    resource: 'us-east-1-risk-scoring/scoring-api',
    property: 'spec.template.spec.containers[0].image',
    change: (p) =>
      void (container(p).image = String(container(p).image).replace(
        '.dkr.ecr.us-east-1.',
        '.dkr.ecr.us-west-2.',
      )),
    expect: ['image-registry-in-region'],
  },
  {
    policy: 'container-resources',
    type: T.deployment,
    resource: 'us-west-2-risk-scoring/stream-scorer',
    property: 'spec.template.spec.containers[0].resources.limits',
    change: (p) => void delete (container(p).resources as Props).limits,
    expect: ['container-resources'],
  },
  {
    policy: 'container-probes',
    type: T.deployment,
    resource: 'us-east-1-risk-scoring/feedback-worker',
    property: 'spec.template.spec.containers[0].readinessProbe',
    change: (p) => void delete container(p).readinessProbe,
    expect: ['container-probes'],
  },
  {
    policy: 'container-security-context',
    type: T.deployment,
    resource: 'us-west-2-risk-scoring/feedback-worker',
    property: 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
    change: (p) => void (securityContext(p).allowPrivilegeEscalation = true),
    expect: ['container-security-context'],
  },
  {
    policy: 'no-default-service-account',
    type: T.deployment,
    resource: 'us-west-2-risk-scoring/scoring-api',
    property: 'spec.template.spec.serviceAccountName',
    change: (p) => void (pod(p).serviceAccountName = 'default'),
    expect: ['no-default-service-account'],
  },
  {
    policy: 'no-secret-literals-in-env',
    type: T.deployment,
    resource: 'us-east-1-risk-scoring/scoring-api',
    property: 'spec.template.spec.containers[0].env',
    change: (p) => void (container(p).env = [{ name: 'DATADOG_API_KEY', value: '0123456789abcdef' }]),
    expect: ['no-secret-literals-in-env'],
  },
  {
    policy: 'pdb-scales-with-replicas',
    type: T.pdb,
    resource: 'us-west-2-risk-scoring/scoring-api',
    property: 'spec.maxUnavailable',
    change: (p) => void (spec(p).maxUnavailable = 1),
    expect: ['pdb-scales-with-replicas'],
  },
  {
    policy: 'local-volumes-evictable',
    type: T.deployment,
    resource: 'us-west-2-risk-scoring/scoring-api',
    property: 'spec.template.metadata.annotations',
    change: (p) =>
      void delete (((p.spec as Props).template as Props).metadata as { annotations: Props }).annotations[
        'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes'
      ],
    expect: ['local-volumes-evictable'],
  },
  {
    policy: 'topology-spread-zones',
    type: T.deployment,
    resource: 'us-east-1-risk-scoring/stream-scorer',
    property: 'spec.template.spec.topologySpreadConstraints',
    change: (p) => void (pod(p).topologySpreadConstraints = []),
    expect: ['topology-spread-zones'],
  },
  {
    policy: 'network-policy-default-deny',
    type: T.netpol,
    resource: 'us-east-1-risk-scoring/default-deny',
    property: 'spec.policyTypes',
    change: (p) => void (spec(p).policyTypes = ['Ingress']),
    expect: ['network-policy-default-deny'],
  },
  {
    policy: 'deployment-pdb',
    type: T.pdb,
    resource: 'us-west-2-risk-scoring/scoring-api',
    property: 'spec.maxUnavailable',
    change: (p) => void (spec(p).maxUnavailable = '0%'),
    expect: ['deployment-pdb'],
  },
  {
    policy: 'hpa-replica-bounds',
    type: T.scaledObject,
    resource: 'us-west-2-risk-scoring/scoring-api',
    property: 'spec.maxReplicaCount',
    change: (p) => void (spec(p).maxReplicaCount = spec(p).minReplicaCount),
    // The launch window's cron floor (100) is now above the maximum too (issue 12).
    expect: ['hpa-replica-bounds', 'keda-cron-floor'],
  },
  {
    policy: 'autoscaler-exclusive',
    type: T.scaledObject,
    resource: 'us-west-2-risk-scoring/scoring-api',
    property: 'spec.scaleTargetRef.name',
    change: (p) => void ((spec(p).scaleTargetRef as Props).name = 'stream-scorer'),
    expect: ['autoscaler-exclusive'],
  },
  {
    policy: 'keda-kinesis-max-replicas',
    type: T.scaledObject,
    resource: 'us-east-1-risk-scoring/stream-scorer',
    property: 'spec.maxReplicaCount',
    change: (p) => void (spec(p).maxReplicaCount = 200),
    expect: ['keda-kinesis-max-replicas'],
  },
  {
    policy: 'keda-datadog-fallback',
    type: T.scaledObject,
    resource: 'us-east-1-risk-scoring/scoring-api',
    property: 'spec.fallback',
    change: (p) => void delete spec(p).fallback,
    expect: ['keda-datadog-fallback'],
  },
  {
    policy: 'keda-datadog-fallback',
    type: 'kubernetes:datadoghq.com/v1alpha1:DatadogMetric',
    resource: 'us-west-2-risk-scoring/scoring-api-rps',
    property: 'spec.query',
    change: (p) => void (spec(p).query = String(spec(p).query).replace(/^default_zero\((.*)\)$/, '$1')),
    expect: ['keda-datadog-fallback'],
  },
  {
    policy: 'keda-cron-floor',
    type: T.scaledObject,
    resource: 'us-west-2-risk-scoring/scoring-api',
    property: 'spec.triggers[cron].metadata.desiredReplicas',
    change: (p) => {
      const cron = (spec(p).triggers as Props[]).find((t) => t.type === 'cron')!;
      cron.metadata = {
        ...(cron.metadata as Props),
        desiredReplicas: String(Number(spec(p).maxReplicaCount) + 1),
      };
    },
    expect: ['keda-cron-floor'],
  },
  {
    policy: 'keda-cron-floor',
    type: T.scaledObject,
    resource: 'us-west-2-risk-scoring/stream-scorer',
    property: 'spec.triggers[cron].metadata.end',
    change: (p) => {
      const cron = (spec(p).triggers as Props[]).find((t) => t.type === 'cron')!;
      cron.metadata = { ...(cron.metadata as Props), end: (cron.metadata as Record<string, string>).start };
    },
    expect: ['keda-cron-floor'],
  },
  {
    policy: 'keda-kinesis-load-signal',
    type: T.scaledObject,
    resource: 'us-east-1-risk-scoring/stream-scorer',
    property: 'spec.triggers[0]',
    change: (p) =>
      void ((spec(p).triggers as Record<string, unknown>[])[0] = {
        type: 'aws-kinesis-stream',
        metadata: { streamName: 'prod-transactions', awsRegion: 'us-east-1', shardCount: '1' },
        authenticationRef: { name: 'stream-scorer-aws' },
      }),
    expect: ['keda-kinesis-load-signal'],
  },
  {
    policy: 'keda-workload-identity',
    type: T.triggerAuth,
    resource: 'us-west-2-risk-scoring/stream-scorer-aws',
    property: 'spec.podIdentity.provider',
    change: (p) => void ((spec(p).podIdentity as Props).provider = 'aws-eks'),
    expect: ['keda-workload-identity'],
  },
  {
    policy: 'keda-cluster-agent-tls',
    type: 'tls:index/certRequest:CertRequest',
    resource: 'us-east-1-metrics-tls-serving-csr',
    property: 'dnsNames',
    change: (p) => void (p.dnsNames = ['datadog-cluster-agent-metrics-api.datadog.svc.cluster.local']),
    expect: ['keda-cluster-agent-tls'],
  },
  {
    policy: 'dr-parity',
    type: T.topic,
    resource: 'us-east-1-decisions-topic',
    property: 'name',
    change: (p) => void (p.name = 'prod-risk-decisions-v2'),
    expect: ['dr-parity'],
  },
  {
    policy: 'dr-standby-minimums',
    type: T.scaledObject,
    resource: 'us-east-1-risk-scoring/stream-scorer',
    property: 'spec.minReplicaCount',
    // Above the prod floor (2), below the standby fraction of primary's minimum.
    change: (p) => void (spec(p).minReplicaCount = 2),
    expect: ['dr-standby-minimums'],
  },
  {
    policy: 'cost-budget',
    type: 'aws:appautoscaling/target:Target',
    resource: 'features-us-east-1-reads',
    property: 'minCapacity',
    // 60,000 more RCU in DR: +5,694 USD a month, above prod's 50,000 USD budget.
    change: (p) => void (p.minCapacity = 120_000),
    expect: ['cost-budget'],
  },
  {
    policy: 'monitoring-coverage',
    type: 'datadog:index/monitor:Monitor',
    resource: 'lease-tables-throttles-us-east-1',
    property: 'query (names another table)',
    change: (p) =>
      void (p.query = String(p.query).replace('prod-stream-scorer-leases-us-east-1', 'prod-other')),
    expect: ['monitoring-coverage'],
  },
];

/** The plan with one mutation applied to a deep copy of its one target; throws if the target is not in the plan. */
export function applyMutation(plan: readonly PlannedResource[], m: Mutation): PlannedResource[] {
  const hits = plan.filter((r) => r.type === m.type && r.name === m.resource);
  if (hits.length !== 1)
    throw new Error(
      `mutation '${m.policy}': expected one ${m.type} named '${m.resource}' in the plan, found ${hits.length}`,
    );
  return plan.map((r) => {
    if (r !== hits[0]) return r;
    const props = structuredClone(r.props);
    m.change(props);
    return { ...r, props };
  });
}

/**
 * Writes one mutated plan per rule class to `<outDir>/<policy>/resources.json` (with the plan's
 * `policy-config.json` beside it), for `npm run policy -- <outDir>/<policy>/resources.json`.
 */
export function writeMutatedPlans(planFile: string, outDir: string): string[] {
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as PlannedResource[];
  const configFile = path.join(path.dirname(planFile), 'policy-config.json');
  return MUTATIONS.map((m) => {
    const dir = path.join(outDir, m.policy);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'resources.json');
    fs.writeFileSync(file, `${JSON.stringify(applyMutation(plan, m), null, 2)}\n`);
    if (fs.existsSync(configFile)) fs.copyFileSync(configFile, path.join(dir, 'policy-config.json'));
    return file;
  });
}
