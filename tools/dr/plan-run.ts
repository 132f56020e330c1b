import { Journal, RunRecord, StepEntry } from './control/journal';
import { RunbookLock } from './control/lock';
import { ControlTable } from './control/table';
import type { OperationRequest, OperationResult, RunnerDeps, StepReport } from './runner';
import { Step } from './steps';
import { checkLine, runPreflightChecks } from './steps/preflight';
import { PreviewContext } from './steps/step';
import { flipStarted } from './resume';

/**
 * `--dry-run` of an operation (moved out of ./runner.ts): the read-only preflight checks, the steps,
 * and under each step still to run the changes it would make (`Step.preview`: the scale-up's planned
 * replicas and table floors). Writes nothing anywhere.
 */

/** A step's preview, or one line saying why it could not be read (a dry run never fails on it). */
async function previewOf(step: Step, ctx: PreviewContext): Promise<readonly string[] | undefined> {
  if (!step.preview) return undefined;
  try {
    return await step.preview(ctx);
  } catch (err) {
    return [`(preview unavailable: ${(err as Error).name}: ${(err as Error).message.split('\n')[0]})`];
  }
}

export interface PlanState {
  readonly journal: Journal;
  readonly control: ControlTable;
  readonly otherControl: ControlTable;
  readonly steps: readonly Step[];
  readonly existing?: RunRecord;
  readonly done: Map<number, StepEntry>;
  readonly label: (n: number, s: Step) => string;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

/** `--dry-run`: read-only preflight checks and the list of steps; writes nothing anywhere. */
export async function planRun(
  deps: RunnerDeps,
  req: OperationRequest,
  s: PlanState,
  warnings: readonly string[] = [],
): Promise<OperationResult> {
  const { progress, outputs } = deps;
  const { op } = req;
  progress.log(
    s.existing
      ? `DRY RUN ${op.kind} ${op.from} -> ${op.to}: would resume run ${s.existing.runId} (started ${s.existing.startedAt})`
      : warnings.length > 0
        ? `DRY RUN ${op.kind} ${op.from} -> ${op.to}: journal unreadable, planning as a new run (resume markers unknown); nothing will be written`
        : `DRY RUN ${op.kind} ${op.from} -> ${op.to}: would start a new run; nothing will be written`,
  );
  let wouldRefuse: string[] | undefined;
  // A resume re-runs preflight until its flip is done (finding 3), so the dry run shows it too.
  if (req.dryRunChecks !== false && !flipStarted(s.done, s.steps)) {
    const lock = new RunbookLock(
      { target: s.control, other: s.otherControl },
      {
        runId: 'dry-run',
        operation: op.kind,
        owner: deps.owner,
        invocation: deps.invocation,
        leaseMs: deps.lease.leaseMs,
        waitMs: 0,
        now: () => s.now().getTime(),
        sleep: s.sleep,
        log: () => undefined,
      },
    );
    const placeholder: RunRecord = {
      runId: 'dry-run',
      operation: op.kind,
      environment: outputs.environment,
      from: op.from,
      to: op.to,
      startedAt: s.now().toISOString(),
      status: 'running',
      owner: deps.owner,
    };
    const { checks } = await runPreflightChecks({
      outputs,
      op,
      run: placeholder,
      clients: deps.clients,
      control: s.control,
      lock,
      timings: deps.timings,
      ...(req.ignoreCanaryReason ? { ignoreCanaryReason: req.ignoreCanaryReason } : {}),
      now: s.now,
      sleep: s.sleep,
      log: () => undefined,
    });
    progress.log('preflight checks (read-only):');
    for (const c of checks) progress.log(checkLine(c));
    if (checks.some((c) => !c.ok)) {
      progress.log(
        req.forceReason
          ? `    would be overridden by --force (${req.forceReason})`
          : '    the run would be REFUSED (exit 1)',
      );
      if (!req.forceReason) wouldRefuse = checks.filter((c) => !c.ok).map((c) => checkLine(c).trim());
    }
  }
  const steps: StepReport[] = [];
  for (const [i, step] of s.steps.entries()) {
    const n = i + 1;
    const e = s.done.get(n);
    const title = step.title(op);
    progress.log(`  ${n}. ${title}${e?.status === 'done' ? ' (done earlier, skipped)' : ''}`);
    if (e?.status === 'done') {
      steps.push({ n, id: step.id, title, status: 'done-earlier', ms: e.durationMs, detail: e.detail });
      continue;
    }
    const preview = await previewOf(step, { outputs, op, clients: deps.clients, facts: {} });
    for (const l of preview ?? []) progress.log(`     would: ${l}`);
    steps.push({ n, id: step.id, title, status: 'planned', ...(preview ? { preview } : {}) });
  }
  return {
    operation: op.kind,
    environment: outputs.environment,
    from: op.from,
    to: op.to,
    runId: s.existing?.runId,
    status: 'planned',
    resumed: s.existing !== undefined,
    steps,
    rtoMs: 0,
    forceReason: req.forceReason,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(wouldRefuse ? { wouldRefuse } : {}),
  };
}
