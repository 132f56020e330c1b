/**
 * The replicas an autoscaler holds at a constant demand: the fixed point of its proposal with every
 * pod Ready (the state a trace starts from).
 */
import type { Assumptions } from './assumptions';
import { kedaProposal, Observation } from './keda';
import type { WorkloadPlan } from './types';

export function steadyReplicas(
  plan: WorkloadPlan,
  perPod: number,
  demand: number,
  shards: number,
  a: Assumptions,
): number {
  const cw = plan.triggers.find((t) => t.type === 'aws-cloudwatch');
  let r = plan.minReplicas;
  for (let i = 0; i < 20; i++) {
    const obs: Observation = {
      replicas: r,
      readyPods: r,
      notReadyPods: 0,
      readyCpuPercent: r > 0 ? Math.min(100, (demand / r / perPod) * a.cpuPercentAtPodThroughput) : 0,
      datadogRate: demand,
      cloudwatchValue:
        cw?.type === 'aws-cloudwatch' && cw.stat === 'Sum' ? demand * cw.periodSeconds : demand,
      queueVisible: 0,
      queueInFlight: Math.min(r * a.sqsInFlightPerPod, demand),
      shardCount: Math.min(shards, 1e9),
    };
    const next = Math.min(plan.maxReplicas, Math.max(plan.minReplicas, kedaProposal(plan.triggers, obs)));
    if (next === r) break;
    r = next;
  }
  return r;
}
