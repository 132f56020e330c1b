import { activeRegionFollowUp } from './active-region';
import { recoveryTimes } from './recovery-time';
import { JournalConflict, Journal, newRunId, RunRecord, StepEntry } from './control/journal';
import { LockRefused, RunbookLock } from './control/lock';
import { ControlTable } from './control/table';
import { regionOf } from './operation';
import { planSteps, Step, StepContext } from './steps';
import { planRun } from './plan-run';
import { PreflightRefused } from './steps/preflight';
import {
  DEFAULT_MAX_RUN_AGE_MS,
  expiredRun,
  observedRpo,
  recheckBefore,
  recheckPreflight,
  ResumeRefused,
} from './resume';
import {
  atJournal,
  describeError,
  OperationRequest,
  OperationResult,
  RunnerDeps,
  StepReport,
} from './runner-types';
import { incompatible, journalUnavailable, refusedBeforeStart, skipped, takenOver } from './runner-outcomes';

export * from './runner-types';
export { journalUnavailable } from './runner-outcomes';

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs (or resumes, or plans) one failover or failback. Never throws for a failed step: see `status`. */
export async function runOperation(deps: RunnerDeps, req: OperationRequest): Promise<OperationResult> {
  const { outputs, clients, progress } = deps;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? defaultSleep;
  const { op } = req;
  const target = regionOf(outputs, op.to);
  const control = new ControlTable(clients.dynamodb(op.to), target.tables.control.name, op.to);
  // The lock is also taken in the other region's replica (conditions hold per replica only).
  const otherControl = new ControlTable(
    clients.dynamodb(op.from),
    regionOf(outputs, op.from).tables.control.name,
    op.from,
  );
  const journal = new Journal(control);
  const steps = planSteps(op.kind);
  const label = (n: number, s: Step) => `${op.kind} ${n}/${steps.length} ${s.title(op)}`;
  const base = { operation: op.kind, environment: outputs.environment, from: op.from, to: op.to };

  // Everything before the first step reads or writes the journal; a failure there (no credentials,
  // the region or its endpoint impaired) is reported as a result naming the table and region, with
  // the steps listed, never thrown.
  const read = <T>(fn: () => Promise<T>) => atJournal(control, 'read the journal', fn);
  let existing: RunRecord | undefined;
  let done: Map<number, StepEntry>;
  try {
    existing = await read(() => (req.runId ? journal.getRun(req.runId) : journal.openRun()));
    const conflict = existing && incompatible(existing, op, outputs.environment, req.runId);
    if (conflict) return refusedBeforeStart(progress, base, steps, op, conflict);
    const found = existing;
    done = found ? await read(() => journal.steps(found.runId)) : new Map<number, StepEntry>();
  } catch (err) {
    if (err instanceof JournalConflict) return refusedBeforeStart(progress, base, steps, op, err.message);
    if (!req.dryRun) return journalUnavailable(progress, outputs, op, req, err as Error);
    const warning = `${(err as Error).message}: whether a run is unfinished (and which steps it did) is unknown; the plan below assumes a new run`;
    progress.log(`WARNING: ${warning}`);
    return planRun(deps, req, { journal, control, otherControl, steps, done: new Map(), label, now, sleep }, [
      warning,
    ]);
  }

  if (req.dryRun) {
    return planRun(deps, req, { journal, control, otherControl, steps, existing, done, label, now, sleep });
  }

  let resumed = existing !== undefined;
  if (!existing) {
    const startedAt = now();
    const record: RunRecord = {
      runId: req.runId ?? newRunId(op.kind, startedAt),
      ...base,
      startedAt: startedAt.toISOString(),
      status: 'running',
      owner: deps.owner,
      forceReason: req.forceReason,
    };
    try {
      const created = await atJournal(control, `write the journal (start run ${record.runId})`, () =>
        journal.createRun(record),
      );
      if (!created.created) {
        const other =
          incompatible(created.run, op, outputs.environment, req.runId) ??
          (req.runId ? `run ${created.run.runId} is unfinished in ${op.to}` : undefined);
        if (other) return refusedBeforeStart(progress, base, steps, op, other);
        resumed = true;
        done = await read(() => journal.steps(created.run.runId));
      }
      existing = created.run;
    } catch (err) {
      if (err instanceof JournalConflict) return refusedBeforeStart(progress, base, steps, op, err.message);
      return journalUnavailable(progress, outputs, op, req, err as Error);
    }
  }
  const run = existing;
  const expired = resumed
    ? expiredRun(run, done, steps, now().getTime(), deps.maxRunAgeMs ?? DEFAULT_MAX_RUN_AGE_MS)
    : undefined;
  if (expired) return refusedBeforeStart(progress, base, steps, op, expired, 'RunExpired');
  if (run.status === 'completed') {
    progress.log(`${op.kind} run ${run.runId} already completed at ${run.completedAt}`);
  } else {
    const remaining = steps.length - [...done.values()].filter((e) => e.status === 'done').length;
    progress.log(
      resumed
        ? `${op.kind} ${op.from} -> ${op.to}: resuming run ${run.runId} (started ${run.startedAt} by ${run.owner}); ${remaining} of ${steps.length} steps to go`
        : `${op.kind} ${op.from} -> ${op.to}: run ${run.runId}, journal in ${target.tables.control.name} (${op.to})`,
    );
  }

  const lock = new RunbookLock(
    { target: control, other: otherControl },
    {
      runId: run.runId,
      operation: op.kind,
      owner: deps.owner,
      invocation: deps.invocation,
      leaseMs: deps.lease.leaseMs,
      waitMs: deps.lease.waitMs,
      now: () => now().getTime(),
      sleep,
      log: (l) => progress.log(l),
    },
  );
  const forceReason = req.forceReason ?? run.forceReason;
  const ctx: StepContext = {
    outputs,
    op,
    run,
    clients,
    control,
    lock,
    timings: deps.timings,
    forceReason,
    ...(req.ignoreCanaryReason ? { ignoreCanaryReason: req.ignoreCanaryReason } : {}),
    minCapacityPct: deps.minCapacityPct,
    now,
    sleep,
    log: (l) => progress.log(l),
    facts: {},
  };
  const lockN = steps.findIndex((s) => s.id === 'lock') + 1;
  const unlockN = steps.findIndex((s) => s.id === 'unlock') + 1;
  const isDone = (n: number) => done.get(n)?.status === 'done';
  const doneAtStart = new Map(done);
  const reports: StepReport[] = [];
  /** Best-effort steps' warnings (e.g. `standby` with the old DR region impaired). */
  const stepWarnings: string[] = [];
  let failure: Error | undefined;
  let failedAt = 0;
  try {
    let finishedElsewhere: RunRecord | undefined;
    /** After the lock was taken (perhaps after a wait): the run as the journal has it now (finding 11). */
    const refresh = async () => {
      const latest = await journal.getRun(run.runId);
      done = await journal.steps(run.runId);
      if (latest && latest.status !== 'running' && run.status !== 'completed') {
        finishedElsewhere = latest;
        await lock.release();
        progress.log(
          `    run ${run.runId} was ${latest.status} by another invocation meanwhile (${latest.completedAt ?? ''}); nothing left to do`,
        );
      }
    };
    if (run.status !== 'completed' && isDone(lockN) && !isDone(unlockN)) {
      progress.log(`    re-taking the runbook lock for run ${run.runId}`);
      await lock.acquire();
      await refresh();
    }
    let rechecked = false;
    for (const [i, step] of steps.entries()) {
      const n = i + 1;
      const entry = done.get(n);
      if (entry?.status === 'done' || finishedElsewhere) {
        if (entry?.status === 'done') reports.push(skipped(progress, label(n, step), n, step, entry));
        continue;
      }
      if (run.status !== 'completed' && !rechecked && recheckBefore(n, lockN, doneAtStart, steps)) {
        rechecked = true;
        // A resumed run: preflight again before changing anything more (finding 3).
        await recheckPreflight(
          ctx,
          journal,
          progress,
          { invocation: deps.invocation, owner: deps.owner, forceReason: req.forceReason },
          label(1, steps[0]),
        );
      }
      failedAt = n;
      if (n > lockN && n < unlockN) lock.assertHeld();
      const by = { invocation: deps.invocation, owner: deps.owner };
      if (!(await journal.startStep(run.runId, n, step.id, step.title(op), now().toISOString(), by))) {
        throw new JournalConflict(await takenOver(journal, run, n, step, 'completed'));
      }
      const result = await progress.step(
        label(n, step),
        async () => {
          const t0 = performance.now();
          const r = await step.run(ctx);
          await deps.afterEffect?.({ operation: op.kind, n, id: step.id });
          const ms = performance.now() - t0;
          const at = now().toISOString();
          // Another invocation may have started this step meanwhile: its result is the one kept.
          if (!(await journal.runsStep(run.runId, n, deps.invocation))) {
            throw new JournalConflict(await takenOver(journal, run, n, step, 'taken over'));
          }
          await journal.auditStep(run, n, {
            ...base,
            runId: run.runId,
            owner: deps.owner,
            n,
            stepId: step.id,
            at,
            durationMs: Math.round(ms),
            detail: r.detail,
            forceReason: step.id === 'preflight' && r.data?.forced ? forceReason : undefined,
            data: r.data,
          });
          const completed = await journal.completeStep(
            run.runId,
            n,
            { completedAt: at, durationMs: ms, detail: r.detail, data: r.data },
            deps.invocation,
          );
          if (!completed) throw new JournalConflict(await takenOver(journal, run, n, step, 'taken over'));
          return { ...r, ms };
        },
        (r) => r.detail,
      );
      if (result.warning) stepWarnings.push(`step ${n} ${step.id}: ${result.warning}`);
      if (n === lockN) await refresh();
      reports.push({
        n,
        id: step.id,
        title: step.title(op),
        status: 'done',
        ms: result.ms,
        detail: result.detail,
      });
    }
    failedAt = 0;
    const elsewhere = finishedElsewhere as RunRecord | undefined;
    if (elsewhere && elsewhere.status !== 'completed') {
      throw new JournalConflict(`run ${run.runId} was ${elsewhere.status} by another invocation meanwhile`);
    }
    if (!elsewhere) await journal.completeRun(run, now().toISOString());
  } catch (err) {
    failure = err as Error;
    if (failure instanceof PreflightRefused) {
      await journal
        .refuseRun(run, {
          ...base,
          runId: run.runId,
          owner: deps.owner,
          stepId: 'preflight',
          at: now().toISOString(),
          detail: failure.message,
        })
        .catch((e: unknown) =>
          progress.log(
            `    could not record the refusal in ${control.tableName} (${op.to}): ${describeError(e)}`,
          ),
        );
    }
  } finally {
    lock.stopHeartbeat();
  }
  if (failure) {
    // The failure may be the control table itself: the result must still be reported.
    const handedBack = await lock.handBack().catch((e: unknown) => {
      progress.log(
        `    could not hand back the lock lease in ${control.tableName} (${op.to}): ${describeError(e)}; it lapses on its own`,
      );
      return false;
    });
    if (handedBack)
      progress.log(`    lock lease handed back; re-run the same command to resume run ${run.runId}`);
  }

  const finalSteps = await journal.steps(run.runId).catch(() => done);
  const allReports = steps.map((s, i): StepReport => {
    const n = i + 1;
    const r = reports.find((x) => x.n === n);
    if (r) return r;
    if (n === failedAt)
      return { n, id: s.id, title: s.title(op), status: 'failed', detail: failure?.message };
    return { n, id: s.id, title: s.title(op), status: 'pending' };
  });
  const latest = await journal.getRun(run.runId).catch(() => undefined);
  const status = !failure
    ? 'completed'
    : failure instanceof PreflightRefused ||
        failure instanceof ResumeRefused ||
        failure instanceof LockRefused ||
        failure instanceof JournalConflict
      ? 'refused'
      : 'failed';
  return {
    ...base,
    runId: run.runId,
    status,
    resumed,
    steps: allReports,
    ...recoveryTimes(outputs, run, finalSteps, allReports),
    wallClockMs:
      latest?.completedAt && status === 'completed'
        ? Date.parse(latest.completedAt) - Date.parse(run.startedAt)
        : undefined,
    replicationLatencyMs: observedRpo(finalSteps, await journal.rechecks(run.runId).catch(() => [])),
    forceReason,
    error: failure ? `${failure.name}: ${failure.message}` : undefined,
    activeRegionConfig: status === 'completed' ? activeRegionFollowUp(outputs.environment, op.to) : undefined,
    ...(stepWarnings.length > 0 ? { warnings: stepWarnings } : {}),
  };
}
