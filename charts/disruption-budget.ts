import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import { selectorLabels } from './labels';

/** The share of the autoscaler minimum that voluntary disruptions may take down at once. */
export const DISRUPTION_FRACTION = 0.1;

/**
 * How many pods of a workload voluntary disruptions (drains, node consolidation) may take down at
 * once: 10% of the autoscaler minimum, at least 1.
 *
 * Expressed as `maxUnavailable` (not `minAvailable`) so that it holds at every replica count:
 * - at the minimum, the budget requires `min - k` pods, fewer than the minimum, so a drain always
 *   proceeds (with min = 1 in DR standby: 0 required, the single pod can move);
 * - scaled out, a drain still never takes more than `k` pods at once, where `minAvailable = min - 1`
 *   would let a drain evict almost everything above the minimum during a spike.
 * `unhealthyPodEvictionPolicy: AlwaysAllow` keeps a crash-looping pod from blocking drains.
 */
export function maxUnavailableFor(minReplicas: number): number {
  return Math.max(1, Math.floor(minReplicas * DISRUPTION_FRACTION));
}

/** The pods the budget requires while the workload runs at its autoscaler minimum. */
export function requiredAtMinimum(minReplicas: number): number {
  return Math.max(0, minReplicas - maxUnavailableFor(minReplicas));
}

export interface WorkloadDisruptionBudgetProps {
  readonly workload: string;
  readonly namespace: string;
  readonly minReplicas: number;
}

/** A policy/v1 PodDisruptionBudget for one workload (cdk8s-plus-28 has no L2 for it). */
export class WorkloadDisruptionBudget extends Construct {
  public readonly maxUnavailable: number;

  constructor(scope: Construct, id: string, props: WorkloadDisruptionBudgetProps) {
    super(scope, id);
    this.maxUnavailable = maxUnavailableFor(props.minReplicas);
    new kplus.k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: { name: props.workload, namespace: props.namespace },
      spec: {
        maxUnavailable: kplus.k8s.IntOrString.fromNumber(this.maxUnavailable),
        selector: { matchLabels: selectorLabels(props.workload) },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }
}
