/**
 * Per workload (or table) bookkeeping of a run: shortfall episodes, breach seconds, units above
 * capacity, peak pods, pod-seconds above need and the chart samples.
 * - An episode starts at the first short step and ends at the first step that is not short.
 * - Time to capacity is the longest episode; in a failover, an episode open when traffic arrives is
 *   measured from the arrival, and its end is when the region recovered (`recoveredAt`).
 */
export interface Sample {
  readonly t: number;
  readonly demand: number;
  readonly capacity: number;
  readonly pods: number;
  readonly nodes: number;
}

export interface Outcome {
  readonly name: string;
  readonly kind: 'workload' | 'table';
  /** Longest shortfall (from traffic arrival in a failover); a shortfall still open at the end counts to the end. */
  readonly timeToCapacitySeconds: number;
  readonly breachSeconds: number;
  /** Units (requests, records, messages, capacity units) offered above capacity. */
  readonly unitsAboveCapacity: number;
  /** When capacity first met demand after arrival (failover), seconds from t=0. */
  readonly recoveredAt: number;
  readonly recovered: boolean;
  readonly peakPods: number;
  readonly podSecondsAboveNeed: number;
  readonly samples: Sample[];
}

export class Tracker {
  breach = 0;
  above = 0;
  longest = 0;
  start?: number;
  recoveredAt?: number;
  peakPods = 0;
  podSecondsAboveNeed = 0;
  readonly samples: Sample[] = [];
  step(t: number, dt: number, short: boolean, aboveUnits: number, arrival: number | undefined): void {
    this.above += aboveUnits;
    if (short) {
      this.breach += dt;
      this.start ??= t;
    } else if (this.start !== undefined) {
      this.close(t, arrival);
    } else if (arrival !== undefined && t >= arrival) this.recoveredAt ??= t;
  }
  close(t: number, arrival: number | undefined): void {
    if (this.start === undefined) return;
    const from = arrival !== undefined && this.start <= arrival ? arrival : this.start;
    this.longest = Math.max(this.longest, t - from);
    if (arrival !== undefined && this.start <= arrival + 1e-9) this.recoveredAt ??= t;
    this.start = undefined;
  }
  outcome(name: string, kind: Outcome['kind'], end: number, arrival: number | undefined): Outcome {
    const open = this.start !== undefined;
    this.close(end, arrival);
    return {
      name,
      kind,
      timeToCapacitySeconds: this.longest,
      breachSeconds: this.breach,
      unitsAboveCapacity: Math.round(this.above),
      recoveredAt: this.recoveredAt ?? end,
      recovered: !open,
      peakPods: this.peakPods,
      podSecondsAboveNeed: this.podSecondsAboveNeed,
      samples: this.samples,
    };
  }
}
