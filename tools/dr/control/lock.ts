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

/** What {@link RunbookLock.acquire} took: the record, and in which regions' replicas. */
export interface AcquiredLock extends LockRecord {
  /** The regions whose replica holds this lock: the target first. */
  readonly heldIn: readonly string[];
  /** Set when the other region could not be reached: the lock is held in the target's replica only. */
  readonly oneRegionOnly?: string;
}

/** The control-table replicas the lock is taken in. */
export interface LockTables {
  /** The target (healthy) region's replica: taken first, and required. */
  readonly target: ControlTable;
  /** The other region's replica: taken second; skipped (and recorded) when unreachable. */
  readonly other?: ControlTable;
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
 * The runbook lock: a conditional write with owner and expiry, in BOTH regions' replicas of the
 * control table. A global table checks conditions only in the replica written to (last writer wins
 * across regions), so a lock in one replica would let a failover (locking in DR) and a failback
 * (locking in primary) both hold "the" lock. The target's replica is locked first, then the other's:
 *
 * - the other replica held by another run: ours is deleted again and the run refused;
 * - the other region unreachable (the disaster case): the run proceeds with the target's lock only,
 *   and says so (`lock held in one region only (other unreachable)`, in the journal and audit).
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
  private otherHeld = false;
  private readonly table: ControlTable;
  private readonly other?: ControlTable;

  constructor(
    tables: ControlTable | LockTables,
    private readonly opts: LockOptions,
  ) {
    if (tables instanceof ControlTable) this.table = tables;
    else ({ target: this.table, other: this.other } = tables);
  }

  async read(): Promise<LockRecord | undefined> {
    return this.table.get<LockRecord>(keys.lock());
  }

  /** Takes (or renews) the lock for this run in both regions and starts the heartbeat. Idempotent. */
  async acquire(): Promise<AcquiredLock> {
    const record = await this.acquireTarget();
    const other = await this.acquireOther(record);
    this.startHeartbeat();
    return {
      ...record,
      heldIn: [this.table.region, ...(other === 'held' && this.other ? [this.other.region] : [])],
      ...(other !== 'held' && other !== 'none' ? { oneRegionOnly: other } : {}),
    };
  }

  /**
   * The other region's replica. Returns `held`, `none` (no other table), or the reason it could not
   * be reached; throws {@link LockRefused} (after deleting the target's lock) when another run holds it.
   */
  private async acquireOther(record: LockRecord): Promise<'held' | 'none' | string> {
    const other = this.other;
    if (!other) return 'none';
    const t = this.opts.now();
    let ok: boolean;
    try {
      ok = await ifConditionHolds(() =>
        other.put(
          { ...keys.lock(), ...record },
          {
            // This run already holds the target's lock, so its own (crashed) invocations yield here.
            ConditionExpression:
              'attribute_not_exists(pk) OR expiresAt < :now OR invocation = :inv OR runId = :run',
            ExpressionAttributeValues: { ':now': t, ':inv': this.opts.invocation, ':run': this.opts.runId },
          },
        ),
      );
    } catch (err) {
      this.otherHeld = false;
      const reason = `lock held in one region only (other unreachable): ${other.region}: ${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;
      this.opts.log(`    ${reason}`);
      return reason;
    }
    if (ok) {
      this.otherHeld = true;
      return 'held';
    }
    const holder = await other.get<LockRecord>(keys.lock()).catch(() => undefined);
    await this.deleteOwn(this.table);
    this.stopHeartbeat();
    throw new LockRefused(
      `the runbook lock in ${other.region}'s replica is held by run ${holder?.runId ?? 'unknown'} ` +
        `(${holder?.operation ?? '?'} by ${holder?.owner ?? '?'}) until ${holder ? new Date(holder.expiresAt).toISOString() : '?'}; ` +
        `a run towards the other region is in progress: let it finish (or its lease lapse), then re-run`,
    );
  }

  /** Deletes this invocation's lock item from `table` (a refused acquisition undoes its first half). */
  private async deleteOwn(table: ControlTable): Promise<void> {
    await ifConditionHolds(() =>
      table.delete(keys.lock(), {
        ConditionExpression: 'invocation = :inv',
        ExpressionAttributeValues: { ':inv': this.opts.invocation },
      }),
    );
  }

  /** The target's replica: waits for a crashed invocation of this run, refuses another run. */
  private async acquireTarget(): Promise<LockRecord> {
    const { now, sleep, waitMs } = this.opts;
    const deadline = now() + waitMs;
    for (;;) {
      const record = await this.tryAcquire();
      if (record) return record;
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
    if (this.otherHeld && this.other) await this.renewOther(this.other, t);
  }

  /** Renews the other region's copy; losing it to another run is fatal, an unreachable region is not. */
  private async renewOther(other: ControlTable, t: number): Promise<void> {
    try {
      const ok = await ifConditionHolds(() =>
        other.update(keys.lock(), {
          UpdateExpression: 'SET expiresAt = :exp',
          ConditionExpression: 'invocation = :inv',
          ExpressionAttributeValues: { ':exp': t + this.opts.leaseMs, ':inv': this.opts.invocation },
        }),
      );
      if (!ok)
        this.lost = new LockRefused(
          `the runbook lock in ${other.region}'s replica was taken by another run while this run held it`,
        );
    } catch (err) {
      this.opts.log(`    lock renewal in ${other.region} failed: ${(err as Error).message}`);
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
    const lapse = (table: ControlTable) =>
      ifConditionHolds(() =>
        table.update(keys.lock(), {
          UpdateExpression: 'SET expiresAt = :now',
          ConditionExpression: 'invocation = :inv',
          ExpressionAttributeValues: { ':now': this.opts.now() - 1, ':inv': this.opts.invocation },
        }),
      );
    const handed = await lapse(this.table);
    if (this.otherHeld && this.other) {
      // The other region may be the impaired one: its copy then lapses on its own within the lease.
      await lapse(this.other).catch((err: Error) =>
        this.opts.log(`    could not hand back the lease in ${this.other?.region}: ${err.message}`),
      );
    }
    return handed;
  }

  /**
   * Deletes the lock in both replicas if this run holds it; a no-op where it is already gone. The
   * other region unreachable is reported, not fatal: its copy lapses with its lease.
   */
  async release(): Promise<{ readonly target: 'released' | 'absent'; readonly other?: string }> {
    this.stopHeartbeat();
    const holder = await this.read();
    if (holder && holder.runId !== this.opts.runId) {
      throw new LockRefused(
        `cannot release: the lock is held by run ${holder.runId}, not ${this.opts.runId}`,
      );
    }
    const own = {
      ConditionExpression: 'runId = :id',
      ExpressionAttributeValues: { ':id': this.opts.runId },
    };
    if (holder) await this.table.delete(keys.lock(), own);
    const target = holder ? 'released' : 'absent';
    const other = this.other;
    if (!other) return { target };
    try {
      const deleted = await ifConditionHolds(() => other.delete(keys.lock(), own));
      return { target, other: deleted ? 'released' : 'absent' };
    } catch (err) {
      return {
        target,
        other: `unreachable (${(err as Error).name}); its copy lapses with the lease (${this.opts.leaseMs / 1000} s)`,
      };
    }
  }
}
