import * as dgram from 'node:dgram';

/**
 * The metrics of the replication heartbeat writer, sent to the node's Datadog agent over DogStatsD
 * (UDP, plain text; no client library). Listed in docs/ARCHITECTURE.md ("Metrics the platform emits").
 * Distributions (`|d`): the agent forwards every point and Datadog aggregates them across pods, so
 * `avg:` and `max:` over any window are exact (a gauge would keep one value per 10 s flush).
 * @see https://docs.datadoghq.com/developers/dogstatsd/datagram_shell/?tab=metrics
 */
export const HEARTBEAT_METRICS = {
  /** Milliseconds between the `writtenAt` of two successive successful writes: the measured interval. */
  intervalMs: 'risk_platform.heartbeat.interval_ms',
  /** Milliseconds one successful `UpdateItem` took, request to response. */
  writeLatencyMs: 'risk_platform.heartbeat.write_latency_ms',
  /** Count of failed writes (the stamp is not touched), tagged `reason` (the SDK error's name). */
  writeFailures: 'risk_platform.heartbeat.write_failures',
  /** Count of beats skipped because the previous one ran past their slot. */
  skippedBeats: 'risk_platform.heartbeat.skipped_beats',
  /** The inbound replication lag recorded on the item (only when the other region's heartbeat advanced). */
  inboundLagMs: 'risk_platform.heartbeat.inbound_lag_ms',
} as const;

/** Tags on every line: `env` and `region` (the monitors scope on both). */
export interface StatsdTags {
  readonly env: string;
  readonly region: string;
}

/** A tag value as DogStatsD takes it: no `|`, `,`, `#` or whitespace (those end the tag). */
function tagValue(v: string): string {
  return v.replace(/[|,#\s]/g, '_');
}

/** One DogStatsD line: `<name>:<value>|<type>|#k:v,...`; values are rounded to whole numbers. */
export function statsdLine(
  name: string,
  value: number,
  type: 'c' | 'd',
  tags: StatsdTags,
  extra: Readonly<Record<string, string>> = {},
): string {
  if (!Number.isFinite(value))
    throw new RangeError(`metric ${name}: value (${value}) must be a finite number`);
  const all = { env: tags.env, region: tags.region, ...extra };
  const t = Object.entries(all)
    .map(([k, v]) => `${k}:${tagValue(v)}`)
    .join(',');
  return `${name}:${Math.round(value)}|${type}|#${t}`;
}

/** Where the lines go. */
export interface StatsdSink {
  /** Sends lines (one datagram each); never throws: metrics are best-effort. */
  send(lines: readonly string[]): void;
  close(): Promise<void>;
}

/** The socket operations the sink uses (node:dgram's, injectable in tests). */
export interface DatagramSocket {
  send(msg: string, port: number, address: string, cb: (err: Error | null) => void): void;
  close(cb?: () => void): void;
  unref(): unknown;
}

/**
 * A DogStatsD sink over UDP to `host:port` (the node agent's hostPort, `DD_AGENT_HOST` from
 * `status.hostIP`). A send error (no agent yet, ICMP unreachable) is counted and otherwise ignored:
 * losing a metric must never stop the heartbeat.
 */
export class UdpStatsd implements StatsdSink {
  /** Datagrams that could not be sent. */
  dropped = 0;
  private readonly socket: DatagramSocket;

  constructor(
    private readonly host: string,
    private readonly port: number,
    socket?: DatagramSocket,
  ) {
    this.socket = socket ?? dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    this.socket.unref();
  }

  send(lines: readonly string[]): void {
    for (const line of lines) {
      this.socket.send(line, this.port, this.host, (err) => {
        if (err) this.dropped++;
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A sink that sends nothing (no agent configured). */
export const NO_STATSD: StatsdSink = { send: () => undefined, close: () => Promise.resolve() };
