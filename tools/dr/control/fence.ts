import { keys } from './keys';
import { ControlTable } from './table';

/**
 * The active-region and write-fence record (`active-region` / `current`). Writers in every region
 * read it and refuse to write when their region is `writeFence.region`.
 */
export interface ActiveRegionRecord {
  readonly activeRegion: string;
  readonly writeFence: { readonly region: string; readonly since: string };
  readonly runId: string;
  readonly operation: string;
  readonly updatedAt: string;
  /**
   * The record this one replaced (without its own `previous`), kept so `dr abort` can put it back even
   * after a crash right after the fence. @default - none (there was no record)
   */
  readonly previous?: Omit<ActiveRegionRecord, 'previous'>;
}

export async function readActiveRegion(table: ControlTable): Promise<ActiveRegionRecord | undefined> {
  return table.get<ActiveRegionRecord>(keys.activeRegion());
}

export async function writeActiveRegion(table: ControlTable, record: ActiveRegionRecord): Promise<void> {
  await table.put({ ...keys.activeRegion(), ...record });
}

/**
 * The write-fence check every writer of the data plane makes (docs/ARCHITECTURE.md, "The write-fence
 * contract"), as a reference: a writer in `region` may write unless its own replica's record fences
 * `region`. No record: nobody is fenced (before the first failover). Pure.
 */
export function fenceAllowsWrite(
  record: Pick<ActiveRegionRecord, 'writeFence'> | undefined,
  region: string,
): boolean {
  return record?.writeFence.region !== region;
}
