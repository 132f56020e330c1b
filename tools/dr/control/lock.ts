import { OperationKind } from '../operation';
import { keys } from './keys';
import { atVersion, newRvn, renewEveryMs, versionOf, watchPollMs } from './lease';
import { lockRefusal, LockRefused } from './lock-refusal';
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
  /**
   * Epoch milliseconds by the HOLDER's clock: shown to people, never compared with another machine's
   * clock (see {@link RunbookLock}).
   */
  readonly expiresAt: number;
  /** Record version number: rewritten by every renewal (the Lock Client's `rvn`). */
  readonly rvn?: string;
  /** The holder's lease: a contender watches an unchanged `rvn` this long before taking over. */
  readonly leaseMs?: number;
  /** Set when the holder handed the lease back (after a failed step): free to take at once. */
  readonly handedBack?: boolean;
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

export { LockRefused } from './lock-refusal';

export interface LockOptions {
  readonly runId: string;
  readonly operation: OperationKind;
  readonly owner: string;
  readonly invocation: string;
  /** Lease length; the holder renews it every third of it. @default 60 000 */
  readonly leaseMs: number;
  /**
   * How long to watch the lease of another invocation (a crashed process) before refusing; taking it
   * over needs a whole unrenewed lease within this. @default leaseMs + 5 000
   */
  readonly waitMs: number;
  /** Wall clock: only for the `expiresAt` and `acquiredAt` shown to people. */
  readonly now: () => number;
  /** The clock leases are measured on. @default performance.now */
  readonly monotonic?: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
}

/** What a replica's lock item holds, before this invocation writes it. */
type Held = LockRecord | undefined;

/**
 * The runbook lock: a conditional write with owner and lease, in BOTH regions' replicas of the
 * control table. A global table checks conditions only in the replica written to (last writer wins
 * across regions), so a lock in one replica would let a failover (locking in DR) and a failback
 * (locking in primary) both hold "the" lock. The target's replica is locked first, then the other's:
 *
 * - the other replica held by another run: ours is deleted again and the run refused;
 * - the other region unreachable (the disaster case): the run proceeds with the target's lock only,
 *   and says so (`lock held in one region only (other unreachable)`, in the journal and audit).
 *
 * The lease follows the DynamoDB Lock Client (tools/dr/control/lease.ts): no machine's clock is
 * compared with another's. The holder rewrites the record version (`rvn`) on every renewal and
 * counts its own lease on its monotonic clock. Another invocation (of this run or another) watches
 * the `rvn`: a change means a live holder, refused at once naming it; unchanged for a whole lease
 * (measured on the contender's monotonic clock) means a crashed holder, taken over with a write
 * conditional on that `rvn`. A lease handed back after a failed step is taken at once.
 */
export class RunbookLock {
  private timer?: NodeJS.Timeout;
  /** Monotonic time until which this invocation's lease runs. */
  private heldUntil = 0;
  private heldUntilWall = 0;
  private lost?: Error;
  private otherHeld = false;
  /** This invocation took the lock without the other region, which did not answer. */
  private otherUnreachable = false;
  private readonly table: ControlTable;
  private readonly other?: ControlTable;
  private readonly mono: () => number;

  constructor(
    tables: ControlTable | LockTables,
    private readonly opts: LockOptions,
  ) {
    if (tables instanceof ControlTable) this.table = tables;
    else ({ target: this.table, other: this.other } = tables);
    this.mono = opts.monotonic ?? (() => performance.now());
  }

  async read(): Promise<LockRecord | undefined> {
    return this.table.get<LockRecord>(keys.lock());
  }

  /**
   * Takes (or renews) the lock for this run in both regions and starts the heartbeat. Idempotent.
   * `otherUnreachable`: preflight found the other region unreachable (why): it is not called again.
   */
  async acquire(known: { readonly otherUnreachable?: string } = {}): Promise<AcquiredLock> {
    const record = await this.take(this.table, true);
    // Renewed from the target's put on: the other region may take a bounded 10 s to fail.
    this.startHeartbeat();
    const other = await this.acquireOther(known.otherUnreachable);
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
  private async acquireOther(unreachable?: string): Promise<'held' | 'none' | string> {
    const other = this.other;
    if (!other) return 'none';
    if (unreachable !== undefined) {
      this.otherHeld = false;
      this.otherUnreachable = true;
      const reason = `lock held in one region only (other unreachable): ${other.region}: ${unreachable} (found by preflight; not called)`;
      this.opts.log(`    ${reason}`);
      return reason;
    }
    try {
      await this.take(other, false);
    } catch (err) {
      if (err instanceof LockRefused) {
        await this.deleteOwn(this.table);
        this.stopHeartbeat();
        throw err;
      }
      this.otherHeld = false;
      this.otherUnreachable = true;
      const reason = `lock held in one region only (other unreachable): ${other.region}: ${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;
      this.opts.log(`    ${reason}`);
      return reason;
    }
    this.otherHeld = true;
    this.otherUnreachable = false;
    return 'held';
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

  /** The record this invocation writes, with a new version. */
  private record(existing: Held): LockRecord {
    const t = this.opts.now();
    return {
      runId: this.opts.runId,
      operation: this.opts.operation,
      owner: this.opts.owner,
      invocation: this.opts.invocation,
      acquiredAt:
        existing?.invocation === this.opts.invocation ? existing.acquiredAt : new Date(t).toISOString(),
      expiresAt: t + this.opts.leaseMs,
      rvn: newRvn(),
      leaseMs: this.opts.leaseMs,
    };
  }

  /**
   * Takes `table`'s lock item: free, ours, handed back, or (the other replica only, this run holding
   * the target's) left by a crashed invocation of this run, it is written at once; otherwise its
   * holder's `rvn` is watched (see {@link RunbookLock}). Throws {@link LockRefused}.
   */
  private async take(table: ControlTable, isTarget: boolean): Promise<LockRecord> {
    const { waitMs, invocation, runId } = this.opts;
    const started = this.mono();
    let watched: { readonly version: string; readonly since: number; readonly leaseMs: number } | undefined;
    for (;;) {
      const existing = await table.get<LockRecord>(keys.lock());
      const readAt = this.mono();
      const record = this.record(existing);
      const free =
        !existing ||
        existing.invocation === invocation ||
        existing.handedBack === true ||
        (!isTarget && existing.runId === runId);
      if (free) {
        if (await this.write(table, record, existing)) return record;
        continue;
      }
      const version = versionOf(existing);
      const leaseMs = existing.leaseMs ?? this.opts.leaseMs;
      if (watched && watched.version !== version)
        throw lockRefusal(table.region, isTarget, existing, 'renewed', this.opts);
      if (!watched) {
        if (waitMs < leaseMs) throw lockRefusal(table.region, isTarget, existing, 'unknown', this.opts);
        watched = { version, since: readAt, leaseMs };
        this.opts.log(
          `    the lease of invocation ${existing.invocation} (${existing.owner}) of ${existing.runId === runId ? 'this run' : `run ${existing.runId}`}: ` +
            `watching it for ${leaseMs / 1000} s; a crashed invocation does not renew it`,
        );
      }
      if (readAt - watched.since >= watched.leaseMs) {
        if (await this.write(table, record, existing)) {
          this.opts.log(
            `    not renewed for ${((readAt - watched.since) / 1000).toFixed(1)} s: taken over from invocation ${existing.invocation} (${existing.owner})`,
          );
          return record;
        }
        continue;
      }
      if (readAt - started > waitMs)
        throw lockRefusal(table.region, isTarget, existing, 'unknown', this.opts);
      await this.opts.sleep(Math.min(watchPollMs(leaseMs), watched.since + watched.leaseMs - readAt + 1));
    }
  }

  /** Writes `record` over `existing` (absent, ours, or at the version read); false when it changed. */
  private async write(table: ControlTable, record: LockRecord, existing: Held): Promise<boolean> {
    const t0 = this.mono();
    const condition = !existing
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : existing.invocation === this.opts.invocation
        ? {
            ConditionExpression: 'invocation = :inv',
            ExpressionAttributeValues: { ':inv': record.invocation },
          }
        : atVersion(existing);
    const ok = await ifConditionHolds(() => table.put({ ...keys.lock(), ...record }, condition));
    if (ok && table === this.table) {
      this.heldUntil = t0 + this.opts.leaseMs;
      this.heldUntilWall = record.expiresAt;
      this.lost = undefined;
    }
    return ok;
  }

  private startHeartbeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.renew(), renewEveryMs(this.opts.leaseMs));
    this.timer.unref();
  }

  /** The update of a renewal: a new `rvn` and expiry, if this invocation still holds it. */
  private renewal(leaseMs: number) {
    return {
      UpdateExpression: 'SET expiresAt = :exp, rvn = :rvn',
      ConditionExpression: 'invocation = :inv',
      ExpressionAttributeValues: {
        ':exp': this.opts.now() + leaseMs,
        ':rvn': newRvn(),
        ':inv': this.opts.invocation,
      },
    };
  }

  private async renew(): Promise<void> {
    const t0 = this.mono();
    const update = this.renewal(this.opts.leaseMs);
    try {
      const ok = await ifConditionHolds(() => this.table.update(keys.lock(), update));
      if (ok) {
        this.heldUntil = t0 + this.opts.leaseMs;
        this.heldUntilWall = update.ExpressionAttributeValues[':exp'];
      } else
        this.lost = new LockRefused(
          'the runbook lock was taken by another invocation while this run held it',
        );
    } catch (err) {
      // A failed renewal is not fatal until the lease lapses: assertHeld() checks heldUntil.
      this.opts.log(`    lock renewal failed: ${(err as Error).message}`);
    }
    if (this.otherHeld && this.other) await this.renewOther(this.other);
  }

  /** Renews the other region's copy; losing it to another run is fatal, an unreachable region is not. */
  private async renewOther(other: ControlTable): Promise<void> {
    try {
      const ok = await ifConditionHolds(() => other.update(keys.lock(), this.renewal(this.opts.leaseMs)));
      if (!ok)
        this.lost = new LockRefused(
          `the runbook lock in ${other.region}'s replica was taken by another run while this run held it`,
        );
    } catch (err) {
      this.opts.log(`    lock renewal in ${other.region} failed: ${(err as Error).message}`);
    }
  }

  /** Throws when the lease was lost or has lapsed (on the monotonic clock); called before every step that needs the lock. */
  assertHeld(): void {
    if (this.lost) throw this.lost;
    if (this.mono() > this.heldUntil) {
      throw new LockRefused(
        `the runbook lock lease lapsed at ${new Date(this.heldUntilWall).toISOString()} (not renewed within ${this.opts.leaseMs / 1000} s)`,
      );
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
          UpdateExpression: 'SET expiresAt = :now, handedBack = :yes, rvn = :rvn',
          ConditionExpression: 'invocation = :inv',
          ExpressionAttributeValues: {
            ':now': this.opts.now() - 1,
            ':yes': true,
            ':rvn': newRvn(),
            ':inv': this.opts.invocation,
          },
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
    // Not locked there because it did not answer: do not wait on it again (finding 10).
    if (this.otherUnreachable) {
      return { target, other: 'not locked (unreachable when the lock was taken); nothing to release' };
    }
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
