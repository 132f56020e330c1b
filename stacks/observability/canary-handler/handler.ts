/**
 * The synthetic canary (AWS Lambda, Node.js 22): every minute it calls each region's synthetic score
 * endpoint (`https://score-<region>.<zone>/healthz/score`) from a third region, and publishes per
 * region `ScoreProbeHealthy` (1 or 0) and `ScoreProbeLatency` (ms), plus `ScoreProbeError` (1) with
 * the reason when a probe fails. Bundled by esbuild at plan time (`../canary-bundle.ts`); it imports
 * nothing from the rest of the repository.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { CloudWatchClient, MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';

/** One region the canary probes. */
export interface ProbeTarget {
  readonly region: string;
  readonly url: string;
}

/** Why a probe failed. */
export type ProbeFailure = 'timeout' | 'tls' | 'connection' | 'http-status' | 'slow';

export interface ProbeResult {
  readonly region: string;
  readonly healthy: boolean;
  /** Milliseconds to the whole response (the timeout when it timed out). */
  readonly latencyMs: number;
  readonly status?: number;
  readonly failure?: ProbeFailure;
  readonly detail?: string;
}

export interface CanaryOptions {
  readonly targets: readonly ProbeTarget[];
  readonly namespace: string;
  /** A probe with no full response by then is a `timeout`. */
  readonly timeoutMs: number;
  /** A 2xx slower than this is `slow`, unhealthy. */
  readonly latencyBudgetMs: number;
}

/** Node's TLS verification error codes (and OpenSSL's), as `err.code`. */
const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

/** Classifies a request error. */
export function failureOf(err: unknown): ProbeFailure {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && TLS_CODES.test(code) ? 'tls' : 'connection';
}

/** Calls one target once; never throws. `clock` is milliseconds (`performance.now` by default). */
export function probe(
  target: ProbeTarget,
  opts: CanaryOptions,
  clock: () => number = () => performance.now(),
): Promise<ProbeResult> {
  const started = clock();
  const elapsed = () => Math.round(clock() - started);
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const client = target.url.startsWith('https:') ? https : http;
    const req = client.get(target.url, { headers: { 'user-agent': 'risk-platform-canary' } }, (res) => {
      res.resume();
      res.on('error', (err) =>
        done({
          region: target.region,
          healthy: false,
          latencyMs: elapsed(),
          failure: failureOf(err),
          detail: err.message,
        }),
      );
      res.on('end', () => {
        const latencyMs = elapsed();
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          done({
            region: target.region,
            healthy: false,
            latencyMs,
            status,
            failure: 'http-status',
            detail: `HTTP ${status}`,
          });
        } else if (latencyMs > opts.latencyBudgetMs) {
          done({
            region: target.region,
            healthy: false,
            latencyMs,
            status,
            failure: 'slow',
            detail: `${latencyMs} ms > ${opts.latencyBudgetMs} ms`,
          });
        } else {
          done({ region: target.region, healthy: true, latencyMs, status });
        }
      });
    });
    const timer = setTimeout(() => {
      done({
        region: target.region,
        healthy: false,
        latencyMs: opts.timeoutMs,
        failure: 'timeout',
        detail: `no response in ${opts.timeoutMs} ms`,
      });
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (err) =>
      done({
        region: target.region,
        healthy: false,
        latencyMs: elapsed(),
        failure: failureOf(err),
        detail: err.message,
      }),
    );
  });
}

/** The metric data of one round of probes. */
export function metricData(results: readonly ProbeResult[], timestamp: Date): MetricDatum[] {
  return results.flatMap((r): MetricDatum[] => {
    const dims = [{ Name: 'TargetRegion', Value: r.region }];
    const data: MetricDatum[] = [
      {
        MetricName: 'ScoreProbeHealthy',
        Dimensions: dims,
        Value: r.healthy ? 1 : 0,
        Unit: 'None',
        Timestamp: timestamp,
      },
      {
        MetricName: 'ScoreProbeLatency',
        Dimensions: dims,
        Value: r.latencyMs,
        Unit: 'Milliseconds',
        Timestamp: timestamp,
      },
    ];
    if (r.failure) {
      data.push({
        MetricName: 'ScoreProbeError',
        Dimensions: [...dims, { Name: 'Reason', Value: r.failure }],
        Value: 1,
        Unit: 'Count',
        Timestamp: timestamp,
      });
    }
    return data;
  });
}

/** One round: probe every target in parallel, publish the results in one call, return them. */
export async function runCanary(
  cloudwatch: CloudWatchClient,
  opts: CanaryOptions,
  now: () => Date = () => new Date(),
): Promise<ProbeResult[]> {
  const results = await Promise.all(opts.targets.map((t) => probe(t, opts)));
  await cloudwatch.send(
    new PutMetricDataCommand({ Namespace: opts.namespace, MetricData: metricData(results, now()) }),
  );
  for (const r of results) console.log(JSON.stringify({ probe: r }));
  return results;
}

/** Reads the function's environment; throws naming the variable when one is missing or malformed. */
export function optionsFromEnv(env: Readonly<Record<string, string | undefined>>): CanaryOptions {
  const need = (k: string) => {
    const v = env[k];
    if (!v)
      throw new Error(
        `environment variable ${k} is missing; expected it set by the canary's Pulumi component`,
      );
    return v;
  };
  const int = (k: string) => {
    const n = Number(need(k));
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`environment variable ${k} (${env[k]}) must be an integer > 0`);
    return n;
  };
  const targets = JSON.parse(need('CANARY_TARGETS')) as ProbeTarget[];
  if (
    !Array.isArray(targets) ||
    targets.some((t) => typeof t?.region !== 'string' || typeof t?.url !== 'string')
  ) {
    throw new Error(
      `environment variable CANARY_TARGETS (${env.CANARY_TARGETS}) must be a JSON list of {region, url}`,
    );
  }
  return {
    targets,
    namespace: need('CANARY_NAMESPACE'),
    timeoutMs: int('CANARY_TIMEOUT_MS'),
    latencyBudgetMs: int('CANARY_LATENCY_BUDGET_MS'),
  };
}

let client: CloudWatchClient | undefined;

/** The Lambda entry point (`index.handler`). */
export async function handler(): Promise<{ results: ProbeResult[] }> {
  client ??= new CloudWatchClient({});
  return { results: await runCanary(client, optionsFromEnv(process.env)) };
}
