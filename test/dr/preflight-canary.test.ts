import { CanaryReading, NOT_CONFIGURED } from '../../tools/dr/canary';
import { CanaryRegionView } from '../../tools/dr/canary-view';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { runOperation } from '../../tools/dr/runner';
import { canaryCheck } from '../../tools/dr/steps/preflight-canary';
import { ExitCode } from '../../tools/lib/exit-codes';
import { runDr } from './cli-run';
import { failover, journalIn, runnerDeps, startLocal } from './helpers';

const evidence = (region: string, state: 'healthy' | 'failing' | 'flapping', streak = 0) =>
  ({
    state,
    region,
    samples: 5,
    lastAt: '2026-12-08T02:59:30.000Z',
    lastAgeMs: 30_000,
    lastSuccessAt: state === 'failing' ? '2026-12-08T02:54:30.000Z' : '2026-12-08T02:59:30.000Z',
    lastSuccessAgeMs: state === 'failing' ? 330_000 : 30_000,
    lastLatencyMs: state === 'failing' ? 5000 : 180,
    failureRate: streak / 5,
    failures: streak,
    consecutiveFailures: state === 'failing' ? streak : 0,
    ...(state === 'healthy' ? {} : { lastFailureReason: 'timeout' }),
  }) as CanaryRegionView;

const reading = (east: CanaryRegionView, west: CanaryRegionView): CanaryReading => ({
  configured: true,
  region: 'us-east-2',
  namespace: 'staging-risk-canary',
  failingAfter: 3,
  readAt: '2026-12-08T03:00:00.000Z',
  regions: { 'us-east-1': east, 'us-west-2': west },
});
const check = (r: CanaryReading, ignoreReason?: string) =>
  canaryCheck(r, 'us-east-1', 'us-west-2', {
    ignoreReason,
    endpoint: 'https://score-us-east-1.x/healthz/score',
  });

describe('canaryCheck', () => {
  test('the target failing while the source scores refuses, naming the region, the evidence and the override', () => {
    const c = check(reading(evidence('us-east-1', 'failing', 5), evidence('us-west-2', 'healthy')));
    expect(c).toEqual({
      check: 'canary (us-east-2) sees us-east-1 scoring',
      ok: false,
      detail:
        'the canary in us-east-2 sees us-east-1 FAILING (its last 5 probes, alarm at 3): us-east-1: failing: last success 2026-12-08T02:54:30.000Z (5 min 30 s ago), latency 5000 ms, failed the last 5 probe(s) (timeout), 5/5 failed; ' +
        'us-west-2 (source): healthy: last success 2026-12-08T02:59:30.000Z (30 s ago), latency 180 ms, 0/5 failed. ' +
        'Try https://score-us-east-1.x/healthz/score yourself; override this check alone with --ignore-canary --reason "..."',
    });
  });

  test('--ignore-canary --reason turns the refusal into a warning carrying the reason', () => {
    const c = check(
      reading(evidence('us-east-1', 'failing', 5), evidence('us-west-2', 'healthy')),
      'INC-9 canary broken',
    );
    expect(c.ok).toBe(true);
    expect(c.warn).toBe(true);
    expect(c.detail).toMatch(/^IGNORED \(--ignore-canary: INC-9 canary broken\): us-east-1: failing: /);
  });

  test('both regions failing is a warning (the canary path), not a refusal', () => {
    const c = check(reading(evidence('us-east-1', 'failing', 5), evidence('us-west-2', 'failing', 4)));
    expect(c).toMatchObject({ ok: true, warn: true });
    expect(c.detail).toMatch(
      /^both regions fail from the canary: likely the canary's own network path \(peering, endpoint\), not evidence against us-east-1; /,
    );
  });

  test('healthy passes without a warning', () => {
    expect(
      check(reading(evidence('us-east-1', 'healthy'), evidence('us-west-2', 'failing', 3))),
    ).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^us-east-1: healthy: .*; us-west-2 \(source\): failing: /),
    });
    expect(
      check(reading(evidence('us-east-1', 'healthy'), evidence('us-west-2', 'healthy'))).warn,
    ).toBeUndefined();
  });

  test.each<[string, CanaryRegionView, string]>([
    [
      'unreachable',
      { state: 'unreachable', region: 'us-east-1', error: 'DeadlineExceeded: x' },
      'us-east-1: unreachable (DeadlineExceeded: x)',
    ],
    [
      'no data',
      { state: 'no-data', region: 'us-east-1', windowMs: 900_000 },
      'us-east-1: no data (no datapoint in the last 15 min)',
    ],
    ['flapping', evidence('us-east-1', 'flapping', 1), 'us-east-1: flapping: '],
  ])('%s warns and never refuses', (_, east, start) => {
    const west: CanaryRegionView =
      east.state === 'unreachable' ? { ...east, region: 'us-west-2' } : evidence('us-west-2', 'healthy');
    const c = check(reading(east, west));
    expect(c.ok).toBe(true);
    expect(c.warn).toBe(true);
    expect(c.detail.startsWith(start)).toBe(true);
    expect(c.detail).toMatch(/\(no refusal: the canary is evidence, not the switch\)$/);
  });

  test('not configured warns', () => {
    expect(check({ configured: false, detail: NOT_CONFIGURED })).toEqual({
      check: 'canary sees us-east-1 scoring',
      ok: true,
      warn: true,
      detail: `canary ${NOT_CONFIGURED}: no outside evidence`,
    });
  });
});

describe('preflight reads the canary (local environment)', () => {
  let env: LocalEnvironment;
  beforeAll(async () => {
    env = await startLocal();
  });
  afterAll(() => env.stop());
  beforeEach(() => env.reset());

  test('a healthy canary view passes as one more check', async () => {
    const deps = runnerDeps(env);
    const result = await runOperation(deps, { op: failover(env), dryRun: true });
    expect(result.wouldRefuse).toBeUndefined();
    expect(deps.lines).toContainEqual(
      expect.stringMatching(
        /^ {4}ok {3}canary \(us-east-2\) sees us-east-1 scoring: us-east-1: healthy: .*latency 180 ms, 0\/5 failed; us-west-2 \(source\): healthy: /,
      ),
    );
  });

  test('the target failing refuses the failover before any change (exit 1), naming it', async () => {
    env.cloudwatch.canaryFailing.add('us-east-1');
    const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(result.status).toBe('refused');
    expect(result.error).toContain(
      'the canary in us-east-2 sees us-east-1 FAILING (its last 5 probes, alarm at 3)',
    );
    expect(result.error).toContain('failed the last 5 probe(s) (timeout)');
    expect(env.arc.updateCalls()).toBe(0);
  });

  test('--ignore-canary --reason proceeds, and the audit records the reason with the evidence', async () => {
    env.cloudwatch.canaryFailing.add('us-east-1');
    const result = await runOperation(runnerDeps(env), {
      op: failover(env),
      dryRun: false,
      ignoreCanaryReason: 'canary peering down, INC-77',
    });
    expect(result.status).toBe('completed');
    const audit = (await journalIn(env, 'us-east-1').audit()).find(
      (a) => a.runId === result.runId && a.stepId === 'preflight',
    );
    expect(audit?.data?.forced).toBe(false);
    expect(audit?.data?.warnings).toContainEqual(
      expect.stringMatching(
        /^canary \(us-east-2\) sees us-east-1 scoring: IGNORED \(--ignore-canary: canary peering down, INC-77\): us-east-1: failing: /,
      ),
    );
  });

  test('the canary region unreachable is a warning: the dry run would go ahead', async () => {
    env.cloudwatch.failingRegions.add('us-east-2');
    const deps = runnerDeps(env);
    const result = await runOperation(deps, { op: failover(env), dryRun: true });
    expect(result.wouldRefuse).toBeUndefined();
    expect(deps.lines).toContainEqual(
      expect.stringMatching(
        /^ {4}WARN canary \(us-east-2\) sees us-east-1 scoring: us-east-1: unreachable \(InternalServiceError: /,
      ),
    );
  });

  test('CLI: the dry run exits 1 on a failing target, 0 with --ignore-canary --reason', async () => {
    env.cloudwatch.canaryFailing.add('us-east-1');
    const refused = await runDr(env, ['failover', '--env', 'staging', '--dry-run', '--json']);
    expect(refused.code).toBe(ExitCode.Failed);
    expect(JSON.parse(refused.stdout).wouldRefuse).toEqual([
      expect.stringMatching(
        /^FAIL canary \(us-east-2\) sees us-east-1 scoring: the canary in us-east-2 sees us-east-1 FAILING/,
      ),
    ]);
    const ignored = await runDr(env, [
      'failover',
      '--env',
      'staging',
      '--dry-run',
      '--ignore-canary',
      '--reason',
      'INC-77',
    ]);
    expect(ignored.code).toBe(ExitCode.Ok);
    expect(ignored.stdout).toContain(
      'WARN canary (us-east-2) sees us-east-1 scoring: IGNORED (--ignore-canary: INC-77)',
    );
  });

  test('CLI: --ignore-canary without --reason exits 2 naming --reason', async () => {
    const r = await runDr(env, ['failover', '--env', 'staging', '--dry-run', '--ignore-canary']);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toBe(
      'error: --reason: received nothing, expected a non-empty reason with --ignore-canary (it is recorded in the audit)\n',
    );
  });
});
