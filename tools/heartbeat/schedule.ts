/**
 * The pure maths of the replication heartbeat writer (tools/heartbeat/loop.ts): its drift-free
 * schedule and its inbound-lag rule. No I/O, no clock: every time is passed in.
 */

/** The beat to run next on a drift-free schedule. */
export interface NextBeat {
  /** Its index `k`: beat `k` is due at `startMs + k * intervalMs`. */
  readonly index: number;
  /** When it is due, on the schedule's (monotonic) clock. */
  readonly atMs: number;
  /** Beats whose slot passed while the previous beat was still running: skipped, not piled up. */
  readonly skipped: number;
}

/**
 * The next beat after beat `lastIndex` has finished at `nowMs`: the first slot
 * `startMs + k * intervalMs` at or after `nowMs`, with `k > lastIndex`. A beat that ran past one or
 * more slots does not make the writer run the missed beats back to back (two writes a few ms apart
 * say nothing more than one): their slots are skipped, and the schedule keeps its phase, so a slow
 * beat never shifts the ones after it (no drift, unlike `sleep interval` after each beat).
 */
export function nextBeat(startMs: number, intervalMs: number, lastIndex: number, nowMs: number): NextBeat {
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new RangeError(`'intervalMs' (${intervalMs}) must be a positive number of milliseconds`);
  }
  if (!Number.isInteger(lastIndex) || lastIndex < -1) {
    throw new RangeError(`'lastIndex' (${lastIndex}) must be an integer of at least -1`);
  }
  const firstSlotNotPast = Math.ceil((nowMs - startMs) / intervalMs);
  const index = Math.max(lastIndex + 1, firstSlotNotPast);
  return { index, atMs: startMs + index * intervalMs, skipped: index - lastIndex - 1 };
}

/** What one beat records of the other region's heartbeat. */
export interface InboundLag {
  /** `now - writtenAt` of the other region's heartbeat as replicated here, at least 0. */
  readonly inboundLagMs: number;
  /** That `writtenAt`. */
  readonly inboundWrittenAt: number;
}

/** The outcome of one read of the other region's heartbeat. */
export interface InboundObservation {
  /** The lag to record on this region's item, or undefined to leave the recorded pair as it is. */
  readonly inbound?: InboundLag;
  /** The `writtenAt` to compare the next read with. */
  readonly lastSeen?: number;
}

/**
 * The inbound-lag rule (the same as the former shell loop's, and tools/dr/control/heartbeat.ts
 * `HeartbeatWriter`): when the other region's `writtenAt` (`seen`) advanced since the previous read,
 * that region is alive and replicating, and `now - seen` is recorded with `seen`. When it did not
 * advance, or could not be read (`seen` undefined), nothing is recorded, so the item keeps the last
 * lag observed while the other region was alive and when it went silent. The first read after a start
 * (`lastSeen` undefined) only remembers the value: it cannot know whether it advanced.
 */
export function observeInbound(
  lastSeen: number | undefined,
  seen: number | undefined,
  nowMs: number,
): InboundObservation {
  const advanced = seen !== undefined && lastSeen !== undefined && seen > lastSeen;
  return {
    ...(advanced ? { inbound: { inboundLagMs: Math.max(0, nowMs - seen), inboundWrittenAt: seen } } : {}),
    lastSeen: seen ?? lastSeen,
  };
}

/**
 * A `writtenAt` as DynamoDB returns it (a number attribute: a decimal string): epoch milliseconds, a
 * whole number of digits only (as the shell loop accepted), else undefined (read as nothing).
 */
export function parseWrittenAt(n: string | undefined): number | undefined {
  if (n === undefined || !/^[0-9]{1,16}$/.test(n)) return undefined;
  return Number(n);
}
