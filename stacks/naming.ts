/**
 * Physical names of the platform's resources. Names are a contract: the DR runbook, dashboards
 * and the charts refer to them, and renaming a table replaces it (losing data). Each has a test.
 *
 * Regional resources that exist in both regions share a name (global table replicas must; streams,
 * queues and topics do so the runbook finds the DR twin by name).
 */
export const physicalNames = (env: string) =>
  ({
    stream: `${env}-transactions`,
    streamScorerConsumer: `${env}-stream-scorer`,
    /** The CloudWatch namespace the stream scorer's consumer library publishes its metrics to. */
    streamScorerMetricsNamespace: `${env}-stream-scorer`,
    featuresTable: `${env}-features`,
    decisionsTable: `${env}-decisions`,
    controlTable: `${env}-control`,
    decisionsTopic: `${env}-risk-decisions`,
    caseReviewQueue: `${env}-case-review`,
    caseReviewDlq: `${env}-case-review-dlq`,
    modelFeedbackQueue: `${env}-model-feedback`,
    modelFeedbackDlq: `${env}-model-feedback-dlq`,
  }) as const;

/** The EKS cluster of one region of an environment, e.g. `prod-risk-us-west-2`. */
export const clusterName = (env: string, region: string) => `${env}-risk-${region}`;

/**
 * The stream scorer's shard-lease table in one region, e.g. `prod-stream-scorer-leases-us-west-2`.
 * Leases name the shards of that region's stream, so each region has its own table, never a global
 * table; the region in the name keeps it from ever being made a replica by mistake (replicas share a
 * name).
 */
export const streamScorerLeaseTableName = (env: string, region: string) =>
  `${env}-stream-scorer-leases-${region}`;

/** The hash key of a KCL lease table (KCL's own schema). */
export const LEASE_TABLE_KEY = 'leaseKey';

/**
 * KCL 3's lease-owner index on the lease table (leaseOwner HASH, leaseKey RANGE, keys only), which its
 * lease discovery queries (amazon-kinesis-client `LeaseOwnerToLeaseKeyIndex`).
 */
export const LEASE_OWNER_INDEX = { name: 'LeaseOwnerToLeaseKeyIndex', hashKey: 'leaseOwner' } as const;

/**
 * The names of KCL 3's two other metadata tables next to a lease table: worker metrics (hash key
 * `wid`) and coordinator state (hash key `key`), KCL's default suffixes applied to the lease table's
 * name. The stream scorer is handed them explicitly (its ConfigMap), since KCL's own default
 * prefixes the application name, not the lease table's.
 * @see https://docs.aws.amazon.com/streams/latest/dev/kcl-dynamoDB.html
 */
export const kclMetadataTableNames = (leaseTable: string) => ({
  workerMetrics: `${leaseTable}-WorkerMetricStats`,
  coordinatorState: `${leaseTable}-CoordinatorState`,
});
/** The hash keys of {@link kclMetadataTableNames}' tables (KCL's own schemas). */
export const KCL_METADATA_TABLE_KEYS = { workerMetrics: 'wid', coordinatorState: 'key' } as const;

/** DynamoDB key attributes shared by every table: partition `pk` (S) and sort `sk` (S). */
export const TABLE_KEYS = { partition: 'pk', sort: 'sk' } as const;
/** The TTL attribute of the decisions table (epoch seconds). */
export const DECISIONS_TTL_ATTRIBUTE = 'expiresAt';

/**
 * The IAM role of one cluster's KEDA operator, e.g. `prod-risk-us-west-2-keda-operator`. The KEDA-scaled
 * workloads' roles trust it (by ARN condition), so it is a contract between the data and compute planes.
 */
export const kedaOperatorRoleName = (cluster: string) => `${cluster}-keda-operator`;

/** The scoring workloads, by Kubernetes name. */
export const WORKLOADS = ['scoring-api', 'stream-scorer', 'feedback-worker'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** Workloads scaled by KEDA, whose metrics the KEDA operator reads by assuming the workload's own role. */
export const KEDA_SCALED_WORKLOADS: readonly WorkloadName[] = ['stream-scorer', 'feedback-worker'];

/**
 * The platform's replication heartbeat writer (charts/replication-heartbeat.ts): its Deployment and
 * ServiceAccount in the workloads namespace of every region. Not a scoring workload: fixed size, not
 * scaled by the runbook, so not in {@link WORKLOADS}.
 */
export const REPLICATION_HEARTBEAT_WORKLOAD = 'replication-heartbeat';

/** The heartbeat writer's IAM role, e.g. `prod-risk-replication-heartbeat` (one role, both clusters). */
export const replicationHeartbeatRoleName = (env: string) => `${env}-risk-${REPLICATION_HEARTBEAT_WORKLOAD}`;

/**
 * The attributes a replication-heartbeat item carries: its keys, `writtenAt`, `writer`, and the inbound
 * replication lag the writer last observed on the other region's heartbeat (`inboundLagMs`,
 * `inboundWrittenAt`). A contract between the writer (charts/replication-heartbeat.ts), its IAM policy
 * (`dynamodb:Attributes`) and the runbook (tools/dr/control/heartbeat.ts).
 */
export const HEARTBEAT_ITEM_ATTRIBUTES = [
  'pk',
  'sk',
  'writtenAt',
  'writer',
  'inboundLagMs',
  'inboundWrittenAt',
] as const;
