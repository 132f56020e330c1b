import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { LEASE_TABLE_KEY } from '../naming';
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
 * Regional, not global: leases name the shards of this region's stream. The table is pre-created so
 * the consumer's role needs no `dynamodb:CreateTable` (KCL only describes a table that exists).
 * @see https://docs.aws.amazon.com/streams/latest/dev/kcl-dynamoDB.html
 */
export class LeaseTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

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
        attributes: [{ name: LEASE_TABLE_KEY, type: 'S' }],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: args.key.arn },
        deletionProtectionEnabled: protect,
        tags: args.tags,
      },
      { parent: this, retainOnDelete: protect },
    );
    this.name = this.table.name;
    this.arn = this.table.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
