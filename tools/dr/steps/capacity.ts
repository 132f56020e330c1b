import { RegionOutputs } from '../../../stacks/outputs';
import { regionOf } from '../operation';
import {
  CapacityVerdict,
  capacityVerdict,
  DEFAULT_MIN_CAPACITY_PCT,
  describeCapacity,
} from './capacity-share';
import { recordFloors } from '../control/capacity-record';
import { describeFloor } from './capacity-plan';
import { floorChanges, planScaleUp, raiseTables, waitForTables } from './scale-up-plan';
import { Step, StepContext, waitFor } from './step';
import { restoreFloors, standbyTableTargets } from '../restore-floors';
import { kubectlSetMin } from './kubectl-min';
import { floorName } from './table-floors';

type Deployment = RegionOutputs['workloads']['deployments'][number];

/** Sets one autoscaler's minimum to `want` unless it is there already; returns the change made. */
async function setMinimum(ctx: StepContext, r: RegionOutputs, d: Deployment, want: number) {
  const kube = ctx.clients.kube(r);
  const have = await kube.getAutoscalerMin(r.workloads.namespace, d.autoscaler);
  if (have === want) return undefined;
  await kube.setAutoscalerMin(r.workloads.namespace, d.autoscaler, want);
  return `${d.autoscaler.kind}/${d.autoscaler.name} ${have}->${want}`;
}

/**
 * Step 3. Raises the target's capacity before the fence and the flip, then waits for it:
 * - pods: each autoscaler minimum (HPA `minReplicas`, KEDA `minReplicaCount`) to the larger of its full
 *   minimum and the source's current ready replicas (when the source answers), at most `maxReplicas`
 *   (./capacity-plan.ts, the same function the capacity simulator models);
 * - tables: each DynamoDB scalable target of the target's table copies to its full floor, or the
 *   source's current provisioned capacity when larger (./table-floors.ts, issue 15 finding 26).
 * The floors before the raise are recorded once in the journal (`journal#<runId>` / `capacity`) before
 * the first change, so `dr abort` puts them back even after a timeout. Then it waits until every
 * Deployment has `--min-capacity` percent of its planned minimum ready (default 100: all of it), and
 * every table that share of its planned floor provisioned. Below 100 the step ends as soon as each has
 * its share: the floors stay raised, so Kubernetes and DynamoDB keep scaling after the flip, and the
 * Deployments still below are reported as a warning (issue 16 finding 7). While it waits it prints one
 * progress line per {@link StepTimings.progressMs}.
 */
export const scaleUp: Step = {
  id: 'scale-up',
  title: (op) =>
    `raise ${op.to} autoscaler minimums and table floors (full, or the source's current), wait for readiness`,
  async run(ctx) {
    const r = regionOf(ctx.outputs, ctx.op.to);
    const kube = ctx.clients.kube(r);
    const pct = ctx.minCapacityPct ?? DEFAULT_MIN_CAPACITY_PCT;
    const started = ctx.now().getTime();
    const plan = await planScaleUp(ctx);
    const changes = floorChanges(plan);
    if (changes.length > 0)
      await recordFloors(ctx.control, { runId: ctx.run.runId, region: r.region, changes });
    const raisedTables = await raiseTables(ctx, r.region, plan.tables);
    const changed: string[] = [];
    // plannedFloor never lowers a floor: a retry whose source now runs fewer keeps what the first set.
    for (const p of plan.pods) {
      const c = await setMinimum(ctx, r, p.d, p.floor.want);
      if (c) changed.push(c);
    }
    const wantOf = new Map(plan.pods.map((p) => [p.d.name, p.floor.want]));
    let last: CapacityVerdict | undefined;
    const read = async () => {
      const readings = await Promise.all(
        r.workloads.deployments.map(async (d) => ({
          name: d.name,
          ready: (await kube.getDeployment(r.workloads.namespace, d.name)).ready,
          full: wantOf.get(d.name) ?? d.autoscaler.fullMinReplicas,
        })),
      );
      last = capacityVerdict(readings, pct);
      return last.met ? last : undefined;
    };
    const share = pct < 100 ? `${pct} % of full capacity` : 'full capacity';
    const v = await waitFor(ctx, {
      timeoutMs: ctx.timings.readinessTimeoutMs,
      pollMs: ctx.timings.pollMs,
      progressMs: ctx.timings.progressMs,
      check: read,
      waiting: () =>
        last ? `${describeCapacity(last, pct)} in ${r.region}` : `no reading yet in ${r.region}`,
      timeoutMessage: () =>
        `workloads in ${r.region} not ready at ${share} within ${ctx.timings.readinessTimeoutMs / 1000} s` +
        (last ? `: ${describeCapacity(last, pct)}` : ''),
    });
    const tables = await waitForTables(ctx, r.region, plan.tables, pct, started);
    const ready = v.rows.map((x) => `${x.name} ${x.ready}/${x.full}`).join(', ');
    const patched = changed.length ? `patched ${changed.join(', ')}` : 'minimums already full';
    const fromSource = plan.pods.filter((p) => p.floor.from !== 'full');
    const sourceNote = [
      fromSource.length
        ? `above full from ${ctx.op.from}'s ready replicas: ${fromSource.map((p) => `${p.d.name} ${describeFloor(p.floor, p.source)}`).join(', ')}`
        : undefined,
      plan.sourceNote ? `source not read: ${plan.sourceNote}` : undefined,
    ].filter((x) => x !== undefined);
    const tableDetail =
      plan.tables.length === 0
        ? undefined
        : `table floors ${raisedTables.length ? `raised ${raisedTables.join(', ')}` : 'already raised'}; provisioned ${tables.map((t) => `${floorName(t.entry)} ${t.provisioned ?? '?'}/${t.floor.want}`).join(', ')}`;
    const warning =
      v.belowFull.length > 0
        ? `flipping at --min-capacity ${pct} %: ${v.belowFull.map((x) => `${x.name} ${x.ready}/${x.full}`).join(', ')} ` +
          `ready in ${r.region}, still scaling to full (minimums are at full; watch \`kubectl --context ${r.cluster.kubeContext} -n ${r.workloads.namespace} get deploy\`)`
        : undefined;
    return {
      detail:
        [`${patched}`, ...(tableDetail ? [tableDetail] : []), ...sourceNote].join('; ') +
        `; ready ${ready}${warning ? `; WARNING: ${warning}` : ''}`,
      data: {
        patched: changed,
        minCapacityPct: pct,
        readyPods: v.readyPods,
        fullPods: v.fullPods,
        belowFull: v.belowFull.map((x) => ({ deployment: x.name, ready: x.ready, full: x.full })),
        floors: changes,
        ...(plan.sourceNote ? { sourceNotRead: plan.sourceNote } : {}),
      },
      ...(warning ? { warning } : {}),
    };
  },
  async preview(ctx) {
    const plan = await planScaleUp(ctx);
    const lines = plan.pods.map(
      (p) =>
        `${p.d.autoscaler.kind}/${p.d.autoscaler.name}: minimum ${p.current} -> ${describeFloor(p.floor, p.source)}${p.current >= p.floor.want ? ' (no change)' : ''}`,
    );
    for (const t of plan.tables)
      lines.push(
        `${floorName(t.entry)} (${t.entry.resourceId} ${t.entry.dimension}): MinCapacity ${t.current} -> ${describeFloor(t.floor, t.source)}${t.current >= t.floor.want ? ' (no change)' : ''}`,
      );
    if (plan.sourceNote) lines.push(`source not read (${plan.sourceNote}): full floors only`);
    return lines;
  },
};

/**
 * Failback only, last step (after notify and unlock: issue 16 finding 6). Restores the warm-standby
 * minimums in the region that becomes standby (the old DR region), after traffic has left it.
 *
 * Best-effort: that region may be the impaired one. Its minimums left at full capacity cost money,
 * not safety, so a failure here does not fail the run: the step stops at the first call that fails
 * (the API server is then likely down for the rest too) and returns a warning listing the
 * `kubectl` commands for the autoscalers not restored; the next `pulumi up` of that region's stack
 * restores them as well (the config gives them their standby minimums).
 */
export const restoreStandby: Step = {
  id: 'standby',
  title: (op) => `restore standby minimums and table floors in ${op.from} (best-effort)`,
  async run(ctx) {
    const r = regionOf(ctx.outputs, ctx.op.from);
    const pods = await restorePods(ctx, r);
    // The table floors go through Application Auto Scaling, not the API server: tried either way.
    const tables = await restoreFloors(ctx, r.region, standbyTableTargets(ctx.outputs, r.region));
    const tableWarning = tables.failed
      ? `standby table floors not restored in ${r.region} (${tables.failed.error}): they may still be at full ` +
        `(cost, not safety); run: ${tables.failed.commands.join(' ; ')} (the next pulumi up of ` +
        `${ctx.outputs.environment}-${r.region} restores them too)`
      : undefined;
    const warning = [pods.warning, tableWarning].filter((x) => x !== undefined).join('; ') || undefined;
    const podDetail = pods.changed.length ? `patched ${pods.changed.join(', ')}` : undefined;
    const tableDetail = tables.restored.length ? `table floors ${tables.restored.join(', ')}` : undefined;
    const done = [podDetail, tableDetail].filter((x) => x !== undefined).join('; ');
    return {
      detail: warning
        ? `${done ? `${done}; ` : ''}WARNING: ${warning}`
        : done || 'minimums already at standby',
      ...(warning ? { warning } : {}),
      data: {
        patched: pods.changed,
        restored: !pods.warning,
        ...(pods.notRestored ? { notRestored: pods.notRestored } : {}),
        tableFloors: tables.restored,
        tablesRestored: !tables.failed,
      },
    };
  },
};

/** The standby minimums back, stopping at the first failure (the API server is then likely down). */
async function restorePods(ctx: StepContext, r: RegionOutputs) {
  const changed: string[] = [];
  const deployments = r.workloads.deployments;
  for (const [i, d] of deployments.entries()) {
    try {
      const c = await setMinimum(ctx, r, d, d.autoscaler.standbyMinReplicas);
      if (c) changed.push(c);
    } catch (err) {
      const left = deployments.slice(i);
      const warning =
        `standby minimums not restored in ${r.region} (${(err as Error).name}: ${(err as Error).message.split('\n')[0]}): ` +
        `${left.map((x) => `${x.autoscaler.kind}/${x.autoscaler.name}`).join(', ')} may still be at full capacity ` +
        `(cost, not safety); when its API server answers, run: ${left.map((x) => kubectlSetMin(r, x, x.autoscaler.standbyMinReplicas)).join(' ; ')} ` +
        `(the next pulumi up of ${ctx.outputs.environment}-${r.region} restores them too)`;
      return { changed, warning, notRestored: left.map((x) => x.autoscaler.name) };
    }
  }
  return { changed };
}

export { kubectlSetMin } from './kubectl-min';
