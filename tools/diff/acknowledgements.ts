import * as fs from 'fs';
import { z } from 'zod';
import { readJsonFile } from '../lib/json-file';

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
  return readJsonFile(file, ackSchema, {
    expected: '[{ "urn": "urn:pulumi:...", "reason": "why losing this data is intended (10+ characters)" }]',
  });
}
