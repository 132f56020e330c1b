import { ActiveRegionRecord } from './control/fence';
import type { OpenDrillRecord } from './drill';
import { OpenRunView } from './status-runbook';

/**
 * States `dr status` calls INCONSISTENT (exit 1; issue 16 finding 13): each one means traffic or
 * writes are not where the runbook's records say, so someone must act. Pure: judged from what was
 * read, nothing is read here.
 */
export interface Inconsistency {
  readonly kind: 'fenced-serving' | 'none-on' | 'both-on' | 'record-mismatch';
  readonly message: string;
}

export interface ConsistencyInput {
  readonly environment: string;
  /** The primary region: the active region for writers while no active-region record exists. */
  readonly primary: string;
  readonly regions: readonly string[];
  /** Routing control state per region; undefined when ARC could not be read (nothing is judged). */
  readonly routing?: Readonly<Record<string, string>>;
  /** Each region's copy of the active-region record: null when absent, undefined when unreadable. */
  readonly records: readonly {
    readonly region: string;
    readonly record: ActiveRegionRecord | null | undefined;
  }[];
}

/** The copy replication converges to: the newest `updatedAt` among the copies read. */
export function newestRecord(
  records: ConsistencyInput['records'],
): { readonly region: string; readonly record: ActiveRegionRecord } | undefined {
  let best: { region: string; record: ActiveRegionRecord } | undefined;
  for (const { region, record } of records) {
    if (record && (!best || Date.parse(record.updatedAt) > Date.parse(best.record.updatedAt)))
      best = { region, record };
  }
  return best;
}

/**
 * Finds the inconsistencies:
 * - `none-on` / `both-on`: no region, or more than one, has its routing control On (the ARC safety
 *   rule should make both impossible);
 * - `fenced-serving`: a region whose routing control is On is write-fenced, by the newest copy of the
 *   active-region record or by its own replica's copy (the one its writers read): it takes the
 *   traffic and refuses the writes;
 * - `record-mismatch`: the one region On is not the active region of the newest record (no record:
 *   the primary), so writers outside it are not fenced.
 * Copies of the record that merely disagree are replication at work and not judged.
 */
export function findInconsistencies(input: ConsistencyInput): Inconsistency[] {
  const { routing, regions } = input;
  if (!routing) return [];
  const on = regions.filter((r) => routing[r] === 'On');
  if (on.length === 0)
    return [{ kind: 'none-on', message: "no region's routing control is On: no region takes traffic" }];
  if (on.length > 1)
    return [
      {
        kind: 'both-on',
        message: `routing On in ${on.join(' and ')}: both take traffic and accept writes (last writer wins)`,
      },
    ];
  const serving = on[0];
  const newest = newestRecord(input.records);
  const own = input.records.find((c) => c.region === serving)?.record ?? undefined;
  const fencedBy = [
    ...(newest && newest.record.writeFence.region === serving ? [newest] : []),
    ...(own && own.writeFence.region === serving && newest?.region !== serving
      ? [{ region: serving, record: own }]
      : []),
  ];
  if (fencedBy.length > 0) {
    const by = fencedBy
      .map((c) => `${c.region}'s replica: run ${c.record.runId}, since ${c.record.writeFence.since}`)
      .join('; ');
    return [
      {
        kind: 'fenced-serving',
        message: `routing On in ${serving}, a write-fenced region (active-region record in ${by}): it takes the traffic and refuses the writes`,
      },
    ];
  }
  const active = newest?.record.activeRegion ?? input.primary;
  if (active === serving) return [];
  return [
    {
      kind: 'record-mismatch',
      message: newest
        ? `routing On in ${serving}, but the active-region record (newest copy, ${newest.region}'s replica, run ${newest.record.runId}) names ${active}: writes in ${serving} are not fenced off from ${active}`
        : `routing On in ${serving}, but there is no active-region record (the primary ${input.primary} is then the active region for writers)`,
    },
  ];
}

/** What to do next, given the unfinished run or drill read (the first one found), for the banner. */
export function nextAction(
  environment: string,
  run: OpenRunView | undefined,
  drill: OpenDrillRecord | undefined,
): string {
  if (drill)
    return (
      `drill ${drill.drillId} is unfinished: resume it with \`npm run dr -- drill --env ${environment}${drill.to ? ` --to ${drill.to}` : ''}\`` +
      `, or close the half that has not flipped with \`npm run dr -- abort --env ${environment}\``
    );
  if (run) {
    const at = run.step ? ` at step ${run.step.n}/${run.step.of} ${run.step.id} (${run.step.state})` : '';
    return (
      `run ${run.runId} (${run.operation} ${run.from} -> ${run.to}) is unfinished${at}: resume it with ` +
      `\`npm run dr -- ${run.operation} --env ${environment} --to ${run.to}\`, or, if it has not flipped, ` +
      `close it with \`npm run dr -- abort --env ${environment}\``
    );
  }
  return 'no runbook run is open: check the routing controls (ARC) and the active-region record, then run `npm run dr -- failover` or `failback` to the region that should serve';
}
