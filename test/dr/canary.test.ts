import { CloudWatchClient, GetMetricDataCommand, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { readFileSync } from 'node:fs';
import { mockClient } from 'aws-sdk-client-mock';
import { fillMissingRegions } from '../../tools/dr/outputs';
import { FIXTURE } from './helpers';
import { canaryRunbookOutputForTest } from './canary-fixture';
import { DEFAULT_CANARY_DEADLINE_MS, NOT_CONFIGURED, readCanary } from '../../tools/dr/canary';

const NOW = new Date('2026-12-08T03:00:00.000Z');
const MIN = 60_000;
const REGIONS = ['us-west-2', 'us-east-1'];
const canary = canaryRunbookOutputForTest();

/** Per region, the `ScoreProbeHealthy` values newest first (one a minute, the newest 30 s old). */
type Served = Record<string, { healthy: number[]; latencyMs: number; reason?: string }>;

function client(served: Served) {
  const cw = new CloudWatchClient({
    region: 'us-east-2',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const mock = mockClient(cw);
  mock.on(GetMetricDataCommand).callsFake(async (input: { MetricDataQueries?: MetricDataQuery[] }) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
      const m = q.MetricStat!.Metric!;
      const region = m.Dimensions!.find((d) => d.Name === 'TargetRegion')!.Value!;
      const reason = m.Dimensions!.find((d) => d.Name === 'Reason')?.Value;
      const s = served[region] ?? { healthy: [], latencyMs: 0 };
      const values =
        m.MetricName === 'ScoreProbeHealthy'
          ? s.healthy
          : m.MetricName === 'ScoreProbeLatency'
            ? s.healthy.map((h) => (h ? s.latencyMs : 5000))
            : reason === s.reason
              ? s.healthy.map((h) => (h ? 0 : 1))
              : [];
      return {
        Id: q.Id,
        StatusCode: 'Complete',
        Values: values,
        Timestamps: values.map((_, i) => new Date(NOW.getTime() - 30_000 - i * MIN)),
      };
    }),
  }));
  return { cw, mock, regionsAsked: [] as string[] };
}

test('healthy and failing: one GetMetricData call in the canary region, judged per region', async () => {
  const { cw, mock } = client({
    'us-west-2': { healthy: [0, 0, 0, 0, 1], latencyMs: 0, reason: 'timeout' },
    'us-east-1': { healthy: [1, 1, 1, 1, 1], latencyMs: 183 },
  });
  const asked: string[] = [];
  const r = await readCanary((region) => (asked.push(region), cw), { canary }, REGIONS, NOW);
  expect(asked).toEqual(['us-east-2']);
  const calls = mock.commandCalls(GetMetricDataCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0].args[0].input;
  expect(input.StartTime).toEqual(new Date(NOW.getTime() - 15 * MIN));
  expect(input.EndTime).toEqual(NOW);
  // Per region: healthy, latency and the 5 error reasons.
  expect(input.MetricDataQueries).toHaveLength(14);
  expect(input.MetricDataQueries?.[0].MetricStat).toEqual({
    Metric: {
      Namespace: 'staging-risk-canary',
      MetricName: 'ScoreProbeHealthy',
      Dimensions: [{ Name: 'TargetRegion', Value: 'us-west-2' }],
    },
    Period: 60,
    Stat: 'Maximum',
  });
  if (!r.configured) throw new Error('expected configured');
  expect(r.region).toBe('us-east-2');
  expect(r.regions['us-west-2']).toMatchObject({
    state: 'failing',
    consecutiveFailures: 4,
    lastFailureReason: 'timeout',
    lastLatencyMs: 5000,
    lastSuccessAgeMs: 4 * MIN + 30_000,
  });
  expect(r.regions['us-east-1']).toMatchObject({
    state: 'healthy',
    lastSuccessAt: '2026-12-08T02:59:30.000Z',
    lastSuccessAgeMs: 30_000,
    lastLatencyMs: 183,
    failureRate: 0,
  });
});

test('no datapoints: no-data per region', async () => {
  const { cw } = client({});
  const r = await readCanary(() => cw, { canary }, REGIONS, NOW);
  expect(r.configured && r.regions['us-east-1']).toEqual({
    state: 'no-data',
    region: 'us-east-1',
    windowMs: 15 * MIN,
  });
});

test('throttled: every region unreachable, naming the error', async () => {
  const cw = new CloudWatchClient({
    region: 'us-east-2',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });
  const e = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  mockClient(cw).on(GetMetricDataCommand).rejects(e);
  const r = await readCanary(() => cw, { canary }, REGIONS, NOW);
  expect(r.configured && r.regions).toEqual({
    'us-west-2': { state: 'unreachable', region: 'us-west-2', error: 'ThrottlingException: Rate exceeded' },
    'us-east-1': { state: 'unreachable', region: 'us-east-1', error: 'ThrottlingException: Rate exceeded' },
  });
});

test('a client that cannot be built is unreachable, not a throw', async () => {
  const r = await readCanary(
    () => {
      throw new Error('no credentials');
    },
    { canary },
    REGIONS,
    NOW,
  );
  expect(r.configured && r.regions['us-east-1']).toEqual({
    state: 'unreachable',
    region: 'us-east-1',
    error: 'Error: no credentials',
  });
});

test('hanging: the deadline returns unreachable after DEFAULT_CANARY_DEADLINE_MS, and aborts the call', async () => {
  jest.useFakeTimers();
  try {
    const cw = new CloudWatchClient({
      region: 'us-east-2',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    let aborted = false;
    const sent = jest.spyOn(cw, 'send').mockImplementation(((
      _c: unknown,
      o?: { abortSignal?: AbortSignal },
    ) => {
      o?.abortSignal?.addEventListener('abort', () => (aborted = true));
      return new Promise(() => undefined);
    }) as never);
    let done = false;
    const p = readCanary(() => cw, { canary }, REGIONS, NOW).then((r) => ((done = true), r));
    await jest.advanceTimersByTimeAsync(DEFAULT_CANARY_DEADLINE_MS - 1);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const r = await p;
    expect(sent).toHaveBeenCalledTimes(1);
    expect(aborted).toBe(true);
    expect(r.configured && r.regions['us-west-2']).toEqual({
      state: 'unreachable',
      region: 'us-west-2',
      error: 'DeadlineExceeded: CloudWatch GetMetricData in us-east-2 (canary): no answer within 5 s',
    });
    expect(jest.getTimerCount()).toBe(0);
  } finally {
    jest.useRealTimers();
  }
});

test('outputs without a canary section: not configured, nothing called', async () => {
  const r = await readCanary(
    () => {
      throw new Error('must not be called');
    },
    {},
    REGIONS,
    NOW,
  );
  expect(r).toEqual({ configured: false, detail: NOT_CONFIGURED });
});

test("a copy without the canary section takes the other region's (fillMissingRegions)", () => {
  const full = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { runbook: Record<string, unknown> };
  const { canary: _c, ...old } = full.runbook;
  const west = { ...old, regions: { 'us-west-2': (old.regions as Record<string, unknown>)['us-west-2'] } };
  const merged = fillMissingRegions(west, full.runbook) as Record<string, unknown>;
  expect(merged.canary).toEqual(canary);
  expect(Object.keys(merged.regions as object)).toEqual(['us-west-2', 'us-east-1']);
  // A copy that has one keeps its own.
  const own = { ...full.runbook, canary: { ...canary, region: 'eu-west-1' } };
  expect((fillMissingRegions(own, full.runbook) as { canary: { region: string } }).canary.region).toBe(
    'eu-west-1',
  );
});
