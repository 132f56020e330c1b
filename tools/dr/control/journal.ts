import { randomBytes } from 'node:crypto';
import { OperationKind } from '../operation';
import { keys } from './keys';
import { ControlTable, ifConditionHolds } from './table';

/** The header of one run of an operation (`journal#<runId>` / `run`). */
export interface RunRecord {
  readonly runId: string;
  readonly operation: OperationKind;
  readonly environment: string;
  readonly from: string;
  readonly to: string;
  /** ISO time; also the prefix of the run's audit keys, so audit records sort by run. */
  readonly startedAt: string;
  /** `aborted`: closed by `dr abort` before its flip (nothing left fenced). */
  readonly status: 'running' | 'completed' | 'refused' | 'aborted';
  /** `user@host` of the invocation that started the run. */
  readonly owner: string;
  /** Set when preflight was overridden with `--force --reason`. */
  readonly forceReason?: string;
  readonly completedAt?: string;
}

/** One step's journal entry (`journal#<runId>` / `step#NN`). */
export interface StepEntry {
  readonly n: number;
  readonly stepId: string;
  readonly title: string;
  readonly status: 'running' | 'done';
  readonly attempts: number;
  readonly firstStartedAt: string;
  readonly completedAt?: string;
  /** Duration of the attempt that completed the step. */
  readonly durationMs?: number;
  readonly detail?: string;
  readonly data?: Record<string, unknown>;
  /** The invocation that last started it (only it may complete it), and its owner. */
  readonly invocation?: string;
  readonly owner?: string;
}

/** Who is recorded as running a step. */
export interface StepRunner {
  readonly invocation: string;
  readonly owner: string;
}

/**
 * Preflight re-run by an invocation resuming the run before its flip (`journal#<runId>` /
 * `recheck#<invocation>`): the latest one is the run's observed RPO.
 */
export interface RecheckEntry {
  readonly invocation: string;
  readonly owner: string;
  readonly at: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly replicationLatencyMs: number | null;
  readonly forceReason?: string;
}

/** One audit record (`audit` / `<run start>#<runId>#step#NN`), written once per completed step. */
export interface AuditRecord {
  readonly runId: string;
  readonly operation: OperationKind;
  readonly environment: string;
  readonly from: string;
  readonly to: string;
  readonly owner: string;
  readonly n?: number;
  readonly stepId: string;
  readonly at: string;
  readonly durationMs?: number;
  readonly detail: string;
  readonly forceReason?: string;
  readonly data?: Record<string, unknown>;
}

/** A new run id, e.g. `failover-20250301T031522Z-9f3a`. */
export function newRunId(kind: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${kind}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Thrown when the journal holds a run that this invocation may not start or resume. */
export class JournalConflict extends Error {
  override name = 'JournalConflict';
}

/**
 * The run journal in the target region's control table: one header per run, one entry per step,
 * a pointer to the unfinished run (so a re-run resumes it) and the audit log.
 */
export class Journal {
  constructor(readonly table: ControlTable) {}

  /** The unfinished run, if any. */
  async openRun(): Promise<RunRecord | undefined> {
    const pointer = await this.table.get<{ runId: string }>(keys.openRun());
    return pointer ? this.getRun(pointer.runId) : undefined;
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const item = await this.table.get(keys.run(runId));
    return item ? stripKeys<RunRecord>(item) : undefined;
  }

  /**
   * Creates the run and claims the open-run pointer. When another run already holds the pointer,
   * nothing is written and that run is returned instead (the caller resumes or refuses it).
   */
  async createRun(run: RunRecord): Promise<{ readonly run: RunRecord; readonly created: boolean }> {
    const claimed = await this.table.putIfAbsent({
      ...keys.openRun(),
      runId: run.runId,
      operation: run.operation,
      startedAt: run.startedAt,
    });
    if (!claimed) {
      const other = await this.openRun();
      if (!other) throw new JournalConflict('the open-run pointer names a run with no journal header');
      return { run: other, created: false };
    }
    await this.table.putIfAbsent({ ...keys.run(run.runId), ...run });
    return { run, created: true };
  }

  async steps(runId: string): Promise<Map<number, StepEntry>> {
    const items = await this.table.query(keys.journalPk(runId));
    const steps = new Map<number, StepEntry>();
    for (const item of items) {
      if (String(item.sk).startsWith('step#')) {
        const entry = stripKeys<StepEntry>(item);
        steps.set(entry.n, entry);
      }
    }
    return steps;
  }

  /**
   * Records that `by` runs step `n` (it alone may complete it). False, writing nothing, when the step
   * is already done (another invocation completed it meanwhile).
   */
  async startStep(
    runId: string,
    n: number,
    stepId: string,
    title: string,
    at: string,
    by: StepRunner,
  ): Promise<boolean> {
    return ifConditionHolds(() =>
      this.table.update(keys.step(runId, n), {
        UpdateExpression:
          'SET n = :n, stepId = :id, title = :t, #s = :running, invocation = :inv, #o = :owner, firstStartedAt = if_not_exists(firstStartedAt, :at) ADD attempts :one',
        ConditionExpression: 'attribute_not_exists(#s) OR #s <> :done',
        ExpressionAttributeNames: { '#s': 'status', '#o': 'owner' },
        ExpressionAttributeValues: {
          ':n': n,
          ':id': stepId,
          ':t': title,
          ':running': 'running',
          ':done': 'done',
          ':at': at,
          ':one': 1,
          ':inv': by.invocation,
          ':owner': by.owner,
        },
      }),
    );
  }

  /** Whether `invocation` is still the one recorded as running step `n` (not taken over meanwhile). */
  async runsStep(runId: string, n: number, invocation: string): Promise<boolean> {
    return ifConditionHolds(() =>
      this.table.update(keys.step(runId, n), {
        UpdateExpression: 'SET invocation = :inv',
        ConditionExpression: 'invocation = :inv AND #s <> :done',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':inv': invocation, ':done': 'done' },
      }),
    );
  }

  async step(runId: string, n: number): Promise<StepEntry | undefined> {
    const item = await this.table.get(keys.step(runId, n));
    return item ? stripKeys<StepEntry>(item) : undefined;
  }

  /**
   * Marks step `n` done with its result, only if `invocation` still runs it: false (nothing written)
   * when another invocation took it over meanwhile, so it cannot overwrite that one's result.
   */
  async completeStep(
    runId: string,
    n: number,
    result: {
      readonly completedAt: string;
      readonly durationMs: number;
      readonly detail: string;
      readonly data?: Record<string, unknown>;
    },
    invocation: string,
  ): Promise<boolean> {
    return ifConditionHolds(() =>
      this.table.update(keys.step(runId, n), {
        UpdateExpression: 'SET #s = :done, completedAt = :at, durationMs = :ms, detail = :d, #data = :data',
        ConditionExpression: 'invocation = :inv',
        ExpressionAttributeNames: { '#s': 'status', '#data': 'data' },
        ExpressionAttributeValues: {
          ':inv': invocation,
          ':done': 'done',
          ':at': result.completedAt,
          ':ms': Math.round(result.durationMs),
          ':d': result.detail,
          ':data': result.data ?? {},
        },
      }),
    );
  }

  /** Writes the audit record of a completed step once (a re-run after a crash finds it and writes nothing). */
  async auditStep(run: RunRecord, n: number, record: AuditRecord): Promise<boolean> {
    return this.table.putIfAbsent({ ...keys.auditStep(run.startedAt, run.runId, n), ...record });
  }

  /** Records a resuming invocation's preflight re-run, audited once per invocation. */
  async recordRecheck(run: RunRecord, entry: RecheckEntry, audit: AuditRecord): Promise<void> {
    await this.table.put({ ...keys.recheck(run.runId, entry.invocation), ...entry });
    await this.table.putIfAbsent({
      ...keys.auditRecheck(run.startedAt, run.runId, entry.invocation),
      ...audit,
    });
  }

  /** The preflight re-runs of a run, oldest first. */
  async rechecks(runId: string): Promise<RecheckEntry[]> {
    return (await this.table.query(keys.journalPk(runId)))
      .filter((i) => String(i.sk).startsWith('recheck#'))
      .map((i) => stripKeys<RecheckEntry>(i))
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  async audit(): Promise<AuditRecord[]> {
    return (await this.table.query(keys.auditPk())).map((i) => stripKeys<AuditRecord>(i));
  }

  /** Marks the run completed and frees the open-run pointer. */
  async completeRun(run: RunRecord, at: string): Promise<void> {
    await this.table.update(keys.run(run.runId), {
      UpdateExpression: 'SET #s = :c, completedAt = if_not_exists(completedAt, :at)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':c': 'completed', ':at': at },
    });
    await this.freePointer(run.runId);
  }

  /** A refused preflight closes the run (nothing was changed) and records the refusal in the audit. */
  async refuseRun(run: RunRecord, record: AuditRecord): Promise<void> {
    await this.table.putIfAbsent({ ...keys.auditRefused(run.startedAt, run.runId), ...record });
    await this.table.update(keys.run(run.runId), {
      UpdateExpression: 'SET #s = :r, completedAt = :at',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':r': 'refused', ':at': record.at },
    });
    await this.freePointer(run.runId);
  }

  /** `dr abort`: closes a run whose flip never happened, audited once. */
  async abortRun(run: RunRecord, record: AuditRecord): Promise<void> {
    await this.table.putIfAbsent({ ...keys.auditAborted(run.startedAt, run.runId), ...record });
    await this.table.update(keys.run(run.runId), {
      UpdateExpression: 'SET #s = :a, completedAt = :at',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':a': 'aborted', ':at': record.at },
    });
    await this.freePointer(run.runId);
  }

  /**
   * Reopens a run a refusal or `dr abort` closed, for a retry under the same id (a drill's half,
   * issue 16 finding 12): claims the open-run pointer and sets it running again. False (nothing
   * changed) when another run holds the pointer or the run is not closed that way.
   */
  async reopenRun(run: RunRecord): Promise<boolean> {
    const claimed = await this.table.putIfAbsent({
      ...keys.openRun(),
      runId: run.runId,
      operation: run.operation,
      startedAt: run.startedAt,
    });
    if (!claimed) return false;
    return ifConditionHolds(() =>
      this.table.update(keys.run(run.runId), {
        UpdateExpression: 'SET #s = :running REMOVE completedAt',
        ConditionExpression: '#s IN (:refused, :aborted)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':running': 'running', ':refused': 'refused', ':aborted': 'aborted' },
      }),
    ).then(async (ok) => {
      if (!ok) await this.freePointer(run.runId);
      return ok;
    });
  }

  private async freePointer(runId: string): Promise<void> {
    await ifConditionHolds(() =>
      this.table.delete(keys.openRun(), {
        ConditionExpression: 'runId = :id',
        ExpressionAttributeValues: { ':id': runId },
      }),
    );
  }
}

export function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}
