import * as fs from 'fs';
import { z } from 'zod';
import { UsageError } from '../lib/exit-codes';

/** The file a change lists its acknowledged stateful deletions and replacements in. */
export const ACK_FILE = 'acknowledged-replacements.json';

const ackSchema = z.array(
  z.strictObject({
    urn: z.string().startsWith('urn:pulumi:'),
    reason: z.string().trim().min(10),
  }),
);

export type Acknowledgement = z.infer<typeof ackSchema>[number];

/**
 * Reads `acknowledged-replacements.json`: `[{ "urn": "urn:pulumi:...", "reason": "..." }]`, a reason
 * of at least 10 characters each. A missing file is no acknowledgement; a malformed one is bad input.
 */
export function readAcknowledgements(file: string | undefined): Acknowledgement[] {
  if (!file || !fs.existsSync(file)) return [];
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(file, (e as Error).message, 'valid JSON');
  }
  const parsed = ackSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
    const received = issue.path.reduce<unknown>(
      (v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k],
      data,
    );
    throw new UsageError(
      `${file}${where}`,
      received,
      `[{ "urn": "urn:pulumi:...", "reason": "why losing this data is intended (10+ characters)" }] (${issue.message})`,
    );
  }
  return parsed.data;
}
