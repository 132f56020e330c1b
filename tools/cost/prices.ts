import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { UsageError } from '../lib/exit-codes';

const priceSchema = z.strictObject({
  source: z.string().min(1),
  unit: z.string().min(1),
  note: z.string().optional(),
  regions: z.record(z.string(), z.number().nonnegative()),
});

export const priceTableSchema = z
  .strictObject({
    currency: z.literal('USD'),
    priceDate: z.iso.date(),
    note: z.string(),
    hoursPerMonth: z.number().positive(),
    sources: z.record(z.string(), z.url()),
    prices: z.record(z.string(), priceSchema),
    noCharge: z.record(z.string(), z.string()),
    usageOnly: z.record(z.string(), z.string()),
    assumptions: z.array(z.string()),
  })
  .superRefine((t, ctx) => {
    for (const [key, p] of Object.entries(t.prices)) {
      if (!t.sources[p.source]) {
        ctx.addIssue({
          code: 'custom',
          path: ['prices', key, 'source'],
          message: `no source named ${p.source}`,
        });
      }
    }
  });

/** The dated price table: on-demand list prices per region, each with its source. */
export type PriceTable = z.infer<typeof priceTableSchema>;

/** The committed price table (tools/cost/prices.json). */
export const PRICE_FILE = path.join(__dirname, 'prices.json');

/** Reads and validates a price table; a malformed one is bad input naming the key. */
export function readPriceTable(file = PRICE_FILE): PriceTable {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError('--prices', file, `a readable JSON price table (${(e as Error).message})`);
  }
  const parsed = priceTableSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--prices ${file}: ${issue.path.join('.')}`, undefined, issue.message);
  }
  return parsed.data;
}
