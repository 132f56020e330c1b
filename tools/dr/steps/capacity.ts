import { RegionOutputs } from '../../../stacks/outputs';
import { regionOf } from '../operation';
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
 * `minReplicaCount`) and waits until every Deployment has that many ready replicas.
 */
export const scaleUp: Step = {
  id: 'scale-up',
  title: (op) => `raise ${op.to} autoscaler minimums to full capacity, wait for readiness`,
  async run(ctx) {
    const r = regionOf(ctx.outputs, ctx.op.to);
    const kube = ctx.clients.kube(r);
    const changed = await setFullMinimums(ctx, r);
    const ready = await waitFor(
      ctx,
      ctx.timings.readinessTimeoutMs,
      ctx.timings.pollMs,
      async () => {
        const states = await Promise.all(
          r.workloads.deployments.map(async (d) => ({
            d,
            s: await kube.getDeployment(r.workloads.namespace, d.name),
          })),
        );
        return states.every(({ d, s }) => s.ready >= d.autoscaler.fullMinReplicas)
          ? states.map(({ d, s }) => `${d.name} ${s.ready}/${d.autoscaler.fullMinReplicas}`)
          : undefined;
      },
      () =>
        `workloads in ${r.region} not ready at full capacity within ${ctx.timings.readinessTimeoutMs / 1000} s`,
    );
    return {
      detail: `${changed.length ? `patched ${changed.join(', ')}` : 'minimums already full'}; ready ${ready.join(', ')}`,
      data: { patched: changed },
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
