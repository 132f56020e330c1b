import { randomBytes } from 'node:crypto';

/**
 * Lease arithmetic of the runbook lock, after the Amazon DynamoDB Lock Client: the holder rewrites a
 * random record version number (`rvn`) on every renewal; a contender never compares the record's
 * `expiresAt` with its own wall clock (issue 16 finding 4: a laptop 120 s ahead took a live lease at
 * once). It watches the `rvn` instead and takes the lock only after seeing it unchanged for a whole
 * lease, measured on its own monotonic clock, with a conditional write on that `rvn`.
 * @see https://aws.amazon.com/blogs/database/building-distributed-locks-with-the-dynamodb-lock-client/
 */

/** A new record version number. */
export const newRvn = (): string => randomBytes(8).toString('hex');

/**
 * How often the holder renews its lease: a third of it, at most 5 s apart (so another invocation sees a
 * live holder within seconds and is refused at once, issue 16 finding 11), at least 50 ms.
 */
export function renewEveryMs(leaseMs: number): number {
  return Math.max(50, Math.min(5000, Math.floor(leaseMs / 3)));
}

/** How often a contender re-reads a lease it watches: a tenth of it, 20 ms to 1 s. */
export function watchPollMs(leaseMs: number): number {
  return Math.max(20, Math.min(1000, Math.floor(leaseMs / 10)));
}

/** The fields of a lock record that identify one version of it. */
export interface LeaseVersion {
  readonly rvn?: string;
  readonly invocation: string;
  readonly expiresAt: number;
}

/**
 * The version of a record: its `rvn`, or (a record written before `rvn` existed) its invocation and
 * expiry, which its holder's renewals also change.
 */
export function versionOf(r: LeaseVersion): string {
  return r.rvn ?? `legacy:${r.invocation}:${r.expiresAt}`;
}

/** The condition that the lock item is still at version `r` (for a takeover). */
export function atVersion(r: LeaseVersion): {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeValues: Record<string, unknown>;
} {
  return r.rvn !== undefined
    ? { ConditionExpression: 'rvn = :rvn', ExpressionAttributeValues: { ':rvn': r.rvn } }
    : {
        ConditionExpression: 'attribute_not_exists(rvn) AND invocation = :oinv AND expiresAt = :oexp',
        ExpressionAttributeValues: { ':oinv': r.invocation, ':oexp': r.expiresAt },
      };
}
