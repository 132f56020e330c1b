import fc from 'fast-check';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { OperationResult, runOperation } from '../../tools/dr/runner';
import { capacityVerdict, parseMinCapacity, requiredReady } from '../../tools/dr/steps/capacity-share';
import { runDr } from './cli-run';
import { failover, journalIn, runnerDeps, startLocal } from './helpers';

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

const DR = 'us-east-1';
const scaleUpOf = (r: OperationResult) => r.steps.find((s) => s.id === 'scale-up');
const routing = () => {
  const arn = (region: string) => env.outputs.regions[region].routingControlArn;
  return { 'us-west-2': env.arc.state.controls[arn('us-west-2')], [DR]: env.arc.state.controls[arn(DR)] };
};

describe('requiredReady and capacityVerdict (pure)', () => {
  test('the ceiling of the share, per Deployment', () => {
    expect(requiredReady(15, 60)).toBe(9);
    expect(requiredReady(5, 60)).toBe(3);
    expect(requiredReady(2, 60)).toBe(2);
    expect(requiredReady(15, 1)).toBe(1);
    expect(requiredReady(0, 50)).toBe(0);
  });

  test('never above full, full at 100, at least one pod for a Deployment that has any, monotonic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 100 }), (full, pct) => {
        const need = requiredReady(full, pct);
        expect(need).toBeLessThanOrEqual(full);
        expect(need * 100).toBeGreaterThanOrEqual(full * pct);
        expect((need - 1) * 100).toBeLessThan(full * pct);
        if (full > 0) expect(need).toBeGreaterThanOrEqual(1);
        if (pct < 100) expect(requiredReady(full, pct + 1)).toBeGreaterThanOrEqual(need);
        expect(requiredReady(full, 100)).toBe(full);
      }),
    );
  });

  test('one Deployment short of its share fails the verdict although the total is above it', () => {
    const v = capacityVerdict(
      [
        { name: 'a', ready: 10, full: 10 },
        { name: 'b', ready: 0, full: 2 },
      ],
      50,
    );
    expect(v).toMatchObject({ met: false, readyPods: 10, fullPods: 12 });
    expect(v.belowFull).toEqual([{ name: 'b', ready: 0, full: 2 }]);
  });

  test('parseMinCapacity takes whole percentages 1-100 only', () => {
    expect(['1', '60', '100', ' 75 '].map(parseMinCapacity)).toEqual([1, 60, 100, 75]);
    expect(['0', '101', '50.5', '-5', 'abc', '', '1e2'].map(parseMinCapacity)).toEqual(
      Array(7).fill(undefined),
    );
  });
});

describe('a DR capacity shortage (scoring-api can run only 9 of its 15 pods)', () => {
  const short = (pods = 9) => (env.kube[DR].capacity['scoring-api'] = pods);

  test('at the default --min-capacity 100 the scale-up times out naming the shortfall, nothing fenced or flipped', async () => {
    short();
    const deps = runnerDeps(env, { timings: { pollMs: 10, readinessTimeoutMs: 300, verifyTimeoutMs: 2000 } });
    const r = await runOperation(deps, { op: failover(env), dryRun: false });
    expect(r.status).toBe('failed');
    expect(scaleUpOf(r)?.detail).toBe(
      'workloads in us-east-1 not ready at full capacity within 0.3 s: 16/22 pods ready (scoring-api 9/15, stream-scorer 5/5, feedback-worker 2/2)',
    );
    expect(routing()).toEqual({ 'us-west-2': 'On', [DR]: 'Off' });
  });

  test('at --min-capacity 60 the failover flips once each Deployment has 60 % ready', async () => {
    short();
    const r = await runOperation(runnerDeps(env, { minCapacityPct: 60 }), {
      op: failover(env),
      dryRun: false,
    });
    expect(r.status).toBe('completed');
    expect(routing()).toEqual({ 'us-west-2': 'Off', [DR]: 'On' });
    expect(scaleUpOf(r)?.detail).toMatch(
      /; ready scoring-api 9\/15, stream-scorer 5\/5, feedback-worker 2\/2; WARNING: flipping at --min-capacity 60 %/,
    );
  });

  test('it keeps scaling: every minimum stays at full after the flip', async () => {
    short();
    await runOperation(runnerDeps(env, { minCapacityPct: 60 }), { op: failover(env), dryRun: false });
    const mins = Object.fromEntries(
      Object.entries(env.kube[DR].state.autoscalers).map(([k, a]) => [k, a.min]),
    );
    expect(mins).toEqual({
      'ScaledObject/scoring-api': 15,
      'ScaledObject/stream-scorer': 5,
      'ScaledObject/feedback-worker': 2,
    });
  });

  test('the rest is reported: a run warning naming the Deployment below full, and the audit data', async () => {
    short();
    const r = await runOperation(runnerDeps(env, { minCapacityPct: 60 }), {
      op: failover(env),
      dryRun: false,
    });
    expect(r.warnings).toEqual([
      'step 3 scale-up: flipping at --min-capacity 60 %: scoring-api 9/15 ready in us-east-1, still scaling to full ' +
        '(minimums are at full; watch `kubectl --context staging-risk-us-east-1 -n risk-scoring get deploy`)',
    ]);
    const audit = await journalIn(env, DR).audit();
    expect(audit.find((a) => a.runId === r.runId && a.stepId === 'scale-up')?.data).toMatchObject({
      minCapacityPct: 60,
      readyPods: 16,
      fullPods: 22,
      belowFull: [{ deployment: 'scoring-api', ready: 9, full: 15 }],
    });
  });

  test('at --min-capacity 60 a Deployment below its share (8 < 9) still blocks the flip', async () => {
    short(8);
    const deps = runnerDeps(env, {
      minCapacityPct: 60,
      timings: { pollMs: 10, readinessTimeoutMs: 300, verifyTimeoutMs: 2000 },
    });
    const r = await runOperation(deps, { op: failover(env), dryRun: false });
    expect(r.status).toBe('failed');
    expect(scaleUpOf(r)?.detail).toBe(
      'workloads in us-east-1 not ready at 60 % of full capacity within 0.3 s: 15/22 pods ready (scoring-api 8/15 need 9, stream-scorer 5/5 need 3, feedback-worker 2/2 need 2)',
    );
    expect(routing()).toEqual({ 'us-west-2': 'On', [DR]: 'Off' });
  });

  test('while it waits, one "x/y pods ready" line per progress interval (10 s), none more often', async () => {
    short(8);
    let t = Date.parse('2026-01-01T00:00:00Z');
    const deps = runnerDeps(env, {
      now: () => new Date(t),
      sleep: async (ms) => {
        t += ms;
        await new Promise((r) => setTimeout(r, 1));
      },
      lease: { leaseMs: 3_600_000, waitMs: 0 },
      timings: { pollMs: 1000, readinessTimeoutMs: 60_000, verifyTimeoutMs: 2000, progressMs: 10_000 },
    });
    await runOperation(deps, { op: failover(env), dryRun: false });
    const waiting = deps.lines.filter((l) => l.startsWith('    waiting '));
    expect(waiting.map((l) => Number(/^ {4}waiting (\d+) s of 60 s: /.exec(l)?.[1]))).toEqual([
      10, 20, 30, 40, 50,
    ]);
    for (const l of waiting)
      expect(l).toMatch(
        /: \d+\/22 pods ready \(scoring-api [0-8]\/15, stream-scorer \d\/5, feedback-worker \d\/2\) in us-east-1$/,
      );
  });
});

describe('dr failover --min-capacity', () => {
  test.each(['0', '101', '50.5', 'abc'])(
    '--min-capacity %s exits 2 naming the flag, before anything is written',
    async (v) => {
      const r = await runDr(env, ['failover', '--env', 'staging', '--yes', '--min-capacity', v]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `error: --min-capacity: received ${JSON.stringify(v)}, expected a whole percentage from 1 to 100 (the share of each Deployment's full minimum that must be ready before the flip)\n`,
      );
      expect(await env.controlItems(DR)).toEqual([]);
    },
  );

  test('--min-capacity 60 completes a failover short of capacity, exit 0, with the warning printed', async () => {
    env.kube[DR].capacity['scoring-api'] = 9;
    const r = await runDr(env, ['failover', '--env', 'staging', '--yes', '--min-capacity', '60']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'WARNING: step 3 scale-up: flipping at --min-capacity 60 %: scoring-api 9/15 ready',
    );
  });
});
