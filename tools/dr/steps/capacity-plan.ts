/**
 * The capacity a failover's scale-up raises the target to, per Deployment and per table dimension
 * (issue 12 build 5, issue 15 finding 26). Pure maths, no I/O: the runbook (./capacity.ts,
 * ./table-floors.ts) and the capacity simulator (tools/sim/run.ts) both call it, so the simulator's
 * failover trace models exactly what the runbook does.
 *
 * The floor is the larger of the target's full floor (the active-region minimum: `fullMinReplicas`, the
 * home table's `MinCapacity`) and what the source region runs right now (its ready replicas, its
 * provisioned capacity), never above the target's maximum. The full floor alone is the capacity of a
 * quiet hour; the source's current value is the capacity of this hour, which the target must carry the
 * moment traffic moves. When the source cannot be read (the disaster case) the full floor is all there is.
 */

/** What the plan knows of one scalable thing of the target, and what the source runs now. */
export interface FloorInput {
  /** The full (active-region) floor. */
  readonly full: number;
  /** The target's maximum (HPA/ScaledObject `maxReplicas`, the scalable target's `MaxCapacity`). */
  readonly max: number;
  /** What the source runs now (ready replicas, provisioned units); undefined when unreadable. */
  readonly source?: number;
}

/** Where a planned floor comes from. */
export type FloorSource = 'full' | 'source' | 'max';

export interface PlannedFloor {
  /** The floor to set: `max(full, min(source, max))`, and never above `max`. */
  readonly want: number;
  /** `full`: the full floor; `source`: the source's current value; `max`: the source's, capped at the maximum. */
  readonly from: FloorSource;
}

/** The floor to raise one target thing to (see the module comment). */
export function plannedFloor(input: FloorInput): PlannedFloor {
  const full = Math.min(input.full, input.max);
  const s = input.source;
  if (s === undefined || !Number.isFinite(s) || s <= full) return { want: full, from: 'full' };
  return s > input.max ? { want: input.max, from: 'max' } : { want: Math.ceil(s), from: 'source' };
}

/** `15 (full)`, `40 (source's current)`, `60 (maximum; source runs 75)` for progress lines. */
export function describeFloor(f: PlannedFloor, source?: number): string {
  switch (f.from) {
    case 'full':
      return `${f.want} (full)`;
    case 'source':
      return `${f.want} (source's current)`;
    case 'max':
      return `${f.want} (maximum; source runs ${source})`;
  }
}
