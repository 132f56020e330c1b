import { CloudWatchClient, GetMetricDataCommand, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CanaryOutputs, RunbookOutputs } from '../../stacks/outputs';
import { withDeadline } from './deadline';
import { CanaryRegionData, CanaryRegionView, judgeRegion, Series } from './canary-view';

/**
 * How long the runbook waits for the canary region's CloudWatch: one bounded call (2 s connect, 5 s
 * response) but no retry. Preflight's other checks run alongside and take longer, so a hanging canary
 * region never slows a failover; `status` likewise.
 */
export const DEFAULT_CANARY_DEADLINE_MS = 5000;
/** The look-back window: long enough for a failure rate, short enough to be the current state. */
export const CANARY_WINDOW_MS = 15 * 60_000;

/** The canary's view of both regions, or why there is none. */
export type CanaryReading =
  | {
      readonly configured: false;
      /** Why: the outputs carry no `canary` section. */
      readonly detail: string;
    }
  | {
      readonly configured: true;
      /** The canary's region and namespace (from the outputs). */
      readonly region: string;
      readonly namespace: string;
      readonly failingAfter: number;
      /** When it was read (ISO). */
      readonly readAt: string;
      /** Per probed region. */
      readonly regions: Readonly<Record<string, CanaryRegionView>>;
    };

export const NOT_CONFIGURED =
  'not configured (these runbook outputs carry no canary section: they predate it; the next pulumi up of the regional stacks adds it)';

export interface ReadCanaryOptions {
  /** @default DEFAULT_CANARY_DEADLINE_MS */
  readonly deadlineMs?: number;
  /** @default CANARY_WINDOW_MS */
  readonly windowMs?: number;
}

/** The GetMetricData queries: per region, healthy and latency (Maximum), and each error reason (Sum). */
export function canaryQueries(
  c: CanaryOutputs,
  regions: readonly string[],
): { queries: MetricDataQuery[]; ids: { region: string; metric: 'healthy' | 'latency' | string }[] } {
  const ids: { region: string; metric: string }[] = [];
  const queries: MetricDataQuery[] = [];
  const add = (region: string, metric: string, name: string, stat: string, extra: Record<string, string>) => {
    queries.push({
      Id: `q${queries.length}`,
      MetricStat: {
        Metric: {
          Namespace: c.namespace,
          MetricName: name,
          Dimensions: [
            { Name: c.regionDimension, Value: region },
            ...Object.entries(extra).map(([Name, Value]) => ({ Name, Value })),
          ],
        },
        Period: c.periodSeconds,
        Stat: stat,
      },
      ReturnData: true,
    });
    ids.push({ region, metric });
  };
  for (const region of regions) {
    // Maximum, like the alarm: a minute counts as failed only when every probe in it failed.
    add(region, 'healthy', c.metrics.healthy, 'Maximum', {});
    add(region, 'latency', c.metrics.latency, 'Maximum', {});
    for (const reason of c.errorReasons)
      add(region, `error:${reason}`, c.metrics.error, 'Sum', { [c.errorReasonDimension]: reason });
  }
  return { queries, ids };
}

const describe = (err: unknown) => `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;

/**
 * Reads the canary's metrics for `regions` in ONE GetMetricData call in the canary region, under a
 * deadline, and judges each region ({@link judgeRegion}). Never throws: a failed, throttled or hanging
 * read gives every region `unreachable` with the error; no `canary` in the outputs gives `configured: false`.
 */
export async function readCanary(
  cloudwatch: (region: string) => CloudWatchClient,
  outputs: Pick<RunbookOutputs, 'canary'>,
  regions: readonly string[],
  now: Date,
  opts: ReadCanaryOptions = {},
): Promise<CanaryReading> {
  const c = outputs.canary;
  if (!c) return { configured: false, detail: NOT_CONFIGURED };
  const windowMs = opts.windowMs ?? CANARY_WINDOW_MS;
  const base = {
    configured: true as const,
    region: c.region,
    namespace: c.namespace,
    failingAfter: c.failingAfter,
    readAt: now.toISOString(),
  };
  const { queries, ids } = canaryQueries(c, regions);
  let results: Map<string, Series>;
  try {
    results = await withDeadline(
      `CloudWatch GetMetricData in ${c.region} (canary)`,
      opts.deadlineMs ?? DEFAULT_CANARY_DEADLINE_MS,
      async (abortSignal) => {
        // Built inside the deadline: a client that cannot even be built is an unreachable canary.
        const out = await cloudwatch(c.region).send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(now.getTime() - windowMs),
            EndTime: now,
            ScanBy: 'TimestampDescending',
          }),
          { abortSignal },
        );
        // 15 points x ~14 queries is far below one page (100 800 datapoints): no NextToken to follow.
        return new Map(
          (out.MetricDataResults ?? []).map((r) => [
            r.Id ?? '',
            { timestamps: (r.Timestamps ?? []).map((t) => new Date(t).getTime()), values: r.Values ?? [] },
          ]),
        );
      },
    );
  } catch (err) {
    const error = describe(err);
    return {
      ...base,
      regions: Object.fromEntries(regions.map((r) => [r, { state: 'unreachable', region: r, error }])),
    };
  }
  const empty: Series = { timestamps: [], values: [] };
  const seriesOf = (region: string, metric: string) =>
    results.get(`q${ids.findIndex((x) => x.region === region && x.metric === metric)}`) ?? empty;
  const judgement = {
    nowMs: now.getTime(),
    failingAfter: c.failingAfter,
    periodMs: c.periodSeconds * 1000,
    windowMs,
  };
  return {
    ...base,
    regions: Object.fromEntries(
      regions.map((region) => {
        const data: CanaryRegionData = {
          healthy: seriesOf(region, 'healthy'),
          latency: seriesOf(region, 'latency'),
          errors: Object.fromEntries(c.errorReasons.map((r) => [r, seriesOf(region, `error:${r}`)])),
        };
        return [region, judgeRegion(region, data, judgement)];
      }),
    ),
  };
}
