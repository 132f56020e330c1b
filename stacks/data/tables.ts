import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { TableCapacity, TABLE_TARGET_UTILIZATION_PERCENT } from '../capacity';
import { TABLE_KEYS } from '../naming';
import { PlatformKeys } from './keys';
import { arnInRegion } from './policy-documents';

/** How a table is billed. Build with {@link TableBilling}. */
export type TableBillingMode =
  { readonly mode: 'PAY_PER_REQUEST' } | { readonly mode: 'PROVISIONED'; readonly capacity: TableCapacity };

/** Static factories for {@link TableBillingMode}. */
export const TableBilling = {
  /** On-demand: no capacity to manage. */
  onDemand: (): TableBillingMode => ({ mode: 'PAY_PER_REQUEST' }),
  /** Provisioned reads and writes with target-tracking autoscaling between the model's bounds. */
  provisioned: (capacity: TableCapacity): TableBillingMode => {
    for (const dim of ['reads', 'writes'] as const) {
      const b = capacity[dim];
      if (!(Number.isInteger(b.min) && b.min >= 1 && Number.isInteger(b.max) && b.min <= b.max)) {
        throw new Error(
          `'capacity.${dim}' (min ${b.min}, max ${b.max}) must be integers with 1 <= min <= max`,
        );
      }
    }
    return { mode: 'PROVISIONED', capacity };
  },
} as const;

export interface GlobalTableArgs {
  /** The physical table name, the same in every replica region. */
  readonly tableName: string;
  /** The platform keys: the table is encrypted with the primary key, the replica with its DR replica. */
  readonly keys: PlatformKeys;
  /** On-demand or provisioned (from the capacity model). */
  readonly billing: TableBillingMode;
  /**
   * The TTL attribute (epoch seconds).
   * @default - no TTL
   */
  readonly ttlAttribute?: string;
  /**
   * Deletion protection on the table and its replica, and Pulumi `retainOnDelete`.
   * @default true
   */
  readonly protect?: boolean;
  /** Tags for every taggable resource (propagated to the replica). */
  readonly tags: Readonly<Record<string, string>>;
}

/** The scalable dimensions of a provisioned table. */
const DIMENSIONS = {
  reads: { dimension: 'dynamodb:table:ReadCapacityUnits', metric: 'DynamoDBReadCapacityUtilization' },
  writes: { dimension: 'dynamodb:table:WriteCapacityUnits', metric: 'DynamoDBWriteCapacityUtilization' },
} as const;

/**
 * A DynamoDB global table (version 2019.11.21) homed in the primary region of the keys with one
 * replica in the DR region. Keys `pk` (S) / `sk` (S). Every copy has point-in-time recovery and the
 * platform CMK of its region; streams are on (`NEW_AND_OLD_IMAGES`) because replication needs them.
 *
 * Provisioned billing registers target-tracking autoscaling for reads and writes in both regions with
 * the same bounds. Note: a provisioned global table must autoscale writes (or keep them equal) in every
 * replica, since each replica applies every replicated write; with identical bounds the replicas'
 * write capacity stays in step, and the DR replica can absorb the full read load on failover. Pulumi
 * ignores later changes to the capacity it set at creation, which autoscaling owns.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables_reqs_bestpractices.html
 */
export class GlobalTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly name: pulumi.Output<string>;
  /** The table's ARN in the home (primary) region. */
  readonly arn: pulumi.Output<string>;
  readonly homeRegion: string;
  readonly replicaRegion: string;
  /** Whether the table is deletion-protected and retained on delete. */
  readonly protect: boolean;

  constructor(name: string, args: GlobalTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:data:GlobalTable', name, {}, opts);
    const keys = args.keys;
    this.homeRegion = keys.primaryRegion;
    this.replicaRegion = keys.drRegion;
    this.protect = args.protect ?? true;
    const billing = args.billing;
    const provisioned = billing.mode === 'PROVISIONED' ? billing.capacity : undefined;

    this.table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        region: this.homeRegion,
        name: args.tableName,
        billingMode: billing.mode,
        readCapacity: provisioned?.reads.max,
        writeCapacity: provisioned?.writes.max,
        hashKey: TABLE_KEYS.partition,
        rangeKey: TABLE_KEYS.sort,
        attributes: [
          { name: TABLE_KEYS.partition, type: 'S' },
          { name: TABLE_KEYS.sort, type: 'S' },
        ],
        ttl: args.ttlAttribute ? { attributeName: args.ttlAttribute, enabled: true } : undefined,
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: keys.primary.arn },
        streamEnabled: true,
        streamViewType: 'NEW_AND_OLD_IMAGES',
        deletionProtectionEnabled: this.protect,
        replicas: [
          {
            regionName: this.replicaRegion,
            kmsKeyArn: keys.replica.arn,
            pointInTimeRecovery: true,
            propagateTags: true,
            deletionProtectionEnabled: this.protect,
          },
        ],
        tags: args.tags,
      },
      {
        parent: this,
        retainOnDelete: this.protect,
        ignoreChanges: provisioned ? ['readCapacity', 'writeCapacity'] : [],
      },
    );
    this.name = this.table.name;
    this.arn = this.table.arn;

    if (provisioned) {
      const resourceId = pulumi.interpolate`table/${this.table.name}`;
      for (const region of [this.homeRegion, this.replicaRegion]) {
        for (const dim of ['reads', 'writes'] as const) {
          const { dimension, metric } = DIMENSIONS[dim];
          const target = new aws.appautoscaling.Target(
            `${name}-${region}-${dim}`,
            {
              region,
              serviceNamespace: 'dynamodb',
              resourceId,
              scalableDimension: dimension,
              minCapacity: provisioned[dim].min,
              maxCapacity: provisioned[dim].max,
              tags: args.tags,
            },
            { parent: this, dependsOn: [this.table] },
          );
          new aws.appautoscaling.Policy(
            `${name}-${region}-${dim}`,
            {
              region,
              policyType: 'TargetTrackingScaling',
              serviceNamespace: target.serviceNamespace,
              resourceId: target.resourceId,
              scalableDimension: target.scalableDimension,
              targetTrackingScalingPolicyConfiguration: {
                predefinedMetricSpecification: { predefinedMetricType: metric },
                targetValue: TABLE_TARGET_UTILIZATION_PERCENT,
              },
            },
            { parent: this },
          );
        }
      }
    }
    this.registerOutputs({ name: this.name, arn: this.arn, replicaArn: this.arnIn(this.replicaRegion) });
  }

  /** The table's (or replica's) ARN in a region: the same name, that region in the ARN. */
  arnIn(region: string): pulumi.Output<string> {
    if (region !== this.homeRegion && region !== this.replicaRegion) {
      throw new Error(`'region' (${region}) must be ${this.homeRegion} or ${this.replicaRegion}`);
    }
    return this.table.arn.apply((arn) => arnInRegion(arn, region));
  }

  /** The ARNs of every copy, home first. */
  get arns(): pulumi.Output<string>[] {
    return [this.arnIn(this.homeRegion), this.arnIn(this.replicaRegion)];
  }
}

/** The platform's three global tables. */
export interface PlatformTables {
  /** Entity feature vectors read by the scoring path. */
  readonly features: GlobalTable;
  /** Scoring decisions, expiring by TTL. */
  readonly decisions: GlobalTable;
  /** The active-region record, write fence, and the runbook's lock, journal and audit log. */
  readonly control: GlobalTable;
}
