import { RegionOutputs } from '../../../stacks/outputs';
import { regionOf } from '../operation';
import {
  CapacityVerdict,
  capacityVerdict,
  DEFAULT_MIN_CAPACITY_PCT,
  describeCapacity,
} from './capacity-share';
import { Step, StepContext, waitFor } from './step';

type Deployment = RegionOutputs['workloads']['deployments'][number];

/** Sets one autoscaler's minimum to `want` unless it is there already; returns the change made. */
async function setMinimum(ctx: StepContext, r: RegionOutputs, d: Deployment, want: number) {
  const kube = ctx.clients.kube(r);
  const have = await kube.getAutoscalerMin(r.workloads.namespace, d.autoscaler);
  if (have === want) return undefined;
  await kube.setAutoscalerMin(r.workloads.namespace, d.autoscaler, want);
  return `${d.autoscaler.kind}/${d.autoscaler.name} ${have}->${want}`;
}

/** Sets every autoscaler minimum of a region to its full value; patches only what differs. */
async function setFullMinimums(ctx: StepContext, r: RegionOutputs): Promise<string[]> {
  const changed: string[] = [];
  for (const d of r.workloads.deployments) {
    const c = await setMinimum(ctx, r, d, d.autoscaler.fullMinReplicas);
    if (c) changed.push(c);
  }
  return changed;
}

/**
 * Step 3. Raises the target's autoscaler minimums to full capacity (HPA `minReplicas`, KEDA
 * `minReplicaCount`) and waits until every Deployment has `--min-capacity` percent of that ready
 * (default 100: all of it). Below 100 the step ends as soon as each Deployment has its share: the
 * minimums stay at full, so Kubernetes keeps scaling after the flip, and the Deployments still below
 * full are reported as a warning (issue 16 finding 7). While it waits it prints one `x/y pods ready`
 * line per {@link StepTimings.progressMs}.
 */
export const scaleUp: Step = {
  id: 'scale-up',
  title: (op) => `raise ${op.to} autoscaler minimums to full capacity, wait for readiness`,
  async run(ctx) {
    const r = regionOf(ctx.outputs, ctx.op.to);
    const kube = ctx.clients.kube(r);
    const pct = ctx.minCapacityPct ?? DEFAULT_MIN_CAPACITY_PCT;
    const changed = await setFullMinimums(ctx, r);
    let last: CapacityVerdict | undefined;
    const read = async () => {
      const readings = await Promise.all(
        r.workloads.deployments.map(async (d) => ({
          name: d.name,
          ready: (await kube.getDeployment(r.workloads.namespace, d.name)).ready,
          full: d.autoscaler.fullMinReplicas,
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
    const ready = v.rows.map((x) => `${x.name} ${x.ready}/${x.full}`).join(', ');
    const patched = changed.length ? `patched ${changed.join(', ')}` : 'minimums already full';
    const warning =
      v.belowFull.length > 0
        ? `flipping at --min-capacity ${pct} %: ${v.belowFull.map((x) => `${x.name} ${x.ready}/${x.full}`).join(', ')} ` +
          `ready in ${r.region}, still scaling to full (minimums are at full; watch \`kubectl --context ${r.cluster.kubeContext} -n ${r.workloads.namespace} get deploy\`)`
        : undefined;
    return {
      detail: `${patched}; ready ${ready}${warning ? `; WARNING: ${warning}` : ''}`,
      data: {
        patched: changed,
        minCapacityPct: pct,
        readyPods: v.readyPods,
        fullPods: v.fullPods,
        belowFull: v.belowFull.map((x) => ({ deployment: x.name, ready: x.ready, full: x.full })),
      },
      ...(warning ? { warning } : {}),
    };
  },
};

/** The `kubectl` command that sets one autoscaler's minimum by hand (what `standby` could not do). */
export function kubectlSetMin(r: RegionOutputs, d: Deployment, min: number): string {
  const [resource, field] =
    d.autoscaler.kind === 'HorizontalPodAutoscaler'
      ? ['hpa', 'minReplicas']
      : ['scaledobject', 'minReplicaCount'];
  return (
    `kubectl --context ${r.cluster.kubeContext} -n ${r.workloads.namespace} patch ${resource} ${d.autoscaler.name} ` +
    `--type merge -p '${JSON.stringify({ spec: { [field]: min } })}'`
  );
}

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
  title: (op) => `restore standby minimums in ${op.from} (best-effort)`,
  async run(ctx) {
    const r = regionOf(ctx.outputs, ctx.op.from);
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
        return {
          detail: `${changed.length ? `patched ${changed.join(', ')}; ` : ''}WARNING: ${warning}`,
          warning,
          data: { patched: changed, restored: false, notRestored: left.map((x) => x.autoscaler.name) },
        };
      }
    }
    return {
      detail: changed.length ? `patched ${changed.join(', ')}` : 'minimums already at standby',
      data: { patched: changed, restored: true },
    };
  },
};
