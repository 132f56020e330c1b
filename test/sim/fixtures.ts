import { DEFAULT_BEHAVIOR } from '../../tools/sim/hpa';
import type { RegionPlan, WorkloadPlan } from '../../tools/sim/types';

/** A small region: one KEDA-scaled API (cpu + datadog) on three zone groups of c7i.2xlarge. */
export function smallRegion(over: Partial<WorkloadPlan> = {}, nodes = { min: 1, max: 4 }): RegionPlan {
  const api: WorkloadPlan = {
    workload: 'scoring-api',
    region: 'test-1',
    autoscaler: 'ScaledObject',
    minReplicas: 4,
    maxReplicas: 40,
    fullMinReplicas: 4,
    pollingIntervalSeconds: 15,
    behavior: DEFAULT_BEHAVIOR,
    triggers: [
      { type: 'cpu', utilizationPercent: 60 },
      { type: 'datadog', metricType: 'AverageValue', target: 266.667, activation: 0 },
    ],
    cpuRequestMillis: 1000,
    cpuLimitMillis: 2000,
    memoryRequestMiB: 1024,
    readinessPeriodSeconds: 5,
    ...over,
  };
  return {
    region: 'test-1',
    active: true,
    workloads: [api],
    fixed: [],
    nodeGroups: ['a', 'b', 'c'].map((z) => ({
      name: `g-${z}`,
      zone: z,
      instanceType: 'c7i.2xlarge',
      vcpu: 8,
      memoryMiB: 16384,
      minSize: nodes.min,
      maxSize: nodes.max,
      desiredSize: nodes.min,
    })),
    tables: [],
  };
}
