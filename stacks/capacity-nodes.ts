/**
 * The capacity model's node sizing: how many nodes a region's pods need, per region and per zone
 * (re-exported by ./capacity.ts, which uses it in `capacityPlan`).
 */
import { InvalidArgumentError } from './errors';

/** Kubernetes allocatable share of a node reserved for the kubelet, system pods and DaemonSets. */
export const DEFAULT_NODE_RESERVED_FRACTION = 0.1;

/** Throws an {@link InvalidArgumentError} naming `field` unless `value` is a finite number > 0. */
export function requirePositive(field: string, value: number): void {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new InvalidArgumentError(`'${field}' (${String(value)}) must be a finite number greater than 0`);
  }
}

/** Resource requests of one kind of pod and how many of them to place. */
export interface PodDemand {
  /** CPU request of one pod, millicores. */
  readonly cpuMillis: number;
  /** Memory request of one pod, MiB. */
  readonly memoryMiB: number;
  /** Number of pods. */
  readonly count: number;
}

/** The allocatable size of one node. */
export interface NodeShape {
  readonly vcpu: number;
  readonly memoryGiB: number;
}

/** Options of {@link nodeCount}. */
export interface NodeCountOptions {
  /** Share of each node kept for the kubelet, system pods and DaemonSets. @default 0.1 */
  readonly reservedFraction?: number;
  /** Round up to a multiple of this (spread evenly over the AZs). @default 3 */
  readonly zones?: number;
}

/**
 * Nodes needed to place the pods: per pod kind, `ceil(count / podsPerNode)` where `podsPerNode` is how
 * many fit in the node's unreserved CPU and memory; summed (no cross-kind packing, so fragmentation
 * never makes it short), at least one per zone, rounded up to a multiple of the zone count.
 * Throws when a pod does not fit on an empty node.
 */
export function nodeCount(pods: readonly PodDemand[], node: NodeShape, opts: NodeCountOptions = {}): number {
  const reserved = opts.reservedFraction ?? DEFAULT_NODE_RESERVED_FRACTION;
  const zones = opts.zones ?? 3;
  if (!(reserved >= 0 && reserved < 1))
    throw new InvalidArgumentError(`'reservedFraction' (${reserved}) must be in [0, 1)`);
  if (!Number.isInteger(zones) || zones < 1)
    throw new InvalidArgumentError(`'zones' (${zones}) must be an integer >= 1`);
  requirePositive('node.vcpu', node.vcpu);
  requirePositive('node.memoryGiB', node.memoryGiB);
  const cpu = node.vcpu * 1000 * (1 - reserved);
  const mem = node.memoryGiB * 1024 * (1 - reserved);
  let nodes = 0;
  pods.forEach((p, i) => {
    requirePositive(`pods[${i}].cpuMillis`, p.cpuMillis);
    requirePositive(`pods[${i}].memoryMiB`, p.memoryMiB);
    if (p.count === 0) return;
    const perNode = Math.floor(Math.min(cpu / p.cpuMillis, mem / p.memoryMiB));
    if (perNode < 1) {
      throw new InvalidArgumentError(
        `'pods[${i}]' (${p.cpuMillis}m CPU, ${p.memoryMiB}Mi) must fit on one node (${Math.floor(cpu)}m CPU, ${Math.floor(mem)}Mi allocatable)`,
      );
    }
    nodes += Math.ceil(p.count / perNode);
  });
  return Math.max(zones, Math.ceil(nodes / zones) * zones);
}

/** A workload's pod requests and its replica bounds in one region. */
export interface WorkloadPods {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** Node group size for a region: nodes for everyone's minimum and for everyone's maximum. */
export function nodeGroupSize(
  workloads: readonly WorkloadPods[],
  node: NodeShape,
  opts: NodeCountOptions = {},
): { minSize: number; maxSize: number; desiredSize: number } {
  const at = (n: (w: WorkloadPods) => number) =>
    nodeCount(
      workloads.map((w) => ({ cpuMillis: w.cpuMillis, memoryMiB: w.memoryMiB, count: n(w) })),
      node,
      opts,
    );
  const minSize = at((w) => w.minReplicas);
  return {
    minSize,
    desiredSize: minSize,
    maxSize: Math.max(
      minSize,
      at((w) => w.maxReplicas),
    ),
  };
}

/**
 * One zone's share of a region's node group size, for one managed node group per zone: every bound
 * divided by the zones and rounded up (the zones together hold at least the region's size), the
 * minimum at least `minPerZone`.
 *
 * @param minPerZone the smallest minimum of a zone's group. @default 1 (a node in every zone, so
 *   zone-spread pods always have somewhere to go)
 */
export function perZoneScaling(
  size: { readonly minSize: number; readonly desiredSize: number; readonly maxSize: number },
  zones: number,
  minPerZone = 1,
): { minSize: number; desiredSize: number; maxSize: number } {
  if (!Number.isInteger(zones) || zones < 1)
    throw new InvalidArgumentError(`'zones' (${zones}) must be an integer greater than or equal to 1`);
  const share = (n: number) => Math.ceil(n / zones);
  const minSize = Math.max(minPerZone, share(size.minSize));
  const maxSize = Math.max(minSize, share(size.maxSize));
  return { minSize, desiredSize: Math.min(maxSize, Math.max(minSize, share(size.desiredSize))), maxSize };
}
