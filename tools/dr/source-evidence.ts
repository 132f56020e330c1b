import { withDeadline } from './deadline';
import { probeQueues, probeReplicationLatency, probeStream } from './probes';
import { StepContext } from './steps/step';

/**
 * What the source region says right before the cut-over, when it answers (issue 16 findings 14 and 5):
 * its backlog, i.e. data it accepted that the target will not have (the Kinesis stream and the SQS
 * queues are regional and not replicated), and its recent DynamoDB `ReplicationLatency` to the target
 * (published only in the sending region), which sizes the drain wait before the flip.
 */
export interface SourceBacklog {
  /** `GetRecords.IteratorAgeMilliseconds` of the source's stream: how far its consumers are behind. */
  readonly stream: { readonly name: string; readonly iteratorAgeMs: number | null };
  /** `ApproximateNumberOfMessagesVisible` and `ApproximateAgeOfOldestMessage` per source queue. */
  readonly queues: readonly {
    readonly queue: string;
    readonly visible: number;
    readonly oldestAgeSeconds: number | null;
  }[];
}

export type SourceEvidence =
  | {
      readonly region: string;
      readonly ok: true;
      readonly backlog: SourceBacklog;
      /** The highest latest `ReplicationLatency` source -> target over the tables (ms); null: no datapoint. */
      readonly replicationLatencyMs: number | null;
    }
  | { readonly region: string; readonly ok: false; readonly error: string };

/**
 * How long the source may take to answer all of it (the reads run in parallel): a little more than
 * one bounded AWS call (5 s), so a hanging source costs this once, and a live one answers.
 */
export const SOURCE_DEADLINE_MS = 6_000;

/** Reads the source's backlog and replication latency under one deadline; never throws. */
export async function probeSourceEvidence(
  ctx: Pick<StepContext, 'outputs' | 'clients' | 'op' | 'now'>,
  deadlineMs = SOURCE_DEADLINE_MS,
): Promise<SourceEvidence> {
  const { outputs, clients, op } = ctx;
  const r = outputs.regions[op.from];
  const now = ctx.now();
  try {
    const [stream, queues, latency] = await withDeadline(`source ${op.from}`, deadlineMs, () =>
      Promise.all([
        probeStream(clients, r, now),
        probeQueues(clients, r, now),
        probeReplicationLatency(clients, outputs, op.from, op.to, now),
      ]),
    );
    const known = latency.map((l) => l.ms).filter((ms): ms is number => ms !== undefined);
    return {
      region: op.from,
      ok: true,
      backlog: {
        stream: { name: r.stream.name, iteratorAgeMs: stream.iteratorAgeMs ?? null },
        queues: queues.map((q) => ({
          queue: q.queue,
          visible: q.visible,
          oldestAgeSeconds: q.oldestAgeSeconds ?? null,
        })),
      },
      replicationLatencyMs: known.length ? Math.max(...known) : null,
    };
  } catch (err) {
    return {
      region: op.from,
      ok: false,
      error: `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`,
    };
  }
}

/** One line for the summary: `stream <name> iterator age 850 ms; queues <q> 0 visible (oldest 2 s), ...`. */
export function describeBacklog(e: SourceEvidence): string {
  if (!e.ok) return `source ${e.region} did not answer (${e.error}): its Kinesis and SQS backlog is unknown`;
  const age = e.backlog.stream.iteratorAgeMs;
  const queues = e.backlog.queues
    .map(
      (q) =>
        `${q.queue} ${q.visible} visible (oldest ${q.oldestAgeSeconds === null ? 'n/a' : `${q.oldestAgeSeconds} s`})`,
    )
    .join(', ');
  return (
    `source ${e.region}: stream ${e.backlog.stream.name} iterator age ${age === null ? 'n/a' : `${age} ms`}; ` +
    `queues ${queues}`
  );
}
