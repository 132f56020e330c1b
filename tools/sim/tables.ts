/**
 * DynamoDB provisioned capacity under target tracking (Application Auto Scaling).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
 * - Consumed capacity is published per minute. Scale-out triggers when consumption is above the
 *   target utilization for two consecutive minutes; after the alarm delay UpdateTable sets
 *   `consumed / target` (at most the maximum), which applies after the update time. Requests above
 *   the provisioned capacity are throttled meanwhile, and throttled requests are not consumed, so a
 *   saturated table grows by at most `1 / target` per cycle (burst capacity is ignored: conservative).
 * - Scale-in: 15 consecutive minutes below the target minus 20 points (not needed for breaches).
 * - A raised minimum (the DR runbook's read floor) is applied like an UpdateTable.
 */
import { ceilUnits } from '../../stacks/capacity';
import type { TableScalingPlan } from './types';

export interface TableState {
  readonly plan: TableScalingPlan;
  min: number;
  provisioned: number;
  /** Consecutive minutes above target. */
  high: number;
  /** Consecutive minutes below target - 20. */
  low: number;
  /** A pending update: the capacity and when it applies. */
  pending?: { readonly units: number; readonly at: number };
  /** Units consumed in the current minute. */
  minuteUnits: number;
  /** Unused capacity retained for bursts (units), at most 300 s of the provisioned rate. */
  burst: number;
}

export function newTable(plan: TableScalingPlan, demandAtStart: number): TableState {
  const start = Math.min(
    plan.maxCapacity,
    Math.max(plan.minCapacity, ceilUnits(demandAtStart / (plan.targetPercent / 100))),
  );
  return {
    plan,
    min: plan.minCapacity,
    provisioned: start,
    high: 0,
    low: 0,
    minuteUnits: 0,
    burst: 300 * start,
  };
}

/**
 * Raises the minimum (RegisterScalableTarget, or a scheduled action); the table follows after the
 * update time. An update already in flight is not replaced: a table takes one `UpdateTable` at a time
 * (UPDATING until it is done), so that one lands when it was due and the raise follows it (see
 * {@link tableStep}). Replacing it pushed capacity already on its way back by an update time: an
 * announced window opening during a reactive scale-up made the time to capacity longer.
 */
export function raiseMinimum(t: TableState, min: number, now: number, updateSeconds: number): void {
  t.min = Math.max(t.min, min);
  if (t.provisioned < t.min && !t.pending) t.pending = { units: t.min, at: now + updateSeconds };
}

/**
 * Advances one step of `dt` seconds at `now` with `demand` units/s and returns the units/s served
 * (the rest is throttled); at each whole minute it closes the datapoint and runs the alarm logic.
 * With `burst`, up to 300 s of unused capacity can serve demand above the provisioned rate.
 */
export function tableStep(
  t: TableState,
  now: number,
  dt: number,
  demand: number,
  timing: { readonly alarmDelaySeconds: number; readonly updateSeconds: number; readonly burst?: boolean },
): number {
  if (t.pending && now >= t.pending.at) {
    t.provisioned = t.pending.units;
    // A minimum raised while this update was in flight is the next update (raiseMinimum).
    t.pending = t.provisioned < t.min ? { units: t.min, at: t.pending.at + timing.updateSeconds } : undefined;
  }
  let served = Math.min(demand, t.provisioned);
  if (timing.burst) {
    const extra = Math.min(demand - served, t.burst / dt);
    served += extra;
    t.burst = Math.min(
      300 * t.provisioned,
      t.burst - extra * dt + (t.provisioned - Math.min(demand, t.provisioned)) * dt,
    );
  }
  t.minuteUnits += served * dt;
  if ((now + dt) % 60 !== 0) return served;
  const consumed = t.minuteUnits / 60;
  t.minuteUnits = 0;
  const target = t.plan.targetPercent / 100;
  const utilization = consumed / t.provisioned;
  t.high = utilization > target ? t.high + 1 : 0;
  t.low = utilization < target - 0.2 ? t.low + 1 : 0;
  if (t.pending) return served;
  if (t.high >= 2) {
    const units = Math.min(t.plan.maxCapacity, ceilUnits(consumed / target));
    if (units > t.provisioned)
      t.pending = { units, at: now + dt + timing.alarmDelaySeconds + timing.updateSeconds };
    t.high = 0;
  } else if (t.low >= 15) {
    const units = Math.max(t.min, ceilUnits(consumed / target));
    if (units < t.provisioned)
      t.pending = { units, at: now + dt + timing.alarmDelaySeconds + timing.updateSeconds };
    t.low = 0;
  }
  return served;
}
