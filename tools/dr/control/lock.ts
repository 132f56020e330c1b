import { OperationKind } from '../operation';
import { keys } from './keys';
import { ControlTable, ifConditionHolds } from './table';

/** The lock item (`runbook#lock` / `lock`). */
export interface LockRecord {
  readonly runId: string;
  readonly operation: OperationKind;
  /** `user@host` of the holder. */
  readonly owner: string;
  /** The process that holds the lease; a resumed run is a new invocation of the same run. */
  readonly invocation: string;
  readonly acquiredAt: string;
  /** Epoch milliseconds; the holder renews it while it runs. */
  readonly expiresAt: number;
}

/** The lock is held by another run, or by a live invocation of this run: refuse (exit 1). */
export class LockRefused extends Error {
  override name = 'LockRefused';
}

export interface LockOptions {
  readonly runId: string;
  readonly operation: OperationKind;
  readonly owner: string;
  readonly invocation: string;
  /** Lease length; the holder renews it every third of it. @default 60 000 */
  readonly leaseMs: number;
  /**
   * How long to wait for the lease of another invocation of the same run (a crashed process) to
   * expire before refusing. @default leaseMs + 5 000
   */
  readonly waitMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
}

/**
 * The runbook lock: a conditional write with owner and expiry on the target region's control table.
 *
 * - Another run never takes it while it is unexpired.
 * - The holder renews its lease (heartbeat); a crashed holder's lease lapses after `leaseMs`, and a
 *   resumed invocation of the same run waits for that (up to `waitMs`) and takes it over.
 * - After a failed step the holder hands the lease back at once, so the re-run resumes immediately.
 */
export class RunbookLock {
  private timer?: NodeJS.Timeout;
  private heldUntil = 0;
  private lost?: Error;

  constructor(
    private readonly table: ControlTable,
    private readonly opts: LockOptions,
  ) {}

  async read(): Promise<LockRecord | undefined> {
    return this.table.get<LockRecord>(keys.lock());
  }

  /** Takes (or renews) the lock for this run and starts the heartbeat. Idempotent. */
  async acquire(): Promise<LockRecord> {
    const { now, sleep, waitMs } = this.opts;
    const deadline = now() + waitMs;
    for (;;) {
      const record = await this.tryAcquire();
      if (record) {
        this.startHeartbeat();
        return record;
      }
      const holder = await this.read();
      if (!holder) continue;
      const until = new Date(holder.expiresAt).toISOString();
      if (holder.runId !== this.opts.runId) {
        throw new LockRefused(
          `the runbook lock is held by run ${holder.runId} (${holder.operation} by ${holder.owner}) until ${until}; ` +
            `wait for it to finish, or for its lease to lapse if it crashed`,
        );
      }
      const waitFor = holder.expiresAt - now() + 100;
      if (now() + waitFor > deadline) {
        throw new LockRefused(
          `run ${this.opts.runId} is being driven by another invocation (${holder.owner}, invocation ${holder.invocation}) ` +
            `whose lease runs until ${until}; if that process has died, re-run after that time`,
        );
      }
      this.opts.log(
        `    waiting ${Math.ceil(waitFor / 1000)} s for the lease of a crashed invocation of this run (until ${until})`,
      );
      await sleep(waitFor);
    }
  }

  private async tryAcquire(): Promise<LockRecord | undefined> {
    const t = this.opts.now();
    const existing = await this.read();
    const record: LockRecord = {
      runId: this.opts.runId,
      operation: this.opts.operation,
      owner: this.opts.owner,
      invocation: this.opts.invocation,
      acquiredAt:
        existing?.invocation === this.opts.invocation ? existing.acquiredAt : new Date(t).toISOString(),
      expiresAt: t + this.opts.leaseMs,
    };
    const ok = await ifConditionHolds(() =>
      this.table.put(
        { ...keys.lock(), ...record },
        {
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR invocation = :inv',
          ExpressionAttributeValues: { ':now': t, ':inv': this.opts.invocation },
        },
      ),
    );
    if (!ok) return undefined;
    this.heldUntil = record.expiresAt;
    this.lost = undefined;
    return record;
  }

  private startHeartbeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.opts.leaseMs / 3)));
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    const t = this.opts.now();
    try {
      const ok = await ifConditionHolds(() =>
        this.table.update(keys.lock(), {
          UpdateExpression: 'SET expiresAt = :exp',
          ConditionExpression: 'invocation = :inv',
          ExpressionAttributeValues: { ':exp': t + this.opts.leaseMs, ':inv': this.opts.invocation },
        }),
      );
      if (ok) this.heldUntil = t + this.opts.leaseMs;
      else
        this.lost = new LockRefused(
          'the runbook lock was taken by another invocation while this run held it',
        );
    } catch (err) {
      // A failed renewal is not fatal until the lease lapses: assertHeld() checks heldUntil.
      this.opts.log(`    lock renewal failed: ${(err as Error).message}`);
    }
  }

  /** Throws when the lease was lost or has lapsed; called before every step that needs the lock. */
  assertHeld(): void {
    if (this.lost) throw this.lost;
    if (this.opts.now() > this.heldUntil) {
      throw new LockRefused(`the runbook lock lease lapsed at ${new Date(this.heldUntil).toISOString()}`);
    }
  }

  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ends the lease now (after a failed step) so the re-run can resume at once. */
  async handBack(): Promise<boolean> {
    this.stopHeartbeat();
    return ifConditionHolds(() =>
      this.table.update(keys.lock(), {
        UpdateExpression: 'SET expiresAt = :now',
        ConditionExpression: 'invocation = :inv',
        ExpressionAttributeValues: { ':now': this.opts.now() - 1, ':inv': this.opts.invocation },
      }),
    );
  }

  /** Deletes the lock if this run holds it; a no-op when it is already gone. */
  async release(): Promise<'released' | 'absent'> {
    this.stopHeartbeat();
    const holder = await this.read();
    if (!holder) return 'absent';
    if (holder.runId !== this.opts.runId) {
      throw new LockRefused(
        `cannot release: the lock is held by run ${holder.runId}, not ${this.opts.runId}`,
      );
    }
    await this.table.delete(keys.lock(), {
      ConditionExpression: 'runId = :id',
      ExpressionAttributeValues: { ':id': this.opts.runId },
    });
    return 'released';
  }
}
