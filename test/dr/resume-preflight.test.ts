import { LOCAL_HEARTBEAT_INTERVAL_MS, LocalEnvironment } from '../../tools/dr/local/harness';
import { runOperation } from '../../tools/dr/runner';
import { failover, journalIn, runnerDeps, sideEffects, startLocal } from './helpers';

/** Issue 16 finding 3: a resumed run re-runs preflight before its flip, and open runs expire. */

class Crash extends Error {
  override name = 'SimulatedCrash';
}

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

/** Sets the simulated replication lag and lets the heartbeat stand-in write a few beats with it. */
async function lag(ms: number): Promise<void> {
  env.cloudwatch.values.replicationLatencyMs = ms;
  await new Promise((r) => setTimeout(r, 400));
}

/** A failover that crashes right after step `id`'s side effect. */
function crashAfter(id: string) {
  return runOperation(
    runnerDeps(env, {
      afterEffect: (ref) => {
        if (ref.id === id) throw new Crash(`crash after ${id}`);
      },
    }),
    { op: failover(env), dryRun: false },
  );
}

describe('the replication lag grows to 60 s between a crash and the resume', () => {
  test('the resume is refused by its own preflight, changes nothing more, and leaves the run open', async () => {
    // GIVEN a failover that crashed after its lock
    const crashed = await crashAfter('lock');
    expect(crashed.status).toBe('failed');
    await lag(60_000);
    const before = sideEffects(env);
    // WHEN it is resumed
    const deps = runnerDeps(env);
    const resumed = await runOperation(deps, { op: failover(env), dryRun: false });
    // THEN
    expect(resumed).toMatchObject({ status: 'refused', runId: crashed.runId, resumed: true });
    expect(resumed.error).toMatch(
      /^ResumeRefused: preflight refused on resume: replication us-west-2 -> us-east-1 .*stale replication: heartbeat#us-west-2 is 60\d{3} ms old/,
    );
    expect(resumed.error).toContain(
      `(run ${crashed.runId} stays open and nothing more was changed: re-run once replication has caught up, add --force --reason "..." to accept the loss, or \`npm run dr -- abort --env staging --to us-east-1\` to close it)`,
    );
    expect(deps.lines).toContainEqual(
      expect.stringMatching(
        /^\[\d\] failover 1\/8 preflight: us-east-1 ready to take over from us-west-2 \(re-run on resume\) \.\.\. FAILED/,
      ),
    );
    expect(sideEffects(env)).toEqual(before);
    expect(resumed.steps.find((s) => s.id === 'scale-up')?.status).toBe('pending');
    const journal = journalIn(env, 'us-east-1');
    expect((await journal.openRun())?.runId).toBe(crashed.runId);
    const audit = (await journal.audit()).filter((a) => a.stepId === 'preflight-recheck');
    expect(audit).toEqual([
      expect.objectContaining({
        runId: crashed.runId,
        detail: expect.stringMatching(/^preflight refused on resume: /),
      }),
    ]);
  });

  test('a dry run of that resume shows the checks it would re-run, and that it would be refused', async () => {
    await crashAfter('scale-up');
    await lag(60_000);
    const deps = runnerDeps(env);
    const planned = await runOperation(deps, { op: failover(env), dryRun: true });
    expect(planned.status).toBe('planned');
    expect(deps.lines).toContainEqual(expect.stringMatching(/^ {4}FAIL replication us-west-2 -> us-east-1 /));
    expect(deps.lines).toContain('    the run would be REFUSED (exit 1)');
  });

  test('once replication has caught up the resume completes, reporting the re-run’s RPO', async () => {
    const crashed = await crashAfter('scale-up');
    // the lag at the resume: 5 s (within the RPO, far above the first preflight's 420 ms)
    await lag(5_000);
    const resumed = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(resumed).toMatchObject({ status: 'completed', runId: crashed.runId });
    // age - interval: the lag, less at most one stand-in write interval
    expect(resumed.replicationLatencyMs).toBeGreaterThanOrEqual(5_000 - LOCAL_HEARTBEAT_INTERVAL_MS);
    expect(resumed.replicationLatencyMs).toBeLessThanOrEqual(5_500);
  });

  test('after the flip, preflight is not re-run: traffic has moved, the run finishes', async () => {
    const crashed = await crashAfter('flip');
    await lag(60_000);
    const deps = runnerDeps(env);
    const resumed = await runOperation(deps, { op: failover(env), dryRun: false });
    expect(resumed.error).toBeUndefined();
    expect(resumed).toMatchObject({ status: 'completed', runId: crashed.runId });
    expect(deps.lines.some((l) => l.includes('(re-run on resume)'))).toBe(false);
  });
});

describe('--max-run-age', () => {
  const later = (ms: number) => () => new Date(Date.now() + ms);

  test('an open run older than the limit is not resumed before its flip: refused, naming dr abort', async () => {
    const crashed = await crashAfter('preflight');
    const before = sideEffects(env);
    const resumed = await runOperation(runnerDeps(env, { now: later(2 * 3_600_000) }), {
      op: failover(env),
      dryRun: false,
    });
    expect(resumed.status).toBe('refused');
    expect(resumed.error).toMatch(
      new RegExp(
        `^RunExpired: run ${crashed.runId} \\(failover us-west-2 -> us-east-1\\) started \\S+, 72\\d\\d s ago: older than --max-run-age 3600 s, so it has expired and is not resumed\\. ` +
          'Its flip never happened: `npm run dr -- abort --env staging --to us-east-1` closes it',
      ),
    );
    expect(sideEffects(env)).toEqual(before);
  });

  test('a configured limit applies', async () => {
    await crashAfter('preflight');
    const resumed = await runOperation(runnerDeps(env, { now: later(120_000), maxRunAgeMs: 60_000 }), {
      op: failover(env),
      dryRun: false,
    });
    expect(resumed.error).toMatch(/older than --max-run-age 60 s/);
  });

  test('a run whose flip is done is finished whatever its age', async () => {
    const crashed = await crashAfter('flip');
    const resumed = await runOperation(runnerDeps(env, { now: later(2 * 3_600_000) }), {
      op: failover(env),
      dryRun: false,
    });
    expect(resumed).toMatchObject({ status: 'completed', runId: crashed.runId });
  });
});
