import * as pulumi from '@pulumi/pulumi';
import { HEARTBEAT_ITEM_ATTRIBUTES, LEASE_OWNER_INDEX, WorkloadName } from '../naming';
import { InvalidArgumentError } from '../errors';

/**
 * The one module of IAM, KMS, SNS and SQS policy documents, for the data plane and the compute plane
 * alike.
 *
 * - Pure builders (`keyPolicy`, `workloadPolicy`, `podIdentityTrustPolicy`, ...) take resolved ARNs
 *   (components resolve their resource objects with `pulumi.all` and call these), return plain
 *   objects, and never emit a wildcard action or an Allow to a wildcard principal: there is no
 *   parameter through which one could arrive.
 * - {@link policyDocument} serializes statements whose resources and condition values may still be
 *   Pulumi Inputs (an ARN of a resource created in the same program), without an invoke.
 *
 * Unit-tested in `test/stacks/data/policy-documents.test.ts`.
 */

/** A condition block; `V` is `string` in the pure builders, `pulumi.Input<string>` before serialization. */
export type ConditionBlock<V = string> = Readonly<
  Record<string, Readonly<Record<string, V | boolean | readonly V[]>>>
>;

export type Principal =
  '*' | { readonly AWS: string | readonly string[] } | { readonly Service: string | readonly string[] };

/** One IAM policy statement. `V` is `string` (resolved) or `pulumi.Input<string>` (see {@link policyDocument}). */
export interface PolicyStatement<V = string> {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Principal;
  readonly Action: readonly string[];
  readonly Resource?: V | readonly V[];
  readonly Condition?: ConditionBlock<V>;
}

/** A statement whose resources or condition values may be Outputs of resources of this program. */
export type InputPolicyStatement = PolicyStatement<pulumi.Input<string>>;

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** Serializes a policy document whose resources may be Outputs (no invoke, no wildcard by accident). */
export function policyDocument(statements: readonly InputPolicyStatement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements });
}

/** The trust policy of a role assumed by an AWS service, e.g. `eks.amazonaws.com`. */
export function serviceTrust(service: string, actions: readonly string[] = ['sts:AssumeRole']): string {
  // No Sid: the exact document the roles were created with (a new Sid would be a diff on every role).
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: actions }],
  });
}

/** An AWS managed policy ARN. */
export const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

const document = (statements: readonly PolicyStatement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});

/** `arn:aws:iam::<account>:root`: the account, which delegates to its IAM policies. */
export const accountRootArn = (accountId: string) => `arn:aws:iam::${accountId}:root`;

/** The deterministic ARN of an EKS cluster. */
export const eksClusterArn = (region: string, accountId: string, name: string) =>
  `arn:aws:eks:${region}:${accountId}:cluster/${name}`;

/** The IAM role name of a workload, e.g. `prod-risk-scoring-api`. A contract: the charts bind it. */
export const workloadRoleName = (env: string, workload: WorkloadName) => `${env}-risk-${workload}`;

/**
 * The IAM role name of a KEDA-scaled workload's scaler identity, e.g. `prod-risk-stream-scorer-scaler`:
 * what KEDA's operator assumes to read the workload's scaling metric, and nothing else.
 */
export const scalerRoleName = (env: string, workload: WorkloadName) => `${env}-risk-${workload}-scaler`;

/** The same ARN in another region (global table replicas and multi-region keys keep the rest). */
export function arnInRegion(arn: string, region: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn')
    throw new InvalidArgumentError(`'arn' (${JSON.stringify(arn)}) must be an ARN`);
  parts[3] = region;
  return parts.join(':');
}

/** The AWS services that use the platform keys on a caller's behalf, as `kms:ViaService` values. */
export const KEY_SERVICES = ['dynamodb', 'kinesis', 'sqs', 'sns', 'eks'] as const;

/** Key administration: everything but cryptographic use, spelled out (no `kms:*`). */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReplicateKey',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:SynchronizeMultiRegionKey',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
  'kms:UpdatePrimaryRegion',
] as const;

/** Cryptographic use of a key through an AWS service (what DynamoDB, Kinesis, SQS, SNS, EKS need). */
export const KEY_USE_ACTIONS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
] as const;

export interface KeyPolicyInput {
  readonly accountId: string;
  /** The region the key (or replica) lives in; `kms:ViaService` names this region's endpoints. */
  readonly region: string;
  /** The platform's workload roles, named as the key's users (through the platform services only). */
  readonly workloadRoleArns: readonly string[];
  /** SNS topics that deliver into queues encrypted with this key. */
  readonly topicArns: readonly string[];
}

/**
 * The key policy of a platform key (the same shape for the primary and its DR replica):
 * - `KeyAdministration`: the account root, administrative actions only; this also lets the account's
 *   IAM policies grant administration (the deployer's role).
 * - `AccountUseThroughPlatformServices`: principals of this account (with an IAM grant as well) may use
 *   the key only through DynamoDB, Kinesis, SQS, SNS or EKS in this region: the deployer creating
 *   tables and replicas (grants), the runbook writing the control table.
 * - `PlatformWorkloadRoles`: the workload roles by ARN, through the same services only.
 * - `SnsDeliveryToEncryptedQueues`: the SNS service, for the platform's topics only, so it can deliver
 *   into KMS-encrypted queues.
 * No statement allows a `*` principal.
 */
export function keyPolicy(p: KeyPolicyInput): PolicyDocument {
  const root = accountRootArn(p.accountId);
  const viaService = KEY_SERVICES.map((s) => `${s}.${p.region}.amazonaws.com`);
  const statements: PolicyStatement[] = [
    {
      Sid: 'KeyAdministration',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: [...KEY_ADMIN_ACTIONS],
      Resource: '*',
    },
    {
      Sid: 'AccountUseThroughPlatformServices',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: [...KEY_USE_ACTIONS],
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': p.accountId, 'kms:ViaService': viaService } },
    },
  ];
  if (p.workloadRoleArns.length > 0) {
    statements.push({
      Sid: 'PlatformWorkloadRoles',
      Effect: 'Allow',
      Principal: { AWS: [...p.workloadRoleArns] },
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': viaService } },
    });
  }
  if (p.topicArns.length > 0) {
    statements.push({
      Sid: 'SnsDeliveryToEncryptedQueues',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { ArnEquals: { 'aws:SourceArn': [...p.topicArns] } },
    });
  }
  return document(statements);
}

/** Denies every request that does not use TLS (`aws:SecureTransport` false). */
export function denyInsecureTransport(actions: readonly string[], resource: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: [...actions],
    Resource: resource,
    Condition: { Bool: { 'aws:SecureTransport': false } },
  };
}

/**
 * A queue's policy: TLS only and, when `topicArn` is given, `sqs:SendMessage` for SNS on behalf of that
 * topic alone. Consumers get access through their IAM roles.
 */
export function queuePolicy(p: { readonly queueArn: string; readonly topicArn?: string }): PolicyDocument {
  const statements: PolicyStatement[] = [denyInsecureTransport(['sqs:*'], p.queueArn)];
  if (p.topicArn) {
    statements.push({
      Sid: 'AllowDecisionTopic',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['sqs:SendMessage'],
      Resource: p.queueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': p.topicArn } },
    });
  }
  return document(statements);
}

/** The topic's policy: TLS only, and `sns:Publish` for the named publisher roles. */
export function topicPolicy(p: {
  readonly topicArn: string;
  readonly publisherRoleArns: readonly string[];
}): PolicyDocument {
  const statements: PolicyStatement[] = [denyInsecureTransport(['sns:*'], p.topicArn)];
  if (p.publisherRoleArns.length > 0) {
    statements.push({
      Sid: 'AllowScoringPublishers',
      Effect: 'Allow',
      Principal: { AWS: [...p.publisherRoleArns] },
      Action: ['sns:Publish'],
      Resource: p.topicArn,
    });
  }
  return document(statements);
}

/**
 * The DR runbook topic's policy: TLS only, and `sns:Publish` for principals of the account (the
 * account root, which delegates to IAM: the on-call roles that hold an IAM grant). Nothing for anyone
 * outside the account.
 */
export function runbookTopicPolicy(p: {
  readonly topicArn: string;
  readonly accountId: string;
}): PolicyDocument {
  return document([
    denyInsecureTransport(['sns:*'], p.topicArn),
    {
      Sid: 'AllowAccountPublish',
      Effect: 'Allow',
      Principal: { AWS: accountRootArn(p.accountId) },
      Action: ['sns:Publish'],
      Resource: p.topicArn,
    },
  ]);
}

/** `redrivePolicy` of a source queue. */
export const redrivePolicy = (dlqArn: string, maxReceiveCount: number) =>
  JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount });

/** `redriveAllowPolicy` of a DLQ: only its source queue may use it. */
export const redriveAllowPolicy = (sourceQueueArn: string) =>
  JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [sourceQueueArn] });

export interface PodIdentityTrustInput {
  readonly accountId: string;
  /** The clusters allowed to hand out the role: both regions' (so the DR cluster works on failover). */
  readonly clusterArns: readonly string[];
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * The trust policy of a workload role for EKS Pod Identity: the `pods.eks.amazonaws.com` service may
 * assume it and tag the session, only for the given clusters (session tag `eks-cluster-arn`), the
 * namespace and the one service account, and only from this account.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
 */
export function podIdentityTrustPolicy(p: PodIdentityTrustInput): PolicyDocument {
  if (p.clusterArns.length === 0)
    throw new InvalidArgumentError(`'clusterArns' ([]) must name at least one cluster`);
  return document([
    {
      Sid: 'EksPodIdentity',
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringEquals: {
          'aws:SourceAccount': p.accountId,
          'aws:RequestTag/eks-cluster-arn': [...p.clusterArns],
          'aws:RequestTag/kubernetes-namespace': p.namespace,
          'aws:RequestTag/kubernetes-service-account': p.serviceAccount,
        },
      },
    },
  ]);
}

/**
 * The trust policy of a scaler role: only the KEDA operator roles named (both clusters'), through the
 * account root with an `aws:PrincipalArn` condition (IAM refuses a trust naming a role that does not
 * exist yet, and the operator roles are created with the clusters, after the identities).
 */
export function kedaScalerTrustPolicy(p: {
  readonly accountId: string;
  readonly kedaOperatorRoleArns: readonly string[];
}): PolicyDocument {
  if (p.kedaOperatorRoleArns.length === 0)
    throw new InvalidArgumentError(`'kedaOperatorRoleArns' ([]) must name at least one KEDA operator role`);
  return document([
    {
      Sid: 'KedaOperatorReadsScalingMetric',
      Effect: 'Allow',
      Principal: { AWS: accountRootArn(p.accountId) },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': [...p.kedaOperatorRoleArns] } },
    },
  ]);
}

/** The resolved ARNs a workload policy is built from; every list holds both regions' resources. */
export interface DataPlaneArns {
  readonly streams: readonly string[];
  readonly streamConsumers: readonly string[];
  readonly tables: {
    readonly features: readonly string[];
    readonly decisions: readonly string[];
    readonly control: readonly string[];
  };
  readonly topics: readonly string[];
  readonly modelFeedbackQueues: readonly string[];
  /** The stream scorer's shard-lease tables (one per region). */
  readonly leaseTables: readonly string[];
  /** KCL 3's worker-metrics and coordinator-state tables next to each lease table (both regions). */
  readonly kclMetadataTables: readonly string[];
  /** The CloudWatch namespace the stream scorer publishes its consumer metrics to (not an ARN). */
  readonly metricsNamespace: string;
  readonly keys: readonly string[];
}

const allow = (Sid: string, Action: readonly string[], Resource: readonly string[]): PolicyStatement => {
  if (Resource.length === 0) throw new Error(`statement '${Sid}' must name at least one resource`);
  return { Sid, Effect: 'Allow', Action: [...Action], Resource: [...Resource] };
};

/**
 * Actions with no resource-level permissions: `*` is their only valid resource, so a statement that
 * grants one must narrow it with a condition instead (see {@link allowEverywhereWhen}).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS = [
  'cloudwatch:PutMetricData',
  'cloudwatch:GetMetricData',
] as const;

/** An Allow on `*` for actions without resource-level permissions, only under a condition. */
function allowEverywhereWhen(
  Sid: string,
  Action: readonly (typeof ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS)[number][],
  Condition: ConditionBlock,
): PolicyStatement {
  if (Object.keys(Condition).length === 0) throw new Error(`statement '${Sid}' must have a condition`);
  return { Sid, Effect: 'Allow', Action: [...Action], Resource: '*', Condition };
}

const READ_ITEMS = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
/**
 * What a KCL 3 worker does with its lease table: take, renew, checkpoint and drop leases, scan for
 * expired ones, check the table exists, and `UpdateTable` (KCL adds its lease-owner index to a table
 * without one; the platform pre-creates it, the action stays as KCL's documented minimum). No
 * `CreateTable`: the platform pre-creates every KCL table.
 * @see https://docs.aws.amazon.com/streams/latest/dev/kcl-iam-permissions.html
 */
export const LEASE_TABLE_ACTIONS = [
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
  'dynamodb:UpdateTable',
] as const;
/** KCL 3's lease discovery queries the lease-owner index (`<lease table ARN>/index/LeaseOwnerToLeaseKeyIndex`). */
export const LEASE_INDEX_ACTIONS = ['dynamodb:Query'] as const;
/** What KCL 3 does with its worker-metrics and coordinator-state tables (kcl-iam-permissions, minus CreateTable). */
export const KCL_METADATA_TABLE_ACTIONS = [
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
] as const;
/** The ARN of a lease table's lease-owner index. */
export const leaseOwnerIndexArn = (leaseTableArn: string) =>
  `${leaseTableArn}/index/${LEASE_OWNER_INDEX.name}`;
const KEY_USE = ['kms:Decrypt', 'kms:GenerateDataKey'];

/**
 * The least-privilege policy of one workload:
 * - `scoring-api`: reads features, writes decisions, reads the control record (active region, write
 *   fence), forwards transactions to the stream, publishes decisions.
 * - `stream-scorer`: consumes the stream through its enhanced fan-out consumer (and reads the stream's
 *   shape, which KEDA's Kinesis scaler does with this identity), coordinates its workers through the
 *   lease tables, publishes its consumer metrics (CloudWatch, its own namespace only), reads features,
 *   writes decisions, reads the control record, publishes decisions.
 * - `feedback-worker`: consumes model-feedback (KEDA's SQS scaler reads the queue attributes with this
 *   identity), reads the decision it labels, reads the control record (it writes `features`, so it must
 *   honour the write fence: issue 16 finding 5) and updates features.
 * All of them use the platform keys (both regions) for the encrypted stores.
 */
export function workloadPolicy(workload: WorkloadName, a: DataPlaneArns): PolicyDocument {
  const keys = allow('UsePlatformKeys', KEY_USE, a.keys);
  const readControl = allow('ReadControl', ['dynamodb:GetItem'], a.tables.control);
  const publish = allow('PublishDecisions', ['sns:Publish'], a.topics);
  const readFeatures = allow('ReadFeatures', READ_ITEMS, a.tables.features);
  const writeDecisions = allow('WriteDecisions', ['dynamodb:PutItem'], a.tables.decisions);
  switch (workload) {
    case 'scoring-api':
      return document([
        readFeatures,
        writeDecisions,
        readControl,
        allow('ForwardTransactions', ['kinesis:PutRecord', 'kinesis:PutRecords'], a.streams),
        publish,
        keys,
      ]);
    case 'stream-scorer':
      return document([
        allow(
          'ReadStream',
          [
            'kinesis:DescribeStream',
            'kinesis:DescribeStreamSummary',
            'kinesis:GetRecords',
            'kinesis:GetShardIterator',
            'kinesis:ListShards',
          ],
          a.streams,
        ),
        allow(
          'ConsumeWithEnhancedFanOut',
          ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
          a.streamConsumers,
        ),
        allow('CoordinateShardLeases', LEASE_TABLE_ACTIONS, a.leaseTables),
        allow('DiscoverOwnLeases', LEASE_INDEX_ACTIONS, a.leaseTables.map(leaseOwnerIndexArn)),
        allow('CoordinateWorkers', KCL_METADATA_TABLE_ACTIONS, a.kclMetadataTables),
        allowEverywhereWhen('PublishConsumerMetrics', ['cloudwatch:PutMetricData'], {
          StringEquals: { 'cloudwatch:namespace': a.metricsNamespace },
        }),
        readFeatures,
        writeDecisions,
        readControl,
        publish,
        keys,
      ]);
    case 'feedback-worker':
      return document([
        allow(
          'ConsumeModelFeedback',
          [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:ReceiveMessage',
          ],
          a.modelFeedbackQueues,
        ),
        allow('ReadDecisions', ['dynamodb:GetItem'], a.tables.decisions),
        allow(
          'UpdateFeatures',
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          a.tables.features,
        ),
        readControl,
        keys,
      ]);
  }
}

/**
 * The read-only policy of a KEDA-scaled workload's scaler role: exactly the calls its KEDA scaler
 * makes, so a compromised KEDA operator can read two metrics and change nothing.
 * - `stream-scorer` (`aws-cloudwatch` trigger on `AWS/Kinesis IncomingRecords`): `GetMetricData`
 *   (kedacore/keda pkg/scalers/aws_cloudwatch_scaler.go, `cwClient.GetMetricData`). It has no
 *   resource-level permissions and no namespace condition key, so it is narrowed to the
 *   environment's regions (`aws:RequestedRegion`).
 * - `feedback-worker` (`aws-sqs-queue` trigger): `sqs:GetQueueAttributes` on the model-feedback queues
 *   (aws_sqs_queue_scaler.go, `GetQueueAttributes`); reading a queue's attributes needs no KMS.
 * @see https://keda.sh/docs/2.20/scalers/aws-cloudwatch/
 * @see https://keda.sh/docs/2.20/scalers/aws-sqs/
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
export function scalerPolicy(
  workload: WorkloadName,
  a: Pick<DataPlaneArns, 'modelFeedbackQueues'> & { readonly regions: readonly string[] },
): PolicyDocument {
  switch (workload) {
    case 'stream-scorer':
      if (a.regions.length === 0)
        throw new InvalidArgumentError(`'regions' ([]) must name at least one region`);
      return document([
        allowEverywhereWhen('ReadScalingMetric', ['cloudwatch:GetMetricData'], {
          StringEquals: { 'aws:RequestedRegion': [...a.regions] },
        }),
      ]);
    case 'feedback-worker':
      return document([allow('ReadQueueDepth', ['sqs:GetQueueAttributes'], a.modelFeedbackQueues)]);
    default:
      throw new InvalidArgumentError(
        `'workload' (${JSON.stringify(workload)}) must be a KEDA-scaled workload with an AWS scaler (stream-scorer, feedback-worker)`,
      );
  }
}

/** The replication heartbeat writer's view of one region. */
export interface HeartbeatRegion {
  readonly region: string;
  /** The control table's replica in this region. */
  readonly controlTableArn: string;
  /** The platform key in this region (the replica's encryption key). */
  readonly keyArn: string;
  /** The region's EKS cluster: the Pod Identity session tag `eks-cluster-arn` of the writer there. */
  readonly clusterArn: string;
}

/** The key of a region's heartbeat item (tools/dr/control/keys.ts `keys.heartbeat`). */
export const heartbeatPartitionKey = (region: string) => `heartbeat#${region}`;

/** `us-west-2` -> `UsWest2` (IAM Sids are alphanumeric). */
const sidPart = (region: string) =>
  region.replace(/(^|-)([a-z0-9])/g, (_m, _dash: string, c: string) => c.toUpperCase());

/**
 * The replication heartbeat writer's policy: nothing but writing its own region's heartbeat item into
 * its own region's replica of the control table, and reading the other region's heartbeat there.
 * - One `WriteHeartbeat<Region>` statement per region: `dynamodb:UpdateItem` (an update, so a restarted
 *   writer keeps the inbound evidence it recorded) on that region's replica only, when the caller's
 *   Pod Identity session comes from that region's cluster (`aws:PrincipalTag/eks-cluster-arn`), the
 *   item's partition key is `heartbeat#<that region>` (`ForAllValues:StringEquals` on
 *   `dynamodb:LeadingKeys`) and its attributes are among {@link HEARTBEAT_ITEM_ATTRIBUTES}
 *   (`dynamodb:Attributes`), with both keys required present (`Null` false: a `ForAllValues` test of
 *   an absent key would pass) and no old item returned. The role is shared by both clusters, so without
 *   the session tag a writer in one region could forge the other region's heartbeat in its own replica
 *   and mask a dead source during a failover preflight.
 * - One `ReadPeerHeartbeat<Region>` statement per region (when there is another region):
 *   `dynamodb:GetItem` on that region's replica only, from that region's cluster, of the OTHER
 *   regions' heartbeat items only (`dynamodb:LeadingKeys`, required present): the writer records the
 *   inbound replication lag it observes. It can read nothing else, not even its own item.
 * - `UseControlTableKey`: the replica is encrypted with the platform key, which DynamoDB uses on the
 *   caller's behalf, so the caller needs `kms:Decrypt`/`kms:GenerateDataKey` through DynamoDB, for the
 *   control table only (encryption context `aws:dynamodb:tableName`).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
 */
export function replicationHeartbeatPolicy(p: {
  readonly controlTableName: string;
  readonly regions: readonly HeartbeatRegion[];
  /**
   * Every region of the environment, whose heartbeats a writer reads as peers. A regional stack
   * grants only its own region (`regions`) but its writer still reads the other region's heartbeat.
   * @default - the regions of `regions`
   */
  readonly peerRegions?: readonly string[];
}): PolicyDocument {
  if (p.regions.length === 0) throw new InvalidArgumentError(`'regions' ([]) must name at least one region`);
  const put = p.regions.map((r): PolicyStatement => ({
    Sid: `WriteHeartbeat${sidPart(r.region)}`,
    Effect: 'Allow',
    Action: ['dynamodb:UpdateItem'],
    Resource: [r.controlTableArn],
    Condition: {
      'ForAllValues:StringEquals': {
        'dynamodb:LeadingKeys': [heartbeatPartitionKey(r.region)],
        'dynamodb:Attributes': [...HEARTBEAT_ITEM_ATTRIBUTES],
      },
      Null: { 'dynamodb:LeadingKeys': 'false', 'dynamodb:Attributes': 'false' },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
      StringEquals: { 'aws:PrincipalTag/eks-cluster-arn': r.clusterArn },
    },
  }));
  const read = p.regions.flatMap((r): PolicyStatement[] => {
    const peers = (p.peerRegions ?? p.regions.map((o) => o.region))
      .filter((o) => o !== r.region)
      .map((o) => heartbeatPartitionKey(o));
    if (peers.length === 0) return [];
    return [
      {
        Sid: `ReadPeerHeartbeat${sidPart(r.region)}`,
        Effect: 'Allow',
        Action: ['dynamodb:GetItem'],
        Resource: [r.controlTableArn],
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': peers },
          Null: { 'dynamodb:LeadingKeys': 'false' },
          StringEquals: { 'aws:PrincipalTag/eks-cluster-arn': r.clusterArn },
        },
      },
    ];
  });
  return document([
    ...put,
    ...read,
    {
      Sid: 'UseControlTableKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: p.regions.map((r) => r.keyArn),
      Condition: {
        StringEquals: {
          'kms:ViaService': p.regions.map((r) => `dynamodb.${r.region}.amazonaws.com`),
          'kms:EncryptionContext:aws:dynamodb:tableName': p.controlTableName,
        },
      },
    },
  ]);
}

/** The actions of a document that are wildcards (`*`, `svc:*` or any `*` inside an action). */
export function wildcardActions(doc: PolicyDocument): string[] {
  return doc.Statement.filter((s) => s.Effect === 'Allow')
    .flatMap((s) => s.Action)
    .filter((a) => a.includes('*'));
}
