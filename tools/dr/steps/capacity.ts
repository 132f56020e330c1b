import { RegionOutputs } from '../../../stacks/outputs';
import { regionOf } from '../operation';
import { Step, StepContext, waitFor } from './step';

type Level = 'full' | 'standby';

/** Sets every autoscaler minimum of a region to its full or standby value; patches only what differs. */
async function setMinimums(ctx: StepContext, r: RegionOutputs, level: Level): Promise<string[]> {
  const kube = ctx.clients.kube(r);
  const ns = r.workloads.namespace;
  const changed: string[] = [];
  for (const d of r.workloads.deployments) {
    const want = level === 'full' ? d.autoscaler.fullMinReplicas : d.autoscaler.standbyMinReplicas;
    const have = await kube.getAutoscalerMin(ns, d.autoscaler);
    if (have !== want) {
      await kube.setAutoscalerMin(ns, d.autoscaler, want);
      changed.push(`${d.autoscaler.kind}/${d.autoscaler.name} ${have}->${want}`);
    }
  }
  return changed;
}

/**
 * Step 4. Raises the target's autoscaler minimums to full capacity (HPA `minReplicas`, KEDA
 * `minReplicaCount`) and waits until every Deployment has that many ready replicas.
 */
export const scaleUp: Step = {
  id: 'scale-up',
  title: (op) => `raise ${op.to} autoscaler minimums to full capacity, wait for readiness`,
  async run(ctx) {
    const r = regionOf(ctx.outputs, ctx.op.to);
    const kube = ctx.clients.kube(r);
    const changed = await setMinimums(ctx, r, 'full');
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

/**
 * Failback only. Restores the warm-standby minimums in the region that becomes standby (the old
 * DR region), after traffic has left it.
 */
export const restoreStandby: Step = {
  id: 'standby',
  title: (op) => `restore standby minimums in ${op.from}`,
  async run(ctx) {
    const r = regionOf(ctx.outputs, ctx.op.from);
    const changed = await setMinimums(ctx, r, 'standby');
    return {
      detail: changed.length ? `patched ${changed.join(', ')}` : 'minimums already at standby',
      data: { patched: changed },
    };
  },
};
