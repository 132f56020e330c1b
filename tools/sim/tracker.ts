/**
 * Per workload (or table) bookkeeping of a run: shortfall episodes, breach seconds, units above
 * capacity, peak pods, pod-seconds above need and the chart samples.
 * - An episode starts at the first short step and ends where capacity last caught up, once capacity
 *   has then met demand for `SETTLE_SECONDS`: a spike that capacity meets for one step mid-ramp and
 *   then outgrows again is one episode, not two short ones (otherwise more headroom could report a
 *   longer "time to capacity", because it merges two short episodes into one a little longer than
 *   either; found by the headroom property in test/sim/engine.test.ts, counterexample kept there).
 * - Time to capacity is the longest episode; in a failover, an episode open when traffic arrives is
 *   measured from the arrival, and its end is when the region recovered (`recoveredAt`).
 */

/**
 * How long capacity must meet demand before a shortfall counts as over: four HPA syncs (15 s each,
 * kube-controller-manager's `--horizontal-pod-autoscaler-sync-period` default), so that a capacity
 * met between two syncs while demand still climbs is not taken for recovery.
 */
export const SETTLE_SECONDS = 60;
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
  /** The end of the last short step of the open episode. */
  lastShortEnd?: number;
  recoveredAt?: number;
  peakPods = 0;
  podSecondsAboveNeed = 0;
  readonly samples: Sample[] = [];
  step(t: number, dt: number, short: boolean, aboveUnits: number, arrival: number | undefined): void {
    this.above += aboveUnits;
    if (short) {
      this.breach += dt;
      this.start ??= t;
      this.lastShortEnd = t + dt;
    } else if (this.start !== undefined) {
      if (t + dt - (this.lastShortEnd ?? t) >= SETTLE_SECONDS) this.close(arrival);
    } else if (arrival !== undefined && t >= arrival) this.recoveredAt ??= t;
  }
  /** Closes the open episode at the end of its last short step. */
  close(arrival: number | undefined): void {
    if (this.start === undefined || this.lastShortEnd === undefined) return;
    const end = this.lastShortEnd;
    const from = arrival !== undefined && this.start <= arrival ? arrival : this.start;
    this.longest = Math.max(this.longest, end - from);
    if (arrival !== undefined && this.start <= arrival + 1e-9) this.recoveredAt ??= end;
    this.start = undefined;
    this.lastShortEnd = undefined;
  }
  outcome(name: string, kind: Outcome['kind'], end: number, arrival: number | undefined): Outcome {
    // Short at the last step: the shortfall lasts to the end of the trace, unrecovered.
    const open = this.start !== undefined && this.lastShortEnd === end;
    this.close(arrival);
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
