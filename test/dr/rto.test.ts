import { LocalEnvironment } from '../../tools/dr/local/harness';
import { renderOperation } from '../../tools/dr/report';
import { rto } from '../../tools/dr/recovery-time';
import { OperationResult, runOperation } from '../../tools/dr/runner';
import { Clients } from '../../tools/dr/clients';
import fc from 'fast-check';
import { runDr } from './cli-run';
import { failover, journalIn, runnerDeps, startLocal } from './helpers';

/** Issue 16 finding 14: RTO = time to flip + DNS TTL, refused dry runs exit 1, backlog in the RPO evidence. */

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const flipEntry = async (r: OperationResult) =>
  [...(await journalIn(env, r.to).steps(r.runId ?? '')).values()].find((e) => e.stepId === 'flip');

describe('rto (pure)', () => {
  test('time to flip plus the TTL; 0 while not flipped', () => {
    expect(rto('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.250Z', 60_000)).toEqual({
      rtoMs: 61_250,
      timeToFlipMs: 1250,
    });
    expect(rto('2026-01-01T00:00:00.000Z', undefined, 60_000)).toEqual({ rtoMs: 0 });
  });

  test('never below the TTL, and grows with the time to flip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 3600_000 }), (t, ttl) => {
        const start = Date.parse('2026-01-01T00:00:00.000Z');
        const r = rto(new Date(start).toISOString(), new Date(start + t).toISOString(), ttl);
        expect(r).toEqual({ rtoMs: t + ttl, timeToFlipMs: t });
      }),
    );
  });
});

describe('the RTO of a run', () => {
  test('is the time to flip (from the journal) plus the 60 s DNS TTL, not the post-flip unlock', async () => {
    // GIVEN an unlock that takes 500 ms
    const deps = runnerDeps(env, {
      afterEffect: async (ref) => {
        if (ref.id === 'unlock') await sleep(500);
      },
    });
    const r = await runOperation(deps, { op: failover(env), dryRun: false });
    const run = await journalIn(env, r.to).getRun(r.runId ?? '');
    const flip = await flipEntry(r);
    // THEN
    expect(r.status).toBe('completed');
    expect(r.timeToFlipMs).toBe(Date.parse(flip?.completedAt ?? '') - Date.parse(run?.startedAt ?? ''));
    expect(r.dnsTtlMs).toBe(60_000);
    expect(r.rtoMs).toBe((r.timeToFlipMs ?? NaN) + 60_000);
    // The 500 ms unlock comes after the flip and is not in the RTO: the unlock step, on the same
    // journal clock as the flip, completes at least 500 ms after it.
    const unlock = [...(await journalIn(env, r.to).steps(r.runId ?? '')).values()].find(
      (e) => e.stepId === 'unlock',
    );
    expect(
      Date.parse(unlock?.completedAt ?? '') - Date.parse(flip?.completedAt ?? ''),
    ).toBeGreaterThanOrEqual(490);
  });

  test('includes the time between a crash before the flip and its resume (wall clock)', async () => {
    await runOperation(
      runnerDeps(env, {
        afterEffect: (ref) => {
          if (ref.id === 'scale-up') throw new Error('simulated crash');
        },
      }),
      { op: failover(env), dryRun: false },
    );
    await sleep(1200);
    const r = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(r).toMatchObject({ status: 'completed', resumed: true });
    expect(r.timeToFlipMs).toBeGreaterThanOrEqual(1200);
    expect(r.timeToFlipMs).toBeGreaterThan(r.stepsMs ?? Infinity);
    expect(r.rtoMs).toBe((r.timeToFlipMs ?? NaN) + 60_000);
  });

  test("takes the TTL from the outputs' traffic.recordTtlSeconds", async () => {
    const outputs = { ...env.outputs, traffic: { ...env.outputs.traffic, recordTtlSeconds: 30 } };
    const r = await runOperation(runnerDeps(env, { outputs }), { op: failover(env), dryRun: false });
    expect(r.dnsTtlMs).toBe(30_000);
    expect(r.rtoMs).toBe((r.timeToFlipMs ?? NaN) + 30_000);
  });

  test('is not reached (0) when the run stops before the flip', async () => {
    const r = await runOperation(
      runnerDeps(env, {
        afterEffect: (ref) => {
          if (ref.id === 'fence') throw new Error('simulated crash');
        },
      }),
      { op: failover(env), dryRun: false },
    );
    expect(r).toMatchObject({ status: 'failed', rtoMs: 0 });
    expect(r.timeToFlipMs).toBeUndefined();
    expect(renderOperation(r)).toContain('RTO (time to flip + DNS TTL): not reached, traffic did not flip');
  });

  test('the summary says how the RTO is made up', async () => {
    const r = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(renderOperation(r)).toMatch(
      /^RTO \(time to flip \+ DNS TTL\): \S+ s = \S+ (ms|s) to flip \(wall clock from run start, crash gaps included\) \+ 60\.00 s DNS TTL; steps took /m,
    );
  });
});

describe('RPO evidence: the source backlog at the fence', () => {
  test("records the source's Kinesis iterator age and SQS backlog when the source answers", async () => {
    await env.reset({ iteratorAgeMs: 4200, oldestMessageAgeSeconds: 7 });
    const r = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(r.sourceBacklog).toEqual({
      region: 'us-west-2',
      ok: true,
      backlog: {
        stream: { name: 'staging-transactions', iteratorAgeMs: 4200 },
        queues: [
          { queue: 'staging-case-review', visible: 0, oldestAgeSeconds: 7 },
          { queue: 'staging-model-feedback', visible: 0, oldestAgeSeconds: 7 },
        ],
      },
      replicationLatencyMs: 420,
    });
    expect(renderOperation(r)).toContain(
      'RPO evidence (backlog at the fence): source us-west-2: stream staging-transactions iterator age 4200 ms; ' +
        'queues staging-case-review 0 visible (oldest 7 s), staging-model-feedback 0 visible (oldest 7 s)',
    );
  });

  test('says the backlog is unknown when the source does not answer, and still fails over', async () => {
    const healthy = env.clients();
    const clients: Clients = {
      ...healthy,
      kinesis: (region) => {
        if (region === 'us-west-2') throw new Error('us-west-2 is unreachable');
        return healthy.kinesis(region);
      },
    };
    const r = await runOperation(runnerDeps(env, { clients }), { op: failover(env), dryRun: false });
    expect(r.status).toBe('completed');
    expect(r.sourceBacklog).toEqual({
      region: 'us-west-2',
      ok: false,
      error: 'Error: us-west-2 is unreachable',
    });
    expect(renderOperation(r)).toContain(
      'RPO evidence (backlog at the fence): source us-west-2 did not answer (Error: us-west-2 is unreachable): its Kinesis and SQS backlog is unknown',
    );
  });
});

describe('dr failover --dry-run', () => {
  test('exits 1 when it says the run would be refused, listing the failed checks', async () => {
    await env.reset({ replicationLatencyMs: 60_000 });
    await env.writeHeartbeats();
    const r = await runDr(env, ['failover', '--env', 'staging', '--dry-run', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('    the run would be REFUSED (exit 1)');
    const result = JSON.parse(r.stdout) as OperationResult;
    expect(result.status).toBe('planned');
    // Every failed check, as printed (the wording of each is preflight's).
    expect(result.wouldRefuse?.length).toBeGreaterThan(0);
    for (const line of result.wouldRefuse ?? []) expect(line).toMatch(/^FAIL .*stale replication/);
    expect(await env.controlItems('us-east-1')).toEqual([]);
  });

  test('exits 0 when preflight would pass, and with --force --reason', async () => {
    expect((await runDr(env, ['failover', '--env', 'staging', '--dry-run'])).code).toBe(0);
    await env.reset({ replicationLatencyMs: 60_000 });
    await env.writeHeartbeats();
    const forced = await runDr(env, [
      'failover',
      '--env',
      'staging',
      '--dry-run',
      '--force',
      '--reason',
      'accept',
    ]);
    expect(forced.code).toBe(0);
  });
});
