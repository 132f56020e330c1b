import { LEASE_OWNER_INDEX, WorkloadName } from '../naming';
import { InvalidArgumentError } from '../errors';
import { allow, allowEverywhereWhen, documentOf as document, PolicyDocument } from './policy-core';

/** The least-privilege data-plane policies of the workloads and of their KEDA scaler identities. */

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
