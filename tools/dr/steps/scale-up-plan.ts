import { RegionOutputs } from '../../../stacks/outputs';
import { withDeadline } from '../deadline';
import { regionOf } from '../operation';
import { PlannedFloor, plannedFloor } from './capacity-plan';
import { requiredReady } from './capacity-share';
import { FloorChange } from '../control/capacity-record';
import { StepContext, waitFor } from './step';
import {
  cliSetTableMin,
  floorId,
  floorName,
  planTableFloors,
  readProvisioned,
  setTableMin,
  SOURCE_READ_DEADLINE_MS,
  TableFloorRow,
} from './table-floors';

type Deployment = RegionOutputs['workloads']['deployments'][number];

/** One Deployment of the target, planned. */
export interface PodFloorRow {
  readonly d: Deployment;
  /** Its autoscaler's minimum now. */
  readonly current: number;
  /** The source's ready replicas of the same Deployment; undefined when unread. */
  readonly source?: number;
  readonly floor: PlannedFloor;
}

export interface ScaleUpPlan {
  readonly pods: readonly PodFloorRow[];
  readonly tables: readonly TableFloorRow[];
  /** Why the source was not read (its current values then do not count), if it was not. */
  readonly sourceNote?: string;
}

/** The source's ready replicas per Deployment, bounded; a note instead when it does not answer. */
async function sourceReplicas(
  ctx: Pick<StepContext, 'clients' | 'facts'>,
  source: RegionOutputs,
): Promise<{ values: Map<string, number>; note?: string }> {
  if (ctx.facts?.sourceUnreachable)
    return { values: new Map(), note: `${source.region} unreachable (found by preflight; not called)` };
  try {
    const kube = ctx.clients.kube(source);
    const values = await withDeadline(
      `Deployments in ${source.region}`,
      SOURCE_READ_DEADLINE_MS,
      async () => {
        const out = new Map<string, number>();
        for (const d of source.workloads.deployments)
          out.set(d.name, (await kube.getDeployment(source.workloads.namespace, d.name)).ready);
        return out;
      },
    );
    return { values };
  } catch (err) {
    return {
      values: new Map(),
      note: `${source.region} not readable (${(err as Error).name}: ${(err as Error).message.split('\n')[0]})`,
    };
  }
}

/**
 * Reads what the scale-up needs (the target's minimums and scalable targets, the source's ready
 * replicas and provisioned capacity) and plans every floor with {@link plannedFloor}. Read-only: the
 * dry run prints it.
 */
export async function planScaleUp(
  ctx: Pick<StepContext, 'clients' | 'facts' | 'outputs' | 'op'>,
): Promise<ScaleUpPlan> {
  const r = regionOf(ctx.outputs, ctx.op.to);
  const src = regionOf(ctx.outputs, ctx.op.from);
  const kube = ctx.clients.kube(r);
  const replicas = await sourceReplicas(ctx, src);
  const pods: PodFloorRow[] = [];
  for (const d of r.workloads.deployments) {
    const current = await kube.getAutoscalerMin(r.workloads.namespace, d.autoscaler);
    const source = replicas.values.get(d.name);
    pods.push({
      d,
      current,
      ...(source !== undefined ? { source } : {}),
      floor: plannedFloor({
        current,
        full: d.autoscaler.fullMinReplicas,
        max: d.autoscaler.maxReplicas,
        source,
      }),
    });
  }
  // Preflight's finding (or the pods' read) tells the tables' read whether to call the source at all.
  const facts =
    replicas.note && !ctx.facts?.sourceUnreachable ? { sourceUnreachable: replicas.note } : ctx.facts;
  const tables = await planTableFloors({ clients: ctx.clients, facts }, r, src);
  const note = replicas.note ?? tables.sourceNote;
  return { pods, tables: tables.rows, ...(note ? { sourceNote: note } : {}) };
}

/** The floors a plan raises (what `dr abort` and the journal record need), pods first. */
export function floorChanges(plan: ScaleUpPlan): FloorChange[] {
  return [
    ...plan.pods
      .filter((p) => p.current < p.floor.want)
      .map((p) => ({
        kind: 'autoscaler' as const,
        id: `${p.d.autoscaler.kind}/${p.d.autoscaler.name}`,
        previous: p.current,
        set: p.floor.want,
      })),
    ...plan.tables
      .filter((t) => t.current < t.floor.want)
      .map((t) => ({ kind: 'table' as const, id: floorId(t.entry), previous: t.current, set: t.floor.want })),
  ];
}

/** A RegisterScalableTarget that failed, naming the table copy (the run fails at scale-up: exit 1). */
export class TableFloorError extends Error {
  constructor(region: string, t: TableFloorRow, cause: unknown) {
    const why = `${(cause as Error).name}: ${(cause as Error).message.split('\n')[0]}`;
    super(
      `could not raise the floor of ${floorName(t.entry)} (${t.entry.resourceId} ${t.entry.dimension}) in ${region} ` +
        `from ${t.current} to ${t.floor.want}: RegisterScalableTarget failed (${why}); nothing is fenced or flipped. ` +
        `Retry the same command (it resumes), or run \`dr abort\` to put back the floors already raised; by hand: ` +
        cliSetTableMin(region, t.entry, t.floor.want),
      { cause },
    );
    this.name = 'TableFloorError';
  }
}

/** Raises each table floor the plan raises; returns `name from->to` per change. */
export async function raiseTables(
  ctx: Pick<StepContext, 'clients'>,
  region: string,
  rows: readonly TableFloorRow[],
): Promise<string[]> {
  const raised: string[] = [];
  for (const t of rows.filter((x) => x.current < x.floor.want)) {
    try {
      await setTableMin(ctx, region, t.entry, t.floor.want);
    } catch (err) {
      throw new TableFloorError(region, t, err);
    }
    raised.push(`${floorName(t.entry)} ${t.current}->${t.floor.want}`);
  }
  return raised;
}

/** A table row with what the target has provisioned now. */
export type TableReading = TableFloorRow & { readonly provisioned?: number };

/**
 * Waits until each raised table has `pct` percent of its planned floor provisioned in `region` (what
 * Application Auto Scaling's UpdateTable sets), within what is left of the readiness timeout since
 * `startedMs`. One progress line per interval.
 */
export async function waitForTables(
  ctx: StepContext,
  region: string,
  rows: readonly TableFloorRow[],
  pct: number,
  startedMs: number,
): Promise<TableReading[]> {
  if (rows.length === 0) return [];
  let last: TableReading[] = rows.map((r) => ({ ...r }));
  const describe = () =>
    last.map((t) => `${floorName(t.entry)} ${t.provisioned ?? '?'}/${t.floor.want}`).join(', ');
  const left = Math.max(0, ctx.timings.readinessTimeoutMs - (ctx.now().getTime() - startedMs));
  return waitFor(ctx, {
    timeoutMs: left,
    pollMs: ctx.timings.pollMs,
    progressMs: ctx.timings.progressMs,
    check: async () => {
      const p = await readProvisioned(
        ctx,
        region,
        rows.map((r) => r.entry),
      );
      last = rows.map((r) => ({ ...r, provisioned: p.get(floorId(r.entry)) }));
      return last.every((t) => (t.provisioned ?? 0) >= requiredReady(t.floor.want, pct)) ? last : undefined;
    },
    waiting: () => `table capacity provisioned ${describe()} in ${region}`,
    timeoutMessage: () =>
      `table capacity in ${region} not provisioned at ${pct < 100 ? `${pct} % of ` : ''}the raised floors within ` +
      `${ctx.timings.readinessTimeoutMs / 1000} s: ${describe()}`,
  });
}
