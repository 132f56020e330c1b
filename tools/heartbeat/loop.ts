import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { keys } from '../dr/control/keys';
import { NextBeat, nextBeat, observeInbound, parseWrittenAt } from './schedule';
import { HEARTBEAT_METRICS, statsdLine, StatsdSink, StatsdTags } from './statsd';

/** What one writer does: the item it writes, whose heartbeat it observes, how often. */
export interface HeartbeatConfig {
  /** Its own region: the key `heartbeat#<region>` and the replica it writes to (the client's region). */
  readonly region: string;
  /** The environment's other region, whose heartbeat it reads from its own replica. */
  readonly peerRegion: string;
  /** The control table (a global table: the same name in every region). */
  readonly tableName: string;
  /** The schedule's interval, ms (`heartbeatIntervalSeconds` x 1000). */
  readonly intervalMs: number;
  /** The `writer` attribute: the pod name. */
  readonly writer: string;
  /** The `env` tag of its metrics. */
  readonly env: string;
}

/** The DynamoDB calls the loop makes (a `DynamoDBClient`, or a mock at that boundary). */
export interface DynamoSender {
  send(
    command: GetItemCommand | UpdateItemCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ Item?: Record<string, { N?: string } | undefined> }>;
}

/** Everything the loop touches outside itself, injected so tests need no clock, network or disk. */
export interface LoopDeps {
  readonly dynamodb: DynamoSender;
  readonly statsd: StatsdSink;
  /** Epoch ms: the `writtenAt` it writes and the lag it computes. */
  readonly wallClock: () => number;
  /** A monotonic ms clock: the schedule and the write latency (immune to wall-clock steps). */
  readonly monotonic: () => number;
  /** Waits `ms` (at most), resolving early when `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Marks a successful write for the probes (the stamp file). */
  readonly touchStamp: (writtenAt: number) => Promise<void>;
  readonly log: (line: string) => void;
}

/** The outcome of one beat. */
export interface BeatResult {
  readonly ok: boolean;
  readonly writtenAt: number;
  /** The inbound pair written with it, when the other region's heartbeat had advanced. */
  readonly inbound?: { readonly inboundLagMs: number; readonly inboundWrittenAt: number };
  /** The measured interval since the previous successful write, ms (none for the first). */
  readonly intervalMs?: number;
}

/** Counts over a run, printed when the writer stops. */
export interface LoopSummary {
  readonly beats: number;
  readonly writes: number;
  readonly failures: number;
  readonly skipped: number;
}

const errorName = (err: unknown): string => (err instanceof Error ? err.name : 'Error');
const errorText = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);

/**
 * The replication heartbeat writer's loop: one long-running process and one SDK client (kept-alive
 * HTTPS connections), where the former shell loop started two `aws` CLI processes per beat. Each beat:
 * 1. reads the other region's heartbeat (`heartbeat#<peer>`) from its own region's replica,
 *    projecting `writtenAt`; an error or no item reads as nothing;
 * 2. applies {@link observeInbound} (the inbound-lag rule);
 * 3. updates its own item `{pk: heartbeat#<region>, sk: heartbeat}`: `SET writtenAt = :w, writer = :p`
 *    plus `inboundLagMs = :l, inboundWrittenAt = :a` when just observed (an update, not a put, so a
 *    restarted writer does not erase the inbound evidence of a silent region);
 * 4. on success touches the stamp file the probes read and emits the measured interval and the write
 *    latency; on failure logs it, counts it, and tries again at the next beat.
 * Beats follow {@link nextBeat}: drift-free, skipping slots a slow beat ran past.
 */
export class HeartbeatLoop {
  private lastSeen?: number;
  private lastWrittenAt?: number;
  private counts = { beats: 0, writes: 0, failures: 0, skipped: 0 };
  private readonly tags: StatsdTags;

  constructor(
    readonly config: HeartbeatConfig,
    private readonly deps: LoopDeps,
  ) {
    this.tags = { env: config.env, region: config.region };
  }

  private key(region: string) {
    const k = keys.heartbeat(region) as Record<string, string>;
    return Object.fromEntries(Object.entries(k).map(([name, v]) => [name, { S: v }]));
  }

  private async readPeer(signal: AbortSignal): Promise<number | undefined> {
    try {
      const out = await this.deps.dynamodb.send(
        new GetItemCommand({
          TableName: this.config.tableName,
          Key: this.key(this.config.peerRegion),
          ProjectionExpression: 'writtenAt',
        }),
        { abortSignal: signal },
      );
      return parseWrittenAt(out.Item?.writtenAt?.N);
    } catch (err) {
      this.deps.log(
        `replication-heartbeat: get-item of heartbeat#${this.config.peerRegion} failed (${errorText(err)})`,
      );
      return undefined;
    }
  }

  /** One beat: read the other region's heartbeat, write this region's. */
  async beat(signal: AbortSignal): Promise<BeatResult> {
    this.counts.beats++;
    const seen = await this.readPeer(signal);
    const writtenAt = Math.round(this.deps.wallClock());
    const { inbound, lastSeen } = observeInbound(this.lastSeen, seen, writtenAt);
    this.lastSeen = lastSeen;
    const values: Record<string, { S: string } | { N: string }> = {
      ':w': { N: String(writtenAt) },
      ':p': { S: this.config.writer },
      ...(inbound
        ? { ':l': { N: String(inbound.inboundLagMs) }, ':a': { N: String(inbound.inboundWrittenAt) } }
        : {}),
    };
    const started = this.deps.monotonic();
    try {
      await this.deps.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.config.tableName,
          Key: this.key(this.config.region),
          UpdateExpression: `SET writtenAt = :w, writer = :p${inbound ? ', inboundLagMs = :l, inboundWrittenAt = :a' : ''}`,
          ExpressionAttributeValues: values,
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      // Stopping (SIGTERM aborted the call): not a failure of the table.
      if (signal.aborted) return { ok: false, writtenAt };
      this.counts.failures++;
      this.deps.statsd.send([
        statsdLine(HEARTBEAT_METRICS.writeFailures, 1, 'c', this.tags, { reason: errorName(err) }),
      ]);
      this.deps.log(
        `replication-heartbeat: update-item failed (${errorText(err)}); retrying in ${this.config.intervalMs} ms`,
      );
      return { ok: false, writtenAt };
    }
    const latency = this.deps.monotonic() - started;
    await this.deps.touchStamp(writtenAt);
    this.counts.writes++;
    const intervalMs = this.lastWrittenAt === undefined ? undefined : writtenAt - this.lastWrittenAt;
    this.lastWrittenAt = writtenAt;
    this.deps.statsd.send([
      statsdLine(HEARTBEAT_METRICS.writeLatencyMs, latency, 'd', this.tags),
      ...(intervalMs === undefined
        ? []
        : [statsdLine(HEARTBEAT_METRICS.intervalMs, intervalMs, 'd', this.tags)]),
      ...(inbound
        ? [
            statsdLine(HEARTBEAT_METRICS.inboundLagMs, inbound.inboundLagMs, 'd', this.tags, {
              peer_region: this.config.peerRegion,
            }),
          ]
        : []),
    ]);
    return {
      ok: true,
      writtenAt,
      ...(inbound ? { inbound } : {}),
      ...(intervalMs === undefined ? {} : { intervalMs }),
    };
  }

  /** Beats on the drift-free schedule until `signal` aborts (SIGTERM); an in-flight call is aborted. */
  async run(signal: AbortSignal): Promise<LoopSummary> {
    const start = this.deps.monotonic();
    let next: NextBeat = { index: 0, atMs: start, skipped: 0 };
    while (!signal.aborted) {
      await this.deps.sleep(next.atMs - this.deps.monotonic(), signal);
      if (signal.aborted) break;
      await this.beat(signal);
      const done = next.index;
      next = nextBeat(start, this.config.intervalMs, done, this.deps.monotonic());
      if (next.skipped > 0) {
        this.counts.skipped += next.skipped;
        this.deps.statsd.send([statsdLine(HEARTBEAT_METRICS.skippedBeats, next.skipped, 'c', this.tags)]);
        this.deps.log(
          `replication-heartbeat: beat ${done} overran the ${this.config.intervalMs} ms interval; skipped ${next.skipped} beat(s)`,
        );
      }
    }
    return { ...this.counts };
  }
}

/** A sleep that resolves after `ms`, or at once when `signal` aborts; it leaves no timer behind. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
