/**
 * Runs a trace against a plan: the active region for `load` traces, the standby region through the
 * runbook and the traffic stages for `failover` traces; then judges the budgets.
 */
import type { PriceTable } from '../cost/prices';
import { Assumptions, DEFAULT_ASSUMPTIONS } from './assumptions';
import { RegionOutcome, simulateRegion, TableDemand, WorkloadDemand } from './engine';
import { failoverFloors, SimFloor } from './failover-floors';
import type { SimModel } from './model';
import { Trace, valueAt } from './trace';
import type { Outcome } from './tracker';
import type { RegionPlan, SimPlan, TrafficPlan } from './types';

export interface RtoStage {
  readonly stage: string;
  readonly seconds: number;
}

export interface WorkloadResult {
  readonly workload: string;
  readonly region: string;
  readonly timeToCapacitySeconds: number;
  readonly breachSeconds: number;
  readonly peakPods: number;
  readonly peakNodes: number;
  readonly unitsAboveCapacity: number;
  readonly recovered: boolean;
  readonly podHoursAboveNeed: number;
  readonly overProvisionUsd: number;
}

export interface TraceResult {
  readonly trace: string;
  readonly kind: Trace['kind'];
  readonly verdict: 'pass' | 'fail';
  readonly rtoSeconds?: number;
  readonly rtoStages?: RtoStage[];
  /** Failover traces: the floors the runbook's scale-up plans (./failover-floors.ts). */
  readonly runbookFloors?: readonly SimFloor[];
  readonly workloads: WorkloadResult[];
  readonly tables: WorkloadResult[];
  readonly findings: string[];
  /** The trace's budget: `advisory` traces never fail the command (their verdict is still reported). */
  readonly budget: 'budgeted' | 'advisory';
  readonly advisoryReason?: string;
  /** An announced launch: its window, when it opens, and the plan's pre-scale objects found for it. */
  readonly prescale?: {
    readonly window: string;
    readonly opensAtSeconds: number;
    readonly workloads: string[];
    readonly tables: string[];
  };
  readonly outcome: RegionOutcome;
}

export interface RunOptions {
  readonly assumptions?: Assumptions;
  /** Overrides the trace's step (tests use 5 s). */
  readonly dt?: 1 | 5;
  readonly extraNodesPerGroup?: number;
  readonly prices?: PriceTable;
}

/** Seconds from the runbook's flip until clients resolve the DR region. */
export function trafficStages(traffic: TrafficPlan | undefined, a: Assumptions): RtoStage[] {
  const health =
    !traffic || traffic.healthCheckType === 'RECOVERY_CONTROL'
      ? {
          stage: 'health check follows the routing control (RECOVERY_CONTROL)',
          seconds: a.recoveryControlPropagationSeconds,
        }
      : {
          stage: `health check (${traffic.requestIntervalSeconds} s x ${traffic.failureThreshold})`,
          seconds: (traffic.requestIntervalSeconds ?? 30) * (traffic.failureThreshold ?? 3),
        };
  return [
    { stage: 'ARC fence and flip', seconds: a.arcUpdateSeconds },
    health,
    { stage: 'DNS TTL of the failover record', seconds: traffic?.ttlSeconds ?? 60 },
  ];
}

function pricePerPodHour(region: RegionPlan, cpuMillis: number, prices: PriceTable | undefined): number {
  const g = region.nodeGroups[0];
  const price = g && prices?.prices[`ec2.instance-hour.${g.instanceType}`]?.regions[region.region];
  if (!g || price === undefined) return 0;
  return price * (cpuMillis / (g.vcpu * 1000 * 0.9));
}

/** Simulates one trace and judges it against the model's budgets. */
export function simulateTrace(
  plan: SimPlan,
  model: SimModel,
  trace: Trace,
  opts: RunOptions = {},
): TraceResult {
  const a = opts.assumptions ?? DEFAULT_ASSUMPTIONS;
  const failover = trace.kind === 'failover';
  const region = failover
    ? (plan.regions.find((r) => !r.active) ?? plan.regions[plan.regions.length - 1])
    : plan.regions[0];
  const home = plan.regions[0];
  const scale = (s: keyof SimModel['peaks']) => (trace.unit === 'peak' ? model.peaks[s] : 1);
  const signal = (s: keyof SimModel['peaks']) => {
    const series = trace.signals[s];
    return series ? (t: number) => valueAt(series, t) * scale(s) : () => 0;
  };
  const loads: WorkloadDemand[] = model.workloads.map((w) => ({
    workload: w.workload,
    perPod: w.perPod,
    mode: w.mode,
    demand: signal(w.signal),
  }));
  const tables: TableDemand[] = model.tables.flatMap((t) => {
    const planned = region.tables.find((x) => x.table.endsWith(`-${t.table}`) && x.dimension === t.dimension);
    const f = signal(t.signal);
    return planned
      ? [{ table: planned.table, dimension: t.dimension, demand: (s: number) => f(s) * t.unitsPer }]
      : [];
  });
  const stages = trafficStages(plan.traffic, a);
  const trafficSeconds = stages.reduce((x, s) => x + s.seconds, 0);
  // The runbook's own plan of the floors (tools/dr/steps/capacity-plan.ts), not a re-derivation.
  const floors = failover ? failoverFloors(home, region, loads, tables, a) : undefined;
  const outcome = simulateRegion(region, loads, tables, {
    duration: trace.durationSeconds,
    dt: opts.dt ?? trace.stepSeconds ?? 1,
    assumptions: a,
    extraNodesPerGroup: opts.extraNodesPerGroup,
    failover: floors ? { trafficSeconds, tableMinimums: floors.tables, podMinimums: floors.pods } : undefined,
    prescale: trace.prescale
      ? { window: trace.prescale.window, opensAt: trace.prescale.opensAtSeconds }
      : undefined,
  });
  const result = (o: Outcome): WorkloadResult => {
    const w = region.workloads.find((x) => x.workload === o.name);
    const podHours = o.podSecondsAboveNeed / 3600;
    return {
      workload: o.name,
      region: region.region,
      timeToCapacitySeconds: o.timeToCapacitySeconds,
      breachSeconds: o.breachSeconds,
      peakPods: o.peakPods,
      peakNodes: o.kind === 'workload' ? outcome.peakNodes : 0,
      unitsAboveCapacity: o.unitsAboveCapacity,
      recovered: o.recovered,
      podHoursAboveNeed: Math.round(podHours * 10) / 10,
      overProvisionUsd: w
        ? Math.round(podHours * pricePerPodHour(region, w.cpuRequestMillis, opts.prices) * 100) / 100
        : 0,
    };
  };
  const workloads = outcome.outcomes.filter((o) => o.kind === 'workload').map(result);
  const tableResults = outcome.outcomes.filter((o) => o.kind === 'table').map(result);
  let rtoStages: RtoStage[] | undefined;
  let rtoSeconds: number | undefined;
  if (failover) {
    const recovered = Math.max(outcome.arrivalAt, ...outcome.outcomes.map((o) => o.recoveredAt));
    const binding = outcome.outcomes.reduce(
      (x, o) => (o.recoveredAt > x.recoveredAt ? o : x),
      outcome.outcomes[0],
    );
    rtoStages = [
      {
        stage: "runbook scale-up: to the planned floors (full, or the source's current), Ready",
        seconds: outcome.arrivalAt - trafficSeconds,
      },
      ...stages,
      {
        stage: `autoscaling to the demand (${recovered > outcome.arrivalAt ? binding.name : 'none needed'})`,
        seconds: recovered - outcome.arrivalAt,
      },
    ];
    rtoSeconds = rtoStages.reduce((x, s) => x + s.seconds, 0);
  }
  const findings: string[] = [];
  const b = model.budgets;
  for (const w of [...workloads, ...tableResults]) {
    if (w.timeToCapacitySeconds > b.timeToCapacitySeconds)
      findings.push(
        `${w.region} ${w.workload}: time to capacity ${w.timeToCapacitySeconds} s > budget ${b.timeToCapacitySeconds} s${w.recovered ? '' : ' (never recovered within the trace)'}`,
      );
    if (w.breachSeconds > b.breachSeconds)
      findings.push(
        `${w.region} ${w.workload}: ${w.breachSeconds} s above capacity > budget ${b.breachSeconds} s`,
      );
  }
  if (failover && !outcome.arrived)
    findings.push(
      `${region.region}: the runbook never saw every workload Ready at its planned minimum (and every raised table floor provisioned) within ${trace.durationSeconds} s`,
    );
  else if (failover && outcome.arrivalAt + 60 > trace.durationSeconds)
    findings.push(
      `${trace.name}: traffic arrives at ${outcome.arrivalAt} s, too close to the trace's end (${trace.durationSeconds} s): lengthen durationSeconds`,
    );
  if (rtoSeconds !== undefined && rtoSeconds > b.rtoSeconds)
    findings.push(`modelled RTO ${rtoSeconds} s > dr.rtoSeconds ${b.rtoSeconds} s`);
  return {
    trace: trace.name,
    kind: trace.kind,
    verdict: findings.length > 0 ? 'fail' : 'pass',
    rtoSeconds,
    rtoStages,
    ...(floors ? { runbookFloors: floors.rows } : {}),
    workloads,
    tables: tableResults,
    findings,
    budget: trace.budget ?? 'budgeted',
    ...(trace.advisoryReason ? { advisoryReason: trace.advisoryReason } : {}),
    ...(trace.prescale
      ? {
          prescale: {
            window: trace.prescale.window,
            opensAtSeconds: trace.prescale.opensAtSeconds,
            workloads: outcome.prescaled?.workloads ?? [],
            tables: outcome.prescaled?.tables ?? [],
          },
        }
      : {}),
    outcome,
  };
}
