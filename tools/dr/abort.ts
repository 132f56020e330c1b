import { readRoutingStates } from './arc';
import { readActiveRegion, writeActiveRegion } from './control/fence';
import { Journal, RunRecord, StepEntry } from './control/journal';
import { keys } from './control/keys';
import { LockRefused, RunbookLock } from './control/lock';
import { ControlTable, ifConditionHolds } from './control/table';
import { OperationKind, regionOf } from './operation';
import { drillOfRun } from './drill-next';
import { restoreRecordedFloors } from './restore-floors';
import { RunnerDeps } from './runner';

/** The result of `dr abort`. */
export interface AbortResult {
  readonly kind: 'abort';
  readonly environment: string;
  /** `aborted`: the run is closed and nothing is fenced; `refused`: nothing was changed. */
  readonly status: 'aborted' | 'refused' | 'failed';
  readonly runId?: string;
  readonly operation?: OperationKind;
  readonly from?: string;
  readonly to?: string;
  /** What abort did, one line each. */
  readonly actions: readonly string[];
  readonly error?: string;
}

export interface AbortRequest {
  /** Look for the unfinished run only in this region's journal. @default both regions */
  readonly to?: string;
}

const describe = (err: unknown) => `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;

/**
 * `dr abort`: closes an unfinished run whose flip never happened (issue 16 finding 1), e.g. after a
 * scale-up timeout. It takes the run's lock (a live invocation still driving the run makes it refuse),
 * puts back the active-region record the run's fence replaced (in the target's replica, and in the
 * source's when it answers), closes the run as `aborted` (audited), frees an open drill of that run,
 * and releases the lock. It refuses, changing nothing, when there is no unfinished run, or when the
 * flip happened (traffic has moved: finish the run, then move back) or may have (ARC unreadable).
 * It also puts back the floors the run's scale-up raised (autoscaler minimums and DynamoDB scalable-target
 * minimums, as the journal recorded them: ./restore-floors.ts), best-effort: a floor it cannot restore
 * is listed with its command (cost, not safety), and a retry raises them again.
 */
export async function runAbort(deps: RunnerDeps, req: AbortRequest): Promise<AbortResult> {
  const { outputs, clients, progress } = deps;
  const now = deps.now ?? (() => new Date());
  const base = { kind: 'abort' as const, environment: outputs.environment };
  const tableOf = (region: string) =>
    new ControlTable(clients.dynamodb(region), regionOf(outputs, region).tables.control.name, region);
  const regions = req.to ? [regionOf(outputs, req.to).region] : Object.keys(outputs.regions);

  const unreadable: string[] = [];
  let found: { run: RunRecord; journal: Journal } | undefined;
  for (const region of regions) {
    const journal = new Journal(tableOf(region));
    const run = await journal.openRun().catch((err: unknown) => {
      unreadable.push(`${region}: ${describe(err)}`);
      return undefined;
    });
    // The journal lives in the run's target table (a replica may also hold the pointer).
    if (run && run.to === region) {
      found = { run, journal };
      break;
    }
  }
  const refuse = (error: string, run?: RunRecord): AbortResult => {
    progress.log(`refused: ${error}`);
    return {
      ...base,
      status: 'refused',
      ...(run ? { runId: run.runId, operation: run.operation, from: run.from, to: run.to } : {}),
      actions: [],
      error,
    };
  };
  if (!found) {
    return refuse(
      `no unfinished run in the journal of ${regions.join(' or ')}` +
        (unreadable.length ? ` (could not read ${unreadable.join('; ')})` : '') +
        ': nothing to abort',
    );
  }
  const { run, journal } = found;
  const ids = { runId: run.runId, operation: run.operation, from: run.from, to: run.to };
  progress.log(
    `abort ${run.operation} run ${run.runId} (${run.from} -> ${run.to}, started ${run.startedAt} by ${run.owner})`,
  );
  const steps = [...(await journal.steps(run.runId)).values()];
  const flipped = await flipHappened(deps, run, steps);
  if (flipped) return refuse(flipped, run);

  const lock = new RunbookLock(
    { target: journal.table, other: tableOf(run.from) },
    {
      runId: run.runId,
      operation: run.operation,
      owner: deps.owner,
      invocation: deps.invocation,
      leaseMs: deps.lease.leaseMs,
      waitMs: deps.lease.waitMs,
      now: () => now().getTime(),
      sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      log: (l) => progress.log(l),
    },
  );
  try {
    await lock.acquire();
  } catch (err) {
    if (err instanceof LockRefused) return refuse(err.message, run);
    throw err;
  }
  const actions: string[] = [];
  try {
    actions.push(await unfence(journal.table, run));
    const source = tableOf(run.from);
    actions.push(
      await unfence(source, run).catch(
        (err: unknown) => `${run.from}: not reachable (${describe(err)}); its copy follows by replication`,
      ),
    );
    const at = now().toISOString();
    await journal.abortRun(run, {
      ...ids,
      environment: outputs.environment,
      owner: deps.owner,
      stepId: 'abort',
      at,
      detail: `aborted before the flip: ${actions.join('; ')}`,
    });
    actions.push(`run ${run.runId} closed as aborted (audited)`);
    const half = drillOfRun(run.runId);
    const drill = half?.drillId;
    if (half?.half === 'failback') {
      // Traffic is in the drill's failover target because of the drill: it stays open (finding 12).
      actions.push(
        `drill ${half.drillId} stays open: traffic is in ${run.from} because of its failover; resume the drill with ` +
          `\`npm run dr -- drill --env ${outputs.environment} --to ${run.from}\` to bring it back (do not set ${run.from} as the active region)`,
      );
    } else if (drill) {
      for (const region of Object.keys(outputs.regions)) {
        const freed = await ifConditionHolds(() =>
          tableOf(region).delete(keys.openDrill(), {
            ConditionExpression: 'drillId = :id',
            ExpressionAttributeValues: { ':id': drill },
          }),
        ).catch(() => false);
        if (freed) actions.push(`drill ${drill} closed in ${region}`);
      }
    }
    actions.push(...(await floorActions(deps, journal.table, run)));
    const released = await lock.release();
    actions.push(`lock released in ${run.to}${released.other ? `; ${run.from}: ${released.other}` : ''}`);
  } catch (err) {
    lock.stopHeartbeat();
    await lock.handBack().catch(() => false);
    progress.log(`failed: ${describe(err)}`);
    return { ...base, ...ids, status: 'failed', actions, error: describe(err) };
  }
  for (const a of actions) progress.log(`    ${a}`);
  return { ...base, ...ids, status: 'aborted', actions };
}

/** Puts back the floors the run's scale-up recorded; one action line each (best-effort). */
async function floorActions(deps: RunnerDeps, journal: ControlTable, run: RunRecord): Promise<string[]> {
  const r = await restoreRecordedFloors(deps, journal, run.runId);
  if (!r) return [];
  const lines = r.result.restored.map((x) => `${r.region}: restored ${x}`);
  if (r.result.failed)
    lines.push(
      `${r.region}: floors not restored (${r.result.failed.error}; cost, not safety): run ${r.result.failed.commands.join(' ; ')}`,
    );
  else if (lines.length === 0) lines.push(`${r.region}: the recorded floors are already as before the run`);
  return lines;
}

/** Why the run may not be aborted because its flip happened (or may have), else undefined. */
async function flipHappened(
  deps: RunnerDeps,
  run: RunRecord,
  steps: readonly StepEntry[],
): Promise<string | undefined> {
  const flip = steps.find((s) => s.stepId === 'flip');
  if (!flip) return undefined;
  const finish =
    `finish it with \`dr ${run.operation} --to ${run.to}\` (the same command resumes it), ` +
    `then move back with \`dr ${run.operation === 'failover' ? 'failback' : 'failover'}\``;
  if (flip.status === 'done') return `run ${run.runId} has flipped traffic to ${run.to}: ${finish}`;
  let states: Record<string, string>;
  try {
    states = await readRoutingStates(deps.outputs, deps.clients);
  } catch (err) {
    return `run ${run.runId} attempted its flip and the routing controls cannot be read (${describe(err)}), so traffic may have moved: ${finish}`;
  }
  return states[run.to] === 'On' && states[run.from] === 'Off'
    ? `run ${run.runId} has flipped traffic to ${run.to} (${run.to} On, ${run.from} Off): ${finish}`
    : undefined;
}

/** Puts back the record the run's fence replaced (or removes the run's record) in one replica. */
async function unfence(table: ControlTable, run: RunRecord): Promise<string> {
  const current = await readActiveRegion(table);
  if (current?.runId !== run.runId) return `${table.region}: not fenced by this run`;
  const previous = current.previous;
  if (previous) {
    await writeActiveRegion(table, previous);
    return `${table.region}: active-region record restored (${previous.activeRegion} active, ${previous.writeFence.region} fenced, as before the run)`;
  }
  await table.delete(keys.activeRegion(), {
    ConditionExpression: 'runId = :id',
    ExpressionAttributeValues: { ':id': run.runId },
  });
  return `${table.region}: write fence removed (no active-region record before the run)`;
}

/** The terminal summary of `dr abort`. */
export function renderAbort(r: AbortResult): string {
  const head =
    r.status === 'aborted'
      ? `ABORTED ${r.operation} run ${r.runId} (${r.from} -> ${r.to}): no region is fenced by it and traffic did not move`
      : `${r.status.toUpperCase()}: ${r.error ?? ''}`;
  return [head, ...r.actions.map((a) => `  - ${a}`)].join('\n');
}
