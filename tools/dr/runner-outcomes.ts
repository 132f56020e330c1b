import { RunbookOutputs } from '../../stacks/outputs';
import { formatMs, Progress } from '../lib/progress';
import { drillRunRefusal } from './drill-next';
import { Journal, RunRecord, StepEntry } from './control/journal';
import { Operation } from './operation';
import { planSteps, Step } from './steps';

import { OperationRequest, OperationResult, StepReport } from './runner-types';

/* The runner's outcomes other than a run: taken over, incompatible, refused or journal-less (tools/dr/runner.ts). */

/** Why this invocation may not run step `n`: another invocation `what` it meanwhile (finding 11). */
export async function takenOver(
  journal: Journal,
  run: RunRecord,
  n: number,
  step: Step,
  what: 'completed' | 'taken over',
): Promise<string> {
  const e = await journal.step(run.runId, n).catch(() => undefined);
  const who = e?.invocation
    ? `invocation ${e.invocation} (${e.owner ?? 'unknown owner'})`
    : 'another invocation';
  return (
    `step ${n} (${step.id}) was ${what} by ${who} while this invocation ${what === 'completed' ? 'was about to run' : 'ran'} it: ` +
    `that invocation drives run ${run.runId}; this one stops without changing anything more`
  );
}

/**
 * Why this invocation may not start or resume over `run`: another operation, or (issue 16 finding 12)
 * a drill's half met by a plain `failover` / `failback` (`runId` undefined), which must not adopt it.
 */
export function incompatible(
  run: RunRecord,
  op: Operation,
  environment: string,
  runId?: string,
): string | undefined {
  const drill =
    runId === undefined || run.runId !== runId ? drillRunRefusal(environment, op.kind, run) : undefined;
  if (drill) return drill;
  if (run.operation !== op.kind || run.from !== op.from || run.to !== op.to) {
    return (
      `an unfinished ${run.operation} run ${run.runId} (${run.from} -> ${run.to}, started ${run.startedAt} by ${run.owner}) ` +
      `is in the journal in ${op.to}; finish it first by re-running \`dr ${run.operation}\``
    );
  }
  return undefined;
}

export function refusedBeforeStart(
  progress: Progress,
  base: Pick<OperationResult, 'operation' | 'environment' | 'from' | 'to'>,
  steps: readonly Step[],
  op: Operation,
  reason: string,
  errorName = 'JournalConflict',
): OperationResult {
  progress.log(`refused: ${reason}`);
  return {
    ...base,
    status: 'refused',
    resumed: false,
    steps: steps.map((s, i) => ({ n: i + 1, id: s.id, title: s.title(op), status: 'pending' })),
    rtoMs: 0,
    error: `${errorName}: ${reason}`,
  };
}

/**
 * The result of an operation whose journal could not be read or written before its first step:
 * `failed`, every step `not-run`, the error naming the control table and region. Nothing changed.
 */
export function journalUnavailable(
  progress: Progress,
  outputs: RunbookOutputs,
  op: Operation,
  req: Pick<OperationRequest, 'runId' | 'forceReason'>,
  err: Error,
): OperationResult {
  const base = { operation: op.kind, environment: outputs.environment, from: op.from, to: op.to };
  const steps = planSteps(op.kind);
  progress.log(`failed: ${err.message}`);
  progress.log(
    `    no step was run and nothing was changed; fix access to the control table, then re-run the same command`,
  );
  return {
    ...base,
    runId: req.runId,
    status: 'failed',
    resumed: false,
    steps: steps.map((s, i) => ({ n: i + 1, id: s.id, title: s.title(op), status: 'not-run' })),
    rtoMs: 0,
    forceReason: req.forceReason,
    error: err.message,
  };
}

export function skipped(
  progress: Progress,
  name: string,
  n: number,
  step: Step,
  entry: StepEntry,
): StepReport {
  const ms = entry.durationMs ?? 0;
  progress.steps.push({ name, status: 'skipped', ms, detail: entry.detail });
  progress.log(
    `[${progress.steps.length}] ${name} ... done earlier (${formatMs(ms)}) - ${entry.detail ?? ''}`,
  );
  return { n, id: step.id, title: entry.title, status: 'done-earlier', ms, detail: entry.detail };
}
