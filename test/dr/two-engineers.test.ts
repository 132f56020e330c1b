import { LocalEnvironment } from '../../tools/dr/local/harness';
import { OperationResult, runOperation } from '../../tools/dr/runner';
import { renewEveryMs } from '../../tools/dr/control/lease';
import { failover, journalIn, runnerDeps, sideEffects, startLocal } from './helpers';

/** Issue 16 finding 11: two engineers run the same failover at once. */

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());

const engineer = (name: string, extra: Parameters<typeof runnerDeps>[1] = {}) =>
  runnerDeps(env, { owner: `${name}@laptop`, invocation: `inv-${name}`, ...extra });

describe('the second engineer starts while the first is scaling up', () => {
  let first: OperationResult;
  let second: OperationResult | undefined;
  let secondMs = 0;
  let secondLines: string[] = [];
  let effectsBefore: object = {};
  let effectsAfter: object = {};
  let rechecks: unknown[] = [];
  let steps: Awaited<ReturnType<ReturnType<typeof journalIn>['steps']>>;
  beforeAll(async () => {
    await env.reset();
    const op = failover(env);
    first = await runOperation(
      engineer('alice', {
        // a 3 s lease, renewed every second; the second may wait up to 8 s for a crashed lease
        lease: { leaseMs: 3000, waitMs: 0 },
        afterEffect: async (ref) => {
          if (ref.id !== 'scale-up') return;
          effectsBefore = sideEffects(env);
          const deps = engineer('bob', { lease: { leaseMs: 3000, waitMs: 8000 } });
          const t0 = performance.now();
          second = await runOperation(deps, { op, dryRun: false });
          secondMs = performance.now() - t0;
          secondLines = deps.lines;
        },
      }),
      { op, dryRun: false },
    );
    effectsAfter = sideEffects(env);
    const journal = journalIn(env, 'us-east-1');
    rechecks = await journal.rechecks(first.runId ?? '');
    steps = await journal.steps(first.runId ?? '');
  });

  test('the second is refused at once (within a renewal), naming the first’s owner, no raw exception', () => {
    expect(second?.status).toBe('refused');
    expect(second?.error).toMatch(
      /^LockRefused: run failover-\S+ is being driven by another invocation \(alice@laptop, invocation inv-alice\): its lease is being renewed; let it finish, or stop that process and re-run$/,
    );
    expect(secondMs).toBeLessThan(renewEveryMs(3000) + 1500);
    expect(secondLines.some((l) => l.includes('waiting'))).toBe(false);
  });

  test('the second changed nothing, and wrote no preflight of its own', () => {
    expect(effectsAfter).toEqual({ ...effectsBefore, arcUpdates: 1, notifications: 1 });
    expect(rechecks).toEqual([]);
    expect(steps.get(1)).toMatchObject({ status: 'done', invocation: 'inv-alice', owner: 'alice@laptop' });
  });

  test('the first completes, and its RPO is its own', () => {
    expect(first).toMatchObject({ status: 'completed', error: undefined });
    expect(first.replicationLatencyMs).toBe(steps.get(1)?.data?.replicationLatencyMs);
  });
});

describe('both engineers in preflight at once', () => {
  test('the later one drives; the earlier is refused with its step taken over, and cannot overwrite the RPO', async () => {
    await env.reset();
    const op = failover(env);
    let bob: OperationResult | undefined;
    const alice = await runOperation(
      engineer('alice', {
        afterEffect: async (ref) => {
          // alice's preflight has run but is not yet recorded: bob starts and runs the whole failover
          if (ref.id === 'preflight' && !bob)
            bob = await runOperation(engineer('bob'), { op, dryRun: false });
        },
      }),
      { op, dryRun: false },
    );
    expect(bob).toMatchObject({ status: 'completed', resumed: true, runId: alice.runId });
    expect(alice.status).toBe('refused');
    expect(alice.error).toBe(
      `JournalConflict: step 1 (preflight) was taken over by invocation inv-bob (bob@laptop) while this invocation ran it: ` +
        `that invocation drives run ${alice.runId}; this one stops without changing anything more`,
    );
    const journal = journalIn(env, 'us-east-1');
    const steps = await journal.steps(alice.runId ?? '');
    expect(steps.get(1)).toMatchObject({ invocation: 'inv-bob', status: 'done' });
    const audit = (await journal.audit()).filter((a) => a.runId === alice.runId && a.n === 1);
    expect(audit).toEqual([expect.objectContaining({ owner: 'bob@laptop' })]);
    expect(sideEffects(env)).toEqual({ patches: 3, arcUpdates: 1, notifications: 1 });
  });
});

describe('the first finishes while the second watches its lease', () => {
  test('the second re-checks the run after taking the lock: completed, nothing redone, exit 0', async () => {
    await env.reset();
    const op = failover(env);
    let bob: Promise<OperationResult> | undefined;
    const bobLines: string[] = [];
    const alice = await runOperation(
      engineer('alice', {
        // a 6 s lease: alice's next renewal (2 s) comes after she has finished
        lease: { leaseMs: 6000, waitMs: 0 },
        afterEffect: async (ref) => {
          if (ref.id !== 'verify') return;
          const deps = engineer('bob', { lease: { leaseMs: 6000, waitMs: 11_000 } });
          bob = runOperation(deps, { op, dryRun: false }).finally(() => bobLines.push(...deps.lines));
          await new Promise((r) => setTimeout(r, 150));
        },
      }),
      { op, dryRun: false },
    );
    const effects = sideEffects(env);
    const second = await bob;
    expect(alice.status).toBe('completed');
    expect(second).toMatchObject({ status: 'completed', runId: alice.runId, error: undefined });
    expect(second?.steps.map((s) => s.status)).toEqual(Array(8).fill('done-earlier'));
    expect(bobLines).toContainEqual(
      expect.stringMatching(/^ {4}run failover-\S+ was completed by another invocation meanwhile/),
    );
    expect(sideEffects(env)).toEqual(effects);
    expect(await journalIn(env, 'us-east-1').table.get({ pk: 'runbook#lock', sk: 'lock' })).toBeUndefined();
  });
});

test('with the default 60 s lease the holder renews every 5 s, so a second engineer is refused within seconds', () => {
  expect(renewEveryMs(60_000)).toBe(5000);
  expect(renewEveryMs(12_000)).toBe(4000);
  expect(renewEveryMs(90)).toBe(50);
});
