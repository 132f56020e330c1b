import { prescaleWindows } from '../prescale';
import * as pulumi from '@pulumi/pulumi';
import { CapacityPlan } from '../capacity';
import { EnvironmentConfig, RegionSite } from '../config/load';
import {
  clusterName,
  DECISIONS_TTL_ATTRIBUTE,
  KEDA_SCALED_WORKLOADS,
  physicalNames,
  replicationHeartbeatRoleName,
  streamScorerLeaseTableName,
  WorkloadName,
  WORKLOADS,
} from '../naming';
import { RegionOutputs } from '../outputs';
import { derivedRoleRef, RoleRef } from './identities';
import { eksClusterArn, scalerRoleName, workloadRoleName } from './policy-documents';
import { PlatformKeys, RegionKey } from './keys';
import { LeaseTable } from './lease-table';
import { DecisionFanout } from './messaging';
import { StreamCapacity, TransactionStream } from './stream';
import { GlobalTable, PlatformTables, TableBilling, TableFloor } from './tables';

/** The workload roles as a regional stack uses them (the roles themselves are the global stack's). */
export interface WorkloadRoles {
  readonly roles: Readonly<Record<WorkloadName, RoleRef>>;
  readonly heartbeatRole: RoleRef;
  /** The read-only KEDA scaler roles (`<env>-risk-<workload>-scaler`) of the KEDA-scaled workloads. */
  readonly scalerRoles: Readonly<Partial<Record<WorkloadName, RoleRef>>>;
  /** Every region's EKS cluster ARN (derived from the naming contract). */
  readonly clusterArns: pulumi.Output<Readonly<Record<string, string>>>;
}

/** A region's share of the cross-region data plane: the capacity plan, the roles, its key and table copies. */
export interface DataFoundation {
  readonly capacity: CapacityPlan;
  readonly identities: WorkloadRoles;
  readonly keys: PlatformKeys;
  readonly tables: PlatformTables;
}

/**
 * The roles of the global stack by their contract names (stacks/naming), so a regional stack needs no
 * lookup and no stack reference for them.
 */
export function derivedWorkloadRoles(
  config: EnvironmentConfig,
  accountId: pulumi.Input<string>,
): WorkloadRoles {
  const env = config.environment;
  return {
    roles: Object.fromEntries(
      WORKLOADS.map((w) => [w, derivedRoleRef(workloadRoleName(env, w), accountId)]),
    ) as Record<WorkloadName, RoleRef>,
    heartbeatRole: derivedRoleRef(replicationHeartbeatRoleName(env), accountId),
    scalerRoles: Object.fromEntries(
      KEDA_SCALED_WORKLOADS.map((w) => [w, derivedRoleRef(scalerRoleName(env, w), accountId)]),
    ),
    clusterArns: pulumi
      .output(accountId)
      .apply((id) =>
        Object.fromEntries(
          config.sites.map((s) => [s.region, eksClusterArn(s.region, id, clusterName(env, s.region))]),
        ),
      ),
  };
}

/**
 * Creates the region's share of the cross-region pieces: in the primary region the multi-region key and
 * the three global tables' home copies (with their autoscaling); in the DR region the replica key
 * (`primaryKeyArn` from the primary stack) and the tables' `TableReplica`s.
 */
export function createDataFoundation(
  config: EnvironmentConfig,
  capacity: CapacityPlan,
  accountId: pulumi.Input<string>,
  site: Pick<RegionSite, 'role' | 'region'>,
  primaryKeyArn?: pulumi.Input<string>,
): DataFoundation {
  const env = config.environment;
  const names = physicalNames(env);
  const identities = derivedWorkloadRoles(config, accountId);
  const home = site.role === 'primary';
  const keys = new PlatformKeys('keys', {
    environment: env,
    primaryRegion: config.regions.primary.region,
    drRegion: config.regions.dr.region,
    accountId,
    workloadRoles: Object.values(identities.roles),
    topicName: names.decisionsTopic,
    protect: config.tables.protect,
    part: home ? 'primary' : 'replica',
    primaryKeyArn: home ? undefined : primaryKeyArn,
    tags: config.tags,
  });
  const table = (logical: keyof PlatformTables, tableName: string, ttlAttribute?: string) =>
    new GlobalTable(logical, {
      tableName,
      keys,
      billing:
        config.tables.billingMode === 'PROVISIONED'
          ? TableBilling.provisioned(capacity.tables[logical])
          : TableBilling.onDemand(),
      ttlAttribute,
      protect: config.tables.protect,
      replicaReadFloorFraction: config.dr.standbyFraction,
      // The control table carries the runbook's fence and lock, not launch traffic.
      // Decisions writes: a launch adds puts at the scoring rate, which the standing floor (half the
      // peak of puts plus their replicated TTL deletes) already carries; the deletes come a TTL later.
      prescale:
        logical === 'control'
          ? undefined
          : {
              windows: prescaleWindows(config),
              activeRegion: config.activeRegion,
              dimensions: logical === 'decisions' ? ['reads'] : ['reads', 'writes'],
            },
      part: home ? 'home' : 'replica',
      accountId: home ? undefined : accountId,
      tags: config.tags,
    });
  const tables: PlatformTables = {
    features: table('features', names.featuresTable),
    decisions: table('decisions', names.decisionsTable, DECISIONS_TTL_ATTRIBUTE),
    control: table('control', names.controlTable),
  };
  return { capacity, identities, keys, tables };
}

/** One region's data plane, as `RegionalPlatform` exposes it. */
export interface RegionalData {
  readonly key: RegionKey;
  readonly stream: TransactionStream;
  readonly fanout: DecisionFanout;
  /** The stream scorer's shard-lease table in this region (regional: leases name this stream's shards). */
  readonly leaseTable: LeaseTable;
  /** The stream's shard count (ON_DEMAND: the capacity model's equivalent). */
  readonly shardCount: number;
  /** Table names (the same in both regions) and this region's ARNs. */
  readonly tables: Readonly<
    Record<keyof PlatformTables, { name: pulumi.Output<string>; arn: pulumi.Output<string> }>
  >;
  /** The data-plane part of the runbook's region outputs (stacks/outputs.ts), resolved. */
  readonly outputs: pulumi.Output<RegionDataOutputs>;
}

/** The data-plane fields of {@link RegionOutputs}. */
export type RegionDataOutputs = Pick<
  RegionOutputs,
  'keyArn' | 'stream' | 'streamConsumerArn' | 'tables' | 'topic' | 'queues' | 'tableCapacity'
>;

/** Creates one region's stream and fan-out (children of `parent`) and collects the region's handles. */
export function createRegionalData(
  site: RegionSite,
  config: EnvironmentConfig,
  foundation: DataFoundation,
  parent: pulumi.Resource,
): RegionalData {
  const names = physicalNames(config.environment);
  const { capacity, keys, identities } = foundation;
  const key = keys.keyIn(site.region);
  const stream = new TransactionStream(
    `${site.region}-transactions`,
    {
      region: site.region,
      streamName: names.stream,
      consumerName: names.streamScorerConsumer,
      key,
      capacity:
        config.streams.mode === 'PROVISIONED'
          ? StreamCapacity.provisioned(capacity.stream.shardCount)
          : StreamCapacity.onDemand(),
      retentionHours: config.streams.retentionHours,
      tags: config.tags,
    },
    { parent },
  );
  const fanout = new DecisionFanout(
    `${site.region}-decisions`,
    {
      region: site.region,
      names: {
        topic: names.decisionsTopic,
        queues: {
          caseReview: { queue: names.caseReviewQueue, dlq: names.caseReviewDlq },
          modelFeedback: { queue: names.modelFeedbackQueue, dlq: names.modelFeedbackDlq },
        },
      },
      key,
      publishers: [identities.roles['scoring-api'], identities.roles['stream-scorer']],
      maxReceiveCount: config.messaging.maxReceiveCount,
      visibilityTimeoutSeconds: capacity.messaging.visibilityTimeoutSeconds,
      retentionDays: config.messaging.retentionDays,
      tags: config.tags,
    },
    { parent },
  );
  const leaseTable = new LeaseTable(
    `${site.region}-stream-scorer-leases`,
    {
      region: site.region,
      tableName: streamScorerLeaseTableName(config.environment, site.region),
      key,
      protect: config.tables.protect,
      tags: config.tags,
    },
    { parent },
  );
  const tableHandle = (t: GlobalTable) => ({ name: t.name, arn: t.arnIn(site.region) });
  const tables = {
    features: tableHandle(foundation.tables.features),
    decisions: tableHandle(foundation.tables.decisions),
    control: tableHandle(foundation.tables.control),
  };
  const queue = (k: 'caseReview' | 'modelFeedback') => {
    const q = fanout.queues[k];
    return { name: q.queue.name, url: q.queue.url, arn: q.queue.arn, dlqUrl: q.dlq.url, dlqArn: q.dlq.arn };
  };
  const outputs: pulumi.Output<RegionDataOutputs> = pulumi.output({
    keyArn: key.arn,
    stream: { name: stream.name, arn: stream.arn },
    streamConsumerArn: stream.consumerArn,
    tables,
    topic: { name: fanout.topic.name, arn: fanout.topic.arn },
    queues: { caseReview: queue('caseReview'), modelFeedback: queue('modelFeedback') },
    // Only the floors a failover raises (standby below full: the DR replica's reads). The home copies never
    // drop to a standby floor, and listing them would push the DR region's published outputs (both
    // regions) over the 7 KB budget of the SSM parameter (test/stacks/runbook-publication.test.ts).
    tableCapacity: Object.values(foundation.tables).flatMap((t) =>
      (t.floors[site.region] ?? []).filter((f: TableFloor) => f.standbyMinCapacity < f.fullMinCapacity),
    ),
  });
  return { key, stream, fanout, leaseTable, shardCount: capacity.stream.shardCount, tables, outputs };
}
