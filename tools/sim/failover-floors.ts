/**
 * The floors the DR runbook's scale-up sets in a failover trace (issue 12, issue 15 finding 26). It
 * calls the runbook's own pure function, {@link plannedFloor} (tools/dr/steps/capacity-plan.ts), with
 * what the plan says and what the source region runs at the moment of the loss, so the modelled RTO is
 * the RTO of the runbook as written:
 * - pods: current = the DR standby minimum, full = `fullMinReplicas`, max = `maxReplicas`, source = the
 *   source's replicas at the trace's demand at t=0 (the autoscaler's steady state there, which is what
 *   `kubectl get deploy` shows as ready replicas);
 * - tables: current = the DR copy's standby `MinCapacity`, full = the home copy's `MinCapacity`,
 *   max = the DR copy's `MaxCapacity`, source = the home copy's provisioned capacity under target
 *   tracking at that demand (what `DescribeTable` shows).
 */
import { PlannedFloor, plannedFloor } from '../dr/steps/capacity-plan';
import type { Assumptions } from './assumptions';
import type { TableDemand, WorkloadDemand } from './engine';
import { steadyReplicas } from './steady-state';
import { newTable } from './tables';
import type { RegionPlan } from './types';

export interface SimFloor {
  /** `scoring-api`, or `prod-features:read`. */
  readonly key: string;
  readonly kind: 'pods' | 'table';
  readonly current: number;
  readonly source: number;
  readonly floor: PlannedFloor;
}

export interface FailoverFloors {
  /** The planned minimum per DR workload. */
  readonly pods: Readonly<Record<string, number>>;
  /** The planned `MinCapacity` per `<table>:<dimension>` of the DR region. */
  readonly tables: Readonly<Record<string, number>>;
  readonly rows: readonly SimFloor[];
}

/** The runbook's planned floors for a failover from `home` to `dr` at the loads' demand at t=0. */
export function failoverFloors(
  home: RegionPlan,
  dr: RegionPlan,
  loads: readonly WorkloadDemand[],
  tableLoads: readonly TableDemand[],
  a: Assumptions,
): FailoverFloors {
  const rows: SimFloor[] = [];
  const pods: Record<string, number> = {};
  for (const w of dr.workloads) {
    const load = loads.find((l) => l.workload === w.workload);
    const src = home.workloads.find((x) => x.workload === w.workload);
    const source =
      load && src
        ? steadyReplicas(src, load.perPod, Math.max(0, load.demand(0)), home.shardCount ?? Infinity, a)
        : undefined;
    const floor = plannedFloor({
      current: w.minReplicas,
      full: w.fullMinReplicas,
      max: w.maxReplicas,
      ...(source !== undefined ? { source } : {}),
    });
    pods[w.workload] = floor.want;
    rows.push({ key: w.workload, kind: 'pods', current: w.minReplicas, source: source ?? 0, floor });
  }
  const tables: Record<string, number> = {};
  for (const t of dr.tables) {
    const h = home.tables.find((x) => x.table === t.table && x.dimension === t.dimension);
    if (!h || t.dimension !== 'read') continue; // the DR replica registers its reads only
    const load = tableLoads.find((l) => l.table === t.table && l.dimension === t.dimension);
    const source = newTable(h, load ? Math.max(0, load.demand(0)) : 0).provisioned;
    const floor = plannedFloor({ current: t.minCapacity, full: h.minCapacity, max: t.maxCapacity, source });
    const key = `${t.table}:${t.dimension}`;
    tables[key] = floor.want;
    rows.push({ key, kind: 'table', current: t.minCapacity, source, floor });
  }
  return { pods, tables, rows };
}
