import fc from 'fast-check';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fenceAllowsWrite, readActiveRegion } from '../../tools/dr/control/fence';
import { runAbort } from '../../tools/dr/abort';
import { Clients } from '../../tools/dr/clients';
import { DEFAULT_DRAIN, drainWait } from '../../tools/dr/drain';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { reverse } from '../../tools/dr/operation';
import { OperationResult, runOperation } from '../../tools/dr/runner';
import { failover, journalIn, runnerDeps, startLocal } from './helpers';

/** Issue 16 finding 5: the fence through the source too, read back, and a drain before the flip. */

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

const W = 'us-west-2';
const E = 'us-east-1';
/** A DynamoDB client of `region` whose endpoint refuses connections (a region that does not answer). */
const refused = (region: string) =>
  new DynamoDBClient({
    region,
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
const fenceOf = (r: OperationResult) => r.steps.find((s) => s.id === 'fence');

describe('drainWait (pure)', () => {
  test("10 x the recent ReplicationLatency (AWS's evacuation guidance), within a floor and a cap", () => {
    expect(drainWait(420)).toEqual({ waitMs: 4200, reason: '10 x ReplicationLatency 420 ms = 4200 ms' });
    expect(drainWait(50)).toEqual({
      waitMs: 2000,
      reason: "10 x ReplicationLatency 50 ms = 500 ms, raised to the writers' fence re-read floor 2000 ms",
    });
    expect(drainWait(60_000)).toEqual({
      waitMs: 60_000,
      reason: '10 x ReplicationLatency 60000 ms = 600000 ms, capped at 60000 ms',
    });
    expect(drainWait(null)).toEqual({
      waitMs: 60_000,
      reason: 'no ReplicationLatency datapoint: the maximum 60000 ms',
    });
  });

  test('always within [floor, max], and at least factor x latency unless capped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (lat) => {
        const { waitMs } = drainWait(lat);
        expect(waitMs).toBeGreaterThanOrEqual(DEFAULT_DRAIN.floorMs);
        expect(waitMs).toBeLessThanOrEqual(DEFAULT_DRAIN.maxMs);
        if (waitMs < DEFAULT_DRAIN.maxMs) expect(waitMs).toBeGreaterThanOrEqual(10 * lat);
      }),
    );
  });
});

test('fenceAllowsWrite: a writer writes unless its replica fences its region', () => {
  const rec = { writeFence: { region: W, since: '2026-01-01T00:00:00Z' } };
  expect([fenceAllowsWrite(rec, W), fenceAllowsWrite(rec, E), fenceAllowsWrite(undefined, W)]).toEqual([
    false,
    true,
    true,
  ]);
});

describe('a failover with the source answering', () => {
  test("writes the fence through the source's endpoint too and reads it back there", async () => {
    const r = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(r.status).toBe('completed');
    const there = await readActiveRegion(journalIn(env, W).table);
    expect(there).toMatchObject({ activeRegion: E, writeFence: { region: W }, runId: r.runId });
    expect(fenceOf(r)?.detail).toContain('fenced in us-west-2 too (read back there)');
    // AND a writer in the source, reading its own replica, now stops
    expect(fenceAllowsWrite(there, W)).toBe(false);
  });

  test.each(['failover', 'failback'] as const)(
    'a %s waits 10 x the source ReplicationLatency between the fence and the flip',
    async (kind) => {
      if (kind === 'failback') await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
      // GIVEN the default drain policy and a recording sleep (the stand-in reports 420 ms)
      const sleeps: number[] = [];
      const lines: string[] = [];
      const deps = runnerDeps(env, {
        timings: { pollMs: 10, readinessTimeoutMs: 5000, verifyTimeoutMs: 2000 },
        sleep: async (ms) => {
          sleeps.push(ms);
          await new Promise((res) => setImmediate(res));
        },
      });
      const op = kind === 'failover' ? failover(env) : reverse(failover(env));
      const r = await runOperation({ ...deps, progress: deps.progress }, { op, dryRun: false });
      lines.push(...deps.lines);
      expect(r.status).toBe('completed');
      expect(sleeps).toContain(4200);
      expect(fenceOf(r)?.detail).toMatch(/; drain 4200 ms \(10 x ReplicationLatency 420 ms = 4200 ms\)$/);
      expect(lines).toContain(
        `    draining ${op.from}'s writes: waiting 4.2 s (10 x ReplicationLatency 420 ms = 4200 ms)`,
      );
      // AND the drain happened inside the fence step, before the flip started
      const steps = [...(await journalIn(env, op.to).steps(r.runId ?? '')).values()];
      const fence = steps.find((s) => s.stepId === 'fence');
      const flip = steps.find((s) => s.stepId === 'flip');
      expect(Date.parse(flip?.firstStartedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(fence?.completedAt ?? ''),
      );
      expect(fence?.data).toMatchObject({
        drainMs: 4200,
        sourceFence: `fenced in ${op.from} too (read back there)`,
      });
    },
  );
});

describe('a failover with the source not answering', () => {
  test("its DynamoDB down: the target's fence stands, the source's is a warning, the drain still runs", async () => {
    const healthy = env.clients();
    const clients: Clients = { ...healthy, dynamodb: (r) => (r === W ? refused(r) : healthy.dynamodb(r)) };
    const deps = runnerDeps(env, { clients });
    const r = await runOperation(deps, { op: failover(env), dryRun: false });
    expect(r.status).toBe('completed');
    expect(fenceOf(r)?.detail).toContain(
      'source us-west-2: fence not written (Error: AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9); its copy follows by replication',
    );
    expect(deps.lines).toContain(
      '    WARN source us-west-2: fence not written (Error: AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9); its copy follows by replication',
    );
    expect(await readActiveRegion(journalIn(env, E).table)).toMatchObject({ runId: r.runId });
  });

  test('all of it down: no source write and no drain wait (nothing to drain from a region that is gone)', async () => {
    const healthy = env.clients();
    const down = (region: string) => {
      if (region === W) throw new Error('us-west-2 is unreachable');
    };
    const clients: Clients = {
      ...healthy,
      dynamodb: (r) => (r === W ? refused(r) : healthy.dynamodb(r)),
      kinesis: (r) => (down(r), healthy.kinesis(r)),
    };
    const r = await runOperation(runnerDeps(env, { clients }), { op: failover(env), dryRun: false });
    expect(r.status).toBe('completed');
    expect(fenceOf(r)?.detail).toMatch(
      /; source us-west-2: not written \(it did not answer\); drain 0 ms \(source us-west-2 did not answer: nothing to drain\)$/,
    );
  });
});

test('dr abort after a crash right after the fence unfences both replicas', async () => {
  await runOperation(
    runnerDeps(env, {
      afterEffect: (ref) => {
        if (ref.id === 'fence') throw new Error('simulated crash');
      },
    }),
    { op: failover(env), dryRun: false },
  );
  expect(await readActiveRegion(journalIn(env, W).table)).toMatchObject({ writeFence: { region: W } });
  const a = await runAbort(runnerDeps(env), {});
  expect(a.status).toBe('aborted');
  expect(await readActiveRegion(journalIn(env, W).table)).toBeUndefined();
  expect(await readActiveRegion(journalIn(env, E).table)).toBeUndefined();
});
