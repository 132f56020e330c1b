import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';
import { selectorLabels } from './labels';

/** The share of a workload's pods that voluntary disruptions may take down at once. */
export const DISRUPTION_FRACTION = 0.1;

/** The budget itself: `maxUnavailable` as a percentage of the pods running now. */
export const MAX_UNAVAILABLE = `${Math.round(DISRUPTION_FRACTION * 100)}%`;

/**
 * How many pods of a workload voluntary disruptions (drains, node-group updates, scale-down) may take
 * down at once, at `replicas` pods: {@link MAX_UNAVAILABLE}, which the disruption controller rounds
 * up, so at least 1.
 *
 * A percentage, not a count: a fixed `maxUnavailable: 1` stays 1 while a Deployment scales to 150
 * pods, and a node-group update that drains a third of the nodes at once then evicts one pod per
 * replacement cycle, past EKS's 15-minute eviction window per node (PodEvictionFailure). As
 * `maxUnavailable` (not `minAvailable`) it holds at every replica count:
 * - at the minimum, the budget requires fewer pods than the minimum, so a drain always proceeds
 *   (with min = 1 in DR standby: 0 required, the single pod can move);
 * - scaled out, a drain still never takes more than 10% at once.
 * `unhealthyPodEvictionPolicy: AlwaysAllow` keeps a crash-looping pod from blocking drains.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/#rounding-logic-when-specifying-percentages
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html
 */
export function maxUnavailableFor(replicas: number): number {
  return Math.max(1, Math.ceil(replicas * DISRUPTION_FRACTION));
}

/** The pods the budget requires while the workload runs at its autoscaler minimum. */
export function requiredAtMinimum(minReplicas: number): number {
  return Math.max(0, minReplicas - maxUnavailableFor(minReplicas));
}

/** EKS gives up draining a node of a managed node group after this long (PodEvictionFailure). */
export const EKS_EVICTION_WINDOW_MINUTES = 15;

/**
 * Minutes to evict a workload's pods from the nodes a node-group update drains at once, at `replicas`
 * pods spread evenly: `ceil(replicas x nodeShare / budget)` rounds of evictions, each waiting
 * `cycleSeconds` for the replacements to become Ready (which frees the budget again).
 */
export function drainMinutes(replicas: number, nodeShare: number, cycleSeconds: number): number {
  const evicted = Math.ceil(replicas * nodeShare);
  return (Math.ceil(evicted / maxUnavailableFor(replicas)) * cycleSeconds) / 60;
}

export interface WorkloadDisruptionBudgetProps {
  readonly workload: string;
  readonly namespace: string;
  readonly minReplicas: number;
}

/** A policy/v1 PodDisruptionBudget for one workload (cdk8s-plus-28 has no L2 for it). */
export class WorkloadDisruptionBudget extends Construct {
  /** Pods the budget lets go at once at the autoscaler minimum. */
  public readonly maxUnavailable: number;

  constructor(scope: Construct, id: string, props: WorkloadDisruptionBudgetProps) {
    super(scope, id);
    this.maxUnavailable = maxUnavailableFor(props.minReplicas);
    new kplus.k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: { name: props.workload, namespace: props.namespace },
      spec: {
        maxUnavailable: kplus.k8s.IntOrString.fromString(MAX_UNAVAILABLE),
        selector: { matchLabels: selectorLabels(props.workload) },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }
}
