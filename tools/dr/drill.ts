import { Journal, newRunId } from './control/journal';
import { drillNextAction } from './drill-next';
import { keys } from './control/keys';
import { ControlTable, ifConditionHolds } from './control/table';
import { regionOf, resolveOperation, reverse } from './operation';
import { atJournal, journalUnavailable, OperationResult, runOperation, RunnerDeps } from './runner';

export interface DrillRequest {
  /** The region to fail over to. @default the DR region */
  readonly to?: string;
  readonly dryRun: boolean;
  readonly forceReason?: string;
  /** `--ignore-canary --reason`: passed to both halves. */
  readonly ignoreCanaryReason?: string;
}

/** The `runbook#open-drill` item: the unfinished drill, in its failover target's control table. */
export interface OpenDrillRecord {
  readonly drillId: string;
  readonly startedAt: string;
  /** The failover's source region (absent on records written before it was recorded). */
  readonly from?: string;
  /** The failover's target region: `--to` of the command that resumes the drill. */
  readonly to?: string;
}

export interface DrillResult {
  readonly kind: 'drill';
  readonly environment: string;
  readonly drillId?: string;
  /** When the drill started (ISO 8601; a resumed drill keeps its first start; a dry run: when it was planned). */
  readonly startedAt: string;
  readonly status: OperationResult['status'];
  readonly failover: OperationResult;
  readonly failback?: OperationResult;
  /** The recovery time: the failover's time-to-flip plus the DNS TTL (see {@link OperationResult.rtoMs}). */
  readonly rtoMs: number;
  /** Failover plus failback: the sum of their step durations. */
  readonly totalMs: number;
  /** Replication latency at the failover's cut-over. */
  readonly rpoMs?: number | null;
  readonly rtoTargetMs: number;
  readonly rpoTargetMs: number;
  /** What to do when the drill did not complete (see {@link drillNextAction}). @default - nothing */
  readonly nextAction?: string;
}

/**
 * A drill: failover, then failback, as one resumable unit. The drill record lives in the failover
 * target's control table (`runbook#open-drill`); its two runs have fixed ids `<drillId>.failover`
 * and `<drillId>.failback`, so a re-run after a crash resumes the right half.
 */
export async function runDrill(deps: RunnerDeps, req: DrillRequest): Promise<DrillResult> {
  const { outputs, clients, progress } = deps;
  const now = deps.now ?? (() => new Date());
  const there = resolveOperation(outputs, 'failover', req.to);
  const back = reverse(there);
  const control = new ControlTable(
    clients.dynamodb(there.to),
    regionOf(outputs, there.to).tables.control.name,
    there.to,
  );

  let drill: OpenDrillRecord | undefined;
  let unavailable: Error | undefined;
  try {
    drill = await atJournal(control, 'read the open drill (runbook#open-drill)', () =>
      control.get<OpenDrillRecord>(keys.openDrill()),
    );
    if (!drill && !req.dryRun) {
      // `from`/`to`: the global table replicates the record, so the guard may read it in either region
      // and must still name the drill's failover target in its resume command.
      const candidate: OpenDrillRecord = {
        drillId: newRunId('drill', now()),
        startedAt: now().toISOString(),
        from: there.from,
        to: there.to,
      };
      drill = await atJournal(control, 'write the open drill (runbook#open-drill)', async () => {
        await control.putIfAbsent({ ...keys.openDrill(), ...candidate });
        return control.get<OpenDrillRecord>(keys.openDrill());
      });
    }
  } catch (err) {
    unavailable = err as Error;
  }
  if (unavailable && req.dryRun) {
    // A dry run still plans both halves; whether a drill is open (and what it did) is unknown.
    progress.log(`WARNING: ${unavailable.message}: whether a drill is unfinished is unknown`);
  }
  progress.log(
    drill
      ? `drill ${drill.drillId} (started ${drill.startedAt}): failover ${there.from} -> ${there.to}, then failback`
      : req.dryRun
        ? `DRY RUN drill: failover ${there.from} -> ${there.to}, then failback`
        : `drill: failover ${there.from} -> ${there.to}, then failback`,
  );
  const id = (half: string) => (drill ? `${drill.drillId}.${half}` : undefined);
  // Without the drill record nothing can start: the failover half fails before its first step.
  const failover =
    unavailable && !req.dryRun
      ? journalUnavailable(progress, outputs, there, { forceReason: req.forceReason }, unavailable)
      : await runOperation(deps, {
          op: there,
          dryRun: req.dryRun,
          forceReason: req.forceReason,
          ignoreCanaryReason: req.ignoreCanaryReason,
          runId: id('failover'),
        });
  let failback: OperationResult | undefined;
  if (failover.status === 'completed' || failover.status === 'planned') {
    // A failback half closed by a refusal or `dr abort` is retried under its id: reopen it first.
    const backId = id('failback');
    if (backId && !req.dryRun) await reopenClosed(deps, back.to, backId);
    failback = await runOperation(deps, {
      op: back,
      dryRun: req.dryRun,
      forceReason: req.forceReason,
      ignoreCanaryReason: req.ignoreCanaryReason,
      runId: id('failback'),
      dryRunChecks: false,
    });
  }
  const status = failback?.status ?? failover.status;
  // The drill stays open while traffic is in its failover target: only a completed drill, or one whose
  // failover was refused (nothing moved), is closed (issue 16 finding 12).
  if (drill && (status === 'completed' || failover.status === 'refused')) {
    await ifConditionHolds(() =>
      control.delete(keys.openDrill(), {
        ConditionExpression: 'drillId = :id',
        ExpressionAttributeValues: { ':id': drill.drillId },
      }),
    );
  }
  const result: DrillResult = {
    kind: 'drill',
    environment: outputs.environment,
    drillId: drill?.drillId,
    startedAt: drill?.startedAt ?? now().toISOString(),
    status,
    failover,
    failback,
    rtoMs: failover.rtoMs,
    totalMs: (failover.stepsMs ?? 0) + (failback?.stepsMs ?? 0),
    rpoMs: failover.replicationLatencyMs,
    rtoTargetMs: outputs.rtoSeconds * 1000,
    rpoTargetMs: outputs.rpoSeconds * 1000,
  };
  const nextAction = drillNextAction(result);
  return nextAction ? { ...result, nextAction } : result;
}

/** Reopens the run `runId` in `region`'s journal when a refusal or `dr abort` closed it. */
async function reopenClosed(deps: RunnerDeps, region: string, runId: string): Promise<void> {
  const table = new ControlTable(
    deps.clients.dynamodb(region),
    regionOf(deps.outputs, region).tables.control.name,
    region,
  );
  const journal = new Journal(table);
  const run = await journal.getRun(runId).catch(() => undefined);
  if (run && (run.status === 'refused' || run.status === 'aborted') && (await journal.reopenRun(run)))
    deps.progress.log(`    reopening ${run.status} run ${runId} of this drill to retry it`);
}
