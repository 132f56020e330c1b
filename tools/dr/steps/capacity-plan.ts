/**
 * The capacity a failover's scale-up raises the target to, per Deployment and per table dimension
 * (issue 12 build 5, issue 15 finding 26). Pure maths, no I/O: the runbook (./capacity.ts,
 * ./scale-up-plan.ts, ./table-floors.ts) and the capacity simulator (tools/sim/failover-floors.ts) both
 * call it, so the simulator's failover trace models exactly what the runbook does.
 *
 * The planned floor is the target's full floor (the active-region minimum: `fullMinReplicas`, the home
 * table's `MinCapacity`), raised to what the source region runs right now (its ready replicas, its
 * provisioned capacity) when that is larger, capped at the target's maximum, and never below the floor
 * set now (the standby floor, or what an earlier attempt of the same run set: a resumed run plans the
 * same floor again and changes nothing). The full floor alone is the capacity of a quiet hour; the
 * source's current value is the capacity of this hour, which the target must carry the moment traffic
 * moves. When the source cannot be read (the disaster case) the full floor is all there is.
 */

/** What the plan knows of one scalable thing of the target, and what the source runs now. */
export interface FloorInput {
  /** The floor set now in the target (its standby floor, or a floor an earlier attempt raised). */
  readonly current: number;
  /** The full (active-region) floor. */
  readonly full: number;
  /** The target's maximum (HPA/ScaledObject `maxReplicas`, the scalable target's `MaxCapacity`). */
  readonly max: number;
  /** What the source runs now (ready replicas, provisioned units); undefined when unreadable. */
  readonly source?: number;
}

/** Where a planned floor comes from. */
export type FloorSource = 'full' | 'source' | 'max' | 'current';

export interface PlannedFloor {
  /** The floor to set: `max(current, min(max, max(full, ceil(source))))`. */
  readonly want: number;
  /**
   * `full`: the full floor; `source`: the source's current value; `max`: the source's, capped at the
   * maximum; `current`: the floor set now is already at least that (nothing to raise).
   */
  readonly from: FloorSource;
}

function check(name: keyof FloorInput, v: number | undefined, optional = false): void {
  if (v === undefined && optional) return;
  if (v === undefined || !Number.isFinite(v) || v < 0)
    throw new RangeError(`plannedFloor: '${name}' must be a finite number >= 0, got ${String(v)}`);
}

/** The floor to raise one target thing to (see the module comment). */
export function plannedFloor(input: FloorInput): PlannedFloor {
  check('current', input.current);
  check('full', input.full);
  check('max', input.max);
  check('source', input.source, true);
  let want = Math.min(input.full, input.max);
  let from: FloorSource = 'full';
  if (input.source !== undefined) {
    const src = Math.ceil(input.source);
    if (src > want) {
      want = Math.min(src, input.max);
      from = src > input.max ? 'max' : 'source';
    }
  }
  if (input.current > want) return { want: input.current, from: 'current' };
  return { want, from };
}

/** `15 (full)`, `40 (source's current)`, `60 (maximum; source runs 75)`, `20 (already)` for lines. */
export function describeFloor(f: PlannedFloor, source?: number): string {
  switch (f.from) {
    case 'full':
      return `${f.want} (full)`;
    case 'source':
      return `${f.want} (source's current)`;
    case 'max':
      return `${f.want} (maximum; source runs ${source})`;
    case 'current':
      return `${f.want} (already)`;
  }
}
