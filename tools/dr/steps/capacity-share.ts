/**
 * The share of full capacity the target must reach before the flip (`--min-capacity <pct>`, issue 16
 * finding 7). Pure maths, no I/O.
 *
 * Scale-up always raises every autoscaler minimum to its full value and Kubernetes keeps scaling
 * toward it; `--min-capacity` only says how much of it must be READY before the fence and the flip.
 * A DR capacity shortage (pods pending on nodes that do not come) then no longer blocks a failover
 * for the whole readiness timeout. AWS's ARC Region switch offers the same trade in its EKS resource
 * scaling block: an ungraceful execution proceeds once `minimumSuccessPercentage` of the target
 * capacity is reached.
 *
 * @see https://docs.aws.amazon.com/arc-region-switch/latest/api/API_EksResourceScalingUngraceful.html
 */

/** `--min-capacity` when not given: every Deployment at its full minimum (the behaviour before). */
export const DEFAULT_MIN_CAPACITY_PCT = 100;

/** What one Deployment of the target has, and what it must reach. */
export interface CapacityReading {
  readonly name: string;
  readonly ready: number;
  /** Its full minimum (`fullMinReplicas`). */
  readonly full: number;
}

export interface CapacityVerdict {
  /** Every Deployment has at least its required share ready. */
  readonly met: boolean;
  readonly readyPods: number;
  readonly fullPods: number;
  /** Per Deployment, in order: ready, full and required. */
  readonly rows: readonly (CapacityReading & { readonly required: number })[];
  /** Deployments below their full minimum (reported after a flip below 100 %; still scaling). */
  readonly belowFull: readonly CapacityReading[];
}

/**
 * Ready replicas a Deployment with `full` as its full minimum needs at `pct` percent: the ceiling of
 * `full × pct / 100` in integer arithmetic (never a fraction of a pod short, never 0 unless `full`
 * is 0).
 */
export function requiredReady(full: number, pct: number): number {
  return Math.floor((full * pct + 99) / 100);
}

/** Judges readings against `pct`: each Deployment on its own (a share of the total would let one starve). */
export function capacityVerdict(readings: readonly CapacityReading[], pct: number): CapacityVerdict {
  const rows = readings.map((r) => ({ ...r, required: requiredReady(r.full, pct) }));
  return {
    met: rows.every((r) => r.ready >= r.required),
    readyPods: readings.reduce((n, r) => n + Math.min(r.ready, r.full), 0),
    fullPods: readings.reduce((n, r) => n + r.full, 0),
    rows,
    belowFull: readings.filter((r) => r.ready < r.full),
  };
}

/** `5/20 pods ready (scoring-api 2/15 need 9, stream-scorer 3/5 need 3)` for progress lines. */
export function describeCapacity(v: CapacityVerdict, pct: number): string {
  const rows = v.rows
    .map((r) => `${r.name} ${r.ready}/${r.full}${pct < 100 ? ` need ${r.required}` : ''}`)
    .join(', ');
  return `${v.readyPods}/${v.fullPods} pods ready (${rows})`;
}

/** Parses `--min-capacity`: an integer from 1 to 100, else undefined. */
export function parseMinCapacity(value: string): number | undefined {
  if (!/^\d{1,3}$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return n >= 1 && n <= 100 ? n : undefined;
}
