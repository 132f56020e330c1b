import { keys } from './keys';
import { ControlTable } from './table';

/** One floor the scale-up raised: where, what it was and what it set. */
export interface FloorChange {
  /** `autoscaler`: an HPA / ScaledObject minimum; `table`: a DynamoDB scalable target's MinCapacity. */
  readonly kind: 'autoscaler' | 'table';
  /** `ScaledObject/scoring-api`, or `table/<name>|dynamodb:table:ReadCapacityUnits`. */
  readonly id: string;
  readonly previous: number;
  readonly set: number;
}

/** The floors a run's scale-up raised in its target (`journal#<runId>` / `capacity`). */
export interface CapacityRecord {
  readonly runId: string;
  readonly region: string;
  readonly changes: readonly FloorChange[];
}

/**
 * Records the floors before the scale-up raises them, once per run: a retry (or a resumed run) finds
 * the record and keeps the first one, so `previous` is always what the target had before the run,
 * never a value the run itself set. Written before the first raise, so a scale-up that times out (the
 * usual reason to abort) has its record too.
 */
export async function recordFloors(table: ControlTable, record: CapacityRecord): Promise<boolean> {
  return table.putIfAbsent({ ...keys.capacity(record.runId), ...record, changes: [...record.changes] });
}

/** The floors recorded for a run, if its scale-up raised any. */
export async function readFloors(table: ControlTable, runId: string): Promise<CapacityRecord | undefined> {
  const item = await table.get<CapacityRecord>(keys.capacity(runId));
  return item ? { runId: item.runId, region: item.region, changes: item.changes ?? [] } : undefined;
}
