import type { OpenDrillRecord } from './drill';
import { Journal } from './control/journal';
import { keys } from './control/keys';
import { LockRecord } from './control/lock';
import { ControlTable } from './control/table';
import { OperationKind } from './operation';
import { planSteps } from './steps';

/** The unfinished run one region's replica points at (`runbook#open-run`), and where it stands. */
export interface OpenRunView {
  readonly runId: string;
  readonly operation: OperationKind;
  readonly from: string;
  readonly to: string;
  readonly startedAt: string;
  readonly owner: string;
  /**
   * The first step not done: `running` when its journal entry says so (in progress, or the process
   * died in it), else `next`. Undefined when every step is done (it is closing).
   */
  readonly step?: {
    readonly n: number;
    readonly of: number;
    readonly id: string;
    readonly state: 'running' | 'next';
  };
}

/** The runbook's own items in one region's replica of the control table (issue 16 finding 13). */
export interface RunbookState {
  readonly lock:
    | (Pick<LockRecord, 'runId' | 'operation' | 'owner' | 'acquiredAt' | 'expiresAt'> & {
        /** The lease's expiry is past by this machine's clock (a crashed or finished holder; display only). */
        readonly lapsed: boolean;
      })
    | null;
  readonly openRun: OpenRunView | null;
  readonly openDrill: OpenDrillRecord | null;
}

/** Reads the lock, the open run (with its current step) and the open drill from `control`. Read-only. */
export async function probeRunbook(control: ControlTable, now: Date): Promise<RunbookState> {
  const journal = new Journal(control);
  const [lock, run, openDrill] = await Promise.all([
    control.get<LockRecord>(keys.lock()),
    journal.openRun(),
    control.get<OpenDrillRecord>(keys.openDrill()),
  ]);
  let openRun: OpenRunView | null = null;
  if (run) {
    const steps = await journal.steps(run.runId);
    const plan = planSteps(run.operation);
    const i = plan.findIndex((_, k) => steps.get(k + 1)?.status !== 'done');
    openRun = {
      runId: run.runId,
      operation: run.operation,
      from: run.from,
      to: run.to,
      startedAt: run.startedAt,
      owner: run.owner,
      ...(i >= 0
        ? {
            step: {
              n: i + 1,
              of: plan.length,
              id: plan[i].id,
              state: steps.get(i + 1)?.status === 'running' ? 'running' : 'next',
            },
          }
        : {}),
    };
  }
  return {
    lock: lock
      ? {
          runId: lock.runId,
          operation: lock.operation,
          owner: lock.owner,
          acquiredAt: lock.acquiredAt,
          expiresAt: lock.expiresAt,
          lapsed: lock.expiresAt <= now.getTime(),
        }
      : null,
    openRun,
    openDrill: openDrill
      ? { drillId: openDrill.drillId, startedAt: openDrill.startedAt, from: openDrill.from, to: openDrill.to }
      : null,
  };
}
