import { mkdir, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import { dirname } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ExitCode, UsageError } from '../lib/exit-codes';
import { abortableSleep, DynamoSender, HeartbeatConfig, HeartbeatLoop, LoopDeps } from './loop';
import { NO_STATSD, StatsdSink, UdpStatsd } from './statsd';

/** The writer's settings, from the container's environment (charts/replication-heartbeat.ts sets them). */
export interface WriterSettings extends HeartbeatConfig {
  /** The file touched after each successful write (the probes read its mtime). */
  readonly stampFile: string;
  /** The DogStatsD agent, or undefined to send no metrics. */
  readonly statsd?: { readonly host: string; readonly port: number };
}

/**
 * Bounds of every DynamoDB call (as the former loop's `--cli-connect-timeout 2 --cli-read-timeout 3`
 * and 2 attempts): a beat takes at most about 2 x 2 x (2 + 3) s even against a black hole, and the
 * drift-free schedule skips the slots it ran past.
 */
export const HEARTBEAT_CALL_BOUNDS = {
  connectionTimeoutMs: 2000,
  requestTimeoutMs: 3000,
  maxAttempts: 2,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string, expected: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === '') throw new UsageError(name, v, expected);
  return v;
}

/** Parses and validates the environment; a bad value throws a UsageError naming the variable. */
export function parseSettings(env: Env): WriterSettings {
  const region = required(env, 'AWS_REGION', 'the AWS region the writer runs in, such as us-west-2');
  const peerRegion = required(env, 'PEER_REGION', "the environment's other region, such as us-east-1");
  if (peerRegion === region)
    throw new UsageError('PEER_REGION', peerRegion, `a region other than AWS_REGION (${region})`);
  const intervalText = required(env, 'HEARTBEAT_INTERVAL_SECONDS', 'a whole number of seconds from 1 to 5');
  const interval = Number(intervalText);
  if (!/^[1-5]$/.test(intervalText)) {
    throw new UsageError('HEARTBEAT_INTERVAL_SECONDS', intervalText, 'a whole number of seconds from 1 to 5');
  }
  const host = env.DD_AGENT_HOST?.trim();
  const portText = env.DD_DOGSTATSD_PORT ?? '8125';
  const port = Number(portText);
  if (!/^[0-9]{1,5}$/.test(portText) || port < 1 || port > 65535) {
    throw new UsageError('DD_DOGSTATSD_PORT', portText, 'a UDP port from 1 to 65535');
  }
  return {
    region,
    peerRegion,
    tableName: required(env, 'CONTROL_TABLE_NAME', "the control table's name, such as prod-control"),
    intervalMs: interval * 1000,
    writer: required(env, 'POD_NAME', 'the pod name (downward API metadata.name)'),
    env: required(env, 'DD_ENV', 'the environment name, such as prod'),
    stampFile: required(env, 'HEARTBEAT_STAMP_FILE', 'an absolute path such as /tmp/heartbeat/last-put'),
    ...(host ? { statsd: { host, port } } : {}),
  };
}

/** The SDK client: one per process, its HTTPS connections kept alive between beats. */
export function createDynamoClient(
  region: string,
  options: {
    /** @default - the regional endpoint (tests: dynalite on 127.0.0.1) */
    readonly endpoint?: string;
    /** @default - the SDK's default chain (in the pod: EKS Pod Identity's container credentials) */
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  } = {},
): DynamoDBClient {
  return new DynamoDBClient({
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: HEARTBEAT_CALL_BOUNDS.maxAttempts,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: HEARTBEAT_CALL_BOUNDS.connectionTimeoutMs,
      requestTimeout: HEARTBEAT_CALL_BOUNDS.requestTimeoutMs,
      throwOnRequestTimeout: true,
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 2 }),
    }),
  });
}

/** What {@link main} may be given instead of the real process, client, socket and clocks. */
export interface MainDeps {
  readonly dynamodb?: DynamoSender & { destroy?(): void };
  readonly statsd?: StatsdSink;
  /** Registers the stop handler for SIGTERM and SIGINT. @default process.once */
  readonly onSignal?: (signal: 'SIGTERM' | 'SIGINT', handler: () => void) => void;
  readonly log?: (line: string) => void;
  readonly loop?: Partial<Pick<LoopDeps, 'wallClock' | 'monotonic' | 'sleep'>>;
}

/**
 * The writer process: validates its environment (exit 2 before anything is written), then beats until
 * SIGTERM (exit 0, having aborted the call in flight). Kubernetes gives it `terminationGracePeriodSeconds`.
 */
export async function main(env: Env, deps: MainDeps = {}): Promise<number> {
  const log = deps.log ?? ((line: string) => console.log(line));
  let settings: WriterSettings;
  try {
    settings = parseSettings(env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    log(`replication-heartbeat: error: ${err.message}`);
    return ExitCode.Usage;
  }
  const dynamodb = deps.dynamodb ?? createDynamoClient(settings.region);
  const statsd =
    deps.statsd ?? (settings.statsd ? new UdpStatsd(settings.statsd.host, settings.statsd.port) : NO_STATSD);
  const stop = new AbortController();
  const onSignal = deps.onSignal ?? ((s, h) => void process.once(s, h));
  for (const s of ['SIGTERM', 'SIGINT'] as const) {
    onSignal(s, () => {
      log(`replication-heartbeat: ${s}: stopping`);
      stop.abort();
    });
  }
  await mkdir(dirname(settings.stampFile), { recursive: true });
  log(
    `replication-heartbeat: heartbeat#${settings.region} into ${settings.tableName} (${settings.region}) every ` +
      `${settings.intervalMs} ms as ${settings.writer}, observing heartbeat#${settings.peerRegion}; metrics ` +
      (settings.statsd ? `to ${settings.statsd.host}:${settings.statsd.port}` : 'off (no DD_AGENT_HOST)'),
  );
  const loop = new HeartbeatLoop(settings, {
    dynamodb,
    statsd,
    wallClock: deps.loop?.wallClock ?? Date.now,
    monotonic: deps.loop?.monotonic ?? (() => performance.now()),
    sleep: deps.loop?.sleep ?? abortableSleep,
    touchStamp: (writtenAt) => writeFile(settings.stampFile, `${writtenAt}\n`),
    log,
  });
  try {
    const s = await loop.run(stop.signal);
    log(
      `replication-heartbeat: stopped after ${s.beats} beats: ${s.writes} writes, ${s.failures} failed, ${s.skipped} skipped`,
    );
    return ExitCode.Ok;
  } finally {
    await statsd.close();
    dynamodb.destroy?.();
  }
}
