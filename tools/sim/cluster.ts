/**
 * Nodes, scheduling and the cluster autoscaler, in one region.
 * - The scheduler places a pending pod on the Ready node with the most free CPU that fits its
 *   requests (a spread-like choice); a pod on a node without the workload's image pulls it first.
 * - cluster-autoscaler, every scan: pending pods that fit no Ready node trigger a scale-up; it first
 *   counts the room on nodes still launching, then adds nodes, balancing the zone groups
 *   (`balance-similar-node-groups`: the smallest group first), never above a group's `maxSize`.
 *   @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md#how-does-scale-up-work
 * - Scale-down is not modelled (it waits 10 min of unneeded nodes after a scale-up, longer than the
 *   breaches this tool is about); peak nodes are what matters here.
 */
import { allocatable } from './instances';
import type { NodeGroupPlan } from './types';

export interface SimNode {
  readonly group: number;
  readonly readyAt: number;
  cpuFree: number;
  memFree: number;
  readonly images: Set<string>;
}

export interface SimPod {
  readonly workload: string;
  readonly cpu: number;
  readonly mem: number;
  readonly createdAt: number;
  node?: SimNode;
  readyAt?: number;
}

export interface Cluster {
  readonly groups: readonly NodeGroupPlan[];
  readonly nodes: SimNode[];
}

/**
 * The nodes up at t=0: each group's desired size (plus spare nodes). They have run the estate's pods
 * before, so they hold every workload's image (`images`); only nodes launched during a run pull.
 */
export function newCluster(
  groups: readonly NodeGroupPlan[],
  extraNodesPerGroup = 0,
  images: readonly string[] = [],
): Cluster {
  const nodes: SimNode[] = [];
  groups.forEach((g, i) => {
    const n = Math.min(g.maxSize, Math.max(g.desiredSize, g.minSize) + extraNodesPerGroup);
    for (let k = 0; k < n; k++) {
      const node = newNode(g, i, Number.NEGATIVE_INFINITY);
      images.forEach((w) => node.images.add(w));
      nodes.push(node);
    }
  });
  return { groups, nodes };
}

function newNode(g: NodeGroupPlan, group: number, readyAt: number): SimNode {
  const a = allocatable(g);
  return { group, readyAt, cpuFree: a.cpuMillis, memFree: a.memoryMiB, images: new Set() };
}

const fits = (n: SimNode, p: SimPod) => n.cpuFree >= p.cpu && n.memFree >= p.mem;

/**
 * Places pending pods on Ready nodes at second `now`; a placed pod is ready after its start time
 * (plus the image pull on a node new to the workload), rounded up to the next readiness probe.
 * `warm` pods (the steady state at t=0) are ready at once.
 */
export function schedule(
  c: Cluster,
  pods: readonly SimPod[],
  now: number,
  timing: {
    readonly startSeconds: number;
    readonly pullSeconds: number;
    readonly probeSeconds: (w: string) => number;
  },
  warm = false,
): void {
  for (const p of pods) {
    if (p.node) continue;
    let best: SimNode | undefined;
    for (const n of c.nodes) {
      if (n.readyAt <= now && fits(n, p) && (!best || n.cpuFree > best.cpuFree)) best = n;
    }
    if (!best) continue;
    best.cpuFree -= p.cpu;
    best.memFree -= p.mem;
    p.node = best;
    if (warm) {
      best.images.add(p.workload);
      p.readyAt = now;
      continue;
    }
    const pull = best.images.has(p.workload) ? 0 : timing.pullSeconds;
    best.images.add(p.workload);
    const probe = Math.max(1, timing.probeSeconds(p.workload));
    p.readyAt = now + Math.ceil((timing.startSeconds + pull) / probe) * probe;
  }
}

/** Frees a removed pod's requests on its node. */
export function release(p: SimPod): void {
  if (!p.node) return;
  p.node.cpuFree += p.cpu;
  p.node.memFree += p.mem;
  p.node = undefined;
}

/** One cluster-autoscaler scan at `now`: adds nodes for pending pods; returns how many. */
export function autoscale(
  c: Cluster,
  pending: readonly SimPod[],
  now: number,
  launchSeconds: number,
): number {
  if (pending.length === 0) return 0;
  // Room on nodes still launching, as CA counts upcoming nodes.
  const room = c.nodes
    .filter((n) => n.readyAt > now)
    .map((n) => ({ cpu: n.cpuFree, mem: n.memFree, group: n.group }));
  const unplaced: SimPod[] = [];
  for (const p of pending) {
    const r = room.find((x) => x.cpu >= p.cpu && x.mem >= p.mem);
    if (r) {
      r.cpu -= p.cpu;
      r.mem -= p.mem;
    } else unplaced.push(p);
  }
  let added = 0;
  while (unplaced.length > 0) {
    const sizes = c.groups.map((_, i) => c.nodes.filter((n) => n.group === i).length);
    const open = c.groups.map((_, i) => i).filter((i) => sizes[i] < c.groups[i].maxSize);
    if (open.length === 0) break;
    const gi = open.reduce((a, b) => (sizes[b] < sizes[a] ? b : a));
    const node = newNode(c.groups[gi], gi, now + launchSeconds);
    c.nodes.push(node);
    added++;
    let cpu = node.cpuFree;
    let mem = node.memFree;
    for (let i = 0; i < unplaced.length;) {
      if (unplaced[i].cpu <= cpu && unplaced[i].mem <= mem) {
        cpu -= unplaced[i].cpu;
        mem -= unplaced[i].mem;
        unplaced.splice(i, 1);
      } else i++;
    }
    if (cpu === node.cpuFree) {
      // A pod larger than a whole node: CA cannot help (it would not add this node either).
      c.nodes.pop();
      added--;
      break;
    }
  }
  return added;
}
