/**
 * The Horizontal Pod Autoscaler's algorithm, as pure functions.
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior
 * Semantics follow the controller (pkg/controller/podautoscaler/horizontal.go, replica_calculator.go):
 * - ratio = current / desired metric value; within the tolerance (0.1) nothing changes;
 * - a resource metric (CPU) averages the ready pods; when it would scale up and pods are not yet
 *   ready, those count as 0 % (dampening the scale-up), and a ratio that then reverses or falls within
 *   tolerance means no change;
 * - an External AverageValue metric gives `ceil(total / target)` (unless within tolerance);
 * - several metrics: the largest proposal wins;
 * - below `minReplicas` the HPA sets the minimum at once, without rate limits;
 * - stabilization: scaling up takes the lowest, scaling down the highest recommendation of its window;
 * - policies limit the change per period from the replica count at the period's start; `Max` picks the
 *   policy allowing the largest change, `Min` the smallest, `Disabled` none.
 */
import type { HpaBehavior, HpaRules } from './types';

/** `--horizontal-pod-autoscaler-tolerance` default. */
export const HPA_TOLERANCE = 0.1;
/** `--horizontal-pod-autoscaler-sync-period` default (kube-controller-manager), seconds. */
export const HPA_SYNC_SECONDS = 15;

/** The default `behavior` (autoscaling/v2) for whatever a spec leaves out. */
export const DEFAULT_BEHAVIOR: HpaBehavior = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Percent', value: 100, periodSeconds: 15 },
      { type: 'Pods', value: 4, periodSeconds: 15 },
    ],
  },
  scaleDown: {
    stabilizationWindowSeconds: 300,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  },
};

/** `desiredReplicas = ceil(currentReplicas * currentMetricValue / desiredMetricValue)`, or current within tolerance. */
export function replicasForRatio(
  current: number,
  currentValue: number,
  desiredValue: number,
  tolerance = HPA_TOLERANCE,
): number {
  const ratio = currentValue / desiredValue;
  if (Math.abs(ratio - 1) <= tolerance) return current;
  return Math.ceil(ratio * current);
}

/**
 * A Resource `Utilization` metric. `readyUtilization` is the average utilization (percent of the
 * request) of the ready pods; not-ready pods have no usable sample.
 */
export function replicasForUtilization(
  ready: number,
  notReady: number,
  readyUtilization: number,
  targetUtilization: number,
  tolerance = HPA_TOLERANCE,
): number {
  const current = ready + notReady;
  if (ready === 0) return current;
  const ratio = readyUtilization / targetUtilization;
  if (Math.abs(ratio - 1) <= tolerance) return current;
  if (ratio > 1 && notReady > 0) {
    const rebalanced = (readyUtilization * ready) / (targetUtilization * current);
    if (rebalanced <= 1 || Math.abs(rebalanced - 1) <= tolerance) return current;
    return Math.ceil(rebalanced * current);
  }
  return Math.ceil(ratio * ready);
}

/** An External (or Object) metric with an `AverageValue` target: `ceil(total / target)`, or current within tolerance. */
export function replicasForAverageValue(
  current: number,
  total: number,
  targetPerPod: number,
  tolerance = HPA_TOLERANCE,
): number {
  if (current > 0 && Math.abs(total / (targetPerPod * current) - 1) <= tolerance) return current;
  return Math.ceil(total / targetPerPod);
}

/** A scale event the rate limits remember: `delta` replicas at second `t`. */
export interface ScaleEvent {
  readonly t: number;
  readonly delta: number;
}

/** What the HPA remembers between syncs. */
export interface HpaState {
  readonly replicas: number;
  /** Recommendations of past syncs (for the stabilization windows). */
  readonly recommendations: readonly { readonly t: number; readonly replicas: number }[];
  readonly events: readonly ScaleEvent[];
}

export function initialHpaState(replicas: number): HpaState {
  return { replicas, recommendations: [], events: [] };
}

function changedIn(events: readonly ScaleEvent[], now: number, period: number, up: boolean): number {
  return events
    .filter((e) => e.t > now - period && (up ? e.delta > 0 : e.delta < 0))
    .reduce((a, e) => a + Math.abs(e.delta), 0);
}

/** The most replicas the scale-up policies allow now. */
export function scaleUpLimit(
  current: number,
  events: readonly ScaleEvent[],
  now: number,
  rules: HpaRules,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = rules.policies.map((p) => {
    const start = current - changedIn(events, now, p.periodSeconds, true);
    return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
  });
  if (proposals.length === 0) return current;
  const limit = rules.selectPolicy === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
  return Math.max(limit, current);
}

/** The fewest replicas the scale-down policies allow now. */
export function scaleDownLimit(
  current: number,
  events: readonly ScaleEvent[],
  now: number,
  rules: HpaRules,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = rules.policies.map((p) => {
    const start = current + changedIn(events, now, p.periodSeconds, false);
    return p.type === 'Pods' ? start - p.value : Math.floor(start * (1 - p.value / 100));
  });
  if (proposals.length === 0) return current;
  const limit = rules.selectPolicy === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
  return Math.min(limit, current);
}

/**
 * One HPA sync at second `now`: the metric proposal (largest over metrics) through stabilization,
 * rate limits and the bounds. Returns the new state; `replicas` is the scale to set.
 */
export function hpaSync(
  state: HpaState,
  now: number,
  proposal: number,
  bounds: { readonly min: number; readonly max: number },
  behavior: HpaBehavior,
): HpaState {
  const current = state.replicas;
  const keep = Math.max(
    behavior.scaleUp.stabilizationWindowSeconds,
    behavior.scaleDown.stabilizationWindowSeconds,
  );
  const recommendations = [
    ...state.recommendations.filter((r) => r.t > now - keep),
    { t: now, replicas: proposal },
  ];
  const longest = Math.max(
    ...[behavior.scaleUp, behavior.scaleDown].flatMap((r) => r.policies.map((p) => p.periodSeconds)),
    0,
  );
  const events = state.events.filter((e) => e.t > now - longest);
  let desired: number;
  if (current < bounds.min) desired = bounds.min;
  else if (current > bounds.max) desired = bounds.max;
  else {
    const inWindow = (w: number) =>
      recommendations.filter((r) => r.t > now - w || r.t === now).map((r) => r.replicas);
    const upRec = Math.min(...inWindow(behavior.scaleUp.stabilizationWindowSeconds));
    const downRec = Math.max(...inWindow(behavior.scaleDown.stabilizationWindowSeconds));
    let stabilized = current;
    if (stabilized < upRec) stabilized = upRec;
    if (stabilized > downRec) stabilized = downRec;
    if (stabilized > current) {
      desired = Math.min(stabilized, scaleUpLimit(current, events, now, behavior.scaleUp), bounds.max);
    } else if (stabilized < current) {
      desired = Math.max(stabilized, scaleDownLimit(current, events, now, behavior.scaleDown), bounds.min);
    } else desired = current;
  }
  const delta = desired - current;
  return {
    replicas: desired,
    recommendations,
    events: delta === 0 ? events : [...events, { t: now, delta }],
  };
}
