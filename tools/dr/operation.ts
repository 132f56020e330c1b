import { RegionOutputs, RunbookOutputs } from '../../stacks/outputs';
import { UsageError } from '../lib/exit-codes';

/** The state-changing operations of the runbook. */
export type OperationKind = 'failover' | 'failback';

/** One move of traffic and writes from one region to the other. */
export interface Operation {
  readonly kind: OperationKind;
  /** The region that stops serving (the old primary on failover, DR on failback). */
  readonly from: string;
  /** The healthy region that takes over; the journal and lock are written through its endpoint. */
  readonly to: string;
}

/**
 * Resolves the source and target regions: failover goes to DR and failback to primary unless
 * `--to` names another region of the environment.
 */
export function resolveOperation(outputs: RunbookOutputs, kind: OperationKind, to?: string): Operation {
  const target = to ?? (kind === 'failover' ? outputs.drRegion : outputs.primaryRegion);
  const regions = Object.keys(outputs.regions);
  if (!outputs.regions[target]) {
    throw new UsageError('--to', target, `one of the environment's regions (${regions.join(', ')})`);
  }
  const others = regions.filter((r) => r !== target);
  if (others.length !== 1) {
    throw new UsageError('runbook.regions', regions, 'exactly two regions (a primary and a DR region)');
  }
  return { kind, from: others[0], to: target };
}

/** The reverse of an operation (the second half of a drill). */
export function reverse(op: Operation): Operation {
  return { kind: op.kind === 'failover' ? 'failback' : 'failover', from: op.to, to: op.from };
}

export function regionOf(outputs: RunbookOutputs, region: string): RegionOutputs {
  const r = outputs.regions[region];
  if (!r)
    throw new UsageError('runbook.regions', Object.keys(outputs.regions), `an entry for region '${region}'`);
  return r;
}
