import * as fs from 'fs';
import { z } from 'zod';
import { UsageError } from './exit-codes';

/**
 * Reads a JSON file and validates it with a zod schema; bad input is a {@link UsageError} (exit 2)
 * naming the file (and `label`, e.g. the flag that named it), the field with its path, the value
 * received and `expected` (the format, in words) with zod's reason.
 */
export function readJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
  opts: { readonly label?: string; readonly expected: string },
): z.infer<S> {
  const name = opts.label ? `${opts.label} ${file}` : file;
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(name, (e as Error).message, 'valid JSON');
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
    const received = issue.path.reduce<unknown>(
      (v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k],
      data,
    );
    throw new UsageError(`${name}${where}`, received, `${opts.expected} (${issue.message})`);
  }
  return parsed.data as z.infer<S>;
}
