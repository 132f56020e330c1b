import { Progress } from '../lib/progress';
import { Journal, RecheckEntry, RunRecord, StepEntry } from './control/journal';
import { Step, StepContext } from './steps';
import { checkLine, runPreflightChecks } from './steps/preflight';

/**
 * A resumed run re-checks before it changes anything more (issue 16 finding 3): preflight again, on
 * every invocation, before the first production change not yet done (after the lock), as long as the flip was not
 * started (after that, traffic may have moved and the rest must finish); and an open run older than
 * `--max-run-age` is not resumed before its flip.
 */

/** `--max-run-age` default: an hour, far above a run's own timeouts (scale-up 600 s, verify 300 s). */
export const DEFAULT_MAX_RUN_AGE_MS = 3_600_000;

/** The resumed run's preflight re-run failed: the run stays open, nothing more was changed. */
export class ResumeRefused extends Error {
  override name = 'ResumeRefused';
}

/** The step number of the flip in `steps` (1-based). */
export const flipNumber = (steps: readonly Step[]): number => steps.findIndex((s) => s.id === 'flip') + 1;

/**
 * Whether the flip was started (done, or running when an invocation died: its ARC call may have
 * happened). From then on traffic may have moved, and the run must be finished, not re-checked.
 */
export const flipStarted = (done: ReadonlyMap<number, StepEntry>, steps: readonly Step[]): boolean =>
  done.has(flipNumber(steps));

/**
 * Why `run` may not be resumed because it is older than `maxAgeMs` (its flip not done), else
 * undefined. The age is `now - startedAt` (the first invocation's clock: a coarse limit in hours).
 */
export function expiredRun(
  run: RunRecord,
  done: ReadonlyMap<number, StepEntry>,
  steps: readonly Step[],
  nowMs: number,
  maxAgeMs: number,
): string | undefined {
  if (run.status !== 'running' || flipStarted(done, steps)) return undefined;
  const age = nowMs - Date.parse(run.startedAt);
  if (!(age > maxAgeMs)) return undefined;
  return (
    `run ${run.runId} (${run.operation} ${run.from} -> ${run.to}) started ${run.startedAt}, ${Math.round(age / 1000)} s ago: ` +
    `older than --max-run-age ${maxAgeMs / 1000} s, so it has expired and is not resumed. Its flip never happened: ` +
    `\`npm run dr -- abort --env ${run.environment} --to ${run.to}\` closes it (unfencing if need be), then re-run for a fresh run ` +
    `(or pass a larger --max-run-age to resume it deliberately)`
  );
}

/**
 * Whether to re-run preflight before step `n` (the first step this invocation has to do): when
 * preflight was done by an earlier invocation, `n` comes after the lock (taken first, so a live
 * invocation refuses this one before it re-checks anything), and the flip was not started.
 */
export function recheckBefore(
  n: number,
  lockN: number,
  doneAtStart: ReadonlyMap<number, StepEntry>,
  steps: readonly Step[],
): boolean {
  return doneAtStart.get(1)?.status === 'done' && n > lockN && !flipStarted(doneAtStart, steps);
}

/**
 * Re-runs the read-only preflight checks for a resuming invocation, prints them as a step, and records
 * them (`recheck#<invocation>`, audited once). Failed checks without this invocation's `--force
 * --reason` throw {@link ResumeRefused}; the run stays open.
 */
export async function recheckPreflight(
  ctx: StepContext,
  journal: Journal,
  progress: Progress,
  who: { readonly invocation: string; readonly owner: string; readonly forceReason?: string },
  label: string,
): Promise<RecheckEntry> {
  const { run, op } = ctx;
  return progress.step(
    `${label} (re-run on resume)`,
    async () => {
      const { checks, replicationLatencyMs, sourceUnreachable } = await runPreflightChecks(ctx);
      if (ctx.facts) ctx.facts.sourceUnreachable = sourceUnreachable;
      for (const c of checks) ctx.log(checkLine(c));
      const failed = checks.filter((c) => !c.ok);
      const rpo = replicationLatencyMs === undefined ? 'unknown' : `${replicationLatencyMs} ms`;
      const forced = failed.length > 0 && who.forceReason !== undefined;
      const detail =
        failed.length === 0
          ? `${checks.length} checks passed on resume; replication latency ${rpo}`
          : forced
            ? `FORCED (${who.forceReason}) over ${failed.length} failed check(s) on resume; replication latency ${rpo}`
            : `preflight refused on resume: ${failed.map((f) => `${f.check}: ${f.detail}`).join('; ')}`;
      const entry: RecheckEntry = {
        invocation: who.invocation,
        owner: who.owner,
        at: ctx.now().toISOString(),
        ok: failed.length === 0 || forced,
        detail,
        replicationLatencyMs: replicationLatencyMs ?? null,
        ...(forced ? { forceReason: who.forceReason } : {}),
      };
      await journal.recordRecheck(run, entry, {
        runId: run.runId,
        operation: op.kind,
        environment: ctx.outputs.environment,
        from: op.from,
        to: op.to,
        owner: who.owner,
        stepId: 'preflight-recheck',
        at: entry.at,
        detail,
        forceReason: entry.forceReason,
        data: { invocation: who.invocation, replicationLatencyMs: entry.replicationLatencyMs },
      });
      if (!entry.ok) {
        throw new ResumeRefused(
          `${detail} (run ${run.runId} stays open and nothing more was changed: re-run once replication has caught up, ` +
            `add --force --reason "..." to accept the loss, or \`npm run dr -- abort --env ${ctx.outputs.environment} --to ${op.to}\` to close it)`,
        );
      }
      return entry;
    },
    (e) => e.detail,
  );
}

/** The run's observed RPO: its latest preflight re-run's, else its first preflight's. */
export function observedRpo(
  steps: ReadonlyMap<number, StepEntry>,
  rechecks: readonly RecheckEntry[],
): number | null | undefined {
  const last = [...rechecks].reverse().find((r) => r.ok);
  if (last) return last.replicationLatencyMs;
  const pre = [...steps.values()].find((s) => s.stepId === 'preflight' && s.status === 'done');
  if (!pre) return undefined;
  const v = pre.data?.replicationLatencyMs;
  return typeof v === 'number' ? v : null;
}
