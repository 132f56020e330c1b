import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  KCL_METADATA_TABLE_KEYS,
  kclMetadataTableNames,
  LEASE_OWNER_INDEX,
  LEASE_TABLE_KEY,
} from '../naming';
import { RegionKey } from './keys';
import { InvalidArgumentError } from '../errors';

export interface LeaseTableArgs {
  /** The region the table lands in: the region of the stream whose shards it leases. */
  readonly region: string;
  /** The physical name (stacks/naming `streamScorerLeaseTableName`). */
  readonly tableName: string;
  /** The region's platform key; the table is encrypted with it. */
  readonly key: RegionKey;
  /**
   * Deletion protection on the table, and Pulumi `retainOnDelete`.
   * @default true
   */
  readonly protect?: boolean;
  /** Tags for every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The shard-lease table of a Kinesis Client Library (KCL) consumer in one region: which worker holds
 * which shard and the checkpoint it reached. On-demand (lease traffic is small and bursty on
 * rebalance), point-in-time recovery, the region's platform CMK, KCL's schema (hash key `leaseKey`).
 *
 * Regional, not global: leases name the shards of this region's stream. KCL 3 (the stream scorer's
 * contract, charts `STREAM_SCORER_KCL_VERSION`) keeps three metadata tables, all pre-created here with
 * KCL's schemas, so the consumer's role needs no `dynamodb:CreateTable` (KCL describes a table and
 * creates it only when it is missing): the lease table with its lease-owner index
 * (`LeaseOwnerToLeaseKeyIndex`, which KCL would otherwise add through UpdateTable), the worker-metrics
 * table and the coordinator-state table. Same key, PITR and billing for all three.
 * @see https://docs.aws.amazon.com/streams/latest/dev/kcl-dynamoDB.html
 */
export class LeaseTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** KCL 3's worker-metrics table (`<lease table>-WorkerMetricStats`). */
  readonly workerMetricsTable: aws.dynamodb.Table;
  /** KCL 3's coordinator-state table (`<lease table>-CoordinatorState`). */
  readonly coordinatorStateTable: aws.dynamodb.Table;

  constructor(name: string, args: LeaseTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:data:LeaseTable', name, {}, opts);
    if (args.tableName.trim() === '')
      throw new InvalidArgumentError(`'tableName' ("") must be a non-empty table name`);
    const protect = args.protect ?? true;
    this.table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        region: args.region,
        name: args.tableName,
        billingMode: 'PAY_PER_REQUEST',
        hashKey: LEASE_TABLE_KEY,
        attributes: [
          { name: LEASE_TABLE_KEY, type: 'S' },
          { name: LEASE_OWNER_INDEX.hashKey, type: 'S' },
        ],
        globalSecondaryIndexes: [
          {
            name: LEASE_OWNER_INDEX.name,
            hashKey: LEASE_OWNER_INDEX.hashKey,
            rangeKey: LEASE_TABLE_KEY,
            projectionType: 'KEYS_ONLY',
          },
        ],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: args.key.arn },
        deletionProtectionEnabled: protect,
        tags: args.tags,
      },
      { parent: this, retainOnDelete: protect },
    );
    this.name = this.table.name;
    this.arn = this.table.arn;
    const names = kclMetadataTableNames(args.tableName);
    const metadataTable = (id: 'worker-metrics' | 'coordinator-state', tableName: string, hashKey: string) =>
      new aws.dynamodb.Table(
        `${name}-${id}`,
        {
          region: args.region,
          name: tableName,
          billingMode: 'PAY_PER_REQUEST',
          hashKey,
          attributes: [{ name: hashKey, type: 'S' }],
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true, kmsKeyArn: args.key.arn },
          deletionProtectionEnabled: protect,
          tags: args.tags,
        },
        { parent: this, retainOnDelete: protect },
      );
    this.workerMetricsTable = metadataTable(
      'worker-metrics',
      names.workerMetrics,
      KCL_METADATA_TABLE_KEYS.workerMetrics,
    );
    this.coordinatorStateTable = metadataTable(
      'coordinator-state',
      names.coordinatorState,
      KCL_METADATA_TABLE_KEYS.coordinatorState,
    );
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
