import fc from 'fast-check';
import { regionClock } from '../../tools/dr/control/region-clock';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { runOperation } from '../../tools/dr/runner';
import { replicationVerdict } from '../../tools/dr/steps/preflight';
import { failover, runnerDeps, startLocal } from './helpers';

/** Issue 16 finding 2: replication age on the regions' clocks, not the operator's. */

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());

describe('an operator clock 30 s slow, a real replication lag of 40 s, RPO 15 s', () => {
  test('the failover is refused, the lag measured on us-east-1’s clock and the skew named', async () => {
    // GIVEN replication from us-west-2 40 s behind (the heartbeat stand-in ages the copy by it), and
    // us-west-2's CloudWatch failing, so the heartbeat alone decides
    await env.reset({ replicationLatencyMs: 40_000 });
    env.cloudwatch.failingRegions.add('us-west-2');
    await new Promise((r) => setTimeout(r, 250));
    // WHEN the operator's machine runs 30 s slow
    const deps = runnerDeps(env, { now: () => new Date(Date.now() - 30_000) });
    const result = await runOperation(deps, { op: failover(env), dryRun: false });
    // THEN
    expect(result.status).toBe('refused');
    expect(result.error).toMatch(
      /stale replication: heartbeat#us-west-2 is (39|40)\d{3} ms old \(written [^)]*, age on us-east-1's clock\): replication lag ≈ (39|40)\d{3} ms \(age - 250 ms write interval\) exceeds 15000 ms, while us-west-2 still writes it/,
    );
    expect(result.error).toMatch(
      /the local clock is at least (29\d{3}|30\d{3}) ms behind us-east-1's \(heartbeat#us-east-1 was written at .* by us-east-1's clock\); ages are measured on us-east-1's clock: fix this machine's clock \(NTP\)/,
    );
    expect(env.arc.updateCalls()).toBe(0);
    expect(Object.values(env.kube).reduce((n, k) => n + k.patches, 0)).toBe(0);
  });

  test('with a healthy lag the same slow clock passes, with the skew as a warning', async () => {
    await env.reset();
    const deps = runnerDeps(env, { now: () => new Date(Date.now() - 30_000) });
    const result = await runOperation(deps, { op: failover(env), dryRun: false });
    expect(result.status).toBe('completed');
    expect(result.replicationLatencyMs).toBeLessThan(1000);
    expect(deps.lines).toContainEqual(
      expect.stringMatching(
        /^ {4}WARN replication us-west-2 -> us-east-1 .*≤ RPO 15000 ms; the local clock is at least \d+ ms behind us-east-1's/,
      ),
    );
  });
});

describe('regionClock', () => {
  test('a local clock behind the region’s heartbeat yields the region’s reading and the skew', () => {
    expect(regionClock(1_000, 31_000)).toEqual({ nowMs: 31_000, clock: 'region', localBehindMs: 30_000 });
    expect(regionClock(31_000, 1_000)).toEqual({ nowMs: 31_000, clock: 'local', localBehindMs: 0 });
    expect(regionClock(5_000, undefined)).toEqual({ nowMs: 5_000, clock: 'local', localBehindMs: 0 });
  });
});

describe('replicationVerdict on the regions’ clocks (property)', () => {
  const RPO = 15_000;
  const verdictFor = (
    trueNow: number,
    skew: number,
    lag: number,
    interval: number,
    phase: number,
    own: number,
  ) =>
    replicationVerdict(
      {
        intervalMs: interval,
        // us-west-2's last write that reached us-east-1: written `lag` + up to one interval ago
        replicated: { writtenAt: trueNow - lag - phase },
        // us-east-1's own writer wrote at most one interval ago (its region's clock)
        target: { region: 'us-east-1', writtenAt: trueNow - own },
        source: { ok: true, record: { region: 'us-west-2', writtenAt: trueNow - phase } },
      },
      'us-west-2',
      'us-east-1',
      RPO,
      new Date(trueNow + skew),
    );

  test('a lag above RPO + two intervals is refused whatever the operator clock’s skew', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -600_000, max: 600_000 }),
        fc.integer({ min: 100, max: 5_000 }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (skew, interval, extra, p, q) => {
          const lag = RPO + 2 * interval + 1 + extra;
          const v = verdictFor(
            1_750_000_000_000,
            skew,
            lag,
            interval,
            Math.floor(p * interval),
            Math.floor(q * interval),
          );
          expect(v.ok).toBe(false);
        },
      ),
    );
  });

  test('a lag within the RPO passes with a correct or slow operator clock', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -600_000, max: 0 }),
        fc.integer({ min: 100, max: 5_000 }),
        fc.integer({ min: 0, max: RPO }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (skew, interval, lag, p, q) => {
          const v = verdictFor(
            1_750_000_000_000,
            skew,
            lag,
            interval,
            Math.floor(p * interval),
            Math.floor(q * interval),
          );
          expect(v.ok).toBe(true);
          expect(v.replicationLatencyMs).toBeLessThanOrEqual(lag);
        },
      ),
    );
  });
});
