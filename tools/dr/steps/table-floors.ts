import {
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
  ScalableDimension,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeTableCommand, TableDescription } from '@aws-sdk/client-dynamodb';
import { RegionOutputs } from '../../../stacks/outputs';
import { withDeadline } from '../deadline';
import { PlannedFloor, plannedFloor } from './capacity-plan';
import { StepContext } from './step';

/**
 * The DynamoDB half of the scale-up (issue 15 finding 26, runbook side): the target's table copies
 * idle at their standby floors (the DR replica's reads at the standby fraction of the home floor), so
 * before the fence and the flip the runbook raises each scalable target's `MinCapacity` to the full
 * floor, or to the source's current provisioned capacity when that is larger and readable.
 *
 * - `RegisterScalableTarget` with the three identifying parameters and `MinCapacity` only: "any
 *   parameters that you don't specify are not changed", and on an active resource it "changes the
 *   resource's current capacity to a value that is inside of this range", i.e. Application Auto Scaling
 *   itself calls UpdateTable through its service-linked role (AWSServiceRoleForApplicationAutoScaling_DynamoDBTable,
 *   which Pulumi's registration created: no `iam:PassRole`, and no `RoleARN` parameter).
 *   @see https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
 *   @see https://docs.aws.amazon.com/autoscaling/application/userguide/services-that-can-integrate-dynamodb.html
 * - `DescribeScalableTargets` (namespace `dynamodb`, `ResourceIds`) gives the target's current minimums
 *   (recorded for `dr abort`) and maximums. Resource IDs: `table/<name>`, `table/<name>/index/<index>`.
 *   @see https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalableTargets.html
 *   @see https://docs.aws.amazon.com/autoscaling/application/APIReference/API_ScalableTarget.html
 * - `DescribeTable` gives the provisioned capacity (`ProvisionedThroughput`, per index
 *   `GlobalSecondaryIndexes[].ProvisionedThroughput`): in the source region, what it runs now; in the
 *   target, whether the raise has landed.
 *   @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
 */

export type TableFloorEntry = NonNullable<RegionOutputs['tableCapacity']>[number];

/** One scalable target of the target region, planned. */
export interface TableFloorRow {
  readonly entry: TableFloorEntry;
  /** Its `MinCapacity` now. */
  readonly current: number;
  /** Its `MaxCapacity` as registered. */
  readonly max: number;
  /** The source's provisioned capacity of the same copy; undefined when unread. */
  readonly source?: number;
  readonly floor: PlannedFloor;
}

/** `table/<name>|dynamodb:table:ReadCapacityUnits`. */
export const floorId = (e: Pick<TableFloorEntry, 'resourceId' | 'dimension'>) =>
  `${e.resourceId}|${e.dimension}`;

/** A short name for lines: `features reads`, `features/index/by-entity writes`. */
export function floorName(e: Pick<TableFloorEntry, 'resourceId' | 'dimension'>): string {
  const what = e.dimension.endsWith('ReadCapacityUnits') ? 'reads' : 'writes';
  return `${e.resourceId.replace(/^table\//, '')} ${what}`;
}

/** How long one read of the source region may take (it may be the impaired one). */
export const SOURCE_READ_DEADLINE_MS = 6000;

/** The provisioned units of one entry in a `DescribeTable` answer. */
function provisionedOf(t: TableDescription | undefined, e: TableFloorEntry): number | undefined {
  const index = /\/index\/([^/]+)$/.exec(e.resourceId)?.[1];
  const pt = index
    ? t?.GlobalSecondaryIndexes?.find((i) => i.IndexName === index)?.ProvisionedThroughput
    : t?.ProvisionedThroughput;
  const v = e.dimension.endsWith('ReadCapacityUnits') ? pt?.ReadCapacityUnits : pt?.WriteCapacityUnits;
  return typeof v === 'number' && v > 0 ? v : undefined;
}

/** The provisioned units of each entry in `region`, by {@link floorId}; DescribeTable once per table. */
export async function readProvisioned(
  ctx: Pick<StepContext, 'clients'>,
  region: string,
  entries: readonly TableFloorEntry[],
  signal?: AbortSignal,
): Promise<Map<string, number | undefined>> {
  const out = new Map<string, number | undefined>();
  for (const table of new Set(entries.map((e) => e.table))) {
    const d = await ctx.clients
      .dynamodb(region)
      .send(new DescribeTableCommand({ TableName: table }), signal ? { abortSignal: signal } : {});
    for (const e of entries.filter((x) => x.table === table)) out.set(floorId(e), provisionedOf(d.Table, e));
  }
  return out;
}

/**
 * What the source runs now, bounded by {@link SOURCE_READ_DEADLINE_MS}: undefined values and a note
 * when it does not answer (or preflight already found it unreachable: then it is not called).
 */
export async function readSourceCapacity(
  ctx: Pick<StepContext, 'clients' | 'facts'>,
  source: RegionOutputs,
  entries: readonly TableFloorEntry[],
): Promise<{ values: Map<string, number | undefined>; note?: string }> {
  if (ctx.facts?.sourceUnreachable)
    return { values: new Map(), note: `${source.region} unreachable (found by preflight; not called)` };
  // The same copy in the source region (table names are the same in both regions).
  try {
    const values = await withDeadline(
      `DescribeTable in ${source.region}`,
      SOURCE_READ_DEADLINE_MS,
      (signal) => readProvisioned(ctx, source.region, entries, signal),
    );
    return { values };
  } catch (err) {
    return {
      values: new Map(),
      note: `${source.region} not readable (${(err as Error).name}: ${(err as Error).message.split('\n')[0]})`,
    };
  }
}

/** The target's scalable targets (MinCapacity, MaxCapacity) by {@link floorId}. */
export async function readScalableTargets(
  ctx: Pick<StepContext, 'clients'>,
  region: string,
  entries: readonly TableFloorEntry[],
): Promise<Map<string, { min: number; max: number }>> {
  const client = ctx.clients.autoscaling?.(region);
  const out = new Map<string, { min: number; max: number }>();
  if (!client) return out;
  let token: string | undefined;
  do {
    const page = await client.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'dynamodb',
        ResourceIds: [...new Set(entries.map((e) => e.resourceId))],
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const t of page.ScalableTargets ?? []) {
      if (t.ResourceId && t.ScalableDimension && t.MinCapacity !== undefined && t.MaxCapacity !== undefined)
        out.set(`${t.ResourceId}|${t.ScalableDimension}`, { min: t.MinCapacity, max: t.MaxCapacity });
    }
    token = page.NextToken;
  } while (token);
  return out;
}

/**
 * Plans every table floor of the target: the registered maximum bounds it; a scalable target missing
 * from the target region is an error naming it (the stack registers every one the outputs list).
 */
export async function planTableFloors(
  ctx: Pick<StepContext, 'clients' | 'facts'>,
  target: RegionOutputs,
  source: RegionOutputs,
): Promise<{ rows: TableFloorRow[]; sourceNote?: string }> {
  const entries = target.tableCapacity ?? [];
  if (entries.length === 0) return { rows: [] };
  if (!ctx.clients.autoscaling)
    throw new Error(`no Application Auto Scaling client: cannot raise the table floors in ${target.region}`);
  const registered = await readScalableTargets(ctx, target.region, entries);
  const { values, note } = await readSourceCapacity(ctx, source, entries);
  const rows = entries.map((entry): TableFloorRow => {
    const r = registered.get(floorId(entry));
    if (!r)
      throw new Error(
        `no scalable target ${entry.resourceId} ${entry.dimension} (namespace dynamodb) in ${target.region}; ` +
          `expected the one the stack registers (run pulumi up for ${target.region}, or check the outputs)`,
      );
    const src = values.get(floorId(entry));
    return {
      entry,
      current: r.min,
      max: r.max,
      ...(src !== undefined ? { source: src } : {}),
      floor: plannedFloor({ current: r.min, full: entry.fullMinCapacity, max: r.max, source: src }),
    };
  });
  return { rows, ...(note ? { sourceNote: note } : {}) };
}

/** Sets one scalable target's MinCapacity (nothing else changes). */
export async function setTableMin(
  ctx: Pick<StepContext, 'clients'>,
  region: string,
  e: Pick<TableFloorEntry, 'resourceId' | 'dimension'>,
  min: number,
): Promise<void> {
  const client = ctx.clients.autoscaling?.(region);
  if (!client) throw new Error(`no Application Auto Scaling client for ${region}`);
  await client.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: 'dynamodb',
      ResourceId: e.resourceId,
      ScalableDimension: e.dimension as ScalableDimension,
      MinCapacity: min,
    }),
  );
}

/** The AWS CLI command that sets one floor by hand (what a best-effort restore could not do). */
export function cliSetTableMin(
  region: string,
  e: Pick<TableFloorEntry, 'resourceId' | 'dimension'>,
  min: number,
): string {
  return (
    `aws application-autoscaling register-scalable-target --region ${region} --service-namespace dynamodb ` +
    `--resource-id ${e.resourceId} --scalable-dimension ${e.dimension} --min-capacity ${min}`
  );
}
