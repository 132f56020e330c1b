/**
 * The time replication ages are measured at, on the regions' clocks rather than the operator's.
 *
 * Heartbeat `writtenAt` values come from the regions' writers (Amazon Time Sync Service: sub-millisecond
 * error), while the runbook runs on a laptop whose clock may be off by any amount. An age computed as
 * `laptop now - writtenAt` is then off by the laptop's skew: 30 s slow turned a real 40 s lag into
 * "10 s <= RPO 15 s" (issue 16 finding 2).
 *
 * The target region's own heartbeat (`heartbeat#<target>`, written into the target's replica every
 * interval by the target's writer, no replication involved) is a reading of the target's clock at most
 * one interval old. So `max(local now, heartbeat#<target>.writtenAt)`:
 * - local clock slow (the dangerous direction: ages look small): the target's heartbeat wins, and ages
 *   are measured on the region's clock, short by at most one write interval;
 * - local clock right or fast: the local clock wins; a fast clock only makes ages look older, which
 *   refuses more, never less.
 *
 * Note: only when the target's writer is ALSO stalled can a slow local clock still shorten ages; the
 * target's stalled writer is then the thing to fix (`dr status` shows its heartbeat's age).
 */
export interface RegionClock {
  /** Epoch ms at which ages are measured. */
  readonly nowMs: number;
  /** Whose clock `nowMs` is: the local one, or the target region's (its heartbeat writer). */
  readonly clock: 'local' | 'region';
  /** How far the local clock is known to be behind the region's (ms, 0 when not known to be). */
  readonly localBehindMs: number;
}

/** A local clock this far behind the region's (ms) is reported. */
export const CLOCK_SKEW_TOLERANCE_MS = 1000;

/** See {@link RegionClock}. `regionWrittenAt`: the target's own heartbeat `writtenAt`, if any. */
export function regionClock(localNowMs: number, regionWrittenAt: number | undefined): RegionClock {
  if (regionWrittenAt === undefined || !Number.isFinite(regionWrittenAt) || regionWrittenAt <= localNowMs) {
    return { nowMs: localNowMs, clock: 'local', localBehindMs: 0 };
  }
  return { nowMs: regionWrittenAt, clock: 'region', localBehindMs: regionWrittenAt - localNowMs };
}

/**
 * The note printed when the local clock is behind the region's by more than
 * {@link CLOCK_SKEW_TOLERANCE_MS}, else undefined.
 */
export function clockSkewNote(c: RegionClock, region: string): string | undefined {
  if (c.localBehindMs <= CLOCK_SKEW_TOLERANCE_MS) return undefined;
  return (
    `the local clock is at least ${c.localBehindMs} ms behind ${region}'s (heartbeat#${region} was written at ` +
    `${new Date(c.nowMs).toISOString()} by ${region}'s clock); ages are measured on ${region}'s clock: fix this machine's clock (NTP)`
  );
}
