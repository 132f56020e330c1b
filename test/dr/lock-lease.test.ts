import { keys } from '../../tools/dr/control/keys';
import { LockOptions, LockRecord, RunbookLock } from '../../tools/dr/control/lock';
import { ControlTable } from '../../tools/dr/control/table';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { OperationResult, runOperation } from '../../tools/dr/runner';
import { failover, journalIn, runnerDeps, sideEffects, startLocal } from './helpers';

/** Issue 16 finding 4: the lease is judged on its record version and a locally measured duration. */

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

const AHEAD_MS = 120_000;
const tables = () => ({
  target: journalIn(env, 'us-east-1').table,
  other: journalIn(env, 'us-west-2').table,
});
function lock(invocation: string, o: Partial<LockOptions> & { lines?: string[] } = {}): RunbookLock {
  return new RunbookLock(tables(), {
    runId: 'run-1',
    operation: 'failover',
    owner: `${invocation}@host`,
    invocation,
    leaseMs: 600,
    waitMs: 0,
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    log: (l) => o.lines?.push(l),
    ...o,
  });
}
const holder = async (t: ControlTable) => (await t.get<LockRecord>(keys.lock()))?.invocation;

describe('a second invocation whose clock runs 120 s ahead', () => {
  test('does not take a live lease: refused once it sees the lease renewed, naming its owner', async () => {
    // GIVEN invocation A holds the lock (600 ms lease, renewed while it lives)
    const a = lock('inv-a');
    await a.acquire();
    try {
      // WHEN B, 120 s ahead (A's expiresAt is in B's past), may wait up to 3 s for a crashed lease
      const b = lock('inv-b', { now: () => Date.now() + AHEAD_MS, waitMs: 3000 });
      const t0 = performance.now();
      await expect(b.acquire()).rejects.toThrow(
        /^run run-1 is being driven by another invocation \(inv-a@host, invocation inv-a\): its lease is being renewed/,
      );
      // THEN it is refused as soon as a renewal shows (A renews every 200 ms), and A still holds both copies
      expect(performance.now() - t0).toBeLessThan(1500);
      expect(await holder(tables().target)).toBe('inv-a');
      expect(await holder(tables().other)).toBe('inv-a');
      expect(() => a.assertHeld()).not.toThrow();
    } finally {
      a.stopHeartbeat();
    }
  });

  test('takes a crashed lease only after watching it unrenewed for the lease, on its own clock', async () => {
    // GIVEN A crashed: its lease is no longer renewed, and was not handed back
    const a = lock('inv-a');
    await a.acquire();
    a.stopHeartbeat();
    const lines: string[] = [];
    const b = lock('inv-b', { now: () => Date.now() + AHEAD_MS, waitMs: 3000, lines });
    const t0 = performance.now();
    // WHEN
    const taken = await b.acquire();
    b.stopHeartbeat();
    // THEN after at least one lease (600 ms) measured by B
    expect(performance.now() - t0).toBeGreaterThanOrEqual(600);
    expect(taken.heldIn).toEqual(['us-east-1', 'us-west-2']);
    expect(await holder(tables().target)).toBe('inv-b');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {4}the lease of invocation inv-a \(inv-a@host\) of this run: watching it for 0\.6 s; a crashed invocation does not renew it$/,
      ),
    );
  });

  test('a lease handed back (failed step) is taken at once', async () => {
    const a = lock('inv-a');
    await a.acquire();
    await a.handBack();
    const b = lock('inv-b', { now: () => Date.now() + AHEAD_MS, waitMs: 3000 });
    const t0 = performance.now();
    await b.acquire();
    b.stopHeartbeat();
    expect(performance.now() - t0).toBeLessThan(500);
    expect(await holder(tables().target)).toBe('inv-b');
  });
});

describe('two invocations of one failover, the second 120 s ahead', () => {
  test('the second is refused before any side effect; the first completes alone', async () => {
    const op = failover(env);
    let second: OperationResult | undefined;
    let effectsBefore = sideEffects(env);
    const first = await runOperation(
      runnerDeps(env, {
        lease: { leaseMs: 600, waitMs: 0 },
        afterEffect: async (ref) => {
          if (ref.id !== 'scale-up') return;
          effectsBefore = sideEffects(env);
          second = await runOperation(
            runnerDeps(env, {
              now: () => new Date(Date.now() + AHEAD_MS),
              lease: { leaseMs: 600, waitMs: 3000 },
            }),
            { op, dryRun: false },
          );
        },
      }),
      { op, dryRun: false },
    );
    expect(second?.status).toBe('refused');
    expect(second?.error).toMatch(
      /^LockRefused: run failover-\S+ is being driven by another invocation \(test@jest, invocation inv-/,
    );
    expect(second?.steps.find((s) => s.id === 'scale-up')?.status).not.toBe('done');
    expect(first.status).toBe('completed');
    // the second made no Kubernetes patch, ARC call or notification of its own
    expect(sideEffects(env)).toEqual({ ...effectsBefore, arcUpdates: 1, notifications: 1 });
  });
});
