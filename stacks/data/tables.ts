import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { TableCapacity, TABLE_TARGET_UTILIZATION_PERCENT } from '../capacity';
import { TABLE_KEYS } from '../naming';
import { PrescaleWindow, prescaleUnits } from '../prescale';
import { PlatformKeys } from './keys';
import { arnInRegion } from './policy-documents';
import { InvalidArgumentError } from '../errors';

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
        throw new InvalidArgumentError(
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
  /**
   * The DR replica's read floor as a fraction of the home floor (the warm-standby fraction): the
   * replica idles at `ceil(home min x fraction)` (at least 5 units) with the home maximum, and the
   * runbook raises its minimum to the home floor at failover (Application Auto Scaling
   * RegisterScalableTarget on `table/<name>`, `dynamodb:table:ReadCapacityUnits`, in the DR region).
   * @default 1 (the home floor)
   */
  readonly replicaReadFloorFraction?: number;
  /**
   * Which copies this stack creates: both, the home table with its autoscaling (the primary region's
   * stack), or the DR `TableReplica` with its read autoscaling (the DR region's stack, deployed after
   * the primary's: the replica needs the home table and its write autoscaling).
   * @default 'both'
   */
  readonly part?: 'both' | 'home' | 'replica';
  /**
   * The account of the home table, from which the replica stack derives its `globalTableArn`
   * (`arn:aws:dynamodb:<home region>:<account>:table/<name>`: derivable, so no stack reference).
   * Note: only valid when `part` is `replica`.
   */
  readonly accountId?: pulumi.Input<string>;
  /**
   * Announced launch windows (issue 12): in the serving region, scheduled actions raise the reads'
   * `MinCapacity` (and the home writes', which are global) to the launch need at each window's opening
   * and restore the standing floor at its close. Provisioned billing only.
   * @default - none
   */
  readonly prescale?: {
    readonly windows: readonly PrescaleWindow[];
    readonly activeRegion: string;
    /** The dimensions a launch drives. @default ['reads', 'writes'] */
    readonly dimensions?: readonly ScaledDimension[];
  };
  /** Tags for every taggable resource (propagated to the replica). */
  readonly tags: Readonly<Record<string, string>>;
}

/** A scaled capacity dimension of a provisioned table. */
export type ScaledDimension = 'reads' | 'writes';

/**
 * What the DR replica autoscales itself: reads. Write autoscaling of a version 2019.11.21 global table
 * is set once (home region) and DynamoDB passes it to every replica (see {@link GlobalTable}).
 */
export const REPLICA_SCALED_DIMENSIONS = ['reads'] as const;

/**
 * One scalable target of a table copy as the runbook sees it (`RegionOutputs.tableCapacity`): the floors
 * it raises at failover and restores after.
 */
export interface TableFloor {
  readonly table: string;
  readonly resourceId: string;
  readonly dimension: (typeof DIMENSIONS)[ScaledDimension]['dimension'];
  readonly fullMinCapacity: number;
  readonly standbyMinCapacity: number;
  readonly maxCapacity: number;
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
 * The replica is an `aws.dynamodb.TableReplica`, never the table's inline `replicas`, created in this
 * order: the table; for provisioned billing, the home region's autoscaling targets and policies; the
 * replica (which depends on the home region's scaling policies); then the DR region's autoscaling
 * read target and policy on the replica. AWS refuses to add a replica to a provisioned table whose write
 * capacity is not autoscaled (`ValidationException: Table write capacity should either be
 * Pay-Per-Request or AutoScaled`), and inline replicas are created with the table, before any
 * autoscaling target can exist. On-demand tables take the same path, so every plan has one shape.
 *
 * Provisioned billing registers target-tracking autoscaling of reads and writes in the home region, and
 * of reads only in the DR region. For version 2019.11.21 the write autoscaling settings (minimum,
 * maximum, target utilization) are global: DynamoDB passes them to every replica, whose provisioned
 * write capacity then floats with its own consumption. Registering a second write target and policy on
 * the replica (`table/<name>` in the DR region) would be a double registration that fights the
 * synchronized one ("Only one TargetTrackingScaling policy for a given metric specification"). Read
 * capacity is per replica (`ReplicaUpdates[].ReplicaProvisionedReadCapacityAutoScalingUpdate`), so the
 * DR replica gets its own read target, with the home bounds so it can absorb the full read load on
 * failover. Pulumi ignores later changes to the capacity it set at creation, which autoscaling owns.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_reqs_bestpractices.html
 *   ("Minimum and maximum throughput and target utilization are established globally for the table and
 *   passed to all replicas")
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-global-table-design.prescriptive-guidance.throughput.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTableReplicaAutoScaling.html
 * @see https://github.com/hashicorp/terraform-provider-aws/issues/41179
 *
 * Note: moving an EXISTING stack from inline `replicas` to the `TableReplica` needs an import, not a
 * replacement (there are no deployed stacks yet). The table ignores changes to `replicas`, so dropping
 * the inline block does not delete the replica; then adopt it with
 * `pulumi import aws:dynamodb/tableReplica:TableReplica <name>-replica <table name>:<home region>`
 * (the ID names the home region, not the replica's) or the `import` resource option, and run `up`.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables_reqs_bestpractices.html
 * @see https://github.com/hashicorp/terraform-provider-aws/issues/13097
 */
export class GlobalTable extends pulumi.ComponentResource {
  /** The home table (undefined in the DR region's stack). */
  readonly table?: aws.dynamodb.Table;
  /** The DR replica, a separate resource after the home region's write autoscaling (undefined in the primary's stack). */
  readonly replica?: aws.dynamodb.TableReplica;
  /**
   * The scaling policies by region and dimension: reads and writes in the home region, reads only in
   * the DR region (its write settings are DynamoDB's copy of the home ones). Empty for on-demand billing.
   */
  readonly scalingPolicies: Readonly<
    Record<string, Readonly<Partial<Record<ScaledDimension, aws.appautoscaling.Policy>>>>
  >;
  readonly name: pulumi.Output<string>;
  /** The table's ARN in the home (primary) region. */
  readonly arn: pulumi.Output<string>;
  readonly homeRegion: string;
  readonly replicaRegion: string;
  /** The physical table name (the same in both regions). */
  readonly tableName: string;
  /** Whether the table is deletion-protected and retained on delete. */
  readonly protect: boolean;
  /**
   * The scalable targets this component registers, by region (the home copy's reads and writes, the
   * replica's reads), with their full and standby floors: the runbook's scale-up raises them. Empty for
   * on-demand billing.
   */
  readonly floors: Readonly<Record<string, readonly TableFloor[]>>;
  private readonly prescaleArgs?: GlobalTableArgs['prescale'];

  constructor(name: string, args: GlobalTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:data:GlobalTable', name, {}, opts);
    const keys = args.keys;
    this.homeRegion = keys.primaryRegion;
    this.replicaRegion = keys.drRegion;
    this.protect = args.protect ?? true;
    this.prescaleArgs = args.billing.mode === 'PROVISIONED' ? args.prescale : undefined;
    const billing = args.billing;
    const provisioned = billing.mode === 'PROVISIONED' ? billing.capacity : undefined;

    const part = args.part ?? 'both';
    if ((part === 'replica') !== (args.accountId !== undefined)) {
      throw new InvalidArgumentError(
        `'accountId' (${args.accountId === undefined ? 'unset' : 'set'}) must be set exactly when 'part' is 'replica' (received part '${part}')`,
      );
    }
    this.tableName = args.tableName;
    this.table = part === 'replica' ? undefined : this.createTable(name, args, provisioned);
    this.name = this.table ? this.table.name : pulumi.output(args.tableName);
    this.arn = this.table
      ? this.table.arn
      : pulumi.interpolate`arn:aws:dynamodb:${this.homeRegion}:${args.accountId!}:table/${args.tableName}`;

    const scalingPolicies: Record<string, Partial<Record<ScaledDimension, aws.appautoscaling.Policy>>> = {};
    const floors: Record<string, TableFloor[]> = {};
    const floor = (region: string, dim: ScaledDimension, standbyMin: number) =>
      (floors[region] ??= []).push({
        table: args.tableName,
        resourceId: `table/${args.tableName}`,
        dimension: DIMENSIONS[dim].dimension,
        fullMinCapacity: provisioned![dim].min,
        standbyMinCapacity: standbyMin,
        maxCapacity: provisioned![dim].max,
      });
    const home =
      provisioned && this.table
        ? this.autoscale(name, this.homeRegion, provisioned, args.tags, this.table, ['reads', 'writes'])
        : undefined;
    if (home) {
      scalingPolicies[this.homeRegion] = home;
      // The home floors never drop to a standby fraction (the home table is the write owner).
      for (const dim of ['reads', 'writes'] as const) floor(this.homeRegion, dim, provisioned![dim].min);
    }
    if (part !== 'home') {
      const replicaKey = keys.replica;
      if (!replicaKey) {
        throw new InvalidArgumentError(
          `'keys' must hold the DR replica key (${this.replicaRegion}) for the table replica`,
        );
      }
      this.replica = new aws.dynamodb.TableReplica(
        `${name}-replica`,
        {
          region: this.replicaRegion,
          globalTableArn: this.arn,
          kmsKeyArn: replicaKey.arn,
          pointInTimeRecovery: true,
          deletionProtectionEnabled: this.protect,
          tags: args.tags,
        },
        {
          parent: this,
          retainOnDelete: this.protect,
          dependsOn: home ? [home.writes, home.reads] : [],
        },
      );
    }
    if (provisioned && this.replica) {
      const fraction = args.replicaReadFloorFraction ?? 1;
      if (!(fraction > 0 && fraction <= 1)) {
        throw new InvalidArgumentError(`'replicaReadFloorFraction' (${fraction}) must be in (0, 1]`);
      }
      const reads = provisioned.reads;
      const standbyMin = Math.min(reads.min, Math.max(5, Math.ceil(reads.min * fraction)));
      scalingPolicies[this.replicaRegion] = this.autoscale(
        name,
        this.replicaRegion,
        { ...provisioned, reads: { ...reads, min: standbyMin } },
        args.tags,
        this.replica,
        REPLICA_SCALED_DIMENSIONS,
      );
      floor(this.replicaRegion, 'reads', standbyMin);
    }
    this.scalingPolicies = scalingPolicies;
    this.floors = floors;
    this.registerOutputs({ name: this.name, arn: this.arn, replicaArn: this.replica?.arn });
  }

  /** The home table, encrypted with the primary key. */
  private createTable(name: string, args: GlobalTableArgs, provisioned: TableCapacity | undefined) {
    const primaryKey = args.keys.primary;
    if (!primaryKey) {
      throw new InvalidArgumentError(
        `'keys' must hold the primary key (${this.homeRegion}) for the home table`,
      );
    }
    return new aws.dynamodb.Table(
      `${name}-table`,
      {
        region: this.homeRegion,
        name: args.tableName,
        billingMode: args.billing.mode,
        readCapacity: provisioned?.reads.min,
        writeCapacity: provisioned?.writes.min,
        hashKey: TABLE_KEYS.partition,
        rangeKey: TABLE_KEYS.sort,
        attributes: [
          { name: TABLE_KEYS.partition, type: 'S' },
          { name: TABLE_KEYS.sort, type: 'S' },
        ],
        ttl: args.ttlAttribute ? { attributeName: args.ttlAttribute, enabled: true } : undefined,
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: primaryKey.arn },
        streamEnabled: true,
        streamViewType: 'NEW_AND_OLD_IMAGES',
        deletionProtectionEnabled: this.protect,
        tags: args.tags,
      },
      {
        parent: this,
        retainOnDelete: this.protect,
        ignoreChanges: [...(provisioned ? ['readCapacity', 'writeCapacity'] : []), 'replicas'],
      },
    );
  }

  /**
   * Target-tracking autoscaling of the given dimensions of the table's copy in `region` (resource ID
   * `table/<name>` in that region), after `copy` (the table, or the replica) exists.
   */
  private autoscale<D extends ScaledDimension>(
    name: string,
    region: string,
    capacity: TableCapacity,
    tags: Readonly<Record<string, string>>,
    copy: pulumi.Resource,
    dimensions: readonly D[],
  ): Record<D, aws.appautoscaling.Policy> {
    const resourceId = this.table ? pulumi.interpolate`table/${this.table.name}` : `table/${this.tableName}`;
    const policies = {} as Record<D, aws.appautoscaling.Policy>;
    const prescale = this.prescaleArgs;
    for (const dim of dimensions) {
      const { dimension, metric } = DIMENSIONS[dim];
      const target = new aws.appautoscaling.Target(
        `${name}-${region}-${dim}`,
        {
          region,
          serviceNamespace: 'dynamodb',
          resourceId,
          scalableDimension: dimension,
          minCapacity: capacity[dim].min,
          maxCapacity: capacity[dim].max,
          tags,
        },
        { parent: this, dependsOn: [copy] },
      );
      policies[dim] = new aws.appautoscaling.Policy(
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
      // Launch traffic reads in the serving region; write settings are global (home target only).
      const serving =
        prescale &&
        (prescale.dimensions ?? ['reads', 'writes']).includes(dim) &&
        (dim === 'writes' ? region === this.homeRegion : region === prescale.activeRegion);
      for (const w of serving ? prescale.windows : [])
        this.launchFloor(`${name}-${region}-${dim}`, region, target, capacity[dim], w);
    }
    return policies;
  }

  /**
   * Two scheduled actions on one scalable target for a launch window: at the opening `MinCapacity` =
   * the launch need ({@link prescaleUnits}), at the close `MinCapacity` = the standing floor. Only the
   * minimum is set ("you can set both values or just one"); target tracking keeps working between them,
   * and after the close scales in on its own (15 minutes below target) within DynamoDB's decrease quota.
   * Note: RegisterScalableTarget (the DR runbook's scale-up) and these actions both write
   * `MinCapacity`: a close during a failover lowers a floor the runbook raised (docs/RUNBOOK.md
   * "Failover during a launch window").
   * @see https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scheduled-scaling.html
   * @see https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html
   */
  private launchFloor(
    name: string,
    region: string,
    target: aws.appautoscaling.Target,
    bounds: TableCapacity['reads'],
    w: PrescaleWindow,
  ): void {
    const units = prescaleUnits(bounds, bounds.min, w.level);
    if (units === undefined) return;
    const action = (edge: 'open' | 'close', schedule: string, minCapacity: number) =>
      new aws.appautoscaling.ScheduledAction(
        `${name}-prescale-${w.name}-${edge}`,
        {
          region,
          name: `prescale-${w.name}-${edge}`,
          serviceNamespace: target.serviceNamespace,
          resourceId: target.resourceId,
          scalableDimension: target.scalableDimension,
          schedule,
          timezone: w.timezone,
          scalableTargetAction: { minCapacity },
        },
        { parent: this, dependsOn: [target] },
      );
    action('open', w.awsStart, units);
    action('close', w.awsEnd, bounds.min);
  }

  /** The table's (or replica's) ARN in a region: the same name, that region in the ARN. */
  arnIn(region: string): pulumi.Output<string> {
    if (region !== this.homeRegion && region !== this.replicaRegion) {
      throw new InvalidArgumentError(
        `'region' (${region}) must be ${this.homeRegion} or ${this.replicaRegion}`,
      );
    }
    // The replica's own ARN (`arn:aws:dynamodb:<DR region>:<account>:table/<name>`), so a consumer of the
    // DR ARN waits for the replica; the region is forced in case a provider reports the home ARN.
    if (region === this.homeRegion) return this.arn;
    return this.replica
      ? this.replica.arn.apply((arn) => arnInRegion(arn, region))
      : this.arn.apply((arn) => arnInRegion(arn, region));
  }

  /** The ARNs of every copy, home first. */
  get arns(): pulumi.Output<string>[] {
    return [this.arnIn(this.homeRegion), this.arnIn(this.replicaRegion)];
  }

  /** The ARNs of the copies this stack created (home, replica, or both). */
  get ownArns(): pulumi.Output<string>[] {
    return [
      ...(this.table ? [this.arnIn(this.homeRegion)] : []),
      ...(this.replica ? [this.arnIn(this.replicaRegion)] : []),
    ];
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
